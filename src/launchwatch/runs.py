"""The `runs` table: one row per batch run, its inputs, options, counts and status.

A run starts as 'running'; its counts are rewritten after every stored batch,
so the row shows how far a run got even if the process is killed; it ends as
'finished', 'failed' (with the error) or 'interrupted' (Ctrl-C).
"""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.engine import Engine

from launchwatch.store.models import runs

COUNTS = ("read", "added", "duplicates", "already_stored", "skipped", "failed", "events", "errors")
STATUSES = ("running", "finished", "failed", "interrupted")


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


class RunLog:
    """The row of one run; every write is its own short transaction."""

    def __init__(self, engine: Engine, run_id: int):
        self.engine, self.id = engine, run_id

    @classmethod
    def start(cls, engine: Engine, inputs: dict[str, Any], options: dict[str, Any]) -> "RunLog":
        row = {"started_at": _now(), "status": "running", "inputs": inputs, "options": options,
               **dict.fromkeys(COUNTS, 0)}
        with engine.begin() as conn:
            run_id = conn.execute(insert(runs).values(row)).inserted_primary_key[0]
        return cls(engine, run_id)

    def update(self, counts: dict[str, int]) -> None:
        self._write({name: counts[name] for name in COUNTS})

    def finish(self, status: str, counts: dict[str, int], duration_s: float,
               resolution: dict | None = None, error: str | None = None) -> None:
        self._write({name: counts[name] for name in COUNTS}, status=status, finished_at=_now(),
                    duration_s=round(duration_s, 3), resolution=resolution, error=error)

    def _write(self, values: dict[str, Any], **more: Any) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(runs).where(runs.c.id == self.id).values(**values, **more))


def list_runs(engine: Engine, limit: int | None = None) -> list[dict[str, Any]]:
    """Runs, newest first."""
    query = select(runs).order_by(runs.c.id.desc()).limit(limit)
    with engine.connect() as conn:
        return [dict(row) for row in conn.execute(query).mappings()]


def get_run(engine: Engine, run_id: int) -> dict[str, Any] | None:
    with engine.connect() as conn:
        row = conn.execute(select(runs).where(runs.c.id == run_id)).mappings().first()
    return dict(row) if row else None
