"""The scaled-out assistant behind HAProxy, started as ``make cluster`` starts it.

``scripts/cluster.sh`` runs the balancer (deploy/haproxy_config.py), two Rasa servers
and one action server on a fresh PostgreSQL database and a Redis of the test's own
(so that the test can stop it). Tests run in order against one cluster: REST spread
over both servers, the web chat's Socket.IO kept on one, a server killed under a small
load, Redis stopped and started again, and a clean stop.

Needs HAProxy (Debian package ``haproxy``; ``.ci/run`` installs it), PostgreSQL and
``redis-server``; without them the tests are skipped with the reason, or fail when
B12_REQUIRE_SERVICES=1 (CI).
"""

from __future__ import annotations

import asyncio
import importlib.util
import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from email.message import Message
from pathlib import Path
from typing import Any, Iterator

import pytest
from live_servers import MODEL, ROOT, free_port

pytestmark = pytest.mark.slow

_spec = importlib.util.spec_from_file_location("b12_bench_load", ROOT / "bench" / "load.py")
assert _spec is not None and _spec.loader is not None
load = importlib.util.module_from_spec(_spec)
sys.modules[_spec.name] = load  # its dataclasses look their module up there
_spec.loader.exec_module(load)

# How quickly the balancer must take a dead or storeless server out of rotation.
DETECT_WITHIN_S = 5.0


def _missing(what: str) -> None:
    if os.environ.get("B12_REQUIRE_SERVICES") == "1":
        pytest.fail(what)
    pytest.skip(what)


class RedisServer:
    """A redis-server of this test's own, on a free port, that the test may stop."""

    def __init__(self, folder: Path) -> None:
        self.port = free_port()
        self.folder = folder
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        binary = shutil.which("redis-server")
        if binary is None:
            _missing("redis-server is not installed")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "",
             "--appendonly", "no", "--dir", str(self.folder)],
            stdout=(self.folder / "redis.log").open("ab"), stderr=subprocess.STDOUT,
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=1):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


@pytest.fixture(scope="module")
def redis(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RedisServer]:
    server = RedisServer(tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory, redis: RedisServer) -> Iterator[Any]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    if shutil.which("haproxy") is None and not Path("/usr/sbin/haproxy").exists():
        _missing("HAProxy is not installed (apt-get install haproxy)")
    try:
        database_url, database = load.fresh_database("b12_cluster_live")
    except Exception as error:  # noqa: BLE001 - any failure means "not available here"
        _missing(f"PostgreSQL is not reachable ({type(error).__name__})")
    folder = tmp_path_factory.mktemp("cluster")
    running = load.Cluster(2, 1, folder, database_url, redis.url, model=MODEL)
    try:
        running.start()
        yield running
    finally:
        running.stop()
        artifacts = ROOT / "test-artifacts" / "live" / "cluster"
        artifacts.mkdir(parents=True, exist_ok=True)
        for log in folder.glob("*.log"):
            (artifacts / log.name).write_text(log.read_text(errors="replace"))
        load.drop_database(database)


def _get(url: str, headers: dict[str, str] | None = None) -> tuple[int, Message, bytes]:
    """Status, headers (names in any case) and body of a GET."""
    request = urllib.request.Request(url, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as reply:
            return reply.status, reply.headers, reply.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def _rest(cluster: Any, sender: str, text: str) -> tuple[int, Any]:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"{cluster.url}/webhooks/rest/webhook", body,
        {"Content-Type": "application/json", "Authorization": f"Bearer {cluster.rest_token}"},
    )
    try:
        with urllib.request.urlopen(request, timeout=60) as reply:
            return reply.status, json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def _wait_for(condition: Any, timeout: float, what: str) -> float:
    """Seconds until ``condition()`` held; fails the test after ``timeout``."""
    start = time.monotonic()
    while time.monotonic() - start < timeout:
        if condition():
            return time.monotonic() - start
        time.sleep(0.1)
    pytest.fail(f"{what} did not happen within {timeout:.0f} s")


def test_health_includes_the_stores_and_rest_is_spread(cluster: Any) -> None:
    status, _headers, body = _get(f"{cluster.url}/webchat/health")
    assert status == 200
    assert json.loads(body) == {"status": "ok", "model": "ok", "database": "ok", "redis": "ok"}
    phase = asyncio.run(load.drive(cluster.url, cluster.rest_token, "spread", 4, 4,
                                   load.CONVERSATION[:4]))
    assert phase.errors() == 0
    stats = cluster.stats()
    served = [int(stats[("rasa", f"rasa{i}")]["stot"]) for i in (1, 2)]
    assert all(count > 0 for count in served), f"REST turns per server: {served}"
    stored = load.stored_messages_sql(cluster.database_url, cluster.id_key, phase.answered)
    assert load.compare(phase.answered, stored) == (0, 0, len(phase.answered))


def test_web_chat_socketio_sessions_stay_on_one_server(cluster: Any) -> None:
    """Long-polling Socket.IO only works when every request of a session reaches the
    server that opened it: the balancer's cookie keeps it there."""
    seen = set()
    for _ in range(6):
        status, headers, body = _get(f"{cluster.url}/socket.io/?EIO=4&transport=polling")
        assert status == 200, body
        cookie = headers.get("Set-Cookie", "")
        assert cookie.startswith("B12_SERVER="), headers
        value = cookie.split(";")[0]
        seen.add(value)
        sid = json.loads(body[1:])["sid"]
        for _ in range(3):  # connect to the namespace, then poll: same server each time
            request = urllib.request.Request(
                f"{cluster.url}/socket.io/?EIO=4&transport=polling&sid={sid}", b"40",
                {"Cookie": value, "Content-Type": "text/plain;charset=UTF-8"},
            )
            with urllib.request.urlopen(request, timeout=10) as reply:
                assert reply.status == 200
            status, _headers, body = _get(
                f"{cluster.url}/socket.io/?EIO=4&transport=polling&sid={sid}", {"Cookie": value})
            assert status == 200, body
    assert len(seen) == 2, f"new sessions all went to one server: {seen}"


def test_web_chat_conversation_through_the_balancer(cluster: Any) -> None:
    """A whole web chat turn over long-polling (the transport that needs stickiness)."""
    import aiohttp
    import socketio

    async def chat() -> list[dict]:
        replies: list[dict] = []
        got = asyncio.Event()
        session = aiohttp.ClientSession(cookie_jar=aiohttp.CookieJar(unsafe=True))
        client = socketio.AsyncClient(http_session=session)

        @client.on("bot_uttered")
        async def on_reply(data: dict) -> None:
            replies.append(data)
            got.set()

        try:
            await client.connect(cluster.url, transports=["polling"], socketio_path="/socket.io")
            await client.emit("session_request", {"session_id": "a" * 32})
            await asyncio.sleep(0.5)
            await client.emit("user_uttered", {"message": "hi", "session_id": "a" * 32})
            await asyncio.wait_for(got.wait(), timeout=60)
        finally:
            await client.disconnect()
            await session.close()
        return replies

    replies = asyncio.run(chat())
    assert replies and any(r.get("text") for r in replies)


def test_a_killed_server_costs_no_conversation(cluster: Any) -> None:
    """SIGKILL one Rasa server under a small load: out of rotation within seconds, its
    in-flight turns sent again to the other, no error seen, nothing lost."""
    users, duration = 6, 24.0
    phase, failover = asyncio.run(load.measure_cluster(
        cluster, users, duration, "failover", load.CONVERSATION, kill_at=8.0))
    report = "\n".join(load.failover_report(phase, failover))
    assert failover.get("down_after_s") is not None, report
    assert failover["down_after_s"] <= DETECT_WITHIN_S, report
    assert failover.get("sent_after_down") == 0, report
    # Nobody's turn failed for good; at most the turns in flight on the killed server
    # (one per person) needed the person to send them again.
    assert phase.failed() == 0, report
    assert phase.errors() <= users, report
    stored = load.stored_messages_sql(cluster.database_url, cluster.id_key, phase.answered)
    lost, duplicated, complete = load.compare(phase.answered, stored)
    assert lost == 0, report
    # A turn the server had stored before it died and the balancer then sent again is
    # the one case a message can be there twice.
    assert duplicated <= failover.get("retries", 0), report
    window = [t.ms for t in phase.turns
              if failover["killed_at"] - 1 <= t.started <= failover["killed_at"] + 10]
    assert load.percentile(window, 95) <= 5000, report
    # cluster.sh starts the dead server again and the balancer takes it back.
    cluster.wait_all_up(timeout=400)


def test_redis_down_gets_the_assistants_own_answer(cluster: Any, redis: RedisServer) -> None:
    sender = "cluster-redis-down"
    status, _reply = _rest(cluster, sender, "hi")
    assert status == 200
    redis.stop()
    try:
        _wait_for(lambda: all(cluster.status_of(f"rasa{i}").startswith("DOWN") for i in (1, 2)),
                  DETECT_WITHIN_S + 2, "both Rasa servers failing their health check")
        status, body = _rest(cluster, sender, "I've been tired for months")
        # Not the balancer's page: a live server answers, and says what is wrong.
        assert status == 503
        assert "can't save or continue" in body[0]["text"]
        status, _headers, health = _get(f"{cluster.url}/webchat/health")
        assert status == 503 and json.loads(health)["redis"] == "down"
    finally:
        redis.start()
    _wait_for(lambda: all(cluster.status_of(f"rasa{i}").startswith("UP") for i in (1, 2)),
              DETECT_WITHIN_S + 5, "both Rasa servers back in rotation")
    status, reply = _rest(cluster, sender, "I've been tired for months")
    assert status == 200 and reply


def test_sigterm_stops_every_process(cluster: Any) -> None:
    pids = cluster.server_pids()
    assert len(pids) == 4  # balancer, two Rasa servers, one action server
    started = time.monotonic()
    assert cluster.stop() == 0
    assert time.monotonic() - started < 60
    left = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
    assert not left, f"still running: {left}"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", cluster.base), timeout=1).close()
    assert not list(cluster.folder.glob("*.pid"))
