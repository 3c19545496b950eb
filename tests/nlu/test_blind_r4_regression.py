"""Blind round 4 as a regression measure: never worse than after its causes were fixed.

Run once, blind, on 2026-12-07; the first-run figures are in docs/language-understanding.md
("Blind round 4"). Two causes were then fixed with tests of other sentences (a relative's
blood result; a time phrase that contains a state). These floors are the offline figures
after those fixes. Raise a floor when the figure improves; never lower one to make a change
pass, and never edit the sets.
"""

from __future__ import annotations

from functools import cache

from bot.nlu import extract

from .blind_r3 import load_set, score_emergencies, score_not_emergencies, score_ordinary


@cache
def scores() -> tuple:
    return (
        score_ordinary(load_set("ordinary", round_=4), extract),
        score_not_emergencies(load_set("not_emergencies", round_=4), extract),
        score_emergencies(load_set("emergencies", round_=4), extract),
    )


def test_no_other_persons_finding_is_stored_as_the_checked_persons() -> None:
    ordinary, _, _ = scores()
    assert ordinary.findings.misattributed == 0


def test_ordinary_findings_and_labs_stay_at_least_as_good() -> None:
    ordinary, _, _ = scores()
    assert ordinary.findings.subject.f1 >= 0.89, ordinary.findings.subject
    assert ordinary.labs.precision == 1.0 and ordinary.labs.recall >= 0.85, ordinary.labs
    assert ordinary.subject_recognised.hits >= 52


def test_false_emergencies_from_the_words_never_grow() -> None:
    _, calm, _ = scores()
    assert len(calm.false_emergencies) <= 19, calm.false_emergencies


def test_emergencies_announced_from_the_words_never_fall() -> None:
    _, _, urgent = scores()
    assert urgent.announced.hits >= 76, urgent.announced
    assert urgent.red_flag.hits >= 71, urgent.red_flag
    assert urgent.subject_recognised.hits >= 42, urgent.subject_recognised
