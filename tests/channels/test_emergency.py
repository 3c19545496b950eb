"""Emergency and urgent advice must be recognised, whichever way the dialogue sends it."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from bot.channels.emergency import message_level, payload_level, text_level

ROOT = Path(__file__).resolve().parents[2]


def red_flags() -> list[dict]:
    data = yaml.safe_load((ROOT / "bot/knowledge/data/findings.yml").read_text())
    items = data["findings"] if isinstance(data, dict) else data
    flags = [f for f in items if isinstance(f, dict) and f.get("kind") == "red_flag"]
    assert flags, "the knowledge base has no red flags to check against"
    return flags


SEVERITY = {None: 0, "urgent": 1, "emergency": 2}


@pytest.mark.parametrize("flag", red_flags(), ids=lambda f: f["id"])
def test_every_red_flag_as_the_dialogue_says_it_is_shown_at_its_level(flag: dict) -> None:
    from actions.findings_io import red_flag_text

    class Hit:
        message = flag["message"]
        urgency = flag.get("urgency", "urgent")

    said = red_flag_text(Hit())
    assert SEVERITY[text_level(said)] >= SEVERITY[Hit.urgency], said


def test_generic_red_flag_reply_is_an_emergency() -> None:
    texts = yaml.safe_load((ROOT / "actions/texts.yml").read_text())
    generic = texts.get("texts", texts)["red_flag_generic"]["text"]
    assert text_level(generic) == "emergency"


@pytest.mark.parametrize(
    "payload, level",
    [
        ({"type": "b12_emergency", "level": "urgent", "message": "x"}, "urgent"),
        ({"type": "b12_emergency", "level": "emergency", "message": "x"}, "emergency"),
        # An unknown or missing level must never make the message less prominent.
        ({"type": "b12_emergency", "message": "x"}, "emergency"),
        ({"type": "b12_emergency", "level": "later"}, "emergency"),
        ({"type": "b12_assessment"}, None),
        (None, None),
    ],
)
def test_payload_level(payload: dict | None, level: str | None) -> None:
    assert payload_level(payload) == level


@pytest.mark.parametrize(
    "text",
    [
        "Hello! I can help you look into vitamin B12.",
        "Do you often feel tired?",
        "Vegans need a reliable source of B12, such as fortified foods or a supplement.",
    ],
)
def test_ordinary_messages_are_not_alerts(text: str) -> None:
    assert text_level(text) is None


def test_conditional_safety_advice_is_not_an_alert() -> None:
    greeting = (
        "Hello, I'm a B12 check assistant. I can't diagnose anything. If you have chest pain, "
        "severe breathlessness, have fainted, or feel you might harm yourself, call 999 (UK), "
        "112 (EU) or 911 (US) or go to A&E now. To begin, tell me how you've been feeling."
    )
    assert text_level(greeting) is None
    assert text_level("In an emergency call 999.") is None
    assert text_level("That sounds serious. Call 999 now.") == "emergency"


def test_explicit_payload_wins_over_wording() -> None:
    assert message_level("Please rest.", {"type": "b12_emergency", "level": "urgent"}) == "urgent"


def test_assessment_and_summary_payloads_are_not_scanned_for_wording() -> None:
    text = "You mentioned chest pain. Please call 999 now."
    assert message_level(text, {"type": "b12_summary", "text": text}) is None
    assert message_level(text) == "emergency"
