"""Full-text search over documents' titles and text (the index of migration 0006).

    terms("Hwasong-18 launch*")          # [("hwasong", False), ("18", False), ("launch", True)]
    event_condition(conn, terms(q))      # WHERE clause: an event one of whose documents holds every term
    found_documents(conn, terms(q), 50)  # the matching documents, newest ingested first, with snippets

A query is words only (letters and digits; `word*` is a prefix): quotes,
operators and punctuation never reach the index's query syntax. Every word
must be present. SQLite: FTS5 with Porter stemming; PostgreSQL:
`to_tsvector('english', ...)` with English stemming and stop words.

How an event list is narrowed on SQLite depends on how common the words are:
a rare query (fewer than COMMON matching documents) collects the matching
documents' events and sorts them; a common one reads events in list order
and asks the index about each event's documents until the page is full.
Either plan alone would take seconds on 100,000 events for the other kind.
"""
from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Column, Integer, MetaData, String, Table, false, select, text
from sqlalchemy.sql import ColumnElement, Select

from launchwatch.store.models import documents, events, reports

# Measured on 100,000 events with 200,000 documents (benchmarks/serve_latency.py): collecting
# the matches costs ~8 us per matching document, checking events in list order ~130 us per
# event checked (about 51 x 100,000 / (matches / 2) of them); both take ~100 ms near 13,000.
COMMON = 12_000
SNIPPET_CHARS = 160

# SQLite: search_documents maps a stable integer key to each document id, and the
# contentless FTS5 table search_documents_fts indexes title and text under that key.
search_documents = Table("search_documents", MetaData(),
                         Column("key", Integer, primary_key=True), Column("doc_id", String(64)))
# PostgreSQL: an expression GIN index on documents; a query must spell the same expression.
PG_TSVECTOR = ("to_tsvector('english', coalesce(documents.title, '') || ' ' "
               "|| left(coalesce(documents.text, ''), 1000000))")
_FTS_KEYS = "SELECT rowid FROM search_documents_fts WHERE search_documents_fts MATCH :match"
_EVENT_HAS_MATCH = text(
    "EXISTS (SELECT 1 FROM reports r JOIN search_documents s ON s.doc_id = r.doc_id "
    "JOIN search_documents_fts f ON f.rowid = s.key "
    "WHERE r.event_id = events.id AND search_documents_fts MATCH :match)")

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
    if not _postgres(conn) and _common(conn, words):
        return _EVENT_HAS_MATCH.bindparams(match=_fts_match(words))
    return events.c.id.in_(select(reports.c.event_id).where(reports.c.doc_id.in_(matching_doc_ids(conn, words))))


def _common(conn, words: Terms) -> bool:
    """Whether at least COMMON documents match (counting stops there)."""
    count = text(f"SELECT count(*) FROM ({_FTS_KEYS} LIMIT :cap)")
    return conn.execute(count, {"match": _fts_match(words), "cap": COMMON}).scalar_one() >= COMMON


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
