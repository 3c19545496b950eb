"""Every test-advice rule: which tests a person is told to ask about, and why."""

from __future__ import annotations

from core_builders import lab, make

from bot.advice import recommended_tests
from bot.findings import Status


def ids(findings) -> list[str]:
    return [t.id for t in recommended_tests(findings)]


def test_first_line_tests_for_symptom_and_risk_factor():
    tests = recommended_tests(make("fatigue", "vegan_diet"))
    assert [t.id for t in tests][:3] == ["fbc", "b12_total_or_active", "folate"]
    assert "blood_before_supplements" in [t.id for t in tests]
    assert all(t.reason and t.name for t in tests)


def test_no_tests_for_self_care():
    assert ids(make(absent=("fatigue",))) == []


def test_pregnancy_gets_active_b12_instead_of_total():
    got = ids(make("fatigue", pregnant=Status.PRESENT, sex="female", age=30))
    assert "active_b12" in got
    assert "b12_total_or_active" not in got


def test_nitrous_oxide_gets_mma_or_homocysteine():
    assert "mma_or_homocysteine" in ids(make("nitrous_oxide"))


def test_indeterminate_result_gets_mma_or_homocysteine():
    assert "mma_or_homocysteine" in ids(make("fatigue").with_lab(lab("b12_total", 250, "ng/L")))
    assert "mma_or_homocysteine" not in ids(make("fatigue").with_lab(lab("b12_total", 600, "ng/L")))


def test_low_b12_gets_intrinsic_factor_antibodies():
    assert "intrinsic_factor_antibodies" in ids(make().with_lab(lab("b12_total", 120, "ng/L")))


def test_suspected_pernicious_anaemia_gets_antibodies_but_known_pa_does_not():
    assert "intrinsic_factor_antibodies" in ids(make("fatigue", "autoimmune_thyroid"))
    family = make("fatigue").with_family("pernicious_anaemia", Status.PRESENT)
    assert "intrinsic_factor_antibodies" in ids(family)
    assert "intrinsic_factor_antibodies" not in ids(make("fatigue", "pernicious_anaemia"))


def test_anaemia_gets_reticulocytes():
    assert "reticulocytes" in ids(make(sex="male").with_lab(lab("hb", 110, "g/L")))
    assert "reticulocytes" not in ids(make("fatigue", sex="male").with_lab(lab("hb", 150, "g/L")))


def test_coeliac_serology_when_suspected():
    assert "coeliac_serology" in ids(make("diarrhoea", "weight_loss"))
    assert "coeliac_serology" in ids(make("fatigue", "type1_diabetes"))
    family = make("fatigue").with_family("coeliac", Status.PRESENT)
    assert "coeliac_serology" in ids(family)


def test_coeliac_serology_when_low_b12_has_no_other_cause():
    no_cause = make("fatigue").with_lab(lab("b12_total", 150, "ng/L"))
    assert "coeliac_serology" in ids(no_cause)
    with_cause = make("fatigue", "metformin").with_lab(lab("b12_total", 150, "ng/L"))
    assert "coeliac_serology" not in ids(with_cause)


def test_known_coeliac_is_not_retested():
    assert "coeliac_serology" not in ids(make("diarrhoea", "weight_loss", "coeliac"))


def test_blood_before_supplements_whenever_testing():
    assert "blood_before_supplements" in ids(make("paresthesia"))
