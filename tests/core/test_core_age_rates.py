"""Questions fit the person's age: metformin for a 70-year-old, nitrous oxide for a 22-year-old."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml
from core_builders import interview, make

from bot.errors import KnowledgeError
from bot.knowledge import load_knowledge
from bot.knowledge.loader import load_from
from bot.questions import apply_answer, rank_questions


def _after_screens(age: int):
    """Tired with pins and needles, safety screens and diet answered: ranking decides."""
    findings = make("fatigue", "paresthesia", age=age, sex="male")
    findings = apply_answer(findings, "emergency_screen", "no")
    return apply_answer(findings, "diet", "omnivore")


def _position(ids: list[str], qid: str) -> int:
    return ids.index(qid) if qid in ids else len(ids)


def test_a_70_year_old_is_asked_about_metformin_before_nitrous_oxide():
    ranked = [q.id for q in rank_questions(_after_screens(70))]
    assert _position(ranked, "metformin") < _position(ranked, "nitrous_oxide")
    asked = interview(_after_screens(70), {"family_history": "none"}, "no")
    assert "metformin" in asked
    assert _position(asked, "metformin") < _position(asked, "nitrous_oxide")


def test_a_22_year_old_is_asked_about_nitrous_oxide_before_metformin():
    ranked = [q.id for q in rank_questions(_after_screens(22))]
    assert _position(ranked, "nitrous_oxide") < _position(ranked, "metformin")
    asked = interview(_after_screens(22), {"family_history": "none"}, "no")
    assert "nitrous_oxide" in asked
    assert _position(asked, "nitrous_oxide") < _position(asked, "metformin")


def test_an_unknown_age_uses_the_overall_rate():
    kb = load_knowledge()
    metformin = kb.get("metformin")
    assert metformin.ask_rate_for(None) == metformin.ask_rate
    assert metformin.ask_rate_for(70) > metformin.ask_rate > metformin.ask_rate_for(22)
    nitrous = kb.get("nitrous_oxide")
    assert nitrous.ask_rate_for(22) > nitrous.ask_rate > nitrous.ask_rate_for(70)
    assert kb.get("oral_contraceptive").ask_rate_for(65) == 0  # stopped at 50


def test_every_age_banded_rate_has_a_source():
    rated = [f for f in load_knowledge().findings.values() if f.ask_rate_by_age]
    assert {"metformin", "ppi", "h2_blocker", "nitrous_oxide"} <= {f.id for f in rated}
    assert all(f.ask_rate_by_age_source for f in rated)


def _edit(folder: Path, fid: str, value) -> None:
    path = folder / "findings.yml"
    data = yaml.safe_load(path.read_text())
    next(e for e in data["findings"] if e["id"] == fid)["ask_rate_by_age"] = value
    path.write_text(yaml.safe_dump(data, sort_keys=False))


GOOD = {"source": "Judgement", "bands": [{"min_age": 16, "max_age": 30, "rate": 0.1}]}


@pytest.mark.parametrize(
    ("value", "code"),
    [
        ({"bands": GOOD["bands"]}, "K004"),
        ({**GOOD, "source": " "}, "K010"),
        ({**GOOD, "bands": []}, "K019"),
        ({**GOOD, "bands": [{"min_age": 16, "max_age": 30}]}, "K004"),
        ({**GOOD, "bands": [{"min_age": 16, "max_age": 30, "rate": 1.0}]}, "K020"),
        ({**GOOD, "bands": [{"min_age": 16, "max_age": 30, "rate": -0.1}]}, "K020"),
        ({**GOOD, "bands": [{"min_age": 40, "max_age": 30, "rate": 0.1}]}, "K019"),
        ({**GOOD, "bands": [{"min_age": 16, "max_age": 130, "rate": 0.1}]}, "K020"),
        (
            {
                **GOOD,
                "bands": [
                    {"min_age": 16, "max_age": 30, "rate": 0.1},
                    {"min_age": 30, "max_age": 50, "rate": 0.01},
                ],
            },
            "K019",
        ),
    ],
)
def test_bad_age_bands_fail_with_numbered_message(kb_copy, value, code):
    _edit(kb_copy, "nitrous_oxide", value)
    with pytest.raises(KnowledgeError) as info:
        load_from(kb_copy)
    assert info.value.code == code
    assert "nitrous_oxide" in str(info.value)


def test_age_bands_need_an_overall_rate_for_an_unknown_age(kb_copy):
    path = kb_copy / "findings.yml"
    data = yaml.safe_load(path.read_text())
    entry = next(e for e in data["findings"] if e["id"] == "nitrous_oxide")
    del entry["ask_rate"], entry["ask_rate_source"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(KnowledgeError) as info:
        load_from(kb_copy)
    assert info.value.code == "K019"
