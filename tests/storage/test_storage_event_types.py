"""Stored events come back as the same Rasa events, found from a table instead of a
search of Rasa's class tree on every event (the main cost of loading a conversation)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

pytest.importorskip("rasa", reason="the event table replaces a Rasa lookup")

from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    BotUttered,
    Event,
    SessionStarted,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.slots import AnySlot  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.shared.utils.common import all_subclasses  # noqa: E402

from bot.rasa_adapters.patches import event_types  # noqa: E402


@pytest.fixture
def rasa_lookup() -> Iterator[Any]:
    """Rasa's own function, with the table installed for the test and removed after it."""
    saved = Event.__dict__["resolve_by_type"]
    # Start from Rasa's own function, whether or not an earlier test installed the table.
    original = getattr(Event.resolve_by_type, "__wrapped__", Event.resolve_by_type)
    Event.resolve_by_type = staticmethod(original)
    event_types.install()
    yield original
    Event.resolve_by_type = saved


def concrete_event_names() -> list[str]:
    return sorted({cls.type_name for cls in all_subclasses(Event)})


def test_every_event_name_resolves_to_the_class_rasa_finds(rasa_lookup: Any) -> None:
    names = concrete_event_names()
    assert len(names) > 20  # user, bot, action, slot, session_started, ...
    assert Event.resolve_by_type is not rasa_lookup
    for name in names:
        assert Event.resolve_by_type(name) is rasa_lookup(name), name


def test_unknown_names_keep_rasa_behaviour(rasa_lookup: Any) -> None:
    assert Event.resolve_by_type("topic") is None
    assert Event.resolve_by_type("no_such_event", SlotSet) is SlotSet
    with pytest.raises(ValueError, match="Unknown event name 'no_such_event'"):
        Event.resolve_by_type("no_such_event")


def test_an_event_class_defined_later_is_found(rasa_lookup: Any) -> None:
    assert Event.resolve_by_type("user") is UserUttered  # the table is built now

    class LateEvent(Event):
        type_name = "b12_late_event_for_test"

        def __eq__(self, other: Any) -> bool:
            return isinstance(other, LateEvent)

        def __hash__(self) -> int:
            return hash(self.type_name)

        def as_story_string(self) -> str:
            return self.type_name

    assert Event.resolve_by_type("b12_late_event_for_test") is LateEvent


def test_installing_twice_keeps_one_table(rasa_lookup: Any) -> None:
    first = Event.resolve_by_type
    event_types.install()
    assert Event.resolve_by_type is first
    assert first.__wrapped__ is rasa_lookup


def test_a_stored_conversation_loads_the_same(rasa_lookup: Any) -> None:
    slots = [AnySlot("age", mappings=[{"type": "custom"}])]
    events = [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered("I'm 58", {"name": "inform", "confidence": 0.93}),
        SlotSet("age", 58),
        BotUttered("Thanks. Do your feet tingle?", {"buttons": [{"title": "Yes"}]}),
        ActionExecuted("action_listen"),
    ]
    stored = [event.as_dict() for event in events]

    loaded = DialogueStateTracker.from_dict("person", stored, slots)

    assert list(loaded.events) == events
    assert loaded.get_slot("age") == 58
    assert loaded.latest_message.intent["name"] == "inform"
