"""Scoring the lay-language evaluation sets (``tests/nlu/data/eval_*.yml``).

A finding counts as correct only when id, status, family and past-only all match,
so "mum had pernicious anaemia" scored as the person's own anaemia is both a false
positive and a false negative.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

from bot.findings import Extraction, Status

DATA = Path(__file__).resolve().parent / "data"
FindingKey = tuple[str, str, bool, bool]


def parse_expected(item: str) -> FindingKey:
    """'id' present, 'id!' negated, 'id?' unknown, 'past:id', 'fam:id', 'fam:id!'."""
    family = item.startswith("fam:")
    past = item.startswith("past:")
    name = item.split(":", 1)[1] if (family or past) else item
    if name.endswith("!"):
        return name[:-1], Status.ABSENT.value, family, False
    if name.endswith("?"):
        return name[:-1], Status.UNKNOWN.value, family, False
    if past:
        return name, Status.ABSENT.value, family, True
    return name, Status.PRESENT.value, family, False


PRONOUNS = ("he", "she", "they")


def counts_as_persons(person: str) -> bool:
    """The sets were written for one person: the writer, or whoever the words leave unsaid.
    A pronoun's finding ("he can't walk") is read as that person's, as the sets expect; a
    partner's or a friend's (a relation that is not blood) is nobody's here."""
    return person in ("", "self") or person in PRONOUNS


def found_keys(extraction: Extraction) -> set[FindingKey]:
    """Family history has no time in ``Findings``, so a relative's finding is compared
    without one ("my dad had chest pain last week" is ``fam:chest_pain``)."""
    return {
        (m.id, m.status.value, m.family, m.past and not m.family)
        for m in extraction.mentions
        if m.family or counts_as_persons(m.person)
    }


def persons_values(extraction: Extraction) -> dict[str, Any]:
    """``to_dict()`` with the values about someone else (``about``) left out, as the sets
    write them."""
    data = extraction.to_dict()
    for name in ("age", "sex", "pregnant", "breastfeeding"):
        if not counts_as_persons(extraction.about.get(name, "")):
            data[name] = None
            if name == "pregnant":
                data["pregnancy_weeks"] = None
    return data


def load_cases(name: str) -> list[dict[str, Any]]:
    with (DATA / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)["cases"]


STRICT_FIELDS = ("age", "sex", "pregnant")
OPTIONAL_FIELDS = ("age_hint", "pregnancy_weeks", "breastfeeding", "duration_days")


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    value_checks: int = 0
    value_errors: list[str] = field(default_factory=list)
    finding_errors: list[str] = field(default_factory=list)
    negated_red_flag_present: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def value_accuracy(self) -> float:
        if not self.value_checks:
            return 1.0
        return 1 - len(self.value_errors) / self.value_checks


def score_cases(
    cases: list[dict[str, Any]], extract: Callable[[str], Extraction], red_flags: set[str]
) -> Score:
    score = Score()
    for case in cases:
        text = case["text"]
        result = extract(text)
        expected = {parse_expected(str(item)) for item in case.get("mentions") or []}
        found = found_keys(result)
        score.tp += len(expected & found)
        score.fp += len(found - expected)
        score.fn += len(expected - found)
        if expected != found:
            score.finding_errors.append(
                f"{text!r}: missing {sorted(expected - found)} extra {sorted(found - expected)}"
            )
        for key in expected:
            negated_red_flag = key[0] in red_flags and key[1] == Status.ABSENT.value and not key[2]
            if negated_red_flag and (key[0], Status.PRESENT.value, False, False) in found:
                score.negated_red_flag_present.append(text)
        data = persons_values(result)
        for name in STRICT_FIELDS:
            score.value_checks += 1
            if data.get(name) != case.get(name):
                score.value_errors.append(
                    f"{text!r}: {name} {data.get(name)!r} != {case.get(name)!r}"
                )
        for name in OPTIONAL_FIELDS:
            if name in case:
                score.value_checks += 1
                if data.get(name) != case[name]:
                    score.value_errors.append(
                        f"{text!r}: {name} {data.get(name)!r} != {case[name]!r}"
                    )
        if "labs" in case:
            score.value_checks += 1
            got = sorted(lab["analyte"] for lab in data["labs"])
            if got != sorted(case["labs"]):
                score.value_errors.append(f"{text!r}: labs {got} != {sorted(case['labs'])}")
    return score
