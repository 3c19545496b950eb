"""A "yes" to a grouped red-flag screen is acted on, whatever the person says about each item.

Someone who says "yes" to "Right now, do you have any of these...?" and then "no" or "not
sure" to every item still has something on the list (they may be confused, frightened or
unwilling to say which). They must never be sent away with routine or self-care advice.
"""

from __future__ import annotations

import pytest
from core_builders import make
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.assessment import assess, validate_findings
from bot.findings import Findings, Status
from bot.knowledge import load_knowledge
from bot.questions import apply_answer, next_question, should_stop
from bot.triage import LEVELS, red_flags, triage

KB = load_knowledge()
GROUPS = KB.questions["screen_groups"]
SYMPTOMS = sorted(f.id for f in KB.by_kind("symptom"))
ANSWERS = ("yes", "no", "unsure")


def _at_least(level: str, floor: str) -> bool:
    return LEVELS.index(level) >= LEVELS.index(floor)


def _said_yes(group_id: str, **fields) -> Findings:
    return apply_answer(make("paresthesia", "fatigue", **fields), group_id, "yes")


@pytest.mark.parametrize("member_answer", ["no", "unsure"])
def test_yes_to_the_emergency_checklist_then_no_or_unsure_to_every_item_is_still_an_emergency(
    member_answer,
):
    findings = _said_yes("emergency_screen", age=45, sex="male")
    asked = []
    while (question := next_question(findings)) is not None:
        asked.append(question.id)
        findings = apply_answer(findings, question.id, member_answer)
    assert sorted(asked) == sorted(GROUPS["emergency_screen"].members)
    result = triage(findings)
    assert result.level == "emergency"
    assert result.reasons[0] == GROUPS["emergency_screen"].message
    assert assess(findings).triage.level == "emergency"
    assert should_stop(findings)


def test_the_checklist_message_says_plainly_what_to_do_and_names_the_items():
    message = GROUPS["emergency_screen"].message
    assert message.startswith("You said you have")
    for words in ("999", "112", "911", "A&E", "chest pain", "bladder", "vomiting blood"):
        assert words in message
    bleeding = GROUPS["bleeding_screen"].message
    assert "bruising" in bleeding and "bleeding" in bleeding
    assert "today or within 48 hours" in bleeding


def test_the_yes_is_announced_at_once_as_a_red_flag():
    before = make("paresthesia", "fatigue")
    after = apply_answer(before, "emergency_screen", "yes")
    assert red_flags(before) == []
    hits = red_flags(after)
    assert [(h.id, h.urgency) for h in hits] == [("emergency_screen", "emergency")]
    assert hits[0].message == GROUPS["emergency_screen"].message and hits[0].label
    assert triage(after).level == "emergency"
    assert assess(after).to_dict()["red_flags"][0]["id"] == "emergency_screen"


def test_a_confirmed_item_replaces_the_checklist_with_its_own_message_and_stops():
    findings = _said_yes("emergency_screen", age=60)
    findings = apply_answer(findings, "bladder_bowel_loss", "yes")
    assert [h.id for h in red_flags(findings)] == ["bladder_bowel_loss"]
    result = triage(findings)
    assert result.level == "emergency"
    assert KB.get("bladder_bowel_loss").message in result.reasons
    assert GROUPS["emergency_screen"].message not in result.reasons
    assert next_question(findings) is None


def test_yes_to_the_bleeding_check_then_no_to_both_items_is_urgent():
    findings = _said_yes("bleeding_screen", age=40, sex="female", pregnant=Status.ABSENT)
    assert triage(findings).level == "urgent"
    for fid in GROUPS["bleeding_screen"].members:
        assert next_question(findings).id == fid  # asked straight away, before anything else
        findings = apply_answer(findings, fid, "no")
    result = triage(findings)
    assert result.level == "urgent"
    assert GROUPS["bleeding_screen"].message in result.reasons
    assert [h.id for h in red_flags(findings)] == ["bleeding_screen"]
    assert next_question(findings) is not None  # urgent: the interview goes on


def test_not_sure_after_yes_keeps_it_but_a_no_to_the_checklist_itself_is_a_correction():
    findings = _said_yes("emergency_screen")
    assert triage(apply_answer(findings, "emergency_screen", "unsure")).level == "emergency"
    corrected = apply_answer(findings, "emergency_screen", "no")
    assert corrected.positive_screens == frozenset()
    assert triage(corrected).level != "emergency"


def test_the_yes_survives_the_slot_round_trip_and_old_slots_still_load():
    findings = _said_yes("emergency_screen")
    restored = Findings.from_dict(findings.to_dict())
    assert restored == findings
    assert triage(restored).level == "emergency"
    plain = make("fatigue")
    assert "positive_screens" not in plain.to_dict()  # unchanged shape when nothing was said
    assert Findings.from_dict(plain.to_dict()) == plain


def test_an_unknown_screen_id_is_refused_not_ignored():
    findings = Findings.from_dict({"positive_screens": ["emergency_screan"]})
    with pytest.raises(ValueError, match="I105"):
        validate_findings(findings)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    group_id=st.sampled_from(sorted(GROUPS)),
    symptoms=st.lists(st.sampled_from(SYMPTOMS), max_size=4, unique=True),
    age=st.one_of(st.none(), st.integers(16, 100)),
    answers=st.lists(st.sampled_from(ANSWERS + ("unasked",)), min_size=9, max_size=9),
)
def test_any_yes_to_a_screen_keeps_its_urgency_whatever_the_items_are_answered(
    group_id, symptoms, age, answers
):
    group = GROUPS[group_id]
    findings = apply_answer(make(*symptoms, age=age), group_id, "yes")
    for fid, answer in zip(group.members, answers, strict=False):
        if answer != "unasked":
            findings = apply_answer(findings, fid, answer)
    result = triage(findings)
    assert _at_least(result.level, group.urgency), (answers, result.level)
    assert any(_at_least(hit.urgency, group.urgency) for hit in red_flags(findings))
    if not any(findings.status(fid) is Status.PRESENT for fid in group.members):
        assert group.message in result.reasons


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    group_id=st.sampled_from(sorted(GROUPS)),
    symptoms=st.lists(st.sampled_from(SYMPTOMS), min_size=1, max_size=3, unique=True),
    replies=st.lists(st.sampled_from(ANSWERS), min_size=60, max_size=60),
)
def test_a_whole_interview_after_a_yes_never_ends_below_the_screens_urgency(
    group_id, symptoms, replies
):
    group = GROUPS[group_id]
    findings = apply_answer(make(*symptoms, age=50, sex="male"), group_id, "yes")
    for reply in replies:
        question = next_question(findings)
        if question is None:
            break
        answer = reply
        if question.kind != "yes_no":
            answer = {"age": "50", "sex": "male", "diet": "omnivore"}.get(question.id, "unsure")
        findings = apply_answer(findings, question.id, answer)
    assert _at_least(triage(findings).level, group.urgency)
