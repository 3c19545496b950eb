"""Conversations in the database: kept across restarts, forgotten on request or when due.

``B12TrackerStore`` is what Rasa loads from endpoints.yml; the purge functions
are what it and ``python -m bot purge`` use to forget conversations.
"""

from __future__ import annotations

import logging
import socket
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from storage_helpers import (
    DOMAIN_YAML,
    ROOT,
    containing,
    conversation,
    event_counts,
    free_port,
    seed,
)

from bot.rasa_adapters.tracker_store import B12TrackerStore, StorageStartupError
from bot.storage.assessments import AssessmentStore
from bot.storage.config import StorageOutage
from bot.storage.conversations import (
    count_purgeable,
    erase_conversation,
    purge_conversations,
    purge_unconsented,
)

NOW = datetime.now(timezone.utc).replace(microsecond=0)
HOUR = 3600.0
DAY = 24 * HOUR
SECRET = "s3cretPw"


def ago(seconds: float) -> float:
    return NOW.timestamp() - seconds


@pytest.fixture
def make_store(
    database_url: str, domain: Any, restore_remote_action: Any
) -> Iterator[Callable[..., B12TrackerStore]]:
    """Builds tracker stores on the database under test, as Rasa would at each start."""
    made: list[B12TrackerStore] = []

    def build(**kwargs: Any) -> B12TrackerStore:
        kwargs.setdefault("domain", domain)
        store = B12TrackerStore(**kwargs)
        made.append(store)
        return store

    yield build
    for store in made:
        store.engine.dispose()


@pytest.fixture
def engine(database_url: str) -> Iterator[Any]:
    """An engine on the database under test (no migration: only Rasa's table is used)."""
    from sqlalchemy.engine import make_url

    from bot.storage.database import make_engine

    engine = make_engine(make_url(database_url))
    yield engine
    engine.dispose()


def another_turn(tracker: Any, text: str, at: float) -> None:
    tracker.update(UserUttered(text, intent={"name": "greet", "confidence": 1.0}, timestamp=at))
    tracker.update(ActionExecuted("utter_greet", timestamp=at + 1))
    tracker.update(BotUttered("Hello there.", timestamp=at + 1))
    tracker.update(ActionExecuted("action_listen", timestamp=at + 2))


# -- kept across restarts --------------------------------------------------------------


@pytest.mark.asyncio
async def test_conversation_comes_back_whole_after_a_restart(
    make_store: Callable[..., B12TrackerStore], domain: Any, database_url: str
) -> None:
    tracker = conversation("alice", domain, at=ago(600), consent="yes", text="pins and needles")
    first = make_store()
    await first.save(tracker)
    another_turn(tracker, "and tired all the time", at=ago(300))
    await first.save(tracker)  # only the new turn is written

    restarted = make_store()
    back = await restarted.retrieve("alice")
    assert back is not None
    assert list(back.events) == list(tracker.events)
    assert back.get_slot("consent") == "yes"
    assert [e.text for e in back.events if isinstance(e, UserUttered)] == [
        "pins and needles",
        "and tired all the time",
    ]
    assert event_counts(database_url) == {"alice": len(tracker.events)}


@pytest.mark.asyncio
async def test_unknown_conversation_is_none(make_store: Callable[..., B12TrackerStore]) -> None:
    assert await make_store().retrieve("nobody") is None


def new_session(tracker: Any, at: float) -> None:
    """What Rasa appends when a person comes back after the session expired."""
    tracker.update(ActionExecuted("action_session_start", timestamp=at))
    tracker.update(SessionStarted(timestamp=at))
    tracker.update(SlotSet("consent", "yes", timestamp=at))
    tracker.update(ActionExecuted("action_listen", timestamp=at))


@pytest.mark.asyncio
async def test_reading_and_saving_agree_with_rasas_own_queries_across_sessions(
    make_store: Callable[..., B12TrackerStore], domain: Any, database_url: str
) -> None:
    """The leaner queries must return exactly what Rasa's would, session by session."""
    tracker = conversation("alice", domain, at=ago(DAY), consent="yes", text="tired")
    store = make_store()
    await store.save(tracker)
    new_session(tracker, at=ago(600))
    another_turn(tracker, "numb feet", at=ago(590))
    await store.save(tracker)

    current = await store.retrieve("alice")
    assert current == await SQLTrackerStore._retrieve(store, "alice", False)
    assert [e.text for e in current.events if isinstance(e, UserUttered)] == ["numb feet"]
    full = await store.retrieve_full_tracker("alice")
    assert full == await SQLTrackerStore._retrieve(store, "alice", True)
    assert list(full.events) == list(tracker.events)

    # Rasa hands back a tracker of the current session; saving it after one more turn
    # must add that turn only, not repeat the session or skip events.
    another_turn(current, "and dizzy", at=ago(300))
    await store.save(current)
    assert event_counts(database_url) == {"alice": len(tracker.events) + 4}
    again = await make_store().retrieve("alice")
    assert [e.text for e in again.events if isinstance(e, UserUttered)] == [
        "numb feet",
        "and dizzy",
    ]


def stored_rows(database_url: str, sender_id: str) -> list[tuple]:
    """Every column Rasa stores for a conversation's events, in order, without ids."""
    import sqlalchemy as sa

    from bot.storage.database import make_engine

    engine = make_engine(sa.engine.make_url(database_url))
    try:
        with engine.connect() as connection:
            return [
                tuple(row)
                for row in connection.execute(
                    sa.text(
                        "SELECT type_name, timestamp, intent_name, action_name, data "
                        "FROM events WHERE sender_id = :sender ORDER BY id"
                    ),
                    {"sender": sender_id},
                )
            ]
    finally:
        engine.dispose()


@pytest.mark.asyncio
async def test_saved_rows_are_the_rows_rasa_would_write(
    make_store: Callable[..., B12TrackerStore], domain: Any, database_url: str
) -> None:
    """The one-statement insert writes every column as Rasa's per-event insert does."""
    store = make_store()
    for sender, save in (("ours", store.save), ("rasas", lambda t: SQLTrackerStore.save(store, t))):
        tracker = conversation(sender, domain, at=ago(600), consent="yes", text="numb feet")
        await save(tracker)
        another_turn(tracker, "and tired", at=ago(300))
        await save(tracker)

    ours = stored_rows(database_url, "ours")
    assert len(ours) == len(tracker.events)
    assert {row[2] for row in ours} >= {"greet"}  # the intent column is filled
    assert {row[3] for row in ours} >= {"action_listen"}  # and the action column
    assert ours == stored_rows(database_url, "rasas")


@pytest.mark.asyncio
async def test_sqlite_file_commits_through_the_write_ahead_log(
    make_store: Callable[..., B12TrackerStore], domain: Any, database_url: str
) -> None:
    """A flush per message is what made every SQLite turn slower; WAL avoids it safely."""
    if not database_url.startswith("sqlite"):
        pytest.skip("an SQLite setting")
    store = make_store()
    await store.save(conversation("alice", domain, at=ago(60)))
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 1  # NORMAL
        assert connection.exec_driver_sql("PRAGMA busy_timeout").scalar() == 5000


# -- forgotten on request -----------------------------------------------------------------


@pytest.mark.asyncio
async def test_turn_that_deletes_my_data_leaves_no_row_and_spares_others(
    make_store: Callable[..., B12TrackerStore], domain: Any, database_url: str
) -> None:
    record = AssessmentStore.new_record_id()
    words = "my b12 came back at 160 last spring"
    mine = conversation("alice", domain, at=ago(600), consent="yes", text=words, record_id=record)
    theirs = conversation("bob", domain, at=ago(500), consent="yes", text="fine thanks")
    store = make_store()
    await store.save(mine)
    await store.save(theirs)
    AssessmentStore.open().save(record, {"band": "low"}, {}, free_text=[words])
    bob_rows = event_counts(database_url)["bob"]

    at = ago(60)
    mine.update(UserUttered("delete my data", intent={"name": "delete_my_data"}, timestamp=at))
    mine.update(ActionExecuted("action_delete_my_data", timestamp=at + 1))
    mine.update(SlotSet("record_id", None, timestamp=at + 1))
    mine.update(BotUttered("Everything is deleted.", timestamp=at + 1))
    mine.update(ActionExecuted("action_listen", timestamp=at + 2))
    await store.save(mine)
    AssessmentStore.open().erase(record)  # what the erase action itself does

    assert event_counts(database_url) == {"bob": bob_rows}
    assert await make_store().retrieve("alice") is None
    assert (await make_store().retrieve("bob")).get_slot("consent") == "yes"
    assert containing(store.engine, record, words, "delete my data") == []
    if database_url.startswith("sqlite"):
        # Not in the file's free pages, nor in the write-ahead log waiting for a checkpoint.
        path = Path(database_url.split("///", 1)[1])
        for part in (path, path.with_name(path.name + "-wal")):
            if part.exists():
                raw = part.read_bytes()
                assert words.encode() not in raw and record.encode() not in raw, part.name


@pytest.mark.asyncio
async def test_erase_conversation_counts_what_it_removed(
    engine: Any, domain: Any, database_url: str
) -> None:
    tracker = conversation("alice", domain, at=ago(600))
    await seed(database_url, domain, tracker, conversation("bob", domain, at=ago(600)))
    assert erase_conversation(engine, "alice") == len(tracker.events)
    assert erase_conversation(engine, "alice") == 0
    assert set(event_counts(database_url)) == {"bob"}


def test_erasing_before_any_conversation_exists_is_harmless(engine: Any) -> None:
    assert erase_conversation(engine, "alice") == 0
    assert purge_unconsented(engine, timedelta(minutes=60)) == 0
    assert purge_conversations(engine, timedelta(days=30)) == 0
    assert count_purgeable(engine, timedelta(days=30), timedelta(minutes=60)) == 0


# -- forgotten when due ---------------------------------------------------------------------


@pytest.mark.asyncio
async def test_idle_conversations_without_consent_go_and_the_rest_stay(
    engine: Any, domain: Any, database_url: str
) -> None:
    changed_mind = conversation("changed-mind", domain, at=ago(3 * HOUR), consent="yes")
    changed_mind.update(SlotSet("consent", "no", timestamp=ago(2 * HOUR)))
    await seed(
        database_url,
        domain,
        conversation("never-asked", domain, at=ago(2 * HOUR)),
        conversation("said-no", domain, at=ago(2 * HOUR), consent="no"),
        changed_mind,
        conversation("said-yes", domain, at=ago(2 * HOUR), consent="yes"),
        conversation("still-talking", domain, at=ago(10 * 60)),
    )
    before = event_counts(database_url)
    expected = before["never-asked"] + before["said-no"] + before["changed-mind"]

    assert count_purgeable(engine, timedelta(days=30), timedelta(minutes=60), now=NOW) == 3
    assert purge_unconsented(engine, timedelta(minutes=60), now=NOW) == expected
    assert set(event_counts(database_url)) == {"said-yes", "still-talking"}


@pytest.mark.asyncio
async def test_purge_by_age_removes_old_conversations_whatever_their_consent(
    engine: Any, domain: Any, database_url: str
) -> None:
    old = conversation("old", domain, at=ago(40 * DAY), consent="yes")
    await seed(
        database_url,
        domain,
        old,
        conversation("recent", domain, at=ago(5 * DAY), consent="yes"),
    )
    assert count_purgeable(engine, timedelta(days=30), timedelta(days=365), now=NOW) == 1
    assert purge_conversations(engine, timedelta(days=30), now=NOW) == len(old.events)
    assert set(event_counts(database_url)) == {"recent"}


@pytest.mark.asyncio
async def test_saving_a_turn_clears_expired_conversations_kept_without_consent(
    make_store: Callable[..., B12TrackerStore], domain: Any, database_url: str
) -> None:
    """The domain's session length (60 minutes here) decides when a conversation has ended."""
    await seed(
        database_url,
        domain,
        conversation("ended-unconsented", domain, at=ago(2 * HOUR)),
        conversation("ended-consented", domain, at=ago(2 * HOUR), consent="yes"),
    )
    store = make_store(purge_interval=0)
    await store.save(conversation("live", domain, at=ago(60)))
    assert set(event_counts(database_url)) == {"ended-consented", "live"}


@pytest.mark.asyncio
async def test_a_longer_session_keeps_an_idle_conversation_alive(
    make_store: Callable[..., B12TrackerStore], domain: Any, database_url: str
) -> None:
    from rasa.shared.core.domain import Domain

    three_hours = DOMAIN_YAML.replace("session_expiration_time: 60", "session_expiration_time: 180")
    await seed(database_url, domain, conversation("idle-2h", domain, at=ago(2 * HOUR)))
    store = make_store(domain=Domain.from_yaml(three_hours), purge_interval=0)
    await store.save(conversation("live", domain, at=ago(60)))
    assert set(event_counts(database_url)) == {"idle-2h", "live"}


# -- starting up ---------------------------------------------------------------------------


def test_dead_database_stops_the_start_within_seconds(
    monkeypatch: pytest.MonkeyPatch, domain: Any, restore_remote_action: Any
) -> None:
    port = free_port()
    monkeypatch.setenv("B12_DATABASE_URL", f"postgresql://b12:{SECRET}@127.0.0.1:{port}/b12")
    started = time.monotonic()
    with pytest.raises(StorageStartupError) as caught:
        B12TrackerStore(domain=domain)
    elapsed = time.monotonic() - started
    assert elapsed < 3, elapsed
    message = str(caught.value)
    assert f"127.0.0.1:{port}" in message and "B12_DATABASE_URL" in message
    assert SECRET not in message


def test_database_that_hangs_stops_the_start_after_the_connect_timeout(
    monkeypatch: pytest.MonkeyPatch, domain: Any, restore_remote_action: Any
) -> None:
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen(8)
        port = silent.getsockname()[1]
        monkeypatch.setenv("B12_DATABASE_URL", f"postgresql://b12@127.0.0.1:{port}/b12")
        monkeypatch.setenv("B12_DB_CONNECT_TIMEOUT", "1")
        started = time.monotonic()
        with pytest.raises(StorageStartupError, match="timeout"):
            B12TrackerStore(domain=domain)
        elapsed = time.monotonic() - started
    assert elapsed < 4, elapsed


@pytest.mark.parametrize(
    "url",
    [
        f"mysql://b12:{SECRET}@db/b12",
        f"postgresql+asyncpg://b12:{SECRET}@db/b12",  # would be an ImportError in Rasa's loader
    ],
)
def test_unusable_database_url_stops_rasa_instead_of_keeping_conversations_in_memory(
    url: str, monkeypatch: pytest.MonkeyPatch, domain: Any, restore_remote_action: Any
) -> None:
    """Rasa's loader falls back to memory on ImportError; the start must stop instead."""
    from rasa.core.tracker_store import create_tracker_store
    from rasa.utils.endpoints import EndpointConfig

    monkeypatch.setenv("B12_DATABASE_URL", url)
    config = EndpointConfig(type="bot.rasa_adapters.tracker_store.B12TrackerStore")
    with pytest.raises(StorageStartupError) as caught:
        create_tracker_store(config, domain)
    assert "B12_DATABASE_URL" in str(caught.value) and SECRET not in str(caught.value)


@pytest.mark.asyncio
async def test_database_settings_in_endpoints_are_ignored_with_a_warning(
    make_store: Callable[..., B12TrackerStore],
    domain: Any,
    database_url: str,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    elsewhere = tmp_path / "elsewhere.db"
    with caplog.at_level(logging.WARNING, logger="bot.rasa_adapters.tracker_store"):
        store = make_store(host=f"sqlite:///{elsewhere}", db="other.db", username="rasa")
    warned = caplog.text
    for key in ("tracker_store.host", "tracker_store.db", "tracker_store.username"):
        assert key in warned
    assert "B12_DATABASE_URL" in warned
    await store.save(conversation("alice", domain, at=ago(60)))
    assert "alice" in event_counts(database_url)
    assert not elsewhere.exists()


@pytest.mark.asyncio
async def test_endpoints_file_loads_the_project_stores(
    database_url: str, domain: Any, monkeypatch: pytest.MonkeyPatch, restore_remote_action: Any
) -> None:
    """endpoints.yml, read as ``rasa run`` reads it, gives these stores on this database."""
    from rasa.core.lock_store import LockStore
    from rasa.core.tracker_store import create_tracker_store
    from rasa.core.utils import read_endpoints_from_path

    from bot.rasa_adapters.lock_store import B12LockStore

    monkeypatch.setenv("B12_ACTIONS_URL", "http://127.0.0.1:5055/webhook")
    monkeypatch.setenv("B12_ACTIONS_TOKEN", "t")
    endpoints = read_endpoints_from_path(ROOT / "endpoints.yml")
    store = create_tracker_store(endpoints.tracker_store, domain)
    try:
        assert isinstance(store, B12TrackerStore)
        await store.save(conversation("alice", domain, at=ago(60)))
        assert "alice" in event_counts(database_url)
    finally:
        store.engine.dispose()
    assert isinstance(LockStore.create(endpoints.lock_store), B12LockStore)


# -- a bad conversation id fails one turn, never the server ----------------------------


@pytest.mark.asyncio
async def test_an_unencodable_conversation_id_fails_the_turn_not_the_process(
    make_store: Callable[..., B12TrackerStore], domain: Any, database_url: str
) -> None:
    """Rasa's own session scope calls sys.exit for this id (a lone surrogate): one request
    would end the server for everybody."""
    store = make_store()
    bad = "x\udfff"
    tracker = conversation(bad, domain, at=ago(60), consent="no", text="hello")
    with pytest.raises(StorageOutage):
        await store.save(tracker)
    with pytest.raises(StorageOutage):
        await store.retrieve(bad)
    # The store carries on serving everyone else.
    fine = conversation("bob", domain, at=ago(60), consent="no", text="hello")
    await store.save(fine)
    assert await store.retrieve("bob") is not None
