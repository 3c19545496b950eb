"""A hostile or failing world, against real servers: two Rasa replicas on PostgreSQL
with a Redis of the test's own (so it can be stopped), and one action server.

What must hold: no request kills a server, no reply is silently empty, nobody
reaches another person's conversation, and when the database or Redis fails the
person is told so within seconds, nothing they said before is lost, and the
conversation carries on where it was once the service is back.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import signal
import subprocess
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any, Iterator

import pytest
from live_servers import answer_for, free_port, question_of, say, stored_id, texts
from live_stack import (
    POSTGRES,
    Stack,
    _drop_postgres_database,
    _fresh_postgres_database,
)

from bot.wording import text

pytestmark = pytest.mark.slow


def post(server: Any, body: bytes | str, headers: dict[str, str] | None = None,
         timeout: float = 60) -> tuple[int, Any, float]:
    """A raw request to the REST webhook: (status, decoded body, seconds taken)."""
    url = server.health_url.rstrip("/") + "/webhooks/rest/webhook"
    data = body.encode("utf-8", "surrogatepass") if isinstance(body, str) else body
    sent = {"Content-Type": "application/json",
            "Authorization": f"Bearer {server.env['B12_REST_TOKEN']}"}
    sent.update(headers or {})
    request = urllib.request.Request(url, data, sent)
    started = time.monotonic()
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            status, raw = reply.status, reply.read()
    except urllib.error.HTTPError as error:
        status, raw = error.code, error.read()
    took = time.monotonic() - started
    try:
        decoded = json.loads(raw)
    except ValueError:
        decoded = raw.decode(errors="replace")
    return status, decoded, took


def alive(server: Any) -> bool:
    if server.popen is None or server.popen.poll() is not None:
        return False
    try:
        urllib.request.urlopen(server.health_url, timeout=5).read()
    except OSError:
        return False
    return True


class PrivateRedis:
    """A redis-server of this test's own, on a free port, that the test may stop."""

    def __init__(self, workdir: Path) -> None:
        self.port = free_port()
        self.workdir = workdir
        self.popen: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.popen = subprocess.Popen(
            ["redis-server", "--bind", "127.0.0.1", "--port", str(self.port), "--save", "",
             "--appendonly", "no", "--dir", str(self.workdir)],
            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
        )
        import socket

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with socket.socket() as sock:
                if sock.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.1)
        raise RuntimeError("redis-server did not start")

    def stop(self) -> None:
        if self.popen and self.popen.poll() is None:
            self.popen.kill()
            self.popen.wait(10)


@pytest.fixture(scope="module")
def cluster(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Stack, PrivateRedis]]:
    import shutil

    if shutil.which("redis-server") is None:
        message = "redis-server is not installed"
        if os.environ.get("B12_REQUIRE_SERVICES") == "1":
            pytest.fail(message)
        pytest.skip(message)
    logs = tmp_path_factory.mktemp("live-hardening")
    database_url, name = _fresh_postgres_database()
    redis = PrivateRedis(logs)
    redis.start()
    stack = Stack("postgresql", database_url, redis.url, logs)
    try:
        stack.actions.start(timeout=120)
        stack.start_rasa("rasa-a")
        stack.start_rasa("rasa-b")
        yield stack, redis
    finally:
        stack.stop()
        redis.stop()
        artifacts = Path(__file__).resolve().parents[2] / "test-artifacts" / "live" / "hardening"
        artifacts.mkdir(parents=True, exist_ok=True)
        for log in logs.glob("*.log"):
            (artifacts / log.name).write_text(log.read_text(errors="replace"))
        _drop_postgres_database(name)


def told_fast(server: Any, sender: str, calm: str, urgent: str, what: str) -> None:
    """Both messages get 503 and the can't-continue words within 2 s, the urgent one with
    the emergency advice."""
    status, body, took = post(server, json.dumps({"sender": sender, "message": calm}))
    print(f"\n{what}: 503 in {took:.2f} s")
    assert status == 503 and texts(body) == text("cannot_continue") and took <= 2.0, (status, took)
    status, body, took = post(server, json.dumps({"sender": sender, "message": urgent}))
    assert status == 503 and texts(body) == text("cannot_continue_emergency") and took <= 2.0
    assert body[0]["custom"]["type"] == "b12_emergency", body


def start_interview(server: Any, sender: str) -> list[dict]:
    say(server, sender, "/refuse_consent")
    say(server, sender, "I've been exhausted for months and my feet tingle")
    return say(server, sender, "/start_check")


# -- 15.1: one request used to end the server ------------------------------------------


def test_a_lone_surrogate_sender_gets_400_and_every_server_stays_up(cluster) -> None:
    stack, _ = cluster
    for server in stack.rasa:
        status, body, _ = post(server, '{"sender": "x\\udfff", "message": "hi"}')
        assert status == 400 and "sender" in body["error"]
        status, body, _ = post(server, '{"sender": "ok-1", "message": "hi \\udfff"}')
        assert status == 200 and texts(body)
        assert alive(server)
    assert stack.actions.popen.poll() is None


# -- 15.2: nobody reads another person's conversation ----------------------------------


def test_rest_needs_its_token_and_cannot_reach_another_persons_conversation(cluster) -> None:
    stack, _ = cluster
    server = stack.rasa[0]
    victim = "whatsapp:+447700900123"
    marker = "zq" + os.urandom(4).hex()
    start_interview(server, victim)
    say(server, victim, f"I also get pins and needles since {marker}")
    body = json.dumps({"sender": victim, "message": "summary for my doctor"})
    assert post(server, body, {"Authorization": ""})[0] == 401
    assert post(server, body, {"Authorization": "Bearer not-the-token-at-all"})[0] == 401
    assert post(server, body, {"Content-Type": "text/plain"})[0] == 415
    # The raw id as the database key, or a platform's pseudonym of it, reaches nothing.
    for sender in (stored_id(stack.env, victim), "twilio-" + "0" * 40):
        status, reply, _ = post(server, json.dumps({"sender": sender, "message": "summary"}))
        assert status == 200 and marker not in json.dumps(reply)


# -- 15.3 / 15.4: the database or Redis fails ------------------------------------------


def set_database_open(stack: Stack, open_: bool) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    name = make_url(stack.database_url).database
    engine = create_engine(make_url(POSTGRES), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(
            f'ALTER DATABASE "{name}" ALLOW_CONNECTIONS {"true" if open_ else "false"}'))
        if not open_:
            connection.execute(text(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
            ), {"n": name})
    engine.dispose()


def test_database_down_says_so_fast_loses_nothing_and_carries_on(cluster) -> None:
    stack, _ = cluster
    server = stack.rasa[0]
    sender = "db-" + os.urandom(4).hex()
    reply = start_interview(server, sender)
    asked = question_of(reply)
    assert asked, "the interview should have asked a question"
    before = stack.events(sender)

    set_database_open(stack, False)
    try:
        told_fast(server, sender, "/affirm", "I have crushing chest pain right now",
                  "database down")
        # "Delete my data" then "yes" during the outage: nothing is taken as consent.
        for message in ("delete my data", "/affirm"):
            status, body, _ = post(server, json.dumps({"sender": sender, "message": message}))
            assert status == 503 and "can't save or continue" in texts(body)
        health = urllib.request.Request(server.health_url.rstrip("/") + "/webchat/health")
        with pytest.raises(urllib.error.HTTPError) as down:
            urllib.request.urlopen(health, timeout=10)
        assert down.value.code == 503 and json.loads(down.value.read())["database"] == "down"
    finally:
        set_database_open(stack, True)

    assert stack.events(sender) == before, "the outage changed the stored conversation"
    # Back: the same conversation continues (stale pooled connections are re-checked).
    for server_now in stack.rasa:
        reply = say(server_now, sender, answer_for(reply))
        assert "can't save" not in texts(reply)
    after = stack.events(sender)
    assert after[: len(before)] == before
    assert "Hello" not in texts(reply) and question_of(reply) != asked


def test_a_locked_table_fails_the_turn_in_seconds_and_the_server_stays_responsive(
    cluster,
) -> None:
    """A 15 s table lock (a migration, a stuck transaction) used to freeze the replica."""
    from sqlalchemy import create_engine, text

    stack, _ = cluster
    server = stack.rasa[0]
    sender = "lock-" + os.urandom(4).hex()
    reply = start_interview(server, sender)
    holder = create_engine(stack.database_url)
    held = threading.Event()

    def lock_table() -> None:
        with holder.connect() as connection, connection.begin():
            connection.execute(text("LOCK TABLE events IN ACCESS EXCLUSIVE MODE"))
            held.set()
            time.sleep(15)

    locker = threading.Thread(target=lock_table, daemon=True)
    locker.start()
    try:
        assert held.wait(10)
        results: dict[str, Any] = {}

        def turn() -> None:
            results["turn"] = post(server, json.dumps({"sender": sender, "message": "/deny"}))

        worker = threading.Thread(target=turn)
        worker.start()
        time.sleep(0.3)
        started = time.monotonic()
        page = urllib.request.urlopen(server.health_url.rstrip("/") + "/webchat/", timeout=5)
        assert page.status == 200 and time.monotonic() - started < 1.0, "the server froze"
        worker.join(30)
        status, body, took = results["turn"]
        print(f"\nlocked table: {status} in {took:.2f} s")
        assert status == 503 and "can't save or continue" in texts(body)
        assert took < 5.0
    finally:
        locker.join(30)
        holder.dispose()
    reply = say(server, sender, answer_for(reply))
    assert "can't save" not in texts(reply) and texts(reply)


def test_redis_down_says_so_fast_and_the_conversation_survives(cluster) -> None:
    stack, redis = cluster
    server = stack.rasa[1]
    sender = "redis-" + os.urandom(4).hex()
    reply = start_interview(server, sender)
    before = stack.events(sender)
    redis.stop()
    try:
        told_fast(server, sender, "/deny", "I collapsed and can't feel my legs", "redis down")
    finally:
        redis.start()
    assert stack.events(sender) == before
    reply = say(server, sender, answer_for(reply))
    assert "can't save" not in texts(reply) and texts(reply)


# -- 15.5: a replica killed mid-turn --------------------------------------------------


def test_replica_killed_mid_turn_the_other_serves_the_next_turn_within_5_s(cluster) -> None:
    stack, _ = cluster
    first, second = stack.rasa
    sender = "kill-" + os.urandom(4).hex()
    reply = start_interview(first, sender)
    # Hold the turn inside the first replica: the action server stops answering.
    os.kill(stack.actions.popen.pid, signal.SIGSTOP)
    def held_turn() -> None:
        # The server dies under this request: a dropped connection is the expected end.
        with contextlib.suppress(OSError, http.client.HTTPException):
            post(first, json.dumps({"sender": sender, "message": "/deny"}), timeout=30)

    stuck = threading.Thread(target=held_turn, daemon=True)
    try:
        stuck.start()
        time.sleep(1.5)
        first.stop(kill=True)
    finally:
        os.kill(stack.actions.popen.pid, signal.SIGCONT)
    try:
        status, body, took = post(second, json.dumps({"sender": sender, "message": "/deny"}))
        assert status == 200 and texts(body), body
        print(f"\nnext turn after a replica was killed mid-turn: {took:.2f} s")
        assert took <= 5.0, f"the next turn waited {took:.1f} s"
    finally:
        first.start()
    assert reply


# -- fuzz: 1,000+ hostile requests -----------------------------------------------------


def test_a_thousand_hostile_requests_kill_nothing_and_cross_no_conversation(cluster) -> None:
    from fuzz_requests import Hostile, hostile
    from hypothesis import HealthCheck, given, settings

    stack, _ = cluster
    servers = stack.rasa
    accepted: dict[str, str] = {}
    statuses: dict[int, int] = {}

    @settings(max_examples=1100, deadline=None, database=None, derandomize=True,
              suppress_health_check=list(HealthCheck))
    @given(request=hostile())
    def one(request: Hostile) -> None:
        count = sum(statuses.values())
        server = servers[count % len(servers)]
        body, headers, marker, sender = request.render(f"mk{count:05d}x{os.getpid()}")
        status, reply, _ = post(server, body, headers, timeout=60)
        statuses[status] = statuses.get(status, 0) + 1
        assert status < 500, (status, body[:200], reply)
        if status == 200:
            assert isinstance(reply, list) and reply, f"a silent empty reply to {body[:200]!r}"
            assert any(m.get("text") for m in reply), reply
            if marker and sender:
                accepted[marker] = sender

    one()
    print(f"\nhostile requests by status: {dict(sorted(statuses.items()))}")
    assert sum(statuses.values()) >= 1000, statuses
    assert statuses.get(200, 0) >= 200 and statuses.get(400, 0) >= 100, statuses
    for server in servers:
        assert alive(server), f"{server.name} died:\n{server.log_tail()}"
    assert stack.actions.popen.poll() is None
    # Every accepted marker is stored in its own sender's conversation and nowhere else.
    from sqlalchemy import text

    engine = stack.engine()
    try:
        with engine.connect() as connection:
            for marker, sender in accepted.items():
                owners = {row[0] for row in connection.execute(
                    text("SELECT sender_id FROM events WHERE data LIKE :m"), {"m": f"%{marker}%"}
                )}
                assert owners == {stored_id(stack.env, sender)}, (marker, owners)
    finally:
        engine.dispose()
    # Failed and refused turns included, no server logged a word of anybody's message.
    logs = stack.all_logs()
    leaked = [marker for marker in accepted if marker in logs]
    assert leaked == [], f"message text in the logs: {leaked[:5]}"
