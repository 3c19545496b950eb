"""Input that is not a sentence: empty, far too long, or without a single letter.

Such input should never be classified: a statistical classifier always picks
some intent, and a guess ("start the interview" for an empty message) confuses
the person. Both the Rasa component (which routes it to the fallback) and the
fallback action (which explains what went wrong) use this one definition.
"""

from __future__ import annotations

import re

MAX_MESSAGE_CHARS = 1000
_LETTERS = re.compile(r"[^\W\d_]")


def odd_input_kind(text: str | None) -> str | None:
    """``"empty"``, ``"too_long"``, ``"no_words"``, or ``None`` for a sentence."""
    stripped = (text or "").strip()
    if not stripped:
        return "empty"
    if len(stripped) > MAX_MESSAGE_CHARS:
        return "too_long"
    if not _LETTERS.search(stripped):
        return "no_words"
    return None
