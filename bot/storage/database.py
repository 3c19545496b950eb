"""Engines and schema migrations for the project's own tables."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

from sqlalchemy import create_engine, event
from sqlalchemy.engine import URL, Engine
from sqlalchemy.pool import QueuePool

from bot.storage.config import connect_timeout, prepare_sqlite

MIGRATIONS = Path(__file__).with_name("migrations")


# No statement of this project takes more than milliseconds; a locked table or a
# stalled server must fail the turn in seconds (and say so), not hold it for ever.
STATEMENT_TIMEOUT_MS = 3000


def engine_options(url: URL) -> dict[str, Any]:
    """What every engine of the project gets: bounded waits and connections checked
    before use (after a database restart, a pooled connection is dead)."""
    options: dict[str, Any] = {"pool_pre_ping": True, **sqlite_pool_options(url)}
    if url.get_backend_name() == "postgresql":
        options["connect_args"] = {
            "connect_timeout": max(1, int(round(connect_timeout()))),
            "options": f"-c statement_timeout={STATEMENT_TIMEOUT_MS} "
            f"-c lock_timeout={STATEMENT_TIMEOUT_MS}",
        }
        options["pool_timeout"] = STATEMENT_TIMEOUT_MS / 1000
    return options


def make_engine(url: URL, future: bool = True) -> Engine:
    """An engine with foreign keys on in SQLite and bounded waits in PostgreSQL."""
    prepare_sqlite(url)
    engine = create_engine(url, future=future, **engine_options(url))
    if url.get_backend_name() == "sqlite":
        event.listen(engine, "connect", sqlite_pragmas)
    return engine


def sqlite_pool_options(url: URL) -> dict[str, Any]:
    """Keep SQLite file connections open between messages.

    SQLAlchemy 1.4 opens and closes a connection to an SQLite file for every
    session; closing the last one checkpoints the write-ahead log, which cost
    more than the queries themselves on every turn. Connections are used from
    one thread at a time (Rasa's event loop, the action server's handlers),
    never concurrently, so sharing them across threads is safe.
    """
    if url.get_backend_name() != "sqlite" or url.database in (None, "", ":memory:"):
        return {}
    return {"poolclass": QueuePool, "connect_args": {"check_same_thread": False}}


def sqlite_pragmas(dbapi_connection, _record=None) -> None:  # noqa: ANN001 - DB-API objects
    """Settings every connection to the SQLite file gets, Rasa's and the action server's.

    Rasa's server and the action server write the same file, so a writer waits for
    the other (busy_timeout) instead of failing, and the write-ahead log lets one
    read while the other writes. With the log, ``synchronous=NORMAL`` makes a commit
    a write without a disk flush: a crash of either process loses nothing, a power
    cut can lose the last turns but never corrupts the file. That saves a flush on
    every message. PostgreSQL is the choice when that is not acceptable.
    """
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    # Deleted rows are overwritten, not just unlinked ("delete my data" means gone).
    cursor.execute("PRAGMA secure_delete=ON")
    cursor.execute("PRAGMA busy_timeout=5000")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
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
