"""A question about B12 in general is not a report, whatever its opening word."""

from __future__ import annotations

import pytest

from bot.findings import Status
from bot.nlu import extract


@pytest.mark.parametrize(
    "text",
    [
        "can low b12 make you collapse?",
        "can b12 deficiency cause fainting?",
        "could a lack of b12 give you chest pain?",
        "is chest pain a sign of low b12?",
    ],
)
def test_a_general_question_reports_nothing_now(text: str) -> None:
    assert all(m.status is not Status.PRESENT for m in extract(text).mentions), text


def test_a_question_that_says_it_is_happening_is_a_report() -> None:
    found = extract("can you help, i fainted this morning?")
    assert [(m.id, m.status) for m in found.mentions] == [("fainting", Status.PRESENT)]


@pytest.mark.parametrize(
    "text", ["my legs just gave way", "her legs suddenly gave way and she fell"]
)
def test_legs_that_suddenly_gave_way_are_a_red_flag(text: str) -> None:
    present = {m.id for m in extract(text).mentions if m.status is Status.PRESENT}
    assert "rapid_leg_weakness" in present
