"""The fixes to Rasa 3.6 internals, installed together from one place at start-up.

Rasa 3.6 has no extension point for these; each replaces one function of the
installed Rasa, was measured or tested to be needed, and is installed by
:func:`install_all`, which the launcher (``python -m bot.rasa_adapters.server``,
what ``make run`` and the tests start) calls before Rasa starts. A test fails
when the source of a replaced Rasa function changes, so a Rasa upgrade makes
someone look at each fix again. docs/operations.md lists them.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

logger = logging.getLogger(__name__)

RASA_VERSION = "3.6.21"


@dataclass(frozen=True)
class Patch:
    module: str
    target: str
    why: str


PATCHES = (
    Patch(
        "bot.rasa_adapters.patches.outage",
        "rasa.core.actions.action.RemoteAction.run",
        "a failed or slow action-server call ends the turn with a clear message, within one "
        "deadline per turn, instead of silence or a five-minute wait",
    ),
    Patch(
        "bot.rasa_adapters.patches.action_reply_check",
        "rasa.core.actions.action.RemoteAction._validate_action_result",
        "the action-reply schema is checked once per process, not on every reply "
        "(60-70 ms of CPU per call, two or three calls per turn)",
    ),
    Patch(
        "bot.rasa_adapters.patches.event_types",
        "rasa.shared.core.events.Event.resolve_by_type",
        "loading a conversation resolves event classes from a table (3.4 ms of the 4.0 ms "
        "a 128-event conversation took to load on every message)",
    ),
)

_installed = False


def install_all() -> None:
    """Install every fix, once; on another Rasa version, say so and install none."""
    global _installed
    if _installed:
        return
    import importlib

    import rasa

    if rasa.__version__ != RASA_VERSION:
        logger.warning(
            "Rasa %s is not %s, which the fixes in bot.rasa_adapters.patches were written "
            "for; running without them", rasa.__version__, RASA_VERSION,
        )
        return
    for patch in PATCHES:
        importlib.import_module(patch.module).install()
    _installed = True


def installed() -> bool:
    return _installed
