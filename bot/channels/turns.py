"""One turn, handed to Rasa by a channel, that can never end in silence.

When a turn cannot be handled (the database or Redis is down or stalled, a
conversation lock cannot be had, anything else fails on the way), Rasa gives the
channel an exception, or, for a failed database read, quietly starts a new
conversation (see :class:`bot.storage.config.StorageOutage`). Every channel of
this project runs its turns through :func:`run_turn`, so the person is told, in
the channel's own way, that nothing could be saved or continued just now; and
when their message reads as an emergency, the emergency advice comes first,
decided here by the same rule-based reading the assistant uses (no database,
no model needed).
"""

from __future__ import annotations

import logging
import re
from typing import Any, Awaitable, Callable

from bot.storage.config import StorageOutage
from bot.wording import wording

logger = logging.getLogger(__name__)

# The intents this assistant's own buttons send as their payload ("/affirm"). Rasa
# takes any message starting with "/" as an intent, skipping the language
# understanding, so a person could otherwise type "/report_red_flag" (an invented
# emergency), "/restart" or '/inform{"age": 999}'. Any other "/..." text is read as
# words, without the slash. A test keeps this set equal to the payloads in the
# domain, the actions' texts and the web page.
BUTTON_INTENTS = frozenset({
    "affirm", "deny", "unsure", "greet", "start_check", "ask_why", "ask_tests",
    "request_summary", "give_consent", "refuse_consent", "out_of_scope", "delete_my_data",
    "correct",
})
_INTENT_PAYLOAD = re.compile(r"^/(\w+)$")
# The one payload with a value: "a check for my mum" from the opening's buttons and the
# web chat's "who is it for?" choice. Only "self" or a relation key of people.yml passes.
_CHECK_FOR = re.compile(r'^/start_check\{"subject":\s?"([a-z_]+)"\}$')


def _check_for(text: str) -> str | None:
    """The payload for a check for someone, normalised, when ``text`` is a valid one."""
    found = _CHECK_FOR.match(text)
    if found is None:
        return None
    from bot.people import load_people

    person = found.group(1)
    if person != "self" and person not in load_people().relations:
        return None
    return f'/start_check{{"subject": "{person}"}}'


def as_sent(text: str) -> str:
    """``text`` as Rasa should get it: a button's payload as is, other "/..." as words."""
    if not text.startswith("/"):
        return text
    found = _INTENT_PAYLOAD.match(text.strip())
    if found and found.group(1) in BUTTON_INTENTS:
        return text.strip()
    check_for = _check_for(text.strip())
    if check_for is not None:
        return check_for
    return text.lstrip("/ ")


def reads_as_emergency(text: Any) -> bool:
    """Whether ``text`` reports a red flag now, for the writer or anyone present (not
    denied, not past, not hypothetical or quoted), by the NLU component's own rule
    (``bot.nlu.entities.reports_red_flag_now``)."""
    if not isinstance(text, str) or not text.strip():
        return False
    try:
        from bot.nlu.entities import extraction_to_entities, finding_kinds, reports_red_flag_now
        from bot.nlu.reading import analyse

        analysis = analyse(text)
        entities = extraction_to_entities(
            analysis.extraction, finding_kinds(), analysis.value_spans
        )
    except Exception:  # noqa: BLE001 - when even this fails, say the emergency words
        logger.exception("Could not read a message during an outage; giving the emergency advice")
        return True
    return bool(reports_red_flag_now(entities))


def cannot_continue(text: Any, otherwise: str = "cannot_continue") -> dict[str, Any]:
    """What to send when a turn failed: the emergency words (marked as an alert) when
    the message reads as one, else the ``otherwise`` notice."""
    key = "cannot_continue_emergency" if reads_as_emergency(text) else otherwise
    return wording(key).message()


async def run_turn(
    on_new_message: Callable[[Any], Awaitable[Any]],
    message: Any,
    said: Callable[[], int] | None = None,
) -> dict[str, Any] | None:
    """Hand ``message`` to Rasa; None when the turn ran and answered, else the message
    to send the person (text, and the alert payload when it is emergency advice).

    ``said`` counts the messages the turn sent. A turn that ran but said nothing
    (Rasa ignores every message when its model failed to load, for one) is a
    failure too: the person would otherwise be left looking at silence. Typed
    intent payloads other than the buttons' are turned into words first.
    """
    if isinstance(getattr(message, "text", None), str):
        message.text = as_sent(message.text)
    try:
        await on_new_message(message)
    except (Exception, StorageOutage) as failure:
        logger.error("A turn could not be handled (%s); the person was told", _name(failure))
        return cannot_continue(getattr(message, "text", None))
    if said is not None and said() == 0:
        logger.error("A turn ended without a reply (is the model loaded?); the person was told")
        return cannot_continue(message.text, otherwise="no_answer")
    return None


def _name(failure: BaseException) -> str:
    cause = failure.__cause__
    return type(failure).__name__ + (f" from {type(cause).__name__}" if cause else "")
