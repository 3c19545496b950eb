"""Live stacks (action server + Rasa servers) over SQLite and over PostgreSQL with Redis.

PostgreSQL and Redis come from B12_TEST_POSTGRES_URL / B12_TEST_REDIS_URL
(defaults: the local services). Absent, their tests are skipped with the reason,
or fail when B12_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

from pathlib import Path
from typing import Iterator

import pytest
from live_servers import MODEL
from live_stack import (
    REDIS,
    Stack,
    _check_redis,
    _drop_postgres_database,
    _fresh_postgres_database,
)


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def stack(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Stack]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    logs = tmp_path_factory.mktemp(f"live-{request.param}")
    dropped = None
    if request.param == "sqlite":
        database_url, redis_url = f"sqlite:///{logs / 'b12.db'}", None
    else:
        _check_redis()
        database_url, dropped = _fresh_postgres_database()
        redis_url = REDIS
    stack = Stack(request.param, database_url, redis_url, logs)
    try:
        stack.actions.start(timeout=120)
        stack.start_rasa("rasa-a")
        yield stack
    finally:
        stack.stop()
        artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "live" / request.param
        artifacts.mkdir(parents=True, exist_ok=True)
        for log in logs.glob("*.log"):
            (artifacts / log.name).write_text(log.read_text(errors="replace"))
        if dropped:
            _drop_postgres_database(dropped)
