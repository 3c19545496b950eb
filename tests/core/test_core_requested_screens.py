"""A screen the emergency net asks for comes before every other question, is worded for
the person being checked, is asked once more if it was asked before, and its "yes" is
an emergency like any other "yes" to the checklist."""

from __future__ import annotations

from core_builders import make

from bot.findings import Findings
from bot.knowledge import load_knowledge
from bot.questions import apply_answer, next_question
from bot.triage import triage
from bot.who import settle

KB = load_knowledge()
SCREEN = "emergency_screen"


def test_a_requested_screen_is_the_very_next_question():
    findings = Findings().request_screen(SCREEN)
    question = next_question(findings)
    assert question.id == SCREEN
    assert question.red_flag and question.kind == "yes_no"
    assert question.text == KB.questions["screen_groups"][SCREEN].question
    # Before the age, which an empty check would otherwise ask first.
    assert next_question(Findings()).id != SCREEN


def test_it_comes_before_the_screens_and_questions_that_symptoms_call_for():
    findings = make("paresthesia", "fatigue", age=50, sex="female").request_screen(SCREEN)
    assert next_question(findings).id == SCREEN
    answered = apply_answer(findings, SCREEN, "no")
    assert next_question(answered).id != SCREEN


def test_it_is_worded_for_the_person_being_checked():
    findings = settle(Findings(), "father").request_screen(SCREEN)
    question = next_question(findings)
    assert question.id == SCREEN
    assert "has your dad had" in question.text.lower()


def test_a_yes_is_an_emergency_and_a_no_is_not():
    findings = make("fatigue", age=40, sex="male").request_screen(SCREEN)
    assert triage(apply_answer(findings, SCREEN, "yes")).level == "emergency"
    assert triage(apply_answer(findings, SCREEN, "no")).level != "emergency"


def test_a_screen_answered_before_is_asked_once_more_but_not_twice():
    answered = apply_answer(make("fatigue", age=40, sex="male"), SCREEN, "no")
    assert SCREEN in answered.asked
    again = answered.request_screen(SCREEN)
    assert next_question(again).id == SCREEN
    answered_again = apply_answer(again, SCREEN, "no")
    assert answered_again.request_screen(SCREEN) == answered_again
    assert next_question(answered_again).id != SCREEN


def test_the_request_survives_the_slot_round_trip():
    findings = make("fatigue").request_screen(SCREEN)
    assert Findings.from_dict(findings.to_dict()) == findings
    assert findings.to_dict()["requested_screens"] == [SCREEN]
    assert "requested_screens" not in make("fatigue").to_dict()
