"""The knowledge base loads, and a bad edit stops start-up with a clear, numbered message."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.errors import KnowledgeError
from bot.knowledge import load_knowledge
from bot.knowledge.loader import load_from


def _edit_findings(folder: Path, change) -> None:
    path = folder / "findings.yml"
    data = yaml.safe_load(path.read_text())
    change(data["findings"])
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _finding(entries: list[dict], fid: str) -> dict:
    return next(e for e in entries if e["id"] == fid)


def test_real_knowledge_base_loads_with_every_kind():
    kb = load_knowledge()
    assert kb.version
    assert {f.kind for f in kb.findings.values()} == {"symptom", "risk_factor", "red_flag"}
    assert set(kb.labs) == {"b12_total", "b12_active", "folate", "mcv", "hb", "mma", "homocysteine"}
    assert kb is load_knowledge()  # cached: loaded once per process


def test_every_entry_has_source_label_question_and_three_phrases():
    for f in load_knowledge().findings.values():
        assert f.source and f.label and f.question, f.id
        assert len(f.all_phrases) >= 3, f.id
        assert f.lr > 0 and f.lr_absent > 0


def test_lexicon_contains_generics_and_brands():
    lexicon = load_knowledge().lexicon()
    assert {"omeprazole", "prilosec", "losec", "nexium", "zoton", "pariet"} <= set(lexicon["ppi"])
    assert {"glucophage", "glumetza", "fortamet", "riomet"} <= set(lexicon["metformin"])
    assert {"pepcid", "zantac", "tagamet"} <= set(lexicon["h2_blocker"])
    assert {"mysoline", "lyrica", "topamax"} <= set(lexicon["anticonvulsant"])
    assert {"laughing gas", "nos", "nangs", "whippets", "hippy crack", "balloons", "n2o"} <= set(
        lexicon["nitrous_oxide"]
    )


def test_pescatarian_is_not_vegetarian_and_not_a_risk_factor():
    kb = load_knowledge()
    assert "pescatarian" not in kb.get("vegetarian_diet").phrases
    assert not kb.get("pescatarian_diet").counts_as_risk_factor
    assert kb.get("vegan_diet").prior == pytest.approx(0.5)


def test_red_flags_have_urgency_and_message():
    kb = load_knowledge()
    flags = kb.by_kind("red_flag")
    assert {f.urgency for f in flags} == {"emergency", "urgent"}
    assert all(f.message for f in flags)
    assert kb.get("suicidal_thoughts").urgency == "emergency"


def test_get_unknown_id_raises_key_error():
    with pytest.raises(KeyError, match="no_such_thing"):
        load_knowledge().get("no_such_thing")


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (lambda e: _finding(e, "fatigue").update(colour="blue"), "K003"),
        (lambda e: _finding(e, "fatigue").pop("source"), "K004"),
        (lambda e: _finding(e, "fatigue").update(source=""), "K010"),
        (lambda e: _finding(e, "fatigue").update(kind="sign"), "K005"),
        (lambda e: _finding(e, "fatigue").update(category="diet"), "K006"),
        (lambda e: e.append(dict(_finding(e, "fatigue"), phrases=["a b", "c d", "e f"])), "K007"),
        (lambda e: _finding(e, "weakness").update(phrases=["knackered", "x y", "z w"]), "K008"),
        (lambda e: _finding(e, "fatigue").update(lr=0), "K009"),
        (lambda e: _finding(e, "fatigue").update(lr=-1.5), "K009"),
        (lambda e: _finding(e, "chest_pain").update(screen_when=["not_a_finding"]), "K011"),
        (lambda e: _finding(e, "fatigue").update(cap_group="nowhere"), "K012"),
        (lambda e: _finding(e, "fatigue").update(id="Fatigue"), "K013"),
        (lambda e: _finding(e, "fatigue").update(phrases=["tired"]), "K014"),
        (lambda e: _finding(e, "fatigue").update(phrases=["Tired", "worn", "beat"]), "K015"),
        (lambda e: _finding(e, "fatigue").update(phrases=["tired.*", "worn", "beat"]), "K015"),
        (lambda e: _finding(e, "chest_pain").pop("message"), "K016"),
        (lambda e: _finding(e, "vegan_diet").update(prior=1.2), "K017"),
        (lambda e: _finding(e, "metformin").update(ask_rate=0), "K017"),
        (lambda e: _finding(e, "metformin").update(ask_rate=1), "K017"),
        (lambda e: _finding(e, "metformin").update(ask_rate="often"), "K017"),
        (lambda e: _finding(e, "metformin").pop("ask_rate_source"), "K004"),
        (lambda e: _finding(e, "metformin").update(ask_rate_source=" "), "K010"),
        (lambda e: _finding(e, "fatigue").pop("ask_rate"), "K019"),
        (lambda e: _finding(e, "chest_pain").update(ask_rate=0.1, ask_rate_source="x"), "K019"),
        (lambda e: _finding(e, "vegan_diet").update(ask_rate=0.1, ask_rate_source="x"), "K019"),
    ],
)
def test_bad_finding_entries_fail_with_numbered_message(kb_copy, change, code):
    _edit_findings(kb_copy, change)
    with pytest.raises(KnowledgeError) as info:
        load_from(kb_copy)
    assert info.value.code == code
    assert str(info.value).startswith(f"[{code}]")
    assert "findings.yml" in str(info.value)


def test_rule_referring_to_unknown_id_fails(kb_copy):
    path = kb_copy / "triage.yml"
    path.write_text(path.read_text().replace("[nitrous_oxide]", "[laughing_gas_use]", 1))
    with pytest.raises(KnowledgeError) as info:
        load_from(kb_copy)
    assert info.value.code == "K011"
    assert "laughing_gas_use" in str(info.value)


def test_rule_with_unknown_condition_fails(kb_copy):
    path = kb_copy / "tests.yml"
    path.write_text(path.read_text().replace("triage_at_least", "triage_over", 1))
    with pytest.raises(KnowledgeError) as info:
        load_from(kb_copy)
    assert info.value.code == "K018"


def test_lab_band_missing_source_fails(kb_copy):
    path = kb_copy / "labs.yml"
    data = yaml.safe_load(path.read_text())
    del data["analytes"]["mcv"]["bands"][0]["source"]
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    with pytest.raises(KnowledgeError) as info:
        load_from(kb_copy)
    assert info.value.code == "K004"
    assert "mcv" in str(info.value)


def test_invalid_yaml_fails_clearly(kb_copy):
    (kb_copy / "scoring.yml").write_text("cap_groups: [unclosed\n")
    with pytest.raises(KnowledgeError) as info:
        load_from(kb_copy)
    assert info.value.code == "K002"


def test_ask_rates_are_probabilities_with_a_source_and_favour_common_factors():
    kb = load_knowledge()
    rated = [f for f in kb.findings.values() if f.ask_rate is not None]
    assert rated
    assert all(0 < f.ask_rate < 1 and f.ask_rate_source for f in rated)
    rate = {f.id: f.ask_rate for f in rated}
    for common in ("metformin", "ppi"):
        for rare in ("ileal_resection", "knuckle_pigmentation", "gastric_surgery"):
            assert rate[common] > rate[rare]


def _edit_questions(folder: Path, change) -> None:
    path = folder / "questions.yml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize(
    ("change", "code"),
    [
        (
            lambda d: d["screen_groups"]["bleeding_screen"].update(members=["fever", "chest_pain"]),
            "K019",
        ),
        (
            lambda d: d["screen_groups"]["bleeding_screen"].update(members=["no_such_flag", "x"]),
            "K011",
        ),
        (
            lambda d: d["screen_groups"]["bleeding_screen"].update(members=["unusual_bleeding"]),
            "K019",
        ),
        (
            lambda d: d["screen_groups"]["bleeding_screen"].update(
                members=["unusual_bleeding", "chest_pain"]
            ),
            "K019",
        ),
        (
            lambda d: d["screen_groups"]["bleeding_screen"].update(
                members=["chest_pain", "fainting"]
            ),
            "K019",
        ),
        (
            lambda d: d["screen_groups"].update(age=d["screen_groups"].pop("bleeding_screen")),
            "K019",
        ),
        (lambda d: d["screen_groups"]["bleeding_screen"].pop("question"), "K004"),
        (lambda d: d["screen_groups"]["emergency_screen"].pop("message"), "K004"),
        (lambda d: d["screen_groups"]["emergency_screen"].update(message=" "), "K020"),
        (lambda d: d["screen_groups"]["bleeding_screen"].pop("label"), "K004"),
        (lambda d: d["default_ask_rate"].update(symptom=1.5), "K017"),
        (lambda d: d.pop("max_questions"), "K004"),
    ],
)
def test_bad_question_settings_fail_with_numbered_message(kb_copy, change, code):
    _edit_questions(kb_copy, change)
    with pytest.raises(KnowledgeError) as info:
        load_from(kb_copy)
    assert info.value.code == code
    assert "questions.yml" in str(info.value)
