"""Storage settings, read from the environment only (secrets never live in files).

``B12_DATABASE_URL``
    An SQLAlchemy URL, e.g. ``postgresql://b12:secret@db.internal:5432/b12``.
    Unset: the embedded SQLite file ``var/b12.db`` (no setup).
``B12_REDIS_URL``
    ``redis://host:6379/0``; when set, Rasa serialises each conversation's turns
    with Redis locks, which several Rasa replicas need.
``B12_DB_CONNECT_TIMEOUT``
    Seconds to wait for the database at start-up before giving up (default 5).
"""

from __future__ import annotations

import os
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import urlsplit

from sqlalchemy.engine import URL, make_url

DEFAULT_SQLITE_PATH = Path("var") / "b12.db"
SUPPORTED_DRIVERS = ("sqlite", "postgresql")


class StorageConfigError(ValueError):
    """A storage variable is malformed; the message names it."""


class StorageUnavailable(RuntimeError):
    """The database or Redis cannot be reached; the message says where and what to do."""


def database_url(env: Mapping[str, str] | None = None) -> URL:
    """The configured database, defaulting to the embedded SQLite file."""
    env = os.environ if env is None else env
    raw = (env.get("B12_DATABASE_URL") or "").strip()
    if not raw:
        return make_url(f"sqlite:///{DEFAULT_SQLITE_PATH}")
    try:
        url = make_url(raw)
    except Exception as error:  # SQLAlchemy raises ArgumentError with the raw URL in it
        raise StorageConfigError(
            "B12_DATABASE_URL is not a database URL (expected e.g. "
            "postgresql://user:password@host:5432/dbname)"
        ) from error
    if url.get_backend_name() not in SUPPORTED_DRIVERS:
        raise StorageConfigError(
            f"B12_DATABASE_URL uses {url.get_backend_name()!r}; supported: "
            + ", ".join(SUPPORTED_DRIVERS)
        )
    return url


def redis_url(env: Mapping[str, str] | None = None) -> str | None:
    env = os.environ if env is None else env
    raw = (env.get("B12_REDIS_URL") or "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in ("redis", "rediss") or not parts.hostname:
        raise StorageConfigError("B12_REDIS_URL must look like redis://host:6379/0")
    return raw


def connect_timeout(env: Mapping[str, str] | None = None) -> float:
    env = os.environ if env is None else env
    raw = env.get("B12_DB_CONNECT_TIMEOUT", "5")
    try:
        value = float(raw)
    except ValueError:
        raise StorageConfigError("B12_DB_CONNECT_TIMEOUT must be a number of seconds") from None
    if not 0 < value <= 300:
        raise StorageConfigError("B12_DB_CONNECT_TIMEOUT must be between 0 and 300 seconds")
    return value


def describe(url: URL) -> str:
    """Where the database is, for messages and logs: never the password."""
    if url.get_backend_name() == "sqlite":
        return f"SQLite file {url.database}"
    host = url.host or "localhost"
    return f"{url.get_backend_name()} database {url.database!r} on {host}:{url.port or 5432}"


def prepare_sqlite(url: URL) -> None:
    """SQLite creates the file but not its folder."""
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        Path(url.database).parent.mkdir(parents=True, exist_ok=True)


def check_database(url: URL, timeout: float = 5.0) -> None:
    """Fail within ``timeout`` seconds, with a clear message, if the database is unreachable.

    Rasa 3.6's SQL tracker store otherwise retries forever without saying why.
    """
    from sqlalchemy import create_engine, text

    prepare_sqlite(url)
    connect_args: dict[str, object] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = max(1, int(round(timeout)))
    engine = create_engine(url, connect_args=connect_args, poolclass=_null_pool())
    started = time.monotonic()
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:
        lines = str(getattr(error, "orig", error)).strip().splitlines()
        reason = lines[0] if lines else type(error).__name__
        raise StorageUnavailable(
            f"Cannot reach the {describe(url)} "
            f"(after {time.monotonic() - started:.1f} s: {reason}). "
            "Start the database or fix B12_DATABASE_URL, then start the assistant again."
        ) from None
    finally:
        engine.dispose()


def check_redis(url: str, timeout: float = 5.0) -> None:
    """Fail fast if the lock store's Redis is unreachable."""
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            sock.settimeout(timeout)
            reply = sock.recv(64)
    except OSError as error:
        raise StorageUnavailable(
            f"Cannot reach Redis on {host}:{port} ({error.strerror or error}). "
            "Start Redis or fix B12_REDIS_URL, then start the assistant again."
        ) from None
    if not (reply.startswith(b"+PONG") or reply.startswith(b"-NOAUTH")):
        raise StorageUnavailable(f"{host}:{port} did not answer like a Redis server")


@dataclass(frozen=True)
class RedisSettings:
    """What Rasa's RedisLockStore takes."""

    host: str
    port: int
    db: int
    password: str | None
    use_ssl: bool


def redis_settings(url: str) -> RedisSettings:
    parts = urlsplit(url)
    path = parts.path.strip("/")
    try:
        db = int(path) if path else 0
    except ValueError:
        raise StorageConfigError("B12_REDIS_URL's database must be a number, e.g. /0") from None
    return RedisSettings(
        host=parts.hostname or "localhost",
        port=parts.port or 6379,
        db=db,
        password=parts.password,
        use_ssl=parts.scheme == "rediss",
    )


def _null_pool():  # noqa: ANN202 - SQLAlchemy's pool class
    from sqlalchemy.pool import NullPool

    return NullPool
