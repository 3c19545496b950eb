"""Every triage rule, each with the level and the reason a person would see."""

from __future__ import annotations

import pytest
from core_builders import lab, make

from bot.findings import Status
from bot.knowledge import load_knowledge
from bot.triage import red_flags, triage

EMERGENCY_FLAGS = [f.id for f in load_knowledge().by_kind("red_flag") if f.urgency == "emergency"]
URGENT_FLAGS = [f.id for f in load_knowledge().by_kind("red_flag") if f.urgency == "urgent"]


@pytest.mark.parametrize("flag", EMERGENCY_FLAGS)
def test_each_emergency_red_flag_means_emergency_even_with_nothing_else(flag):
    result = triage(make(flag))
    assert result.level == "emergency"
    assert "emergency_red_flag" in result.rule_ids
    assert load_knowledge().get(flag).message in result.reasons
    assert "A&E" in result.advice


@pytest.mark.parametrize("flag", URGENT_FLAGS)
def test_each_urgent_red_flag_means_urgent(flag):
    result = triage(make(flag))
    assert result.level == "urgent"
    assert "urgent_red_flag" in result.rule_ids


def test_red_flag_overrides_a_low_likelihood():
    result = triage(make("chest_pain", age=25, absent=("fatigue", "paresthesia")))
    assert result.level == "emergency"


def test_negated_or_unsure_red_flag_does_not_trigger():
    assert triage(make(absent=("chest_pain",))).level == "self_care"
    assert triage(make().with_item("chest_pain", Status.UNKNOWN)).level == "self_care"


def test_suicidal_thoughts_give_emergency_and_a_crisis_line():
    result = triage(make("suicidal_thoughts", "depression"))
    assert result.level == "emergency"
    assert result.crisis_lines
    assert "116 123" in result.advice and "988" in result.advice


def test_red_flags_lists_emergencies_first_with_messages():
    hits = red_flags(make("unusual_bleeding", "fainting", "fatigue"))
    assert [h.id for h in hits] == ["fainting", "unusual_bleeding"]
    assert hits[0].urgency == "emergency" and hits[0].message


def test_new_neurological_symptoms_are_urgent():
    result = triage(make("paresthesia", duration_days=10))
    assert result.level == "urgent"
    assert result.rule_ids == ("new_neuro_symptoms",)


def test_long_standing_neurological_symptoms_are_routine():
    assert triage(make("paresthesia", duration_days=200)).level == "routine"


def test_fever_with_tiredness_is_urgent_but_fever_alone_is_routine():
    assert triage(make("fever", "fatigue")).level == "urgent"
    assert "fever_or_bleeding_with_tiredness" in triage(make("fever", "fatigue")).rule_ids
    assert triage(make("fever")).level == "routine"


def test_nitrous_oxide_with_nerve_symptoms_is_urgent():
    result = triage(make("nitrous_oxide", "numbness"))
    assert result.level == "urgent"
    assert "nitrous_oxide_neuro" in result.rule_ids


def test_nitrous_oxide_without_symptoms_is_routine():
    assert triage(make("nitrous_oxide")).level == "routine"


def test_pregnancy_with_suspected_deficiency_is_urgent():
    result = triage(make("fatigue", pregnant=Status.PRESENT, sex="female", age=29))
    assert result.level == "urgent"
    assert "pregnancy_suspected_deficiency" in result.rule_ids


def test_pregnancy_with_a_low_b12_result_is_urgent():
    findings = make(pregnant=Status.PRESENT).with_lab(lab("b12_active", 20, "pmol/L"))
    assert triage(findings).level == "urgent"


def test_pregnancy_alone_is_not_urgent():
    assert triage(make(pregnant=Status.PRESENT, age=30)).level == "routine"


@pytest.mark.parametrize(
    "alarm", ["weight_loss", "difficulty_swallowing", "indigestion", "unusual_bleeding"]
)
def test_known_pernicious_anaemia_with_alarm_symptom_is_prompt(alarm):
    result = triage(make("pernicious_anaemia", alarm))
    assert result.level == "urgent"
    assert any("stomach lining" in r for r in result.reasons)


def test_severe_anaemia_result_is_urgent():
    findings = make(sex="female").with_lab(lab("hb", 6.5, "g/dL"))
    result = triage(findings)
    assert result.level == "urgent"
    assert "severe_anaemia_result" in result.rule_ids


def test_symptom_plus_risk_factor_is_routine_with_nice_reason():
    result = triage(make("fatigue", "metformin", duration_days=90))
    assert result.level == "routine"
    assert result.rule_ids == ("symptom_and_risk_factor",)
    assert "NICE" in result.reasons[0]


@pytest.mark.parametrize(
    ("analyte", "value", "unit"),
    [("b12_total", 150, "ng/L"), ("b12_total", 250, "ng/L"), ("b12_active", 40, "pmol/L")],
)
def test_deficient_or_indeterminate_b12_result_is_routine(analyte, value, unit):
    result = triage(make().with_lab(lab(analyte, value, unit)))
    assert result.level == "routine"
    assert "low_or_borderline_b12_result" in result.rule_ids


def test_other_abnormal_result_is_routine():
    assert triage(make().with_lab(lab("mcv", 108, "fL"))).level == "routine"


def test_symptoms_without_risk_factors_still_see_a_gp_never_self_care():
    result = triage(make("tinnitus", age=30))
    assert result.level == "routine"
    assert result.rule_ids == ("symptoms_without_risk_factor",)


def test_risk_factor_without_symptoms_is_routine():
    result = triage(make("gastric_surgery", absent=("fatigue",)))
    assert result.level == "routine"
    assert result.rule_ids == ("risk_factor_without_symptoms",)


def test_nothing_reported_is_self_care_with_a_reason():
    result = triage(make(absent=("fatigue", "metformin"), age=40))
    assert result.level == "self_care"
    assert result.reasons


def test_normal_b12_result_alone_is_self_care():
    assert triage(make().with_lab(lab("b12_total", 600, "ng/L"))).level == "self_care"


def test_under_16_is_sent_to_a_gp():
    assert triage(make(age=12)).level == "routine"


def test_not_a_risk_factor_items_do_not_count():
    for fid in ("pescatarian_diet", "oral_contraceptive", "b12_supplements", "kidney_disease"):
        assert triage(make(fid)).level == "self_care", fid


def test_family_history_counts_as_risk_factor_with_a_symptom():
    findings = make("fatigue").with_family("pernicious_anaemia", Status.PRESENT)
    assert triage(findings).rule_ids == ("symptom_and_risk_factor",)


def test_an_emergency_described_without_a_named_red_flag_comes_with_crisis_lines():
    """Suicidal crises are often put indirectly; when the words read as an emergency and no
    red flag is named, the crisis lines come with the emergency advice."""
    from bot.findings import Findings, Status
    from bot.triage import triage

    result = triage(Findings().with_item("emergency_described", Status.PRESENT))
    assert result.level == "emergency"
    assert result.crisis_lines and "116 123" in " ".join(result.crisis_lines)
    assert not triage(Findings().with_item("chest_pain", Status.PRESENT)).crisis_lines
