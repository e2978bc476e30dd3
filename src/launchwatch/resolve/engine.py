"""Resolution against the store: new reports update the events they touch; rebuild redoes all.

    summary = resolve_pending(store, knowledge)   # after ingesting
    summary = rebuild(store, knowledge)           # `launchwatch resolve --rebuild`

Only the components holding unresolved reports (same actor, dates chained a
day apart, or tied by an analyst's merge/split) are regrouped; grouping never
crosses components, so the result is the same as a full rebuild whatever the
order documents arrived in. One transaction writes the new events, points
the reports at them, records the ids old events had as aliases and appends
what changed materially to the `event_changes` outbox (alerts/changes.py).
"""
from __future__ import annotations

import hashlib
import time
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from typing import Any

from sqlalchemy import bindparam, delete, insert, select, update

from launchwatch.alerts import changes
from launchwatch.knowledge import Knowledge, load_knowledge, lookup_key
from launchwatch.records import EVENT_FIELDS
from launchwatch.resolve import syndication
from launchwatch.resolve.authority import Authority
from launchwatch.resolve.cluster import group_reports, linked
from launchwatch.resolve.ledger import Ledger
from launchwatch.resolve.model import Claim, Report, Review
from launchwatch.resolve.validity import invalid_reason
from launchwatch.resolve.review import analyst_claims, apply_grouping, review_state, reviews_by_group
from launchwatch.store.models import claims, documents, event_aliases, events, reports, reviews
from launchwatch.store.sql import chunks

# Fields whose values are weighed claim by claim (the rest are derived).
LEDGER_FIELDS = ("date", "weapon_class", "weapon_name", "count", "platform", "launch_location", "landing",
                 "distance_km", "apogee_km", "flight_time_s", "outcome")


@dataclass
class ResolveSummary:
    reports: int = 0          # reports regrouped
    events: int = 0           # events written
    removed: int = 0          # events that no longer exist (merged, split, or regrouped)
    seconds: float = 0.0

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def line(self) -> str:
        return (f"resolved {self.reports} reports into {self.events} events "
                f"({self.removed} old events replaced) in {self.seconds:.2f} s")


def event_id_for(group: list[Report]) -> str:
    """Stable id: the same smallest report gives the same event id, whatever else joins."""
    return anchored_id(min(r.id for r in group))


def anchored_id(report_id: str) -> str:
    return "ev-" + hashlib.sha1(f"event:{report_id}".encode()).hexdigest()[:12]


def resolve_pending(store, knowledge: Knowledge | None = None) -> ResolveSummary:
    """Regroup the components that hold reports not yet in an event."""
    with store.engine.connect() as conn:
        pending = conn.execute(select(reports.c.id, reports.c.actor).where(reports.c.event_id.is_(None))).all()
    if not pending:
        return ResolveSummary()
    return _resolve(store, knowledge, actors={a for _, a in pending}, pending={i for i, _ in pending})


def rebuild(store, knowledge: Knowledge | None = None) -> ResolveSummary:
    """Recompute every event from the stored reports, claims and analysts' reviews."""
    return _resolve(store, knowledge, actors=None, pending=None)


def _resolve(store, knowledge, actors: set | None, pending: set | None) -> ResolveSummary:
    started = time.perf_counter()
    knowledge = knowledge or load_knowledge()
    with store.engine.connect() as conn:
        all_reviews = _load_reviews(conn)
        light = _load_reports(conn, actors, _review_report_ids(all_reviews))
        todo = _touched(light, all_reviews, pending)
        _attach_claims(conn, todo)
        docs = _load_documents(conn, {r.doc_id for r in todo})
    name_key = _name_key(knowledge)
    groups = apply_grouping(group_reports(todo, name_key), all_reviews)
    landed = reviews_by_group(groups, all_reviews)
    authorities: dict[str | None, Authority] = {}
    rows = [_event_row(g, landed.get(g[0].id, []), docs, knowledge, name_key, authorities) for g in groups]
    removed = _write(store, todo, groups, rows, full=pending is None)
    return ResolveSummary(len(todo), len(rows), removed, time.perf_counter() - started)


# -- loading ----------------------------------------------------------------

def _report_columns():
    return [reports.c[name] for name in ("id", "doc_id", "event_id", *EVENT_FIELDS)] + [
        documents.c.external_id, documents.c.published]


def _to_report(row) -> Report:
    values = {name: row[name] for name in EVENT_FIELDS}
    return Report(row["id"], row["doc_id"], row["external_id"] or row["doc_id"], row["published"], values,
                  old_event=row["event_id"])


def _load_reports(conn, actors: set | None, extra_ids: set[str]) -> list[Report]:
    """Reports of the given actors (all when None), plus those analysts' actions name."""
    base = select(*_report_columns()).join(documents, documents.c.id == reports.c.doc_id).where(
        documents.c.status == "ok")
    found: dict[str, Report] = {}
    if actors is None:
        queries = [base]
    else:
        named = [a for a in actors if a is not None]
        queries = [base.where(reports.c.actor.in_(named))] if named else []
        if None in actors:
            queries.append(base.where(reports.c.actor.is_(None)))
    for query in queries:
        for row in conn.execute(query).mappings():
            found[row["id"]] = _to_report(row)
    missing = sorted(extra_ids - set(found))
    for chunk in chunks(missing):
        for row in conn.execute(base.where(reports.c.id.in_(chunk))).mappings():
            found[row["id"]] = _to_report(row)
    return list(found.values())


def _touched(light: list[Report], all_reviews: list[Review], pending: set | None) -> list[Report]:
    """The reports of every component holding a pending report, reviews tying components."""
    components = linked(light)
    index = {r.id: i for i, comp in enumerate(components) for r in comp}
    parent = list(range(len(components)))

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for review in all_reviews:
        tied = sorted({root(index[rid]) for rid in review.report_ids if rid in index})
        for i in tied[1:]:
            parent[i] = tied[0]
    by_old_event: dict[str, list[int]] = {}
    for r in light:
        if r.old_event:
            by_old_event.setdefault(r.old_event, []).append(index[r.id])
    for members in by_old_event.values():   # an old event's reports are rewritten together
        for i in members[1:]:
            a, b = root(members[0]), root(i)
            parent[max(a, b)] = min(a, b)
    if pending is None:
        return light
    wanted = {root(index[rid]) for rid in pending if rid in index}
    return [r for r in light if root(index[r.id]) in wanted]


def _attach_claims(conn, todo: list[Report]) -> None:
    by_id = {r.id: r for r in todo}
    for chunk in chunks(sorted(by_id)):
        query = select(claims).where(claims.c.report_id.in_(chunk)).order_by(claims.c.id)
        for c in conn.execute(query).mappings():
            report = by_id[c["report_id"]]
            report.claims.append(Claim(
                field=c["field"], value=c["value"], report_id=c["report_id"], doc_id=c["doc_id"],
                document=report.document, published=report.published, source=c["source"],
                unit=c["unit"], hedge=c["hedge"], start=c["start"], end=c["end"], quote=c["quote"],
                invalid=c["invalid"]))
    for report in todo:
        report.claims += _implicit_claims(report)


def _implicit_claims(report: Report) -> list[Claim]:
    """A claim for each field the report gives without its own evidence row.

    The date is stated by its date words (the `date_text` evidence); fields
    without any span still count as the document's claim, with no quote.
    """
    have = {c.field for c in report.claims}
    spans = {c.field: c for c in report.claims}
    out = []
    for name in LEDGER_FIELDS:
        value = report.values.get(name)
        if name in have or value in (None, []):
            continue
        span = spans.get("date_text") if name == "date" else None
        out.append(Claim(field=name, value=value, report_id=report.id, doc_id=report.doc_id,
                         document=report.document, published=report.published,
                         source=span.source if span else None, hedge=span.hedge if span else None,
                         start=span.start if span else None, end=span.end if span else None,
                         quote=span.quote if span else None,
                         invalid=invalid_reason(name, value, report.published)))
    return out


def _load_documents(conn, doc_ids: set[str]) -> dict[str, dict]:
    out = {}
    cols = [documents.c[k] for k in ("id", "external_id", "published", "publisher", "original_publisher", "minhash")]
    for chunk in chunks(sorted(doc_ids)):
        for row in conn.execute(select(*cols).where(documents.c.id.in_(chunk))).mappings():
            out[row["id"]] = dict(row)
    missing = [d for d, row in out.items() if row["minhash"] is None]
    for chunk in chunks(missing):   # documents stored before signatures existed
        for doc_id, text in conn.execute(select(documents.c.id, documents.c.text).where(documents.c.id.in_(chunk))):
            out[doc_id]["minhash"] = syndication.signature(text or "")
    return out


def _load_reviews(conn) -> list[Review]:
    return [Review(id=r["id"], action=r["action"], analyst=r["analyst"], report_ids=tuple(r["report_ids"] or ()),
                   created_at=r["created_at"], event_id=r["event_id"], field=r["field"], value=r["value"],
                   reason=r["reason"])
            for r in conn.execute(select(reviews).order_by(reviews.c.id)).mappings()]


def _review_report_ids(all_reviews: list[Review]) -> set[str]:
    return {rid for r in all_reviews for rid in r.report_ids}


def _name_key(knowledge: Knowledge):
    systems = knowledge.system_by_alias() if knowledge else {}

    def key(name: str) -> str:
        system = systems.get(lookup_key(name))
        return lookup_key(system.name if system else name).replace("-", "").replace(" ", "")
    return key


# -- consolidating ----------------------------------------------------------

def _event_row(group: list[Report], mine: list[Review], docs: dict[str, dict], knowledge: Knowledge,
               name_key, authorities: dict) -> dict[str, Any]:
    actor = _majority([r.actor for r in group])
    auth = authorities.get(actor) or authorities.setdefault(actor, Authority(knowledge, actor))
    sig = [(d, docs[d]["published"], docs[d]["minhash"]) for d in {r.doc_id for r in group} if d in docs]
    copies = syndication.copies(sig)
    family = {d: copies.get(d, (d, 0))[0] for d, _, _ in sig}
    ledger = Ledger(group, auth, family, analyst_claims(mine), _utc_offset(knowledge, actor), name_key)
    row: dict[str, Any] = {"id": event_id_for(group), "actor": actor}
    choices = {}
    for name in EVENT_FIELDS:
        if name in ("actor", "reported_by", "is_primary", "date_text"):
            continue
        value, claim, reason = ledger.choose(name)
        row[name] = value
        choices[name] = {"reason": reason, "source": claim.source if claim else None,
                         "document": claim.document if claim else None}
    row["date_text"] = next((r.values.get("date_text") for r in group if r.date == row["date"]), None)
    row["reported_by"] = ledger.reported_by()
    row["is_primary"] = any(r.values.get("is_primary") for r in group)
    sources = _sources(group, auth, family, docs)
    published = sorted(p for p in (r.published for r in group) if p)
    row.update(
        status=auth.status([s["name"] for s in sources]), review=review_state(mine),
        documents=sorted({r.document for r in group}), sources=sources,
        copies=[{"document": _ext(docs, d), "copy_of": _ext(docs, orig), "similarity": sim}
                for d, (orig, sim) in sorted(copies.items())],
        conflicts=ledger.conflicts(row), choices=choices, n_reports=len(group),
        first_published=published[0] if published else None,
        last_published=published[-1] if published else None,
        updated_at=datetime.now(timezone.utc).isoformat(timespec="seconds"))
    return row


def _sources(group: list[Report], auth: Authority, family: dict[str, str], docs: dict) -> list[dict]:
    """Each named source with the independent documents citing it and its copies."""
    cited: dict[str, set[str]] = {}
    for r in group:
        names = set(r.values.get("reported_by") or []) | {c.source for c in r.claims if c.source}
        for name in names:
            cited.setdefault(name, set()).add(r.doc_id)
    out = []
    for name in sorted(cited, key=lambda n: (auth.tier(n), n)):
        info = auth.info(name)
        originals = {family.get(d, d) for d in cited[name]}
        out.append({"name": name, "kind": info.kind, "country": info.country,
                    "documents": sorted(_ext(docs, d) for d in originals),
                    "citations": len(cited[name])})
    return out


def _ext(docs: dict, doc_id: str) -> str:
    row = docs.get(doc_id) or {}
    return row.get("external_id") or doc_id


def _majority(values: list) -> Any:
    named = [v for v in values if v]
    return max(sorted(set(named)), key=named.count) if named else None


def _utc_offset(knowledge: Knowledge, actor: str | None) -> float | None:
    for a in knowledge.actors if knowledge else ():
        if a.code == actor:
            return a.utc_offset
    return None


# -- writing ----------------------------------------------------------------

def _write(store, todo: list[Report], groups: list[list[Report]], rows: list[dict], full: bool) -> int:
    """Replace the touched events in one transaction; returns how many old ids went away."""
    new_ids = {row["id"] for row in rows}
    home = {r.id: row["id"] for g, row in zip(groups, rows) for r in g}
    # An event's id names its smallest report, so an old id tells where its reports went,
    # even for reports an analyst's action marked unresolved.
    anchors = {anchored_id(r.id): r.id for r in todo}
    with store.atomic() as conn:
        if full:
            before = changes.snapshot(conn, None)
            old_ids = set(before)
            conn.execute(delete(events))
        else:
            old_ids = {r.old_event for r in todo if r.old_event} | _orphans(conn)
            for chunk in chunks(sorted(anchors)):
                old_ids |= set(conn.execute(select(events.c.id).where(events.c.id.in_(chunk))).scalars())
            before = changes.snapshot(conn, old_ids | new_ids)   # for the outbox, before they go
            for chunk in chunks(sorted(old_ids | new_ids)):
                conn.execute(delete(events).where(events.c.id.in_(chunk)))
        stale = old_ids - new_ids
        moved = {old: home[anchors[old]] for old in stale if old in anchors}
        for chunk in chunks(rows):
            conn.execute(insert(events), chunk)
        moves = [{"rid": r.id, "eid": row["id"]} for g, row in zip(groups, rows) for r in g if r.old_event != row["id"]]
        point = update(reports).where(reports.c.id == bindparam("rid")).values(event_id=bindparam("eid"))
        for chunk in chunks(moves, 5000):
            conn.execute(point, chunk)
        _record_aliases(conn, moved, new_ids)
        changes.record(conn, before, rows, stale, moved)
    return len(stale)


def _orphans(conn) -> set[str]:
    """Events no report points at any more (their reports were marked unresolved)."""
    pointed = select(reports.c.event_id).where(reports.c.event_id.is_not(None))
    return set(conn.execute(select(events.c.id).where(events.c.id.not_in(pointed))).scalars())


def _record_aliases(conn, moved: dict[str, str], new_ids: set[str]) -> None:
    for chunk in chunks(sorted(new_ids)):
        conn.execute(delete(event_aliases).where(event_aliases.c.id.in_(chunk)))
    for old, new in moved.items():
        conn.execute(update(event_aliases).where(event_aliases.c.event_id == old).values(event_id=new))
        conn.execute(delete(event_aliases).where(event_aliases.c.id == old))
        conn.execute(insert(event_aliases), [{"id": old, "event_id": new}])


__all__ = ["resolve_pending", "rebuild", "ResolveSummary", "event_id_for"]
