"""Grouped red-flag screens: one "any of these?" question, then the flag itself on a yes."""

from __future__ import annotations

import pytest
from core_builders import make

from bot.findings import Findings, Status
from bot.knowledge import load_knowledge
from bot.questions import apply_answer, next_question, rank_questions, should_stop
from bot.triage import triage

GROUPS = load_knowledge().questions["screen_groups"]
EMERGENCY = GROUPS["emergency_screen"].members
BLEEDING = GROUPS["bleeding_screen"].members


def _tingling(**fields) -> Findings:
    """Pins and needles and tiredness: links both groups and the nerve screen."""
    return make("paresthesia", "fatigue", **fields)


def test_groups_are_declared_and_hold_red_flags_of_one_urgency(kb):
    assert set(GROUPS) == {"emergency_screen", "bleeding_screen"}
    for group in GROUPS.values():
        assert {kb.get(fid).kind for fid in group.members} == {"red_flag"}
        assert {kb.get(fid).urgency for fid in group.members} == {group.urgency}
    # Thoughts of self-harm get their own question, never a line in a checklist.
    assert all("suicidal_thoughts" not in g.members for g in GROUPS.values())


def test_the_emergency_screen_is_one_yes_no_question_that_names_each_flag_plainly():
    question = next_question(_tingling())
    assert question.id == "emergency_screen"
    assert question.kind == "yes_no" and question.red_flag and not question.options
    for words in ("chest pain", "bladder", "walk", "sight", "vomiting blood"):
        assert words in question.text


@pytest.mark.parametrize("group_id", sorted(GROUPS))
def test_no_marks_every_member_absent(group_id):
    findings = apply_answer(_tingling(), group_id, "no")
    assert all(findings.status(fid) is Status.ABSENT for fid in GROUPS[group_id].members)
    assert group_id in findings.asked
    assert group_id not in [q.id for q in rank_questions(findings)]


def test_no_never_erases_a_flag_the_person_already_reported():
    findings = apply_answer(
        _tingling().with_item("unusual_bleeding", Status.PRESENT), "bleeding_screen", "no"
    )
    assert findings.status("unusual_bleeding") is Status.PRESENT
    assert findings.status("unexplained_bruising") is Status.ABSENT
    assert triage(findings).level == "urgent"


def test_yes_leads_to_the_members_one_by_one_linked_ones_first():
    findings = apply_answer(_tingling(age=50), "emergency_screen", "yes")
    assert all(findings.status(fid) is Status.UNKNOWN for fid in EMERGENCY)
    first = next_question(findings)
    # Linked to pins and needles or tiredness: leg weakness, bladder or chest pain.
    assert first.id in ("rapid_leg_weakness", "bladder_bowel_loss", "chest_pain")
    assert first.red_flag and first.kind == "yes_no"
    asked = []
    while (question := next_question(findings)) is not None and question.id in EMERGENCY:
        asked.append(question.id)
        findings = apply_answer(findings, question.id, "no")
    assert sorted(asked) == sorted(EMERGENCY)  # the person has one: every member is asked


def test_yes_then_yes_to_a_member_gives_its_emergency_message_and_stops():
    findings = apply_answer(_tingling(age=50), "emergency_screen", "yes")
    flag = next_question(findings).id
    findings = apply_answer(findings, flag, "yes")
    result = triage(findings)
    assert result.level == "emergency"
    assert load_knowledge().get(flag).message in result.reasons
    assert should_stop(findings) and next_question(findings) is None


def test_unsure_leaves_members_unknown_and_is_not_asked_again():
    findings = apply_answer(_tingling(age=50), "emergency_screen", "unsure")
    assert all(findings.status(fid) is Status.UNKNOWN for fid in EMERGENCY)
    upcoming = [q.id for q in rank_questions(findings)]
    assert "emergency_screen" not in upcoming
    assert not set(EMERGENCY) & set(upcoming)
    assert triage(findings).level != "emergency"


def test_at_most_two_screening_questions_come_before_the_demographics():
    findings = make("paresthesia", "numbness", "fatigue", "shortness_of_breath", "depression")
    order = []
    while (question := next_question(findings)) is not None and question.id != "age":
        order.append(question.id)
        findings = apply_answer(findings, question.id, "no")
    assert question is not None and question.id == "age"
    assert order == ["emergency_screen", "suicidal_thoughts"]


def test_urgent_screens_follow_the_demographics_and_are_never_skipped():
    findings = apply_answer(_tingling(age=60, sex="male"), "emergency_screen", "no")
    findings = apply_answer(findings, "diet", "omnivore")
    # Push the stop rules as far as they go: the urgent screens are still asked.
    findings = apply_answer(findings, "family_history", "none")
    for qid in (
        "metformin",
        "ppi",
        "memory_problems",
        "numbness",
        "dizziness",
        "glossitis",
        "b12_deficiency_history",
        "mouth_ulcers",
        "weakness",
        "headache",
        "anxiety",
        "irritability",
    ):
        findings = apply_answer(findings, qid, "no")
    assert len(findings.asked) >= load_knowledge().questions["max_questions"]
    seen = []
    while (question := next_question(findings)) is not None:
        seen.append(question.id)
        findings = apply_answer(findings, question.id, "no")
    assert {"bleeding_screen", "worsening_neuro"} <= set(seen)


def test_a_single_open_member_is_asked_on_its_own():
    findings = _tingling(age=60, sex="male").with_item("unexplained_bruising", Status.ABSENT)
    findings = apply_answer(apply_answer(findings, "emergency_screen", "no"), "diet", "omnivore")
    assert next_question(findings).id in ("unusual_bleeding", "worsening_neuro")
    assert "bleeding_screen" not in [q.id for q in rank_questions(findings)]


def test_invalid_group_answer_is_refused():
    with pytest.raises(ValueError, match="I106"):
        apply_answer(_tingling(), "emergency_screen", "a bit")
