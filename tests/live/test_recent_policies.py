"""The recent-turns view the policies predict from (bot/rasa_adapters/policies.py).

Whatever the cut, the states the rules and memoization compare must be the ones the
whole conversation gives: same slots, same loop, same last turns.
"""

from __future__ import annotations

import time
from pathlib import Path

import pytest
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActiveLoop,
    BotUttered,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

from bot.rasa_adapters.policies import _cut_index, _longest_story, recent_view

ROOT = Path(__file__).resolve().parents[2]
DOMAIN = Domain.load(ROOT / "domain.yml")
SLOT = next(s.name for s in DOMAIN.slots if s.influence_conversation)
LOOP = next(iter(DOMAIN.form_names), None)


def _turn(tracker: DialogueStateTracker, n: int, intent: str, action: str, hidden: bool) -> None:
    tracker.update(UserUttered(f"message {n}", {"name": intent, "confidence": 1.0},
                               timestamp=1000.0 + n))
    tracker.update(ActionExecuted(action, hide_rule_turn=hidden, timestamp=1000.5 + n))
    tracker.update(BotUttered(f"reply {n}", timestamp=1000.6 + n))
    tracker.update(ActionExecuted("action_listen", hide_rule_turn=hidden, timestamp=1000.7 + n))


def _conversation(turns: int) -> DialogueStateTracker:
    tracker = DialogueStateTracker("view-test", DOMAIN.slots)
    for event in (ActionExecuted("action_session_start"), SessionStarted(),
                  ActionExecuted("action_listen")):
        tracker.update(event)
    intents = [i for i in DOMAIN.intents if not i.startswith("nlu_")][:5]
    for n in range(turns):
        _turn(tracker, n, intents[n % len(intents)], "utter_faq" if n % 3 else "action_listen",
              hidden=n % 3 == 1)
        if n == 5:
            tracker.update(SlotSet(SLOT, DOMAIN.slots[0].initial_value or "x"))
        if n == 7 and LOOP:
            tracker.update(ActiveLoop(LOOP))
        if n == 20:  # a fallback takes back the last message
            tracker.update(UserUtteranceReverted())
    return tracker


# What each policy asks for: rules (longest rule 4 + margin 3) compare every turn,
# memoization (max_history 5 + margin 3) only the turns rules alone did not produce.
@pytest.mark.parametrize(
    ("keep", "unhidden", "ignore_rule_turns", "compared"),
    [(7, 0, False, 7), (8, 8, True, 5)],
)
def test_the_view_ends_with_the_states_of_the_whole_conversation(
    keep: int, unhidden: int, ignore_rule_turns: bool, compared: int
) -> None:
    tracker = _conversation(60)
    view = recent_view(tracker, keep, unhidden)
    assert view is not tracker and len(view.events) < len(tracker.events) / 4
    whole = tracker.past_states(DOMAIN, ignore_rule_only_turns=ignore_rule_turns)
    recent = view.past_states(DOMAIN, ignore_rule_only_turns=ignore_rule_turns)
    assert recent[-compared:] == whole[-compared:]
    assert view.current_slot_values() == tracker.current_slot_values()
    assert view.active_loop_name == tracker.active_loop_name
    assert view.latest_message is tracker.latest_message
    assert view.latest_action_name == tracker.latest_action_name


def test_a_short_conversation_is_used_whole() -> None:
    tracker = _conversation(2)
    assert recent_view(tracker, 7, 0) is tracker
    assert _cut_index(tracker.applied_events(), 100, 0) is None


def test_building_the_view_costs_less_than_the_states_it_saves() -> None:
    """Best of five each, fresh trackers for the view (nothing kept from an earlier
    view): one timing alone failed on a machine busy with other work."""
    with_view = whole = float("inf")
    for _attempt in range(5):
        tracker = _conversation(150)
        started = time.perf_counter()
        recent_view(tracker, 8, 8).past_states(DOMAIN)
        with_view = min(with_view, time.perf_counter() - started)
        started = time.perf_counter()
        tracker.past_states(DOMAIN)
        whole = min(whole, time.perf_counter() - started)
    assert with_view < whole / 2


def test_the_longest_memorised_story_is_read_from_the_keys() -> None:
    import base64
    import zlib

    def key(states: str) -> str:
        return base64.b64encode(zlib.compress(states.encode())).decode()

    lookup = {
        key("[{}]"): "utter_greet",
        key("[{prev_action: {action_name: action_listen}}, {user: {intent: greet}}, {}]"): "x",
    }
    assert _longest_story(lookup) == 3
    assert _longest_story({"[{prev_action: {}}, {}]": "x"}) == 2  # not compressed
    assert _longest_story({key("[{user: {text: a } b}}]"): "x"}) == -1  # unreadable: no shortcut
