"""The web chat: one Rasa input channel serving both the page and its socket.

``rasa run`` with this channel in the credentials file serves the page at
``/webchat/`` and the Socket.IO endpoint at ``/socket.io`` on the same port, so
the whole chat works offline from one process and one origin (which is also
what lets the page's Content-Security-Policy stay at ``'self'``).

It reuses Rasa's socket.io channel and keeps its name, ``socketio``, because
the dialogue shapes custom payloads by input channel name. It differs from the
stock channel where the stock one is unsafe or awkward for this assistant:

* one event per bot message (see :mod:`bot.channels.web_messages`), with the
  emergency level attached;
* session ids are only accepted in the form the server issues (32 hex
  characters), so a client cannot join a guessable conversation such as "1";
* ``enter_room`` is awaited when python-socketio makes it a coroutine, so
  session persistence keeps working on either side of that change;
* the doctor summary is shown through :func:`printable_summary`, a document
  served with its own sandboxing policy, never inserted into the chat page.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import mimetypes
import os
import re
import uuid
from pathlib import Path
from typing import Any, Awaitable, Callable, Mapping

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

from bot import wording
from bot.channels.limits import (
    MAX_MESSAGE_CHARS,
    MAX_METADATA_BYTES,
    RateLimiter,
    clean_text,
    metadata_size,
)
from bot.channels.turns import run_turn
from bot.channels.web_messages import web_message
from bot.channels.whole_messages import WholeMessageOutput
from bot.services import fill
from bot.summary import PRINT_SCRIPT_HASH

logger = logging.getLogger(__name__)

WEB_DIR = Path(__file__).resolve().parents[2] / "web"
URL_PREFIX = "/webchat"
SESSION_ID = re.compile(r"^[0-9a-f]{32}$")
MAX_SUMMARY_BYTES = 512 * 1024
HEALTH_TIMEOUT_S = 2.0
# The page sends short messages; nothing it sends comes near this.
MAX_SOCKET_BYTES = 64 * 1024

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"
)
# The summary is the server's own HTML, but it quotes the person's words: it gets
# no scripts, no network and a unique origin, and may only be looked at and printed.
# The summary page keeps a unique origin (sandbox without allow-same-origin); the one script
# it may run is the Print button's, named by its hash.
SUMMARY_POLICY = (
    "sandbox allow-modals allow-scripts; default-src 'none'; "
    f"script-src '{PRINT_SCRIPT_HASH}'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-cache",
}


class WebChatOutput(WholeMessageOutput, SocketIOOutput):
    """Sends each bot message to the page as a single ``bot_uttered`` event."""

    sent = 0  # events sent through this output (one output per turn)

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        event = web_message(message)
        if event is not None:
            self.sent += 1
            await self._send_message(recipient_id, event)


def too_fast(wait: float) -> str:
    return wording.text("too_fast", seconds=max(1, round(wait)))


def valid_session_id(value: Any) -> str | None:
    return value if isinstance(value, str) and SESSION_ID.match(value) else None


def static_file(web_dir: Path, name: str) -> Path | None:
    """The file ``name`` inside ``web_dir``; ``None`` for anything outside it or hidden."""
    if not name or any(part.startswith(".") for part in Path(name).parts):
        return None
    root = web_dir.resolve()
    path = (root / name).resolve()
    if root not in path.parents or not path.is_file():
        return None
    return path


def printable_summary(html: str) -> HTTPResponse:
    """The doctor summary as a document of its own, sandboxed by its response headers."""
    headers = dict(COMMON_HEADERS, **{"Content-Security-Policy": SUMMARY_POLICY})
    return response.html(html, headers=headers)


def same_origin(request: Request) -> bool:
    """Whether a browser says the request comes from this site's own page.

    Browsers send ``Sec-Fetch-Site`` on every request; its absence means a
    non-browser client, which gains nothing from the echo of its own HTML.
    """
    site = request.headers.get("sec-fetch-site")
    return site in (None, "same-origin", "none")


def allowed_origins(env: Mapping[str, str] | None = None) -> list[str] | None:
    """Origins allowed to open a Socket.IO conversation; None means this server's own only."""
    env = os.environ if env is None else env
    raw = (env.get("B12_CORS_ORIGINS") or "").replace(",", " ").split()
    return raw or None


def _also_allow(sio: AsyncServer, extra: list[str] | None) -> None:
    """Accept ``extra`` origins on top of Engine.IO's same-origin default.

    Engine.IO's own list replaces the default, which would lock out the
    assistant's own page as soon as another site is allowed.
    """
    if not extra:
        return
    eio = sio.eio
    same_origin = type(eio)._cors_allowed_origins

    def allowed(environ: dict[str, Any]) -> list[str]:
        return list(same_origin(eio, environ) or []) + list(extra)

    eio._cors_allowed_origins = allowed  # type: ignore[method-assign]


class WebChatInput(SocketIOInput):
    """Socket.IO with session persistence, plus the chat page at ``/webchat/``."""

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        credentials = credentials or {}
        channel = cls(
            credentials.get("user_message_evt", "user_uttered"),
            credentials.get("bot_message_evt", "bot_uttered"),
            credentials.get("namespace"),
            # Without persistence a page reload would start a new conversation.
            credentials.get("session_persistence", True),
            credentials.get("socketio_path", "/socket.io"),
            credentials.get("jwt_key"),
            credentials.get("jwt_method", "HS256"),
            credentials.get("metadata_key", "metadata"),
        )
        if credentials.get("web_dir"):
            channel.web_dir = Path(credentials["web_dir"])
        return channel

    web_dir: Path = WEB_DIR
    limiter: RateLimiter

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.limiter = RateLimiter()

    @classmethod
    def url_prefix(cls) -> str:
        # Absolute, so Rasa's "/webhooks/" route prefix does not apply to the page.
        return URL_PREFIX

    def get_output_channel(self) -> OutputChannel | None:
        if self.sio is None:
            return super().get_output_channel()
        return WebChatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        # Rasa's own Socket.IO channel passes [], which turns the origin check off and
        # lets any web page open a conversation. None keeps Engine.IO's same-origin
        # check; B12_CORS_ORIGINS adds the pages allowed to embed the chat elsewhere.
        sio = AsyncServer(
            async_mode="sanic", cors_allowed_origins=None, max_http_buffer_size=MAX_SOCKET_BYTES
        )
        _also_allow(sio, allowed_origins())
        self.sio = sio
        bp = SocketBlueprint(sio, self.socketio_path, "webchat", __name__)
        self._add_page_routes(bp)
        self._add_socket_handlers(sio, on_new_message)
        return bp

    def _add_page_routes(self, bp: Blueprint) -> None:
        web_dir = self.web_dir

        def serve(name: str) -> HTTPResponse:
            path = static_file(web_dir, name)
            if path is None:
                return response.text("Not found", status=404, headers=COMMON_HEADERS)
            headers = dict(COMMON_HEADERS)
            if path.suffix == ".html":
                headers["Content-Security-Policy"] = PAGE_POLICY
                headers["X-Frame-Options"] = "DENY"
            mime = "text/javascript" if path.suffix in (".js", ".mjs") else None
            mime = mime or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
            if mime.startswith("text/"):
                mime += "; charset=utf-8"
            body = path.read_bytes()
            if path.suffix == ".html":
                # The page names its phone numbers by placeholder, like every other text.
                body = fill(body.decode("utf-8")).encode("utf-8")
            return response.raw(body, content_type=mime, headers=headers)

        @bp.route("/", methods=["GET"])
        async def page(request: Request) -> HTTPResponse:
            # The page's relative links need the trailing slash.
            if not request.path.endswith("/"):
                return response.redirect(f"{request.path}/", headers=COMMON_HEADERS)
            return serve("index.html")

        @bp.route("/health", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            # The storage checks open their own connections in a thread, so a stalled
            # database shows here as "down" within seconds instead of hanging the check.
            from bot.storage.config import storage_health

            agent = getattr(request.app.ctx, "agent", None)
            model = "ok" if agent is not None and agent.is_ready() else "not loaded"
            report = await asyncio.to_thread(storage_health, HEALTH_TIMEOUT_S)
            report = {"model": model, **report}
            ok = all(state in ("ok", "off") for state in report.values())
            return response.json(
                {"status": "ok" if ok else "unavailable", **report}, status=200 if ok else 503
            )

        @bp.route("/summary", methods=["POST"])
        async def summary(request: Request) -> HTTPResponse:
            if not same_origin(request):
                return response.text("Forbidden", status=403, headers=COMMON_HEADERS)
            if len(request.body or b"") > MAX_SUMMARY_BYTES:
                return response.text("Too large", status=413, headers=COMMON_HEADERS)
            html = request.form.get("html") if request.form else None
            if not html:
                return response.text("No summary", status=400, headers=COMMON_HEADERS)
            return printable_summary(html)

        @bp.route("/<name:path>", methods=["GET"])
        async def asset(_: Request, name: str) -> HTTPResponse:
            return serve(name or "index.html")

    def _add_socket_handlers(
        self, sio: AsyncServer, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> None:
        @sio.on("connect", namespace=self.namespace)
        async def connect(sid: str, environ: dict, auth: dict | None) -> bool:
            if not self.jwt_key:
                return True
            token = (auth or {}).get("token")
            from rasa.core.channels.channel import decode_bearer_token

            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=self.namespace)
        async def session_request(sid: str, data: dict | None) -> None:
            asked = data.get("session_id") if isinstance(data, dict) else None
            session_id = valid_session_id(asked) or uuid.uuid4().hex
            if self.session_persistence:
                entered = sio.enter_room(sid, session_id, namespace=self.namespace)
                if inspect.isawaitable(entered):
                    await entered
            await sio.emit("session_confirm", session_id, room=sid, namespace=self.namespace)

        @sio.on(self.user_message_evt, namespace=self.namespace)
        async def handle_message(sid: str, data: Any) -> None:
            if not isinstance(data, dict) or not isinstance(data.get("message"), str):
                return
            if self.session_persistence:
                sender_id = valid_session_id(data.get("session_id"))
                if sender_id is None:
                    logger.warning("Ignoring a web chat message without a valid session id")
                    return
            else:
                sender_id = sid
            metadata = data.get(self.metadata_key) or {}
            if isinstance(metadata, str) and len(metadata) <= MAX_METADATA_BYTES:
                try:
                    metadata = json.loads(metadata)
                except (ValueError, RecursionError):
                    metadata = {}
            size = metadata_size(metadata) if isinstance(metadata, dict) else None
            if size is None or size > MAX_METADATA_BYTES:
                metadata = {}
            output = WebChatOutput(sio, self.bot_message_evt)
            wait = self.limiter.retry_after(sender_id)
            if wait:
                await output.send_response(sender_id, {"text": too_fast(wait)})
                return
            text = clean_text(data["message"][:MAX_MESSAGE_CHARS])
            failed = await run_turn(
                on_new_message,
                UserMessage(
                    text, output, sender_id, input_channel=self.name(), metadata=metadata
                ),
                said=lambda: output.sent,
            )
            if failed is not None:
                await output.send_response(sender_id, failed)
