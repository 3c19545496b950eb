"""Check the action server's replies against a validator built once, not once per reply.

Rasa 3.6 checks every reply of the action server with ``jsonschema.validate(result,
schema)`` (``RemoteAction._validate_action_result``). That function first validates the
*schema itself* against the JSON Schema 2020-12 meta-schema, on every call, before it
looks at the reply. With the pinned jsonschema 4.17 this meta-check of Rasa's large
events schema takes 60-70 ms of CPU on the project's machines, against about 4 ms for
checking the reply: it was the largest single cost of a conversation turn, paid two or
three times per turn by the interview form (validation, question, noting findings).

The schema is a constant of the installed Rasa, so checking it once per process is
enough (jsonschema's own documentation recommends a prepared validator when one schema
validates many instances). The replacement keeps everything else: the same validator
class that ``jsonschema.validate`` would choose, the same best-matching error, and the
same explanation appended to its message. Only the Rasa server needs it; the project's
Rasa component installs it when the model is loaded.
"""

from __future__ import annotations

import logging
from functools import lru_cache
from typing import Any

logger = logging.getLogger(__name__)

_MARKER = "_b12_cached_reply_check"


@lru_cache(maxsize=1)
def _reply_validator() -> Any:
    """The validator for Rasa's action-reply schema, the schema checked once."""
    from jsonschema.validators import validator_for
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def _validate_action_result(self: Any, result: dict[str, Any]) -> bool:
    """Drop-in for ``RemoteAction._validate_action_result`` (same errors, same message)."""
    from jsonschema import exceptions
    from rasa.shared.constants import DOCS_BASE_URL

    error = exceptions.best_match(_reply_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error


def install() -> bool:
    """Use the prepared validator for action replies; ``True`` if it is in place.

    Idempotent. If Rasa's method is not where 3.6 keeps it (another Rasa version),
    nothing is changed and Rasa's own check stays.
    """
    from rasa.core.actions.action import RemoteAction

    current = getattr(RemoteAction, "_validate_action_result", None)
    if current is None:
        logger.warning("RemoteAction._validate_action_result not found; reply check unchanged")
        return False
    if getattr(current, _MARKER, False):
        return True
    _reply_validator()  # the one-off meta-check now, at model load, not in a person's turn
    setattr(_validate_action_result, _MARKER, True)
    RemoteAction._validate_action_result = _validate_action_result  # type: ignore[method-assign]
    return True
