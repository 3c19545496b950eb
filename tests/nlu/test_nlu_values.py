"""Values people type: ages, sex, pregnancy, breastfeeding, durations and blood results."""

from __future__ import annotations

from datetime import date

import pytest

from bot.findings import Status
from bot.nlu.reading import extract
from bot.nlu.values import days_since_month, find_durations, find_labs


@pytest.mark.parametrize(
    "text, age",
    [
        ("I'm 67", 67),
        ("im 19 and knackered", 19),
        ("72yo female", 72),
        ("67 years old", 67),
        ("a 45-year-old man", 45),
        ("aged 81", 81),
        ("34F, vegetarian", 34),
        ("F, 41", 41),
        ("male, 58, on metformin", 58),
        ("in my forties", 45),
        ("I'm in my late 60s", 67),
        ("early thirties", 32),
        ("I'm 12 weeks pregnant", None),
        ("I'm 5'7", None),
        ("my mum is 80", None),
        ("my dad, 80 years old, has PA", None),
        ("did nangs in my twenties", None),
    ],
)
def test_age(text, age):
    assert extract(text).age == age


def test_retired_is_only_a_hint():
    result = extract("I'm retired")
    assert result.age is None and result.age_hint == "retired"


@pytest.mark.parametrize(
    "text, sex",
    [
        ("I'm a woman", "female"),
        ("I'm a 29 year old woman", "female"),
        ("55 year old man", "male"),
        ("34F", "female"),
        ("I'm a guy, 40", "male"),
        ("my husband is a man of few words", None),
        ("my sister is a woman who runs", None),
    ],
)
def test_sex(text, sex):
    assert extract(text).sex == sex


@pytest.mark.parametrize(
    "text, status, weeks",
    [
        ("I'm 12 weeks pregnant", Status.PRESENT, 12),
        ("pregnant, 20 weeks", Status.PRESENT, 20),
        ("im pregnant", Status.PRESENT, None),
        ("not pregnant", Status.ABSENT, None),
        ("not sure if I'm pregnant", Status.UNKNOWN, None),
        ("my sister is pregnant", None, None),
    ],
)
def test_pregnancy(text, status, weeks):
    result = extract(text)
    assert (result.pregnant, result.pregnancy_weeks) == (status, weeks)


@pytest.mark.parametrize(
    "text, status",
    [
        ("I'm breastfeeding", Status.PRESENT),
        ("still breast feeding my 10 month old", Status.PRESENT),
        ("not breastfeeding anymore", Status.ABSENT),
        ("my wife is breastfeeding", None),
    ],
)
def test_breastfeeding(text, status):
    assert extract(text).breastfeeding == status


@pytest.mark.parametrize(
    "text, days",
    [
        ("tingling for 3 months", 90),
        ("tired for about a year", 365),
        ("dizzy for a few weeks", 21),
        ("exhausted for the past fortnight", 14),
        ("tired since last year", 365),
        ("numb for two weeks", 14),
        ("tired for months", 90),
        ("tingling started 3 weeks ago", 21),
        ("a year and a half of brain fog", 548),
    ],
)
def test_durations(text, days):
    assert extract(text).duration_days == days


def test_duration_of_a_diet_is_not_the_complaints():
    assert extract("vegetarian for 20 years").duration_days is None


def test_since_a_month_counts_back_from_today():
    spans = list(find_durations("since march", today=date(2026, 5, 11)))
    assert spans and spans[0].value == days_since_month(3, date(2026, 5, 11)) == 71


@pytest.mark.parametrize(
    "text, analyte, value, unit",
    [
        ("b12 came back 160", "b12_total", 160.0, None),
        ("active b12 was 30 pmol/l", "b12_active", 30.0, "pmol/L"),
        ("hb 105 g/L", "hb", 105.0, "g/L"),
        ("haemoglobin 10.5g/dl", "hb", 10.5, "g/dL"),
        ("mcv 104", "mcv", 104.0, None),
        ("serum folate of 3", "folate", 3.0, None),
        ("my B12 level: 250 ng/L", "b12_total", 250.0, "ng/L"),
        ("MMA 450 nmol/L", "mma", 450.0, "nmol/L"),
    ],
)
def test_lab_text(text, analyte, value, unit):
    found = list(find_labs(text))
    assert [(f.value["analyte"], f.value["value"], f.value["unit"]) for f in found] == [
        (analyte, value, unit)
    ]


@pytest.mark.parametrize(
    "text",
    ["I take b12 1000mcg tablets", "b12 shots every 3 months", "my b12 was low", "b12 and folate"],
)
def test_not_lab_results(text):
    assert list(find_labs(text)) == []


def test_labs_are_converted_by_the_core():
    result = extract("active b12 was 30 pmol/l, hb 105 g/L")
    labs = {lab.analyte: lab for lab in result.labs}
    assert labs["b12_active"].value == 30 and labs["hb"].value == 105
    assert labs["b12_active"].original == "active b12 was 30 pmol/l"


def test_a_relatives_result_is_not_the_persons():
    assert extract("my mum's b12 was 100").labs == []
