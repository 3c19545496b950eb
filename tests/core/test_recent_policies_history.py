"""The recent-turns policies predict exactly what Rasa's own MemoizationPolicy and
RulePolicy predict, on every story and rule of the project and on long conversations,
while a long interview interrupted by questions no longer rebuilds its whole history.

Rasa's policies are trained here on the project's own domain and data (the stories and
rules ``rasa train`` reads), and the project's policies are given the same lookup: the
two are then asked about the same tracker at every point where Rasa predicts an action.
The tracker is one object that grows turn by turn, as in the server (which keeps a
conversation's tracker between its messages), so what the policies keep on it from one
prediction to the next is exercised too.
"""

from __future__ import annotations

import random
from pathlib import Path
from typing import Any, Iterator, List

import pytest

pytest.importorskip("rasa", reason="the policies need Rasa installed")

from rasa.core.policies.memoization import MemoizationPolicy  # noqa: E402
from rasa.core.policies.policy import PolicyPrediction  # noqa: E402
from rasa.core.policies.rule_policy import RulePolicy  # noqa: E402
from rasa.engine.graph import ExecutionContext, GraphSchema  # noqa: E402
from rasa.engine.storage.local_model_storage import LocalModelStorage  # noqa: E402
from rasa.engine.storage.resource import Resource  # noqa: E402
from rasa.shared.core.domain import Domain  # noqa: E402
from rasa.shared.core.events import (  # noqa: E402
    ActionExecuted,
    ActionExecutionRejected,
    ActiveLoop,
    BotUttered,
    DefinePrevUserUtteredFeaturization,
    Event,
    Restarted,
    SessionStarted,
    SlotSet,
    UserUtteranceReverted,
    UserUttered,
)
from rasa.shared.core.generator import TrainingDataGenerator  # noqa: E402
from rasa.shared.core.trackers import DialogueStateTracker  # noqa: E402
from rasa.shared.importers.importer import TrainingDataImporter  # noqa: E402

from bot.rasa_adapters import policies  # noqa: E402
from bot.rasa_adapters.policies import (  # noqa: E402
    RecentMemoizationPolicy,
    RecentRulePolicy,
)

ROOT = Path(__file__).resolve().parents[2]
FORM = "interview_form"
# As config.yml sets the rule policy.
RULE_CONFIG = {
    "core_fallback_threshold": 0.3,
    "core_fallback_action_name": "action_default_fallback",
    "enable_fallback_prediction": True,
}


class Trained:
    """Rasa's two policies trained on the project's data, and the project's two with
    the same lookups."""

    def __init__(self, tmp: Path) -> None:
        importer = TrainingDataImporter.load_from_dict(
            domain_path=str(ROOT / "domain.yml"), training_data_paths=[str(ROOT / "data")]
        )
        self.domain: Domain = importer.get_domain()
        self.trackers = TrainingDataGenerator(
            importer.get_stories(), self.domain, augmentation_factor=0
        ).generate()
        storage = LocalModelStorage(tmp)
        context = ExecutionContext(GraphSchema({}), "test")
        memo_config = MemoizationPolicy.get_default_config()
        rule_config = {**RulePolicy.get_default_config(), **RULE_CONFIG}
        self.memo = MemoizationPolicy.create(memo_config, storage, Resource("memo"), context)
        self.memo.train(self.trackers, self.domain)
        self.rule = RulePolicy.create(rule_config, storage, Resource("rule"), context)
        self.rule.train(self.trackers, self.domain)
        self.recent_memo = RecentMemoizationPolicy(
            memo_config, storage, Resource("recent_memo"), context, lookup=self.memo.lookup
        )
        self.recent_rule = RecentRulePolicy(
            rule_config, storage, Resource("recent_rule"), context, lookup=self.rule.lookup
        )
        self.rule_only = {
            "slots": self.rule.lookup.get("rule_only_slots", []),
            "loops": self.rule.lookup.get("rule_only_loops", []),
        }

    def compare(self, tracker: DialogueStateTracker) -> tuple[PolicyPrediction, bool]:
        """Both pairs' predictions on ``tracker``, asserted equal; returns Rasa's rule
        prediction and whether Rasa's memoization recalled an action."""
        memo = self.memo.predict_action_probabilities(tracker, self.domain, self.rule_only)
        recent_memo = self.recent_memo.predict_action_probabilities(
            tracker, self.domain, self.rule_only
        )
        assert recent_memo.probabilities == memo.probabilities, _where(tracker)
        rule = self.rule.predict_action_probabilities(tracker, self.domain, self.rule_only)
        recent_rule = self.recent_rule.predict_action_probabilities(
            tracker, self.domain, self.rule_only
        )
        for field in ("probabilities", "events", "hide_rule_turn", "is_end_to_end_prediction",
                      "is_no_user_prediction", "optional_events"):
            assert getattr(recent_rule, field) == getattr(rule, field), (field, _where(tracker))
        return rule, max(memo.probabilities) > 0


def _where(tracker: DialogueStateTracker) -> str:
    return f"{len(tracker.events)} events, last {tracker.latest_action_name}"


@pytest.fixture(scope="module")
def trained(tmp_path_factory: pytest.TempPathFactory) -> Trained:
    return Trained(tmp_path_factory.mktemp("policies"))


def _replay(trained: Trained, events: List[Event], live_flags: bool) -> Iterator[
    DialogueStateTracker
]:
    """One growing tracker, yielded before each action; with ``live_flags`` each action is
    marked hidden from memoization when Rasa's rule policy predicted it from a rule that
    no story has (what the server's ensemble records)."""
    tracker = DialogueStateTracker("test", trained.domain.slots)
    for event in events:
        if isinstance(event, ActionExecuted):
            yield tracker
            if live_flags and event.action_name:
                rule = trained.rule.predict_action_probabilities(
                    tracker, trained.domain, trained.rule_only
                )
                chosen = trained.domain.action_names_or_texts[
                    rule.probabilities.index(max(rule.probabilities))
                ]
                event = ActionExecuted(event.action_name, event.policy, event.confidence,
                                       timestamp=event.timestamp, metadata=event.metadata,
                                       hide_rule_turn=rule.hide_rule_turn
                                       and chosen == event.action_name)
        tracker.update(event)
    yield tracker


@pytest.mark.parametrize("live_flags", [False, True])
def test_same_predictions_on_every_story_and_rule(trained: Trained, live_flags: bool) -> None:
    recalled = compared = 0
    for training_tracker in trained.trackers:
        for tracker in _replay(trained, list(training_tracker.events), live_flags):
            _rule, memo_recalled = trained.compare(tracker)
            recalled += memo_recalled
            compared += 1
    assert compared > 200
    assert recalled > 20  # the stories are recalled: the comparison is not all "nothing"


# ---------------------------------------------------------------- long conversations

def _ask(intent: str, n: float) -> List[Event]:
    return [ActionExecuted("action_listen", timestamp=n),
            UserUttered(f"m{n}", {"name": intent, "confidence": 1.0}, timestamp=n)]


def _form_asks(n: float) -> List[Event]:
    """The form's own run: it asks its question (the slots it sets, a message)."""
    return [ActionExecuted(FORM, timestamp=n),
            SlotSet("interview_answer", None, timestamp=n),
            SlotSet("requested_slot", "interview_answer", timestamp=n),
            BotUttered("How old are you?", timestamp=n),
            SlotSet("interview_question", "age", timestamp=n)]


QUESTIONS = [("faq", "utter_faq"), ("ask_why", "action_explain_why"),
             ("ask_tests", "action_tests"), ("help", "utter_help"),
             ("report_lab", "action_lab_result"), ("bot_challenge", "utter_iamabot")]
# bench/turn_cost.py's cycle: foods, why, tests, pernicious anaemia, stress (three faq).
BENCH_CYCLE = [QUESTIONS[0], QUESTIONS[1], QUESTIONS[2], QUESTIONS[0], QUESTIONS[0]]


def _turn(kind: str, rng: random.Random, n: float, in_form: bool,
          question: tuple[str, str] | None = None) -> tuple[List[Event], bool]:
    """One person's message and what the assistant did about it, as the server records it."""
    if kind == "start":
        return [*_ask("start_check", n), *_form_asks(n), ActiveLoop(FORM, timestamp=n)], True
    if kind == "answer" and in_form:
        return [*_ask(rng.choice(["affirm", "deny", "unsure"]), n), *_form_asks(n)], True
    if kind == "finish" and in_form:
        return [*_ask("affirm", n), ActionExecuted(FORM, timestamp=n),
                ActiveLoop(None, timestamp=n), SlotSet("requested_slot", None, timestamp=n),
                ActionExecuted("action_assessment", timestamp=n),
                BotUttered("assessment", timestamp=n)], False
    if kind == "fallback":
        return [*_ask("nlu_fallback", n), ActionExecuted("action_default_fallback", timestamp=n),
                BotUttered("sorry?", timestamp=n), UserUtteranceReverted(timestamp=n)], in_form
    if kind == "restart":
        return [*_ask("restart", n), ActionExecuted("action_restart", timestamp=n),
                Restarted(timestamp=n)], False
    if kind == "session":
        return [ActionExecuted("action_session_start", timestamp=n),
                SessionStarted(timestamp=n)], False
    intent, action = question or rng.choice(QUESTIONS)
    events = _ask(intent, n)
    if in_form:
        events += [ActionExecutionRejected(FORM, timestamp=n),
                   DefinePrevUserUtteredFeaturization(False, timestamp=n)]
    events += [ActionExecuted(action, timestamp=n), BotUttered("reply", timestamp=n)]
    if in_form:
        events += _form_asks(n)
    return events, in_form


def _conversation(seed: int, turns: int, kinds: List[str], first: str = "",
                  cycle: List[tuple[str, str]] | None = None) -> List[Event]:
    """A greeting, then ``turns`` messages of the ``kinds`` drawn at random (``first``
    first); questions drawn at random too, or taken in turn from ``cycle``."""
    rng = random.Random(seed)
    events: List[Event] = [ActionExecuted("action_session_start", timestamp=0.0),
                           SessionStarted(timestamp=0.0)]
    events += _ask("greet", 0.5) + [ActionExecuted("utter_greet", timestamp=0.5),
                                     BotUttered("hello", timestamp=0.5)]
    in_form = False
    for number in range(1, turns + 1):
        kind = first if number == 1 and first else rng.choice(kinds)
        if kind == "start" and in_form:
            kind = "question"
        question = cycle[(number - 2) % len(cycle)] if cycle else None
        more, in_form = _turn(kind, rng, float(number), in_form, question)
        events += more
    return events + [ActionExecuted("action_listen", timestamp=turns + 1.0)]


@pytest.mark.parametrize("seed", range(4))
def test_same_predictions_on_long_conversations(trained: Trained, seed: int) -> None:
    kinds = (["start", "answer", "question", "question", "question", "finish"]
             + (["fallback", "restart", "session"] if seed % 2 else []))
    for tracker in _replay(trained, _conversation(seed, 120, kinds), live_flags=True):
        trained.compare(tracker)


@pytest.mark.parametrize("cycle", [BENCH_CYCLE, None], ids=["bench-cycle", "random"])
def test_an_interview_interrupted_by_questions_is_not_rebuilt_whole(
    trained: Trained, monkeypatch: pytest.MonkeyPatch, cycle: List[tuple[str, str]] | None
) -> None:
    """Turn 120 of an interview where every message is a question: the policies build
    states from recent views only (the whole conversation was rebuilt for every
    memoization prediction before). With the bench's questions a view of about 20
    messages holds enough states; with questions mostly hidden from memoization (five of
    six) it takes more, but never the whole conversation, and only once per tracker."""
    events = _conversation(7, 120, ["question"], first="start", cycle=cycle)
    biggest: List[int] = []
    original = DialogueStateTracker.past_states

    def past_states(self: DialogueStateTracker, *args: Any, **kwargs: Any) -> Any:
        biggest.append(len(self.events))
        return original(self, *args, **kwargs)

    trackers = list(_replay(trained, events, live_flags=True))
    assert trackers[-1].active_loop_name == FORM
    monkeypatch.setattr(DialogueStateTracker, "past_states", past_states)
    tracker = DialogueStateTracker("late", trained.domain.slots)
    for event in trackers[-1].events:  # the same conversation with Rasa's recorded flags
        tracker.update(event)
    assert len(tracker.events) > 1000
    trained.recent_memo.predict_action_probabilities(tracker, trained.domain,
                                                     trained.rule_only)
    assert biggest and max(biggest) < (400 if cycle else len(tracker.events) * 3 / 4)
    first = len(biggest)
    for _prediction in range(3):
        trained.recent_rule.predict_action_probabilities(tracker, trained.domain,
                                                         trained.rule_only)
        trained.recent_memo.predict_action_probabilities(tracker, trained.domain,
                                                         trained.rule_only)
    assert max(biggest[first:]) < 100  # later predictions: the rules' short views only
    # and the second and third memoization predictions reuse the first one's finding
    assert getattr(tracker, policies._TOO_LONG).holds(
        trained.recent_memo, policies.applied_events(tracker))


def test_a_restart_drops_what_memoization_kept(trained: Trained) -> None:
    """After a restart the conversation is short again, and memoization recalls stories."""
    events = _conversation(3, 60, ["question"])
    tracker = DialogueStateTracker("restart", trained.domain.slots)
    for event in events:
        tracker.update(event)
    trained.compare(tracker)
    assert isinstance(getattr(tracker, policies._TOO_LONG, None), policies._TooLong)
    for event in [*_ask("restart", 99.0), ActionExecuted("action_restart", timestamp=99.0),
                  Restarted(timestamp=99.0), ActionExecuted("action_listen", timestamp=99.1),
                  UserUttered("hi", {"name": "greet", "confidence": 1.0}, timestamp=99.2)]:
        tracker.update(event)
    _rule, recalled = trained.compare(tracker)
    assert recalled  # a greeting after a restart starts a story again
