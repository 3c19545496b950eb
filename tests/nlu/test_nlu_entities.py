"""The Rasa entity schema (docs/entities.md) and its round trip."""

from __future__ import annotations

import pytest

from bot.findings import Status
from bot.nlu.entities import entities_to_extraction, extraction_to_entities
from bot.nlu.reading import analyse, extract

MESSAGES = [
    "been knackered for months, pins n needles in my feet, no chest pain tho, mum had pernicious "
    "anaemia, I'm vegan and on omeprazole, b12 came back 160",
    "I'm 34, female, 12 weeks pregnant and not breastfeeding",
    "retired, hb 105 g/L and mcv 104, used to take metformin",
    "worried I might have pernicious anaemia",
    "hb 1005 g/L",
    "",
]


@pytest.mark.parametrize("text", MESSAGES)
def test_round_trip_loses_nothing(text):
    analysis = analyse(text)
    entities = extraction_to_entities(analysis.extraction, value_spans=analysis.value_spans)
    assert entities_to_extraction(entities).to_dict() == analysis.extraction.to_dict()


def test_entity_shape_and_roles():
    text = MESSAGES[0]
    analysis = analyse(text)
    entities = extraction_to_entities(analysis.extraction, value_spans=analysis.value_spans)
    by_value = {e["value"]: e for e in entities}
    for entity in entities:
        assert entity["extractor"] == "B12ClinicalExtractor"
        assert entity["confidence_entity"] == 1.0
        assert isinstance(entity["start"], int) and isinstance(entity["end"], int)
    assert by_value["chest_pain"]["entity"] == "red_flag"
    assert by_value["chest_pain"]["role"] == "negated"
    assert text[by_value["chest_pain"]["start"] : by_value["chest_pain"]["end"]] == "chest pain"
    assert by_value["pernicious_anaemia"]["role"] == "family"
    assert "role" not in by_value["vegan_diet"]
    assert by_value["paresthesia"]["entity"] == "symptom"
    assert by_value["ppi"]["entity"] == "risk_factor"
    assert by_value["b12_total"]["entity"] == "lab"
    assert by_value["b12_total"]["additional_info"]["original"] == "b12 came back 160"
    assert by_value["90"]["entity"] == "duration"


def test_values_have_offsets_into_the_message():
    text = "I'm 34, female, 12 weeks pregnant"
    analysis = analyse(text)
    entities = extraction_to_entities(analysis.extraction, value_spans=analysis.value_spans)
    spans = {e["entity"]: text[e["start"] : e["end"]] for e in entities}
    assert spans["age"] == "34"
    assert "pregnant" in spans["pregnancy"]
    assert spans["pregnancy_weeks"].startswith("12")


def test_impossible_lab_becomes_an_error_not_a_value():
    result = extract("hb 1005 g/L")
    assert result.labs == [] and len(result.lab_errors) == 1


def test_hint_is_not_an_age():
    entities = extraction_to_entities(extract("I'm retired"))
    ages = [e for e in entities if e["entity"] == "age"]
    assert ages and all(e.get("role") == "uncertain" for e in ages)
    assert entities_to_extraction(entities).age is None


def test_minimal_entities_from_other_tools_are_read_by_role():
    entities = [
        {"entity": "red_flag", "value": "chest_pain", "role": "negated", "start": 0, "end": 2},
        {"entity": "risk_factor", "value": "vegan_diet", "start": 3, "end": 8},
        {"entity": "age", "value": "52", "start": 9, "end": 11},
        {"entity": "pregnancy", "value": "absent", "start": 0, "end": 1},
    ]
    result = entities_to_extraction(entities)
    states = {m.id: m.status for m in result.mentions}
    assert states == {"chest_pain": Status.ABSENT, "vegan_diet": Status.PRESENT}
    assert result.age == 52 and result.pregnant is Status.ABSENT


def test_entities_of_other_extractors_are_ignored():
    assert (
        entities_to_extraction(
            [{"entity": "age", "value": "40", "extractor": "DIETClassifier", "start": 0, "end": 2}]
        ).age
        is None
    )
