"""Sending the assistant's fixed wording (bot/wording) through a Rasa dispatcher."""

from __future__ import annotations

from rasa_sdk.executor import CollectingDispatcher

from actions.channel_payloads import custom_for_channel
from bot.wording import wording

__all__ = ["say"]


def say(dispatcher: CollectingDispatcher, key: str, channel: str | None = None) -> None:
    """Send the text ``key`` with its buttons, and the alert mark when it has a level
    and ``channel`` can carry one."""
    message = wording(key).message()
    custom = message.pop("custom", None)
    if custom is not None:
        custom = custom_for_channel(channel, custom)
    if custom is not None:
        message["json_message"] = custom
    dispatcher.utter_message(**message)
