"""Every turn ends in words: failures are told, typed intents are read as words."""

from __future__ import annotations

import re
from pathlib import Path
from types import SimpleNamespace

import pytest

from bot.channels.turns import (
    BUTTON_INTENTS,
    as_sent,
    reads_as_emergency,
    run_turn,
)
from bot.storage.config import StorageOutage
from bot.wording import text

ROOT = Path(__file__).resolve().parents[2]


def button_payload_intents() -> set[str]:
    """Every "/intent" payload the assistant's buttons and page can send."""
    found: set[str] = set()
    sources = [ROOT / "domain.yml", ROOT / "bot" / "wording" / "texts.yml",
               *sorted((ROOT / "actions").glob("*.py")),
               *sorted((ROOT / "web" / "js").glob("*.js"))]
    for path in sources:
        text = path.read_text(encoding="utf-8")
        found.update(re.findall(r"payload:\s*/(\w+)", text))
        found.update(re.findall(r"[\"']payload[\"']:\s*[\"']/(\w+)[\"']", text))
        found.update(re.findall(r"send\(\s*[\"']/(\w+)[\"']", text))
    return found


def test_the_allowed_intents_are_exactly_the_buttons_payloads() -> None:
    assert button_payload_intents() == set(BUTTON_INTENTS)


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ("/affirm", "/affirm"),
        ("/start_check", "/start_check"),
        ("/report_red_flag", "report_red_flag"),
        ("/restart", "restart"),
        ('/inform{"age": 999}', 'inform{"age": 999}'),
        ('/affirm{"age": 999}', 'affirm{"age": 999}'),
        ("/affirm@0.2", "affirm@0.2"),
        ("//deny", "deny"),
        ("/", ""),
        ("I said no / not sure", "I said no / not sure"),
    ],
)
def test_only_button_payloads_pass_as_intents(typed: str, sent: str) -> None:
    assert as_sent(typed) == sent


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        ('/start_check{"subject": "mother"}', '/start_check{"subject": "mother"}'),
        ('/start_check{"subject":"self"}', '/start_check{"subject": "self"}'),
        ('/start_check{"subject": "someone"}', '/start_check{"subject": "someone"}'),
        ('/start_check{"subject": "Bob"}', 'start_check{"subject": "Bob"}'),
        ('/start_check{"subject": "mother", "age": 9}',
         'start_check{"subject": "mother", "age": 9}'),
        ('/report_red_flag{"subject": "mother"}', 'report_red_flag{"subject": "mother"}'),
    ],
)
def test_a_check_for_someone_passes_only_with_a_known_relation(typed: str, sent: str) -> None:
    assert as_sent(typed) == sent


def test_emergencies_are_recognised_without_rasa() -> None:
    assert reads_as_emergency("I have crushing chest pain right now")
    assert not reads_as_emergency("no chest pain, just tired")
    assert not reads_as_emergency("my dad had chest pain years ago")
    assert not reads_as_emergency("")


@pytest.mark.asyncio
@pytest.mark.parametrize("failure", [RuntimeError("redis"), StorageOutage("db")])
async def test_a_failed_turn_is_told_with_emergency_words_when_needed(failure) -> None:
    async def broken(_message: object) -> None:
        raise failure

    calm = SimpleNamespace(text="/deny")
    told = await run_turn(broken, calm)
    assert told == {"text": text("cannot_continue")}
    urgent = SimpleNamespace(text="I have crushing chest pain right now")
    told = await run_turn(broken, urgent)
    assert told["text"] == text("cannot_continue_emergency")
    assert told["custom"]["type"] == "b12_emergency" and told["custom"]["level"] == "emergency"


@pytest.mark.asyncio
async def test_a_turn_that_runs_returns_none_and_gets_the_filtered_text() -> None:
    seen: list[str] = []

    async def fine(message: SimpleNamespace) -> None:
        seen.append(message.text)

    assert await run_turn(fine, SimpleNamespace(text="/restart")) is None
    assert seen == ["restart"]
