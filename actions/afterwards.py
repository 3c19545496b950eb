"""After (or during) the interview: why, which tests, a doctor's summary, lab
results, corrections and starting over. Each action only reads the findings
and hands them to the clinical core for the words."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import FollowupAction
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.assessment import has_assessment, send_assessment
from actions.channel_payloads import utter_with_payload
from actions.findings_io import (
    describe_changes,
    extraction_from_entities,
    findings_slot,
    message_entities,
    noted,
    sync_findings,
)
from actions.interview import FORM, QUESTION_SLOT, go_back, pending_question
from actions.privacy import forget_conversation
from actions.texts import say
from bot import wording
from bot.assessment import assess
from bot.findings import SELF, Findings
from bot.labs import interpret
from bot.messages import explain_why, lab_message, tests_message
from bot.person_words import for_person
from bot.questions import asks_to_go_back
from bot.summary import render_html, render_text
from bot.who import person_words, settle


def _is_empty(findings: Findings) -> bool:
    return findings == Findings()


def _in_interview(tracker: Tracker) -> bool:
    return tracker.active_loop_name is not None


def follow_up_buttons(tracker: Tracker, leave_out: str) -> list[dict[str, str]]:
    """The other follow-ups after an assessment ("Why?", "Which tests?", "Summary for my
    doctor"), so that using one never takes the others off the screen. None during
    the interview: its question's buttons are the ones that matter then."""
    if _in_interview(tracker) or not has_assessment(tracker):
        return []
    return [dict(b) for b in wording.wording("next_steps").buttons if b["payload"] != leave_out]


def _pending_reason(tracker: Tracker, findings: Findings) -> str:
    """During the interview "why?" means "why this question?": the core's reason."""
    pending = tracker.get_slot(QUESTION_SLOT)
    if not _in_interview(tracker) or not isinstance(pending, str):
        return ""
    question = pending_question(findings, pending)
    return str(getattr(question, "reason", "") or "") if question is not None else ""


class ActionExplainWhy(Action):
    """Explains the estimate from the findings, factor by factor."""

    def name(self) -> str:
        return "action_explain_why"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        sync = sync_findings(tracker, dispatcher)
        reason = _pending_reason(tracker, sync.before)
        if reason:
            dispatcher.utter_message(text=f"Why I'm asking: {reason}")
        elif _is_empty(sync.findings) and not has_assessment(tracker):
            say(dispatcher, "not_yet_assessed")
        else:
            dispatcher.utter_message(
                text=explain_why(assess(sync.findings)),
                buttons=follow_up_buttons(tracker, "/ask_why"),
            )
        return sync.events


class ActionTests(Action):
    """Which blood tests to ask about, fitted to what is known so far."""

    def name(self) -> str:
        return "action_tests"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        sync = sync_findings(tracker, dispatcher)
        dispatcher.utter_message(
            text=tests_message(assess(sync.findings)),
            buttons=follow_up_buttons(tracker, "/ask_tests"),
        )
        return sync.events


class ActionDoctorSummary(Action):
    """A summary to show a doctor: plain text, plus HTML for channels that can save it."""

    def name(self) -> str:
        return "action_doctor_summary"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        sync = sync_findings(tracker, dispatcher)
        if _is_empty(sync.findings):
            say(dispatcher, "not_yet_assessed")
            return sync.events
        assessment = assess(sync.findings)
        text = render_text(sync.findings, assessment)
        html = render_html(sync.findings, assessment)
        utter_with_payload(
            dispatcher, tracker, text, {"type": "b12_summary", "text": text, "html": html}
        )
        return sync.events


class ActionLabResult(Action):
    """Reads a blood result the person gives and says what it means."""

    def name(self) -> str:
        return "action_lab_result"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        sync = sync_findings(tracker, dispatcher)
        extraction = extraction_from_entities(
            message_entities({"parse_data": tracker.latest_message or {}})
        )
        if not extraction.labs:
            # The reader's own reasons first ("that value is not possible for B12").
            for problem in extraction.lab_errors:
                dispatcher.utter_message(text=str(problem))
            say(dispatcher, "lab_unreadable")
            return sync.events
        for lab in extraction.labs:
            dispatcher.utter_message(text=lab_message(interpret(lab, sync.findings)))
        events = list(sync.events)
        if has_assessment(tracker) and not _in_interview(tracker):
            events.extend(send_assessment(dispatcher, tracker, sync.findings))
        elif not _in_interview(tracker):
            say(dispatcher, "offer_check")
        return events


class ActionCorrect(Action):
    """Applies a correction ("actually I'm not vegan") and says what changed."""

    def name(self) -> str:
        return "action_correct"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        sync = sync_findings(tracker, dispatcher)
        changes = describe_changes(sync.before, sync.findings)
        if not changes:
            return sync.events + self._go_back(dispatcher, tracker)
        dispatcher.utter_message(text=noted(sync.findings, changes, verb="updated"))
        events = list(sync.events)
        if has_assessment(tracker) and not _in_interview(tracker):
            events.extend(send_assessment(dispatcher, tracker, sync.findings))
        return events

    @staticmethod
    def _go_back(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[dict[str, Any]]:
        """A correction that names nothing ("change my last answer", "that was wrong",
        the web chat's button) takes back the last interview answer and asks that
        question again; after the assessment the interview reopens for it, and the
        assessment is made again when it ends."""
        text = (tracker.latest_message or {}).get("text") or ""
        if not asks_to_go_back(text) and not tracker.get_slot("answer_history"):
            say(dispatcher, "correction_nothing")
            return []
        events = go_back(tracker, dispatcher)
        if events and not _in_interview(tracker):
            events.append(FollowupAction(FORM))
        return events


class ActionStartOver(Action):
    """Forgets everything said so far, without asking "are you sure?".

    It replaces Rasa's own ``action_restart`` (which the reserved ``restart``
    intent and ``/restart`` trigger from anywhere, inside the interview too),
    so the person gets a kind word instead of a silent wipe, and the
    conversation's history stays in the tracker for the record.
    """

    def name(self) -> str:
        return "action_restart"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        # Consent and kept assessments are a separate choice: "delete my data".
        events = forget_conversation(tracker)
        latest = extraction_from_entities(message_entities({"parse_data": tracker.latest_message}))
        if latest.subject in (None, SELF):
            say(dispatcher, "start_over")
            return events
        # "A check for my dad": a new check for that person; what was said before stays in
        # the conversation's record, as with any start over, unless deletion is asked for.
        findings = settle(Findings(), latest.subject)
        words = person_words(findings.subject)
        assert words is not None
        dispatcher.utter_message(text=for_person(wording.text("start_for_someone_else"), words))
        return [*events, findings_slot(findings)]
