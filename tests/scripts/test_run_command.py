"""The README's first command, run for real: ready, answering, and stopped cleanly.

Each test starts the whole command (``make run`` or ``scripts/run.sh``) in the
background on free ports with its own state directory, waits for the ready
line, talks to the assistant, stops it the way a person or a supervisor does
(Ctrl+C on the terminal's process group, or SIGTERM to the script) and checks
that no server is left behind.
"""

from __future__ import annotations

import contextlib
import json
import os
import re
import secrets
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Iterator

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "live"))
from live_servers import free_port  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]
# The virtual environment these tests run in (sys.prefix, not the interpreter it links to).
VENV = Path(sys.prefix) if (Path(sys.prefix) / "pyvenv.cfg").exists() else ROOT / ".venv"
READY = re.compile(r"The B12 check is ready\. Open (\S+) in your browser")

pytestmark = pytest.mark.slow


class Command:
    """One run of the command, its output collected line by line as it comes."""

    def __init__(self, argv: list[str], env: dict[str, str]) -> None:
        self.lines: list[str] = []
        self.popen = subprocess.Popen(
            argv, cwd=ROOT, env=env, stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT, text=True, start_new_session=True,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            self.lines.append(line.rstrip("\n"))

    @property
    def output(self) -> str:
        return "\n".join(self.lines)

    def wait_for(self, pattern: re.Pattern[str], timeout: float = 900.0) -> re.Match[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for line in list(self.lines):
                found = pattern.search(line)
                if found:
                    return found
            if self.popen.poll() is not None:
                self._reader.join(timeout=5)
                pytest.fail(f"the command ended ({self.popen.returncode}) before "
                            f"{pattern.pattern!r}:\n{self.output[-4000:]}")
            time.sleep(0.5)
        self.kill()
        pytest.fail(f"no {pattern.pattern!r} within {timeout:.0f} s:\n{self.output[-4000:]}")

    def wait(self, timeout: float = 60.0) -> int:
        try:
            code = self.popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.kill()
            pytest.fail(f"the command did not stop within {timeout:.0f} s:\n{self.output[-4000:]}")
        self._reader.join(timeout=5)
        return code

    def kill(self) -> None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.popen.pid, signal.SIGKILL)


def pid_running(module: str, ancestor: int) -> int:
    """The pid of the ``python -m <module>`` process started under ``ancestor``."""
    for entry in Path("/proc").glob("[0-9]*"):
        with contextlib.suppress(OSError):
            argv = (entry / "cmdline").read_bytes().split(b"\0")
            if module.encode() in argv and os.getpgid(int(entry.name)) == ancestor:
                return int(entry.name)
    raise AssertionError(f"no {module} process in the command's group")


def listening(port: int) -> bool:
    import socket

    with socket.socket() as sock:
        sock.settimeout(0.5)
        return sock.connect_ex(("127.0.0.1", port)) == 0


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def rest_turn(port: int, token: str, sender: str, text: str) -> list[dict[str, Any]]:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        json.dumps({"sender": sender, "message": text}).encode(),
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    with urllib.request.urlopen(request, timeout=120) as reply:
        return json.loads(reply.read())


@pytest.fixture
def run_env(tmp_path: Path) -> dict[str, str]:
    """The environment of a new user's shell: no platform, no B12 settings but ports."""
    env = {
        k: v for k, v in os.environ.items()
        if not k.startswith(("B12_", "TELEGRAM_", "SLACK_", "FACEBOOK_", "TWILIO_"))
    }
    env.update(
        B12_VENV=str(VENV),
        B12_VAR_DIR=str(tmp_path / "var"),
        B12_PORT=str(free_port()),
        B12_ACTIONS_PORT=str(free_port()),
        B12_REST_TOKEN=secrets.token_hex(16),
        B12_ID_KEY=secrets.token_hex(32),
        B12_API_TOKEN=secrets.token_hex(16),
        RASA_TELEMETRY_ENABLED="false",
    )
    return env


def stopped_cleanly(command: Command, env: dict[str, str]) -> None:
    """Both servers' ports are closed and nothing of the command's process group is left."""
    for port in (int(env["B12_PORT"]), int(env["B12_ACTIONS_PORT"])):
        assert not listening(port), f"port {port} still answers after the stop"
    deadline = time.monotonic() + 10
    while group_alive(command.popen.pid) and time.monotonic() < deadline:
        time.sleep(0.2)
    assert not group_alive(command.popen.pid), "a server outlived the command"


def test_run_serves_the_web_chat_until_sigterm_then_exits_0(run_env: dict[str, str]) -> None:
    command = Command(["bash", "scripts/run.sh"], run_env)
    try:
        url = command.wait_for(READY).group(1)
        port = int(run_env["B12_PORT"])
        assert url == f"http://localhost:{port}/webchat/"
        time.sleep(3)  # the default path used to exit right after the ready line
        assert command.popen.poll() is None, f"run.sh ended after the ready line:\n{command.output}"
        page = urllib.request.urlopen(url, timeout=10).read().decode()
        assert "<html" in page.lower()
        reply = rest_turn(port, run_env["B12_REST_TOKEN"], secrets.token_hex(8), "hello")
        assert any("B12" in (m.get("text") or "") for m in reply), reply
        assert "Messaging platforms on" not in command.output
        # The API token is in no process's command line, and the API takes it.
        token = run_env["B12_API_TOKEN"]
        for cmdline in Path("/proc").glob("[0-9]*/cmdline"):
            with contextlib.suppress(OSError):
                assert token.encode() not in cmdline.read_bytes(), cmdline
        status = f"http://127.0.0.1:{port}/status"
        assert urllib.request.urlopen(f"{status}?token={token}", timeout=10).status == 200
        with pytest.raises(urllib.error.HTTPError) as refused:
            urllib.request.urlopen(status, timeout=10)
        assert refused.value.code == 401
        var = Path(run_env["B12_VAR_DIR"])
        assert oct(var.stat().st_mode & 0o777) == "0o700"
        assert all(oct(f.stat().st_mode & 0o777) == "0o600" for f in var.iterdir() if f.is_file())

        # A crashed server is started again, and the person's conversation carries on.
        sender = secrets.token_hex(8)
        rest_turn(port, run_env["B12_REST_TOKEN"], sender, "I've been exhausted for months")
        for name in ("actions.server", "bot.rasa_adapters.server"):
            os.kill(pid_running(name, command.popen.pid), signal.SIGKILL)
            command.wait_for(re.compile(r"stopped unexpectedly; starting it again"), 30)
            lines = len(command.lines)
            command.wait_for(re.compile(r"Starting the action server|The assistant is ready again"),
                             300)
            assert command.popen.poll() is None
            assert len(command.lines) >= lines
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError):
                reply = rest_turn(port, run_env["B12_REST_TOKEN"], sender, "/start_check")
                break
            time.sleep(1)
        assert reply and any(m.get("text") for m in reply), reply
        import sqlite3

        from bot.channels.identity import pseudonym

        stored = pseudonym("rest", sender, run_env["B12_ID_KEY"].encode())
        with contextlib.closing(sqlite3.connect(var / "b12.db")) as db:
            said = [json.loads(row[0]).get("text") for row in db.execute(
                "SELECT data FROM events WHERE sender_id = ? AND type_name = 'user' ORDER BY id",
                (stored,))]
        assert said == ["I've been exhausted for months", "/start_check"], said
        os.kill(command.popen.pid, signal.SIGTERM)
        assert command.wait() == 0, command.output[-3000:]
        assert "Stopping the assistant" in command.output
        stopped_cleanly(command, run_env)
    finally:
        command.kill()


class TelegramApi(BaseHTTPRequestHandler):
    """A local Telegram Bot API server: records every call and answers like Telegram."""

    calls: list[tuple[str, dict[str, Any]]] = []

    def do_POST(self) -> None:  # noqa: N802 - http.server's naming
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        method = self.path.rsplit("/", 1)[-1]
        params: dict[str, Any] = {}
        if body:
            kind = self.headers.get("Content-Type", "")
            if "json" in kind:
                params = json.loads(body)
            else:
                from urllib.parse import parse_qsl

                params = dict(parse_qsl(body.decode()))
        self.calls.append((method, params))
        result: Any = True
        if method.lower() == "getme":
            result = {"id": 42, "is_bot": True, "first_name": "B12", "username": "b12_check_bot"}
        elif method.lower() == "sendmessage":
            result = {"message_id": len(self.calls), "date": int(time.time()),
                      "chat": {"id": int(params.get("chat_id", 0)), "type": "private"},
                      "text": params.get("text", "")}
        data = json.dumps({"ok": True, "result": result}).encode()
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    do_GET = do_POST

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def telegram_api() -> Iterator[tuple[str, list]]:
    TelegramApi.calls = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), TelegramApi)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}", TelegramApi.calls
    server.shutdown()


def test_make_run_with_telegram_configured_answers_there_and_stops_on_ctrl_c(
    run_env: dict[str, str], telegram_api: tuple[str, list]
) -> None:
    api_url, calls = telegram_api
    token = f"123456:{secrets.token_hex(12)}"
    run_env.update(
        TELEGRAM_TOKEN=token,
        TELEGRAM_BOT_NAME="b12_check_bot",
        TELEGRAM_WEBHOOK_URL="https://b12.example.org/webhooks/telegram/webhook",
        TELEGRAM_API_URL=api_url,
    )
    command = Command(["make", "--no-print-directory", "run"], run_env)
    try:
        command.wait_for(READY)
        assert "Messaging platforms on: telegram" in command.output
        assert ("setWebhook", {"url": run_env["TELEGRAM_WEBHOOK_URL"]}) in [
            (m, {k: v for k, v in p.items() if k == "url"}) for m, p in calls
        ]
        credentials = (Path(run_env["B12_VAR_DIR"]) / "credentials.yml").read_text()
        assert token not in credentials, "the bot token was written to disk"
        assert oct((Path(run_env["B12_VAR_DIR"]) / "credentials.yml").stat().st_mode & 0o777) \
            == "0o600"
        update = {"update_id": 1, "message": {
            "message_id": 1, "date": int(time.time()), "text": "hello",
            "chat": {"id": 987654, "type": "private"},
            "from": {"id": 987654, "is_bot": False, "first_name": "Sam"},
        }}
        request = urllib.request.Request(
            f"http://127.0.0.1:{run_env['B12_PORT']}/webhooks/telegram/webhook",
            json.dumps(update).encode(), {"Content-Type": "application/json"},
        )
        assert urllib.request.urlopen(request, timeout=120).read() == b"success"
        sent = [p for m, p in calls if m == "sendMessage"]
        assert sent and all(str(p.get("chat_id")) == "987654" for p in sent), calls
        assert any("B12" in p.get("text", "") for p in sent), sent
        # Ctrl+C in a terminal signals the whole foreground process group.
        os.killpg(command.popen.pid, signal.SIGINT)
        code = command.wait()
        assert code in (0, -signal.SIGINT), command.output[-3000:]
        assert "Error" not in command.output.split("ready.")[-1], command.output[-3000:]
        stopped_cleanly(command, run_env)
    finally:
        command.kill()
