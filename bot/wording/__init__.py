"""The assistant's fixed wording: one home for every sentence it says that is not
clinical knowledge (that lives with its sources in ``bot/knowledge/data``).

``texts.yml`` holds what the actions, the channels and the outage paths say, and
the responses Rasa sends directly (``utter_*``), which are written into
``domain.yml`` from here by ``python -m bot.wording --write-domain``. Numbers are
placeholders filled from ``bot/knowledge/data/services.yml``. An entry may carry
``level: emergency | urgent``: whoever sends it marks it as an alert, so no
channel has to guess from the words.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

from bot.services import fill

TEXTS_FILE = Path(__file__).with_name("texts.yml")
LEVELS = ("emergency", "urgent")
ALERT_PAYLOAD = "b12_emergency"
RESPONSE_PREFIX = "utter_"


@dataclass(frozen=True)
class Wording:
    key: str
    text: str
    buttons: tuple[dict[str, str], ...] = ()
    level: str | None = None

    def message(self, **values: Any) -> dict[str, Any]:
        """The message as a Rasa dispatcher or channel sends it: text, buttons and,
        for an alert, the ``b12_emergency`` payload."""
        text = self.text.format(**values) if values else self.text
        out: dict[str, Any] = {"text": text}
        if self.buttons:
            out["buttons"] = [dict(b) for b in self.buttons]
        if self.level:
            out["custom"] = alert_payload(self.level, text)
        return out


def alert_payload(level: str, message: str) -> dict[str, Any]:
    """The structured mark of an emergency or urgent message, so every channel shows
    it first without reading the words."""
    return {"type": ALERT_PAYLOAD, "level": level, "message": message}


def _entry(key: str, raw: Any) -> Wording:
    if not isinstance(raw, dict) or not isinstance(raw.get("text"), str):
        raise ValueError(f"{TEXTS_FILE.name}: {key} needs a 'text'")
    level = raw.get("level")
    if level is not None and level not in LEVELS:
        raise ValueError(f"{TEXTS_FILE.name}: {key} has an unknown level {level!r}")
    fields = tuple(str(f) for f in raw.get("fields") or ())
    buttons = tuple(
        {"title": fill(str(b["title"])), "payload": str(b["payload"])}
        for b in raw.get("buttons") or []
    )
    return Wording(
        key=key, text=fill(raw["text"], keep=fields).strip(), buttons=buttons, level=level
    )


@lru_cache(maxsize=1)
def wordings() -> dict[str, Wording]:
    """Every entry, read and filled once; a broken file fails at start-up."""
    data = yaml.safe_load(TEXTS_FILE.read_text(encoding="utf-8"))
    return {key: _entry(key, raw) for key, raw in dict(data["texts"]).items()}


def wording(key: str) -> Wording:
    return wordings()[key]


def text(key: str, **values: Any) -> str:
    """The words of ``key``; ``values`` fill its ``{name}`` fields (e.g. a wait time)."""
    entry = wording(key)
    return entry.text.format(**values) if values else entry.text


def domain_responses() -> dict[str, list[dict[str, Any]]]:
    """The ``utter_*`` entries in the shape of a Rasa domain's ``responses``."""
    out: dict[str, list[dict[str, Any]]] = {}
    for key, entry in wordings().items():
        if key.startswith(RESPONSE_PREFIX):
            response: dict[str, Any] = {"text": entry.text}
            if entry.buttons:
                response["buttons"] = [dict(b) for b in entry.buttons]
            out[key] = [response]
    return out
