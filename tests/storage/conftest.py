"""Databases and Redis for the storage tests.

``database_url`` runs a test twice: against an SQLite file in the test's
temporary folder and against a fresh PostgreSQL database made for that test
alone (``b12_test_<hex>``, dropped afterwards even when the test fails).
``redis_url`` points at a Redis database whose keys made by the test are
deleted afterwards. Where PostgreSQL or Redis cannot be reached the test is
skipped with the service, the address and the error in the reason; with
``B12_REQUIRE_SERVICES=1`` (CI) it fails instead, so a missing service is
never mistaken for a passing suite.

Addresses: ``B12_TEST_POSTGRES_URL`` (a maintenance database the tests may
create databases from) and ``B12_TEST_REDIS_URL``.
"""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Iterator
from urllib.parse import urlsplit

import pytest
from storage_helpers import (
    DEFAULT_POSTGRES_URL,
    DEFAULT_REDIS_URL,
    DOMAIN_YAML,
    SERVICE_PROBE_SECONDS,
    STORAGE_VARIABLES,
    unavailable,
)

# -- PostgreSQL ---------------------------------------------------------------------


def _postgres_base() -> Any:
    from sqlalchemy.engine import make_url

    return make_url(os.environ.get("B12_TEST_POSTGRES_URL") or DEFAULT_POSTGRES_URL)


@lru_cache(maxsize=1)
def _postgres_problem() -> str | None:
    """Why PostgreSQL cannot be used (checked once per run), or None."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(
        _postgres_base(),
        poolclass=NullPool,
        connect_args={"connect_timeout": SERVICE_PROBE_SECONDS},
    )
    try:
        with engine.connect() as connection:
            connection.execute(text("SELECT 1"))
    except Exception as error:  # any reason at all is a reason to skip
        lines = str(getattr(error, "orig", error)).strip().splitlines()
        return lines[0] if lines else type(error).__name__
    finally:
        engine.dispose()
    return None


def _admin_engine() -> Any:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    return create_engine(
        _postgres_base(),
        poolclass=NullPool,
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": SERVICE_PROBE_SECONDS},
    )


@pytest.fixture
def postgres_database() -> Iterator[str]:
    """A new, empty PostgreSQL database for this test; its URL (with any password)."""
    from sqlalchemy import text

    base = _postgres_base()
    problem = _postgres_problem()
    if problem is not None:
        unavailable("PostgreSQL", base.render_as_string(hide_password=True), problem)
    name = f"b12_test_{secrets.token_hex(6)}"
    admin = _admin_engine()
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield base.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            # FORCE: engines cached by the code under test may still hold connections.
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


# -- the database under test ----------------------------------------------------------


@pytest.fixture(autouse=True)
def clean_storage_environment(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """No storage variable from the shell, and no engine cached from another test."""
    from bot.storage.database import migrated_engine

    for name in STORAGE_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    migrated_engine.cache_clear()
    yield
    migrated_engine.cache_clear()


@pytest.fixture(
    params=["sqlite", pytest.param("postgresql", marks=pytest.mark.services)],
)
def database_url(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> str:
    """The database under test, also set as ``B12_DATABASE_URL`` for code that reads it."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'var' / 'b12.db'}"
    else:
        url = request.getfixturevalue("postgres_database")
    monkeypatch.setenv("B12_DATABASE_URL", url)
    return url


@pytest.fixture
def engine(database_url: str) -> Iterator[Any]:
    """An engine on the database under test, migrated to the newest schema."""
    from sqlalchemy.engine import make_url

    from bot.storage.database import make_engine, upgrade

    engine = make_engine(make_url(database_url))
    upgrade(engine)
    yield engine
    engine.dispose()


# -- Redis ------------------------------------------------------------------------------


@pytest.fixture
def test_token() -> str:
    """A random mark for ids this test creates, so it can delete exactly what it made."""
    return f"b12test{secrets.token_hex(6)}"


@pytest.fixture
def redis_url(test_token: str, monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """A reachable Redis database, also set as ``B12_REDIS_URL``.

    Keys containing ``test_token`` (use it in conversation ids) are deleted afterwards.
    """
    import redis

    url = os.environ.get("B12_TEST_REDIS_URL") or DEFAULT_REDIS_URL
    client = redis.Redis.from_url(
        url, socket_connect_timeout=SERVICE_PROBE_SECONDS, socket_timeout=SERVICE_PROBE_SECONDS
    )
    try:
        client.ping()
    except Exception as error:  # connection refused, timeout, authentication...
        client.close()
        parts = urlsplit(url)
        address = f"{parts.scheme}://{parts.hostname}:{parts.port or 6379}{parts.path}"
        unavailable("Redis", address, f"{type(error).__name__}: {error}")  # no password
    monkeypatch.setenv("B12_REDIS_URL", url)
    try:
        yield url
    finally:
        for key in client.scan_iter(match=f"*{test_token}*"):
            client.delete(key)
        client.close()


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Tests that use Redis or PostgreSQL alone carry the ``services`` marker too."""
    for item in items:
        names = getattr(item, "fixturenames", ())
        if "redis_url" in names or "postgres_database" in names:
            item.add_marker(pytest.mark.services)


# -- Rasa pieces ------------------------------------------------------------------------


@pytest.fixture(scope="session")
def domain() -> Any:
    """A small domain with the slots the storage code reads (consent, record_id)."""
    from rasa.shared.core.domain import Domain

    return Domain.from_yaml(DOMAIN_YAML)


@pytest.fixture
def restore_remote_action(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Rasa's ``RemoteAction.run`` is put back after the test (the outage patch wraps it)."""
    from rasa.core.actions.action import RemoteAction

    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)
    return RemoteAction
