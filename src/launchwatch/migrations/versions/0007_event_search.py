"""SQLite: a second full-text index over documents, keyed in the event list's order.

The index of 0006 keys each document by ingest order, so a text search on
the event list had to collect every matching document (slow for a common
word) or check events one by one (slow for a rare one). Here each report that
belongs to an event indexes its document's title and text under the key

    date_key(event's date) << 32 | search_reports.key

where date_key("2022-03-05") = 20220305, date_key("2022-03") = 20220300,
date_key("2022") = 20220000 and an undated event's is 0: the index's own
rowid order is the list's date order (undated last), so "ORDER BY rowid DESC
LIMIT n" reads one page of matches whatever the words (web/fulltext.py).

`search_reports` gives each report a stable integer key and remembers the
rowid it is indexed under and the event it was indexed for (NULL: not
indexed), so a search reads event ids without a lookup in `reports`.
Triggers keep the index in step with every writer:

- an event inserted (or re-dated) indexes its reports under its date; a report
  already indexed under that key for that event is left as it is, so
  resolution, which replaces an event by deleting and inserting it, tokenizes
  nothing again unless the date changed;
- an event deleted leaves its reports' rows until they move or it comes back
  (a search reads only events that exist);
- a report written with its event (ingest writes none) is indexed at once;
- a report moved to another event, or to none, is indexed again or removed;
- a document whose title or text changes is indexed again.

The FTS5 table is contentless (SQLite 3.40 has no contentless delete): a row
is removed by repeating its document's title and text, which are read from
`documents` before they change or go.

PostgreSQL needs none of this: its planner joins the GIN index of 0006.

Revision ID: 0007_event_search
Revises: 0006_web_search
Create Date: 2026-11-25
"""
from alembic import op

revision = "0007_event_search"
down_revision = "0006_web_search"
branch_labels = None
depends_on = None

# The event list's date as an integer in the same order ('YYYY', 'YYYY-MM', 'YYYY-MM-DD'; NULL -> 0).
_DATE_KEY = ("(CASE WHEN {d} IS NULL THEN 0 ELSE CAST(substr({d}, 1, 4) AS INTEGER) * 10000"
             " + CAST(coalesce(nullif(substr({d}, 6, 2), ''), '0') AS INTEGER) * 100"
             " + CAST(coalesce(nullif(substr({d}, 9, 2), ''), '0') AS INTEGER) END)")


_JOINS = "search_reports s JOIN reports r ON r.id = s.report_id JOIN documents d ON d.id = r.doc_id"


def _index(where: str) -> list[str]:
    """Index the unindexed reports matched by `where` (over s, r, d and e = the report's event)."""
    rowid = f"(({_DATE_KEY.format(d='e.date')} << 32) | s.key)"
    matched = f"{_JOINS} JOIN events e ON e.id = r.event_id WHERE s.indexed IS NULL AND {where}"
    return [
        f"INSERT INTO search_reports_fts(rowid, title, body) "
        f"SELECT {rowid}, coalesce(d.title, ''), coalesce(d.text, '') FROM {matched};",
        f"UPDATE search_reports SET (indexed, event_id) = (SELECT {rowid}, e.id FROM {matched} "
        f"AND s.key = search_reports.key) WHERE key IN (SELECT s.key FROM {matched});",
    ]


def _unindex(where: str) -> list[str]:
    """Remove the indexed reports matched by `where` (over s, r and d), repeating what was indexed."""
    matched = f"{_JOINS} WHERE s.indexed IS NOT NULL AND {where}"
    return [
        "INSERT INTO search_reports_fts(search_reports_fts, rowid, title, body) "
        f"SELECT 'delete', s.indexed, coalesce(d.title, ''), coalesce(d.text, '') FROM {matched};",
        f"UPDATE search_reports SET indexed = NULL, event_id = NULL WHERE key IN (SELECT s.key FROM {matched});",
    ]


def _reindex_event() -> list[str]:
    """The reports of the event `new`, under its date: only those indexed otherwise change."""
    rowid = f"(({_DATE_KEY.format(d='new.date')} << 32) | s.key)"
    stale = f"r.event_id = new.id AND (s.indexed != {rowid} OR s.event_id IS NOT new.id)"
    return [*_unindex(stale), *_index("r.event_id = new.id")]


def _trigger(name: str, when: str, statements: list[str]) -> str:
    return f"CREATE TRIGGER search_reports_{name} {when} BEGIN " + " ".join(statements) + " END"


SQLITE_UP = [
    "CREATE TABLE search_reports (key INTEGER PRIMARY KEY, report_id VARCHAR(16) NOT NULL UNIQUE, "
    "indexed INTEGER, event_id VARCHAR(16))",
    "CREATE VIRTUAL TABLE search_reports_fts USING fts5("
    "title, body, content='', tokenize='porter unicode61 remove_diacritics 2')",
    "INSERT INTO search_reports (report_id) SELECT id FROM reports ORDER BY id",
    *(statement.rstrip(";") for statement in _index("1")),
    _trigger("insert", "AFTER INSERT ON reports",
             ["INSERT INTO search_reports (report_id) VALUES (new.id);", *_index("r.id = new.id")]),
    _trigger("delete", "BEFORE DELETE ON reports",
             [*_unindex("r.id = old.id"), "DELETE FROM search_reports WHERE report_id = old.id;"]),
    _trigger("move", "AFTER UPDATE OF event_id ON reports", [*_unindex("r.id = new.id"), *_index("r.id = new.id")]),
    _trigger("event_insert", "AFTER INSERT ON events", _reindex_event()),
    _trigger("event_date", "AFTER UPDATE OF date ON events", _reindex_event()),
    _trigger("document_before", "BEFORE UPDATE OF title, text ON documents", _unindex("d.id = old.id")),
    _trigger("document_after", "AFTER UPDATE OF title, text ON documents", _index("d.id = new.id")),
    _trigger("document_delete", "BEFORE DELETE ON documents", _unindex("d.id = old.id")),
]
SQLITE_DOWN = [
    *(f"DROP TRIGGER IF EXISTS search_reports_{name}" for name in (
        "insert", "delete", "move", "event_insert", "event_date", "document_before",
        "document_after", "document_delete")),
    "DROP TABLE IF EXISTS search_reports_fts",
    "DROP TABLE IF EXISTS search_reports",
]


def upgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)


def downgrade() -> None:
    if op.get_context().dialect.name == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
