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

from bot.channels.emergency import message_level

MAX_BUTTONS = 12


def unwrap_custom(custom: Any) -> dict[str, Any] | None:
    """The custom payload itself, whichever shape the dialogue sent it in.

    The stock socket.io channel needs custom payloads wrapped as ``{"data": ...}``
    (it calls ``emit(event, **custom)``); other channels send them bare. Both
    arrive here, and the page must see the same thing either way.
    """
    if not isinstance(custom, dict):
        return None
    body = {k: v for k, v in custom.items() if k != "room"}
    if set(body) == {"data"} and isinstance(body["data"], dict):
        return dict(body["data"])
    return body or None


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
    custom = unwrap_custom(message.get("custom"))
    out: dict[str, Any] = {}
    if text:
        out["text"] = text
    if buttons:
        out["buttons"] = buttons
    if custom:
        out["custom"] = custom
    if not out:
        return None
    level = message_level(text, custom)
    if level:
        out["emergency"] = level
    return out
