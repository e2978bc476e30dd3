"""Plain records that flow through the pipeline.

RawDocument -> Article -> list[Event] (each a bundle of field values with
their Evidence). Every stage is a plain function over these records, so the
same code runs in one process, a pool or a distributed engine.
"""
from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from typing import Any

# The SCHEMA.md event fields, in output order.
EVENT_FIELDS = (
    "actor", "date", "date_text", "weapon_class", "weapon_name", "count",
    "platform", "launch_location", "landing", "distance_km", "apogee_km",
    "flight_time_s", "outcome", "reported_by", "is_primary",
)

WEAPON_CLASSES = (
    "icbm", "irbm", "mrbm", "srbm", "slbm", "ballistic", "cruise",
    "hypersonic", "space_launch", "rocket_artillery", "unknown",
)
PLATFORMS = ("rail", "road_mobile", "submarine", "ship", "aircraft", "fixed")
OUTCOMES = ("success", "failure")


def content_hash(data: bytes) -> str:
    """Content-derived document id: re-reading the same bytes gives the same id."""
    return hashlib.sha256(data).hexdigest()


@dataclass(frozen=True)
class RawDocument:
    """Bytes as read, with their provenance. `error` set means unreadable."""

    source: str                      # path, "<stdin>", or "manifest.jsonl:3"
    content: bytes = b""
    kind: str = "text"               # "text" | "html"
    external_id: str | None = None   # id given by a manifest or JSON record
    url: str | None = None
    published: str | None = None     # ISO date/datetime given by the caller
    title: str | None = None
    error: str | None = None

    @property
    def doc_id(self) -> str:
        return content_hash(self.content or self.source.encode())


@dataclass
class Article:
    """A cleaned article: `text` is immutable once made; spans point into it."""

    doc_id: str
    source: str
    text: str
    title: str | None = None
    external_id: str | None = None
    url: str | None = None
    publisher: str | None = None           # site name
    original_publisher: str | None = None  # syndication credit ("Reuters", "CBC News")
    published: str | None = None           # YYYY-MM-DD, or None when unknown
    published_from: str | None = None      # "given" | "meta" | "dateline" | "byline"
    captions: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    minhash: bytes | None = None            # text signature for syndicated copies (set when it reports launches)


@dataclass(frozen=True)
class Evidence:
    """Where a value is stated: [start, end) into Article.text, and who says so."""

    start: int
    end: int
    text: str
    source: str | None = None   # attributed source label ("KCNA", "South Korea JCS")
    hedge: str | None = None    # "about", "believed to be", "cannot be independently verified"
    # A competing claim in the same article carries its own value (and the unit
    # it was stated in); None means the span states the event's chosen value.
    value: Any = None
    unit: str | None = None

    def check(self, article_text: str) -> bool:
        return article_text[self.start:self.end] == self.text


@dataclass
class Event:
    """One launch event reported by one article, with evidence per field."""

    values: dict[str, Any]
    evidence: dict[str, list[Evidence]] = field(default_factory=dict)

    def to_schema(self) -> dict[str, Any]:
        out = {name: self.values.get(name) for name in EVENT_FIELDS}
        out["reported_by"] = list(out["reported_by"] or [])
        out["is_primary"] = bool(out["is_primary"])
        out["evidence"] = {
            name: [_evidence_dict(ev) for ev in evs] for name, evs in self.evidence.items() if evs
        }
        return out


def _evidence_dict(ev: Evidence) -> dict[str, Any]:
    out = asdict(ev)
    for key in ("value", "unit"):
        if out[key] is None:
            del out[key]
    return out


def document_object(article: Article, events: list[Event]) -> dict[str, Any]:
    """The SCHEMA.md interchange object for one document."""
    return {
        "id": article.external_id or article.doc_id,
        "published": article.published,
        "title": article.title,
        "publisher": article.publisher,
        "original_publisher": article.original_publisher,
        "events": [event.to_schema() for event in events],
    }
