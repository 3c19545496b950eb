"""Structured payloads that travel next to the text, shaped for each channel.

The REST channel passes ``custom`` through as it is, and the web chat's output
channel (bot.rasa_adapters.webchat) sends a message's text, buttons and payload
to the page as one event, so both get the payload as it is. Channels whose
connector expects its own custom format, and the terminal, get the text alone.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

# `rasa shell` ("cmdline") prints a custom payload as raw JSON after the text;
# a person at a terminal is better served by the text alone.
PLAIN_CUSTOM_CHANNELS = frozenset({"rest", "callback", "socketio"})


def custom_for_channel(channel: str | None, payload: dict[str, Any]) -> dict | None:
    """The ``json_message`` for ``channel``; ``None`` when it cannot carry one.

    An unknown channel (``None``: a test, or a message without channel data) is
    treated like REST.
    """
    if channel is None or channel in PLAIN_CUSTOM_CHANNELS:
        return payload
    return None


def utter_with_payload(
    dispatcher: CollectingDispatcher,
    tracker: Tracker,
    text: str,
    payload: dict[str, Any],
    buttons: list[dict[str, str]] | None = None,
) -> None:
    """Send ``text`` (and ``buttons``) with ``payload`` where the channel can carry it,
    else the text alone: the text always says everything on its own."""
    channel = tracker.get_latest_input_channel()
    custom = custom_for_channel(channel, payload)
    extra: dict[str, Any] = {"buttons": buttons} if buttons else {}
    if custom is None:
        dispatcher.utter_message(text=text, **extra)
    else:
        dispatcher.utter_message(text=text, json_message=custom, **extra)
