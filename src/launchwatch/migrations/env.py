"""Alembic environment for launchwatch.

`launchwatch.store.migrate` passes an open connection in
`config.attributes["connection"]`, so the same migrations run against any
SQLAlchemy URL (SQLite file, PostgreSQL). Run by hand with
`alembic -c src/launchwatch/migrations/alembic.ini -x url=sqlite:///launchwatch.db upgrade head`.
"""
from __future__ import annotations

from alembic import context
from sqlalchemy import create_engine

from launchwatch.store.models import metadata

config = context.config


def _run(connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=metadata,
        render_as_batch=connection.dialect.name == "sqlite",
    )
    with context.begin_transaction():
        context.run_migrations()


def _url() -> str:
    return context.get_x_argument(as_dictionary=True).get("url") or config.get_main_option("sqlalchemy.url")


connection = config.attributes.get("connection")
if context.is_offline_mode():
    # `alembic upgrade head --sql`: print the DDL for the URL's dialect.
    context.configure(url=_url(), target_metadata=metadata, literal_binds=True)
    with context.begin_transaction():
        context.run_migrations()
elif connection is not None:
    _run(connection)
else:
    url = _url()
    engine = create_engine(url)
    with engine.begin() as conn:
        _run(conn)
    engine.dispose()
