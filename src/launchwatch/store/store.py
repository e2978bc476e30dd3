"""The event database: documents, events and claims behind one `Store`.

    with Store("sqlite:///launchwatch.db") as store:
        store.add_result(result)          # 'added' | 'duplicate' | 'failed'
        store.reports(actor="KP", since="2022")   # per-article reports; resolved
                                                  # events: launchwatch.resolve.list_events

Opening a store runs the named Alembic migrations up to head. Every write of
one document (its row, its events, their claims) is one transaction through
`atomic()`, so a crash leaves either the whole document or none of it. Only
portable SQLAlchemy constructs are used, so any URL SQLAlchemy knows works
(SQLite file by default, PostgreSQL by URL).
"""
from __future__ import annotations

import hashlib
import threading
from contextlib import contextmanager
from datetime import datetime, timezone
from importlib import resources
from typing import Any, Iterator

from sqlalchemy import create_engine, delete, event as sa_event, func, insert, select, text
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.exc import ArgumentError, IntegrityError, SQLAlchemyError

from launchwatch.errors import StoreError
from launchwatch.records import EVENT_FIELDS, Article, Event
from launchwatch.resolve.syndication import signature
from launchwatch.resolve.validity import invalid_reason
from launchwatch.store.models import claims, documents, reports as events_table
from launchwatch.store.sql import chunks, launch_filter

DOCUMENT_COLUMNS = (
    "id", "external_id", "source", "url", "publisher", "original_publisher", "published",
    "published_from", "title", "status", "error", "ingested_at",
)


def normalize_url(url: str) -> str:
    """A SQLAlchemy URL; a bare filesystem path means a SQLite file."""
    return url if "://" in url else f"sqlite:///{url}"


def _shown(url: str) -> str:
    """The URL for messages, with any password masked."""
    try:
        return make_url(url).render_as_string(hide_password=True) if "://" in url else url
    except ArgumentError:
        return url


def event_id(doc_id: str, index: int) -> str:
    """Stable event id: the same document and position always give the same id."""
    return "ev-" + hashlib.sha1(f"{doc_id}:{index}".encode()).hexdigest()[:12]


def check_evidence(article: Article, events: list[Event]) -> None:
    """Raise StoreError unless every Evidence quotes `article.text` exactly."""
    for index, ev in enumerate(events):
        for name, spans in ev.evidence.items():
            for span in spans:
                if not (0 <= span.start <= span.end <= len(article.text)) or not span.check(article.text):
                    raise StoreError(
                        f"evidence for {name} of event {index} in {article.source} does not quote "
                        f"the text: [{span.start}:{span.end}] is "
                        f"{article.text[span.start:span.end]!r}, not {span.text!r}"
                    )


_MIGRATE_LOCK = threading.Lock()
_PG_MIGRATE_KEY = 0x6C61756E6368  # "launch": any fixed number shared by all launchwatch processes


def migrate(engine: Engine) -> None:
    """Upgrade the database to the newest named migration."""
    from alembic import command
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(resources.files("launchwatch") / "migrations"))
    # Alembic's `op` and `context` are process globals: one migration at a time per process.
    with _MIGRATE_LOCK, engine.begin() as connection:
        if connection.dialect.name == "postgresql":
            # Writers opening a fresh database at once would race to create the same tables.
            connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _PG_MIGRATE_KEY})
        cfg.attributes["connection"] = connection
        command.upgrade(cfg, "head")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _document_row(result, status: str) -> dict[str, Any]:
    art, raw = result.article, result.raw
    if status in ("failed", "skipped"):
        return {
            "id": raw.doc_id, "external_id": raw.external_id, "source": raw.source,
            "url": raw.url, "title": raw.title, "published": None, "status": status,
            "error": (result.error or "unknown error") if status == "failed" else result.skipped,
            "captions": [], "warnings": [], "ingested_at": _now(),
        }
    return {
        "id": art.doc_id, "external_id": art.external_id, "source": art.source, "url": art.url,
        "publisher": art.publisher, "original_publisher": art.original_publisher,
        "published": art.published, "published_from": art.published_from, "title": art.title,
        "text": art.text, "captions": list(art.captions), "warnings": list(art.warnings),
        "status": "ok", "error": None, "ingested_at": _now(),
        "minhash": art.minhash or (signature(art.text) if result.events else None),
    }


def _event_row(doc_id: str, index: int, ev: Event) -> dict[str, Any]:
    row = {name: ev.values.get(name) for name in EVENT_FIELDS}
    row["reported_by"] = list(row["reported_by"] or [])
    row["is_primary"] = bool(row["is_primary"])
    row.update(id=event_id(doc_id, index), doc_id=doc_id, index=index)
    return row


def _claim_rows(doc_id: str, ev_id: str, ev: Event, published: str | None) -> list[dict[str, Any]]:
    """One ledger row per evidence span: its own value (a competing figure) or the report's."""
    rows = []
    for name, spans in ev.evidence.items():
        for span in spans:
            value = span.value if span.value is not None else ev.values.get(name)
            if name == "reported_by" and span.source:
                value = [span.source]  # each span names one source
            rows.append({"report_id": ev_id, "doc_id": doc_id, "field": name, "value": value,
                         "unit": span.unit, "start": span.start, "end": span.end, "quote": span.text,
                         "source": span.source, "hedge": span.hedge,
                         "invalid": invalid_reason(name, value, published)})
    return rows


class Store:
    """A launchwatch database at a SQLAlchemy URL (or a bare SQLite path)."""

    def __init__(self, url: str):
        self.url = normalize_url(url)
        try:
            self.engine = create_engine(make_url(self.url))
        except (ArgumentError, ImportError, ValueError) as err:
            raise StoreError(f"cannot use database URL {_shown(url)!r}: {err}") from err
        if self.engine.dialect.name == "sqlite":
            sa_event.listen(self.engine, "connect", _sqlite_foreign_keys)
        try:
            migrate(self.engine)
        except SQLAlchemyError as err:
            self.engine.dispose()
            raise StoreError(f"cannot open database {_shown(url)!r}: {err.orig or err}") from err

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> "Store":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def atomic(self) -> Iterator[Connection]:
        """One transaction: committed on success, rolled back on any exception."""
        with self.engine.begin() as conn:
            yield conn

    # -- writes ------------------------------------------------------------

    def add_result(self, result) -> str:
        """Record one pipeline Result; returns 'added', 'duplicate' or 'failed'.

        A failed Result keeps a 'failed' documents row with its error. An ok
        Result is checked (every evidence span must quote the text, else
        StoreError before anything is written) and written in one transaction.
        A document already stored ok is never touched again ('duplicate'); one
        stored as failed is replaced when it later succeeds.
        """
        if getattr(result, "skipped", None):
            return self._add_skipped(result)
        if result.error is not None or result.article is None:
            return self._add_failed(result)
        check_evidence(result.article, result.events)
        try:
            return self._add_ok(result)
        except IntegrityError:
            # Another writer stored the same document first.
            if self._status(result.article.doc_id) == "ok":
                return "duplicate"
            raise StoreError(f"cannot store {result.article.source}: integrity error") from None

    def _status(self, doc_id: str, conn: Connection | None = None) -> str | None:
        query = select(documents.c.status).where(documents.c.id == doc_id)
        if conn is not None:
            return conn.execute(query).scalar_one_or_none()
        with self.engine.connect() as c:
            return c.execute(query).scalar_one_or_none()

    def _add_skipped(self, result) -> str:
        """A document the prefilter ruled out: recorded (no text) so it is known and not redone."""
        try:
            with self.atomic() as conn:
                if self._status(result.raw.doc_id, conn) is not None:
                    return "duplicate"
                conn.execute(insert(documents), [_document_row(result, "skipped")])
        except IntegrityError:
            return "duplicate"
        return "skipped"

    def _add_failed(self, result) -> str:
        try:
            with self.atomic() as conn:
                if self._status(result.raw.doc_id, conn) is None:
                    conn.execute(insert(documents), [_document_row(result, "failed")])
        except IntegrityError:
            pass  # another writer recorded this document first
        return "failed"

    def _add_ok(self, result) -> str:
        art = result.article
        with self.atomic() as conn:
            status = self._status(art.doc_id, conn)
            if status == "ok":
                return "duplicate"
            if status in ("failed", "skipped"):  # processed again (prefilter off, a fixed bug)
                conn.execute(delete(claims).where(claims.c.doc_id == art.doc_id))
                conn.execute(delete(events_table).where(events_table.c.doc_id == art.doc_id))
                conn.execute(delete(documents).where(documents.c.id == art.doc_id))
            conn.execute(insert(documents), [_document_row(result, "ok")])
            for index, ev in enumerate(result.events):
                row = _event_row(art.doc_id, index, ev)
                conn.execute(insert(events_table), [row])
                rows = _claim_rows(art.doc_id, row["id"], ev, art.published)
                if rows:
                    conn.execute(insert(claims), rows)
        return "added"

    # -- queries -----------------------------------------------------------

    def reports(self, actor: str | None = None, since: str | None = None,
               until: str | None = None, weapon_class: str | None = None,
               *, evidence: bool = False) -> list[dict[str, Any]]:
        """Events ordered by date then id, as dicts of SCHEMA fields + id, doc_id, external_id.

        Dates compare at the coarser precision: since="2022-03" keeps
        "2022-03-05", "2022-04" and "2022" (which may fall in range); until
        likewise. Events without a date are left out when since/until is given.
        With evidence=True each dict also has "evidence" and "document".
        """
        e = events_table
        query = (select(e, documents.c.external_id).join(documents, documents.c.id == e.c.doc_id)
                 .order_by(e.c.date.is_(None), e.c.date, e.c.id))
        query = launch_filter(query, e, actor, weapon_class, since=since, until=until)
        with self.engine.connect() as conn:
            rows = [_event_dict(r) for r in conn.execute(query).mappings()]
            if evidence:
                self._attach_details(conn, rows)
        return rows

    def report(self, event_id: str) -> dict[str, Any] | None:
        """One event with "evidence" {field: [claim, ...]} and "document"; None if unknown.

        Each claim also carries "sentence": the sentence of the text around its quote.
        """
        e = events_table
        query = (select(e, documents.c.external_id)
                 .join(documents, documents.c.id == e.c.doc_id).where(e.c.id == event_id))
        with self.engine.connect() as conn:
            rows = [_event_dict(r) for r in conn.execute(query).mappings()]
            if not rows:
                return None
            self._attach_details(conn, rows)
            text = conn.execute(select(documents.c.text).where(documents.c.id == rows[0]["doc_id"])).scalar()
        for spans in rows[0]["evidence"].values():
            for span in spans:
                span["sentence"] = sentence_around(text or "", span["start"], span["end"])
        return rows[0]

    def _attach_details(self, conn: Connection, rows: list[dict[str, Any]]) -> None:
        ids = [r["id"] for r in rows]
        doc_ids = sorted({r["doc_id"] for r in rows})
        found: dict[str, dict[str, list]] = {i: {} for i in ids}
        docs: dict[str, dict] = {}
        for chunk in chunks(ids):
            query = select(claims).where(claims.c.report_id.in_(chunk)).order_by(claims.c.id)
            for c in conn.execute(query).mappings():
                found[c["report_id"]].setdefault(c["field"], []).append(
                    {k: c[k] for k in ("value", "unit", "start", "end", "quote", "source", "hedge",
                                       "invalid")})
        for chunk in chunks(doc_ids):
            query = select(*(documents.c[k] for k in DOCUMENT_COLUMNS)).where(documents.c.id.in_(chunk))
            docs.update({d["id"]: dict(d) for d in conn.execute(query).mappings()})
        for row in rows:
            row["evidence"] = {f: found[row["id"]][f] for f in EVENT_FIELDS if f in found[row["id"]]}
            row["document"] = docs.get(row["doc_id"])

    def documents(self, status: str | None = None) -> list[dict[str, Any]]:
        """Documents (without their text), oldest ingest first."""
        query = select(*(documents.c[k] for k in DOCUMENT_COLUMNS)).order_by(
            documents.c.ingested_at, documents.c.id)
        if status:
            query = query.where(documents.c.status == status)
        with self.engine.connect() as conn:
            return [dict(r) for r in conn.execute(query).mappings()]

    def document_text(self, doc_id: str) -> str | None:
        with self.engine.connect() as conn:
            return conn.execute(select(documents.c.text).where(documents.c.id == doc_id)).scalar()

    def counts(self) -> dict[str, int]:
        """{"documents", "ok", "failed", "skipped", "reports", "events", "claims"} row counts."""
        from launchwatch.store.models import events as resolved

        with self.engine.connect() as conn:
            by_status = dict(conn.execute(
                select(documents.c.status, func.count()).group_by(documents.c.status)).all())
            n_reports = conn.execute(select(func.count()).select_from(events_table)).scalar_one()
            n_events = conn.execute(select(func.count()).select_from(resolved)).scalar_one()
            n_claims = conn.execute(select(func.count()).select_from(claims)).scalar_one()
        return {"documents": sum(by_status.values()), "ok": by_status.get("ok", 0),
                "failed": by_status.get("failed", 0), "skipped": by_status.get("skipped", 0),
                "reports": n_reports, "events": n_events, "claims": n_claims}

    # -- batch writes (launchwatch batch) ----------------------------------

    def add_results(self, results: list) -> list[str]:
        """Record many Results in one transaction; per Result, what add_result returns.

        add_result's rules: a document stored ok is never touched, one stored
        failed or skipped is replaced when it succeeds, and every ok Result's
        evidence is checked before anything is written (StoreError). One commit
        for the lot instead of one per document (on SQLite a commit is an
        fsync: 3 of the 5 ms a document took). If another writer stores one of
        the documents meanwhile, each is written on its own instead.
        """
        for result in results:
            if self._kind(result) == "ok":
                check_evidence(result.article, result.events)
        try:
            with self.atomic() as conn:
                return self._write_batch(conn, results)
        except IntegrityError:
            return [self.add_result(result) for result in results]

    @staticmethod
    def _kind(result) -> str:
        if getattr(result, "skipped", None):
            return "skipped"
        return "failed" if result.error is not None or result.article is None else "ok"

    def _write_batch(self, conn: Connection, results: list) -> list[str]:
        ids = [r.article.doc_id if self._kind(r) == "ok" else r.raw.doc_id for r in results]
        stored: dict[str, str] = {}
        for chunk in chunks(sorted(set(ids))):
            query = select(documents.c.id, documents.c.status).where(documents.c.id.in_(chunk))
            stored.update(conn.execute(query).all())
        statuses, replaced, docs, reports, claim_rows = [], [], [], [], []
        for result, doc_id in zip(results, ids):
            kind, before = self._kind(result), stored.get(doc_id)
            if kind == "ok" and before != "ok":
                replaced += [doc_id] if before else []
                docs.append(_document_row(result, "ok"))
                for index, ev in enumerate(result.events):
                    reports.append(_event_row(doc_id, index, ev))
                    claim_rows += _claim_rows(doc_id, reports[-1]["id"], ev, result.article.published)
                stored[doc_id], status = "ok", "added"
            elif kind == "ok" or (kind == "skipped" and before):
                status = "duplicate"
            else:
                if before is None:
                    docs.append(_document_row(result, kind))
                    stored[doc_id] = kind
                status = kind
            statuses.append(status)
        for chunk in chunks(replaced):
            for table, key in ((claims, claims.c.doc_id), (events_table, events_table.c.doc_id),
                               (documents, documents.c.id)):
                conn.execute(delete(table).where(key.in_(chunk)))
        for table, rows in ((documents, docs), (events_table, reports), (claims, claim_rows)):
            for same_keys in _by_keys(rows):  # one executemany per row shape
                conn.execute(insert(table), same_keys)
        return statuses


def _by_keys(rows: list[dict[str, Any]]) -> list[list[dict[str, Any]]]:
    groups: dict[tuple, list] = {}
    for row in rows:
        groups.setdefault(tuple(sorted(row)), []).append(row)
    return list(groups.values())


def _sqlite_foreign_keys(dbapi_connection, _record) -> None:
    # SQLite enforces foreign keys (and ON DELETE CASCADE) only when asked, per connection.
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def sentence_around(text: str, start: int, end: int) -> str:
    """The sentence (or line) of `text` that holds [start, end), stripped."""
    left = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start))
    left = 0 if left < 0 else left + 1
    right = [i for i in (text.find(". ", end), text.find("\n", end)) if i >= 0]
    right = min(right) + 1 if right else len(text)
    return text[left:right].strip()


def _event_dict(row) -> dict[str, Any]:
    out = {"id": row["id"]}
    out.update({name: row[name] for name in EVENT_FIELDS})
    out["reported_by"] = list(out["reported_by"] or [])
    out["is_primary"] = bool(out["is_primary"])
    out.update(doc_id=row["doc_id"], index=row["index"], external_id=row["external_id"])
    return out
