"""The policies' applied events, continued from one prediction to the next, are always
Rasa's own ``DialogueStateTracker.applied_events()``: with reverted messages and actions,
forms (happy and unhappy paths), restarts and new sessions, at every step."""

from __future__ import annotations

import random

import pytest

pytest.importorskip("rasa", reason="the policies need Rasa installed")

from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    BotUttered,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402

from bot.rasa_adapters.policies import applied_events  # noqa: E402


def _random_event(rng: random.Random, n: int, loops: list[str]):
    choice = rng.random()
    if choice < 0.25:
        return UserUttered(f"m{n}", {"name": rng.choice(["inform", "affirm"]), "confidence": 1.0},
                           timestamp=float(n))
    if choice < 0.55:
        return ActionExecuted(rng.choice(["action_listen", "utter_x", *loops]),
                              timestamp=float(n))
    if choice < 0.65:
        return BotUttered(f"b{n}", timestamp=float(n))
    if choice < 0.75:
        return SlotSet("requested_slot", rng.choice([None, "a", "b"]), timestamp=float(n))
    if choice < 0.83:
        return ActiveLoop(rng.choice([None, *loops]), timestamp=float(n))
    if choice < 0.88:
        return UserUtteranceReverted(timestamp=float(n))
    if choice < 0.93:
        return ActionReverted(timestamp=float(n))
    if choice < 0.96:
        return SessionStarted(timestamp=float(n))
    return Restarted(timestamp=float(n))


@pytest.mark.parametrize("seed", range(40))
def test_continued_fold_equals_rasas_at_every_step(seed: int) -> None:
    rng = random.Random(seed)
    loops = ["interview_form"] if seed % 4 else ["interview_form", "other_form"]
    tracker = DialogueStateTracker("someone", [])
    for n in range(rng.randint(20, 160)):
        tracker.update(_random_event(rng, n, loops if n > 30 or seed % 3 else loops[:1]))
        if rng.random() < 0.3:
            assert applied_events(tracker) == tracker.applied_events()
    assert applied_events(tracker) == tracker.applied_events()
    assert applied_events(tracker) == tracker.applied_events()  # twice with nothing new


def test_a_tracker_with_other_events_is_folded_again() -> None:
    tracker = DialogueStateTracker("someone", [])
    for n in range(10):
        tracker.update(UserUttered(f"m{n}", {"name": "inform", "confidence": 1.0}))
        tracker.update(ActionExecuted("action_listen"))
    assert applied_events(tracker) == tracker.applied_events()
    other = DialogueStateTracker.from_events("someone", list(tracker.events)[:6])
    assert applied_events(other) == other.applied_events()
    tracker.events = type(tracker.events)(list(tracker.events)[4:])
    assert applied_events(tracker) == tracker.applied_events()
