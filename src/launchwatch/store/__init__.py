"""The event database (SQLite by default, PostgreSQL by URL)."""
from launchwatch.store.store import Store, check_evidence, event_id, migrate, normalize_url

__all__ = ["Store", "check_evidence", "event_id", "migrate", "normalize_url"]
