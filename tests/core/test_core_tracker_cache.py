"""The tracker store keeps a saved conversation for its next message, and hands it out only
when it is exactly what the database holds: never another conversation's, never after
another server, a purge or an erasure wrote, never across a new session, never for long."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any, Callable, Iterator

import pytest

pytest.importorskip("rasa", reason="the tracker store needs Rasa installed")

from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity  # noqa: E402

from bot.rasa_adapters.tracker_store import B12TrackerStore  # noqa: E402
from bot.storage.conversations import erase_conversation  # noqa: E402

DOMAIN = Domain.from_yaml("""
version: "3.1"
intents: [greet, delete_my_data]
slots:
  consent:
    type: text
    influence_conversation: false
    mappings: [{type: custom}]
responses:
  utter_greet: [{text: "Hello there."}]
actions: [action_delete_my_data]
session_config:
  session_expiration_time: 60
  carry_over_slots_to_new_session: true
""")


@pytest.fixture
def make_store(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Any]]:
    from rasa.core.actions.action import RemoteAction

    monkeypatch.setattr(RemoteAction, "run", RemoteAction.run)
    monkeypatch.setenv("B12_DATABASE_URL", f"sqlite:///{tmp_path / 'b12.db'}")
    monkeypatch.delenv("B12_KEPT_EVENTS", raising=False)
    made: list[B12TrackerStore] = []

    def build(**kwargs: Any) -> B12TrackerStore:
        store = B12TrackerStore(domain=DOMAIN, **kwargs)
        made.append(store)
        return store

    yield build
    for store in made:
        store.engine.dispose()


def a_turn(tracker: DialogueStateTracker, text: str, intent: str = "greet") -> None:
    tracker.update(UserUttered(text, intent={"name": intent, "confidence": 1.0},
                               parse_data={"intent": {"name": intent, "confidence": 1.0},
                                           "entities": [], "text": text}))
    tracker.update(ActionExecuted("utter_greet"))
    tracker.update(BotUttered("Hello there.", {"buttons": None}))
    tracker.update(SlotSet("consent", text))
    tracker.update(ActionExecuted("action_listen"))


async def started(store: B12TrackerStore, sender: str) -> DialogueStateTracker:
    """A conversation as Rasa begins one: created, then a session started, then saved."""
    tracker = await store.get_or_create_tracker(sender)
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    a_turn(tracker, "hello")
    await store.save(tracker)
    return tracker


def state(tracker: DialogueStateTracker) -> dict:
    return tracker.current_state(EventVerbosity.ALL)


async def from_database(sender: str) -> DialogueStateTracker:
    fresh = B12TrackerStore(domain=DOMAIN, kept_events=0)
    try:
        tracker = await fresh.retrieve(sender)
    finally:
        fresh.engine.dispose()
    assert tracker is not None
    return tracker


@pytest.mark.asyncio
async def test_the_next_message_gets_the_saved_tracker_equal_to_the_stored_one(make_store):
    store = make_store()
    first = await from_database_after(store, "alice")
    again = await store.retrieve("alice")
    assert again is first  # kept: not read, decoded and replayed again
    assert state(again) == state(await from_database("alice"))
    a_turn(again, "tired all the time")
    await store.save(again)
    assert state(await store.retrieve("alice")) == state(await from_database("alice"))


async def from_database_after(store: B12TrackerStore, sender: str) -> DialogueStateTracker:
    await started(store, sender)
    tracker = await store.retrieve(sender)  # the first turn's tracker, as read
    a_turn(tracker, "pins and needles")
    await store.save(tracker)
    return tracker


@pytest.mark.asyncio
async def test_one_turn_at_a_time_holds_it(make_store):
    store = make_store()
    kept = await from_database_after(store, "alice")
    taken = await store.retrieve("alice")
    assert taken is kept
    other = await store.retrieve("alice")  # while that turn runs: read from the database
    assert other is not kept and state(other) == state(kept)


@pytest.mark.asyncio
async def test_a_failed_turn_is_read_from_the_database_next_time(make_store):
    store = make_store()
    await from_database_after(store, "alice")
    taken = await store.retrieve("alice")
    a_turn(taken, "this turn fails before it is saved")
    back = await store.retrieve("alice")
    assert back is not taken
    assert [e.text for e in back.events if isinstance(e, UserUttered)] == [
        "hello", "pins and needles"]


@pytest.mark.asyncio
async def test_never_another_conversations_tracker(make_store):
    store = make_store()
    alice = await from_database_after(store, "alice")
    bob = await from_database_after(store, "bob")
    got_bob = await store.retrieve("bob")
    got_alice = await store.retrieve("alice")
    assert got_bob is bob and got_alice is alice
    assert got_bob.sender_id == "bob" and got_alice.sender_id == "alice"
    assert await store.retrieve("carol") is None


@pytest.mark.asyncio
async def test_a_turn_on_another_server_is_read_from_the_database(make_store):
    here, there = make_store(), make_store()
    kept = await from_database_after(here, "alice")
    elsewhere = await there.retrieve("alice")
    a_turn(elsewhere, "said to the other server")
    await there.save(elsewhere)
    back = await here.retrieve("alice")
    assert back is not kept
    assert "said to the other server" in [e.text for e in back.events
                                          if isinstance(e, UserUttered)]


@pytest.mark.asyncio
async def test_an_erased_conversation_is_not_handed_out(make_store):
    store = make_store()
    await from_database_after(store, "alice")
    erase_conversation(store.engine, "alice")  # `python -m bot purge`, another process
    assert await store.retrieve("alice") is None


@pytest.mark.asyncio
async def test_nothing_is_kept_after_delete_my_data(make_store):
    store = make_store()
    tracker = await from_database_after(store, "alice")
    tracker = await store.retrieve("alice")
    a_turn(tracker, "delete my data", intent="delete_my_data")
    tracker.update(ActionExecuted("action_delete_my_data"))
    await store.save(tracker)
    assert len(store.kept) == 0
    assert await store.retrieve("alice") is None


@pytest.mark.asyncio
async def test_a_new_session_is_read_from_the_database(make_store):
    store = make_store()
    tracker = await from_database_after(store, "alice")
    tracker = await store.retrieve("alice")
    tracker.update(ActionExecuted("action_session_start"))
    tracker.update(SessionStarted())
    tracker.update(ActionExecuted("action_listen"))
    a_turn(tracker, "back again")
    await store.save(tracker)
    assert len(store.kept) == 0
    back = await store.retrieve("alice")
    assert back is not tracker
    assert [e.text for e in back.events if isinstance(e, UserUttered)] == ["back again"]
    assert state(back) == state(await from_database("alice"))


@pytest.mark.asyncio
async def test_a_tracker_read_across_sessions_is_not_kept(make_store):
    store = make_store()
    await from_database_after(store, "alice")
    tracker = await store.retrieve("alice")
    tracker.update(SessionStarted())
    a_turn(tracker, "back again")
    await store.save(tracker)
    full = await store.retrieve_full_tracker("alice")
    a_turn(full, "more")
    await store.save(full)
    assert len(store.kept) == 0


@pytest.mark.asyncio
async def test_kept_no_longer_than_the_session_length(make_store, monkeypatch):
    store = make_store()
    kept = await from_database_after(store, "alice")
    later = time.monotonic() + 61 * 60
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert len(store.kept) == 1
    back = await store.retrieve("alice")
    assert back is not kept and len(store.kept) == 0


@pytest.mark.asyncio
async def test_the_oldest_go_first_beyond_the_event_budget(make_store):
    store = make_store(kept_events=40)
    for sender in ("alice", "bob", "carol"):
        await from_database_after(store, sender)
    assert store.kept.events <= 40
    assert await store.retrieve("alice") is not None  # read from the database
    assert len(store.kept) < 3


@pytest.mark.asyncio
async def test_zero_turns_it_off(make_store, monkeypatch):
    monkeypatch.setenv("B12_KEPT_EVENTS", "0")
    store = make_store()
    kept = await from_database_after(store, "alice")
    assert len(store.kept) == 0
    assert await store.retrieve("alice") is not kept


@pytest.mark.asyncio
async def test_saving_a_kept_tracker_writes_each_event_once(make_store):
    store = make_store()
    tracker = await from_database_after(store, "alice")
    for text in ("one", "two", "three"):
        tracker = await store.retrieve("alice")
        a_turn(tracker, text)
        await store.save(tracker)
    fresh = await from_database("alice")
    assert len(fresh.events) == len(tracker.events)
    assert state(fresh) == state(tracker)


@pytest.mark.asyncio
async def test_a_kept_conversation_gets_a_full_action_deadline_every_turn(monkeypatch):
    """The action deadline belongs to the turn's message object, not to an equal text: a
    kept tracker still holds the earlier "why?" when the person asks "why?" again."""
    import asyncio

    from rasa.core.actions.action import RemoteAction
    from rasa.core.channels.channel import CollectingOutputChannel

    from bot.rasa_adapters.patches import outage

    async def hung(self, output_channel, nlg, tracker, domain):
        await asyncio.sleep(5)
        return []

    monkeypatch.setenv(outage.TIMEOUT_VARIABLE, "0.3")
    monkeypatch.setattr(RemoteAction, "run", hung)
    outage.install()
    action = RemoteAction("action_explain_why", None)
    tracker = DialogueStateTracker("alice", DOMAIN.slots)

    async def waited() -> float:
        begun = time.monotonic()
        await action.run(CollectingOutputChannel(), None, tracker, DOMAIN)
        return time.monotonic() - begun

    tracker.update(UserUttered("why?", intent={"name": "greet", "confidence": 1.0}))
    assert await waited() > 0.25
    assert await waited() < 0.1  # the same turn: its time is used up
    tracker.update(UserUttered("why?", intent={"name": "greet", "confidence": 1.0}))
    assert await waited() > 0.25  # a later turn, an equal message: a deadline of its own
    outage.start_turn(tracker)  # handed out again with no new message (the HTTP API)
    assert await waited() > 0.25
