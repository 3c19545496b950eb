"""Emergency, urgent-care and crisis numbers, and the placeholders that carry them.

Every number a person is told to call is defined once, in
``bot/knowledge/data/services.yml``. Texts name them by placeholder so a region
can be added or a number corrected in one edit:

``{emergency_numbers}``            999, 112 or 911
``{emergency_numbers_by_region}``  999 (UK), 112 (EU) or 911 (US)
``{emergency_numbers_in_words}``   999 in the UK, 112 in Europe, 911 in the US
``{urgent_care}``                  NHS 111 (or your local urgent care line)
``{crisis_lines}``                 Samaritans 116 123 (UK and Ireland), 988 ... (US)
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

SERVICES_FILE = Path(__file__).parent / "knowledge" / "data" / "services.yml"

_PLACEHOLDER = re.compile(r"\{([a-z_]+)\}")


@dataclass(frozen=True)
class EmergencyNumber:
    region: str
    region_words: str
    number: str
    source: str


@dataclass(frozen=True)
class CrisisLine:
    name: str
    number: str
    where: str
    source: str


@dataclass(frozen=True)
class Services:
    emergency: tuple[EmergencyNumber, ...]
    urgent_care_name: str
    urgent_care_words: str
    urgent_care_number: str
    crisis_lines: tuple[CrisisLine, ...]

    def numbers(self) -> tuple[str, ...]:
        """Every number defined here, for the check that none is written elsewhere."""
        return (
            tuple(e.number for e in self.emergency)
            + (self.urgent_care_number,)
            + tuple(c.number for c in self.crisis_lines)
        )

    def placeholders(self) -> dict[str, str]:
        emergency = [e.number for e in self.emergency]
        by_region = [f"{e.number} ({e.region})" for e in self.emergency]
        in_words = [f"{e.number} {e.region_words}" for e in self.emergency]
        crisis = []
        for line in self.crisis_lines:
            label = line.name if line.number in line.name else f"{line.name} {line.number}"
            crisis.append(f"{label} ({line.where})")
        return {
            "emergency_numbers": _either(emergency),
            "emergency_numbers_by_region": _either(by_region),
            "emergency_numbers_in_words": ", ".join(in_words),
            "urgent_care": self.urgent_care_words,
            "urgent_care_name": self.urgent_care_name,
            "crisis_lines": ", ".join(crisis),
        }


def _either(items: list[str]) -> str:
    return items[0] if len(items) < 2 else f"{', '.join(items[:-1])} or {items[-1]}"


def _need(entry: dict[str, Any], key: str, where: str) -> str:
    value = entry.get(key)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{SERVICES_FILE.name}: {where} needs a non-empty '{key}'")
    return value.strip()


@lru_cache(maxsize=1)
def services() -> Services:
    """The numbers, read once; a malformed file fails loudly at start-up, not mid-chat."""
    data = yaml.safe_load(SERVICES_FILE.read_text(encoding="utf-8"))
    emergency = tuple(
        EmergencyNumber(*(_need(e, k, f"emergency[{i}]") for k in
                          ("region", "region_words", "number", "source")))
        for i, e in enumerate(data.get("emergency") or [])
    )
    if not emergency:
        raise ValueError(f"{SERVICES_FILE.name}: at least one emergency number is required")
    urgent = data.get("urgent_care") or {}
    crisis = tuple(
        CrisisLine(*(_need(c, k, f"crisis_lines[{i}]") for k in ("name", "number", "where",
                                                                  "source")))
        for i, c in enumerate(data.get("crisis_lines") or [])
    )
    return Services(
        emergency=emergency,
        urgent_care_name=_need(urgent, "name", "urgent_care"),
        urgent_care_words=_need(urgent, "words", "urgent_care"),
        urgent_care_number=_need(urgent, "number", "urgent_care"),
        crisis_lines=crisis,
    )


def fill(text: str, keep: Iterable[str] = ()) -> str:
    """``text`` with every known placeholder replaced; an unknown one is an error.

    ``keep`` names fields left for the sender to fill (a wait in seconds).

    Unknown placeholders fail rather than pass through, so a typo can never put
    "{emergency_numbrs}" in front of someone who needs the number.
    """
    values = services().placeholders()
    kept = frozenset(keep)

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in kept:
            return match.group(0)
        if name not in values:
            raise KeyError(f"unknown placeholder {{{name}}} in: {text[:80]!r}")
        return values[name]

    return _PLACEHOLDER.sub(one, text)


def fill_all(data: Any) -> Any:
    """``data`` (parsed YAML) with the placeholders in every string filled."""
    if isinstance(data, str):
        return fill(data) if "{" in data else data
    if isinstance(data, list):
        return [fill_all(item) for item in data]
    if isinstance(data, dict):
        return {key: fill_all(value) for key, value in data.items()}
    return data


def gives_emergency_number(text: str) -> bool:
    """Whether ``text`` already tells the person every emergency number to call."""
    return all(
        re.search(rf"(?<!\d){re.escape(e.number)}(?!\d)", text) for e in services().emergency
    )
