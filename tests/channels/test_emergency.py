"""Emergency and urgent advice is marked by whoever sends it, and channels read the mark."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

from actions.findings_io import announce
from bot.channels.emergency import payload_level
from bot.channels.web_messages import web_message
from bot.findings import Findings
from bot.services import gives_emergency_number
from bot.wording import wordings

ROOT = Path(__file__).resolve().parents[2]

# Wording that tells a person to act now. It lives here, as a check on the data, and
# nowhere at run time: channels never guess a message's level from its words.
ACT_NOW = re.compile(
    r"\b(call|ring|dial|phone)\s+(\d{3}|emergency services|an ambulance)\b"
    r"|\bgo to (a&e|the emergency department|an emergency department)\b"
    r"|\bcould need urgent help\b",
    re.IGNORECASE,
)
CONDITIONAL = re.compile(
    r"^\W*(if|when|whenever|should|in case|in an emergency|unless)\b", re.IGNORECASE
)
SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")


def tells_to_act_now(text: str) -> bool:
    sentences = [s for s in SENTENCE_END.split(text) if s and not CONDITIONAL.match(s)]
    return any(ACT_NOW.search(s) for s in sentences)


def red_flags() -> list[dict]:
    data = yaml.safe_load((ROOT / "bot/knowledge/data/findings.yml").read_text())
    items = data["findings"] if isinstance(data, dict) else data
    flags = [f for f in items if isinstance(f, dict) and f.get("kind") == "red_flag"]
    assert flags, "the knowledge base has no red flags to check against"
    return flags


SEVERITY = {None: 0, "urgent": 1, "emergency": 2}


@pytest.mark.parametrize("flag", red_flags(), ids=lambda f: f["id"])
def test_every_red_flag_is_sent_marked_at_its_level(flag: dict) -> None:
    class Hit:
        id = flag["id"]
        message = flag["message"]
        urgency = flag.get("urgency", "urgent")

    dispatcher = CollectingDispatcher()
    announce(dispatcher, [Hit()], Findings(), channel=None)
    first = dispatcher.messages[0]
    level = payload_level(first.get("custom"))
    assert SEVERITY[level] >= SEVERITY[Hit.urgency], first
    shown = web_message(first)
    assert shown is not None and shown["emergency"] == level
    if Hit.urgency == "emergency":
        assert gives_emergency_number(first["text"]), first["text"]


@pytest.mark.parametrize("key", sorted(wordings()))
def test_wording_that_tells_to_act_now_is_marked_as_an_alert(key: str) -> None:
    entry = wordings()[key]
    if tells_to_act_now(entry.text):
        assert entry.level == "emergency", f"{key} tells a person to act now but is not marked"
    if entry.level == "emergency":
        assert gives_emergency_number(entry.text) or "emergency services" in entry.text, key


def test_the_generic_red_flag_reply_is_sent_as_an_emergency() -> None:
    message = wordings()["red_flag_generic"].message()
    assert payload_level(message["custom"]) == "emergency"
    assert gives_emergency_number(message["text"])


def test_the_greeting_says_what_to_do_if_but_is_not_an_alert() -> None:
    # The opening names the emergency numbers conditionally: shown as an alert, it
    # would teach people to ignore the real ones.
    opening = wordings()["opening"]
    assert gives_emergency_number(opening.text)
    assert opening.level is None and not tells_to_act_now(opening.text)
    assert "emergency" not in (web_message(opening.message()) or {})


def test_the_check_on_the_data_catches_unmarked_advice() -> None:
    assert tells_to_act_now("That sounds serious. Call 999 now.")
    assert tells_to_act_now("Please go to A&E.")
    assert not tells_to_act_now("In an emergency call 999.")
    assert not tells_to_act_now("If you have chest pain, call 999 now.")


@pytest.mark.parametrize(
    "payload, level",
    [
        ({"type": "b12_emergency", "level": "urgent", "message": "x"}, "urgent"),
        ({"type": "b12_emergency", "level": "emergency", "message": "x"}, "emergency"),
        # An unknown or missing level must never make the message less prominent.
        ({"type": "b12_emergency", "message": "x"}, "emergency"),
        ({"type": "b12_emergency", "level": "later"}, "emergency"),
        ({"type": "b12_assessment"}, None),
        ({"type": "b12_summary", "text": "You mentioned chest pain. Call 999 now."}, None),
        (None, None),
        ("b12_emergency", None),
    ],
)
def test_payload_level(payload: object, level: str | None) -> None:
    assert payload_level(payload) == level


def test_channels_read_the_mark_not_the_words() -> None:
    marked = {"text": "Please rest.", "custom": {"type": "b12_emergency", "level": "urgent"}}
    assert web_message(marked)["emergency"] == "urgent"
    assert "emergency" not in web_message({"text": "Vegans need a reliable source of B12."})
