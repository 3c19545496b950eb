"""Asking who the check is for, and what the answer changes."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from bot.findings import Extraction, Findings, Mention
from bot.who import QUESTION_ID, apply_who, settle, subject_named, who_question, worded_for

ROOT = Path(__file__).resolve().parents[2]


def about_him() -> Findings:
    return Findings().update(Extraction(
        mentions=[Mention("muscle_weakness_legs", person="he"), Mention("fatigue", person="self")],
        age=84, about={"age": "he"},
    ))


def test_the_question_is_asked_only_when_someone_elses_symptoms_were_described():
    assert who_question(Findings()) is None
    words, options = who_question(about_him())
    assert "for you, or for someone else" in words
    assert [label for _, label in options] == ["For me", "For him"]
    dad = Findings().update(Extraction(mentions=[Mention("fatigue", family=True,
                                                         person="father")]))
    assert dad.family_status("fatigue").value == "present"  # self: a relative's is family
    assert who_question(dad) is None


def test_answering_for_him_makes_his_words_the_checked_persons():
    findings = apply_who(about_him(), "he")
    assert findings.present_ids() == {"muscle_weakness_legs"} and findings.age == 84
    assert QUESTION_ID in findings.asked and who_question(findings) is None


def test_answering_for_me_or_not_sure_keeps_the_writer():
    for answer in ("self", "unsure"):
        findings = apply_who(about_him(), answer)
        assert findings.present_ids() == {"fatigue"} and findings.age is None
        assert findings.checked.is_self and who_question(findings) is None


def test_a_relation_sets_pronoun_family_and_sex():
    dad = subject_named("father")
    assert (dad.pronoun, dad.blood) == ("he", True)
    assert settle(Findings(), "mother").sex == "female"
    assert settle(Findings(), "partner").sex is None
    assert subject_named("she").pronoun == "she"


def test_texts_are_worded_for_the_checked_person():
    own = "Do you have any chest pain?"
    other = "Does {person} have any chest pain?"
    assert worded_for(Findings(), own, other) == own
    dad = settle(Findings(), "father")
    assert worded_for(dad, own, other) == "Does your dad have any chest pain?"
    assert worded_for(settle(Findings(), "she"), own, other).startswith("Does the person you")


def test_questions_come_worded_for_the_checked_person():
    from bot.questions import apply_answer, next_question

    findings = about_him()
    first = next_question(findings)
    assert first.id == "subject" and [v for v, _ in first.options] == ["self", "he"]
    findings = apply_answer(findings, "subject", "he")
    asked = []
    for _ in range(6):
        question = next_question(findings)
        if question is None:
            break
        asked.append(question.text)
        answer = {"age": "85", "sex": "male", "diet": "omnivore"}.get(question.id, "no")
        findings = apply_answer(findings, question.id, answer)
    assert asked and all("the person you're asking for" in q for q in asked), asked
    assert not any(q.lower().startswith(("do you", "are you", "have you")) for q in asked)


def test_triage_speaks_to_the_helper_about_the_checked_person():
    from bot.findings import Status
    from bot.triage import red_flags, triage

    dad = settle(Findings(), "father").with_item("rapid_leg_weakness", Status.PRESENT)
    advice = triage(dad)
    assert advice.level == "emergency" and "your dad" in advice.title
    assert "stay with him" in advice.advice
    assert all("your dad" in hit.message for hit in red_flags(dad))
    mine = Findings().with_item("rapid_leg_weakness", Status.PRESENT)
    assert "your dad" not in triage(mine).advice


def test_the_assessment_and_the_summary_say_whose_check_it_is():
    from bot.assessment import assess
    from bot.findings import Status
    from bot.messages import short_summary
    from bot.summary import render_html, render_text

    mum = settle(Findings(), "mother").with_item("fatigue", Status.PRESENT)
    assessed = assess(mum)
    assert assessed.to_dict()["checked_for"] == {
        "relation": "mother", "pronoun": "she", "name": "your mum",
    }
    assert "about your mum" in short_summary(assessed)
    text = render_text(mum, assessed)
    assert text.startswith("B12 symptom check for your mum") and "Checked for: your mum" in text
    assert "for your mum" in render_html(mum, assessed)
    assert "checked_for" not in assess(Findings()).to_dict()
    schema = json.loads((ROOT / "docs" / "assessment.schema.json").read_text())
    Draft202012Validator(schema).validate(json.loads(json.dumps(assessed.to_dict())))
