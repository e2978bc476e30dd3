"""Full-text search over documents' titles and text (the indexes of migrations 0006 and 0007).

    terms("Hwasong-18 launch*")          # [("hwasong", False), ("18", False), ("launch", True)]
    event_condition(conn, terms(q))      # WHERE clause: an event one of whose documents holds every term
    list_order_batches(conn, terms(q), 0, 1 << 30, 100)   # SQLite: matching events, newest first
    found_documents(conn, terms(q), 50)  # the matching documents, newest ingested first, with snippets

A query is words only (letters and digits; `word*` is a prefix): quotes,
operators and punctuation never reach the index's query syntax. Every word
must be present. SQLite: FTS5 with Porter stemming; PostgreSQL:
`to_tsvector('english', ...)` with English stemming and stop words.

On SQLite the event list is searched in a second index (migration 0007)
whose keys follow the list's date order: `list_order_batches` reads the
matching reports newest event first, a batch at a time, so a page of a common
word costs what a page of a rare one does (2 ms on 100,000 events, against 9
to 100 ms when the document index's matches were put in list order).
PostgreSQL joins its GIN index (event_condition).
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, false, select, text
from sqlalchemy.sql import ColumnElement, Select

from launchwatch.store.models import documents, events, reports

SNIPPET_CHARS = 160
MAX_BATCH = 20_000
KEY_BITS = 32   # search_reports_fts rowid = date_key << KEY_BITS | search_reports.key

# SQLite: search_documents maps a stable integer key to each document id, and the
# contentless FTS5 table search_documents_fts indexes title and text under that key.
search_documents = Table("search_documents", MetaData(),
                         Column("key", Integer, primary_key=True), Column("doc_id", String(64)))
# PostgreSQL: an expression GIN index on documents; a query must spell the same expression.
PG_TSVECTOR = ("to_tsvector('english', coalesce(documents.title, '') || ' ' "
               "|| left(coalesce(documents.text, ''), 1000000))")
_FTS_KEYS = "SELECT rowid FROM search_documents_fts WHERE search_documents_fts MATCH :match"
_IN_RANGE = "search_reports_fts MATCH :match AND rowid >= :low AND rowid < :high"
_NTH_BELOW = text(f"SELECT rowid FROM search_reports_fts WHERE {_IN_RANGE} ORDER BY rowid DESC LIMIT 1 OFFSET :skip")
_EVENTS_IN_RANGE = text(
    f"SELECT s.event_id FROM (SELECT rowid FROM search_reports_fts WHERE {_IN_RANGE}) f "
    f"JOIN search_reports s ON s.key = f.rowid & {(1 << KEY_BITS) - 1}").columns(event_id=String)

Terms = list[tuple[str, bool]]


def terms(q: str) -> Terms:
    """The words of a query, lower-cased, each with whether it ends in `*` (a prefix)."""
    return [(m.group(1).lower(), bool(m.group(2))) for m in re.finditer(r"(\w+)(\*?)", q)]


def _fts_match(words: Terms) -> str:
    return " ".join(f'"{w}"' + ("*" if prefix else "") for w, prefix in words)


def _tsquery(words: Terms) -> str:
    return " & ".join(w + (":*" if prefix else "") for w, prefix in words)


def _postgres(conn) -> bool:
    return conn.dialect.name == "postgresql"


def matching_doc_ids(conn, words: Terms) -> Select:
    """A select of the ids of the documents whose title or text holds every word."""
    if _postgres(conn):
        condition = text(f"{PG_TSVECTOR} @@ to_tsquery('english', :tsquery)")
        return select(documents.c.id).where(condition.bindparams(tsquery=_tsquery(words)))
    keys = text(_FTS_KEYS).bindparams(match=_fts_match(words)).columns(rowid=Integer)
    return select(search_documents.c.doc_id).where(search_documents.c.key.in_(keys))


def event_condition(conn, words: Terms) -> ColumnElement:
    """A WHERE clause on `events`: one of the event's documents holds every word."""
    if not words:
        return false()
    return events.c.id.in_(select(reports.c.event_id).where(reports.c.doc_id.in_(matching_doc_ids(conn, words))))


def date_key(date: str | None) -> int:
    """The event list's date as an integer in the same order: "2022-03-05" -> 20220305,
    "2022-03" -> 20220300, "2022" -> 20220000, undated -> 0 (migration 0007's _DATE_KEY)."""
    if not date:
        return 0
    parts = [int(p) if p.isdigit() else 0 for p in (date[:4], date[5:7], date[8:10])]
    return parts[0] * 10000 + parts[1] * 100 + parts[2]


def list_order_batches(conn, words: Terms, lower: int, upper: int, first: int):
    """SQLite: the matching reports of events dated lower <= date_key < upper, newest first, in
    batches of `first`, then twice as many, ...: yields (select of their event ids, the batch's
    oldest date_key, or None for the last batch)."""
    params = {"match": _fts_match(words), "low": lower << KEY_BITS, "high": upper << KEY_BITS}
    n = first
    while True:
        boundary = conn.execute(_NTH_BELOW, {**params, "skip": n - 1}).scalar()
        batch = {**params, "low": params["low"] if boundary is None else boundary}
        event_ids = _EVENTS_IN_RANGE.bindparams(**batch).subquery()
        yield select(event_ids.c.event_id), None if boundary is None else boundary >> KEY_BITS
        if boundary is None:
            return
        params["high"], n = boundary, min(n * 2, MAX_BATCH)


def found_documents(conn, words: Terms, limit: int) -> list[dict[str, Any]]:
    """The matching documents, newest ingested first: id, external_id, title, published, snippet.

    SQLite reads the index backwards (its key follows ingest order), so a
    common word costs what a rare one does.
    """
    if not words:
        return []
    cols = (documents.c.id, documents.c.external_id, documents.c.title, documents.c.published, documents.c.text)
    if _postgres(conn):
        query = (select(*cols).where(documents.c.id.in_(matching_doc_ids(conn, words)))
                 .order_by(documents.c.ingested_at.desc(), documents.c.id.desc()).limit(limit))
    else:
        keys = text(_FTS_KEYS + " ORDER BY rowid DESC LIMIT :limit").bindparams(
            match=_fts_match(words), limit=limit).columns(rowid=Integer).subquery()
        query = (select(*cols).join_from(keys, search_documents, search_documents.c.key == keys.c.rowid)
                 .join(documents, documents.c.id == search_documents.c.doc_id)
                 .order_by(search_documents.c.key.desc()))
    docs = [dict(r) for r in conn.execute(query).mappings()]
    for doc in docs:
        doc["snippet"] = snippet(doc.pop("text") or doc["title"] or "", [w for w, _ in words])
    return docs


def snippet(body: str, words: list[str]) -> str:
    """About SNIPPET_CHARS characters of `body` around the first word of the query it holds."""
    hits = [m.start() for w in words for m in [re.search(rf"\b{re.escape(w)}", body, re.I)] if m]
    start = max(0, min(hits, default=0) - SNIPPET_CHARS // 3)
    if start:
        start = body.find(" ", start) + 1 or start   # begin at a word
    piece = " ".join(body[start:start + SNIPPET_CHARS].split())
    return ("… " if start else "") + piece + (" …" if start + SNIPPET_CHARS < len(body) else "")
