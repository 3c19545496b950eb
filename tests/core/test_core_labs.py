"""Lab values: every unit, every band, impossible values, missing units, cautions."""

from __future__ import annotations

import pytest
from core_builders import make

from bot.findings import Findings, Status
from bot.knowledge.units import normalise_unit
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


@pytest.mark.parametrize(
    ("text", "analyte", "value"),
    [
        ("B12 came back 'low-ish' at 170", "b12_total", 170),
        ("B12 came back low-ish at 170", "b12_total", 170),
        ("my GP said the b12 was 170", "b12_total", 170),
        ("my GP said the b12 was 170 ng/L", "b12_total", 170),
        ("folate: 2.1", "folate", 2.1),
        ("active B12 (holotranscobalamin) 25 pmol/L", "b12_active", 25),
        ("MMA 0.5 umol/L", "mma", 500),
        ("haemoglobin 95 g/L", "hb", 95),
        ("blood test showed my b12 was only 140", "b12_total", 140),
        ("Vitamin B12 (total) 95 pmol/L", "b12_total", 95 * 1.355),
        ("b12 is 1,200", "b12_total", 1200),
        ("hb 11,5", "hb", 115),
        ("b12: <150", "b12_total", 150),
        ("b12 reading 160 pmol per litre", "b12_total", 160 * 1.355),
        ("hb 9.5 g per 100 ml", "hb", 95),
        ("250 ng/L for my b12", "b12_total", 250),
        ("vitamin b-12 level 300", "b12_total", 300),
    ],
)
def test_words_between_the_test_and_its_value_are_read_past(text, analyte, value):
    result = parse_lab(text)
    assert (result.analyte, result.value) == (analyte, pytest.approx(value, rel=1e-3))


@pytest.mark.parametrize(
    "text",
    [
        "I'm 45 and my b12 was low",
        "b12 low i'm 45",
        "b12 low since 2019",
        "had my b12 checked in 2019",
        "b12 checked on 12/05/2023",
        "I take b12 1000 mcg tablets",
        "b12 1000mcg/day",
        "taking b12 1000",
        "on b12 1000 for 3 months",
        "b12 shots for 3 weeks",
        "b12 injections every 3 months",
        "b12 tested 3 times",
        "b12 went up 20%",
        "b12 went up by 50",
        "b12 low at 10am",
        "b12 was fine, 3 kids",
        "b12 fine vit d 30",
        "b12 (normal range 180-900)",
        "b12 and folate were 160 and 3",
        "b12 level 2 years ago was 160",
        "b12 on the 3rd",
    ],
)
def test_a_number_that_belongs_to_something_else_is_not_a_result(text):
    with pytest.raises(LabValueError) as info:
        parse_lab(text)
    assert info.value.code == "L201"


def test_a_test_we_do_not_read_is_not_taken_for_one_we_do():
    """Red cell folate has its own range; reading it as serum folate would misplace it."""
    with pytest.raises(LabValueError) as info:
        parse_lab("red cell folate 400 nmol/L")
    assert info.value.code == "L202"


def test_a_concentration_unit_that_does_not_fit_is_refused_not_ignored():
    with pytest.raises(LabValueError) as info:
        parse_lab("b12 150 mg/dl")
    assert info.value.code == "L204"
    assert "mg/dl" in str(info.value)


def test_the_first_result_in_a_message_is_read():
    assert parse_lab("Hb 11.2 g/dl MCV 102").analyte == "hb"
    assert parse_lab("total b12 of 200 and active b12 of 30").analyte == "b12_total"


def test_a_unit_written_before_the_name_counts_as_written():
    reading = interpret(parse_lab("250 ng/L b12"), Findings())
    assert not reading.unit_inferred


@pytest.mark.parametrize(
    ("text", "inferred"),
    [("b12 came back 'low-ish' at 170", True), ("my GP said the b12 was 170 ng/L", False)],
)
def test_the_unit_note_follows_what_was_written(text, inferred):
    assert interpret(parse_lab(text), Findings()).unit_inferred is inferred


def test_the_knowledge_loader_does_not_import_the_lab_reader():
    """bot.labs reads bot.knowledge; the loader importing bot.labs back made a cycle."""
    import subprocess
    import sys
    from pathlib import Path

    code = "import sys, bot.knowledge.loader; print('bot.labs' in sys.modules)"
    root = Path(__file__).resolve().parents[2]
    done = subprocess.run(
        [sys.executable, "-c", code], cwd=root, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False"


def test_every_unit_of_the_knowledge_base_is_read_from_text(kb):
    """Units are defined once, in labs.yml; the text reader finds each under its own name."""
    for analyte in kb.labs.values():
        for unit in analyte.unit_names:
            value = analyte.plausible_min * 2 / analyte.units[normalise_unit(unit)]
            text = f"{analyte.names[0]} {value:g} {unit}"
            result = parse_lab(text)
            assert result.analyte == analyte.id, text
            assert result.value == pytest.approx(analyte.plausible_min * 2, rel=1e-3), text
