"""Storage settings, read from the environment only (secrets never live in files).

``B12_DATABASE_URL``
    An SQLAlchemy URL, e.g. ``postgresql://b12:secret@db.internal:5432/b12``.
    Unset: the embedded SQLite file ``b12.db`` in ``B12_VAR_DIR`` (default ``var``), no setup.
``B12_REDIS_URL``
    ``redis://host:6379/0``; when set, Rasa serialises each conversation's turns
    with Redis locks, which several Rasa replicas need.
``B12_DB_CONNECT_TIMEOUT``
    Seconds to wait for the database at start-up before giving up (default 5).
"""

from __future__ import annotations

import os
import socket
import ssl
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Mapping
from urllib.parse import unquote, urlsplit

from sqlalchemy.engine import URL, make_url

DEFAULT_SQLITE_PATH = Path("var") / "b12.db"
SUPPORTED_DRIVERS = ("sqlite", "postgresql")
# The DB-API module each backend uses in this project (requirements.lock). Any other
# would fail on connect with an ImportError, which Rasa's tracker store loader turns
# into a silent fallback to keeping conversations in memory.
INSTALLED_DBAPI = {"sqlite": "pysqlite", "postgresql": "psycopg2"}


class StorageConfigError(ValueError):
    """A storage variable is malformed; the message names it."""


class StorageUnavailable(RuntimeError):
    """The database or Redis cannot be reached; the message says where and what to do."""


class StorageOutage(BaseException):  # noqa: N818 - it is a condition, not a programming error
    """The database or the lock store failed during a turn.

    A ``BaseException`` on purpose: Rasa wraps every tracker store in a
    ``FailSafeTrackerStore`` whose ``except Exception`` answers a failed read with
    "no conversation yet" and a failed write with a copy in memory, so during an
    outage every message would silently start a new conversation (the greeting
    again, the answers given so far gone, a "yes" read as the answer to the wrong
    question). This error passes through that wrapper to the channel, which tells
    the person that nothing can be saved or continued right now
    (:mod:`bot.channels.turns`). ``asyncio`` treats it like any other error.
    """


def database_url(env: Mapping[str, str] | None = None) -> URL:
    """The configured database, defaulting to the embedded SQLite file."""
    env = os.environ if env is None else env
    raw = (env.get("B12_DATABASE_URL") or "").strip()
    if not raw:
        var_dir = (env.get("B12_VAR_DIR") or "").strip()
        path = Path(var_dir) / DEFAULT_SQLITE_PATH.name if var_dir else DEFAULT_SQLITE_PATH
        return make_url(f"sqlite:///{path}")
    try:
        url = make_url(raw)
    except Exception:  # SQLAlchemy raises ArgumentError with the raw URL in it
        # Not chained: the cause's message holds the raw URL, password included.
        raise StorageConfigError(
            "B12_DATABASE_URL is not a database URL (expected e.g. "
            "postgresql://user:password@host:5432/dbname)"
        ) from None
    backend = url.get_backend_name()
    if backend not in SUPPORTED_DRIVERS:
        raise StorageConfigError(
            f"B12_DATABASE_URL uses {backend!r}; supported: " + ", ".join(SUPPORTED_DRIVERS)
        )
    if url.get_driver_name() != INSTALLED_DBAPI[backend]:
        raise StorageConfigError(
            f"B12_DATABASE_URL asks for the driver {url.get_driver_name()!r}, which is not "
            f"installed; write {backend}://... (driver {INSTALLED_DBAPI[backend]})"
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
    redis_settings(raw)  # the port and database number, checked now rather than at first use
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

    connect_args: dict[str, object] = {}
    if url.get_backend_name() == "postgresql":
        connect_args["connect_timeout"] = max(1, int(round(timeout)))
    started = time.monotonic()
    engine = None
    try:
        # Inside the try: an SQLite folder that cannot be made, or a driver that cannot be
        # imported, must end the same way as an unreachable server.
        prepare_sqlite(url)
        engine = create_engine(url, connect_args=connect_args, poolclass=_null_pool())
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
        if engine is not None:
            engine.dispose()


def check_redis(url: str, timeout: float = 5.0) -> None:
    """Fail fast if the lock store's Redis is unreachable (over TLS for ``rediss://``)."""
    parts = urlsplit(url)
    host, port = parts.hostname or "localhost", parts.port or 6379
    try:
        with socket.create_connection((host, port), timeout=timeout) as sock:
            if parts.scheme == "rediss":
                # Verified like redis-py does by default, so a certificate problem shows now.
                context = ssl.create_default_context()
                with context.wrap_socket(sock, server_hostname=host) as tls:
                    reply = _ping(tls)
            else:
                reply = _ping(sock)
    except OSError as error:  # ssl.SSLError included
        raise StorageUnavailable(
            f"Cannot reach Redis on {host}:{port} ({error.strerror or error}). "
            "Start Redis or fix B12_REDIS_URL, then start the assistant again."
        ) from None
    if not (reply.startswith(b"+PONG") or reply.startswith(b"-NOAUTH")):
        raise StorageUnavailable(
            f"Something on {host}:{port} answered, but not like a Redis server. "
            "Fix B12_REDIS_URL, then start the assistant again."
        )


def _ping(sock: socket.socket) -> bytes:
    sock.sendall(b"PING\r\n")
    return sock.recv(64)


@dataclass(frozen=True)
class RedisSettings:
    """What Rasa's RedisLockStore takes."""

    host: str
    port: int
    db: int
    username: str | None
    password: str | None
    use_ssl: bool


def redis_settings(url: str) -> RedisSettings:
    parts = urlsplit(url)
    path = parts.path.strip("/")
    try:
        db = int(path) if path else 0
    except ValueError:
        raise StorageConfigError("B12_REDIS_URL's database must be a number, e.g. /0") from None
    try:
        port = parts.port or 6379
    except ValueError:  # its message would quote the URL's text
        raise StorageConfigError(
            "B12_REDIS_URL's port must be a number from 1 to 65535, e.g. redis://host:6379/0"
        ) from None
    return RedisSettings(
        host=parts.hostname or "localhost",
        port=port,
        db=db,
        # Percent-encoded in the URL, as redis-py's own URL parser expects them.
        username=unquote(parts.username) if parts.username else None,
        password=unquote(parts.password) if parts.password else None,
        use_ssl=parts.scheme == "rediss",
    )


def _null_pool():  # noqa: ANN202 - SQLAlchemy's pool class
    from sqlalchemy.pool import NullPool

    return NullPool


def storage_health(timeout: float = 2.0, env: Mapping[str, str] | None = None) -> dict[str, str]:
    """``{"database": "ok" | "down", "redis": "ok" | "down" | "off"}`` within ``timeout`` s.

    For health checks: a load balancer must stop sending people to a server that
    cannot keep their conversation.
    """
    health = {"database": "ok", "redis": "off"}
    try:
        check_database(database_url(env), timeout)
    except (StorageUnavailable, StorageConfigError):
        health["database"] = "down"
    try:
        url = redis_url(env)
        if url is not None:
            check_redis(url, timeout)
            health["redis"] = "ok"
    except (StorageUnavailable, StorageConfigError):
        health["redis"] = "down"
    return health
