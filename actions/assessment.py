"""The assessment at the end of the interview, and again whenever it changes."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.channel_payloads import utter_with_payload
from actions.findings_io import ASSESSMENT_SLOT, sync_findings
from actions.privacy import (
    CONSENT_SLOT,
    OPENING_ASKED,
    OPENING_KNOWN,
    OPENING_SLOT,
    keep_assessment,
)
from bot import wording
from bot.assessment import assess
from bot.findings import Findings
from bot.messages import short_summary


def send_assessment(
    dispatcher: CollectingDispatcher, tracker: Tracker, findings: Findings
) -> list[dict[str, Any]]:
    """Say the short summary with the full assessment attached, keep it if the
    person agreed to keeping their answers, ask whether to keep it if they were
    never asked, and return the slot events.

    What to do next (why, which tests, a summary) travels in the same message as
    its buttons, so a chat that shows the assessment as a card shows one row of
    them, on the card.
    """
    assessment = assess(findings)
    data = assessment.to_dict()
    follow_up = wording.wording("next_steps")
    utter_with_payload(
        dispatcher,
        tracker,
        f"{short_summary(assessment)}\n\n{follow_up.text}",
        {"type": "b12_assessment", "assessment": data},
        buttons=[dict(b) for b in follow_up.buttons],
    )
    events: list[dict[str, Any]] = [SlotSet(ASSESSMENT_SLOT, data)]
    events += keep_assessment(dispatcher, tracker, data, findings.to_dict())
    if consent_unasked(tracker) and assessment.triage.level != "emergency":
        # The first moment the person can judge it: they see what would be kept. Not
        # under emergency advice, where nothing should compete with getting help; it
        # comes with the next assessment.
        question = wording.wording("consent_question")
        utter_with_payload(
            dispatcher,
            tracker,
            question.text,
            {"type": "b12_consent"},
            buttons=[dict(b) for b in question.buttons],
        )
        events.append(SlotSet(OPENING_SLOT, OPENING_ASKED))
    return events


def consent_unasked(tracker: Tracker) -> bool:
    """Whether keeping the results has never come up in this conversation."""
    return tracker.get_slot(CONSENT_SLOT) is None and tracker.get_slot(OPENING_SLOT) not in (
        OPENING_ASKED,
        OPENING_KNOWN,
    )


def has_assessment(tracker: Tracker) -> bool:
    return isinstance(tracker.get_slot(ASSESSMENT_SLOT), dict)


class ActionAssessment(Action):
    """Runs when the interview ends: likelihood, urgency, tests and next steps."""

    def name(self) -> str:
        return "action_assessment"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        sync = sync_findings(tracker, dispatcher)
        return sync.events + send_assessment(dispatcher, tracker, sync.findings)
