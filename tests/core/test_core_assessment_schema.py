"""Real assessments validate against docs/assessment.schema.json (read by the widget)."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

import pytest
from core_builders import lab, make
from jsonschema import Draft202012Validator

from bot.assessment import assess
from bot.errors import InputError
from bot.findings import Findings, Status

SCHEMA = json.loads(
    (Path(__file__).resolve().parents[2] / "docs" / "assessment.schema.json").read_text()
)
VALIDATOR = Draft202012Validator(SCHEMA)
NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)

CASES = {
    "empty": Findings(),
    "emergency": make("chest_pain", "shortness_of_breath", age=70),
    "suicidal": make("suicidal_thoughts", "depression", age=34),
    "routine_with_labs": make("paresthesia", "metformin", age=67, sex="female")
    .with_lab(lab("b12_total", 150, "pmol/L"))
    .with_lab(lab("hb", 10.9, "g/dL"))
    .with_lab(lab("mcv", 104, "fL")),
    "vegan_pregnant": make("vegan_diet", "fatigue", age=28, sex="female", pregnant=Status.PRESENT),
    "capped_neuro": make("paresthesia", "numbness", "balance_problems", "memory_problems", age=50),
    "family_and_absent": make("fatigue", absent=("metformin", "ppi"), age=45).with_family(
        "pernicious_anaemia", Status.PRESENT
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_assessment_json_matches_the_published_schema(name):
    data = json.loads(json.dumps(assess(CASES[name], now=NOW).to_dict()))
    errors = sorted(VALIDATOR.iter_errors(data), key=lambda e: list(e.path))
    assert not errors, [f"{list(e.path)}: {e.message}" for e in errors]


def test_schema_rejects_a_broken_assessment():
    data = assess(CASES["empty"], now=NOW).to_dict()
    data["band"] = "very high"
    assert list(VALIDATOR.iter_errors(data))


def test_emergency_assessment_stops_asking_and_leads_with_the_red_flag():
    data = assess(CASES["emergency"], now=NOW).to_dict()
    assert data["triage"]["level"] == "emergency"
    assert data["should_stop"] is True and data["next_question"] is None
    assert data["red_flags"][0]["id"] == "chest_pain"


def test_capped_group_is_reported():
    data = assess(CASES["capped_neuro"], now=NOW).to_dict()
    assert "neuro" in data["capped_groups"]


def test_generated_at_uses_the_given_time():
    assert assess(Findings(), now=NOW).to_dict()["generated_at"] == "2026-11-25T09:30:00+00:00"


def test_unknown_finding_id_is_rejected():
    with pytest.raises(InputError) as info:
        assess(make("tired_all_the_time"))
    assert info.value.code == "I104"
    assert "tired_all_the_time" in str(info.value)
