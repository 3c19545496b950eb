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
    Sync,
    announce,
    extraction_from_entities,
    message_entities,
    set_findings,
    sync_findings,
)
from actions.texts import say
from bot.findings import SELF, Status
from bot.nlu.entities import finding_kinds
from bot.triage import red_flags
from bot.who import settle

DESCRIBED_EMERGENCY = "emergency_described"


def described_emergency(tracker: Tracker, sync: Sync, dispatcher: CollectingDispatcher) -> None:
    """An emergency read from the words with no red flag the extractor could name, or
    another person's red flag before it is settled whose check this is: it becomes
    the checked person's finding (``emergency_described``, or theirs by name), so the
    assessment, the summary and "why?" can never say less than the advice given now.
    """
    latest = extraction_from_entities(message_entities({"parse_data": tracker.latest_message}))
    findings = sync.findings
    kinds = finding_kinds()
    others_now = [
        m.person for m in latest.mentions
        if kinds.get(m.id) == "red_flag" and m.status is Status.PRESENT and not m.past
        and not findings.checked.owns(m.person) and m.person not in (SELF, "family")
    ]
    if findings.subject is None and others_now:
        findings = settle(findings, others_now[0])
    if not any(h.urgency == "emergency" for h in red_flags(findings)):
        findings = findings.with_item(DESCRIBED_EMERGENCY, Status.PRESENT)
    set_findings(sync, findings, dispatcher)
    if not sync.new_red_flags:
        hits = [h for h in red_flags(findings) if h.urgency == "emergency"]
        announce(dispatcher, hits[:1], findings, sync.channel)


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
                described_emergency(tracker, sync, dispatcher)
        if tracker.active_loop_name is None:
            say(dispatcher, "red_flag_resume")
        return sync.events
