"""Options that travel together through the pipeline, as one object."""
from __future__ import annotations

import os
from dataclasses import dataclass, field, replace

DEFAULT_DB_URL = "sqlite:///launchwatch.db"
# 10 MB: larger than any real news page (the dev set's largest is ~60 KB),
# small enough that a stray archive or video is refused fast.
DEFAULT_MAX_BYTES = 10 * 1024 * 1024
OFF_VALUES = ("0", "false", "no", "off")


@dataclass(frozen=True)
class Settings:
    db_url: str = DEFAULT_DB_URL
    knowledge_dirs: tuple[str, ...] = field(default_factory=tuple)
    max_bytes: int = DEFAULT_MAX_BYTES
    prefilter: bool = True   # skip documents with no launch vocabulary (prefilter.py)

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> "Settings":
        env = os.environ if environ is None else environ
        dirs = tuple(p for p in env.get("LAUNCHWATCH_KNOWLEDGE", "").split(os.pathsep) if p)
        return cls(
            db_url=env.get("LAUNCHWATCH_DB", DEFAULT_DB_URL),
            knowledge_dirs=dirs,
            max_bytes=int(env.get("LAUNCHWATCH_MAX_BYTES", DEFAULT_MAX_BYTES)),
            prefilter=env.get("LAUNCHWATCH_PREFILTER", "1").strip().lower() not in OFF_VALUES,
        )

    def with_(self, **changes) -> "Settings":
        return replace(self, **{k: v for k, v in changes.items() if v is not None})
