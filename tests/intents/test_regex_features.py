"""The regular-expression features fire on what they are named for and not on its opposite.

The classifier leans on these features exactly where word counts cannot help ("keep my
answers" and "don't keep my answers" share every word), so a feature that fires on the
wrong side teaches it the wrong intent: these checks read data/nlu/regex.yml as Rasa does
and match it with Python's ``re``, as Rasa's RegexFeaturizer does.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pytest
import yaml

REGEX_FILE = Path(__file__).resolve().parents[2] / "data" / "nlu" / "regex.yml"


@cache
def features() -> dict[str, list[re.Pattern[str]]]:
    data = yaml.safe_load(REGEX_FILE.read_text(encoding="utf-8"))
    found: dict[str, list[re.Pattern[str]]] = {}
    for item in data["nlu"]:
        if "regex" in item:
            patterns = [line[2:] for line in item["examples"].splitlines() if line.startswith("- ")]
            found[item["regex"]] = [re.compile(p) for p in patterns]
    return found


def fires(feature: str, text: str) -> bool:
    return any(pattern.search(text) for pattern in features()[feature])


AGREES = [
    "keep my answers",
    "i consent",
    "I don't mind you keeping my answers",
    "dont mind if you save them",
    "i wouldn't mind you storing my answers",
    "no objection to you keeping them",
    "happy for you to keep my data",
    "fine to save my answers",
]
REFUSES = [
    "don't keep my answers",
    "please do not save anything",
    "i'd rather you didn't store them",
    "I withdraw my consent",
    "not happy for you to keep them",
    "I don't mind chatting but don't keep my answers",
    "no need to keep them",
]


@pytest.mark.parametrize("text", AGREES)
def test_agreeing_to_keep_the_answers_is_not_a_refusal(text: str) -> None:
    assert not fires("keeping_refused", text)


@pytest.mark.parametrize("text", AGREES[2:])
def test_not_minding_reads_as_agreement(text: str) -> None:
    assert fires("keeping_agreed", text)


@pytest.mark.parametrize("text", REFUSES)
def test_refusing_to_keep_the_answers_is_seen(text: str) -> None:
    assert fires("keeping_refused", text)


@pytest.mark.parametrize(
    "text",
    ["I can't walk as far as I used to", "i can't walk very far without resting"],
)
def test_calm_limits_are_not_an_emergency_feature(text: str) -> None:
    assert not fires("emergency_neuro", text)


@pytest.mark.parametrize("text", ["my legs gave way", "I suddenly can't walk", "I've gone blind"])
def test_sudden_loss_of_function_is_an_emergency_feature(text: str) -> None:
    assert fires("emergency_neuro", text)


@pytest.mark.parametrize("text", ["not 60, 66", "actually I'm not vegan", "I said 45 not 54"])
def test_corrections_open_with_a_correction_feature(text: str) -> None:
    assert fires("correction_opening", text)
