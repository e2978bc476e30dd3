"""Full-text search over documents (title and text) for the web server's `q` filter and /api/search,
and indexes that keep the filtered event list in date order.

Events are listed newest first; a filter on actor, class or status reads the
index (filter, date) backwards and stops after one page instead of sorting
every matching event: ix_events_actor_date, ix_events_weapon_class_date,
ix_events_status_date, and ix_events_actor_class_date for the commonest pair
("KP", "irbm").

SQLite: a contentless FTS5 table `search_documents_fts` (porter stemming,
diacritics folded) keyed by `search_documents.key`, a stable integer per
document id (a document's own rowid may change on VACUUM, so it cannot be the
key). Triggers on `documents` keep both in step on insert, update and delete,
so the store needs no code for it. Note: a later migration that rebuilds
`documents` with batch_alter_table drops these triggers and must recreate them.

PostgreSQL: a GIN index on the expression
`to_tsvector('english', coalesce(title, '') || ' ' || left(coalesce(text, ''), 1000000))`;
queries must spell the same expression (web/queries.py PG_TSVECTOR) to use it.
The first million characters are indexed: a tsvector is limited to 1 MB.

Revision ID: 0006_web_search
Revises: 0005_alerts
Create Date: 2026-11-25
"""
from alembic import op

revision = "0006_web_search"
down_revision = "0005_alerts"
branch_labels = None
depends_on = None

PG_INDEX = ("CREATE INDEX ix_documents_fulltext ON documents USING gin "
            "(to_tsvector('english', coalesce(title, '') || ' ' || left(coalesce(text, ''), 1000000)))")

_FTS_DELETE = """
    INSERT INTO search_documents_fts(search_documents_fts, rowid, title, body)
        SELECT 'delete', key, coalesce(old.title, ''), coalesce(old.text, '')
        FROM search_documents WHERE doc_id = old.id;"""
_FTS_INSERT = """
    INSERT INTO search_documents_fts(rowid, title, body)
        SELECT key, coalesce(new.title, ''), coalesce(new.text, '')
        FROM search_documents WHERE doc_id = new.id;"""

SQLITE_UP = [
    "CREATE TABLE search_documents (key INTEGER PRIMARY KEY, doc_id VARCHAR(64) NOT NULL UNIQUE)",
    "CREATE VIRTUAL TABLE search_documents_fts USING fts5("
    "title, body, content='', tokenize='porter unicode61 remove_diacritics 2')",
    "INSERT INTO search_documents (doc_id) SELECT id FROM documents ORDER BY ingested_at, id",
    "INSERT INTO search_documents_fts (rowid, title, body) "
    "SELECT s.key, coalesce(d.title, ''), coalesce(d.text, '') "
    "FROM search_documents s JOIN documents d ON d.id = s.doc_id",
    "CREATE TRIGGER search_documents_insert AFTER INSERT ON documents BEGIN "
    "INSERT INTO search_documents (doc_id) VALUES (new.id);" + _FTS_INSERT + " END",
    "CREATE TRIGGER search_documents_delete AFTER DELETE ON documents BEGIN" + _FTS_DELETE
    + " DELETE FROM search_documents WHERE doc_id = old.id; END",
    "CREATE TRIGGER search_documents_update AFTER UPDATE OF title, text ON documents BEGIN"
    + _FTS_DELETE + _FTS_INSERT + " END",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS search_documents_update",
    "DROP TRIGGER IF EXISTS search_documents_delete",
    "DROP TRIGGER IF EXISTS search_documents_insert",
    "DROP TABLE IF EXISTS search_documents_fts",
    "DROP TABLE IF EXISTS search_documents",
]


LIST_INDEXES = {"ix_events_actor_date": ["actor", "date"], "ix_events_weapon_class_date": ["weapon_class", "date"],
                "ix_events_status_date": ["status", "date"],
                "ix_events_actor_class_date": ["actor", "weapon_class", "date"]}


def _dialect() -> str:
    return op.get_context().dialect.name


def upgrade() -> None:
    for name, columns in LIST_INDEXES.items():
        op.create_index(name, "events", columns)
    if _dialect() == "sqlite":
        for statement in SQLITE_UP:
            op.execute(statement)
    elif _dialect() == "postgresql":
        op.execute(PG_INDEX)


def downgrade() -> None:
    for name in LIST_INDEXES:
        op.drop_index(name, table_name="events")
    if _dialect() == "sqlite":
        for statement in SQLITE_DOWN:
            op.execute(statement)
    elif _dialect() == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_documents_fulltext")
