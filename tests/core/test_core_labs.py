"""Lab values: every unit, every band, impossible values, missing units, cautions."""

from __future__ import annotations

import pytest
from core_builders import make

from bot.findings import Findings, Status
from bot.labs import LabValueError, interpret, make_result, parse_lab


@pytest.mark.parametrize(
    ("text", "analyte", "value", "unit"),
    [
        ("b12 150 pmol/L", "b12_total", 150 * 1.355, "ng/L"),
        ("B12 250 ng/L", "b12_total", 250, "ng/L"),
        ("vitamin b12 was 300 pg/mL", "b12_total", 300, "ng/L"),
        ("active b12 was 30 pmol/l", "b12_active", 30, "pmol/L"),
        ("holoTC 45 pmol/L", "b12_active", 45, "pmol/L"),
        ("folate 2.1 ng/ml", "folate", 2.1, "ug/L"),
        ("folate 5 µg/L", "folate", 5, "ug/L"),
        ("folate 10 nmol/L", "folate", 10 * 0.4413, "ug/L"),
        ("mcv 104 fL", "mcv", 104, "fL"),
        ("hb 105 g/L", "hb", 105, "g/L"),
        ("haemoglobin 10.5 g/dL", "hb", 105, "g/L"),
        ("MMA 450 nmol/L", "mma", 450, "nmol/L"),
        ("mma 0.5 umol/l", "mma", 500, "nmol/L"),
        ("homocysteine 20 µmol/L", "homocysteine", 20, "umol/L"),
        ("homocysteine 12 micromol/L", "homocysteine", 12, "umol/L"),
    ],
)
def test_each_unit_converts_to_the_canonical_unit(text, analyte, value, unit):
    result = parse_lab(text)
    assert result.analyte == analyte
    assert result.value == pytest.approx(value, rel=1e-3)
    assert result.unit == unit
    assert result.original == text


def test_pmol_and_ng_conversion_factors_match_ng239():
    assert make_result("b12_total", 133, "pmol/L").value == pytest.approx(180, abs=0.5)
    assert make_result("b12_total", 100, "pg/mL").value == 100


@pytest.mark.parametrize(
    ("analyte", "value", "unit", "band"),
    [
        ("b12_total", 179, "ng/L", "deficient"),
        ("b12_total", 180, "ng/L", "indeterminate"),
        ("b12_total", 350, "ng/L", "indeterminate"),
        ("b12_total", 351, "ng/L", "normal"),
        ("b12_total", 130, "pmol/L", "deficient"),
        ("b12_total", 300, "pmol/L", "normal"),
        ("b12_active", 24, "pmol/L", "deficient"),
        ("b12_active", 25, "pmol/L", "indeterminate"),
        ("b12_active", 70, "pmol/L", "indeterminate"),
        ("b12_active", 71, "pmol/L", "normal"),
        ("folate", 2.5, "ug/L", "deficient"),
        ("folate", 3.5, "ug/L", "indeterminate"),
        ("folate", 8, "ug/L", "normal"),
        ("mcv", 75, "fL", "low"),
        ("mcv", 90, "fL", "normal"),
        ("mcv", 100, "fL", "normal"),
        ("mcv", 101, "fL", "high"),
        ("mma", 400, "nmol/L", "normal"),
        ("mma", 401, "nmol/L", "high"),
        ("homocysteine", 14, "umol/L", "normal"),
        ("homocysteine", 15, "umol/L", "high"),
    ],
)
def test_each_band(analyte, value, unit, band):
    assert interpret(make_result(analyte, value, unit), Findings()).band == band


@pytest.mark.parametrize(
    ("sex", "pregnant", "hb", "band"),
    [
        ("male", Status.UNKNOWN, 125, "low"),
        ("female", Status.UNKNOWN, 125, "normal"),
        ("female", Status.UNKNOWN, 115, "low"),
        ("female", Status.PRESENT, 115, "normal"),
        ("female", Status.PRESENT, 105, "low"),
        (None, Status.UNKNOWN, 125, "low"),
        ("male", Status.UNKNOWN, 75, "severely_low"),
        ("female", Status.PRESENT, 75, "low"),
    ],
)
def test_haemoglobin_bands_follow_who_thresholds_by_sex_and_pregnancy(sex, pregnant, hb, band):
    findings = Findings(sex=sex, pregnant=pregnant)
    assert interpret(make_result("hb", hb, "g/L"), findings).band == band


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("b12 -5 ng/L", "L203"),
        ("b12 0 ng/L", "L203"),
        ("b12 150 fL", "L204"),
        ("hb 13 mmol/L", "L204"),
        ("b12 999999 ng/L", "L205"),
        ("mcv 1040 fL", "L205"),
        ("hb 27", "L205"),
        ("b12 came back fine", "L201"),
        ("my ferritin was 20", "L202"),
    ],
)
def test_impossible_values_are_rejected_with_a_clear_message(text, code):
    with pytest.raises(LabValueError) as info:
        parse_lab(text)
    assert info.value.code == code
    assert not str(info.value).startswith("[")  # person-readable, no code prefix
    assert len(str(info.value)) > 20


def test_unknown_analyte_is_rejected():
    with pytest.raises(LabValueError) as info:
        make_result("ferritin", 20, "ug/L")
    assert info.value.code == "L207"


def test_lab_value_error_is_a_value_error():
    with pytest.raises(ValueError):
        make_result("b12_total", -1, "ng/L")


def test_mma_unit_ambiguous_range_asks_for_the_unit():
    with pytest.raises(LabValueError) as info:
        make_result("mma", 10, None)
    assert info.value.code == "L206"


def test_missing_unit_on_b12_is_read_the_more_worrying_way_and_says_so():
    result = make_result("b12_total", 160, None, original="b12 came back 160")
    reading = interpret(result, Findings())
    assert reading.band == "deficient"
    assert reading.unit_inferred
    assert "unit" in reading.cautions[0] and "pmol/L" in reading.cautions[0]


def test_missing_unit_where_bands_agree_says_so():
    reading = interpret(make_result("b12_total", 900, None, original="b12 900"), Findings())
    assert reading.band == "normal"
    assert "same band" in reading.cautions[0]


@pytest.mark.parametrize(
    ("text", "value", "unit_word"),
    [
        ("hb 10.5", 105, "g/dL"),
        ("hb 105", 105, "g/L"),
        ("mcv 104", 104, "fL"),
        ("mma 0.5", 500, "umol/L"),
        ("homocysteine 20", 20, "umol/L"),
        ("active b12 30", 30, "pmol/L"),
    ],
)
def test_missing_unit_is_inferred_only_when_the_number_decides(text, value, unit_word):
    result = parse_lab(text)
    assert result.value == pytest.approx(value)
    reading = interpret(result, Findings())
    assert reading.unit_inferred
    assert unit_word in reading.cautions[0]


def test_normal_b12_with_nitrous_oxide_does_not_reassure():
    normal = make_result("b12_total", 500, "ng/L")
    plain = interpret(normal, Findings())
    with_n2o = interpret(normal, make("nitrous_oxide"))
    assert plain.lr < 1.0
    assert with_n2o.lr == 1.0
    assert any("nitrous oxide" in c.lower() for c in with_n2o.cautions)


def test_normal_b12_while_taking_supplements_does_not_reassure():
    assert interpret(make_result("b12_active", 90, "pmol/L"), make("b12_supplements")).lr == 1.0


def test_pregnancy_and_black_ethnicity_cautions_on_total_b12():
    result = make_result("b12_total", 400, "ng/L")
    pregnant = interpret(result, Findings(pregnant=Status.PRESENT))
    assert any("pregnan" in c for c in pregnant.cautions)
    black = interpret(result, Findings(black_ethnicity=Status.PRESENT))
    assert any("Black ethnicity" in c for c in black.cautions)
    assert interpret(result, Findings()).cautions == ()


def test_kidney_disease_caution_on_mma():
    reading = interpret(make_result("mma", 600, "nmol/L"), make("kidney_disease"))
    assert any("Kidney" in c for c in reading.cautions)


def test_no_anaemia_and_normal_mcv_barely_count_against():
    assert interpret(make_result("hb", 140, "g/L"), Findings(sex="male")).lr >= 0.9
    assert interpret(make_result("mcv", 92, "fL"), Findings()).lr >= 0.9
