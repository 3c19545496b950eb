"""The assessment at the end of the interview, and again whenever it changes."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.channel_payloads import utter_with_payload
from actions.findings_io import ASSESSMENT_SLOT, sync_findings
from actions.privacy import keep_assessment
from actions.texts import say
from bot.assessment import assess
from bot.findings import Findings
from bot.messages import short_summary


def send_assessment(
    dispatcher: CollectingDispatcher, tracker: Tracker, findings: Findings
) -> list[dict[str, Any]]:
    """Say the short summary with the full assessment attached, keep it if the
    person agreed to keeping their answers, and return the slot events."""
    assessment = assess(findings)
    data = assessment.to_dict()
    utter_with_payload(
        dispatcher,
        tracker,
        short_summary(assessment),
        {"type": "b12_assessment", "assessment": data},
    )
    kept = keep_assessment(dispatcher, tracker, data, findings.to_dict())
    say(dispatcher, "next_steps")
    return [SlotSet(ASSESSMENT_SLOT, data), *kept]


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
