"""Each messaging platform's real webhook format in, the platform API call out.

The agent is real (see conftest); only the call to the platform's API is
captured, so these tests need no network and no accounts.
"""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
import time
from typing import Any
from urllib.parse import urlencode

import pytest

from bot.rasa_adapters.platforms import (
    FacebookChannel,
    SlackChannel,
    TelegramChannel,
    TwilioChannel,
)


async def settle(channel: Any = None) -> None:
    """Let background work (Slack handles messages in a task) finish."""
    tasks = list(getattr(channel, "_background_tasks", ()))
    if tasks:
        await asyncio.gather(*tasks)
    await asyncio.sleep(0)


# --------------------------------------------------------------------------- Telegram


@pytest.fixture
def telegram(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list]:
    from aiogram.types import User
    from rasa.core.channels.telegram import TelegramOutput

    sent: list[tuple[Any, str, Any]] = []

    async def set_webhook(self: Any, url: str, *a: Any, **k: Any) -> bool:
        return True

    async def get_me(self: Any) -> User:
        return User(id=1, is_bot=True, first_name="B12", username="b12_check_bot")

    async def send_message(self: Any, chat_id: Any, text: str, **kwargs: Any) -> None:
        sent.append((chat_id, text, kwargs.get("reply_markup")))

    monkeypatch.setattr(TelegramOutput, "set_webhook", set_webhook)
    monkeypatch.setattr(TelegramOutput, "get_me", get_me)
    monkeypatch.setattr(TelegramOutput, "send_message", send_message)
    channel = TelegramChannel.from_credentials(
        {
            "access_token": "123456:TEST-token",
            "verify": "b12_check_bot",
            "webhook_url": "https://example.org/webhooks/telegram/webhook",
        }
    )
    return make_app(channel), sent


def telegram_text(text: str, update_id: int = 1) -> dict:
    chat = {"id": 4242, "type": "private", "first_name": "Sam"}
    return {
        "update_id": update_id,
        "message": {
            "message_id": update_id,
            "date": int(time.time()),
            "chat": chat,
            "from": {"id": 4242, "is_bot": False, "first_name": "Sam"},
            "text": text,
        },
    }


@pytest.mark.asyncio
async def test_telegram_question_comes_with_an_inline_keyboard(telegram) -> None:
    app, sent = telegram
    _, res = await app.asgi_client.post(
        "/webhooks/telegram/webhook", content=json.dumps(telegram_text("question"))
    )
    assert res.status == 200
    ((chat_id, text, markup),) = sent
    assert str(chat_id) == "4242" and text == "Do you often feel tired?"
    buttons = [b for row in markup.inline_keyboard for b in row]
    assert [(b.text, b.callback_data) for b in buttons] == [
        ("Yes", "/affirm"),
        ("No", "/deny"),
        ("Not sure", "/unsure"),
    ]

    sent.clear()
    press = {
        "update_id": 2,
        "callback_query": {
            "id": "77",
            "chat_instance": "1",
            "from": {"id": 4242, "is_bot": False, "first_name": "Sam"},
            "data": "/affirm",
            "message": telegram_text("Do you often feel tired?", 2)["message"],
        },
    }
    await app.asgi_client.post("/webhooks/telegram/webhook", content=json.dumps(press))
    assert [t for _, t, _ in sent] == ["Thanks, noted."]


@pytest.mark.asyncio
async def test_telegram_chat_id_is_stored_only_as_a_keyed_hash(
    telegram, echo_agent, id_key
) -> None:
    from bot.channels.identity import pseudonym

    app, sent = telegram
    await app.asgi_client.post(
        "/webhooks/telegram/webhook", content=json.dumps(telegram_text("question"))
    )
    assert [str(chat) for chat, _, _ in sent] == ["4242"], "replies go to the real chat"
    keys = {str(k) for k in await echo_agent.tracker_store.keys()}
    assert "4242" not in keys
    assert pseudonym("telegram", "4242", id_key) in keys
    assert pseudonym("telegram", "4242", b"another-key" * 4) not in keys


def test_a_platform_does_not_start_without_the_id_key(monkeypatch, make_app) -> None:
    from rasa.shared.exceptions import RasaException

    monkeypatch.delenv("B12_ID_KEY")
    channel = SlackChannel.from_credentials(
        {"slack_token": "xoxb-test", "slack_signing_secret": "secret"}
    )
    with pytest.raises(RasaException, match="B12_ID_KEY"):
        make_app(channel)


@pytest.mark.asyncio
async def test_telegram_assessment_is_plain_text_without_the_payload(telegram) -> None:
    app, sent = telegram
    await app.asgi_client.post(
        "/webhooks/telegram/webhook", content=json.dumps(telegram_text("assessment"))
    )
    texts = [t for _, t, _ in sent]
    assert texts == [
        "A B12 shortage looks fairly likely. Book a GP appointment.",
        "Tests to ask about: full blood count, B12 level, folate.",
    ]
    assert not any("b12_assessment" in t for t in texts)


# --------------------------------------------------------------------------- Slack

SLACK_SECRET = "slack-signing-secret"


@pytest.fixture
def slack(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, Any, list]:
    from slack_sdk.web.async_client import AsyncWebClient

    posted: list[dict] = []

    async def chat_post_message(self: Any, **kwargs: Any) -> dict:
        posted.append(kwargs)
        return {"ok": True}

    monkeypatch.setattr(AsyncWebClient, "chat_postMessage", chat_post_message)
    channel = SlackChannel.from_credentials(
        {"slack_token": "xoxb-test", "slack_signing_secret": SLACK_SECRET}
    )
    return make_app(channel), channel, posted


def slack_headers(body: str, content_type: str, secret: str = SLACK_SECRET) -> dict:
    ts = str(int(time.time()))
    digest = hmac.new(secret.encode(), f"v0:{ts}:{body}".encode(), hashlib.sha256).hexdigest()
    return {
        "Content-Type": content_type,
        "X-Slack-Request-Timestamp": ts,
        "X-Slack-Signature": f"v0={digest}",
    }


def slack_event(text: str) -> str:
    return json.dumps(
        {
            "token": "t",
            "team_id": "T1",
            "type": "event_callback",
            "event": {
                "type": "message",
                "channel_type": "im",
                "user": "U42",
                "text": text,
                "ts": "1700000000.000100",
                "channel": "D42",
            },
            "authorizations": [{"user_id": "UBOT"}],
        }
    )


@pytest.mark.asyncio
async def test_slack_question_comes_with_block_buttons(slack) -> None:
    app, channel, posted = slack
    body = slack_event("question")
    _, res = await app.asgi_client.post(
        "/webhooks/slack/webhook", content=body, headers=slack_headers(body, "application/json")
    )
    assert res.status == 200
    await settle(channel)
    (message,) = posted
    assert message["channel"] == "D42"
    actions = next(b for b in message["blocks"] if b["type"] == "actions")
    assert [(e["text"]["text"], e["value"]) for e in actions["elements"]] == [
        ("Yes", "/affirm"),
        ("No", "/deny"),
        ("Not sure", "/unsure"),
    ]

    posted.clear()
    click = {
        "type": "block_actions",
        "user": {"id": "U42"},
        "channel": {"id": "D42"},
        "message": {"ts": "1700000000.000200"},
        "actions": [{"type": "button", "value": "/deny", "text": {"text": "No"}}],
    }
    form = urlencode({"payload": json.dumps(click)})
    await app.asgi_client.post(
        "/webhooks/slack/webhook",
        content=form,
        headers=slack_headers(form, "application/x-www-form-urlencoded"),
    )
    await settle(channel)
    assert [m["text"] for m in posted] == ["Thanks, noted."]


@pytest.mark.asyncio
async def test_slack_rejects_unsigned_and_wrongly_signed_requests(slack) -> None:
    app, channel, posted = slack
    body = slack_event("question")
    _, unsigned = await app.asgi_client.post(
        "/webhooks/slack/webhook", content=body, headers={"Content-Type": "application/json"}
    )
    _, forged = await app.asgi_client.post(
        "/webhooks/slack/webhook",
        content=body,
        headers=slack_headers(body, "application/json", secret="guessed"),
    )
    await settle(channel)
    assert unsigned.status == 400 and forged.status == 400
    assert posted == []


# --------------------------------------------------------------------------- Messenger

FB_SECRET = "facebook-app-secret"


@pytest.fixture
def facebook(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list]:
    from fbmessenger import MessengerClient

    sent: list[dict] = []

    def send(self: Any, payload: dict, recipient_id: str, *a: Any, **k: Any) -> dict:
        sent.append({"to": recipient_id, **payload})
        return {}

    monkeypatch.setattr(MessengerClient, "send", send)
    monkeypatch.setattr(MessengerClient, "send_action", lambda *a, **k: {})
    channel = FacebookChannel.from_credentials(
        {"verify": "verify-me", "secret": FB_SECRET, "page-access-token": "page-token"}
    )
    return make_app(channel), sent


def messenger_event(message: dict) -> str:
    entry = {
        "sender": {"id": "PSID42"},
        "recipient": {"id": "PAGE1"},
        "timestamp": 1700000000000,
        **message,
    }
    return json.dumps(
        {"object": "page", "entry": [{"id": "PAGE1", "time": 1, "messaging": [entry]}]}
    )


def hub_signature(body: str, secret: str = FB_SECRET) -> dict:
    digest = hmac.new(secret.encode(), body.encode(), hashlib.sha1).hexdigest()
    return {"Content-Type": "application/json", "X-Hub-Signature": f"sha1={digest}"}


@pytest.mark.asyncio
async def test_messenger_question_comes_with_postback_buttons(facebook) -> None:
    app, sent = facebook
    body = messenger_event({"message": {"mid": "m1", "text": "question"}})
    await app.asgi_client.post(
        "/webhooks/facebook/webhook", content=body, headers=hub_signature(body)
    )
    (message,) = sent
    template = message["attachment"]["payload"]
    assert message["to"] == "PSID42"
    assert template["text"] == "Do you often feel tired?"
    assert [(b["title"], b["payload"], b["type"]) for b in template["buttons"]] == [
        ("Yes", "/affirm", "postback"),
        ("No", "/deny", "postback"),
        ("Not sure", "/unsure", "postback"),
    ]

    sent.clear()
    body = messenger_event({"postback": {"title": "Not sure", "payload": "/unsure"}})
    await app.asgi_client.post(
        "/webhooks/facebook/webhook", content=body, headers=hub_signature(body)
    )
    assert [m["text"] for m in sent] == ["Thanks, noted."]


@pytest.mark.asyncio
async def test_messenger_emergency_arrives_as_text_and_forgeries_do_not(facebook) -> None:
    app, sent = facebook
    body = messenger_event({"message": {"mid": "m2", "text": "chest pain"}})
    _, forged = await app.asgi_client.post(
        "/webhooks/facebook/webhook", content=body, headers=hub_signature(body, "guessed")
    )
    assert forged.text == "not validated" and sent == []
    await app.asgi_client.post(
        "/webhooks/facebook/webhook", content=body, headers=hub_signature(body)
    )
    assert [m["text"] for m in sent] == [
        "Chest pain needs checking straight away. Call 999 (UK), 112 (EU) or 911 (US), "
        "or go to A&E now."
    ]


# --------------------------------------------------------------------------- Twilio

TWILIO_TOKEN = "twilio-auth-token"
TWILIO_URL = "https://example.org/webhooks/twilio/webhook"


@pytest.fixture
def twilio(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> tuple[Any, list]:
    from twilio.rest.api.v2010.account.message import MessageList

    sent: list[dict] = []

    def create(self: Any, **kwargs: Any) -> dict:
        sent.append(kwargs)
        return kwargs

    monkeypatch.setattr(MessageList, "create", create)
    channel = TwilioChannel.from_credentials(
        {
            "account_sid": "AC" + "0" * 32,
            "auth_token": TWILIO_TOKEN,
            "twilio_number": "+15550000001",
            "webhook_url": TWILIO_URL,
        }
    )
    return make_app(channel), sent


def twilio_post(body: str, token: str = TWILIO_TOKEN) -> tuple[str, dict]:
    params = {
        "MessageSid": "SM1",
        "AccountSid": "AC" + "0" * 32,
        "From": "+447700900123",
        "To": "+15550000001",
        "Body": body,
    }
    payload = TWILIO_URL + "".join(k + params[k] for k in sorted(params))
    digest = hmac.new(token.encode(), payload.encode(), hashlib.sha1).digest()
    headers = {
        "Content-Type": "application/x-www-form-urlencoded",
        "X-Twilio-Signature": base64.b64encode(digest).decode(),
    }
    return urlencode(params), headers


@pytest.mark.asyncio
async def test_sms_question_is_one_message_with_the_choices_in_words(twilio) -> None:
    app, sent = twilio
    form, headers = twilio_post("question")
    _, res = await app.asgi_client.post("/webhooks/twilio/webhook", content=form, headers=headers)
    assert res.status == 204
    assert sent == [
        {
            "to": "+447700900123",
            "from_": "+15550000001",
            "body": "Do you often feel tired?\n(Reply Yes, No or Not sure)",
        }
    ]


@pytest.mark.asyncio
async def test_sms_assessment_is_text_only(twilio) -> None:
    app, sent = twilio
    form, headers = twilio_post("assessment")
    await app.asgi_client.post("/webhooks/twilio/webhook", content=form, headers=headers)
    bodies = [m["body"] for m in sent]
    assert bodies[0].startswith("A B12 shortage looks fairly likely")
    assert not any("{" in b for b in bodies)


@pytest.mark.asyncio
async def test_twilio_requests_without_a_valid_signature_are_refused(twilio) -> None:
    app, sent = twilio
    form, headers = twilio_post("question", token="guessed")
    _, forged = await app.asgi_client.post(
        "/webhooks/twilio/webhook", content=form, headers=headers
    )
    _, unsigned = await app.asgi_client.post(
        "/webhooks/twilio/webhook",
        content=form,
        headers={"Content-Type": "application/x-www-form-urlencoded"},
    )
    assert forged.status == 403 and unsigned.status == 403
    assert sent == []
