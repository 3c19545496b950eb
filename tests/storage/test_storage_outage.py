"""What the person hears when the action server cannot answer (bot/rasa_adapters/patches/outage.py).

Rasa's real ``RemoteAction`` calls a real HTTP endpoint here: a closed port, or
a small local server that answers with an error, a rejection or a result.
"""

from __future__ import annotations

from typing import Any, AsyncIterator, Callable

import pytest
import pytest_asyncio
from aiohttp import web
from rasa.core.actions.action import ActionExecutionRejection
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.shared.core.events import (
    ActionExecuted,
    BotUttered,
    FollowupAction,
    SlotSet,
    UserUttered,
)
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.utils.endpoints import EndpointConfig
from storage_helpers import free_port

from bot.rasa_adapters.patches import outage
from bot.services import gives_emergency_number
from bot.wording import text

ACTION = "action_assessment"


def tracker_after(domain: Any, intent: str, *extra: Any) -> DialogueStateTracker:
    events = [
        ActionExecuted("action_listen"),
        UserUttered("my legs went weak", intent={"name": intent, "confidence": 1.0}),
        *extra,
    ]
    return DialogueStateTracker.from_events("alice", events, domain.slots)


async def run_remote(
    remote_action: Any, url: str, domain: Any, tracker: DialogueStateTracker
) -> list[Any]:
    action = remote_action(ACTION, EndpointConfig(url=url))
    nlg = TemplatedNaturalLanguageGenerator(domain.responses)
    return await action.run(CollectingOutputChannel(), nlg, tracker, domain)


@pytest.fixture
def remote_action(restore_remote_action: Any) -> Any:
    """Rasa's RemoteAction with the outage reply installed (undone after the test)."""
    outage.install()
    return restore_remote_action


@pytest_asyncio.fixture
async def action_server() -> AsyncIterator[Callable[[int, dict], str]]:
    """Starts a local endpoint answering every call with the given status and JSON body."""
    runners: list[web.AppRunner] = []

    async def start(status: int, body: dict) -> str:
        async def webhook(_request: web.Request) -> web.Response:
            return web.json_response(body, status=status)

        app = web.Application()
        app.router.add_post("/webhook", webhook)
        runner = web.AppRunner(app)
        await runner.setup()
        port = free_port()
        await web.TCPSite(runner, "127.0.0.1", port).start()
        runners.append(runner)
        return f"http://127.0.0.1:{port}/webhook"

    yield start  # type: ignore[misc]
    for runner in runners:
        await runner.cleanup()


def closed_url() -> str:
    """An action server address where nothing listens."""
    return f"http://127.0.0.1:{free_port()}/webhook"


UNAVAILABLE = text("unavailable")
UNAVAILABLE_EMERGENCY = text("unavailable_emergency")


def said(events: list[Any]) -> list[str]:
    return [e.text for e in events if isinstance(e, BotUttered)]


@pytest.mark.asyncio
async def test_closed_action_server_gets_a_clear_reply_and_ends_the_turn(
    remote_action: Any, domain: Any
) -> None:
    tracker = tracker_after(domain, "greet")
    events = await run_remote(remote_action, closed_url(), domain, tracker)
    assert said(events) == [UNAVAILABLE]
    assert "temporarily unavailable" in UNAVAILABLE
    assert events[-1] == FollowupAction("action_listen")


@pytest.mark.asyncio
@pytest.mark.parametrize("status", [500, 401, 404])
async def test_action_server_errors_get_the_same_reply(
    status: int, remote_action: Any, domain: Any, action_server: Any
) -> None:
    url = await action_server(status, {"error": "broken"})
    events = await run_remote(remote_action, url, domain, tracker_after(domain, "greet"))
    assert said(events) == [UNAVAILABLE]
    assert events[-1] == FollowupAction("action_listen")


@pytest.mark.asyncio
async def test_an_emergency_gets_the_emergency_wording(remote_action: Any, domain: Any) -> None:
    tracker = tracker_after(domain, "report_red_flag")
    events = await run_remote(remote_action, closed_url(), domain, tracker)
    assert said(events) == [UNAVAILABLE_EMERGENCY]
    assert gives_emergency_number(UNAVAILABLE_EMERGENCY) and "now" in UNAVAILABLE_EMERGENCY
    alert = [e for e in events if isinstance(e, BotUttered)][0].data["custom"]
    assert alert["type"] == "b12_emergency" and alert["level"] == "emergency"


@pytest.mark.asyncio
async def test_a_second_failure_in_the_same_turn_does_not_repeat_the_message(
    remote_action: Any, domain: Any
) -> None:
    url = closed_url()
    tracker = tracker_after(domain, "greet")
    first = await run_remote(remote_action, url, domain, tracker)
    tracker.update(ActionExecuted(ACTION))
    tracker.update_with_events(first, domain)
    second = await run_remote(remote_action, url, domain, tracker)
    assert said(second) == []
    assert second == [FollowupAction("action_listen")]


@pytest.mark.asyncio
async def test_the_next_turn_gets_the_message_again(remote_action: Any, domain: Any) -> None:
    url = closed_url()
    earlier = BotUttered(UNAVAILABLE)
    tracker = tracker_after(domain, "greet", earlier, ActionExecuted("action_listen"))
    tracker.update(UserUttered("hello again", intent={"name": "greet", "confidence": 1.0}))
    events = await run_remote(remote_action, url, domain, tracker)
    assert said(events) == [UNAVAILABLE]


@pytest.mark.asyncio
async def test_a_rejection_still_reaches_rasa(
    remote_action: Any, domain: Any, action_server: Any
) -> None:
    """A form's validation may reject; Rasa needs the exception to try another policy."""
    url = await action_server(400, {"action_name": ACTION, "error": "not now"})
    with pytest.raises(ActionExecutionRejection):
        await run_remote(remote_action, url, domain, tracker_after(domain, "greet"))


@pytest.mark.asyncio
async def test_a_working_action_server_is_answered_unchanged(
    remote_action: Any, domain: Any, action_server: Any
) -> None:
    body = {
        "events": [{"event": "slot", "name": "consent", "value": "yes"}],
        "responses": [{"text": "Noted."}],
    }
    url = await action_server(200, body)
    events = await run_remote(remote_action, url, domain, tracker_after(domain, "greet"))
    assert said(events) == ["Noted."]
    assert SlotSet("consent", "yes") in events
    assert not any(isinstance(e, FollowupAction) for e in events)


def test_installing_twice_wraps_once(restore_remote_action: Any) -> None:
    original = restore_remote_action.run
    outage.install()
    wrapped = restore_remote_action.run
    outage.install()
    assert restore_remote_action.run is wrapped
    assert wrapped is not original


@pytest_asyncio.fixture
async def hung_action_server() -> AsyncIterator[str]:
    """An action server that accepts the call and never answers in time."""
    import asyncio

    async def webhook(_request: web.Request) -> web.Response:
        await asyncio.sleep(30)
        return web.json_response({"events": [], "responses": []})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app, shutdown_timeout=0.1)
    await runner.setup()
    port = free_port()
    await web.TCPSite(runner, "127.0.0.1", port, shutdown_timeout=0.1).start()
    yield f"http://127.0.0.1:{port}/webhook"
    await runner.cleanup()


@pytest.mark.asyncio
async def test_a_hung_action_server_gets_the_reply_after_the_timeout_not_five_minutes(
    restore_remote_action: Any,
    domain: Any,
    hung_action_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    import time

    monkeypatch.setenv(outage.TIMEOUT_VARIABLE, "0.5")
    outage.install()  # the server reads the setting when it starts
    started = time.monotonic()
    events = await run_remote(
        restore_remote_action, hung_action_server, domain, tracker_after(domain, "report_red_flag")
    )
    waited = time.monotonic() - started
    assert said(events) == [UNAVAILABLE_EMERGENCY]
    assert events[-1] == FollowupAction("action_listen")
    assert 0.4 < waited < 10


@pytest.mark.parametrize(
    ("setting", "seconds"),
    [(None, 20.0), ("5", 5.0), ("0.5", 0.5), ("0", 20.0), ("-3", 20.0), ("soon", 20.0),
     ("inf", 20.0), ("nan", 20.0)],
)
def test_the_timeout_setting_is_a_positive_number_or_the_default(
    setting: str | None, seconds: float, monkeypatch: pytest.MonkeyPatch
) -> None:
    if setting is None:
        monkeypatch.delenv(outage.TIMEOUT_VARIABLE, raising=False)
    else:
        monkeypatch.setenv(outage.TIMEOUT_VARIABLE, setting)
    assert outage.action_timeout() == seconds


@pytest.mark.asyncio
async def test_one_deadline_for_the_whole_turn_not_one_per_action(
    restore_remote_action: Any,
    domain: Any,
    hung_action_server: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A form and its follow-up both call the action server: a hung server costs the
    turn one timeout, not one per call."""
    import time

    monkeypatch.setenv(outage.TIMEOUT_VARIABLE, "0.6")
    outage.install()
    tracker = tracker_after(domain, "inform")
    started = time.monotonic()
    first = await run_remote(restore_remote_action, hung_action_server, domain, tracker)
    second = await run_remote(restore_remote_action, hung_action_server, domain, tracker)
    waited = time.monotonic() - started
    assert said(first) == [UNAVAILABLE] and said(second) == [UNAVAILABLE]
    assert 0.5 < waited < 1.0, f"the turn waited {waited:.2f} s for two calls"
    # The next turn (a new user message) gets its own full deadline.
    tracker.update(UserUttered("and my hands", intent={"name": "inform", "confidence": 1.0}))
    started = time.monotonic()
    await run_remote(restore_remote_action, hung_action_server, domain, tracker)
    assert time.monotonic() - started > 0.5
