"""Which web pages may open a web chat conversation (``B12_CORS_ORIGINS``).

Unset, only pages served by the assistant itself may connect; a list allows
the listed pages as well. Checked on the real Socket.IO handshake.
"""

from __future__ import annotations

from typing import Any

import pytest
from sanic import Sanic

from bot.rasa_adapters.webchat import WebChatInput, allowed_origins

HOST = "chat.local:5005"
HANDSHAKE = "/socket.io/?EIO=4&transport=polling"


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        (None, None),
        ("", None),
        ("  ,  ", None),
        ("https://clinic.example", ["https://clinic.example"]),
        (
            "https://clinic.example,https://www.clinic.example",
            ["https://clinic.example", "https://www.clinic.example"],
        ),
        (
            " https://clinic.example  https://www.clinic.example ,http://localhost:8080 ",
            ["https://clinic.example", "https://www.clinic.example", "http://localhost:8080"],
        ),
    ],
)
def test_allowed_origins_from_the_environment(raw: str | None, expected: list[str] | None) -> None:
    env = {} if raw is None else {"B12_CORS_ORIGINS": raw}
    assert allowed_origins(env) == expected


def chat_app(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setattr(Sanic, "test_mode", True)

    async def on_new_message(_message: Any) -> None:
        return None

    app = Sanic("webchat_origins")
    app.blueprint(WebChatInput.from_credentials({}).blueprint(on_new_message))
    return app


async def handshake(app: Any, origin: str) -> int:
    _, res = await app.asgi_client.get(HANDSHAKE, headers={"Origin": origin, "Host": HOST})
    return int(res.status)


@pytest.mark.asyncio
async def test_without_a_list_only_the_assistants_own_pages_connect(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    app = chat_app(monkeypatch)
    assert await handshake(app, f"http://{HOST}") == 200
    assert await handshake(app, "https://evil.example") == 400


@pytest.mark.asyncio
async def test_listed_pages_connect_and_others_do_not(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("B12_CORS_ORIGINS", "https://clinic.example, https://www.clinic.example")
    app = chat_app(monkeypatch)
    assert await handshake(app, "https://www.clinic.example") == 200
    assert await handshake(app, "https://evil.example") == 400


@pytest.mark.asyncio
async def test_listing_other_pages_keeps_the_assistants_own_page_working(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("B12_CORS_ORIGINS", "https://clinic.example")
    app = chat_app(monkeypatch)
    assert await handshake(app, f"http://{HOST}") == 200
