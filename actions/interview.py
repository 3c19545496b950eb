"""The adaptive interview: the form's validation and its question.

The form ``interview_form`` has one required slot, ``interview_answer``, which
is never kept filled: each reply is applied to the findings and the slot is
emptied, so Rasa asks again, and :class:`ActionAskInterviewAnswer` asks
whatever the clinical core finds most useful *now*. The form ends when the core
says it has enough, when nothing is left to ask, or after the configured
number of questions.

A reply that is not an answer (a question about B12, "why?", a lab result, a
red flag...) makes the validation return nothing, which Rasa treats as a
rejection: a rule answers it, the form resumes and the pending question is
asked again.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.channel_payloads import custom_for_channel
from actions.config import interview_settings
from actions.fallback import bad_input_response, looks_like_markup
from actions.findings_io import (
    Sync,
    as_float,
    as_str_list,
    describe_changes,
    findings_slot,
    fold_messages,
    latest_intent,
    latest_text,
    load_findings,
    set_findings,
    sync_findings,
)
from actions.findings_io import noted as noted_text
from actions.texts import say
from bot import questions
from bot.findings import Findings
from bot.triage import red_flags
from bot.who import settle

FORM = "interview_form"
ANSWER_SLOT = "interview_answer"
QUESTION_SLOT = "interview_question"
ASKED_SLOT = "asked_questions"
ATTEMPTS_SLOT = "interview_attempts"
REQUESTED_SLOT = "requested_slot"
HISTORY_SLOT = "answer_history"
# How many earlier answers "change my last answer" can step back through.
MAX_HISTORY = 20
QUESTION_PAYLOAD = "b12_question"

# Intents that are never an answer to a question: the form rejects them so a
# rule can reply, then the form comes back to the pending question.
NOT_ANSWERS = frozenset(
    {
        "faq",
        "ask_why",
        "ask_tests",
        "request_summary",
        "report_lab",
        "correct",
        "help",
        "bot_challenge",
        "out_of_scope",
        "other_language",
        "restart",
        "goodbye",
        "report_red_flag",
        "give_consent",
        "refuse_consent",
        "delete_my_data",
    }
)
# Replies that are polite noise during the interview: the question is simply
# asked again, without counting as a failed attempt.
SOFT_REPLIES = frozenset({"greet", "thank", "start_check"})
YES_NO_BY_INTENT = {"affirm": "yes", "deny": "no", "unsure": "unsure"}
SKIP = "__skip__"
_NUMBER = re.compile(r"(?<![\d.])(\d{1,3})(?![\d.])")
# "for 3 months", "2 weeks ago": a number about time, not an age.
_NOT_AN_AGE = re.compile(r"\d\s*(?:days?|weeks?|months?|hours?|times?)\b|\bago\b", re.I)


@dataclass(frozen=True)
class InterviewState:
    asked: tuple[str, ...] = ()
    pending: str | None = None
    attempts: int = 0

    @classmethod
    def from_tracker(cls, tracker: Tracker) -> InterviewState:
        pending = tracker.get_slot(QUESTION_SLOT)
        attempts = as_float(tracker.get_slot(ATTEMPTS_SLOT)) or 0.0
        return cls(
            asked=tuple(as_str_list(tracker.get_slot(ASKED_SLOT))),
            pending=pending if isinstance(pending, str) and pending else None,
            attempts=max(0, int(attempts)),
        )


def next_question(findings: Findings, asked: tuple[str, ...] | list[str]) -> Any | None:
    """The core's most useful question now, or ``None`` to stop.

    The core decides when to stop, its question limit included (red-flag screens
    that apply are asked even beyond it); it never repeats a question it recorded
    as asked (an "unsure" answer marks it).
    """
    return questions.next_question(findings)


def option_from_text(question: Any, text: str) -> str | None:
    """The choice value whose value or label is exactly ``text`` (a button press)."""
    wanted = (text or "").strip().lower()
    for value, label in getattr(question, "options", None) or ():
        if wanted and wanted in (str(value).lower(), str(label).lower()):
            return str(value)
    return None


def answer_from_message(question: Any, intent: str, text: str) -> str | None:
    """The answer a reply gives to ``question``: a value for ``apply_answer``,
    :data:`SKIP` when the person does not know or would rather not say, or
    ``None`` when the reply is not an answer at all."""
    kind = getattr(question, "kind", "yes_no")
    if kind == "yes_no":
        return YES_NO_BY_INTENT.get(intent)
    if kind == "number":
        match = _NUMBER.search(text or "")
        if match and not _NOT_AN_AGE.search(text or ""):
            return match.group(1)
        return SKIP if intent in ("unsure", "deny") else None
    option = option_from_text(question, text)
    if option is not None:
        return option
    values = {str(value) for value, _label in getattr(question, "options", None) or ()}
    if intent == "deny" and "none" in values:
        return "none"  # "no" to "have any of these?" means none of them
    return SKIP if intent == "unsure" else None


def question_buttons(question: Any) -> list[dict[str, str]]:
    kind = getattr(question, "kind", "yes_no")
    if kind == "yes_no":
        return [
            {"title": "Yes", "payload": "/affirm"},
            {"title": "No", "payload": "/deny"},
            {"title": "Not sure", "payload": "/unsure"},
        ]
    if kind == "number":
        # The number itself is typed (the web chat shows a number box for it).
        return [{"title": "I'd rather not say", "payload": "/unsure"}]
    options = list(getattr(question, "options", None) or [])
    # The label goes back as the reply, so the press is read as that exact option.
    buttons = [{"title": str(label), "payload": str(label)} for _value, label in options]
    if not any(str(value) == "unsure" for value, _label in options):
        buttons.append({"title": "Not sure", "payload": "/unsure"})
    return buttons


def _phase(tracker: Tracker) -> str:
    """``activation``, ``answer`` (the person just replied to a question) or
    ``resume`` (back to the form after a rule answered an interruption)."""
    if tracker.active_loop_name != FORM:
        return "activation"
    actions = [e.get("name") for e in tracker.events if e.get("event") == "action"]
    # The last action is the form itself (Rasa adds it before validating).
    previous = actions[-2] if len(actions) >= 2 else None
    return "answer" if previous == "action_listen" else "resume"


class ValidateInterviewForm(Action):
    """Applies a reply to the pending question and decides whether to go on."""

    def name(self) -> str:
        return "validate_interview_form"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        phase = _phase(tracker)
        intent = latest_intent(tracker)
        text = latest_text(tracker)
        state = InterviewState.from_tracker(tracker)
        pending = None
        if phase == "answer" and state.pending and intent != "report_red_flag":
            pending = pending_question(load_findings(tracker), state.pending)
        # A button press on a choice is an answer whatever the classifier made of it.
        pressed = option_from_text(pending, text) if pending is not None else None
        # Input that is not a sentence (empty, huge, symbols, markup) is no request
        # to act on, whatever the classifier guessed: the question is asked again.
        bad = bad_input_response(text) if phase == "answer" else None
        garbled = (
            bad is not None
            and intent != "report_red_flag"
            and (
                bad != "bad_input_no_words"
                or looks_like_markup(text)
                or pending is None
                or answer_from_message(pending, intent, text) is None  # "54" is an age
            )
        )
        if (
            phase == "answer"
            and intent != "report_red_flag"
            and pressed is None
            and questions.asks_to_go_back(text)
        ):
            # "Go back" is understood here whatever intent it got ("help", "deny"...).
            # Never a rejection, even with nothing to go back to: the form asks next.
            return go_back(tracker, dispatcher) + [
                SlotSet(ANSWER_SLOT, None),
                SlotSet(REQUESTED_SLOT, ANSWER_SLOT),
            ]
        if phase == "answer" and intent in NOT_ANSWERS and pressed is None and not garbled:
            return []

        sync = sync_findings(tracker, dispatcher)
        chosen = chosen_subject(tracker)
        if chosen is not None and sync.findings.subject is None:
            set_findings(sync, settle(sync.findings, chosen), dispatcher)
        asked = list(state.asked)
        attempts = state.attempts
        if garbled:
            say(dispatcher, bad or "interview_reprompt")
            if pending is not None:
                attempts += 1
                if attempts >= interview_settings().max_reprompts:
                    say(dispatcher, "interview_skip")
                    self._apply(dispatcher, tracker, sync, pending.id, "unsure")
                    asked, attempts = asked + [pending.id], 0
        elif pending is not None and intent not in SOFT_REPLIES:
            asked, attempts = self._answer(
                dispatcher, tracker, sync, pending, pressed, asked, attempts
            )

        following = next_question(sync.findings, asked)
        events = sync.events + [
            SlotSet(ASKED_SLOT, asked),
            SlotSet(ATTEMPTS_SLOT, float(attempts)),
            SlotSet(ANSWER_SLOT, None),
        ]
        if pending is not None and len(asked) > len(state.asked):
            # The findings as they were when this question was asked, for "go back".
            step = {"question": pending.id, "findings": sync.before.to_dict(),
                    "asked": list(state.asked)}
            history = [*answer_history(tracker), step][-MAX_HISTORY:]
            events.append(SlotSet(HISTORY_SLOT, history))
        if following is None:
            return events + [SlotSet(QUESTION_SLOT, None), SlotSet(REQUESTED_SLOT, None)]
        if phase == "activation" and not asked and sync.before == Findings():
            say(dispatcher, "interview_intro")
        return events + [SlotSet(REQUESTED_SLOT, ANSWER_SLOT)]

    def _answer(
        self,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        sync: Sync,
        question: Any,
        pressed: str | None,
        asked: list[str],
        attempts: int,
    ) -> tuple[list[str], int]:
        """Apply one reply to the pending question; returns (asked, attempts)."""
        outcome = pressed or answer_from_message(
            question, latest_intent(tracker), latest_text(tracker)
        )
        if outcome == SKIP:
            say(dispatcher, "interview_skip")
            self._apply(dispatcher, tracker, sync, question.id, "unsure")
            return asked + [question.id], 0
        if outcome is not None:
            if self._apply(dispatcher, tracker, sync, question.id, outcome):
                return asked + [question.id], 0
        else:
            following = next_question(sync.findings, asked)
            # Free text that settled the question (e.g. "I'm 54") is an answer.
            if following is None or following.id != question.id:
                return asked + [question.id], 0
            noted = describe_changes(sync.before, sync.findings)
            if noted:
                # Something useful, just not this answer: say so and ask again.
                dispatcher.utter_message(text=noted_text(sync.findings, noted))
                return asked, attempts
        attempts += 1
        if attempts >= interview_settings().max_reprompts:
            say(dispatcher, "interview_skip")
            self._apply(dispatcher, tracker, sync, question.id, "unsure")
            return asked + [question.id], 0
        if outcome is None:
            say(dispatcher, "interview_reprompt")
        return asked, attempts

    @staticmethod
    def _apply(
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        sync: Sync,
        question_id: str,
        answer: str,
    ) -> bool:
        try:
            findings = questions.apply_answer(sync.findings, question_id, answer)
        except ValueError:
            say(dispatcher, "interview_invalid")
            return False
        # The words of the reply are more specific than its yes/no, so they win
        # where both speak about the same thing ("no, but I am vegan").
        latest = [e for e in tracker.applied_events() if e.get("event") == "user"][-1:]
        set_findings(sync, fold_messages(findings, latest), dispatcher)
        return True


def pending_question(findings: Findings, pending: str) -> Any | None:
    """The question on screen: the ask action chose it from these same findings."""
    question = questions.next_question(findings)
    return question if question is not None and question.id == pending else None


class ActionAskInterviewAnswer(Action):
    """Asks the most useful question the core has left, with answer buttons."""

    def name(self) -> str:
        return "action_ask_interview_answer"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        state = InterviewState.from_tracker(tracker)
        findings = load_findings(tracker)
        question = next_question(findings, state.asked)
        if question is None:
            return [SlotSet(QUESTION_SLOT, None)]
        send_question(dispatcher, tracker, question, questions.progress(findings, len(state.asked)))
        events = [SlotSet(QUESTION_SLOT, question.id)]
        if question.id != state.pending:
            events.append(SlotSet(ATTEMPTS_SLOT, 0.0))
        return events


class ActionNoteFindings(Action):
    """Acknowledges what someone described in their own words before the interview."""

    def name(self) -> str:
        return "action_note_findings"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        sync = sync_findings(tracker, dispatcher)
        lines = describe_changes(sync.before, sync.findings)
        if lines:
            dispatcher.utter_message(text=noted_text(sync.findings, lines))
        elif not sync.new_red_flags:
            say(dispatcher, "noted_nothing")
        return sync.events


def send_question(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    question: Any,
    where: questions.Progress,
) -> None:
    """Ask ``question`` with its buttons and where the person is in the interview.

    A channel that takes our payloads (the web chat, REST) gets the progress and the
    kind of answer expected as data, so the page can show a progress line and a
    number box for the age; every other channel gets "Question 4 of about 10" as the
    first line of the text.
    """
    text = questions.as_checklist(question.text)
    payload = {
        "type": QUESTION_PAYLOAD,
        "id": question.id,
        "kind": question.kind,
        "progress": where.to_dict(),
        "progress_text": where.words(),
        "can_go_back": bool(answer_history(tracker)),
    }
    custom = custom_for_channel(tracker.get_latest_input_channel(), payload)
    buttons = question_buttons(question)
    if custom is None:
        dispatcher.utter_message(text=f"{where.words()}\n\n{text}", buttons=buttons)
    else:
        dispatcher.utter_message(text=text, buttons=buttons, json_message=custom)


def answer_history(tracker: Tracker) -> list[dict[str, Any]]:
    """The interview's earlier steps, oldest first; corrupt entries are left out."""
    raw = tracker.get_slot(HISTORY_SLOT)
    if not isinstance(raw, list):
        return []
    return [
        step for step in raw
        if isinstance(step, dict) and isinstance(step.get("findings"), dict)
        and isinstance(step.get("question"), str)
    ]


def _raised_since(before: Findings, now: Findings) -> bool:
    """Whether a warning sign or a "yes" to a safety checklist came after ``before``."""
    flags_then = {hit.id for hit in red_flags(before)}
    flags_now = {hit.id for hit in red_flags(now)}
    return bool(flags_now - flags_then) or bool(now.positive_screens - before.positive_screens)


def go_back(tracker: Tracker, dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    """Put the last answered question back as it was before it was answered.

    The findings return to what they were when that question was asked, so the core
    asks it again and the assessment follows the new answer. An answer that raised a
    warning sign is never taken back this way: emergency advice, once given, stands
    until the person says the sign is not there ("no, I don't have chest pain").
    Returns the slot events; says what happened.
    """
    history = answer_history(tracker)
    if not history:
        say(dispatcher, "go_back_nothing")
        return []
    step = history[-1]
    try:
        earlier = Findings.from_dict(step["findings"])
    except (ValueError, KeyError, TypeError, AttributeError):
        say(dispatcher, "go_back_nothing")
        return [SlotSet(HISTORY_SLOT, history[:-1])]
    if _raised_since(earlier, load_findings(tracker)):
        say(dispatcher, "go_back_safety")
        return []
    say(dispatcher, "go_back_done")
    return [
        findings_slot(earlier),
        SlotSet(ASKED_SLOT, as_str_list(step.get("asked"))),
        SlotSet(QUESTION_SLOT, None),
        SlotSet(ATTEMPTS_SLOT, 0.0),
        SlotSet(ANSWER_SLOT, None),
        SlotSet(HISTORY_SLOT, history[:-1]),
    ]


def chosen_subject(tracker: Tracker) -> str | None:
    """Whom the check is for, when the person chose it with a button ("Check for me",
    "For my mum"): the ``subject`` value of a ``/start_check{"subject": ...}`` payload.

    Payload entities come from Rasa's own payload reader rather than the language
    understanding, so the findings' reader leaves them out; the choice is taken here.
    bot/channels/turns.py lets only "self" and the relation keys of people.yml through.
    """
    latest = tracker.latest_message or {}
    if latest_intent(tracker) != "start_check":
        return None
    for entity in latest.get("entities") or []:
        if isinstance(entity, dict) and entity.get("entity") == "subject":
            value = entity.get("value")
            if isinstance(value, str) and value:
                return value
    return None
