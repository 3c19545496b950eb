"""Consent to keep answers, keeping assessments, and "delete my data".

Nothing outlives the live conversation unless the person says yes to keeping
their answers (slot ``consent`` = "yes"). Then every assessment is stored under
a random ``record_id`` with the channel and the person's own words, so they can
come back to it. Saying no, withdrawing, or asking to delete removes what was
kept; deleting also wipes the conversation itself, which the tracker store
does when it sees ``action_delete_my_data`` run.

Storage must never end a conversation: when the database fails, the failure
is logged without the person's words or findings, the person is told in one
line, and the conversation goes on.
"""

from __future__ import annotations

import logging
import re
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import ActiveLoop, SlotSet
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.channel_payloads import utter_with_payload
from actions.findings_io import (
    ANNOUNCED_SLOT,
    ASSESSMENT_SLOT,
    FINDINGS_SLOT,
    INGESTED_SLOT,
    as_float,
    load_findings,
    sync_findings,
)
from actions.interview import (
    ANSWER_SLOT,
    ASKED_SLOT,
    ATTEMPTS_SLOT,
    HISTORY_SLOT,
    QUESTION_SLOT,
    REQUESTED_SLOT,
)
from actions.texts import say
from bot import wording
from bot.findings import Findings

if TYPE_CHECKING:
    from bot.storage.assessments import AssessmentStore

logger = logging.getLogger(__name__)

CONSENT_SLOT = "consent"
RECORD_SLOT = "record_id"
# What the opening of this session said, for the rules about the first reply
# (a bare "yes" answers the consent question only if it was asked).
OPENING_SLOT = "opening"
OPENING_FRESH = "fresh"
OPENING_ASKED = "asked_consent"
OPENING_KNOWN = "consent_known"
# The mark the web chat reads to forget the conversation it keeps in the tab.
DELETED_PAYLOAD = "b12_deleted"
CONSENT_ANSWERED = "b12_consent_answered"
YES = "yes"
NO = "no"
_RECORD_ID = re.compile(r"[0-9a-f]{32}")


class StoreFailed(Exception):
    """The database could not be used; the cause is logged by class name only."""


def _storage_errors() -> tuple[type[BaseException], ...]:
    """What a failing database raises; imported late so that importing the
    actions never loads SQLAlchemy."""
    from alembic.util import CommandError
    from sqlalchemy.exc import SQLAlchemyError

    from bot.storage.config import StorageConfigError, StorageUnavailable

    # CommandError: the schema could not be migrated (e.g. a newer database).
    return (SQLAlchemyError, StorageUnavailable, StorageConfigError, CommandError, OSError)


@lru_cache(maxsize=1)
def assessment_store() -> AssessmentStore:
    """The store, opened (and migrated) on first use, once per process.

    A failure is not cached: the next assessment tries again.
    """
    from bot.storage.assessments import AssessmentStore  # SQLAlchemy: see _storage_errors

    return AssessmentStore.open()


def _using_store(what: str, call: Any) -> Any:
    """Run ``call(store)``; any database failure becomes :class:`StoreFailed`.

    Only the kind of error is logged: SQLAlchemy's messages can quote the
    statement's parameters, which hold the person's words and findings.
    """
    try:
        return call(assessment_store())
    except _storage_errors() as error:
        logger.error("Could not %s: the database failed (%s)", what, type(error).__name__)
        raise StoreFailed(what) from None


def has_consent(tracker: Tracker) -> bool:
    """Only an explicit yes counts; unset means the question was not answered."""
    return tracker.get_slot(CONSENT_SLOT) == YES


def record_id_of(tracker: Tracker) -> str | None:
    """The conversation's record id, or ``None`` when unset or not one of ours."""
    value = tracker.get_slot(RECORD_SLOT)
    return value if isinstance(value, str) and _RECORD_ID.fullmatch(value) else None


def new_record_id() -> str:
    from bot.storage.assessments import AssessmentStore  # SQLAlchemy: see _storage_errors

    return AssessmentStore.new_record_id()


def own_words(tracker: Tracker) -> list[str]:
    """The text of the person's messages in this conversation, oldest first.

    Button presses ("/affirm") are choices, not words, so they are left out.
    """
    words = []
    for event in tracker.events:
        if event.get("event") != "user":
            continue
        text = event.get("text")
        if isinstance(text, str) and text.strip() and not text.startswith("/"):
            words.append(text)
    return words


def keep_assessment(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    assessment: dict[str, Any],
    findings: dict[str, Any],
) -> list[dict[str, Any]]:
    """Store ``assessment`` if the person agreed to keep their answers.

    Returns the slot events to add (a record id, if one had to be made).
    """
    if not has_consent(tracker):
        return []
    record_id = record_id_of(tracker)
    events: list[dict[str, Any]] = []
    if record_id is None:
        record_id = new_record_id()
        events.append(SlotSet(RECORD_SLOT, record_id))
    save_assessment(dispatcher, tracker, record_id, assessment, findings)
    return events


def save_assessment(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    record_id: str,
    assessment: dict[str, Any],
    findings: dict[str, Any],
) -> bool:
    """Store one assessment with the channel and the person's words.

    When the database fails the person hears so in one line and the
    conversation goes on; returns whether it was stored.
    """
    try:
        _using_store(
            "save an assessment",
            lambda store: store.save(
                record_id,
                assessment,
                findings,
                channel=tracker.get_latest_input_channel(),
                free_text=own_words(tracker),
            ),
        )
    except StoreFailed:
        say(dispatcher, "save_failed")
        return False
    return True


def erase_kept(tracker: Tracker) -> int:
    """Remove every stored assessment of this conversation; returns rows removed.

    Raises :class:`StoreFailed` when the database fails.
    """
    record_id = record_id_of(tracker)
    if record_id is None:
        return 0
    return int(_using_store("erase a record", lambda store: store.erase(record_id)))


def forget_conversation(tracker: Tracker) -> list[dict[str, Any]]:
    """Events that empty everything the person told: starting over and deleting.

    The interview stops, and the messages said so far stay out of any new
    findings (their timestamps are marked as already read).
    """
    stamps = [
        as_float(e.get("timestamp")) for e in tracker.applied_events() if e.get("event") == "user"
    ]
    known = [s for s in stamps if s is not None]
    return [
        ActiveLoop(None),
        SlotSet(REQUESTED_SLOT, None),
        SlotSet(FINDINGS_SLOT, None),
        SlotSet(ASSESSMENT_SLOT, None),
        SlotSet(ANNOUNCED_SLOT, []),
        SlotSet(ASKED_SLOT, []),
        SlotSet(QUESTION_SLOT, None),
        SlotSet(ATTEMPTS_SLOT, 0.0),
        SlotSet(ANSWER_SLOT, None),
        SlotSet(HISTORY_SLOT, None),
        SlotSet(INGESTED_SLOT, max(known) if known else None),
    ]


def answered(dispatcher: CollectingDispatcher, tracker: Tracker, key: str) -> None:
    """Say ``key`` marked as the answer to "keep these results?", so the web chat takes
    that question's buttons away whichever way it was answered (button or words)."""
    utter_with_payload(dispatcher, tracker, wording.text(key), {"type": CONSENT_ANSWERED})


def _nothing_under_way(tracker: Tracker) -> bool:
    """Nothing told, nothing assessed, no interview: the person still has to begin."""
    return (
        tracker.active_loop_name is None
        and tracker.get_slot(ASSESSMENT_SLOT) is None
        and load_findings(tracker) == Findings()
    )


class ActionGiveConsent(Action):
    """Yes to keeping answers: from now on (and the latest assessment, if any)."""

    def name(self) -> str:
        return "action_give_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        sync = sync_findings(tracker, dispatcher)
        events = list(sync.events)
        if has_consent(tracker):
            answered(dispatcher, tracker, "consent_already")
            return events
        record_id = record_id_of(tracker) or new_record_id()
        events += [
            SlotSet(CONSENT_SLOT, YES),
            SlotSet(RECORD_SLOT, record_id),
            SlotSet(OPENING_SLOT, OPENING_KNOWN),
        ]
        answered(dispatcher, tracker, "consent_given")
        assessment = tracker.get_slot(ASSESSMENT_SLOT)
        if isinstance(assessment, dict):
            # Consent given after an assessment keeps that assessment too.
            save_assessment(dispatcher, tracker, record_id, assessment, sync.findings.to_dict())
        elif _nothing_under_way(tracker) and not sync.new_red_flags:
            say(dispatcher, "consent_invite")
        return events


class ActionRefuseConsent(Action):
    """No to keeping answers, or withdrawing a yes: what was kept is erased."""

    def name(self) -> str:
        return "action_refuse_consent"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        sync = sync_findings(tracker, dispatcher)
        events = list(sync.events)
        events += [SlotSet(CONSENT_SLOT, NO), SlotSet(OPENING_SLOT, OPENING_KNOWN)]
        if not has_consent(tracker) and record_id_of(tracker) is None:
            answered(dispatcher, tracker, "consent_refused")
        else:
            try:
                erase_kept(tracker)
            except StoreFailed:
                # The record id stays, so that "delete my data" can try again.
                answered(dispatcher, tracker, "consent_withdrawn_not_erased")
                return events
            answered(dispatcher, tracker, "consent_withdrawn")
            events.append(SlotSet(RECORD_SLOT, None))
        if _nothing_under_way(tracker) and not sync.new_red_flags:
            say(dispatcher, "consent_invite")
        return events


class ActionDeleteMyData(Action):
    """Deletes everything, after the person confirmed.

    The tracker store erases the conversation's stored events when a turn in
    which this action (by this exact name) ran is saved; this action erases the
    stored assessments and empties the slots, so nothing of the conversation
    remains in memory either.
    """

    def name(self) -> str:
        return "action_delete_my_data"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        try:
            erase_kept(tracker)
            key = "data_deleted"
        except StoreFailed:
            # The conversation goes anyway (the tracker store erases it), which
            # also loses the only link to the record; the record id is logged
            # (it is random and says nothing about the person) so an operator
            # can remove the record before the retention purge does.
            logger.error("A kept record could not be erased on request: %s", record_id_of(tracker))
            key = "delete_failed"
        # The web chat keeps the transcript and the session id in the tab; this mark
        # makes it forget both and open a new, empty conversation.
        words = wording.text(key)
        utter_with_payload(dispatcher, tracker, words, {"type": DELETED_PAYLOAD, "text": words})
        return forget_conversation(tracker) + [
            SlotSet(CONSENT_SLOT, None),
            SlotSet(RECORD_SLOT, None),
            SlotSet(OPENING_SLOT, OPENING_FRESH),
        ]
