"""Values people type: ages, sex, pregnancy, breastfeeding, durations and blood results."""

from __future__ import annotations

from datetime import date

import pytest

from bot.findings import Status
from bot.nlu.reading import extract
from bot.nlu.values import days_since_month, find_durations, find_labs


def _writers(result, name: str):
    """A value as the writer's own: one said of someone else (``about``, e.g. "my mum is 80")
    is kept with its person and is not the writer's."""
    return getattr(result, name) if result.about.get(name, "") in ("", "self") else None


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
    assert _writers(extract(text), "age") == age


@pytest.mark.parametrize(
    "text, age",
    [
        # an age on its own in a list of facts, at the end or the start of a clause
        ("my feet have been buzzing at night and I keep dropping cups. 63", 63),
        ("can't shake this tiredness, hair falling out too. 29", 29),
        ("always cold, always shattered tbh. 24 n vegan", 24),
        ("38, tingling in both hands, on metformin", 38),
        ("Got told my iron is fine. 57, heartburn daily", 57),
        ("perimenopausal, 49, on lansoprazole and feeling foggy", 49),
        ("stopped eating meat at uni. now 31 and my legs feel heavy", 31),
        ("now 62 and my tongue is sore", 62),
        # numbers that are no age
        ("I've been vegan 10 years", None),
        ("I get it 2 of 3 days", None),
        ("the clinic put me in room 12", None),
        ("on 20 mg omeprazole, tired", None),
        ("B12 1000 mcg tablets", None),
        ("took three readings: 12, 15, 19", None),
        ("b12 came back low, 45", None),
        ("b12 was 140 in the spring, now 95 and still falling", None),
        ("gave birth 3 years ago, tired since", None),
        ("our cat is 12", None),
        ("tired. 5", None),
        ("coeliac since age 7, now 41", 41),
        ("diagnosed with PA at age 30. 52, tired again", 52),
        ("heartburn again. 45 days of it", None),
    ],
)
def test_an_age_on_its_own(text, age):
    assert _writers(extract(text), "age") == age


@pytest.mark.parametrize(
    "text, age",
    [
        # numbers written out
        ("I'm sixty-two and always exhausted", 62),
        ("turned thirty last week and my hands tingle", 30),
        ("Male, eighty-one, unsteady on my feet", 81),
        ("I am seventy seven years old", 77),
        ("I'm one of those people who never gets ill", None),
        # a formal letter's self-introduction
        ("I am a retired gentleman of 79 years and my memory troubles me", 79),
        ("I am a widower of eighty-six and rather breathless", 86),
        # as people write who learned English after another language
        ("I am woman 52 years, I have tingling in my feet", 52),
        ("I am man 47 years and always tired", 47),
        ("I have 39 years and my tongue is burning", 39),
        ("I have 3 years left on my mortgage and I'm tired", None),
        ("I have 12 years experience as a nurse", None),
    ],
)
def test_age_in_words_letters_and_other_englishes(text, age):
    assert _writers(extract(text), "age") == age


@pytest.mark.parametrize(
    "text, age, about",
    [
        ("my son has 14 years and he is always tired", 14, "son"),
        ("My uncle, aged eighty-two, has numb feet", 82, "uncle"),
        ("Dad's in his seventies, his hands are numb", 75, "father"),
        ("Sister (30s) has been exhausted for weeks", 35, "sister"),
        ("my aunt (F, 66) gets pins and needles", 66, "aunt"),
        ("A note from my GP's patient: her sister, 59, has numb feet", 59, "sister"),
    ],
)
def test_someone_elses_age_is_read_and_kept_with_them(text, age, about):
    result = extract(text)
    assert (result.age, result.about.get("age")) == (age, about)


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
    assert _writers(extract(text), "sex") == sex


@pytest.mark.parametrize(
    "text, sex",
    [
        ("I am woman 38 years and my hair falls out", "female"),
        ("I am man, 61, numbness in feet", "male"),
        ("I have 50 years, man, and I am tired", "male"),
        ("I'm an elderly lady and my tongue is sore", "female"),
        ("I am eighty and a widow", "female"),
        ("Male, sixty-four, on metformin", "male"),
        ("always tired, 33 female", "female"),
        ("tingling toes, 29/M", "male"),
        ("58yo f with sore tongue", "female"),
        ("forties, female, vegan", "female"),
        ("I'm mum to three and shattered", None),
        ("I'm a fan of man city", None),
        ("I take vitamin (f) daily", None),
        ("we have 12 male nurses on the ward", None),
    ],
)
def test_sex_in_lists_letters_and_other_englishes(text, sex):
    assert _writers(extract(text), "sex") == sex


@pytest.mark.parametrize(
    "text, about",
    [
        ("my dad (M, 77) has numb toes", "father"),
        ("Resident (F) on metformin for years, now pale and tired", None),
    ],
)
def test_someone_elses_sex_is_kept_with_them(text, about):
    result = extract(text)
    assert result.sex is not None and result.about.get("sex") != "self"
    if about:
        assert result.about.get("sex") == about


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
    pregnant = _writers(result, "pregnant")
    assert (pregnant, result.pregnancy_weeks if pregnant else None) == (status, weeks)


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
    assert _writers(extract(text), "breastfeeding") == status


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


@pytest.mark.parametrize(
    "text, days",
    [
        # "since" / "from" with a count, as people write who learned English after another
        # language
        ("I have the tingling since 5 weeks", 35),
        ("my tongue burns since two months", 60),
        ("he is dizzy from 3 weeks", 21),
        ("since 2 years old he has had asthma", None),
        # "been", "had it", "... of it", "since <event> ... ago"
        ("Been three weeks now. Feet are numb", 21),
        ("I've had it about 4 months, the burning", 120),
        ("Six weeks of this. Exhausted.", 42),
        ("dizzy since my operation 5 weeks ago", 35),
        ("gave birth 3 years ago and feel fine", None),
        ("started getting headaches about ten days ago", 10),
        ("woke up with a tingling hand 3 days ago", 3),
        ("started metformin 2 years ago, tingling feet", None),
        ("numb fingers, 5 weeks or so", 35),
        ("exhausted, like 4 months at least", 120),
        # a count closing a clause
        ("sore mouth and tired. 3 weeks ish", 21),
        ("can't think straight, about 10 days", 10),
        ("my legs ache, maybe a month, hard to say", 30),
        ("tired, vegan 6 yrs", None),
        ("B12 jabs every 3 months.", None),
        ("pregnant with my third, 20 weeks, and tired", None),
        ("and now I feel faint", None),
        # clinical shorthand: n/12 months, n/52 weeks, n/7 days
        ("4/12 hx of paraesthesia", 120),
        ("2/52 of fatigue", 14),
        ("5/7 headache", 5),
        ("seen on 6/12 by GP, tired", None),
        ("vision 6/12 in the left eye", None),
        ("scored 2 of 3 on the test", None),
    ],
)
def test_durations_without_for(text, days):
    assert extract(text).duration_days == days


def test_duration_of_a_diet_is_not_the_complaints():
    assert extract("vegetarian for 20 years").duration_days is None
    assert extract("I've been vegan 10 years").duration_days is None


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
        ("B12 came back 'low-ish' at 170", "b12_total", 170.0, None),
        ("my GP said the b12 was 170 ng/L", "b12_total", 170.0, "ng/L"),
        ("folate: 2.1", "folate", 2.1, None),
        ("active B12 (holotranscobalamin) 25 pmol/L", "b12_active", 25.0, "pmol/L"),
        ("MMA 0.5 umol/L", "mma", 0.5, "umol/L"),
        ("haemoglobin 95 g/L", "hb", 95.0, "g/L"),
        ("Her B12 came back 'low-normal' at 215 pg/mL", "b12_total", 215.0, "pg/mL"),
        ("my GP says my B12 is low (160)", "b12_total", 160.0, None),
        ("is 350 pg/ml b12 ok?", "b12_total", 350.0, "pg/mL"),
        ("b12 is 1,200", "b12_total", 1200.0, None),
        ("B 12 = 160", "b12_total", 160.0, None),
        ("hb 13 mmol/L", "hb", 13.0, "mmol/L"),
        ("I'm vegan and on omeprazole, b12 came back 160", "b12_total", 160.0, None),
        # words between the name and the number, articles not counted
        ("the folate one came back at a rather poor 2.9", "folate", 2.9, None),
        ("my hb came back a bit low at 104 g/L", "hb", 104.0, "g/L"),
        ("my B12 report says 145 ng/L", "b12_total", 145.0, "ng/L"),
        ("her mcv last month was 104", "mcv", 104.0, None),
        ("is 180 ng/L a low b12?", "b12_total", 180.0, "ng/L"),
        # numbers and names written out
        ("my b twelve was two hundred and ten", "b12_total", 210.0, None),
        ("vitamin b twelve came back at one hundred and ninety-five ng/L", "b12_total", 195.0,
         "ng/L"),
        ("my mcv was ninety-nine", "mcv", 99.0, None),
        # a later result of the same test: the latest is kept
        ("b12 was 150 in the spring, rechecked last week and it's 410", "b12_total", 410.0, None),
        ("Hb was 95 g/L last year. Now it's 128.", "hb", 128.0, "g/L"),
        ("folate 2.4 in March and 7.1 now", "folate", 7.1, None),
        ("my b12 went from 130 to 480 with the jabs", "b12_total", 480.0, None),
        ("hb rose from 92 g/L to 118 g/L", "hb", 118.0, "g/L"),
    ],
)
def test_lab_text(text, analyte, value, unit):
    found = list(find_labs(text))
    assert [(f.value["analyte"], f.value["value"], f.value["unit"]) for f in found] == [
        (analyte, value, unit)
    ]


@pytest.mark.parametrize(
    "text",
    [
        "I take b12 1000mcg tablets",
        "b12 shots every 3 months",
        "my b12 was low",
        "b12 and folate",
        "ferritin was 12",
        "I'm 45 and my b12 was low",
        "my b12 was low (i'm 45)",
        "b12 low since 2019",
        "b12 checked on 12/05/2023",
        "b12 1000 mcg daily",
        "b12 1000 a day",
        "I take b12 500",
        "taking my b12 1000",
        "on b12 1000 for 3 months",
        "b12 for 3 weeks",
        "b12 shots 3 times",
        "b12 x3",
        "b12 loading doses 6",
        "b12 (normal range 180-900)",
        "b12 went up by 50",
        "b12 was fine, 3 kids",
        "b12 normal ferritin 12",
        "red cell folate 400 nmol/L",
        "b12 and folate were 160 and 3",
        "my 3 b12 tests",
        "my b12 was one of the lowest they'd seen",
        "the b12 one a day tablets",
        "B12 1000 mcg tablets",
        "b12 low, on 20 mg omeprazole",
        "b twelve in room 12",
        "b12 normal from 180 to 900",
        "b12 range from 180 to 900",
    ],
)
def test_not_lab_results(text):
    assert list(find_labs(text)) == []


def test_a_unit_that_does_not_fit_reaches_the_core_to_be_refused():
    """Silently dropping "mg/dl" would read 150 as if no unit had been given."""
    result = extract("b12 150 mg/dl")
    assert result.labs == []
    assert result.lab_errors and "mg/dl" in result.lab_errors[0]


def test_lab_names_and_units_come_from_the_knowledge_base_only():
    """labs.yml is the one home of the tests' names and units; values.yml has the wording."""
    from bot.knowledge import load_knowledge
    from bot.nlu.resources import load_yaml

    grammar = load_yaml("values.yml")
    assert not {"lab_analytes", "lab_units", "dose_units"} & set(grammar)
    for analyte in load_knowledge().labs.values():
        for name in analyte.names:
            found = list(find_labs(f"{name} was {analyte.plausible_max / 2:g}"))
            assert [f.value["analyte"] for f in found] == [analyte.id], name


def test_lab_wording_lists_are_words():
    """An unquoted "on" in YAML is a boolean and would silently never match."""
    from bot.nlu.resources import load_yaml

    grammar = load_yaml("values.yml")
    for key in [k for k in grammar if isinstance(grammar[k], list)]:
        assert all(isinstance(word, str) for word in grammar[key]), key


def test_a_later_result_needs_a_word_of_a_later_time():
    """Only a later time ("now", "retested") lets a number without the test's name be its
    result: "it's 20 degrees" or "3 kids now" are no B12."""
    for text, value in [
        ("b12 was 150, it's 20 degrees out", 150.0),
        ("b12 was 200 and 3 kids now", 200.0),
        ("b12 was 150, now it's 2023 and I'm tired", 150.0),
        ("b12 came back 160, I'm on injections now at 1000 mcg", 160.0),
    ]:
        assert [f.value["value"] for f in find_labs(text)] == [value], text


def test_labs_are_converted_by_the_core():
    result = extract("active b12 was 30 pmol/l, hb 105 g/L")
    labs = {lab.analyte: lab for lab in result.labs}
    assert labs["b12_active"].value == 30 and labs["hb"].value == 105
    assert labs["b12_active"].original == "active b12 was 30 pmol/l"


def test_a_relatives_result_is_theirs_and_says_so():
    """"mum's b12 was 100" is mum's result: it makes her the subject and says whose it is,
    so it is stored only when the check is for her (tests/core: test_core_subject)."""
    extraction = extract("my mum's b12 was 100")
    assert [lab.analyte for lab in extraction.labs] == ["b12_total"]
    assert extraction.subject == "mother" and extraction.about["labs"] == "mother"
    mixed = extract("my mum's b12 was 100 and my b12 was 300")
    assert [(lab.analyte, lab.value) for lab in mixed.labs] == [("b12_total", 300.0)]
    assert "labs" not in mixed.about
