"""Session start: the opening message and what a returning person finds kept.

The question whether to keep answers is not asked here: a person who has seen
nothing yet cannot judge it, and a question under the greeting is lost as soon
as they start typing. It comes with the first assessment (actions/assessment.py).
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.findings_io import load_findings
from actions.privacy import OPENING_FRESH, OPENING_KNOWN, OPENING_SLOT, has_consent
from actions.texts import say
from bot.findings import Findings

# Never carried over: the form's bookkeeping, and what this session's opening said.
NOT_CARRIED = frozenset({"requested_slot", OPENING_SLOT})


def _carry_over(domain: DomainDict) -> bool:
    config = domain.get("session_config") or {}
    return bool(config.get("carry_over_slots_to_new_session", True))


class ActionSessionStart(Action):
    """Opens every session with what the assistant does, what to do in an
    emergency, and whom the check is for.

    Only someone who said yes to keeping their answers finds them again in a
    new session (and is welcomed back); everyone else starts fresh.
    """

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [SessionStarted()]
        keep = _carry_over(domain) and has_consent(tracker)
        if keep:
            for key, value in tracker.slots.items():
                if value is not None and key not in NOT_CARRIED:
                    events.append(SlotSet(key, value))
        if keep and load_findings(tracker) != Findings():
            say(dispatcher, "welcome_back")
        else:
            say(dispatcher, "opening")
            if keep:
                say(dispatcher, "consent_kept")
        # The rules read this: a greeting right after the opening adds nothing.
        events.append(SlotSet(OPENING_SLOT, OPENING_KNOWN if keep else OPENING_FRESH))
        events.append(ActionExecuted("action_listen"))
        return events


class ActionGreetingAfterOpening(Action):
    """Says nothing: the opening has just greeted the person.

    The web chat sends a greeting silently when a conversation opens; a second
    hello right under the opening would only push its buttons out of view. A
    rule runs this for a greeting that is the first reply to an opening.
    """

    def name(self) -> str:
        return "action_greeting_after_opening"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        return []
