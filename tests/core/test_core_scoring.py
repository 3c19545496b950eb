"""Worked examples of the likelihood model that a clinician can check by hand."""

from __future__ import annotations

import math

import pytest
from core_builders import lab, make

from bot.findings import Status
from bot.scoring import score


def odds(p: float) -> float:
    return p / (1 - p)


def test_nothing_known_gives_the_reference_prior():
    result = score(make())
    assert result.probability == pytest.approx(0.04)
    assert result.band == "low"
    assert result.prior_basis == "reference"


@pytest.mark.parametrize(
    ("age", "prior"), [(25, 0.03), (50, 0.04), (70, 0.05), (80, 0.10), (90, 0.20)]
)
def test_age_sets_the_prior(age, prior):
    assert score(make(age=age)).probability == pytest.approx(prior)


def test_young_age_is_reported_as_against():
    result = score(make(age=25))
    assert [f.id for f in result.against] == ["age"]


def test_vegan_prior_replaces_age_prior_instead_of_multiplying():
    young = score(make("vegan_diet", age=25))
    old = score(make("vegan_diet", age=90))
    assert young.probability == pytest.approx(0.5)
    assert old.probability == pytest.approx(0.5)
    assert young.prior_basis == "vegan_diet"
    assert "age" not in [f.id for f in young.supporting + young.against]


def test_vegetarian_prior_only_applies_when_higher_than_age():
    assert score(make("vegetarian_diet", age=30)).probability == pytest.approx(0.10)
    assert score(make("vegetarian_diet", age=90)).probability == pytest.approx(0.20)


def test_supplements_do_not_lower_a_vegan_estimate():
    assert score(make("vegan_diet", "b12_supplements", age=30)).probability == pytest.approx(0.5)


def test_single_finding_multiplies_odds_by_its_likelihood_ratio():
    result = score(make("paresthesia", age=30))
    assert odds(result.probability) == pytest.approx(odds(0.03) * 1.84)


def test_nerve_and_memory_symptoms_weigh_more_than_tiredness():
    tired = score(make("fatigue", age=40)).probability
    for fid in ("paresthesia", "memory_problems", "glossitis"):
        assert score(make(fid, age=40)).probability > tired


def test_symptom_weights_stay_modest():
    for fid in ("fatigue", "paresthesia", "numbness", "memory_problems", "depression"):
        result = score(make(fid))
        assert 1.0 < math.exp(result.supporting[0].raw_log_odds) <= 2.0


def test_many_nerve_symptoms_are_capped_not_multiplied():
    neuro = (
        "paresthesia",
        "numbness",
        "balance_problems",
        "muscle_weakness_legs",
        "vision_problems",
    )
    result = score(make(*neuro, age=40))
    uncapped = odds(0.04) * 1.84 * 1.6 * 1.7 * 1.5 * 1.5
    assert odds(result.probability) == pytest.approx(odds(0.04) * math.exp(1.25))
    assert odds(result.probability) < uncapped
    assert "neuro" in result.capped_groups
    assert all("capped" in f.note for f in result.supporting)


def test_old_age_and_ppi_are_not_double_counted():
    result = score(make("ppi", "h_pylori", age=90))
    assert odds(result.probability) == pytest.approx(odds(0.04) * math.exp(2.3))
    assert "gastric_acid" in result.capped_groups


def test_autoimmune_disease_and_family_history_share_a_cap():
    findings = make("autoimmune_thyroid", "type1_diabetes", "vitiligo", age=50).with_family(
        "pernicious_anaemia", Status.PRESENT
    )
    result = score(findings)
    assert odds(result.probability) == pytest.approx(odds(0.04) * math.exp(0.92))


def test_family_member_condition_is_not_the_persons_own():
    own = score(make("pernicious_anaemia", age=50)).probability
    relative = score(make(age=50).with_family("pernicious_anaemia", Status.PRESENT)).probability
    assert relative < own
    assert score(make(age=50)).probability < relative


def test_past_only_exposure_does_not_count():
    findings = make(age=40).with_item("metformin", Status.ABSENT, past=True)
    assert score(findings).probability == pytest.approx(0.04)


def test_deficient_b12_result_raises_and_normal_lowers():
    base = score(make("fatigue", age=40)).probability
    low = score(make("fatigue", age=40).with_lab(lab("b12_total", 120, "ng/L"))).probability
    normal = score(make("fatigue", age=40).with_lab(lab("b12_total", 600, "ng/L"))).probability
    assert low > base > normal


def test_normal_b12_with_nitrous_oxide_does_not_reassure():
    with_n2o = make("nitrous_oxide", "paresthesia", age=22)
    assert score(with_n2o.with_lab(lab("b12_total", 600, "ng/L"))).probability == pytest.approx(
        score(with_n2o).probability
    )


def test_no_anaemia_is_barely_informative():
    base = score(make("paresthesia", age=40, sex="male")).probability
    no_anaemia = make("paresthesia", age=40, sex="male").with_lab(lab("hb", 150, "g/L"))
    assert score(no_anaemia).probability == pytest.approx(base, rel=0.1)


def test_unsupplemented_vegan_with_symptoms_is_high():
    assert score(make("vegan_diet", "fatigue", "paresthesia", age=30)).band == "high"


def test_factors_carry_their_sources():
    result = score(make("metformin", "paresthesia", age=70))
    for factor in result.supporting:
        assert factor.source
    assert "de Jager" in next(f for f in result.supporting if f.id == "metformin").source


def test_unknown_factors_list_what_could_still_change_the_picture():
    result = score(make("fatigue", age=70))
    unknown = [f.id for f in result.unknown]
    assert "metformin" in unknown and "fatigue" not in unknown
    assert "chest_pain" not in unknown  # red flags drive triage, not the score
