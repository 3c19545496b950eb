"""The web chat channel: the page it serves and the events it sends, with a real agent."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

from bot.rasa_adapters.webchat import WebChatInput
from bot.summary import PRINT_SCRIPT_HASH

ROOT = Path(__file__).resolve().parents[2]
SESSION = "0123456789abcdef0123456789abcdef"


@pytest.fixture
def webchat(make_app: Any) -> tuple[Any, WebChatInput]:
    channel = WebChatInput.from_credentials({"session_persistence": True})
    return make_app(channel), channel


@pytest.mark.asyncio
async def test_page_is_served_with_a_strict_policy_and_only_local_assets(webchat) -> None:
    app, _ = webchat
    _, page = await app.asgi_client.get("/webchat/")
    assert page.status == 200
    policy = page.headers["content-security-policy"]
    assert "unsafe-inline" not in policy and "script-src 'self'" in policy
    html = page.text
    meta = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', html)
    assert meta and "unsafe-inline" not in meta.group(1)
    assets = re.findall(r'(?:src|href)="([^"#]+)"', html)
    assert "js/main.js" in assets and "chat.css" in assets
    for asset in assets:
        if asset.startswith("data:"):
            continue
        assert not re.match(r"^[a-z]+:|^//", asset), f"{asset} is not served by the project"
        _, res = await app.asgi_client.get(f"/webchat/{asset}")
        assert res.status == 200, asset
    _, vendored = await app.asgi_client.get("/webchat/vendor/socket.io.esm.min.js")
    assert vendored.headers["content-type"].startswith("text/javascript")


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "path", ["/webchat/../credentials.yml", "/webchat/%2e%2e/credentials.yml", "/webchat/.hidden"]
)
async def test_nothing_outside_the_web_folder_is_served(webchat, path: str) -> None:
    app, _ = webchat
    _, res = await app.asgi_client.get(path)
    assert res.status == 404


@pytest.mark.asyncio
async def test_summary_page_is_sandboxed_and_refused_to_other_sites(webchat) -> None:
    app, _ = webchat
    html = "<h1>Summary</h1><script>alert(1)</script>"
    _, res = await app.asgi_client.post("/webchat/summary", data={"html": html})
    assert res.status == 200
    policy = res.headers["content-security-policy"]
    # A unique origin, and no script but the Print button's own (named by its hash): the
    # posted page's <script>alert(1)</script> cannot run.
    assert policy.startswith("sandbox") and "allow-same-origin" not in policy
    assert f"script-src '{PRINT_SCRIPT_HASH}';" in policy and "default-src 'none'" in policy
    assert "unsafe-inline'; img-src" in policy and "script-src 'unsafe" not in policy
    _, cross = await app.asgi_client.post(
        "/webchat/summary", data={"html": html}, headers={"Sec-Fetch-Site": "cross-site"}
    )
    assert cross.status == 403


class Socket:
    """Calls the channel's Socket.IO handlers as the server would, recording what it emits."""

    def __init__(self, channel: WebChatInput, monkeypatch: pytest.MonkeyPatch) -> None:
        self.sio = channel.sio
        self.emitted: list[tuple[str, Any, str]] = []
        self.rooms: list[tuple[str, str]] = []

        async def emit(event: str, data: Any = None, room: str = "", **_: Any) -> None:
            self.emitted.append((event, data, room))

        def enter_room(sid: str, room: str, namespace: Any = None) -> None:
            self.rooms.append((sid, room))

        monkeypatch.setattr(self.sio, "emit", emit)
        monkeypatch.setattr(self.sio, "enter_room", enter_room)

    async def call(self, event: str, sid: str, data: Any) -> None:
        await self.sio.handlers["/"][event](sid, data)

    async def say(self, text: str, session_id: str = SESSION) -> list[dict]:
        before = len(self.emitted)
        await self.call("user_uttered", "sid1", {"message": text, "session_id": session_id})
        return [d for e, d, room in self.emitted[before:] if e == "bot_uttered"]


@pytest.mark.asyncio
async def test_a_session_is_resumed_only_with_a_server_issued_id(webchat, monkeypatch) -> None:
    _, channel = webchat
    socket = Socket(channel, monkeypatch)
    await socket.call("session_request", "sid1", {"session_id": SESSION})
    assert socket.emitted[-1] == ("session_confirm", SESSION, "sid1")
    assert socket.rooms == [("sid1", SESSION)]
    await socket.call("session_request", "sid2", {"session_id": "1"})
    issued = socket.emitted[-1][1]
    assert re.fullmatch(r"[0-9a-f]{32}", issued) and issued != "1"


@pytest.mark.asyncio
async def test_each_bot_message_is_one_event_to_the_session(webchat, monkeypatch) -> None:
    _, channel = webchat
    socket = Socket(channel, monkeypatch)

    question = await socket.say("question")
    assert question == [
        {
            "text": "Do you often feel tired?",
            "buttons": [
                {"title": "Yes", "payload": "/affirm"},
                {"title": "No", "payload": "/deny"},
                {"title": "Not sure", "payload": "/unsure"},
            ],
        }
    ]
    assert {room for _, _, room in socket.emitted} == {SESSION}

    (assessment,) = await socket.say("assessment")
    assert assessment["text"].startswith("A B12 shortage looks fairly likely")
    assert assessment["custom"]["type"] == "b12_assessment"
    assert assessment["custom"]["assessment"]["band_label"] == "High"
    assert "emergency" not in assessment

    (emergency,) = await socket.say("chest")
    assert emergency["emergency"] == "emergency"


@pytest.mark.asyncio
async def test_messages_without_a_valid_session_are_ignored(webchat, monkeypatch) -> None:
    _, channel = webchat
    socket = Socket(channel, monkeypatch)
    assert await socket.say("question", session_id="someone-elses") == []
    await socket.call("user_uttered", "sid1", "not a dict")
    assert socket.emitted == []


@pytest.mark.asyncio
async def test_health_reports_the_database_and_redis(webchat, monkeypatch, tmp_path) -> None:
    app, _ = webchat
    monkeypatch.setenv("B12_DATABASE_URL", f"sqlite:///{tmp_path / 'b12.db'}")
    monkeypatch.delenv("B12_REDIS_URL", raising=False)
    _, res = await app.asgi_client.get("/webchat/health")
    assert res.status == 200
    assert res.json == {"status": "ok", "model": "ok", "database": "ok", "redis": "off"}

    monkeypatch.setenv("B12_REDIS_URL", "redis://127.0.0.1:1/0")
    _, res = await app.asgi_client.get("/webchat/health")
    assert res.status == 503
    assert res.json == {
        "status": "unavailable", "model": "ok", "database": "ok", "redis": "down"}

    monkeypatch.setenv("B12_DATABASE_URL", "postgresql://postgres@127.0.0.1:1/nowhere")
    _, res = await app.asgi_client.get("/webchat/health")
    assert res.status == 503 and res.json["database"] == "down"


@pytest.mark.asyncio
async def test_a_flood_from_one_session_is_told_to_wait_and_others_are_served(
    webchat, monkeypatch
) -> None:
    from bot.channels.limits import RATE_LIMIT

    _, channel = webchat
    socket = Socket(channel, monkeypatch)
    flood = "ab" * 16
    for _ in range(RATE_LIMIT):
        assert await socket.say("hello", session_id=flood)
    (told,) = await socket.say("hello", session_id=flood)
    assert "wait" in told["text"] and "999" in told["text"]
    assert (await socket.say("hello"))[0]["text"].startswith("Hello")


@pytest.mark.asyncio
async def test_oversized_metadata_and_unstorable_characters_do_not_break_the_turn(
    webchat, monkeypatch, echo_agent
) -> None:
    _, channel = webchat
    socket = Socket(channel, monkeypatch)
    session = "cd" * 16
    await socket.call("user_uttered", "sid1", {
        "message": "hello \udfff", "session_id": session, "metadata": {"k": "v" * 10_000}})
    replies = [d for e, d, _ in socket.emitted if e == "bot_uttered"]
    assert replies and replies[0]["text"].startswith("Hello")
    tracker = await echo_agent.tracker_store.retrieve(session)
    assert tracker.latest_message.text == "hello \ufffd"
    assert "k" not in tracker.latest_message.metadata


@pytest.mark.asyncio
async def test_without_a_loaded_model_health_fails_and_people_are_told(
    make_app, monkeypatch, tmp_path
) -> None:
    """Rasa starts even when its model fails to load, then ignores every message."""
    from rasa.core.agent import Agent

    monkeypatch.setenv("B12_DATABASE_URL", f"sqlite:///{tmp_path / 'b12.db'}")
    channel = WebChatInput.from_credentials({"session_persistence": True})
    app = make_app(channel)
    app.ctx.agent = Agent()
    _, res = await app.asgi_client.get("/webchat/health")
    assert res.status == 503 and res.json["model"] == "not loaded"
    socket = Socket(channel, monkeypatch)
    (told,) = await socket.say("hello")
    assert "couldn't answer" in told["text"]
    (urgent,) = await socket.say("I have crushing chest pain right now")
    assert urgent["emergency"] == "emergency"
