"""Rasa's rule and memoization policies, predicting from the recent part of a conversation.

Referenced from config.yml::

    policies:
      - name: bot.rasa_adapters.policies.RecentMemoizationPolicy
      - name: bot.rasa_adapters.policies.RecentRulePolicy

Why: for every prediction (two or three per message, each policy once or twice) Rasa
rebuilds the dialogue state after every action since the conversation began
(``DialogueStateTracker.past_states``): a rule looks at most at its own length, and
memoization (without ``max_history``, Rasa's default) looks for a story matching the
whole conversation, which a conversation longer than every story cannot. Profiled on
one conversation, that rebuilding was about half of a turn at turn 100, so a long
conversation got slower with every message.

These policies are Rasa's own, trained and stored the same way; they only hand the
state builder a shorter tracker that ends the same way. Memoization without
``max_history`` (the default here) recalls a story only when the whole conversation
matches it: once the recent turns alone are more than the longest memorised story, no
story can match and the whole history is not rebuilt to find that out. The view keeps
the last turns (at least the longest rule, or story, or ``max_history``, plus a
margin, counting for memoization only the turns it does not ignore), starts with the slot values
and active loop the conversation had where it was cut, and takes every attribute
the policies read directly (latest message and action, active loop with its
flags, follow-up action, slots) from the real tracker. The states the policies compare
are then the same as with the whole conversation; a conversation that is still
short, or whose recent history holds too few such turns, is used whole.
"""

from __future__ import annotations

import base64
import contextlib
import copy
import itertools
import json
import zlib
from typing import Any, Dict, List

from rasa.core.policies.memoization import MemoizationPolicy
from rasa.core.policies.policy import PolicyPrediction
from rasa.core.policies.rule_policy import (
    RULES,
    RULES_FOR_LOOP_UNHAPPY_PATH,
    RulePolicy,
)
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.domain import Domain
from rasa.shared.core.events import (
    ActionExecuted,
    ActionReverted,
    ActiveLoop,
    AllSlotsReset,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker

# Turns kept beyond what the rules and memoization look at, so that the first turns
# of the view (which start without a previous action) are never compared.
MARGIN_TURNS = 3
# Where a tracker keeps its applied events between predictions (see ``applied_events``).
_APPLIED = "_b12_applied_events"


class _Applied:
    """``tracker.applied_events()`` of the first ``count`` events, ready to be continued."""

    __slots__ = ("events", "count", "last", "first", "loop_names", "applied")

    def __init__(self, events: Any, loop_names: frozenset, applied: List[Event]) -> None:
        self.events = events
        self.count = len(events)
        self.first = events[0] if events else None
        self.last = events[-1] if events else None
        self.loop_names = loop_names
        self.applied = applied


def _loop_names(events: Any) -> frozenset:
    return frozenset(e.name for e in events if isinstance(e, ActiveLoop) and e.name)


def _fold(tracker: DialogueStateTracker, applied: List[Event], events: Any, loops: frozenset
          ) -> List[Event]:
    """Rasa's ``DialogueStateTracker.applied_events`` loop, continued from ``applied``."""
    for event in events:
        if isinstance(event, (Restarted, SessionStarted)):
            applied = []
        elif isinstance(event, ActionReverted):
            tracker._undo_till_previous(ActionExecuted, applied)
        elif isinstance(event, UserUtteranceReverted):
            tracker._undo_till_previous(UserUttered, applied)
            tracker._undo_till_previous(ActionExecuted, applied)
        elif (
            isinstance(event, ActionExecuted)
            and event.action_name in loops
            and not tracker._first_loop_execution_or_unhappy_path(event.action_name, applied)
        ):
            tracker._undo_till_previous_loop_execution(event.action_name, applied)
        else:
            applied.append(event)
    return applied


def applied_events(tracker: DialogueStateTracker) -> List[Event]:
    """``tracker.applied_events()``, continued from the previous call on the same tracker.

    Rasa folds every event of the conversation again on each call, several times per
    message; events are only ever appended to a tracker, so the fold of the events seen
    last time is kept on the tracker and continued over the new ones. It is started over
    when the events are not the ones folded before (another list, events dropped from
    its start) or when a form name appears that the earlier events did not have (Rasa
    reads every form's name before folding). The list returned must not be changed.
    """
    events = tracker.events
    cached = getattr(tracker, _APPLIED, None)
    if (
        isinstance(cached, _Applied)
        and cached.events is events
        and cached.count <= len(events)
        and (cached.first is (events[0] if events else None))
        and (not cached.count or events[cached.count - 1] is cached.last)
    ):
        new = list(itertools.islice(events, cached.count, None))
        loops = cached.loop_names | _loop_names(new)
        if loops == cached.loop_names:
            applied = _fold(tracker, cached.applied, new, loops)
            setattr(tracker, _APPLIED, _Applied(events, loops, applied))
            return applied
    loops = _loop_names(events)
    applied = _fold(tracker, [], events, loops)
    with contextlib.suppress(AttributeError):
        setattr(tracker, _APPLIED, _Applied(events, loops, applied))
    return applied


def _cut_index(applied: List[Event], turns: int, unhidden: int) -> int | None:
    """Where the view starts: the latest action such that at least ``turns`` actions,
    ``unhidden`` of them not hidden from memoization, follow it; None: keep it all."""
    seen = not_hidden = 0
    for index in range(len(applied) - 1, -1, -1):
        event = applied[index]
        if isinstance(event, ActionExecuted):
            seen += 1
            if not event.hide_rule_turn:
                not_hidden += 1
            if seen >= turns and not_hidden >= unhidden:
                return index if index > 0 else None
    return None


def recent_view(
    tracker: DialogueStateTracker, turns: int, unhidden: int
) -> DialogueStateTracker:
    """A tracker holding only the recent part of ``tracker`` with the same current state.

    Returns ``tracker`` itself when there is nothing worth cutting.
    """
    applied = applied_events(tracker)
    cut = _cut_index(applied, turns, unhidden)
    if cut is None:
        return tracker
    slots: Dict[str, Any] = {}
    loop: str | None = None
    for event in applied[:cut]:
        if isinstance(event, SlotSet):
            slots[event.key] = event.value
        elif isinstance(event, AllSlotsReset):
            slots = {}
        elif isinstance(event, ActiveLoop):
            loop = event.name
    start: List[Event] = [SlotSet(name, value) for name, value in slots.items()]
    if loop:
        start.append(ActiveLoop(loop))
    view = DialogueStateTracker(tracker.sender_id, tracker.slots.values())
    for event in start + applied[cut:]:
        view.update(event)
    # What the policies read directly: exactly the conversation's current state.
    view.slots = tracker.slots
    view.active_loop = copy.copy(tracker.active_loop)
    view.followup_action = tracker.followup_action
    view.latest_action = tracker.latest_action
    view.latest_message = tracker.latest_message
    view.latest_bot_utterance = tracker.latest_bot_utterance
    view._paused = tracker.is_paused()
    return view


def _longest_story(lookup: Dict[str, Any]) -> int:
    """The most states in any memorised key; -1 when a key cannot be read that way.

    A key is the states' JSON with its quotes removed, compressed unless
    ``enable_feature_string_compression`` is off; each state is one top-level ``{...}``.
    """
    longest = 0
    for key in lookup:
        try:
            text = zlib.decompress(base64.b64decode(key, validate=True)).decode()
        except (ValueError, zlib.error, UnicodeDecodeError):
            text = str(key)
        depth = states = 0
        for char in text:
            if char == "{":
                depth += 1
                states += depth == 1
            elif char == "}":
                depth -= 1
            if depth < 0:
                return -1
        if depth != 0:
            return -1
        longest = max(longest, states)
    return longest


def _longest_rule(lookup: Dict[str, Any]) -> int:
    """The most states any learned rule compares (a rule key is a JSON list of states)."""
    longest = 0
    for table in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH):
        for key in (lookup.get(table) or {}):
            try:
                longest = max(longest, len(json.loads(key)))
            except (TypeError, ValueError):
                continue
    return longest


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class RecentMemoizationPolicy(MemoizationPolicy):
    """Rasa's memoization, predicting from the turns its ``max_history`` can see, or
    (no ``max_history``) knowing from the recent turns when no story can match."""

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        history = self.config.get("max_history") or 0
        if not history:
            return self._predict_unlimited(tracker, domain, rule_only_data, **kwargs)
        keep = history + MARGIN_TURNS
        view = recent_view(tracker, turns=keep, unhidden=keep)
        return super().predict_action_probabilities(view, domain, rule_only_data, **kwargs)


    _longest: int | None = None

    def _predict_unlimited(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Dict[str, Any] | None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        """Without ``max_history`` (Rasa's default) a story is recalled only when the whole
        conversation matches it, so a conversation longer than every memorised story can
        match none: that is decided on the recent turns, without the whole history."""
        if self._longest is None:
            self._longest = _longest_story(self.lookup)
        if self._longest >= 0:
            keep = self._longest + 3 * MARGIN_TURNS
            view = recent_view(tracker, turns=keep, unhidden=keep)
            if view is not tracker:
                states = self._prediction_states(view, domain, rule_only_data=rule_only_data)
                # All but the view's first turns are turns of the whole conversation too.
                if len(states) - 2 * MARGIN_TURNS > self._longest:
                    return self._prediction(self._default_predictions(domain))
        return super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class RecentRulePolicy(RulePolicy):
    """Rasa's rule policy, predicting from the turns its longest rule can see."""

    _longest: int | None = None

    def predict_action_probabilities(
        self,
        tracker: DialogueStateTracker,
        domain: Domain,
        rule_only_data: Dict[str, Any] | None = None,
        **kwargs: Any,
    ) -> PolicyPrediction:
        if self._longest is None:
            self._longest = _longest_rule(self.lookup)
        keep = self._longest + MARGIN_TURNS
        view = recent_view(tracker, turns=keep, unhidden=0)
        return super().predict_action_probabilities(view, domain, rule_only_data, **kwargs)
