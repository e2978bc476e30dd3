"""Claims that cannot be true are kept in the ledger but marked invalid, never chosen.

`invalid_reason(field, value, published)` says why a claimed value is
impossible (a launch dated after the article reporting it, a negative
distance, an apogee beyond any missile's), or None when it is plausible.
The limits are physical, not statistical: they reject only nonsense.
"""
from __future__ import annotations

import re
from typing import Any

from launchwatch.records import OUTCOMES, PLATFORMS, WEAPON_CLASSES

# Half the Earth's circumference: no launch lands farther away than this.
MAX_DISTANCE_KM = 20_000
# Highest apogee of any missile test reported (lofted ICBMs reach ~6,700 km).
MAX_APOGEE_KM = 10_000
MAX_FLIGHT_TIME_S = 24 * 3600
MAX_COUNT = 500
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")
_CHOICES = {"weapon_class": WEAPON_CLASSES, "platform": PLATFORMS, "outcome": OUTCOMES}
_LIMITS = {"distance_km": (MAX_DISTANCE_KM, "km"), "apogee_km": (MAX_APOGEE_KM, "km"),
           "flight_time_s": (MAX_FLIGHT_TIME_S, "s"), "count": (MAX_COUNT, "")}


def invalid_reason(field: str, value: Any, published: str | None = None) -> str | None:
    """Why `value` cannot be the field's true value, or None."""
    if value is None or value == []:
        return None
    if field == "date":
        return _date_problem(value, published)
    if field in _CHOICES:
        return None if value in _CHOICES[field] else f"not a known {field.replace('_', ' ')}: {value!r}"
    if field in _LIMITS:
        return _number_problem(field, value)
    return None


def _date_problem(value: Any, published: str | None) -> str | None:
    if not isinstance(value, str) or not _DATE.match(value):
        return f"not a date: {value!r}"
    if published:
        n = min(len(value), len(published))
        if value[:n] > published[:n]:
            return f"after the publication date {published}"
    return None


def _number_problem(field: str, value: Any) -> str | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return f"not a number: {value!r}"
    limit, unit = _LIMITS[field]
    name = field.split("_")[0]
    if value <= 0:
        return f"{name} must be positive, not {value:g}"
    if value > limit:
        return f"{name} above {limit:,}{(' ' + unit) if unit else ''} is impossible"
    return None
