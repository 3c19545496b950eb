"""Rasa's messaging connectors, adapted so every platform gets readable messages.

Each class keeps its stock connector's name, so webhook URLs stay the ones in
Rasa's documentation (``/webhooks/<name>/webhook``). What changes:

* the person's platform id (phone number, chat id, user id) never reaches Rasa:
  the conversation is stored under a keyed hash of it
  (:mod:`bot.channels.identity`), and replies go to the real id, which the
  output channel holds for the length of the turn only;
* each bot message passes through
  :func:`bot.channels.plain_messages.platform_message` first (our payloads
  dropped, the text kept, buttons turned into what the platform can show);
* Twilio requests must carry a valid ``X-Twilio-Signature``, which the stock
  connector never checks.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any, Awaitable, Callable

from rasa.core.channels.channel import InputChannel, OutputChannel, UserMessage
from rasa.core.channels.facebook import FacebookInput
from rasa.core.channels.slack import SlackInput
from rasa.core.channels.telegram import TelegramInput, TelegramOutput
from rasa.core.channels.twilio import TwilioInput
from rasa.shared.exceptions import RasaException
from sanic import Blueprint, response
from sanic.request import Request

from bot.channels.identity import IdentityKeyError, id_key, pseudonym
from bot.channels.plain_messages import NATIVE, QUICK_REPLIES_OVER_3, TEXT, platform_message
from bot.channels.turns import run_turn
from bot.channels.whole_messages import WholeMessageOutput

logger = logging.getLogger(__name__)

Handler = Callable[[UserMessage], Awaitable[Any]]


class PlatformOutput(WholeMessageOutput, OutputChannel):
    """Wraps a connector's output channel and cleans each message before it is sent.

    ``recipient`` is the person's real platform id; Rasa only knows the pseudonym.
    """

    def __init__(
        self, inner: OutputChannel, buttons_mode: str = NATIVE, recipient: str | None = None
    ) -> None:
        self.inner = inner
        self.buttons_mode = buttons_mode
        self.recipient = recipient
        self.sent = 0

    def name(self) -> str:  # type: ignore[override]
        return self.inner.name()

    async def send_response(self, recipient_id: str, message: dict[str, Any]) -> None:
        cleaned = platform_message(message, self.buttons_mode)
        if cleaned is not None:
            self.sent += 1
            await self.inner.send_response(self.recipient or recipient_id, cleaned)


def platform_key() -> bytes:
    """The pseudonym key; a platform cannot start without it."""
    try:
        return id_key()
    except IdentityKeyError as problem:
        raise RasaException(str(problem)) from None


def private(on_new_message: Handler, buttons_mode: str, channel: str, key: bytes) -> Handler:
    """``on_new_message`` for a platform: a pseudonymous sender, a cleaning output channel."""

    async def handle(message: UserMessage) -> Any:
        real_id = str(message.sender_id)
        output = message.output_channel
        inner = output.inner if isinstance(output, PlatformOutput) else output
        if inner is not None:
            message.output_channel = PlatformOutput(inner, buttons_mode, recipient=real_id)
        message.sender_id = pseudonym(channel, real_id, key)
        out = message.output_channel
        failed = await run_turn(
            on_new_message, message,
            said=(lambda: out.sent) if isinstance(out, PlatformOutput) else None,
        )
        if failed is not None and message.output_channel is not None:
            # Platforms show words only: the alert payload stays with the web chat and REST.
            await message.output_channel.send_response(real_id, {"text": failed["text"]})

    return handle


class TelegramBotOutput(TelegramOutput):
    """Rasa's Telegram output, talking to ``api_url`` when one is given.

    Telegram lets a bot use a self-hosted Bot API server instead of
    api.telegram.org (``TELEGRAM_API_URL``); the tests use it to run the channel
    against a local server.
    """

    def __init__(self, access_token: str | None, api_url: str | None = None) -> None:
        if api_url:
            from aiogram.bot.api import TelegramAPIServer

            super(TelegramOutput, self).__init__(
                access_token, server=TelegramAPIServer.from_base(api_url)
            )
        else:
            super().__init__(access_token)


class TelegramChannel(TelegramInput):
    """Telegram: buttons become an inline keyboard (stock behaviour), payloads become text.

    The webhook is registered once, when the server starts. Rasa's connector
    registers it in ``get_output_channel`` on a throwaway event loop and keeps
    that loop's HTTP session, which then fails inside the server's loop.
    """

    api_url: str | None = None

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.api_url = (credentials or {}).get("api_url") or None
        return channel

    def get_output_channel(self) -> TelegramOutput:
        return TelegramBotOutput(self.access_token, self.api_url)

    def register_webhook(self) -> None:
        """Tells Telegram where to send updates; a failure stops the start-up, saying why."""
        from aiogram.utils.exceptions import TelegramAPIError

        async def register() -> None:
            bot = self.get_output_channel()
            try:
                await bot.set_webhook(url=self.webhook_url)
            finally:
                await bot.session.close()

        try:
            asyncio.run(register())
        except TelegramAPIError as error:
            raise RasaException(f"Failed to set the Telegram webhook: {error}") from error

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        key = platform_key()
        self.register_webhook()
        return super().blueprint(private(on_new_message, NATIVE, self.name(), key))


class SlackChannel(SlackInput):
    """Slack: buttons become Block Kit buttons (stock behaviour), payloads become text."""

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(private(on_new_message, NATIVE, self.name(), platform_key()))


class FacebookChannel(FacebookInput):
    """Messenger: up to 3 buttons as postback buttons, more as quick replies.

    The stock connector drops every button when there are more than three.
    """

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        return super().blueprint(
            private(on_new_message, QUICK_REPLIES_OVER_3, self.name(), platform_key())
        )


class TwilioChannel(TwilioInput):
    """SMS and WhatsApp through Twilio: one message per reply, checked signatures.

    SMS has no buttons, so the choices are written into the message ("Reply
    Yes, No or Not sure"); the language understanding reads those words like
    any other answer.
    """

    webhook_url: str | None = None

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> InputChannel:
        channel = super().from_credentials(credentials)
        channel.webhook_url = (credentials or {}).get("webhook_url")
        return channel

    def get_output_channel(self) -> OutputChannel:
        return PlatformOutput(super().get_output_channel(), TEXT)

    def signature_ok(self, request: Request) -> bool:
        """Whether the request is signed with this account's auth token.

        Twilio signs the exact public URL it called; behind a proxy that is not
        the URL this server sees, so ``webhook_url`` can name it.
        """
        from twilio.request_validator import RequestValidator

        signature = request.headers.get("X-Twilio-Signature", "")
        if not signature or not self.auth_token:
            return False
        params = {key: values[0] for key, values in (request.form or {}).items()}
        url = self.webhook_url or request.url
        return RequestValidator(self.auth_token).validate(url, params, signature)

    def blueprint(self, on_new_message: Handler) -> Blueprint:
        bp = super().blueprint(private(on_new_message, TEXT, self.name(), platform_key()))

        @bp.middleware("request")
        async def verify(request: Request) -> Any:
            is_webhook = request.method == "POST" and request.path.rstrip("/").endswith("/webhook")
            if is_webhook and not self.signature_ok(request):
                logger.warning("Rejected a Twilio request without a valid signature")
                return response.text("invalid signature", status=403)
            return None

        return bp
