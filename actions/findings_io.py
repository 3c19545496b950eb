"""Between Rasa's tracker and the clinical core: slots, entities and red flags.

Every custom action starts with :func:`sync_findings`. It folds into the
findings every user message not folded in yet (so a message answered by a plain
response, such as a greeting or an FAQ, is never lost), then announces any red
flag not announced before, *before* the action says anything else. Doing this
in every action, rather than in one place, is what makes red flags
deterministic inside forms and after button answers too.

Slot values come from the outside world (a tracker store, an HTTP client), so
nothing here trusts them: corrupt data is treated as empty and logged without
the person's words.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from bot.findings import Extraction, Findings
from bot.nlu.emergency_net import EMERGENCY_CHECK, EMERGENCY_SCREEN
from bot.services import gives_emergency_number
from bot.who import person_words, settle
from bot.wording import alert_payload, text

logger = logging.getLogger(__name__)

FINDINGS_SLOT = "findings"
INGESTED_SLOT = "ingested_until"
ANNOUNCED_SLOT = "announced_red_flags"
ASSESSMENT_SLOT = "assessment"


def load_findings(tracker: Tracker) -> Findings:
    """The findings stored in the tracker; empty when the slot is unset or corrupt."""
    raw = tracker.get_slot(FINDINGS_SLOT)
    if raw is None:
        return Findings()
    try:
        return Findings.from_dict(raw)
    except (ValueError, KeyError, TypeError, AttributeError):
        logger.warning("Ignoring a corrupt findings slot (conversation %s)", tracker.sender_id)
        return Findings()


def findings_slot(findings: Findings) -> dict[str, Any]:
    return SlotSet(FINDINGS_SLOT, findings.to_dict())


def as_str_list(value: Any) -> list[str]:
    """A list slot's value as strings; anything else (corrupt data) is empty."""
    if not isinstance(value, (list, tuple)):
        return []
    return [item for item in value if isinstance(item, str)]


def as_float(value: Any) -> float | None:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def _timestamp(event: dict[str, Any]) -> float | None:
    return as_float(event.get("timestamp"))


def messages_to_ingest(
    events: Sequence[dict[str, Any]], ingested_until: float | None
) -> list[dict[str, Any]]:
    """User messages not folded into the findings yet, oldest first.

    ``events`` are the tracker's applied events (reverted messages removed).
    Without a bookmark only the current session counts, so an old session's
    words never come back after the slots were reset.
    """
    if ingested_until is None:
        starts = [i for i, e in enumerate(events) if e.get("event") == "session_started"]
        events = events[starts[-1] + 1 :] if starts else events
    selected = []
    for event in events:
        if event.get("event") != "user":
            continue
        ts = _timestamp(event)
        if ingested_until is not None and (ts is None or ts <= ingested_until):
            continue
        selected.append(event)
    return selected


def message_entities(event: dict[str, Any]) -> list[dict[str, Any]]:
    parse_data = event.get("parse_data")
    entities = parse_data.get("entities") if isinstance(parse_data, dict) else None
    if not isinstance(entities, list):
        return []
    return [e for e in entities if isinstance(e, dict)]


def extraction_from_entities(entities: list[dict[str, Any]]) -> Extraction:
    """Rebuild the language understanding's extraction; empty if it is malformed."""
    if not entities:
        return Extraction()
    # Imported outside the ``try``: a missing module is a deployment error, not bad data.
    from bot.nlu.entities import entities_to_extraction

    try:
        return entities_to_extraction(entities)
    except Exception:  # a malformed entity must never end the conversation
        logger.warning("Ignoring %d malformed entities", len(entities))
        return Extraction()


# Questions about B12 in general ("what are the signs of low B12?") name
# conditions without saying the person has them; only red flags are taken from
# them, because missing an emergency costs more than a wrong entry.
GENERAL_QUESTION_INTENTS = frozenset({"faq"})


def _intent_of(event: dict[str, Any]) -> str:
    parse_data = event.get("parse_data")
    intent = parse_data.get("intent") if isinstance(parse_data, dict) else None
    name = intent.get("name") if isinstance(intent, dict) else None
    return name if isinstance(name, str) else ""


def fold_messages(findings: Findings, messages: Iterable[dict[str, Any]]) -> Findings:
    """The findings after ``messages``; a message that says who the check is for
    ("asking for my mum") settles it before its words are read."""
    for event in messages:
        entities = message_entities(event)
        if _intent_of(event) in GENERAL_QUESTION_INTENTS:
            entities = [e for e in entities if e.get("entity") == "red_flag"]
        extraction = extraction_from_entities(entities)
        if findings.subject is None and extraction.subject:
            findings = settle(findings, extraction.subject)
        findings = findings.update(extraction)
        if net_raised(event):
            findings = findings.request_screen(EMERGENCY_SCREEN)
    return findings


def net_raised(event: dict[str, Any]) -> bool:
    """Whether the emergency net (bot/rasa_adapters/emergency_net.py) raised this message."""
    parse_data = event.get("parse_data")
    check = parse_data.get(EMERGENCY_CHECK) if isinstance(parse_data, dict) else None
    return isinstance(check, dict) and check.get("raised") is True


@dataclass
class Sync:
    """The findings after catching up, and what has to be stored."""

    before: Findings
    findings: Findings
    events: list[dict[str, Any]] = field(default_factory=list)
    announced: list[str] = field(default_factory=list)
    new_red_flags: list[Any] = field(default_factory=list)
    channel: str | None = None

    @property
    def changed(self) -> bool:
        return self.before != self.findings


def red_flag_text(hit: Any) -> str:
    """The words sent for one red flag: the knowledge base's message for it, made
    sure to carry the emergency numbers (emergencies) or a same-day route (urgent)."""
    message = str(getattr(hit, "message", "") or "").strip()
    if getattr(hit, "urgency", "emergency") == "emergency":
        message = message or text("red_flag_no_message")
        if gives_emergency_number(message):
            return message
        return f"{message} {text('red_flag_numbers')}"
    return f"{message} {text('urgent_fallback')}".strip()


def new_red_flags(findings: Findings, announced: Sequence[str]) -> list[Any]:
    """Red flags present now and not announced yet, emergencies first."""
    from bot.triage import red_flags

    hits = [h for h in red_flags(findings) if h.id not in set(announced)]
    return sorted(hits, key=lambda h: 0 if h.urgency == "emergency" else 1)


def announce(
    dispatcher: CollectingDispatcher,
    hits: Sequence[Any],
    findings: Findings,
    channel: str | None = None,
) -> None:
    """Send each red flag's message, then any crisis lines the triage rules add
    (e.g. for suicidal thoughts)."""
    from actions.channel_payloads import custom_for_channel
    from bot.triage import triage

    for hit in hits:
        words = red_flag_text(hit)
        level = "urgent" if getattr(hit, "urgency", "emergency") == "urgent" else "emergency"
        custom = custom_for_channel(channel, alert_payload(level, words))
        if custom is None:
            dispatcher.utter_message(text=words)
        else:
            dispatcher.utter_message(text=words, json_message=custom)
    if hits:
        for line in triage(findings).crisis_lines:
            dispatcher.utter_message(text=line)


def sync_findings(
    tracker: Tracker, dispatcher: CollectingDispatcher, announce_flags: bool = True
) -> Sync:
    """Catch the findings up with the conversation and announce new red flags.

    Call it first in every action: what it sends (an emergency message) must
    come before anything else the action says.
    """
    before = load_findings(tracker)
    ingested_until = as_float(tracker.get_slot(INGESTED_SLOT))
    messages = messages_to_ingest(tracker.applied_events(), ingested_until)
    findings = fold_messages(before, messages)
    sync = Sync(before=before, findings=findings, channel=tracker.get_latest_input_channel())
    stamps = [t for t in (_timestamp(m) for m in messages) if t is not None]
    if stamps:
        sync.events.append(SlotSet(INGESTED_SLOT, max(stamps)))
    if sync.changed:
        sync.events.append(findings_slot(findings))
    sync.announced = as_str_list(tracker.get_slot(ANNOUNCED_SLOT))
    if announce_flags:
        flag_red_flags(sync, dispatcher)
    return sync


def flag_red_flags(sync: Sync, dispatcher: CollectingDispatcher) -> None:
    """Announce red flags of ``sync.findings`` not announced yet (after any update)."""
    hits = new_red_flags(sync.findings, sync.announced)
    if not hits:
        return
    announce(dispatcher, hits, sync.findings, sync.channel)
    sync.new_red_flags.extend(hits)
    sync.announced = sync.announced + [h.id for h in hits]
    sync.events = [e for e in sync.events if e.get("name") != ANNOUNCED_SLOT]
    sync.events.append(SlotSet(ANNOUNCED_SLOT, sync.announced))


def set_findings(sync: Sync, findings: Findings, dispatcher: CollectingDispatcher) -> None:
    """Record a change made by an action (e.g. a button answer) and check red flags."""
    sync.findings = findings
    sync.events = [e for e in sync.events if e.get("name") != FINDINGS_SLOT]
    if sync.changed:
        sync.events.append(findings_slot(findings))
    flag_red_flags(sync, dispatcher)


def latest_text(tracker: Tracker) -> str:
    text = (tracker.latest_message or {}).get("text")
    return text if isinstance(text, str) else ""


def latest_intent(tracker: Tracker) -> str:
    intent = (tracker.latest_message or {}).get("intent")
    name = intent.get("name") if isinstance(intent, dict) else None
    return name if isinstance(name, str) else ""


_STATUS_WORDS = {"present": "yes", "absent": "no", "unknown": "not sure"}


def finding_label(finding_id: str) -> str:
    """The knowledge base's plain label for a finding, or a readable id."""
    from bot.knowledge import load_knowledge

    try:
        return load_knowledge().get(finding_id).label
    except Exception:  # unknown id or knowledge not loadable: still say something useful
        return finding_id.replace("_", " ")


def analyte_label(analyte_id: str) -> str:
    from bot.knowledge import load_knowledge

    try:
        return load_knowledge().analyte(analyte_id).label
    except Exception:  # unknown analyte: still say something useful
        return analyte_id.replace("_", " ")


def noted(findings: Findings, lines: list[str], verb: str = "noted") -> str:
    """"Thanks, I've noted: ..." for the writer; "... noted for your mum: ..." otherwise,
    so the person sees whose answers are being kept."""
    words = person_words(findings.subject)
    whose = f" for {words.person}" if words is not None else ""
    return f"Thanks, I've {verb}{whose}: " + "; ".join(lines) + "."


def describe_changes(before: Findings, after: Findings) -> list[str]:
    """What changed between two findings, in words the person can check."""
    lines: list[str] = []
    for fid, state in sorted(after.items.items()):
        if before.items.get(fid) == state:
            continue
        word = "in the past only" if state.past else _STATUS_WORDS[state.status.value]
        lines.append(f"{finding_label(fid)}: {word}")
    for fid, state in sorted(after.family.items()):
        if before.family.get(fid) != state:
            word = _STATUS_WORDS[state.status.value]
            lines.append(f"in your family, {finding_label(fid).lower()}: {word}")
    if after.age != before.age and after.age is not None:
        lines.append(f"age {after.age}")
    if after.sex != before.sex and after.sex is not None:
        lines.append(f"sex {after.sex}")
    if after.pregnant != before.pregnant:
        lines.append(f"pregnant: {_STATUS_WORDS[after.pregnant.value]}")
    if after.breastfeeding != before.breastfeeding:
        lines.append(f"breastfeeding: {_STATUS_WORDS[after.breastfeeding.value]}")
    if after.duration_days != before.duration_days and after.duration_days is not None:
        lines.append(f"for about {after.duration_days} days")
    for analyte, lab in sorted(after.labs.items()):
        if before.labs.get(analyte) != lab:
            shown = lab.original or f"{lab.value:g} {lab.unit}"
            lines.append(f"{analyte_label(analyte)} result {shown}")
    return lines
