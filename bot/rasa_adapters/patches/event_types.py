"""Find Rasa's event class for an event name with a table, not a search of the class tree.

Every stored event is turned back into an object through ``Event.resolve_by_type``
(rasa/shared/core/events.py). In Rasa 3.6 that function rebuilds the list of every
subclass of ``Event`` (recursively, checking each with ``inspect.isabstract``) for each
event it resolves, and then scans the list. Loading a conversation of 130 events that
way took about 3.4 ms of the 4 ms that ``DialogueStateTracker.from_dict`` needs, and
the Rasa server loads the conversation on every message (any tracker store; the
in-memory one stores it as JSON too) and resolves the events of every action-server
reply.

The replacement answers from a name-to-class table built from the same list, in the
same order (the first class with a name wins, as in the scan). A name it does not know
makes it rebuild the table once, so an event class defined after start-up is still
found; a name that is still unknown goes to Rasa's own function, which keeps Rasa's
handling of the old ``topic`` event, of ``default`` and of the error.
"""

from __future__ import annotations

import logging
from typing import Any

logger = logging.getLogger(__name__)

_MARKER = "_b12_event_table"


def event_classes_by_name(base: type) -> dict[str, type]:
    """Concrete subclasses of ``base`` by ``type_name``, first one first (Rasa's order)."""
    from rasa.shared.utils.common import all_subclasses

    table: dict[str, type] = {}
    for cls in all_subclasses(base):
        name = getattr(cls, "type_name", None)
        if isinstance(name, str):
            table.setdefault(name, cls)
    return table


def install() -> None:
    """Replace ``Event.resolve_by_type`` once per process."""
    from rasa.shared.core.events import Event

    original = Event.resolve_by_type
    if getattr(original, _MARKER, False):
        return
    table: dict[str, type] = {}

    def resolve_by_type(type_name: str, default: Any = None) -> Any:
        cls = table.get(type_name)
        if cls is None:
            table.clear()
            table.update(event_classes_by_name(Event))
            cls = table.get(type_name)
        if cls is not None:
            return cls
        return original(type_name, default)

    setattr(resolve_by_type, _MARKER, True)
    resolve_by_type.__wrapped__ = original  # type: ignore[attr-defined]
    Event.resolve_by_type = staticmethod(resolve_by_type)  # type: ignore[method-assign]
    logger.debug("Rasa event classes are looked up by name from a table")
