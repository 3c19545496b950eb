"""Live stacks (action server + Rasa servers) over SQLite and over PostgreSQL with Redis.

The building blocks; the fixtures that use them are in conftest.py.

PostgreSQL and Redis come from B12_TEST_POSTGRES_URL / B12_TEST_REDIS_URL
(defaults: the local services). Absent, their tests are skipped with the reason,
or fail when B12_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import os
import secrets
import socket
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from live_servers import Process, action_server, base_env, free_port, rasa_server

POSTGRES = os.environ.get("B12_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("B12_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")


def _unavailable(service: str, address: str, error: Exception) -> None:
    message = (
        f"{service} is not reachable at {address} ({error}); "
        "set B12_TEST_POSTGRES_URL / B12_TEST_REDIS_URL"
    )
    if os.environ.get("B12_REQUIRE_SERVICES") == "1":
        pytest.fail(message)
    pytest.skip(message)


def _fresh_postgres_database() -> tuple[str, str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(POSTGRES)
    name = f"b12_live_{secrets.token_hex(6)}"
    try:
        engine = create_engine(
            base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3}
        )
        with engine.connect() as connection:
            connection.execute(text(f'CREATE DATABASE "{name}"'))
        engine.dispose()
    except Exception as error:  # noqa: BLE001 - any failure means "not available here"
        _unavailable("PostgreSQL", f"{base.host}:{base.port or 5432}", error)
    return base.set(database=name).render_as_string(hide_password=False), name


def _drop_postgres_database(name: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(make_url(POSTGRES), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :name"
        ), {"name": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


def _check_redis() -> None:
    parts = urlsplit(REDIS)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            if not sock.recv(16).startswith(b"+PONG"):
                raise OSError("no PONG")
    except OSError as error:
        _unavailable("Redis", f"{parts.hostname}:{parts.port or 6379}", error)


class Stack:
    """One deployment: its database, an action server and one or more Rasa servers."""

    def __init__(self, backend: str, database_url: str, redis_url: str | None, logs: Path) -> None:
        self.backend = backend
        self.database_url = database_url
        self.redis_url = redis_url
        self.logs = logs
        self.env = base_env(database_url, redis_url, free_port(), secrets.token_hex(16))
        self.actions = action_server(self.env, logs)
        self.rasa: list[Process] = []

    def start_rasa(self, name: str = "rasa") -> Process:
        server = rasa_server(self.env, self.logs, name)
        server.start()
        self.rasa.append(server)
        return server

    def restart(self, server: Process) -> Process:
        server.stop()
        return server.start()

    def all_logs(self) -> str:
        return "\n".join(p.log_text() for p in [self.actions, *self.rasa])

    def stop(self) -> None:
        for server in self.rasa:
            server.stop()
        self.actions.stop()

    def engine(self):  # noqa: ANN201
        from sqlalchemy import create_engine

        return create_engine(self.database_url)

    def events(self, sender: str) -> list[dict]:
        """The stored events of a REST sender's conversation, in order."""
        import json

        from live_servers import stored_id
        from sqlalchemy import text

        engine = self.engine()
        try:
            with engine.connect() as connection:
                rows = connection.execute(
                    text("SELECT data FROM events WHERE sender_id = :s ORDER BY id"),
                    {"s": stored_id(self.env, sender)},
                ).all()
        finally:
            engine.dispose()
        return [json.loads(row[0]) for row in rows]


