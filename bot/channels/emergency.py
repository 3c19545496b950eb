"""Which bot messages are emergency or urgent advice, so channels can show them first.

The dialogue marks emergency advice explicitly with the custom payload
``{"type": "b12_emergency", "level": "emergency" | "urgent", "message": ...}``.
Messages sent as plain text (older actions, plain responses) are recognised by
the words that only emergency or same-day advice contains, in a sentence that
tells the person to act now. Sentences that only say what to do *if* something
happens ("If you have chest pain, call 999") are general safety advice, found in
the greeting and in answers, and are not alerts: a greeting shown as an
emergency would teach people to ignore the real ones. Beyond that, recognising
too much is far cheaper than too little.
"""

from __future__ import annotations

import re
from typing import Any

EMERGENCY = "emergency"
URGENT = "urgent"
LEVELS = (EMERGENCY, URGENT)

EMERGENCY_PAYLOAD = "b12_emergency"

# Wording of the red-flag messages (knowledge base and dialogue texts).
_TEXT_RULES: tuple[tuple[str, re.Pattern[str]], ...] = (
    (
        EMERGENCY,
        re.compile(
            r"\b(call|ring|dial|phone)\s+(999|112|911|emergency services|an ambulance)\b"
            r"|\bgo to (a&e|the emergency department|the er|an emergency department)\b"
            r"|\bcould need urgent help\b"
            r"|^\W*emergency numbers?\b",
            re.IGNORECASE,
        ),
    ),
    (
        URGENT,
        re.compile(
            r"\b(get|seek) medical advice today\b"
            r"|\b(seen by|see) a (doctor|gp|clinician) today\b"
            r"|\btoday or within 48 hours\b",
            re.IGNORECASE,
        ),
    ),
)


def payload_level(custom: Any) -> str | None:
    """The level of an explicit ``b12_emergency`` payload; anything unclear is an emergency."""
    if not isinstance(custom, dict) or custom.get("type") != EMERGENCY_PAYLOAD:
        return None
    level = custom.get("level")
    return level if level in LEVELS else EMERGENCY


_SENTENCE_END = re.compile(r"(?<=[.!?])\s+|\n+")
_CONDITIONAL = re.compile(
    r"^\W*(if|when|whenever|should|in case|in an emergency|unless)\b", re.IGNORECASE
)


def text_level(text: Any) -> str | None:
    """The level of a plain-text message from its wording, the most severe first."""
    if not isinstance(text, str) or not text:
        return None
    sentences = [s for s in _SENTENCE_END.split(text) if s and not _CONDITIONAL.match(s)]
    for level, pattern in _TEXT_RULES:
        if any(pattern.search(sentence) for sentence in sentences):
            return level
    return None


def message_level(text: Any, custom: Any = None) -> str | None:
    """How prominently a bot message must be shown: ``emergency``, ``urgent`` or ``None``.

    The explicit payload wins. Assessment and summary payloads are not scanned
    for wording: their card already shows the urgency, and a summary quoting
    an earlier emergency is not a new one.
    """
    explicit = payload_level(custom)
    if explicit:
        return explicit
    if isinstance(custom, dict) and custom.get("type"):
        return None
    return text_level(text)
