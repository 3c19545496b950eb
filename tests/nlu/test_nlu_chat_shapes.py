"""Sentence shapes from chat that were misread: hedges reaching into earlier clauses,
negations reaching past a comma, "... but I'm not", low B12 without a number, worry about a
symptom, and the one-line answers people give to interview questions.

Each case is what the person would see go wrong: a diet or a relative's diagnosis turned
into "not sure", a symptom they reported turned into "no", or a finding they never named.
"""

from __future__ import annotations

import pytest

from bot.findings import Status
from bot.nlu.reading import extract

from .notation import found


def _found(text: str) -> set[str]:
    """Findings in the eval-set notation, with other:id for someone who is not a blood
    relative (a partner, a friend)."""
    return found(text, others=True)


@pytest.mark.parametrize(
    "text, expected",
    [
        # "not sure about X" looks forward only.
        ("I'm vegan, not sure about numbness", {"vegan_diet", "numbness?"}),
        (
            "My mum has pernicious anaemia, I'm vegan, not sure about numbness",
            {"fam:pernicious_anaemia", "vegan_diet", "numbness?"},
        ),
        ("I'm vegan, unsure if I get tingling", {"vegan_diet", "paresthesia?"}),
        ("on metformin, don't know about numbness", {"metformin", "numbness?"}),
        # A closing hedge looks back within its own part of the sentence.
        ("I'm vegan, tingling maybe", {"vegan_diet", "paresthesia?"}),
        ("Ears ringing, headaches, maybe a bit pale?", {"tinnitus", "headache", "pale_skin?"}),
        (
            "mum has PA, I'm vegan, numbness I think?",
            {"fam:pernicious_anaemia", "vegan_diet", "numbness?"},
        ),
        # ... and, standing alone after a comma, at the part just before it.
        ("tingling in my feet, not sure", {"paresthesia?"}),
        ("maybe a bit of tingling, not sure", {"paresthesia?"}),
        ("tired all the time, I think? and dizzy when I stand up", {"fatigue?", "dizziness"}),
        ("numbness? don't know", {"numbness?"}),
        # Doubting a reason is not doubting the symptom.
        ("not sure why I'm so tired", {"fatigue"}),
        ("no idea why i'm always knackered", {"fatigue"}),
    ],
)
def test_hedges_keep_to_their_clause(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("my husband is vegan but I'm not", {"other:vegan_diet", "vegan_diet!"}),
        ("My husband is vegan. I'm not.", {"other:vegan_diet", "vegan_diet!"}),
        (
            "My boyfriend does balloons every weekend but i dont",
            {"other:nitrous_oxide", "nitrous_oxide!"},
        ),
        ("my mum has PA but I don't", {"fam:pernicious_anaemia", "pernicious_anaemia!"}),
        ("my brother's got crohns and so have I", {"fam:crohns", "crohns"}),
        ("my sister is vegan, me too", {"fam:vegan_diet", "vegan_diet"}),
        # Not an answer for the person: the phrase goes on, or nothing was said of anyone else.
        # A partner's finding is kept as theirs (other:), never the person's own.
        ("my dad's on metformin, I'm not diabetic", {"fam:metformin"}),
        ("my husband is vegan", {"other:vegan_diet"}),
        ("I'm vegan but my partner isn't", {"vegan_diet"}),
        ("my mum has PA, I'm well", {"fam:pernicious_anaemia"}),
    ],
)
def test_the_person_answers_for_themselves(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("had my b12 checked, it was low", {"b12_deficiency_history"}),
        ("gp said my b12 was a bit low last year", {"b12_deficiency_history"}),
        ("b12 came back borderline low", {"b12_deficiency_history"}),
        ("my b12 was fine but iron was low", set()),
        ("b12 wasn't low", set()),
        # Questions about a level are not a result.
        ("is my b12 low", set()),
        ("what b12 level is too low", set()),
    ],
)
def test_low_b12_without_a_number(text, expected):
    result = extract(text)
    assert _found(text) == expected
    assert result.labs == []


@pytest.mark.parametrize(
    "text, expected",
    [
        ("worried about my memory", {"memory_problems"}),
        ("worried about the tingling in my feet", {"paresthesia"}),
        ("concerned about my memory, it's shocking", {"memory_problems"}),
        ("worried about pernicious anaemia", {"pernicious_anaemia?"}),
        ("worried I might get numbness", {"numbness?"}),
        ("worried about getting chest pain", {"chest_pain?"}),
    ],
)
def test_worry_about_a_symptom_is_not_a_maybe(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("no chest pain, tired all the time", {"chest_pain!", "fatigue"}),
        ("I don't have chest pain, my feet are numb", {"chest_pain!", "numbness"}),
        ("not pregnant, exhausted", {"fatigue"}),
        ("never had chest pain, always tired", {"chest_pain!", "fatigue"}),
        ("No, my feet tingle", {"paresthesia"}),
        # A list closed with "or" is denied whole.
        ("no tingling, numbness or weakness", {"paresthesia!", "numbness!", "weakness!"}),
        ("never had chest pain, fainting or dizziness", {"chest_pain!", "fainting!", "dizziness!"}),
    ],
)
def test_negation_stops_at_a_comma_unless_a_list_goes_on(text, expected):
    assert _found(text) == expected


@pytest.mark.parametrize(
    "text, expected",
    [
        ("does b12 deficiency cause tingling?", {"b12_deficiency_history?", "paresthesia?"}),
        ("can metformin cause diarrhoea", {"metformin?", "diarrhoea?"}),
        ("metformin gives me diarrhoea", {"metformin", "diarrhoea"}),
        ("Took metformin 2 yrs ago for a bit, not on it now", {"past:metformin"}),
        ("Do I have b12 deficiency?", {"b12_deficiency_history?"}),
        ("can you check whether i have b12 deficiency", {"b12_deficiency_history?"}),
        ("what are my chances of having b12 deficiency", {"b12_deficiency_history?"}),
        ("My doctor thinks I might have PA", {"pernicious_anaemia?"}),
        ("my mum had pa", {"fam:pernicious_anaemia"}),
        ("used to be vegetarian, now vegan", {"past:vegetarian_diet", "vegan_diet"}),
        ("stopped metformin, now on omeprazole", {"past:metformin", "ppi"}),
        ("mum now has PA", {"fam:pernicious_anaemia"}),
        (
            "b12 was low last year, had b12 jabs but stopped them",
            {"b12_deficiency_history", "past:b12_supplements"},
        ),
    ],
)
def test_questions_and_endings(text, expected):
    assert _found(text) == expected


# One-line answers to an interview question. The conversation reads yes / no from the
# intent; the extraction must add only what the words name, and name it right.
@pytest.mark.parametrize(
    "text, expected",
    [
        ("yes, and I'm vegan too", {"vegan_diet"}),
        ("no but my feet tingle", {"paresthesia"}),
        ("no, but my feet tingle", {"paresthesia"}),
        ("not really", set()),
        ("a bit", set()),
        ("sometimes", set()),
        ("only at night", set()),
        ("used to but not anymore", set()),
        ("no never", set()),
        ("I don't think so", set()),
        ("yes since last year", set()),
        ("nope", set()),
        ("not sure", set()),
        ("dunno", set()),
    ],
)
def test_interview_answers_name_only_what_they_say(text, expected):
    result = extract(text)
    assert _found(text) == expected
    assert result.age is None and result.sex is None and result.pregnant is None


def test_an_answer_with_a_time_gives_the_complaint_duration():
    assert extract("yes since last year").duration_days == 365


@pytest.mark.parametrize(
    "text, expected",
    [
        ("no chest pain, tired all the time", {"chest_pain": Status.ABSENT}),
        ("haven't passed out, dizzy though", {"fainting": Status.ABSENT}),
        ("No, I can't breathe", {"severe_breathlessness": Status.PRESENT}),
        ("no tingling, chest pain since this morning", {"chest_pain": Status.PRESENT}),
        ("chest pain? don't know", {"chest_pain": Status.UNKNOWN}),
        ("my husband has chest pain but I don't", {"chest_pain": Status.ABSENT}),
        ("I'm vegan, not sure about chest pain", {"chest_pain": Status.UNKNOWN}),
        # Typed in capitals: "CAN'T" and "DON'T" must split like "can't" and "don't".
        ("I CAN'T BREATHE", {"severe_breathlessness": Status.PRESENT}),
        ("I CANT WALK", {"rapid_leg_weakness": Status.PRESENT}),
        ("I DON'T HAVE CHEST PAIN", {"chest_pain": Status.ABSENT}),
        ("i DONT have chest pain", {"chest_pain": Status.ABSENT}),
    ],
)
def test_red_flags_in_these_shapes(text, expected, red_flag_ids):
    """A comma must not carry a "no" onto a red flag said after it, and a hedge or a partner's
    red flag must never come out as the person's own present red flag."""
    mentions = extract(text).mentions
    flags = {m.id: m.status for m in mentions if m.id in red_flag_ids and not m.family}
    assert flags == expected
