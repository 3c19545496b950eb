"""The REST channel for integrations: a bearer token, checked input, private conversations.

Rasa's stock ``rest`` channel is open to anyone who can reach the port, lets the
caller choose any conversation id (a Telegram chat id, a WhatsApp number) and
so read or change that person's conversation, takes any JSON it is sent, and
stores a sender that cannot be encoded, which ends the server process. This
channel keeps its name and URL (``POST /webhooks/rest/webhook``, body
``{"sender": "...", "message": "..."}``, a JSON list of bot messages back) and
differs where that matters:

* it answers only requests with ``Authorization: Bearer <B12_REST_TOKEN>``;
  without that variable the channel refuses everything;
* the body must be a JSON object of known size, with a short printable
  ``sender``, a string ``message`` of at most :data:`MAX_MESSAGE_CHARS`
  characters and an optional small ``metadata`` object; anything else gets a
  400 or 413 saying what is wrong;
* each sender may send :data:`RATE_LIMIT` messages a minute (429 beyond);
* the sender is stored as a keyed hash within the REST namespace
  (:mod:`bot.channels.identity`), so no REST caller reaches a conversation of
  the web chat or a messaging platform;
* a turn that cannot be handled (database or Redis down) is answered with 503
  and a message saying so, never an empty list (:mod:`bot.channels.turns`);
* the person's words never go into the logs.
"""

from __future__ import annotations

import hmac
import json
import logging
import os
import re
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import CollectingOutputChannel, InputChannel, UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.channels.credentials import MIN_TOKEN_CHARS
from bot.channels.credentials import REST_TOKEN as TOKEN_VARIABLE
from bot.channels.identity import IdentityKeyError, id_key, pseudonym
from bot.channels.limits import (
    MAX_MESSAGE_CHARS,
    MAX_METADATA_BYTES,
    RateLimiter,
    clean_text,
    metadata_size,
)
from bot.channels.turns import run_turn

logger = logging.getLogger(__name__)

MAX_BODY_BYTES = 64 * 1024
MAX_SENDER_CHARS = 128
SENDER = re.compile(r"^[\x21-\x7e]{1,128}$")

Handler = Callable[[UserMessage], Awaitable[Any]]


class BadRequest(ValueError):
    """What is wrong with a request, in words the caller can act on, and its status."""

    def __init__(self, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.status = status


def parse_body(raw: bytes | None) -> tuple[str, str, dict[str, Any]]:
    """``(sender, message, metadata)`` from a request body, or :class:`BadRequest`."""
    if not raw:
        raise BadRequest('send a JSON object: {"sender": "...", "message": "..."}')
    if len(raw) > MAX_BODY_BYTES:
        raise BadRequest(f"the request body is larger than {MAX_BODY_BYTES} bytes", 413)
    try:
        body = json.loads(raw)
    except (ValueError, RecursionError):
        raise BadRequest("the request body is not valid JSON") from None
    if not isinstance(body, dict):
        raise BadRequest('the request body must be a JSON object: {"sender", "message"}')
    sender, message = body.get("sender"), body.get("message")
    if not isinstance(sender, str) or not SENDER.match(sender):
        raise BadRequest(
            f'"sender" must be a string of 1 to {MAX_SENDER_CHARS} visible ASCII characters'
        )
    if not isinstance(message, str):
        raise BadRequest('"message" must be a string')
    if len(message) > MAX_MESSAGE_CHARS:
        raise BadRequest(f'"message" is longer than {MAX_MESSAGE_CHARS} characters', 413)
    metadata = body.get("metadata")
    if metadata is None:
        metadata = {}
    if not isinstance(metadata, dict):
        raise BadRequest('"metadata" must be a JSON object')
    size = metadata_size(metadata)
    if size is None:
        raise BadRequest('"metadata" cannot be stored')
    if size > MAX_METADATA_BYTES:
        raise BadRequest(f'"metadata" is larger than {MAX_METADATA_BYTES} bytes', 413)
    return sender, clean_text(message), metadata


def error(message: str, status: int, **headers: str) -> HTTPResponse:
    return response.json({"error": message}, status=status, headers=headers or None)


class TokenRestInput(RestInput):
    """Rasa's REST channel behind a bearer token, with checked input and private ids."""

    def __init__(self, token: str | None, key: bytes | None) -> None:
        self.token = token
        self.key = key
        self.limiter = RateLimiter()

    @classmethod
    def name(cls) -> str:
        return "rest"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        token = (os.environ.get(TOKEN_VARIABLE) or "").strip()
        if not token:
            logger.info("The REST channel is off: set %s to turn it on", TOKEN_VARIABLE)
            return cls(None, None)
        if len(token) < MIN_TOKEN_CHARS:
            from rasa.shared.exceptions import RasaException

            raise RasaException(f"{TOKEN_VARIABLE} must be at least {MIN_TOKEN_CHARS} characters")
        try:
            key = id_key()
        except IdentityKeyError as problem:
            from rasa.shared.exceptions import RasaException

            raise RasaException(str(problem)) from None
        return cls(token, key)

    def authorised(self, request: Request) -> bool:
        if not self.token:
            return False
        given = request.headers.get("authorization", "")
        scheme, _, value = given.partition(" ")
        return scheme.lower() == "bearer" and hmac.compare_digest(
            value.strip().encode("utf-8", "surrogatepass"), self.token.encode("utf-8")
        )

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        bp = Blueprint("b12_rest", __name__)

        @bp.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok" if self.token else "off"})

        @bp.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            if not self.token:
                return error(f"the REST channel is off on this server ({TOKEN_VARIABLE})", 403)
            if not self.authorised(request):
                return error(
                    "send Authorization: Bearer <token>", 401, **{"WWW-Authenticate": "Bearer"}
                )
            kind = (request.headers.get("content-type") or "").split(";")[0].strip().lower()
            if kind != "application/json":
                return error("the request must be Content-Type: application/json", 415)
            try:
                sender, text, metadata = parse_body(request.body)
            except BadRequest as problem:
                return error(str(problem), problem.status)
            assert self.key is not None
            sender_id = pseudonym(self.name(), sender, self.key)
            wait = self.limiter.retry_after(sender_id)
            if wait:
                return error(
                    f"too many messages from this sender; try again in {wait:.0f} s",
                    429, **{"Retry-After": str(max(1, round(wait)))},
                )
            collector = CollectingOutputChannel()
            message = UserMessage(
                text, collector, sender_id, input_channel=self.name(), metadata=metadata
            )
            failed = await run_turn(
                on_new_message, message, said=lambda: len(collector.messages)
            )
            if failed is not None:
                return response.json([dict(failed, recipient_id=sender)], status=503)
            return response.json([dict(m, recipient_id=sender) for m in collector.messages])

        return bp
