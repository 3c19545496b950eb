"""The red-flag reply: emergency advice first, whatever else is going on.

The language understanding forces the intent ``report_red_flag`` when a
message describes a red flag that applies to the person now, and a rule maps
it here, inside the interview too. This action always says something urgent:
the specific advice of the flags found or, if the flag cannot be matched to
the findings, a general emergency message. Being told twice is far better
than not being told.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.findings_io import (
    announce,
    extraction_from_entities,
    message_entities,
    sync_findings,
)
from actions.texts import say
from bot.triage import red_flags


class ActionRedFlag(Action):
    def name(self) -> str:
        return "action_red_flag"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        sync = sync_findings(tracker, dispatcher)
        if not sync.new_red_flags:
            # Already announced earlier: say it again for what this message names.
            named = {
                m.id
                for m in extraction_from_entities(
                    message_entities({"parse_data": tracker.latest_message or {}})
                ).mentions
            }
            repeated = [h for h in red_flags(sync.findings) if h.id in named]
            if repeated:
                announce(dispatcher, repeated, sync.findings, sync.channel)
            else:
                say(dispatcher, "red_flag_generic", sync.channel)
        if tracker.active_loop_name is None:
            say(dispatcher, "red_flag_resume")
        return sync.events
