"""Whose words: the writer's, a relative's, a partner's, a pronoun's, or nobody's.

People write for someone else ("asking for my mum, she's 79", "my wife can't stand up since
this morning"). Each case is what the dialogue needs to know to keep the right person's
findings: who the check is for (``subject``), whose each finding is (``Mention.person``) and
whose each age or pregnancy is (``about``); and when an emergency is reported now.
"""

from __future__ import annotations

import pytest

from bot import people
from bot.findings import Status
from bot.nlu.entities import (
    entities_to_extraction,
    extraction_to_entities,
    reports_own_red_flag,
    reports_red_flag_now,
)
from bot.nlu.input_check import reads_as_reference, reference_spans
from bot.nlu.reading import analyse, extract


def _whose(text: str) -> dict[str, tuple[str, bool]]:
    """finding id -> (person, family) for the mentions that apply (present, not past)."""
    return {
        m.id: (m.person, m.family)
        for m in extract(text).mentions
        if m.status is Status.PRESENT and not m.past
    }


# ------------------------------------------------------------------ people.yml


def test_relations_have_a_pronoun_a_sex_and_blood():
    dad = people.relation_of("Dad")
    assert (dad.key, dad.sex, dad.blood, dad.pronoun) == ("father", "male", True, "he")
    assert people.relation_of("my father-in-law").key == "father_in_law"
    assert people.relation_of("father in law").blood is False
    assert people.relation_of("hubby").key == "husband"
    assert people.relation("partner").pronoun == "they"
    assert people.relation_of("doctor") is None
    assert people.is_animal("our cat") and people.relation_of("cat") is None


def test_a_word_belongs_to_one_relation_only():
    with pytest.raises(people.PeopleError):
        people.parse_people(
            {
                "relations": {
                    "a": {"sex": None, "blood": True, "pronoun": "they", "words": ["x"]},
                    "b": {"sex": None, "blood": False, "pronoun": "they", "words": ["x"]},
                }
            }
        )


def test_context_triggers_come_from_people_yml():
    from bot.nlu.context_rules import rule_dicts

    by_category = {r["category"]: r for r in rule_dicts() if r.get("people")}
    assert "grandad" in by_category["FAMILY"]["phrases"]
    assert "father-in-law" in by_category["OTHER_PERSON"]["phrases"]
    assert "father-in-law" not in by_category["FAMILY"]["phrases"]
    assert "cat" in by_category["ANIMAL"]["phrases"]


# ------------------------------------------------------------------ whose each finding is


@pytest.mark.parametrize(
    "text, fid, person, family",
    [
        ("my dad can't walk", "rapid_leg_weakness", "father", True),
        ("my mum is always tired", "fatigue", "mother", True),
        ("my nan had pernicious anaemia", "pernicious_anaemia", "grandmother", True),
        ("my son is always exhausted", "fatigue", "son", True),
        ("my sister is vegan", "vegan_diet", "sister", True),
        ("my grandad is on metformin", "metformin", "grandfather", True),
        ("runs in the family, pernicious anaemia", "pernicious_anaemia", "family", True),
        ("my husband has numb feet", "numbness", "husband", False),
        ("my wife can't stand up since this morning", "rapid_leg_weakness", "wife", False),
        ("my boyfriend is always tired", "fatigue", "boyfriend", False),
        ("my partner fainted and won't wake up", "fainting", "partner", False),
        ("my father-in-law has pernicious anaemia", "pernicious_anaemia", "father_in_law", False),
        ("my stepdad is on metformin", "metformin", "stepfather", False),
        ("my friend does nangs", "nitrous_oxide", "friend", False),
        ("he can't walk", "rapid_leg_weakness", "he", False),
        ("he's collapsed and can't get up", "fainting", "he", False),
        ("she keeps fainting", "fainting", "she", False),
        ("they're exhausted all the time", "fatigue", "they", False),
        ("I have chest pain", "chest_pain", "self", False),
        ("I'm tired all the time", "fatigue", "self", False),
        ("my feet tingle", "paresthesia", "self", False),
        ("she said I have PA", "pernicious_anaemia", "self", False),
        ("tired all the time", "fatigue", "", False),
    ],
)
def test_whose_finding(text, fid, person, family):
    assert _whose(text)[fid] == (person, family)


def test_self_and_someone_else_in_one_message():
    assert _whose("I'm exhausted looking after my mum who can't walk") == {
        "fatigue": ("self", False),
        "rapid_leg_weakness": ("mother", True),
    }
    found = {(m.id, m.person, m.status) for m in extract("my husband is vegan, I'm not").mentions}
    assert found == {
        ("vegan_diet", "husband", Status.PRESENT),
        ("vegan_diet", "self", Status.ABSENT),
    }
    assert _whose("mum has PA, I'm vegan") == {
        "pernicious_anaemia": ("mother", True),
        "vegan_diet": ("self", False),
    }


def test_generic_they_is_nobody():
    assert _whose("they removed part of my small bowel because of crohns")["crohns"][0] == "self"
    mentions = extract("they say b12 deficiency causes tingling").mentions
    assert all(m.status is Status.UNKNOWN and m.person == "" for m in mentions)


# ------------------------------------------------------------------ animals


@pytest.mark.parametrize(
    "text",
    ["our cat is 12", "my dog has been vomiting blood", "our cat is 12 and has been sick"],
)
def test_animals_are_nobody(text):
    result = extract(text)
    assert result.mentions == [] and result.age is None and result.subject is None


def test_an_animal_does_not_take_the_writers_findings():
    result = extract("my dog is 9. I'm 52 and always tired")
    assert (result.age, result.about.get("age")) == (52, "self")
    assert _whose("my dog is 9. I'm 52 and always tired") == {"fatigue": ("self", False)}


# ------------------------------------------------------------------ ages, sex, pregnancy


@pytest.mark.parametrize(
    "text, age, about",
    [
        ("she is 80", 80, "she"),
        ("he's a man of 70", 70, "he"),
        ("my dad is 84", 84, "father"),
        ("my son, 14, is always exhausted", 14, "son"),
        ("my dad (80) can't walk", 80, "father"),
        ("asking for my mum, she's 79", 79, "mother"),
        ("I'm 45", 45, "self"),
        ("45 year old woman", 45, ""),
        # The writer's own age wins unless the other person is the subject.
        ("my dad is 84 and I'm 50", 50, "self"),
        ("asking for my dad, he's 84, I'm 50", 84, "father"),
    ],
)
def test_whose_age(text, age, about):
    result = extract(text)
    assert (result.age, result.about.get("age", "")) == (age, about)


def test_a_number_that_is_not_an_age():
    result = extract("she's 5 months pregnant")
    assert result.age is None
    assert (result.pregnant, result.about.get("pregnant")) == (Status.PRESENT, "she")


def test_whose_pregnancy():
    result = extract("my wife is 45 and pregnant")
    assert result.about == {"age": "wife", "pregnant": "wife"}
    assert extract("I'm pregnant").about == {"pregnant": "self"}


# ------------------------------------------------------------------ who the check is for


@pytest.mark.parametrize(
    "text, subject",
    [
        ("asking for my mum, she's 79", "mother"),
        ("Asking for my dad", "father"),
        ("on behalf of my dad: he can't walk", "father"),
        ("I'm writing for my grandad, he's 91 and confused", "grandfather"),
        ("checking for my daughter, she is 16 and vegan", "daughter"),
        ("worried about my wife, she keeps fainting", "wife"),
        ("concerned about my husband, always tired", "husband"),
        ("this is for my son", "son"),
        ("I'm enquiring about my father-in-law", "father_in_law"),
        ("it's for my partner", "partner"),
        ("my dad (80) can't walk", "father"),
        ("my mum is 79 and can't remember anything", "mother"),
        ("my son, 14, is always exhausted", "son"),
        ("my husband has numb feet", "husband"),
        ("my boyfriend is always tired", "boyfriend"),
        ("my wife can't stand up since this morning", "wife"),
        ("my partner fainted and won't wake up", "partner"),
        ("my dad is 84", "father"),
        ("he can't walk", "he"),
        ("she is 80", "she"),
        ("he's collapsed and can't get up", "he"),
        ("my nan keeps getting confused", "grandmother"),
    ],
)
def test_subject_someone_else(text, subject):
    assert extract(text).subject == subject


@pytest.mark.parametrize(
    "text, subject",
    [
        ("it's for me", "self"),
        ("this is for myself, I'm 40", "self"),
        ("it's for me, I'm tired all the time", "self"),
        ("just asking for myself", "self"),
        ("I'm tired all the time", None),
        ("my feet tingle and I'm vegan", None),
        ("my mum had pernicious anaemia, I'm tired", None),
        ("my mum had PA and I'm vegan", None),
        ("I'm exhausted looking after my mum who can't walk", None),
        ("my dad is 84 and I'm 50", None),
        ("my husband is vegan, I'm not", None),
        ("my dad had chest pain last week", None),
        ("hello", None),
        ("runs in the family, pernicious anaemia", None),
    ],
)
def test_subject_self_or_none(text, subject):
    assert extract(text).subject == subject


# ------------------------------------------------------------------ reference text


def test_reference_text():
    leaflet = (
        "Vitamin B12 deficiency anaemia is a condition. Symptoms include tiredness, pins and "
        "needles and chest pain. It can lead to problems with the nervous system."
    )
    assert reads_as_reference(leaflet)
    assert not reads_as_reference("I have chest pain. I feel faint.")
    assert not reads_as_reference("He has chest pain. Symptoms include sweating.")
    text = "the leaflet says 'fainting is a sign of low B12', is that right?"
    (start, end), = reference_spans(text)
    assert "fainting" in text[start:end]
    assert reference_spans("my GP says I have PA") == []


# ------------------------------------------------------------------ emergencies now


def _now(text: str) -> list[str]:
    analysis = analyse(text)
    return reports_red_flag_now(
        extraction_to_entities(analysis.extraction, value_spans=analysis.value_spans)
    )


@pytest.mark.parametrize(
    "text, persons",
    [
        ("I have chest pain", ["self"]),
        ("passed out this morning", [""]),
        ("my partner fainted and won't wake up", ["partner"]),
        ("he's collapsed and can't get up", ["he"]),
        ("my wife can't feel her legs since this morning", ["wife"]),
        ("my dad has chest pain", ["father"]),
        ("no chest pain, no fainting, not short of breath, just tired", []),
        ("my mum had chest pain years ago", []),
        ("my dad had chest pain last week", []),
        ("I fainted years ago", []),
        ("what if I get chest pain", []),
        ("maybe chest pain, not sure", []),
        ("can low B12 cause chest pain?", []),
        ("is fainting a sign of B12 deficiency?", []),
        ("I read that B12 deficiency can cause psychosis, is that true?", []),
        ("the leaflet says 'seek help for chest pain or fainting'", []),
    ],
)
def test_who_has_a_red_flag_now(text, persons):
    assert _now(text) == persons


def test_someone_elses_red_flag_is_not_the_writers_own():
    analysis = analyse("my husband has chest pain")
    entities = extraction_to_entities(analysis.extraction, value_spans=analysis.value_spans)
    assert not reports_own_red_flag(entities)
    assert reports_red_flag_now(entities) == ["husband"]


# ------------------------------------------------------------------ entities and round trip


ROUND_TRIP = [
    "asking for my mum, she's 79 and can't walk",
    "my husband is vegan, I'm not",
    "he's collapsed and can't get up",
    "my son, 14, is always exhausted",
    "it's for me, I'm 40",
    "my wife is 45 and pregnant",
    "she's 5 months pregnant and breastfeeding her toddler",
    "I read that B12 deficiency can cause psychosis, is that true?",
]


@pytest.mark.parametrize("text", ROUND_TRIP)
def test_round_trip_keeps_persons_subject_and_about(text):
    analysis = analyse(text)
    entities = extraction_to_entities(analysis.extraction, value_spans=analysis.value_spans)
    assert entities_to_extraction(entities) == analysis.extraction


def test_entities_carry_person_role_subject_and_about():
    text = "worried about my wife, she is 80 and keeps fainting"
    analysis = analyse(text)
    entities = extraction_to_entities(analysis.extraction, value_spans=analysis.value_spans)
    by_name = {e["entity"]: e for e in entities}
    assert by_name["subject"]["value"] == "wife"
    assert by_name["red_flag"]["role"] == "other_person"
    assert by_name["red_flag"]["additional_info"]["person"] == "wife"
    assert by_name["age"]["role"] == "other_person"
    assert by_name["age"]["additional_info"] == {"age": 80, "about": "wife"}


def test_minimal_other_person_entity_is_someone_elses():
    entities = [{"entity": "symptom", "value": "fatigue", "role": "other_person"}]
    (mention,) = entities_to_extraction(entities).mentions
    assert mention.person == "someone" and not mention.family


@pytest.mark.parametrize(
    ("text", "subject", "age"),
    [
        ("my boy (9) has a nosebleed that won't stop", "son", 9),
        ("our little girl, 3, has gone floppy", "daughter", 3),
        ("my lad (15) can't stand up", "son", 15),
        # a relative named with no "my", where a clause opens, with their age
        ("Dad is 74 and has chest pain that won't go", "father", 74),
        ("mum (76) can't stand up this morning", "mother", 76),
        ("hi, nan's 90 and she's been wetting herself and seems confused", "grandmother", 90),
        ("mother in law is 78, her lips look blue and she can't breathe", "mother_in_law", 78),
        # a child named by age
        ("my 14 year old says he can't feel his legs", "child", 14),
        ("my 3yo has gone floppy and won't wake up", "child", 3),
    ],
)
def test_a_relative_named_as_people_write_is_the_subject_with_their_age(
    text: str, subject: str, age: int
) -> None:
    result = extract(text)
    assert (result.subject, result.age) == (subject, age)


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("for my wife: she's been exhausted for months and she's vegan", "wife"),
        ("for my dad - 78, on metformin, feet numb", "father"),
        ("my sister is 5 months pregnant and vegetarian", "sister"),
        # the person a red flag is told of
        ("my old man's gone doolally since yesterday", "father"),
        ("baby's gone stiff and jerky and isn't responding", "child"),
        ("my mum is convinced the neighbours are poisoning her food", "mother"),
        # a child writing for a parent gives their own age; the emergency is the parent's
        ("im 10 and my mum is on the floor and wont wake up", "mother"),
        ("I'm 13, my grandad's face has dropped on one side", "grandfather"),
        # carers and lodgers
        ("the lady I support has been coughing up blood since lunch", "client"),
        ("our lodger collapsed on the stairs and can't feel his legs", "lodger"),
    ],
)
def test_the_person_a_message_is_about_is_the_subject(text: str, subject: str) -> None:
    assert extract(text).subject == subject


def test_a_relatives_ending_of_something_else_ends_nothing_of_theirs() -> None:
    """ "she's stopped eating" names another thing that stopped, not the red flag before it."""
    text = "my mum is convinced the neighbours are poisoning her food and she's stopped eating"
    found = [m for m in extract(text).mentions if m.id == "acute_confusion"]
    assert found and all(m.status is Status.PRESENT and not m.past for m in found)


def test_a_writers_own_age_with_an_age_noun_stays_the_writers() -> None:
    result = extract("I'm a 45 year old woman, always tired")
    assert (result.subject, result.age) in ((None, 45), ("self", 45))


def test_cooking_for_the_kids_does_not_make_them_the_subject() -> None:
    assert extract("I cook for my kids, I'm vegan and always tired").subject in (None, "self")
