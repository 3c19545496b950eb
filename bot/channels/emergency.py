"""Which bot messages are emergency or urgent advice, so channels can show them first.

Whoever sends emergency or same-day advice marks it with the custom payload
``{"type": "b12_emergency", "level": "emergency" | "urgent", "message": ...}``:
the red-flag announcements (``actions/findings_io.py``), the wording entries
with a ``level`` (``bot/wording/texts.yml``) and the outage notices. Channels
read the mark; they never guess from the words, so a greeting that says what to
do *if* something happens is never shown as an alert, and an alert never
depends on its phrasing. A test checks that every text telling a person to call
emergency services now carries the mark.
"""

from __future__ import annotations

from typing import Any

from bot.wording import ALERT_PAYLOAD, LEVELS

EMERGENCY, URGENT = LEVELS


def payload_level(custom: Any) -> str | None:
    """The level of a ``b12_emergency`` payload; anything unclear is an emergency."""
    if not isinstance(custom, dict) or custom.get("type") != ALERT_PAYLOAD:
        return None
    level = custom.get("level")
    return level if level in LEVELS else EMERGENCY
