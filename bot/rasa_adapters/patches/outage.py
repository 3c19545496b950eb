"""What the person hears when the action server cannot answer.

Rasa 3.6 logs a failed custom-action call and carries on with nothing said:
the person sees silence and does not know whether to wait, retry or worry.
:func:`install` wraps Rasa's ``RemoteAction.run`` so that a failed call ends
the turn with one clear message instead. The person's message is already in
the tracker by then, so nothing they said is lost: the next action that runs
folds every message it has not seen yet into the findings.

A call also fails when the action server takes longer than
``B12_ACTIONS_TIMEOUT`` seconds (default 20; the project's actions answer in
well under a second). That is one deadline for the whole turn, not per call: a
turn runs several custom actions (a form and its follow-up), and against a hung
action server each would otherwise wait the full time. Rasa's own limit is five
minutes, far longer than anyone waits in a chat before deciding the assistant is
broken, and when it is reached Rasa raises an error that ends the turn with no
reply at all.

Installed by :class:`bot.rasa_adapters.tracker_store.B12TrackerStore` when the Rasa
server starts (Rasa 3.6 has no hook for this), never at import time.

The deadline is kept on the turn's user message object itself (Rasa hands each action
a copy of the tracker holding the same event objects). Not in a table keyed by the
message: messages are equal by content ("why?" twice is equal), and the tracker store
keeps a conversation's tracker, with its earlier messages, from one message to the
next. The store clears the latest message's deadline when it hands out a tracker
(:func:`start_turn`), so a turn with no new message (an action run through the HTTP
API) gets a full deadline too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from typing import Any

from bot.wording import wording

logger = logging.getLogger(__name__)

TIMEOUT_VARIABLE = "B12_ACTIONS_TIMEOUT"
DEFAULT_TIMEOUT_SECONDS = 20.0
RED_FLAG_INTENT = "report_red_flag"
ACTION_LISTEN = "action_listen"
_MARK = "_b12_outage_reply"


def action_timeout() -> float:
    """Seconds to wait for the action server; a setting that is not a positive number
    is reported and the default used, so a typo never disables the limit."""
    raw = os.environ.get(TIMEOUT_VARIABLE, "").strip()
    if not raw:
        return DEFAULT_TIMEOUT_SECONDS
    try:
        seconds = float(raw)
    except ValueError:
        seconds = 0.0
    if not 0 < seconds < float("inf"):
        logger.warning(
            "%s=%r is not a positive number of seconds; using %g",
            TIMEOUT_VARIABLE,
            raw,
            DEFAULT_TIMEOUT_SECONDS,
        )
        return DEFAULT_TIMEOUT_SECONDS
    return seconds


def reply_for(tracker: Any) -> dict[str, Any]:
    """The emergency wording (marked as an alert) when the message was recognised as
    one, else the retry note (marked as an outage notice)."""
    message = getattr(tracker, "latest_message", None)
    intent = (getattr(message, "intent", None) or {}).get("name")
    if intent == RED_FLAG_INTENT:
        return wording("unavailable_emergency").message()
    return dict(wording("unavailable").message(), custom={"type": "b12_unavailable"})


def _already_said(tracker: Any, text: str) -> bool:
    """Whether this turn already carries the message (a form calls two actions)."""
    from rasa.shared.core.events import BotUttered, UserUttered

    for event in reversed(getattr(tracker, "events", [])):
        if isinstance(event, UserUttered):
            return False
        if isinstance(event, BotUttered) and event.text == text:
            return True
    return False


def outage_events(tracker: Any) -> list[Any]:
    from rasa.shared.core.events import BotUttered, FollowupAction

    reply = reply_for(tracker)
    events: list[Any] = []
    if not _already_said(tracker, reply["text"]):
        events.append(BotUttered(reply["text"], data={"custom": reply["custom"]}))
    events.append(FollowupAction(ACTION_LISTEN))
    return events


DEADLINE_ATTRIBUTE = "_b12_deadline"


def start_turn(tracker: Any) -> None:
    """Mark the start of a turn on ``tracker``: custom actions from now on share a new
    deadline."""
    message = getattr(tracker, "latest_message", None)
    if getattr(message, DEADLINE_ATTRIBUTE, None) is not None:
        setattr(message, DEADLINE_ATTRIBUTE, None)


def install() -> None:
    """Wrap ``RemoteAction.run`` once per process."""
    from rasa.core.actions.action import ActionExecutionRejection, RemoteAction
    from rasa.shared.exceptions import RasaException

    original = RemoteAction.run
    if getattr(original, _MARK, False):
        return

    timeout = action_timeout()  # read once: a bad setting is reported once, not per call
    def remaining(tracker: Any) -> float:
        turn = getattr(tracker, "latest_message", None)  # the turn's user message
        if turn is None:
            return timeout
        deadline = getattr(turn, DEADLINE_ATTRIBUTE, None)
        if deadline is None:
            deadline = time.monotonic() + timeout
            try:
                setattr(turn, DEADLINE_ATTRIBUTE, deadline)
            except (AttributeError, TypeError):  # cannot carry one: a deadline per call
                return timeout
        return deadline - time.monotonic()

    async def run(self: Any, output_channel: Any, nlg: Any, tracker: Any, domain: Any) -> Any:
        left = remaining(tracker)
        if left <= 0:
            logger.error("Custom action %s skipped: the turn's %g s are used up", self.name(),
                         timeout)
            return outage_events(tracker)
        try:
            return await asyncio.wait_for(
                original(self, output_channel, nlg, tracker, domain), left
            )
        except ActionExecutionRejection:
            raise
        except RasaException:
            logger.error("Custom action %s could not run: action server unavailable", self.name())
            return outage_events(tracker)
        except asyncio.TimeoutError:
            logger.error("Custom action %s got no answer within %g s", self.name(), timeout)
            return outage_events(tracker)

    setattr(run, _MARK, True)
    RemoteAction.run = run  # type: ignore[method-assign]
