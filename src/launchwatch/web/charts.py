"""The timeline: launches per month, stacked by class and by actor, as server-side SVG.

    data = timeline_data(stats(store)["by_month"])     # the /api/timeline JSON
    svg = stacked_bars(data["months"], data["by_class"], "Launches per month by class")

Months run without gaps from the first dated launch to the last, so the bars
keep calendar time. Events dated only to a year (or not at all) have no month
and are counted apart. No JavaScript: each bar segment carries a <title> for
hovering, and the page adds the same numbers as a table.
"""
from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from typing import Any, Iterable

from markupsafe import Markup

from launchwatch.records import WEAPON_CLASSES

# Okabe-Ito and Tol's muted colours: told apart with the common colour-vision deficiencies.
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442",
           "#332288", "#882255", "#44AA99", "#999933", "#888888")
# Each class keeps its colour whatever the filters; "unknown" is grey.
CLASS_COLORS = dict(zip(WEAPON_CLASSES, PALETTE[:len(WEAPON_CLASSES) - 1] + ("#888888",)))
TOP_ACTORS = 7          # more actors than this share an "other" stack
WIDTH, HEIGHT = 960, 300
MARGIN = {"left": 44, "right": 12, "top": 12, "bottom": 28}
LEGEND_ROW = 20
_MONTH_RE = re.compile(r"^\d{4}-\d{2}$")


def month_range(first: str, last: str) -> list[str]:
    """Every YYYY-MM from first to last inclusive."""
    y, m = int(first[:4]), int(first[5:7])
    out = []
    while f"{y:04d}-{m:02d}" <= last:
        out.append(f"{y:04d}-{m:02d}")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


def _series(counts: dict[str, Counter], keys: list[str], months: list[str],
            colors: dict[str, str] | None = None) -> list[dict[str, Any]]:
    out = []
    for i, key in enumerate(keys):
        color = (colors or {}).get(key) or ("#888888" if key in ("other", "unknown") else PALETTE[i % len(PALETTE)])
        out.append({"key": key, "color": color,
                    "counts": [counts[key][m] for m in months], "total": sum(counts[key].values())})
    return out


def timeline_data(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """{months, by_class, by_actor, undated, total} from stats rows {month, weapon_class, actor, n}."""
    by_class: dict[str, Counter] = defaultdict(Counter)
    by_actor: dict[str, Counter] = defaultdict(Counter)
    undated = 0
    for row in rows:
        month, n = row.get("month"), int(row.get("n") or 0)
        if not (isinstance(month, str) and _MONTH_RE.match(month)):
            undated += n
            continue
        by_class[row.get("weapon_class") or "unknown"][month] += n
        by_actor[row.get("actor") or "unknown"][month] += n
    dated = sorted({m for c in by_class.values() for m in c})
    months = month_range(dated[0], dated[-1]) if dated else []
    classes = [c for c in WEAPON_CLASSES if c in by_class] + sorted(set(by_class) - set(WEAPON_CLASSES))
    actors = sorted(by_actor, key=lambda a: (-sum(by_actor[a].values()), a))
    if len(actors) > TOP_ACTORS:
        for other in actors[TOP_ACTORS - 1:]:
            by_actor["other"].update(by_actor.pop(other))
        actors = actors[:TOP_ACTORS - 1] + ["other"]
    total = sum(sum(c.values()) for c in by_class.values())
    return {"months": months, "by_class": _series(by_class, classes, months, CLASS_COLORS),
            "by_actor": _series(by_actor, actors, months), "undated": undated, "total": total}


def nice_step(top: int, ticks: int = 4) -> int:
    """A round step (1, 2, 5 times a power of ten) giving about `ticks` gridlines up to `top`."""
    raw = max(top, 1) / ticks
    power = 10 ** math.floor(math.log10(raw)) if raw >= 1 else 1
    return int(next(s * power for s in (1, 2, 5, 10) if s * power >= raw))


def _legend(series: list[dict[str, Any]]) -> tuple[list[Markup], int]:
    """Legend entries laid out in rows across the chart; returns the elements and the rows used."""
    parts, x, y = [], MARGIN["left"], 0
    for s in series:
        label = f"{s['key']} ({s['total']})"
        width = 26 + 6.6 * len(label)
        if x + width > WIDTH - MARGIN["right"] and x > MARGIN["left"]:
            x, y = MARGIN["left"], y + LEGEND_ROW
        parts.append(Markup('<g class="legend-item" transform="translate({},{})">'
                            '<rect width="12" height="12" rx="2" fill="{}"></rect>'
                            '<text x="17" y="10">{}</text></g>').format(x, y + 4, s["color"], label))
        x += width
    return parts, y // LEGEND_ROW + 1


def _axes(months: list[str], top: int, step: int, plot: dict[str, float]) -> list[Markup]:
    parts = []
    for value in range(0, top + 1, step):
        y = plot["bottom"] - value * plot["scale"]
        parts.append(Markup('<line class="grid" x1="{}" x2="{}" y1="{:.1f}" y2="{:.1f}"></line>'
                            '<text class="tick" x="{}" y="{:.1f}" text-anchor="end">{}</text>').format(
            MARGIN["left"], WIDTH - MARGIN["right"], y, y, MARGIN["left"] - 6, y + 4, value))
    years = sorted({m[:4] for m in months})
    every = max(1, math.ceil(len(years) / 16))     # at most about 16 year labels
    for i, month in enumerate(months):
        if month.endswith("-01") or i == 0:
            x = MARGIN["left"] + i * plot["bar"]
            parts.append(Markup('<line class="year" x1="{:.1f}" x2="{:.1f}" y1="{}" y2="{}"></line>').format(
                x, x, plot["top"], plot["bottom"] + 4))
            if years.index(month[:4]) % every == 0:
                parts.append(Markup('<text class="tick" x="{:.1f}" y="{}">{}</text>').format(
                    x + 2, plot["bottom"] + 18, month[:4]))
    return parts


def _bars(months: list[str], series: list[dict[str, Any]], plot: dict[str, float]) -> list[Markup]:
    parts = []
    width = max(plot["bar"] * 0.8, min(plot["bar"], 1.0))
    for i, month in enumerate(months):
        y = plot["bottom"]
        for s in series:
            n = s["counts"][i]
            if not n:
                continue
            h = n * plot["scale"]
            y -= h
            parts.append(Markup('<rect x="{:.2f}" y="{:.2f}" width="{:.2f}" height="{:.2f}" fill="{}">'
                                '<title>{}: {} {}</title></rect>').format(
                MARGIN["left"] + i * plot["bar"], y, width, h, s["color"], month, n, s["key"]))
    return parts


def stacked_bars(months: list[str], series: list[dict[str, Any]], title: str, chart_id: str) -> Markup:
    """An accessible SVG of stacked monthly bars (title and desc name it for screen readers)."""
    legend, legend_rows = _legend(series)
    top_gap = MARGIN["top"] + legend_rows * LEGEND_ROW
    peak = max((sum(s["counts"][i] for s in series) for i in range(len(months))), default=0)
    step = nice_step(peak)
    top = max(step, math.ceil(peak / step) * step)
    plot = {"top": top_gap, "bottom": HEIGHT + top_gap - MARGIN["top"] - MARGIN["bottom"],
            "bar": (WIDTH - MARGIN["left"] - MARGIN["right"]) / max(len(months), 1)}
    plot["scale"] = (plot["bottom"] - plot["top"]) / top
    total = sum(s["total"] for s in series)
    span = f"from {months[0]} to {months[-1]}" if months else "no dated launches"
    desc = f"{total} launches {span}; " + ", ".join(f"{s['key']}: {s['total']}" for s in series)
    height = plot["bottom"] + MARGIN["bottom"]
    head = Markup('<svg class="chart" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{i}-title {i}-desc"'
                  ' xmlns="http://www.w3.org/2000/svg"><title id="{i}-title">{t}</title>'
                  '<desc id="{i}-desc">{d}</desc>').format(w=WIDTH, h=height, i=chart_id, t=title, d=desc)
    body = _axes(months, top, step, plot) + _bars(months, series, plot)
    return head + Markup('<g class="legend">') + Markup("").join(legend) + Markup("</g>") + \
        Markup("").join(body) + Markup("</svg>")


def table_rows(months: list[str], series: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The chart's numbers for the data table: months with at least one launch."""
    rows = []
    for i, month in enumerate(months):
        counts = [s["counts"][i] for s in series]
        if any(counts):
            rows.append({"month": month, "counts": counts, "total": sum(counts)})
    return rows

