"""Slots, catching up on messages, and red-flag announcements."""

from __future__ import annotations

import logging

from actions.findings_io import (
    describe_changes,
    load_findings,
    messages_to_ingest,
    red_flag_text,
)
from bot.findings import Findings, LabResult, Status
from bot.triage import RedFlagHit


def test_only_messages_after_the_bookmark_are_ingested():
    events = [
        {"event": "user", "timestamp": 1.0, "text": "a"},
        {"event": "action", "name": "action_listen", "timestamp": 1.5},
        {"event": "user", "timestamp": 2.0, "text": "b"},
    ]
    assert [e["text"] for e in messages_to_ingest(events, 1.0)] == ["b"]
    assert messages_to_ingest(events, 2.0) == []


def test_without_a_bookmark_only_the_current_session_counts():
    events = [
        {"event": "user", "timestamp": 1.0, "text": "old session"},
        {"event": "session_started", "timestamp": 5.0},
        {"event": "user", "timestamp": 6.0, "text": "new session"},
    ]
    assert [e["text"] for e in messages_to_ingest(events, None)] == ["new session"]


def test_corrupt_findings_slot_is_treated_as_empty_and_logged_without_text(convo, caplog):
    convo.set_slot("findings", {"items": {"fatigue": {"status": "very"}}, "age": "secret words"})
    from rasa.shared.core.trackers import EventVerbosity
    from rasa_sdk import Tracker

    tracker = Tracker.from_dict(convo.tracker.current_state(EventVerbosity.ALL))
    with caplog.at_level(logging.WARNING):
        assert load_findings(tracker) == Findings()
    assert "corrupt findings" in caplog.text
    assert "secret words" not in caplog.text


def test_emergency_text_always_carries_the_numbers():
    hit = RedFlagHit("chest_pain", "emergency", "Chest pain needs checking now. Go to A&E.")
    text = red_flag_text(hit)
    assert text.startswith("Chest pain needs checking now.")
    assert "999" in text and "112" in text and "911" in text
    # No message in the knowledge base must still give clear advice.
    assert "999" in red_flag_text(RedFlagHit("x", "emergency", ""))


def test_urgent_text_gives_a_same_day_route():
    text = red_flag_text(RedFlagHit("unexplained_bruising", "urgent", "See a doctor today."))
    assert text.startswith("See a doctor today.")
    assert "111" in text


def test_changes_are_described_in_plain_words():
    before = Findings().with_item("vegan_diet", Status.PRESENT)
    after = (
        before.with_item("vegan_diet", Status.ABSENT)
        .with_item("fatigue", Status.PRESENT)
        .with_lab(LabResult("b12_total", 150.0, "ng/L", "150 ng/L"))
    )
    after = Findings.from_dict({**after.to_dict(), "age": 54})
    lines = describe_changes(before, after)
    assert any(line.lower().startswith("vegan") and line.endswith(": no") for line in lines)
    assert any("tired" in line.lower() and line.endswith(": yes") for line in lines)
    assert "age 54" in lines
    assert any("150 ng/L" in line for line in lines)
    assert describe_changes(after, after) == []


def test_a_red_flag_in_the_findings_is_announced_first_and_only_once(convo):
    findings = Findings(age=60).with_item("chest_pain", Status.PRESENT)
    convo.set_slot("findings", findings.to_dict())
    convo.user("/ask_tests", "ask_tests")
    turn = convo.run("action_tests")
    assert "Chest pain" in turn.texts[0]
    assert "999" in turn.texts[0]
    assert convo.slot("announced_red_flags") == ["chest_pain"]
    convo.user("/ask_tests", "ask_tests")
    again = convo.run("action_tests")
    assert not any("Chest pain" in t for t in again.texts)


def test_a_general_question_about_b12_does_not_become_the_persons_history(convo, entities_for):
    from bot.findings import Extraction, Mention

    history = entities_for(Extraction(mentions=[Mention("b12_deficiency_history")]))
    convo.user("what are the signs of low b12", "faq", history)
    convo.user("/ask_tests", "ask_tests")
    convo.run("action_tests")
    assert convo.findings().status("b12_deficiency_history") is Status.UNKNOWN


def test_a_red_flag_inside_a_question_is_still_taken(convo, entities_for):
    from bot.findings import Extraction, Mention

    flag = entities_for(Extraction(mentions=[Mention("chest_pain", text="chest pain")]))
    convo.user("is chest pain a sign of low b12? I have it now", "faq", flag)
    convo.user("/ask_tests", "ask_tests")
    turn = convo.run("action_tests")
    assert "999" in turn.texts[0]
