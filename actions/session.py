"""Session start: the opening message, and slots kept across sessions."""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActionExecuted, SessionStarted, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.findings_io import load_findings
from actions.texts import say
from bot.findings import Findings


def _carry_over(domain: DomainDict) -> bool:
    config = domain.get("session_config") or {}
    return bool(config.get("carry_over_slots_to_new_session", True))


class ActionSessionStart(Action):
    """Opens every session with what the assistant does and what to do in an
    emergency; someone coming back finds their answers kept."""

    def name(self) -> str:
        return "action_session_start"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        events: list[dict[str, Any]] = [SessionStarted()]
        returning = False
        if _carry_over(domain):
            for key, value in tracker.slots.items():
                if value is not None and key != "requested_slot":
                    events.append(SlotSet(key, value))
            returning = load_findings(tracker) != Findings()
        say(dispatcher, "welcome_back" if returning else "opening")
        events.append(ActionExecuted("action_listen"))
        return events
