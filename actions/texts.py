"""Fixed wording the actions send, read once from texts.yml."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk.executor import CollectingDispatcher

TEXTS_FILE = Path(__file__).with_name("texts.yml")


@lru_cache(maxsize=1)
def texts() -> dict[str, dict[str, Any]]:
    data = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    return dict(data["texts"])


def text(key: str) -> str:
    return str(texts()[key]["text"])


def say(dispatcher: CollectingDispatcher, key: str) -> None:
    """Send the text ``key`` with its buttons, if it has any."""
    entry = texts()[key]
    buttons = [dict(b) for b in entry.get("buttons") or []]
    if buttons:
        dispatcher.utter_message(text=str(entry["text"]), buttons=buttons)
    else:
        dispatcher.utter_message(text=str(entry["text"]))
