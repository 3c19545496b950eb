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
# Where a tracker keeps memoization's proof that no story can match it (``_TooLong``).
_TOO_LONG = "_b12_too_long_for_stories"
# Where a tracker keeps the slots and loop at its views' last cuts (``_state_at``).
_STATE_AT = "_b12_state_at_cut"
# At most this many kinds of cut (turns kept, unhidden turns) are remembered per tracker.
_STATE_AT_KINDS = 8


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


class _TooLong:
    """Proof, kept on a tracker, that its conversation has more states than ``policy``'s
    longest memorised story: the applied events up to ``count`` gave that many more.

    Memoization's states are rebuilt turn by turn from the start, so the states of a
    conversation's first events stay its first states however it goes on (the last one
    aside, which is built as if nothing followed). The proof holds while the applied
    events still begin with those events: the same list, folded on (``applied_events``),
    with the same event at ``count - 1`` (the fold only appends, or removes from the end:
    a removal before that position would have moved another event into it). A restart
    or new session folds into a new list, which drops the proof.
    """

    __slots__ = ("policy", "applied", "count", "last")

    def __init__(self, policy: object, applied: List[Event]) -> None:
        self.policy = policy
        self.applied = applied
        self.count = len(applied)
        self.last = applied[-1] if applied else None

    def holds(self, policy: object, applied: List[Event]) -> bool:
        return (
            self.policy is policy
            and self.applied is applied
            and self.count > 0
            and len(applied) >= self.count
            and applied[self.count - 1] is self.last
        )


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


class _StateAt:
    """The slot values and active loop after the first ``count`` applied events."""

    __slots__ = ("applied", "count", "last", "slots", "loop")

    def __init__(self, applied: List[Event], count: int, slots: Dict[str, Any],
                 loop: str | None) -> None:
        self.applied = applied
        self.count = count
        self.last = applied[count - 1] if count else None
        self.slots = slots
        self.loop = loop


def _state_at(
    tracker: DialogueStateTracker, applied: List[Event], cut: int, key: object
) -> tuple[Dict[str, Any], str | None]:
    """Slot values and active loop after ``applied[:cut]``, continued from the previous
    cut of the same kind (``key``) on the same tracker.

    Folding every event before the cut again was the part of a view that grew with the
    conversation; the cut only moves forward as turns are added, so the fold of the
    previous cut is continued while the applied events still begin with the same
    events (same list, same event at the previous cut's last position: the fold of
    applied events only appends or removes from the end, see ``_TooLong``).
    """
    kept = getattr(tracker, _STATE_AT, None)
    if not isinstance(kept, dict):
        kept = {}
        with contextlib.suppress(AttributeError):
            setattr(tracker, _STATE_AT, kept)
    known = kept.get(key)
    if (
        isinstance(known, _StateAt)
        and known.applied is applied
        and known.count <= cut
        and (not known.count or applied[known.count - 1] is known.last)
    ):
        slots, loop, start = dict(known.slots), known.loop, known.count
    else:
        slots, loop, start = {}, None, 0
    for event in itertools.islice(applied, start, cut):
        if isinstance(event, SlotSet):
            slots[event.key] = event.value
        elif isinstance(event, AllSlotsReset):
            slots = {}
        elif isinstance(event, ActiveLoop):
            loop = event.name
    if len(kept) >= _STATE_AT_KINDS and key not in kept:
        kept.clear()  # memoization's widened views can ask for many kinds of cut
    kept[key] = _StateAt(applied, cut, dict(slots), loop)
    return slots, loop


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
    slots, loop = _state_at(tracker, applied, cut, (turns, unhidden))
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
        match none: that is decided on the recent turns, without the whole history.

        A turn not hidden from memoization does not always give a state (the turn after
        a form's hidden turn is hidden with it, Rasa's ``states_for_tracker_history``),
        so the view is widened, in proportion to the states it lacked, until its states
        alone outnumber the longest story or it would be the whole conversation: inside
        an interview interrupted by questions a view of the longest story's length in
        such turns held one state too few, and every prediction rebuilt the whole
        conversation's states. Once decided, the answer is kept on the tracker for the
        conversation's next predictions (``_TooLong``).
        """
        if self._longest is None:
            self._longest = _longest_story(self.lookup)
        if self._longest < 0:
            return super().predict_action_probabilities(tracker, domain, rule_only_data, **kwargs)
        applied = applied_events(tracker)
        known = getattr(tracker, _TOO_LONG, None)
        if isinstance(known, _TooLong) and known.holds(self, applied):
            return self._prediction(self._default_predictions(domain))
        # The view must give this many states: its first turns may differ from the
        # whole conversation's, and a later prediction may lose the view's last state.
        needed = self._longest + 2 * MARGIN_TURNS + 2
        keep = self._longest + 3 * MARGIN_TURNS
        while True:
            view = recent_view(tracker, turns=keep, unhidden=keep)
            if view is tracker:
                break
            states = self._prediction_states(view, domain, rule_only_data=rule_only_data)
            if len(states) >= needed:
                with contextlib.suppress(AttributeError):
                    setattr(tracker, _TOO_LONG, _TooLong(self, applied))
                return self._prediction(self._default_predictions(domain))
            # All but the view's first turns are turns of the whole conversation too.
            if len(states) - 2 * MARGIN_TURNS > self._longest:
                return self._prediction(self._default_predictions(domain))
            wider = -(-keep * (needed + MARGIN_TURNS) // max(len(states), 1))  # rounded up
            keep = max(keep + MARGIN_TURNS, wider)
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
