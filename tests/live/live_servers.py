"""Real assistant processes for the live tests: the action server and Rasa servers.

Each process runs as ``make run`` would start it (``python -m actions.server``,
``python -m bot.rasa_adapters.server run`` with the project's endpoints.yml and
credentials.yml), on free local ports, logging at INFO to a file the tests read afterwards.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
VENV_BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "b12.tar.gz"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def base_env(
    database_url: str, redis_url: str | None, actions_port: int, token: str
) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("B12_")}
    env.update(
        RASA_TELEMETRY_ENABLED="false",
        TF_CPP_MIN_LOG_LEVEL="2",
        PYTHONUNBUFFERED="1",
        SQLALCHEMY_SILENCE_UBER_WARNING="1",
        B12_DATABASE_URL=database_url,
        B12_ACTIONS_PORT=str(actions_port),
        B12_ACTIONS_URL=f"http://127.0.0.1:{actions_port}/webhook",
        B12_ACTIONS_TOKEN=token,
        B12_REST_TOKEN=f"rest-{token}",
        B12_ID_KEY=f"id-key-{token}",
    )
    if redis_url:
        env["B12_REDIS_URL"] = redis_url
    return env


@dataclass
class Process:
    name: str
    command: list[str]
    env: dict[str, str]
    health_url: str
    log_path: Path
    popen: subprocess.Popen | None = field(default=None, repr=False)

    def start(self, timeout: float = 300.0) -> Process:
        log = self.log_path.open("ab")
        self.popen = subprocess.Popen(
            self.command, cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.popen.poll() is not None:
                raise RuntimeError(f"{self.name} exited:\n{self.log_tail()}")
            try:
                urllib.request.urlopen(self.health_url, timeout=1).read()
                return self
            except (urllib.error.URLError, OSError):
                time.sleep(0.5)
        self.stop()
        raise RuntimeError(f"{self.name} did not start in {timeout:.0f} s:\n{self.log_tail()}")

    def stop(self, kill: bool = False) -> None:
        if self.popen is None or self.popen.poll() is not None:
            return
        self.popen.send_signal(signal.SIGKILL if kill else signal.SIGTERM)
        try:
            self.popen.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.popen.kill()
            self.popen.wait(timeout=30)

    def log_text(self) -> str:
        return self.log_path.read_text(errors="replace") if self.log_path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])


def action_server(env: dict[str, str], log_dir: Path) -> Process:
    port = env["B12_ACTIONS_PORT"]
    return Process(
        "action server",
        [sys.executable, "-m", "actions.server"],
        env,
        f"http://127.0.0.1:{port}/health",
        log_dir / "actions.log",
    )


def rasa_server(env: dict[str, str], log_dir: Path, name: str = "rasa") -> Process:
    port = free_port()
    return Process(
        name,
        [sys.executable, "-m", "bot.rasa_adapters.server", "run", "--model", str(MODEL),
         "--endpoints", "endpoints.yml",
         "--credentials", "credentials.yml", "--interface", "127.0.0.1", "--port", str(port)],
        env,
        f"http://127.0.0.1:{port}/",
        log_dir / f"{name}.log",
    )


def say(server: Process, sender: str, text: str, timeout: float = 120.0) -> list[dict[str, Any]]:
    """One REST turn: the bot's messages (text, buttons, custom)."""
    url = server.health_url.rstrip("/") + "/webhooks/rest/webhook"
    body = json.dumps({"sender": sender, "message": text}).encode()
    headers = {
        "Content-Type": "application/json",
        "Authorization": f"Bearer {server.env['B12_REST_TOKEN']}",
    }
    request = urllib.request.Request(url, body, headers)
    with urllib.request.urlopen(request, timeout=timeout) as reply:
        return json.loads(reply.read())


def stored_id(env: dict[str, str], sender: str) -> str:
    """The id a REST sender's conversation is stored under (a keyed hash, bot.channels.identity)."""
    from bot.channels.identity import pseudonym

    return pseudonym("rest", sender, env["B12_ID_KEY"].encode())


def texts(messages: list[dict[str, Any]]) -> str:
    return "\n".join(m.get("text", "") for m in messages if m.get("text"))


def buttons(messages: list[dict[str, Any]]) -> list[dict[str, str]]:
    found: list[dict[str, str]] = []
    for message in messages:
        found.extend(message.get("buttons") or [])
    return found


def custom(messages: list[dict[str, Any]], kind: str) -> dict[str, Any] | None:
    for message in messages:
        payload = message.get("custom")
        if isinstance(payload, dict) and payload.get("type") == kind:
            return payload
    return None


def question_of(messages: list[dict[str, Any]]) -> str | None:
    """The interview question on screen: the last message offering answer buttons."""
    for message in reversed(messages):
        payloads = {b.get("payload") for b in message.get("buttons") or []}
        if payloads & {"/affirm", "/deny", "/unsure"}:
            return message.get("text")
    return None


def answer_for(messages: list[dict[str, Any]]) -> str:
    """A plausible answer to whatever the interview asked: "no", an option, or an age."""
    payloads = [b.get("payload", "") for b in buttons(messages)]
    if "/deny" in payloads:
        return "/deny"
    options = [p for p in payloads if p and not p.startswith("/")]
    if options:
        return options[0]
    return "45"
