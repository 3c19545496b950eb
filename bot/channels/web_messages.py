"""The shape of one bot message on its way to the web chat page.

Rasa hands an output channel a response dict (``text``, ``buttons``,
``quick_replies``, ``custom``...) and the stock socket.io channel
sends each part as a separate event, splitting text on blank lines. The page
instead gets one event per bot message, so an assessment's text and its card,
or a question and its answer buttons, can never arrive apart or half-way, and
the emergency level is decided here once rather than guessed in the browser.
"""

from __future__ import annotations

from typing import Any

from bot.channels.emergency import payload_level

MAX_BUTTONS = 12


def payload_of(custom: Any) -> dict[str, Any] | None:
    """The message's custom payload, when it is one (a non-empty JSON object)."""
    return dict(custom) if isinstance(custom, dict) and custom else None


def clean_buttons(buttons: Any) -> list[dict[str, str]]:
    """Buttons as ``{"title", "payload"}`` strings; malformed entries are dropped."""
    if not isinstance(buttons, list):
        return []
    cleaned = []
    for button in buttons[:MAX_BUTTONS]:
        if not isinstance(button, dict):
            continue
        title = button.get("title")
        payload = button.get("payload", title)
        if isinstance(title, str) and title.strip() and isinstance(payload, str):
            cleaned.append({"title": title.strip(), "payload": payload})
    return cleaned


def web_message(message: dict[str, Any]) -> dict[str, Any] | None:
    """One event for the page, or ``None`` when the message has nothing to show."""
    text = message.get("text")
    text = text.strip() if isinstance(text, str) else ""
    buttons = clean_buttons(message.get("buttons") or message.get("quick_replies"))
    custom = payload_of(message.get("custom"))
    out: dict[str, Any] = {}
    if text:
        out["text"] = text
    if buttons:
        out["buttons"] = buttons
    if custom:
        out["custom"] = custom
    if not out:
        return None
    level = payload_level(custom)
    if level:
        out["emergency"] = level
    return out
