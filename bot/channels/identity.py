"""Who a conversation belongs to, stored without the person's phone number or chat id.

A messaging platform names its users by something that identifies them outside
this assistant: a phone number (SMS, WhatsApp), a Telegram chat id, a Slack or
Messenger user id. Stored as is, that id would key a health conversation to a
real person in the database, and anyone who knew it could address that
conversation through another channel. So every id that comes from outside is
replaced, before Rasa sees it, by a keyed hash:

    <channel>-<first 40 hex digits of HMAC-SHA256(B12_ID_KEY, channel NUL id)>

The channel is part of both the prefix and the hash, so the same number on SMS
and on WhatsApp, or a REST caller's chosen "sender", never reaches another
channel's conversation. Without the key the stored ids cannot be linked back to
a person, not even by someone holding the database. Replies still reach the
person: the channel keeps the real id for the length of the turn only.

The web chat needs none of this: its ids are random and issued by the server.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from typing import Mapping

KEY_VARIABLE = "B12_ID_KEY"
MIN_KEY_CHARS = 32
DIGEST_HEX = 40


class IdentityKeyError(ValueError):
    """The pseudonymisation key is missing or too short; the message says how to set it."""


def id_key(env: Mapping[str, str] | None = None) -> bytes:
    """The server secret for pseudonyms, from ``B12_ID_KEY``."""
    env = os.environ if env is None else env
    raw = (env.get(KEY_VARIABLE) or "").strip()
    if len(raw) < MIN_KEY_CHARS:
        problem = "is not set" if not raw else f"is shorter than {MIN_KEY_CHARS} characters"
        raise IdentityKeyError(
            f"{KEY_VARIABLE} {problem}. Channels that receive ids from outside (REST and "
            f"the messaging platforms) store them as keyed hashes; set {KEY_VARIABLE} to a "
            "random secret, e.g. the output of `openssl rand -hex 32`, and keep it: a new "
            "key starts every such conversation afresh."
        )
    return raw.encode("utf-8")


def pseudonym(channel: str, raw_id: object, key: bytes) -> str:
    """The stored id for ``raw_id`` on ``channel``: stable for a key, unlinkable without it."""
    name = re.sub(r"[^a-z0-9_]", "_", channel.lower())[:32] or "channel"
    text = f"{name}\0{raw_id}".encode("utf-8", "surrogatepass")
    digest = hmac.new(key, text, hashlib.sha256).hexdigest()[:DIGEST_HEX]
    return f"{name}-{digest}"
