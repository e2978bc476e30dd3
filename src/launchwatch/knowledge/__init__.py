"""Domain knowledge as data: missile systems, actors, agencies, sites, terms.

The packaged TOML files beside this module (missiles.toml, actors.toml,
agencies.toml, sites.toml, terms.toml) are the defaults. Users extend them
with directories holding any of the same file names (``--knowledge DIR`` or
``LAUNCHWATCH_KNOWLEDGE=DIR1:DIR2``): their entries are added, and an entry
with the same key as an earlier one (system/site ``name``, actor ``code``,
agency ``label``, compared case-insensitively) replaces it. Term lists are
extended. See docs/knowledge.md.

    >>> kb = load_knowledge()
    >>> kb.system_by_alias()["kn-23"].weapon_class
    'srbm'
"""
from __future__ import annotations

import functools
import itertools
import math
import os
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

from launchwatch.errors import KnowledgeError
from launchwatch.records import PLATFORMS, WEAPON_CLASSES

__all__ = [
    "Actor", "Agency", "Knowledge", "MissileSystem", "Site",
    "AGENCY_KINDS", "SITE_KINDS", "FILES", "PACKAGE_DIR", "load_knowledge", "lookup_key",
]

PACKAGE_DIR = Path(__file__).resolve().parent
# file name -> name of its array of tables ("" for terms.toml: plain tables)
FILES = {
    "missiles.toml": "system",
    "actors.toml": "actor",
    "agencies.toml": "agency",
    "sites.toml": "site",
    "terms.toml": "",
}
AGENCY_KINDS = ("state_media", "media", "military", "government", "analyst", "other")
SITE_KINDS = ("launch_site", "test_range", "region", "sea", "city")

_CODE_RE = re.compile(r"^[A-Z]{2}$")


@dataclass(frozen=True)
class MissileSystem:
    name: str
    country: str
    weapon_class: str
    aliases: tuple[str, ...] = ()
    platform: str | None = None
    range_km: float | None = None


@dataclass(frozen=True)
class Actor:
    code: str                 # ISO 3166-1 alpha-2
    names: tuple[str, ...]    # names, short forms, demonyms, metonyms
    utc_offset: float | None = None   # hours east of UTC where it launches: local dates
    trackers: tuple[str, ...] = ()    # agency labels whose tracking figures win for its launches


@dataclass(frozen=True)
class Agency:
    label: str                # canonical reported_by label
    country: str
    aliases: tuple[str, ...]
    kind: str                 # one of AGENCY_KINDS


@dataclass(frozen=True)
class Site:
    name: str
    country: str              # territorial country; "" for international waters
    lat: float | None
    lon: float | None
    aliases: tuple[str, ...] = ()
    kind: str | None = None   # one of SITE_KINDS


_SEP_RE = re.compile(r"[- ]")
_MAX_VARIANTS = 64


def lookup_key(name: str) -> str:
    """Lookup form of a name, as used by the *_by_* indexes: lowercase, single
    spaces, straight apostrophes. Normalise text spans with it before lookup."""
    return " ".join(name.lower().replace("\u2019", "'").replace("\u2018", "'").split())


_normal = lookup_key


def _variants(alias: str) -> list[str]:
    """Lookup form of an alias, then its hyphen/space spelling variants.

    A hyphen may also be written as a space or left out ("Hwasong-15",
    "Hwasong 15", "Hwasong15"); a space may be written as a hyphen. Every
    combination is generated while there are few separators, else only the
    uniform ones (all hyphens as spaces, all spaces as hyphens, none).
    """
    low = _normal(alias)
    out = [low]
    seps = _SEP_RE.findall(low)
    if not seps:
        return out
    parts = _SEP_RE.split(low)
    options = [("-", " ", "") if s == "-" else (" ", "-") for s in seps]
    if math.prod(len(o) for o in options) <= _MAX_VARIANTS:
        combos = itertools.product(*options)
    else:
        combos = [tuple(" " if s == "-" else s for s in seps), tuple("-" for _ in seps),
                  tuple("" if s == "-" else " " for s in seps)]
    for combo in combos:
        v = parts[0] + "".join(sep + part for sep, part in zip(combo, parts[1:]))
        if v not in out:
            out.append(v)
    return out


def _index(entries, keys_of: Callable[[Any], tuple[str, ...]], value_of=lambda e: e) -> dict:
    """Lowercase key -> value. Exact names/aliases first (later entries win, so
    user entries beat packaged ones), then generated hyphen/space variants
    where they do not clash with an exact key."""
    exact: dict[str, Any] = {}
    for e in entries:
        for k in keys_of(e):
            exact[_normal(k)] = value_of(e)
    out = dict(exact)
    for e in entries:
        for k in keys_of(e):
            for v in _variants(k)[1:]:
                if v not in exact:
                    out[v] = value_of(e)
    return out


@dataclass(frozen=True)
class Knowledge:
    systems: tuple[MissileSystem, ...]
    actors: tuple[Actor, ...]
    agencies: tuple[Agency, ...]
    sites: tuple[Site, ...]
    terms: dict
    version: str
    _cache: dict = field(default_factory=dict, init=False, repr=False, compare=False)

    def _cached(self, key: str, build: Callable[[], dict]) -> dict:
        if key not in self._cache:
            self._cache[key] = build()
        return self._cache[key]

    def system_by_alias(self) -> dict[str, MissileSystem]:
        """Lowercase name/alias (and hyphen/space variants) -> system."""
        return self._cached("systems", lambda: _index(
            self.systems, lambda s: (s.name, *s.aliases)))

    def actor_by_name(self) -> dict[str, str]:
        """Lowercase name -> ISO code (the code itself, e.g. 'kp', is not a key)."""
        return self._cached("actors", lambda: _index(
            self.actors, lambda a: a.names, lambda a: a.code))

    def agency_by_alias(self) -> dict[str, Agency]:
        """Lowercase label/alias -> agency."""
        return self._cached("agencies", lambda: _index(
            self.agencies, lambda a: (a.label, *a.aliases)))

    def site_by_alias(self) -> dict[str, Site]:
        """Lowercase name/alias -> site."""
        return self._cached("sites", lambda: _index(
            self.sites, lambda s: (s.name, *s.aliases)))


# ---------------------------------------------------------------- parsing

class _Entry:
    """Typed access to one TOML table with error messages naming file and entry."""

    def __init__(self, path: Path, table: str, idx: int, data: Any, allowed: set[str]):
        self.path, self.where = path, f"[[{table}]] #{idx + 1}"
        if not isinstance(data, dict):
            self.fail("is not a table")
        self.data = data
        ident = data.get("name") or data.get("code") or data.get("label")
        if isinstance(ident, str):
            self.where += f" ({ident!r})"
        unknown = set(data) - allowed
        if unknown:
            self.fail(f"unknown key(s) {', '.join(sorted(unknown))}")

    def fail(self, msg: str):
        raise KnowledgeError(f"{self.path}: {self.where}: {msg}")

    def string(self, key: str, required: bool = True, allow_empty: bool = False) -> str | None:
        if key not in self.data:
            if required:
                self.fail(f"missing key {key!r}")
            return None
        v = self.data[key]
        if not isinstance(v, str) or (not allow_empty and not v.strip()):
            self.fail(f"{key!r} must be a non-empty string")
        return v.strip()

    def strings(self, key: str, required: bool = False) -> tuple[str, ...]:
        if key not in self.data:
            if required:
                self.fail(f"missing key {key!r}")
            return ()
        v = self.data[key]
        if not isinstance(v, list) or not all(isinstance(x, str) and x.strip() for x in v):
            self.fail(f"{key!r} must be a list of non-empty strings")
        return tuple(x.strip() for x in v)

    def number(self, key: str, lo: float | None = None, hi: float | None = None) -> float | None:
        if key not in self.data:
            return None
        v = self.data[key]
        if isinstance(v, bool) or not isinstance(v, (int, float)) or not math.isfinite(v):
            self.fail(f"{key!r} must be a number")
        if (lo is not None and v < lo) or (hi is not None and v > hi):
            self.fail(f"{key!r} = {v} out of range [{lo}, {hi}]")
        return float(v)

    def choice(self, key: str, choices, required: bool) -> str | None:
        v = self.string(key, required)
        if v is not None and v not in choices:
            self.fail(f"{key!r} = {v!r} is not one of {', '.join(choices)}")
        return v

    def code(self, key: str, allow_empty: bool = False) -> str:
        v = self.string(key, allow_empty=allow_empty)
        if not (_CODE_RE.match(v) or (allow_empty and v == "")):
            self.fail(f"{key!r} = {v!r} is not an ISO 3166-1 alpha-2 code (e.g. 'KP')")
        return v


def _system(e: _Entry) -> MissileSystem:
    return MissileSystem(
        name=e.string("name"), country=e.code("country"),
        weapon_class=e.choice("weapon_class", WEAPON_CLASSES, True),
        aliases=e.strings("aliases"),
        platform=e.choice("platform", PLATFORMS, False),
        range_km=e.number("range_km", 0, 50000),
    )


def _actor(e: _Entry) -> Actor:
    names = e.strings("names", required=True)
    if not names:
        e.fail("'names' is empty")
    return Actor(code=e.code("code"), names=names, utc_offset=e.number("utc_offset", -12, 14),
                 trackers=e.strings("trackers"))


def _agency(e: _Entry) -> Agency:
    return Agency(label=e.string("label"), country=e.code("country"),
                  aliases=e.strings("aliases"),
                  kind=e.choice("kind", AGENCY_KINDS, True))


def _site(e: _Entry) -> Site:
    lat, lon = e.number("lat", -90, 90), e.number("lon", -180, 180)
    no_coords = e.data.get("no_coords", False)
    if not isinstance(no_coords, bool):
        e.fail("'no_coords' must be true or false")
    if no_coords and (lat is not None or lon is not None):
        e.fail("'no_coords = true' but lat/lon given")
    if not no_coords and (lat is None or lon is None):
        e.fail("needs both 'lat' and 'lon' (or 'no_coords = true')")
    return Site(name=e.string("name"), country=e.code("country", allow_empty=True),
                lat=lat, lon=lon, aliases=e.strings("aliases"),
                kind=e.choice("kind", SITE_KINDS, False))


_PARSERS = {
    "system": (_system, {"name", "country", "weapon_class", "aliases", "platform", "range_km", "note"},
               lambda x: x.name),
    "actor": (_actor, {"code", "names", "utc_offset", "trackers", "note"}, lambda x: x.code),
    "agency": (_agency, {"label", "country", "aliases", "kind", "note"}, lambda x: x.label),
    "site": (_site, {"name", "country", "lat", "lon", "aliases", "kind", "no_coords", "note"},
             lambda x: x.name),
}


def _read_toml(path: Path) -> dict:
    try:
        with path.open("rb") as fh:
            data = tomllib.load(fh)
    except tomllib.TOMLDecodeError as err:
        raise KnowledgeError(f"{path}: not valid TOML: {err}") from None
    except OSError as err:
        raise KnowledgeError(f"{path}: cannot read: {err}") from None
    version = data.get("version")
    if not isinstance(version, str) or not version.strip():
        raise KnowledgeError(f"{path}: missing top-level `version = \"...\"` string")
    return data


def _parse_entries(path: Path, table: str, data: dict) -> list:
    build, allowed, key_of = _PARSERS[table]
    unknown = set(data) - {"version", table}
    if unknown:
        raise KnowledgeError(
            f"{path}: unknown top-level key(s) {', '.join(sorted(unknown))} "
            f"(expected `version` and [[{table}]] tables)")
    raw = data.get(table, [])
    if not isinstance(raw, list):
        raise KnowledgeError(f"{path}: `{table}` must be an array of tables ([[{table}]])")
    out, seen = [], set()
    for i, item in enumerate(raw):
        entry = build(_Entry(path, table, i, item, allowed))
        key = key_of(entry).casefold()
        if key in seen:
            raise KnowledgeError(f"{path}: [[{table}]] #{i + 1}: duplicate {key_of(entry)!r} in this file")
        seen.add(key)
        out.append(entry)
    return out


def _parse_terms(path: Path, data: dict) -> dict[str, dict[str, list[str]]]:
    out: dict[str, dict[str, list[str]]] = {}
    for name, table in data.items():
        if name == "version":
            continue
        if not isinstance(table, dict):
            raise KnowledgeError(f"{path}: [{name}] must be a table of word lists")
        out[name] = {}
        for key, words in table.items():
            if not isinstance(words, list) or not all(isinstance(w, str) for w in words):
                raise KnowledgeError(f"{path}: [{name}] {key!r} must be a list of strings")
            out[name][key] = list(words)
    return out


def _merge(base: list, extra: list, key_of) -> list:
    """Entries of `extra` replace same-key entries of `base` in place; new ones are appended."""
    pos = {key_of(x).casefold(): i for i, x in enumerate(base)}
    out = list(base)
    for x in extra:
        k = key_of(x).casefold()
        if k in pos:
            out[pos[k]] = x
        else:
            pos[k] = len(out)
            out.append(x)
    return out


def _merge_terms(base: dict, extra: dict) -> None:
    for name, table in extra.items():
        dst = base.setdefault(name, {})
        for key, words in table.items():
            cur = dst.setdefault(key, [])
            cur.extend(w for w in words if w not in cur)


def _load_dir(directory: Path, packaged: bool, acc: dict, terms: dict, versions: list[str]) -> None:
    if not directory.is_dir():
        raise KnowledgeError(f"{directory}: knowledge directory does not exist")
    if not packaged:
        strays = sorted(p.name for p in directory.glob("*.toml") if p.name not in FILES)
        if strays:
            raise KnowledgeError(
                f"{directory}: unknown knowledge file(s) {', '.join(strays)}; "
                f"expected any of {', '.join(FILES)}")
    parts = []
    for fname, table in FILES.items():
        path = directory / fname
        if not path.exists():
            if packaged:
                raise KnowledgeError(f"{path}: packaged knowledge file is missing")
            continue
        data = _read_toml(path)
        parts.append(f"{fname.removesuffix('.toml')}={data['version'].strip()}")
        if table:
            acc[table] = _merge(acc[table], _parse_entries(path, table, data), _PARSERS[table][2])
        else:
            _merge_terms(terms, _parse_terms(path, data))
    label = "" if packaged else f"{directory}:"
    versions.append(label + ",".join(parts))


@functools.lru_cache(maxsize=32)
def _load(dirs: tuple[str, ...]) -> Knowledge:
    acc: dict[str, list] = {t: [] for t in _PARSERS}
    terms: dict = {}
    versions: list[str] = []
    _load_dir(PACKAGE_DIR, True, acc, terms, versions)
    for d in dirs:
        _load_dir(Path(d), False, acc, terms, versions)
    return Knowledge(
        systems=tuple(acc["system"]), actors=tuple(acc["actor"]),
        agencies=tuple(acc["agency"]), sites=tuple(acc["site"]),
        terms=terms, version=" + ".join(versions),
    )


def load_knowledge(extra_dirs: tuple[str, ...] | list[str] = ()) -> Knowledge:
    """Packaged knowledge plus each of `extra_dirs` in order (later wins).

    Cached per (absolute) directory tuple; call ``load_knowledge.cache_clear()``
    after editing files in a long-running process.
    """
    if isinstance(extra_dirs, (str, os.PathLike)):
        extra_dirs = (extra_dirs,)
    return _load(tuple(os.path.abspath(os.fspath(d)) for d in extra_dirs))


load_knowledge.cache_clear = _load.cache_clear  # type: ignore[attr-defined]
