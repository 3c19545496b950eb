"""Blind rounds as regression measures: never worse than after their causes were fixed.

Each round's sets were run once, blind, and the first-run figures are in
docs/language-understanding.md. Their causes were then fixed by category, with tests of
other sentences. The floors below are each round's offline figures after those fixes: a
change that makes a stranger's words fare worse fails here. Raise a floor when the figure
improves; never lower one to make a change pass, and never edit the sets.
"""

from __future__ import annotations

from functools import cache

import pytest

from bot.nlu import extract

from .blind_r3 import load_set, score_emergencies, score_not_emergencies, score_ordinary

FLOORS = {
    3: {
        "ordinary_f1": 0.81, "labs_recall": 0.84, "ordinary_subject": 68,
        "false_emergencies": 14, "announced": 140, "red_flag": 130, "emergency_subject": 66,
    },
    4: {
        "ordinary_f1": 0.90, "labs_recall": 0.86, "ordinary_subject": 54,
        "false_emergencies": 0, "announced": 109, "red_flag": 105, "emergency_subject": 55,
    },
    5: {
        "ordinary_f1": 0.85, "labs_recall": 0.93, "ordinary_subject": 60,
        "false_emergencies": 3, "announced": 141, "red_flag": 137, "emergency_subject": 70,
    },
    6: {
        "ordinary_f1": 0.89, "labs_recall": 0.96, "ordinary_subject": 79,
        "false_emergencies": 3, "announced": 147, "red_flag": 145, "emergency_subject": 72,
    },
    7: {
        "ordinary_f1": 0.82, "labs_recall": 0.94, "ordinary_subject": 62,
        "false_emergencies": 1, "announced": 114, "red_flag": 108, "emergency_subject": 65,
    },
    8: {
        "ordinary_f1": 0.85, "labs_recall": 0.94, "ordinary_subject": 79,
        "false_emergencies": 18, "announced": 140, "red_flag": 129, "emergency_subject": 68,
    },
}
ROUNDS = sorted(FLOORS)


@cache
def scores(round_: int) -> tuple:
    return (
        score_ordinary(load_set("ordinary", round_=round_), extract),
        score_not_emergencies(load_set("not_emergencies", round_=round_), extract),
        score_emergencies(load_set("emergencies", round_=round_), extract),
    )


@pytest.mark.parametrize("round_", ROUNDS)
def test_no_other_persons_finding_is_stored_as_the_checked_persons(round_: int) -> None:
    ordinary, _, _ = scores(round_)
    assert ordinary.findings.misattributed == 0


@pytest.mark.parametrize("round_", ROUNDS)
def test_ordinary_findings_and_labs_stay_at_least_as_good(round_: int) -> None:
    ordinary, _, _ = scores(round_)
    floor = FLOORS[round_]
    assert ordinary.findings.subject.f1 >= floor["ordinary_f1"], ordinary.findings.subject
    assert ordinary.labs.precision == 1.0, ordinary.labs
    assert ordinary.labs.recall >= floor["labs_recall"], ordinary.labs
    assert ordinary.subject_recognised.hits >= floor["ordinary_subject"]


@pytest.mark.parametrize("round_", ROUNDS)
def test_false_emergencies_from_the_words_never_grow(round_: int) -> None:
    _, calm, _ = scores(round_)
    assert len(calm.false_emergencies) <= FLOORS[round_]["false_emergencies"], (
        calm.false_emergencies
    )


@pytest.mark.parametrize("round_", ROUNDS)
def test_emergencies_announced_from_the_words_never_fall(round_: int) -> None:
    _, _, urgent = scores(round_)
    floor = FLOORS[round_]
    assert urgent.announced.hits >= floor["announced"], urgent.announced
    assert urgent.red_flag.hits >= floor["red_flag"], urgent.red_flag
    assert urgent.subject_recognised.hits >= floor["emergency_subject"], urgent.subject_recognised
