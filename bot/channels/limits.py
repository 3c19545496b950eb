"""Limits every channel applies to what a client sends, and the cleaning of its text.

A message longer than any person types, metadata bigger than any client needs,
or a flood of messages from one conversation costs everybody else's turns; a
character the database cannot encode costs the turn. The REST channel refuses
such requests with a status saying why; the web chat, whose page never sends
them, drops what exceeds the limits.
"""

from __future__ import annotations

import json
import re
import time
from collections import deque
from typing import Any

MAX_MESSAGE_CHARS = 2000
MAX_METADATA_BYTES = 4096
RATE_LIMIT = 60
RATE_WINDOW_SECONDS = 60.0
LONE_SURROGATE = re.compile(r"[\ud800-\udfff]")
CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def clean_text(text: str) -> str:
    """The message as the assistant should read it: no unencodable or control characters."""
    return CONTROL.sub(" ", LONE_SURROGATE.sub("\ufffd", text))


def metadata_size(metadata: Any) -> int | None:
    """The size of ``metadata`` as stored (JSON), or None when it cannot be stored."""
    try:
        return len(json.dumps(metadata, ensure_ascii=True))
    except (TypeError, ValueError, RecursionError):
        return None


class RateLimiter:
    """At most ``limit`` events per key in any ``window`` seconds (in this process)."""

    def __init__(self, limit: int = RATE_LIMIT, window: float = RATE_WINDOW_SECONDS) -> None:
        self.limit = limit
        self.window = window
        self._seen: dict[str, deque[float]] = {}

    def retry_after(self, key: str, now: float | None = None) -> float:
        """0 when the event is allowed (and counted), else the seconds until it would be."""
        now = time.monotonic() if now is None else now
        times = self._seen.setdefault(key, deque())
        while times and now - times[0] >= self.window:
            times.popleft()
        if len(times) >= self.limit:
            return self.window - (now - times[0])
        times.append(now)
        if len(self._seen) > 10_000:  # forget idle senders so the table cannot grow without end
            for stale in [k for k, v in self._seen.items() if not v or now - v[-1] >= self.window]:
                del self._seen[stale]
        return 0.0
