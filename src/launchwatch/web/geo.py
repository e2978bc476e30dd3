"""The map: launch sites and landing areas on an offline basemap, drawn as server-side SVG.

    data = map_data(store, load_knowledge(dirs), MapFilters(actor="KP"))   # the /api/map JSON
    svg = map_svg(data)

Stages: (1) count the events per launch-location and landing text (one GROUP BY);
(2) find a known site in each text (the knowledge files' names and aliases;
the most specific kind wins: a launch site over a city over a region or sea);
(3) sites with coordinates become points, the rest are listed apart (known
sites without coordinates, and places that match no known site); (4) the
points set the map's extent, and the country outlines shipped in
static/basemap (world-atlas, built by web-assets/build.mjs) are projected
equirectangularly onto it. Nothing is fetched: no tile server, no script.
"""
from __future__ import annotations

import functools
import json
import math
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import HTTPException
from fastapi.responses import Response
from markupsafe import Markup
from sqlalchemy import func, or_, select

from launchwatch.extract.gazetteer import Gazetteer
from launchwatch.store.models import events
from launchwatch.store.sql import launch_filter
from launchwatch.web.templating import STATIC_DIR

BASEMAP = STATIC_DIR / "basemap" / "countries.json"
WIDTH, HEIGHT = 960, 540
# Which known site a place text means when it names several: the most specific kind.
KIND_RANK = {"launch_site": 0, "test_range": 1, "city": 2, "region": 3, "sea": 4}
ROLES = ("launch", "landing")
MIN_SPAN_DEG = 14.0      # the closest zoom: about the Korean peninsula and its seas
PAD = 0.2                # room around the outermost points, as a share of their spread
MIN_PIXEL_STEP = 0.6     # outline points closer than this (in pixels) to the last one are dropped
LABELS = 14              # the busiest points get a name on the map; the rest a tooltip
# The basemap is its own cacheable image (/map/basemap.svg?extent=W,S,E,N): pages stay small.
EXTENT_PATTERN = r"^-?\d{1,3}(\.\d{1,3})?(,-?\d{1,3}(\.\d{1,3})?){3}$"
BASEMAP_CACHE = "public, max-age=86400"
# Presentation attributes, not CSS: an SVG shown as an image gets no stylesheet.
LAND = 'fill="#f7f5ef" stroke="#b9b4a6" stroke-width="0.6" stroke-linejoin="round"'


@dataclass(frozen=True)
class MapFilters:
    actor: str | None = None
    weapon_class: str | None = None
    since: str | None = None
    until: str | None = None


# -- (1) places of events ---------------------------------------------------------------

def place_counts(store, f: MapFilters) -> dict[str, list[tuple[str, int]]]:
    """{"launch": [(text, n events)], "landing": [...]}, rejected events left out."""
    out = {}
    for role, column in (("launch", events.c.launch_location), ("landing", events.c.landing)):
        query = (select(column, func.count()).where(column.is_not(None))
                 .where(or_(events.c.review.is_(None), events.c.review != "rejected"))
                 .group_by(column).order_by(func.count().desc(), column))
        query = launch_filter(query, events, f.actor, f.weapon_class, since=f.since, until=f.until)
        with store.engine.connect() as conn:
            out[role] = [(text, n) for text, n in conn.execute(query).all()]
    return out


# -- (2) known sites in place texts -----------------------------------------------------

def _gazetteer(knowledge) -> Gazetteer:
    """Lower-cased names and aliases -> site (looked up in lower-cased place texts)."""
    return knowledge._cached("web.sites", lambda: Gazetteer(
        (n.lower(), s) for s in knowledge.sites for n in (s.name, *s.aliases)))


def find_site(text: str, knowledge):
    """(site, the words that named it) for the most specific site in `text`, or None."""
    hits = _gazetteer(knowledge).find(text.lower())
    if not hits:
        return None
    best = min(hits, key=lambda h: (KIND_RANK.get(h.value.kind, 5), h.start))
    return best.value, text[best.start:best.end]


# -- (3) points and the places listed apart ---------------------------------------------

def _search_link(words: str) -> str:
    return "/events?" + urlencode({"q": words})


def _add_point(points: dict, site, role: str, text: str, words: str, n: int) -> None:
    point = points.setdefault((site.name, role), {
        "name": site.name, "role": role, "site_kind": site.kind, "country": site.country,
        "lat": site.lat, "lon": site.lon, "n": 0, "texts": [], "words": words})
    point["n"] += n
    point["texts"].append(text)


def map_data(store, knowledge, f: MapFilters) -> dict[str, Any]:
    """Points with coordinates, places without them, unmatched texts, and the map's extent."""
    points: dict[tuple[str, str], dict] = {}
    apart: dict[tuple[str, str], dict] = {}
    unmatched = []
    for role, rows in place_counts(store, f).items():
        for text, n in rows:
            found = find_site(text, knowledge)
            if found is None:
                unmatched.append({"text": text, "role": role, "n": n})
            elif found[0].lat is None or found[0].lon is None:
                _add_point(apart, found[0], role, text, found[1], n)
            else:
                _add_point(points, found[0], role, text, found[1], n)
    for p in [*points.values(), *apart.values()]:
        p["events_link"] = _search_link(p.pop("words"))
    located = sorted(points.values(), key=lambda p: (-p["n"], p["name"]))
    used = {(p["lat"], p["lon"]) for p in located}
    known = [{"name": s.name, "site_kind": s.kind, "country": s.country, "lat": s.lat, "lon": s.lon}
             for s in knowledge.sites if s.kind in ("launch_site", "test_range") and s.lat is not None
             and (s.lat, s.lon) not in used]
    return {"points": located, "known_sites": known,
            "without_coords": sorted(apart.values(), key=lambda p: (-p["n"], p["name"])),
            "unmatched": sorted(unmatched, key=lambda u: (-u["n"], u["text"])),
            "sites_without_coords": sorted(s.name for s in knowledge.sites if s.lat is None or s.lon is None),
            "extent": extent([(p["lon"], p["lat"]) for p in located])}


# -- (4) extent, projection and drawing -------------------------------------------------

def extent(lonlats: list[tuple[float, float]]) -> list[float]:
    """[west, south, east, north] around the points, padded, at least MIN_SPAN_DEG, with the map's shape."""
    if not lonlats:
        return [-180.0, -60.0, 180.0, 84.0]
    lons, lats = [p[0] for p in lonlats], [p[1] for p in lonlats]
    cx, cy = (min(lons) + max(lons)) / 2, (min(lats) + max(lats)) / 2
    k = math.cos(math.radians(max(min(cy, 70.0), -70.0)))
    half_w = max((max(lons) - min(lons)) * (1 + 2 * PAD), MIN_SPAN_DEG) / 2 * k
    half_h = max((max(lats) - min(lats)) * (1 + 2 * PAD), MIN_SPAN_DEG * HEIGHT / WIDTH) / 2
    if half_w / half_h < WIDTH / HEIGHT:
        half_w = half_h * WIDTH / HEIGHT
    else:
        half_h = half_w * HEIGHT / WIDTH
    half_lon = min(half_w / k, 180.0)
    return [round(cx - half_lon, 3), round(max(cy - half_h, -85.0), 3),
            round(cx + half_lon, 3), round(min(cy + half_h, 85.0), 3)]


class Projection:
    """Equirectangular, scaled at the middle latitude so shapes near it keep their proportions."""

    def __init__(self, box: list[float]):
        self.west, self.south, self.east, self.north = box
        self.sx = WIDTH / (self.east - self.west)
        self.sy = HEIGHT / (self.north - self.south)

    def __call__(self, lon: float, lat: float) -> tuple[float, float]:
        return (lon - self.west) * self.sx, (self.north - lat) * self.sy


@functools.lru_cache(maxsize=1)
def basemap() -> list[dict[str, Any]]:
    """The country outlines: [{name, bbox, polygons: [[ring of (lon, lat)]]}]."""
    data = json.loads(BASEMAP.read_text(encoding="utf-8"))
    out = []
    for feature in data["features"]:
        polygons = feature["geometry"]["coordinates"]
        points = [p for poly in polygons for ring in poly for p in ring]
        bbox = (min(p[0] for p in points), min(p[1] for p in points),
                max(p[0] for p in points), max(p[1] for p in points))
        out.append({"name": feature["properties"].get("name") or "", "bbox": bbox, "polygons": polygons})
    return out


def _overlaps(bbox: tuple, box: list[float]) -> bool:
    return not (bbox[2] < box[0] or bbox[0] > box[2] or bbox[3] < box[1] or bbox[1] > box[3])


def _ring_path(ring: list[list[float]], project: Projection, shift: float) -> str:
    out, last = [], None
    for lon, lat in ring:
        x, y = project(lon + shift, lat)
        if last is None or abs(x - last[0]) + abs(y - last[1]) >= MIN_PIXEL_STEP:
            out.append(f"{x:.1f} {y:.1f}")
            last = (x, y)
    return "M" + "L".join(out) + "Z" if len(out) >= 3 else ""


def _shifts(bbox: tuple, box: list[float]) -> list[float]:
    """The longitude shifts (0, ±360) at which an outline shows in `box`: outlines made
    continuous across the antimeridian reach past ±180 and show again on the other side."""
    return [s for s in (0.0, -360.0, 360.0) if _overlaps((bbox[0] + s, bbox[1], bbox[2] + s, bbox[3]), box)]


@functools.lru_cache(maxsize=32)
def countries_svg(box: tuple[float, float, float, float]) -> str:
    """The countries inside `box` as a standalone SVG document (cached: extents repeat)."""
    project = Projection(list(box))
    paths = []
    for country in basemap():
        d = "".join(_ring_path(ring, project, shift) for shift in _shifts(country["bbox"], list(box))
                    for poly in country["polygons"] for ring in poly)
        if d:
            paths.append(Markup('<path d="{}"><title>{}</title></path>').format(d, country["name"]))
    head = Markup('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {w} {h}" width="{w}" height="{h}">'
                  '<g {land}>').format(w=WIDTH, h=HEIGHT, land=Markup(LAND))
    return str(head + Markup("").join(paths) + Markup("</g></svg>"))


def parse_extent(text: str) -> tuple[float, float, float, float]:
    """W,S,E,N as map_data gives it; HTTPException 422 for a box no map of ours would ask for."""
    west, south, east, north = (float(v) for v in text.split(","))
    if not (-540 <= west < east <= 540 and -90 <= south < north <= 90 and east - west >= 1 and north - south >= 0.5):
        raise HTTPException(status_code=422, detail=f"bad extent {text!r}: west,south,east,north in degrees")
    return west, south, east, north


def basemap_response(extent_text: str) -> Response:
    svg = countries_svg(parse_extent(extent_text))
    return Response(svg, media_type="image/svg+xml", headers={"Cache-Control": BASEMAP_CACHE})


def extent_param(box: list[float]) -> str:
    return ",".join(f"{v:.3f}".rstrip("0").rstrip(".") for v in box)


def _graticule(box: list[float], project: Projection) -> Markup:
    step = 10 if box[2] - box[0] > 40 else 5
    parts = []
    for lon in range(math.ceil(box[0] / step) * step, math.floor(box[2]) + 1, step):
        x, _ = project(lon, 0)
        parts.append(Markup('<line class="graticule" x1="{:.1f}" x2="{:.1f}" y1="0" y2="{}"></line>').format(x, x, HEIGHT))
    for lat in range(math.ceil(box[1] / step) * step, math.floor(box[3]) + 1, step):
        _, y = project(0, lat)
        parts.append(Markup('<line class="graticule" x1="0" x2="{}" y1="{:.1f}" y2="{:.1f}"></line>').format(WIDTH, y, y))
    return Markup("").join(parts)


def _overlap(a: tuple, b: tuple) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _label_sides(points: list[dict[str, Any]], project: Projection) -> dict[tuple[str, str], str]:
    """Which points get a name, and on which side ("start": right of the marker, "end": left).

    The busiest points first; a name goes right of its marker, else left, and only
    where it covers no other name or marker."""
    spots = {(p["name"], p["role"]): (*project(p["lon"], p["lat"]), _radius(p)) for p in points}
    taken = [(x - r, y - r, x + r, y + r) for x, y, r in spots.values()]
    out: dict[tuple[str, str], str] = {}
    for p in points:
        key = (p["name"], p["role"])
        x, y, r = spots[key]
        width = 7.2 * len(p["name"])
        for side, box in (("start", (x + r + 2, y - 9, x + r + 4 + width, y + 6)),
                          ("end", (x - r - 4 - width, y - 9, x - r - 2, y + 6))):
            if not any(_overlap(box, t) for t in taken if t != (x - r, y - r, x + r, y + r)):
                taken.append(box)
                out[key] = side
                break
        if len(out) == LABELS:
            break
    return out


def _radius(p: dict[str, Any]) -> float:
    return min(4 + 2.2 * math.sqrt(p["n"]), 18)


def _marker(p: dict[str, Any], project: Projection, side: str | None) -> Markup:
    x, y = project(p["lon"], p["lat"])
    r = _radius(p)
    if p["role"] == "launch":
        shape = Markup('<path class="marker launch" d="M{:.1f} {:.1f}L{:.1f} {:.1f}L{:.1f} {:.1f}Z"></path>').format(
            x, y - r * 1.15, x + r, y + r * 0.7, x - r, y + r * 0.7)
    else:
        shape = Markup('<circle class="marker landing" cx="{:.1f}" cy="{:.1f}" r="{:.1f}"></circle>').format(x, y, r)
    what = "launch site" if p["role"] == "launch" else "landing area"
    title = f"{p['name']}: {what} of {p['n']} event{'s' if p['n'] != 1 else ''}"
    text = Markup("")
    if side:
        text = Markup('<text class="label" x="{:.1f}" y="{:.1f}" text-anchor="{}">{}</text>').format(
            x + r + 3 if side == "start" else x - r - 3, y + 4, side, p["name"])
    return Markup('<a href="{}">{}<title>{}</title></a>{}').format(p["events_link"], shape, title, text)


def _known_site(s: dict[str, Any], project: Projection) -> Markup:
    x, y = project(s["lon"], s["lat"])
    return Markup('<circle class="known-site" cx="{:.1f}" cy="{:.1f}" r="2.5"><title>{} (known {}, no event here)'
                  '</title></circle>').format(x, y, s["name"], (s["site_kind"] or "site").replace("_", " "))


def map_svg(data: dict[str, Any], chart_id: str = "map") -> Markup:
    """The whole map: sea, graticule, countries, known sites, then the event points on top."""
    box = data["extent"]
    project = Projection(box)
    inside = [p for p in data["points"] if box[0] <= p["lon"] <= box[2] and box[1] <= p["lat"] <= box[3]]
    known = [s for s in data["known_sites"] if box[0] <= s["lon"] <= box[2] and box[1] <= s["lat"] <= box[3]]
    sides = _label_sides(inside, project)
    n_launch = sum(1 for p in inside if p["role"] == "launch")
    desc = (f"{n_launch} launch sites and {len(inside) - n_launch} landing areas of events, "
            f"longitudes {box[0]:.0f} to {box[2]:.0f}, latitudes {box[1]:.0f} to {box[3]:.0f}")
    head = Markup('<svg class="map" viewBox="0 0 {w} {h}" role="img" aria-labelledby="{i}-title {i}-desc" '
                  'xmlns="http://www.w3.org/2000/svg"><title id="{i}-title">Launch sites and landing areas</title>'
                  '<desc id="{i}-desc">{d}</desc><rect class="sea" width="{w}" height="{h}"></rect>').format(
        w=WIDTH, h=HEIGHT, i=chart_id, d=desc)
    # Larger markers first, so the small ones stay clickable on top of them.
    markers = [_marker(p, project, sides.get((p["name"], p["role"]))) for p in sorted(inside, key=lambda p: -p["n"])]
    basemap_image = Markup('<image href="/map/basemap.svg?extent={}" x="0" y="0" width="{}" height="{}" '
                           'preserveAspectRatio="none"></image>').format(extent_param(box), WIDTH, HEIGHT)
    return head + _graticule(box, project) + basemap_image + \
        Markup("").join(_known_site(s, project) for s in known) + Markup("").join(markers) + Markup("</svg>")
