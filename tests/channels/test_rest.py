"""The REST channel, driven through Rasa's real message handling with hostile requests."""

from __future__ import annotations

import json
from typing import Any

import pytest

from bot.channels.identity import pseudonym
from bot.channels.limits import MAX_MESSAGE_CHARS, RATE_LIMIT, RateLimiter, clean_text
from bot.rasa_adapters.rest import BadRequest, TokenRestInput, parse_body

TOKEN = "rest-token-for-the-channel-tests"
URL = "/webhooks/rest/webhook"


@pytest.fixture
def rest(make_app: Any, monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("B12_REST_TOKEN", TOKEN)
    return make_app(TokenRestInput.from_credentials(None))


def headers(token: str = TOKEN, kind: str = "application/json") -> dict[str, str]:
    return {"Authorization": f"Bearer {token}", "Content-Type": kind}


async def post(app: Any, body: Any, **kwargs: Any) -> Any:
    content = body if isinstance(body, (str, bytes)) else json.dumps(body)
    _, res = await app.asgi_client.post(URL, content=content, headers=headers(**kwargs))
    return res


@pytest.mark.asyncio
async def test_a_message_with_the_token_is_answered_and_stored_under_a_keyed_hash(
    rest, echo_agent, id_key
) -> None:
    res = await post(rest, {"sender": "alice", "message": "hello"})
    assert res.status == 200
    assert [m["text"] for m in res.json][0].startswith("Hello")
    assert all(m["recipient_id"] == "alice" for m in res.json)
    keys = {str(k) for k in await echo_agent.tracker_store.keys()}
    assert pseudonym("rest", "alice", id_key) in keys
    assert "alice" not in keys


@pytest.mark.asyncio
async def test_no_rest_caller_reaches_a_web_chat_or_platform_conversation(
    rest, echo_agent, id_key
) -> None:
    """Naming another channel's stored id as the sender lands in a different conversation."""
    import secrets

    from rasa.shared.core.events import UserUttered

    web_id = secrets.token_hex(16)
    telegram_id = pseudonym("telegram", secrets.token_hex(4), id_key)
    for victim in (web_id, telegram_id):
        tracker = await echo_agent.tracker_store.get_or_create_tracker(victim)
        tracker.update(UserUttered("my private words"))
        await echo_agent.tracker_store.save(tracker)
        res = await post(rest, {"sender": victim, "message": "summary"})
        assert res.status == 200
        assert "my private words" not in json.dumps(res.json)
        kept = await echo_agent.tracker_store.retrieve(victim)
        assert [e.text for e in kept.events if isinstance(e, UserUttered)] == ["my private words"]


@pytest.mark.asyncio
async def test_without_the_right_token_nothing_is_processed(rest, echo_agent) -> None:
    before = set(await echo_agent.tracker_store.keys())
    body = json.dumps({"sender": "mallory", "message": "summary for my doctor"})
    _, res = await rest.asgi_client.post(URL, content=body, headers={
        "Content-Type": "application/json"})
    assert res.status == 401 and res.headers.get("www-authenticate") == "Bearer"
    res = await post(rest, body, token="wrong-token-wrong-token")
    assert res.status == 401
    assert set(await echo_agent.tracker_store.keys()) == before


@pytest.mark.asyncio
async def test_without_a_configured_token_the_channel_refuses_everything(
    make_app, monkeypatch
) -> None:
    monkeypatch.delenv("B12_REST_TOKEN", raising=False)
    app = make_app(TokenRestInput.from_credentials(None))
    res = await post(app, {"sender": "a", "message": "hello"}, token="")
    assert res.status == 403
    assert "B12_REST_TOKEN" in res.json["error"]


@pytest.mark.asyncio
async def test_a_cross_site_form_post_is_refused(rest) -> None:
    res = await post(rest, '{"sender": "a", "message": "delete my data"}', kind="text/plain")
    assert res.status == 415


@pytest.mark.asyncio
@pytest.mark.parametrize(
    ("body", "status", "words"),
    [
        ("", 400, "JSON object"),
        ("not json", 400, "not valid JSON"),
        ("[1, 2]", 400, "JSON object"),
        ('"hello"', 400, "JSON object"),
        ("null", 400, "JSON object"),
        ({"message": "hi"}, 400, "sender"),
        ({"sender": "", "message": "hi"}, 400, "sender"),
        ({"sender": 12, "message": "hi"}, 400, "sender"),
        ({"sender": "a b", "message": "hi"}, 400, "sender"),
        ({"sender": "x" * 129, "message": "hi"}, 400, "sender"),
        ('{"sender": "x\\udfff", "message": "hi"}', 400, "sender"),
        ({"sender": "a", "message": None}, 400, "message"),
        ({"sender": "a", "message": ["hi"]}, 400, "message"),
        ({"sender": "a", "message": {"text": "hi"}}, 400, "message"),
        ({"sender": "a"}, 400, "message"),
        ({"sender": "a", "message": "x" * (MAX_MESSAGE_CHARS + 1)}, 413, "longer"),
        ({"sender": "a", "message": "hi", "metadata": [1]}, 400, "metadata"),
        ({"sender": "a", "message": "hi", "metadata": {"k": "v" * 5000}}, 413, "metadata"),
        ("[" * 100_000 + "]" * 100_000, 413, "larger"),
        ('{"a":' * 20_000 + "1" + "}" * 20_000, 413, "larger"),
        ('{"a":' * 5_000 + "1" + "}" * 5_000, 400, ""),
    ],
)
async def test_malformed_requests_get_a_clear_4xx(rest, body, status, words) -> None:
    res = await post(rest, body)
    assert res.status == status, res.body
    assert words in res.json["error"]


@pytest.mark.asyncio
async def test_a_lone_surrogate_in_the_message_is_read_not_fatal(rest) -> None:
    res = await post(rest, '{"sender": "s1", "message": "hello \\udfff"}')
    assert res.status == 200 and res.json


@pytest.mark.asyncio
async def test_one_sender_is_rate_limited_with_retry_after(rest) -> None:
    for _ in range(RATE_LIMIT):
        assert (await post(rest, {"sender": "busy", "message": "hello"})).status == 200
    res = await post(rest, {"sender": "busy", "message": "hello"})
    assert res.status == 429 and int(res.headers["retry-after"]) >= 1
    assert (await post(rest, {"sender": "calm", "message": "hello"})).status == 200


def test_rate_limiter_window_slides() -> None:
    limiter = RateLimiter(limit=2, window=10)
    assert limiter.retry_after("a", now=0) == 0
    assert limiter.retry_after("a", now=1) == 0
    assert limiter.retry_after("a", now=2) == pytest.approx(8)
    assert limiter.retry_after("a", now=10.5) == 0


def test_clean_text_keeps_words_and_drops_what_cannot_be_stored() -> None:
    assert clean_text("tired \udfff\x00 all day 🙂\n") == "tired \ufffd  all day 🙂\n"
    json.dumps(clean_text("\ud800")).encode("utf-8")


def test_parse_body_returns_the_cleaned_message() -> None:
    assert parse_body(b'{"sender": "a", "message": "hi\\u0000"}') == ("a", "hi ", {})
    with pytest.raises(BadRequest):
        parse_body(b'{"sender": "a", "message": "hi", "metadata": "x"}')


@pytest.mark.asyncio
async def test_a_turn_that_says_nothing_gets_503_and_words_not_an_empty_list(
    make_app, monkeypatch
) -> None:
    from rasa.core.agent import Agent

    monkeypatch.setenv("B12_REST_TOKEN", TOKEN)
    app = make_app(TokenRestInput.from_credentials(None))
    app.ctx.agent = Agent()  # what Rasa runs with when its model failed to load
    res = await post(app, {"sender": "a", "message": "hello"})
    assert res.status == 503
    assert "couldn't answer" in res.json[0]["text"]
