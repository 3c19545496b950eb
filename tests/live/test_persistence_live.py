"""The assistant keeps, continues and forgets conversations across real processes.

Runs the real action server and Rasa servers (as ``make run`` starts them)
against SQLite, and against PostgreSQL with Redis locks; both databases get the
same tests. Each test is a conversation a person could have.
"""

from __future__ import annotations

import secrets
import subprocess
import sys
import threading
import time

import pytest
from live_servers import (
    ROOT,
    answer_for,
    base_env,
    custom,
    free_port,
    question_of,
    say,
    stored_id,
    texts,
)
from sqlalchemy import inspect, text

pytestmark = pytest.mark.slow

SYMPTOM_WORDS = ("exhausted", "pins and needles", "tingling", "sore tongue", "breathless")


def _sender() -> str:
    return f"live-{secrets.token_hex(6)}"


def _latest_slot(events: list[dict], name: str):  # noqa: ANN202
    value = None
    for event in events:
        if event.get("event") == "slot" and event.get("name") == name:
            value = event.get("value")
    return value


def _present_findings(events: list[dict]) -> set[str]:
    findings = _latest_slot(events, "findings") or {}
    states = findings.get("items", {}) if isinstance(findings, dict) else {}
    present = set()
    for key, state in (states or {}).items():
        if isinstance(state, dict) and state.get("status") == "present":
            present.add(key)
    return present


def _start_interview(server, sender: str) -> list[dict]:  # noqa: ANN001
    say(server, sender, "/refuse_consent")
    say(server, sender, "I've been exhausted for months and I get pins and needles in my feet")
    reply = say(server, sender, "/start_check")
    assert question_of(reply) or "?" in texts(reply), texts(reply)
    return reply


def test_restart_mid_interview_keeps_every_answer(stack) -> None:
    server = stack.rasa[0]
    sender = _sender()
    reply = _start_interview(server, sender)
    asked = [texts(reply)]
    for _ in range(2):
        reply = say(server, sender, answer_for(reply))
        asked.append(texts(reply))
    before = stack.events(sender)
    answered_before = _latest_slot(before, "asked_questions") or []
    assert len(answered_before) >= 2

    stack.restart(server)

    reply = say(server, sender, answer_for(reply))
    after_text = texts(reply)
    assert "welcome" not in after_text.lower()
    assert after_text not in asked[:-1], "the interview went back to an earlier question"
    after = stack.events(sender)
    answered_after = _latest_slot(after, "asked_questions") or []
    assert set(answered_before) < set(answered_after), (answered_before, answered_after)
    assert {"fatigue", "paresthesia"} <= _present_findings(after)


def test_action_server_down_says_so_and_loses_nothing(stack) -> None:
    server = stack.rasa[0]
    sender = _sender()
    reply = _start_interview(server, sender)
    question = question_of(reply)
    stack.actions.stop()
    try:
        outage = say(server, sender, "my tongue has been sore and red too")
        assert "temporarily unavailable" in texts(outage).lower(), texts(outage)
        assert custom(outage, "b12_unavailable") is not None or "try again" in texts(outage).lower()
    finally:
        stack.actions.start(timeout=120)
    reply = say(server, sender, answer_for(reply))
    assert "temporarily unavailable" not in texts(reply).lower()
    assert texts(reply) and texts(reply) != question
    events = stack.events(sender)
    present = _present_findings(events)
    assert "glossitis" in present, present


def _run_to_assessment(server, sender: str) -> dict:  # noqa: ANN001
    reply = say(server, sender, "/start_check")
    for _ in range(40):
        assessment = custom(reply, "b12_assessment")
        if assessment is not None:
            return assessment
        reply = say(server, sender, answer_for(reply))
    raise AssertionError(f"no assessment after 40 answers; last reply: {texts(reply)}")


def _rows_mentioning(stack, needles: list[str]) -> list[str]:
    engine = stack.engine()
    found = []
    try:
        with engine.connect() as connection:
            for table in inspect(connection).get_table_names():
                for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                    blob = " ".join(str(value) for value in row)
                    found += [f"{table}: {n}" for n in needles if n in blob]
    finally:
        engine.dispose()
    return found


def test_delete_my_data_leaves_no_row_anywhere(stack) -> None:
    server = stack.rasa[0]
    sender = _sender()
    # A word only this person wrote, to find their words anywhere they might be kept.
    marker = f"kx{secrets.token_hex(4)}"
    say(server, sender, "/give_consent")
    say(server, sender, f"I'm exhausted all the time and my feet keep tingling since {marker}")
    _run_to_assessment(server, sender)
    assert _rows_mentioning(stack, [marker]), "the person's words should have been kept"
    record_id = _latest_slot(stack.events(sender), "record_id")
    assert record_id, "consent should have created a record id"
    assert _rows_mentioning(stack, [record_id]), "the assessment should have been kept"

    confirm = say(server, sender, "delete my data")
    assert any(b.get("payload") == "/affirm" for m in confirm for b in m.get("buttons") or [])
    done = say(server, sender, "/affirm")
    assert "delete" in texts(done).lower()

    assert stack.events(sender) == []
    stored = stored_id(stack.env, sender)
    assert _rows_mentioning(stack, [sender, stored, record_id, marker]) == []
    if stack.redis_url:
        import redis

        keys = redis.Redis.from_url(stack.redis_url).keys(f"*{stored}*")
        assert keys == []


def test_cancelled_delete_keeps_everything(stack) -> None:
    server = stack.rasa[0]
    sender = _sender()
    say(server, sender, "/give_consent")
    say(server, sender, "I've had pins and needles for weeks")
    before = len(stack.events(sender))
    say(server, sender, "delete my data")
    kept = say(server, sender, "/deny")
    assert "delete" in texts(kept).lower()
    assert len(stack.events(sender)) > before


def test_info_logs_hold_no_symptom_words(stack) -> None:
    server = stack.rasa[0]
    sender = _sender()
    say(server, sender, "/give_consent")
    say(server, sender, "I'm exhausted, breathless on stairs and my tongue is sore")
    _run_to_assessment(server, sender)
    logs = stack.all_logs().lower()
    assert "info" in logs, "the servers should log at INFO"
    leaked = [word for word in SYMPTOM_WORDS if word in logs]
    assert leaked == [], f"symptom words in the INFO logs: {leaked}"


def test_two_replicas_share_one_conversation_in_order(stack) -> None:
    if stack.backend != "postgresql":
        pytest.skip("several Rasa servers need a shared database server and Redis locks")
    first = stack.rasa[0]
    second = stack.rasa[1] if len(stack.rasa) > 1 else stack.start_rasa("rasa-b")
    sender = _sender()
    say(first, sender, "/refuse_consent")
    say(second, sender, "I've been exhausted for months")
    reply = say(first, sender, "/start_check")
    sent = ["/refuse_consent", "I've been exhausted for months", "/start_check"]
    questions = [question_of(reply)]
    for turn in range(6):
        answer = answer_for(reply)
        reply = say(second if turn % 2 == 0 else first, sender, answer)
        sent.append(answer)
        questions.append(question_of(reply))
    asked = [q for q in questions if q]
    assert len(asked) == len(set(asked)), f"a question was asked twice: {asked}"

    # Two messages at the same moment, one to each server: the Redis lock serialises them.
    results: dict[str, list] = {}

    def send(server, key: str, message: str) -> None:  # noqa: ANN001
        results[key] = say(server, sender, message)

    threads = [
        threading.Thread(target=send, args=(first, "a", "what is vitamin b12?")),
        threading.Thread(target=send, args=(second, "b", "what foods contain b12?")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert results.get("a") and results.get("b")
    sent += ["what is vitamin b12?", "what foods contain b12?"]

    events = stack.events(sender)
    users = [e.get("text") for e in events if e.get("event") == "user"]
    assert users[:-2] == sent[:-2], "turns were lost or stored out of order"
    assert sorted(users[-2:]) == sorted(sent[-2:])
    # Each turn's events are contiguous: every user message is followed by the
    # bot's answer before the next user message (no interleaved turns).
    kinds = [e.get("event") for e in events if e.get("event") in ("user", "bot")]
    for index, kind in enumerate(kinds[:-1]):
        if kind == "user" and index > 0:
            assert kinds[index + 1] == "bot" or kinds[index - 1] == "bot"


def test_dead_database_stops_the_start_within_seconds(tmp_path) -> None:  # noqa: ANN001
    env = base_env("postgresql://postgres@127.0.0.1:1/nowhere", None, free_port(), "x" * 32)
    started = time.monotonic()
    check = subprocess.run(
        [sys.executable, "-m", "bot", "db", "check"], cwd=ROOT, env=env,
        capture_output=True, text=True, timeout=60,
    )
    took = time.monotonic() - started
    assert check.returncode == 1
    assert "Cannot reach the postgresql database" in check.stderr
    assert took < 10, f"the check took {took:.1f} s"

    started = time.monotonic()
    rasa = subprocess.run(
        [sys.executable, "-m", "bot.rasa_adapters.server", "run",
         "--model", str(ROOT / "models" / "b12.tar.gz"),
         "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
         "--port", str(free_port()), "--interface", "127.0.0.1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    took = time.monotonic() - started
    output = rasa.stdout + rasa.stderr
    assert "Cannot reach the postgresql database" in output, output[-2000:]
    assert rasa.returncode != 0 or "Stopping" in output
    (tmp_path / "took.txt").write_text(f"{took:.1f}")
