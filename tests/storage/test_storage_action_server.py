"""The action server (``python -m actions.server``): only the Rasa server may use it.

Requests go through the real Sanic application, in process (sanic-testing).
"""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Sanic

from actions import server

TOKEN = "9f3c0e1d2b4a"
FOREIGN = "https://evil.example"


@pytest.fixture(autouse=True)
def sanic_test_mode(monkeypatch: pytest.MonkeyPatch) -> None:
    """Several apps of the same name in one process (one per test)."""
    monkeypatch.setattr(Sanic, "test_mode", True)


def action_call(name: str = "action_restart") -> dict[str, Any]:
    """What the Rasa server posts to run one action (an empty conversation)."""
    return {
        "next_action": name,
        "sender_id": "alice",
        "version": "3.6.21",
        "domain": {},
        "tracker": {
            "sender_id": "alice",
            "slots": {},
            "latest_message": {"text": "start over", "intent": {"name": "restart"}},
            "latest_event_time": None,
            "followup_action": None,
            "paused": False,
            "events": [],
            "latest_input_channel": "rest",
            "active_loop": {},
            "latest_action": {"action_name": "action_listen"},
            "latest_action_name": "action_listen",
        },
    }


async def post(app: Sanic, headers: dict[str, str] | None = None) -> Any:
    _, res = await app.asgi_client.post("/webhook", json=action_call(), headers=headers or {})
    return res


@pytest.mark.asyncio
async def test_health_answers_without_the_token() -> None:
    _, res = await server.build(TOKEN).asgi_client.get("/health")
    assert res.status == 200 and res.json == {"status": "ok"}


@pytest.mark.asyncio
@pytest.mark.parametrize(
    "headers",
    [
        {},
        {"Authorization": "Bearer wrong"},
        {"Authorization": TOKEN},  # the token without the scheme
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Basic {TOKEN}"},
    ],
)
async def test_webhook_without_the_right_token_is_refused(headers: dict[str, str]) -> None:
    res = await post(server.build(TOKEN), headers)
    assert res.status == 401
    assert "events" not in (res.json or {})


@pytest.mark.asyncio
async def test_action_list_is_refused_without_the_token() -> None:
    _, res = await server.build(TOKEN).asgi_client.get("/actions")
    assert res.status == 401


@pytest.mark.asyncio
async def test_webhook_with_the_right_token_runs_the_action() -> None:
    res = await post(server.build(TOKEN), {"Authorization": f"Bearer {TOKEN}"})
    assert res.status == 200, res.text
    assert isinstance(res.json["events"], list)
    assert res.json["responses"], "the action said nothing"


@pytest.mark.asyncio
async def test_without_a_token_configured_nothing_is_checked() -> None:
    res = await post(server.build(None))
    assert res.status == 200, res.text
    assert res.json["responses"]


@pytest.mark.asyncio
@pytest.mark.parametrize("token", [TOKEN, None])
async def test_no_browser_origin_is_allowed(token: str | None) -> None:
    app = server.build(token)
    headers = {"Origin": FOREIGN, "Authorization": f"Bearer {TOKEN}"}
    _, res = await app.asgi_client.post("/webhook", json=action_call(), headers=headers)
    assert "access-control-allow-origin" not in res.headers
    _, preflight = await app.asgi_client.options(
        "/webhook",
        headers={"Origin": FOREIGN, "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in preflight.headers
    _, health = await app.asgi_client.get("/health", headers={"Origin": FOREIGN})
    assert "access-control-allow-origin" not in health.headers


def test_main_reads_its_address_and_token_from_the_environment(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    started: dict[str, Any] = {}
    for name in ("B12_ACTIONS_TOKEN", "B12_ACTIONS_PORT", "B12_ACTIONS_HOST"):
        monkeypatch.delenv(name, raising=False)

    class FakeApp:
        def run(self, host: str, port: int, **_: Any) -> None:
            started.update(host=host, port=port)

    def build(token: str | None) -> FakeApp:
        started["token"] = token
        return FakeApp()

    monkeypatch.setattr(server, "build", build)
    assert server.main() == 0
    assert started == {"token": None, "host": "127.0.0.1", "port": 5055}
    monkeypatch.setenv("B12_ACTIONS_TOKEN", TOKEN)
    monkeypatch.setenv("B12_ACTIONS_PORT", "6055")
    assert server.main() == 0
    assert started == {"token": TOKEN, "host": "127.0.0.1", "port": 6055}


def test_main_refuses_a_port_that_is_not_a_number(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("B12_ACTIONS_PORT", "fifty")
    assert server.main() == 2
    assert "B12_ACTIONS_PORT" in capsys.readouterr().err
