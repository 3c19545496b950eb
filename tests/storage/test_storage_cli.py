"""The operator commands, run as an operator (or cron) runs them: ``python -m bot ...``.

    python -m bot purge --older-than 30d [--dry-run]
    python -m bot db check
    python -m bot db upgrade
"""

from __future__ import annotations

import asyncio
import re
import subprocess
import time
from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from sqlalchemy import inspect
from storage_helpers import PYTHON, ROOT, conversation, event_counts, free_port, python_env, seed

from bot.storage.assessments import AssessmentStore

SECRET = "s3cretPw"
NOW = datetime.now(timezone.utc)
HOUR = 3600.0
DAY = 24 * HOUR


def run_bot(*args: str, **env: str) -> tuple[subprocess.CompletedProcess[str], float]:
    started = time.monotonic()
    done = subprocess.run(
        [PYTHON, "-m", "bot", *args],
        cwd=ROOT,
        env=python_env(**env),
        capture_output=True,
        text=True,
        timeout=60,
    )
    return done, time.monotonic() - started


def ago(seconds: float) -> float:
    return NOW.timestamp() - seconds


@pytest.fixture
def stored(database_url: str, domain: Any) -> dict[str, Any]:
    """Conversations and kept records of several ages, as the assistant would have left them."""
    old = conversation("old-consented", domain, at=ago(40 * DAY), consent="yes")
    ended = conversation("ended-unconsented", domain, at=ago(2 * HOUR))
    recent = conversation("recent-consented", domain, at=ago(1 * DAY), consent="yes")
    live = conversation("live", domain, at=ago(300))
    asyncio.run(seed(database_url, domain, old, ended, recent, live))
    store = AssessmentStore.open()
    old_record, recent_record = store.new_record_id(), store.new_record_id()
    store.save(old_record, {"band": "low"}, {}, now=NOW - timedelta(days=45))
    store.save(recent_record, {"band": "high"}, {}, now=NOW - timedelta(days=2))
    return {
        "store": store,
        "old_record": old_record,
        "recent_record": recent_record,
        "purged_events": len(old.events) + len(ended.events),
    }


def test_dry_run_counts_what_would_go_and_deletes_nothing(
    stored: dict[str, Any], database_url: str
) -> None:
    before = event_counts(database_url)
    done, _ = run_bot("purge", "--older-than", "30d", "--dry-run", B12_DATABASE_URL=database_url)
    assert done.returncode == 0, done.stderr
    assert "Would delete 2 conversations and 1 kept records" in done.stdout
    assert event_counts(database_url) == before
    assert len(stored["store"].assessments(stored["old_record"])) == 1


def test_purge_deletes_old_and_ended_unconsented_data_only(
    stored: dict[str, Any], database_url: str
) -> None:
    done, _ = run_bot("purge", "--older-than", "30d", B12_DATABASE_URL=database_url)
    assert done.returncode == 0, done.stderr
    printed = re.search(r"Deleted (\d+) conversation events and (\d+) record rows", done.stdout)
    assert printed, done.stdout
    assert int(printed.group(1)) == stored["purged_events"]
    assert int(printed.group(2)) == 2  # the old record and its assessment
    assert set(event_counts(database_url)) == {"recent-consented", "live"}
    store = stored["store"]
    assert store.assessments(stored["old_record"]) == []
    assert len(store.assessments(stored["recent_record"])) == 1
    again, _ = run_bot("purge", "--older-than", "30d", B12_DATABASE_URL=database_url)
    assert "Deleted 0 conversation events and 0 record rows" in again.stdout


@pytest.mark.parametrize(
    ("age", "hint"),
    [("30", "30d"), ("30x", "30d"), ("thirty days", "30d"), ("0m", "at least one minute")],
)
def test_bad_age_exits_2_and_says_what_an_age_looks_like(age: str, hint: str, tmp_path) -> None:
    database = tmp_path / "b12.db"
    done, _ = run_bot("purge", "--older-than", age, B12_DATABASE_URL=f"sqlite:///{database}")
    assert done.returncode == 2
    assert "--older-than" in done.stderr and hint in done.stderr
    assert not database.exists()  # refused before touching anything


@pytest.mark.parametrize("command", [("db", "check"), ("purge", "--older-than", "30d")])
def test_dead_database_exits_1_within_seconds_with_a_clear_message(command: tuple) -> None:
    port = free_port()
    done, elapsed = run_bot(
        *command, B12_DATABASE_URL=f"postgresql://b12:{SECRET}@127.0.0.1:{port}/b12"
    )
    assert done.returncode == 1
    assert elapsed < 10, elapsed  # most of it is Python starting
    assert done.stderr.startswith("error: Cannot reach")
    assert f"127.0.0.1:{port}" in done.stderr and "B12_DATABASE_URL" in done.stderr
    assert SECRET not in done.stderr + done.stdout
    assert "Traceback" not in done.stderr


def test_malformed_database_url_exits_1_naming_the_variable() -> None:
    done, _ = run_bot("db", "check", B12_DATABASE_URL=f"postgres://b12:{SECRET}@db/b12")
    assert done.returncode == 1
    assert "B12_DATABASE_URL" in done.stderr and SECRET not in done.stderr


def test_db_check_reports_a_reachable_database(database_url: str) -> None:
    done, _ = run_bot("db", "check", B12_DATABASE_URL=database_url)
    assert done.returncode == 0, done.stderr
    assert "is reachable." in done.stdout
    assert SECRET not in done.stdout


def test_db_check_covers_redis_when_it_is_configured(redis_url: str, tmp_path) -> None:
    database = f"sqlite:///{tmp_path / 'b12.db'}"
    done, _ = run_bot("db", "check", B12_DATABASE_URL=database, B12_REDIS_URL=redis_url)
    assert done.returncode == 0, done.stderr
    assert "and so is Redis" in done.stdout
    port = free_port()
    dead, _ = run_bot(
        "db", "check", B12_DATABASE_URL=database, B12_REDIS_URL=f"redis://127.0.0.1:{port}/0"
    )
    assert dead.returncode == 1
    assert f"127.0.0.1:{port}" in dead.stderr and "B12_REDIS_URL" in dead.stderr


def test_db_upgrade_creates_the_tables_and_can_be_repeated(database_url: str) -> None:
    from sqlalchemy import create_engine
    from sqlalchemy.pool import NullPool

    for _ in range(2):
        done, _ = run_bot("db", "upgrade", B12_DATABASE_URL=database_url)
        assert done.returncode == 0, done.stderr
        assert "newest schema" in done.stdout
    engine = create_engine(database_url, poolclass=NullPool)
    try:
        tables = set(inspect(engine).get_table_names())
    finally:
        engine.dispose()
    assert {"b12_records", "b12_assessments", "b12_alembic_version"} <= tables
