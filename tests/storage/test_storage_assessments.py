"""Kept assessments: what is stored, and that forgetting leaves nothing behind.

A person who agreed to keep their answers can come back to them; a person who
asks to delete them must find nothing of theirs anywhere in the database.
"""

from __future__ import annotations

from datetime import datetime, timedelta, timezone
from typing import Any

import pytest
from storage_helpers import containing

from bot.storage.assessments import MAX_FREE_TEXT_CHARS, MAX_FREE_TEXT_ITEMS, AssessmentStore

NOW = datetime(2026, 3, 1, 12, 0, tzinfo=timezone.utc)
FREE_TEXT = "knackered for months and pins n needles in both feet"


def assessment(band: str = "moderate", level: str = "routine") -> dict[str, Any]:
    return {
        "kb_version": "ng239-2024.2",
        "probability": 0.42,
        "band": band,
        "triage": {"level": level, "reasons": ["numbness"]},
        "tests": [{"id": "fbc"}, {"id": "b12_total"}, "not a test"],
    }


FINDINGS = {"fatigue": "present", "paraesthesia": "present"}


@pytest.fixture
def store(database_url: str) -> AssessmentStore:
    """The store as the action server opens it: from B12_DATABASE_URL, migrated."""
    return AssessmentStore.open()


def test_saved_assessment_comes_back_with_what_the_person_was_told(store: AssessmentStore) -> None:
    record = store.new_record_id()
    saved_id = store.save(
        record, assessment(), FINDINGS, channel="webchat", free_text=[FREE_TEXT], now=NOW
    )
    [back] = store.assessments(record)
    assert back.id == saved_id and back.record_id == record
    assert back.channel == "webchat"
    assert back.kb_version == "ng239-2024.2"
    assert back.probability == pytest.approx(0.42)
    assert (back.band, back.triage_level) == ("moderate", "routine")
    assert back.tests == ["fbc", "b12_total"]
    assert back.free_text == [FREE_TEXT]
    assert back.created_at == NOW


def test_assessments_of_a_record_come_oldest_first(store: AssessmentStore) -> None:
    record = store.new_record_id()
    store.save(record, assessment("high", "urgent"), FINDINGS, now=NOW)
    store.save(record, assessment("low", "self_care"), FINDINGS, now=NOW - timedelta(days=2))
    store.save(record, assessment("moderate", "routine"), FINDINGS, now=NOW - timedelta(days=1))
    assert [a.band for a in store.assessments(record)] == ["low", "moderate", "high"]


def test_free_text_is_kept_only_up_to_the_documented_limits(store: AssessmentStore) -> None:
    record = store.new_record_id()
    words = [f"message {i}" for i in range(MAX_FREE_TEXT_ITEMS + 10)]
    words[-1] = "x" * (MAX_FREE_TEXT_CHARS + 500)
    store.save(record, assessment(), FINDINGS, free_text=words, now=NOW)
    [back] = store.assessments(record)
    assert back.free_text is not None and len(back.free_text) == MAX_FREE_TEXT_ITEMS
    assert back.free_text[0] == "message 10"  # the most recent messages are the ones kept
    assert back.free_text[-1] == "x" * MAX_FREE_TEXT_CHARS


def test_without_free_text_none_is_stored(store: AssessmentStore) -> None:
    record = store.new_record_id()
    store.save(record, assessment(), FINDINGS, now=NOW)
    assert store.assessments(record)[0].free_text is None


def test_record_ids_are_random_and_unrelated_to_the_person(store: AssessmentStore) -> None:
    ids = {store.new_record_id() for _ in range(50)}
    assert len(ids) == 50
    assert all(len(i) == 32 and int(i, 16) >= 0 for i in ids)


def test_erase_removes_the_record_and_leaves_other_people_alone(store: AssessmentStore) -> None:
    mine, theirs = store.new_record_id(), store.new_record_id()
    for _ in range(3):
        store.save(mine, assessment(), FINDINGS, free_text=[FREE_TEXT], now=NOW)
    store.save(theirs, assessment("low"), FINDINGS, free_text=["their own words"], now=NOW)
    assert store.erase(mine) == 4  # three assessments and the record
    assert store.assessments(mine) == []
    assert [a.free_text for a in store.assessments(theirs)] == [["their own words"]]
    assert store.erase(mine) == 0


def test_after_erase_no_table_holds_the_record_id_or_the_words(store: AssessmentStore) -> None:
    record = store.new_record_id()
    store.save(record, assessment(), FINDINGS, channel="webchat", free_text=[FREE_TEXT], now=NOW)
    assert containing(store.engine, record, FREE_TEXT)  # the scan does see stored data
    store.erase(record)
    assert containing(store.engine, record, FREE_TEXT) == []


def test_purge_by_age_removes_only_old_records_and_agrees_with_the_count(
    store: AssessmentStore,
) -> None:
    old, recent, revisited = (store.new_record_id() for _ in range(3))
    store.save(old, assessment(), FINDINGS, now=NOW - timedelta(days=45))
    store.save(old, assessment(), FINDINGS, now=NOW - timedelta(days=40))
    store.save(recent, assessment(), FINDINGS, now=NOW - timedelta(days=5))
    # An old record its person came back to is not old any more.
    store.save(revisited, assessment(), FINDINGS, now=NOW - timedelta(days=60))
    store.save(revisited, assessment(), FINDINGS, now=NOW - timedelta(days=1))

    assert store.count_older(timedelta(days=30), now=NOW) == 1
    assert store.purge(timedelta(days=30), now=NOW) == 3  # two assessments and the record
    assert store.assessments(old) == []
    assert len(store.assessments(recent)) == 1 and len(store.assessments(revisited)) == 2
    assert store.count_older(timedelta(days=30), now=NOW) == 0
    assert store.purge(timedelta(days=30), now=NOW) == 0


def test_purge_cutoff_is_the_same_whatever_time_zone_the_clock_is_in(
    store: AssessmentStore,
) -> None:
    record = store.new_record_id()
    store.save(record, assessment(), FINDINGS, now=NOW - timedelta(hours=3))
    plus_five = timezone(timedelta(hours=5))
    # One hour before NOW, on a clock five hours ahead of UTC: the same instant.
    later = (NOW - timedelta(hours=1)).astimezone(plus_five)
    assert store.count_older(timedelta(hours=3), now=later) == 0
    assert store.count_older(timedelta(hours=1), now=later) == 1
