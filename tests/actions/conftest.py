"""A conversation driver for the custom actions, with Rasa's real pieces.

Trackers are Rasa's own ``DialogueStateTracker`` built from the real
``domain.yml``; each action runs through rasa_sdk's ``ActionExecutor`` with
the JSON Rasa sends to an action server, and the returned events are applied
back to the tracker. The form is driven the way Rasa's ``FormAction`` drives
it: its validation action sees the events plus ``requested_slot`` and the form
execution, an empty reply is a rejection, and the ask action runs while a
slot is requested.
"""

from __future__ import annotations

import asyncio
import itertools
import time
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
FORM = "interview_form"


@lru_cache(maxsize=1)
def _domain() -> Any:
    from rasa.shared.core.domain import Domain

    return Domain.load(str(ROOT / "domain.yml"))


@lru_cache(maxsize=1)
def _executor() -> Any:
    from rasa_sdk.executor import ActionExecutor

    executor = ActionExecutor()
    executor.register_package("actions")
    return executor


_clock = itertools.count(1)


@dataclass
class Turn:
    """What one action call produced."""

    events: list[dict[str, Any]]
    responses: list[dict[str, Any]]

    @property
    def texts(self) -> list[str]:
        return [r.get("text") or "" for r in self.responses]


@dataclass
class Conversation:
    sender_id: str = "test-user"
    channel: str | None = "rest"
    tracker: Any = None
    said: list[dict[str, Any]] = field(default_factory=list)

    def __post_init__(self) -> None:
        from rasa.shared.core.events import ActionExecuted, SessionStarted
        from rasa.shared.core.trackers import DialogueStateTracker

        self.tracker = DialogueStateTracker.from_events(
            self.sender_id,
            [
                ActionExecuted("action_session_start"),
                SessionStarted(),
                ActionExecuted("action_listen"),
            ],
            slots=_domain().slots,
        )

    # -- building the conversation ------------------------------------------------
    def user(
        self,
        text: str,
        intent: str,
        entities: list[dict[str, Any]] | None = None,
        confidence: float = 1.0,
        ranking: list[dict[str, Any]] | None = None,
        parse_extra: dict[str, Any] | None = None,
    ) -> None:
        from rasa.shared.core.events import ActionExecuted, UserUttered

        if self.tracker.latest_action_name != "action_listen":
            self.tracker.update(ActionExecuted("action_listen"))
        parse_data = {
            "text": text,
            "intent": {"name": intent, "confidence": confidence},
            "entities": entities or [],
            "intent_ranking": ranking or [{"name": intent, "confidence": confidence}],
            **(parse_extra or {}),
        }
        self.tracker.update(
            UserUttered(
                text,
                intent=parse_data["intent"],
                entities=entities or [],
                parse_data=parse_data,
                timestamp=time.time() + next(_clock),
                input_channel=self.channel,
            )
        )

    def set_slot(self, name: str, value: Any) -> None:
        from rasa.shared.core.events import SlotSet

        self.tracker.update(SlotSet(name, value))

    def slot(self, name: str) -> Any:
        return self.tracker.get_slot(name)

    # -- running actions ----------------------------------------------------------
    def _call(self, name: str, extra_events: list[Any] = ()) -> Turn:
        from rasa.shared.core.events import Event
        from rasa.shared.core.trackers import DialogueStateTracker, EventVerbosity

        tracker = self.tracker
        if extra_events:
            tracker = DialogueStateTracker.from_events(
                self.sender_id, list(self.tracker.events) + list(extra_events), _domain().slots
            )
        call = {
            "next_action": name,
            "sender_id": self.sender_id,
            "tracker": tracker.current_state(EventVerbosity.ALL),
            "domain": _domain().as_dict(),
            "version": "3.6.2",
        }
        result = asyncio.run(_executor().run(call))
        events = result["events"]
        for raw in events:
            self.tracker.update(Event.from_parameters(raw), _domain())
        self.said.extend(result["responses"])
        return Turn(events, result["responses"])

    def run(self, name: str) -> Turn:
        """Run an action as the policy would after the last user message."""
        from rasa.shared.core.events import ActionExecuted

        turn = self._call(name)
        self.tracker.update(ActionExecuted(name))
        return turn

    def form(self) -> tuple[Turn, Turn | None, bool]:
        """One run of ``interview_form``: validation, then the question if any.

        Returns the validation turn, the ask turn (``None`` when nothing is
        asked) and whether the form rejected the message.
        """
        from rasa.shared.core.events import ActionExecuted, ActiveLoop, SlotSet

        activating = self.tracker.active_loop_name != FORM
        extra = [SlotSet("requested_slot", self.slot("requested_slot")), ActionExecuted(FORM)]
        if activating:
            extra = [ActionExecuted(FORM)]
        validation = self._call("validate_interview_form", extra)
        rejected = not activating and not any(
            e.get("event") == "slot" and e.get("name") != "requested_slot"
            for e in validation.events
        )
        if rejected:
            return validation, None, True
        if activating:
            self.tracker.update(ActiveLoop(FORM))
        self.tracker.update(ActionExecuted(FORM))
        if self.slot("requested_slot") is None:
            self.tracker.update(ActiveLoop(None))
            return validation, None, False
        ask = self._call("action_ask_interview_answer")
        return validation, ask, False

    @property
    def active(self) -> bool:
        return self.tracker.active_loop_name == FORM

    def findings(self) -> Any:
        from bot.findings import Findings

        return Findings.from_dict(self.slot("findings"))


@pytest.fixture
def convo() -> Conversation:
    """A fresh conversation on the REST channel."""
    return Conversation()


@pytest.fixture
def convo_on():
    """A fresh conversation on the given channel."""
    return lambda channel: Conversation(channel=channel)


@pytest.fixture
def entities_for():
    """Entities exactly as the clinical extractor writes them for an extraction."""
    from bot.nlu.entities import extraction_to_entities

    return extraction_to_entities


@pytest.fixture
def domain_dict() -> dict[str, Any]:
    """The real domain.yml as the action server receives it."""
    return _domain().as_dict()
