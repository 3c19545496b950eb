"""Whole scripted interviews: how many questions, in what order, and how fast."""

from __future__ import annotations

import time

import pytest
from core_builders import interview, make

from bot.assessment import assess
from bot.findings import Findings
from bot.questions import apply_answer, next_question

COMMON = ("metformin", "ppi", "diet")
RARE = ("ileal_resection", "knuckle_pigmentation")


MAN_55 = {"age": "55", "sex": "male", "diet": "omnivore", "family_history": "none"}
PERSONAS = {
    "tired and tingling, all no": (make("fatigue", "paresthesia"), MAN_55, "no"),
    "tired and tingling, all not sure": (make("fatigue", "paresthesia"), {}, "unsure"),
    "vegan woman of 30": (
        make("fatigue"),
        {
            "age": "30",
            "sex": "female",
            "pregnancy": "no",
            "diet": "vegan",
            "family_history": "none",
        },
        "no",
    ),
    "70 on metformin and omeprazole with numbness": (
        make("metformin", "ppi", "numbness", age=70),
        {"sex": "male", "diet": "omnivore", "family_history": "none"},
        "no",
    ),
}


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_interview_length_is_within_bounds(name):
    findings, answers, default = PERSONAS[name]
    asked = interview(findings, answers, default)
    assert 8 <= len(asked) <= 15, asked
    assert len(asked) == len(set(asked)), "a question was repeated"


@pytest.mark.parametrize("name", sorted(PERSONAS))
def test_common_risk_factors_come_before_rare_ones(name):
    findings, answers, default = PERSONAS[name]
    asked = interview(findings, answers, default)
    position = {qid: i for i, qid in enumerate(asked)}
    never = len(asked)
    for common in COMMON:
        for rare in RARE:
            if common in position or rare in position:
                assert position.get(common, never) < position.get(rare, never + 1), asked


def test_the_usual_interview_asks_the_common_risk_factors_and_not_the_rare_ones():
    findings, answers, default = PERSONAS["tired and tingling, all no"]
    asked = interview(findings, answers, default)
    assert set(COMMON) <= set(asked)
    assert not set(RARE) & set(asked)
    assert asked[0] == "emergency_screen"
    assert asked.index("age") <= 2


def test_known_risk_factors_are_not_asked_again():
    findings, answers, default = PERSONAS["70 on metformin and omeprazole with numbness"]
    asked = interview(findings, answers, default)
    assert "metformin" not in asked and "ppi" not in asked and "age" not in asked


def test_a_nothing_reported_interview_still_ends_within_the_limit():
    asked = interview(Findings(), MAN_55, "no")
    assert 8 <= len(asked) <= 15, asked
    assert asked[:3] == ["age", "sex", "diet"]


def _cpu_ms(fn, states: list[Findings], rounds: int = 5) -> float:
    """Median CPU time of one call, in milliseconds (CPU time: robust on a busy machine)."""
    times = []
    for _ in range(rounds):
        for state in states:
            start = time.process_time()
            fn(state)
            times.append(time.process_time() - start)
    times.sort()
    return times[len(times) // 2] * 1000


def test_each_turn_is_fast_after_warm_up():
    findings, answers, _ = PERSONAS["tired and tingling, all no"]
    states = [findings]
    for _ in range(15):
        question = next_question(states[-1])
        if question is None:
            break
        states.append(apply_answer(states[-1], question.id, answers.get(question.id, "no")))
    assess(findings)  # warm-up: loads the knowledge base
    assert _cpu_ms(next_question, states) < 5.0
    assert _cpu_ms(assess, states) < 5.0
