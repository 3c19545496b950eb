"""Engines and schema migrations for the project's own tables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine

from bot.storage.config import connect_timeout, prepare_sqlite

MIGRATIONS = Path(__file__).with_name("migrations")


def make_engine(url: URL) -> Engine:
    """An engine with foreign keys on in SQLite and a bounded connect wait in PostgreSQL."""
    prepare_sqlite(url)
    connect_args: dict[str, object] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = max(1, int(round(connect_timeout())))
    engine = create_engine(url, connect_args=connect_args, pool_pre_ping=True, future=True)
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", _sqlite_pragmas)
    return engine


def _sqlite_pragmas(dbapi_connection, _record) -> None:  # noqa: ANN001 - DB-API objects
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Rasa's server and the action server write the same file.
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.close()


def alembic_config(engine: Engine | None = None):  # noqa: ANN201 - alembic.config.Config
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    if engine is not None:
        config.attributes["engine"] = engine
    return config


def upgrade(engine: Engine) -> None:
    """Bring the project's tables to the newest migration (idempotent)."""
    from alembic import command

    command.upgrade(alembic_config(engine), "head")


@lru_cache(maxsize=8)
def migrated_engine(url_text: str) -> Engine:
    """One engine per database per process, migrated on first use."""
    from sqlalchemy.engine import make_url

    engine = make_engine(make_url(url_text))
    upgrade(engine)
    return engine
