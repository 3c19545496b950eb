"""Helpers shared by the storage tests (the fixtures are in conftest.py)."""

from __future__ import annotations

import os
import socket
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/15"
SERVICE_PROBE_SECONDS = 3
# Variables the storage code reads: a developer's own settings must not leak into the tests.
STORAGE_VARIABLES = (
    "B12_DATABASE_URL",
    "B12_REDIS_URL",
    "B12_DB_CONNECT_TIMEOUT",
    "B12_ACTIONS_TOKEN",
    "B12_CORS_ORIGINS",
)

DOMAIN_YAML = """
version: "3.1"
intents:
  - greet
  - report_red_flag
  - delete_my_data
slots:
  consent:
    type: text
    influence_conversation: false
    mappings:
      - type: custom
  record_id:
    type: text
    influence_conversation: false
    mappings:
      - type: custom
responses:
  utter_greet:
    - text: "Hello there."
actions:
  - action_delete_my_data
  - action_assessment
session_config:
  session_expiration_time: 60
  carry_over_slots_to_new_session: true
"""


def unavailable(service: str, address: str, error: object) -> None:
    """Skip (or, under ``B12_REQUIRE_SERVICES=1``, fail) naming what is missing and why."""
    message = (
        f"{service} is not reachable at {address} ({error}); start it or point "
        f"{'B12_TEST_POSTGRES_URL' if service == 'PostgreSQL' else 'B12_TEST_REDIS_URL'} at one"
    )
    if os.environ.get("B12_REQUIRE_SERVICES") == "1":
        pytest.fail(message + " [B12_REQUIRE_SERVICES=1]", pytrace=False)
    pytest.skip(message)


def free_port() -> int:
    """A local port nothing listens on (bound, then released)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def python_env(**extra: str) -> dict[str, str]:
    """The environment for a ``python -m bot`` subprocess: no storage settings but ``extra``."""
    env = {k: v for k, v in os.environ.items() if k not in STORAGE_VARIABLES}
    env["RASA_TELEMETRY_ENABLED"] = "false"
    env["PYTHONPATH"] = str(ROOT)
    env.update(extra)
    return env


PYTHON = sys.executable


def table_text(engine: object) -> dict[str, str]:
    """Every row of every table in the database, as text (to prove something is gone)."""
    from sqlalchemy import MetaData, Table, inspect, select

    tables: dict[str, str] = {}
    with engine.connect() as connection:  # type: ignore[attr-defined]
        metadata = MetaData()
        for name in inspect(connection).get_table_names():
            table = Table(name, metadata, autoload_with=connection)
            rows = connection.execute(select(table)).all()
            tables[name] = "\n".join(repr(tuple(row)) for row in rows)
    return tables


def containing(engine: object, *needles: str) -> list[str]:
    """The tables with a row that contains any of ``needles``."""
    return [
        name
        for name, rows in table_text(engine).items()
        if any(needle in rows for needle in needles)
    ]


def conversation(
    sender: str,
    domain: object,
    *,
    at: float,
    consent: str | None = None,
    text: str = "hello",
    record_id: str | None = None,
) -> object:
    """A Rasa tracker of one finished turn that started at Unix time ``at``."""
    from rasa.shared.core.events import (
        ActionExecuted,
        BotUttered,
        SessionStarted,
        SlotSet,
        UserUttered,
    )
    from rasa.shared.core.trackers import DialogueStateTracker

    events = [
        ActionExecuted("action_session_start", timestamp=at),
        SessionStarted(timestamp=at),
        ActionExecuted("action_listen", timestamp=at),
        UserUttered(text, intent={"name": "greet", "confidence": 1.0}, timestamp=at + 1),
    ]
    if consent is not None:
        events.append(SlotSet("consent", consent, timestamp=at + 2))
    if record_id is not None:
        events.append(SlotSet("record_id", record_id, timestamp=at + 2))
    events += [
        ActionExecuted("utter_greet", timestamp=at + 3),
        BotUttered("Hello there.", timestamp=at + 3),
        ActionExecuted("action_listen", timestamp=at + 4),
    ]
    return DialogueStateTracker.from_events(sender, events, domain.slots)  # type: ignore[attr-defined]


async def seed(url: str, domain: object, *trackers: object) -> None:
    """Write conversations the way Rasa's own SQL tracker store does (no purge on save)."""
    from rasa.core.tracker_store import SQLTrackerStore
    from sqlalchemy.engine import make_url

    from bot.storage.config import prepare_sqlite

    prepare_sqlite(make_url(url))
    store = SQLTrackerStore(domain=domain, host=url)
    try:
        for tracker in trackers:
            await store.save(tracker)
    finally:
        store.engine.dispose()


def event_counts(url: str) -> dict[str, int]:
    """Rows of Rasa's events table per conversation."""
    from sqlalchemy import create_engine, text
    from sqlalchemy.pool import NullPool

    engine = create_engine(url, poolclass=NullPool)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text("SELECT sender_id, count(*) FROM events GROUP BY sender_id")
            )
            return {sender: int(count) for sender, count in rows}
    finally:
        engine.dispose()
