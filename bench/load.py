"""Load test: the cluster behind HAProxy next to a bare `rasa init` bot, same load, same run.

Simulated people hold scripted multi-turn conversations over the REST channel, each
sending its next message as soon as the reply arrives. In one run this builds a bare
``rasa init`` bot in a scratch folder (``rasa init --no-prompt``, which trains it) and
serves it as one ``rasa run``, starts the assistant's cluster with ``scripts/cluster.sh``
(HAProxy, N Rasa servers, M action servers) on a fresh PostgreSQL database and Redis,
and drives both with the same conversations at the same concurrency, one after the
other. For each it prints turns per second, p50/p95/p99 latency, errors and the CPU
time per turn of its server processes; then it reads every conversation back from
where it is stored (the assistant's database; the bare bot's HTTP API) and counts the
person's messages lost or stored twice.

``--failover`` adds a run in which one Rasa server is killed (SIGKILL) halfway through:
it prints how long the balancer took to stop sending to it, the turns it retried on
another server, the errors people saw and the latency in the seconds after the kill.

Loopback only, and bounded: at most 200 people, 200 turns each and 600 s of load per
run; every request gives up after 60 s. Nothing here is a test: it prints numbers.

Usage: .venv/bin/python bench/load.py [--users 50] [--duration 60] [--replicas 2]
       [--actions 2] [--failover] [--skip-bare] [--url http://127.0.0.1:5800]
(``--url``: load a cluster already running, e.g. ``make cluster``, with its
B12_REST_TOKEN; events are checked when B12_DATABASE_URL and B12_ID_KEY are set too.)
"""

from __future__ import annotations

import argparse
import asyncio
import csv
import io
import ipaddress
import json
import os
import random
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable
from urllib.parse import urlsplit

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
RASA = str(VENV_BIN / "rasa")
MAX_USERS = 200
MAX_TURNS = 200
MAX_DURATION_S = 600.0
REQUEST_TIMEOUT_S = 60.0
POSTGRES = os.environ.get("B12_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres")
REDIS = os.environ.get("B12_TEST_REDIS_URL", "redis://127.0.0.1:6379/13")
BASE_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("B12_")},
    "RASA_TELEMETRY_ENABLED": "false",
    "TF_CPP_MIN_LOG_LEVEL": "2",
    "PYTHONUNBUFFERED": "1",
    "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
}

# One person's conversation: the opening, symptoms, history, two interview answers, then
# questions about the result: the same messages as bench/rest_latency.py, taken from there.
sys.path.insert(0, str(Path(__file__).resolve().parent))
from rest_latency import CONVERSATION  # noqa: E402

# ---------------------------------------------------------------------------- load


@dataclass
class Turn:
    """One message and its reply, as the person saw it."""

    sender: str
    index: int
    started: float
    ms: float
    ok: bool
    status: int | str | None
    retried: bool = False
    first_status: int | str | None = None


@dataclass
class Phase:
    """What one server (or cluster) did under one load."""

    name: str
    users: int
    started: float = 0.0
    deadline: float = 0.0
    ended: float = 0.0
    turns: list[Turn] = field(default_factory=list)
    # The messages each conversation had answered, in order: what must be stored.
    answered: dict[str, list[str]] = field(default_factory=dict)
    cpu_s: float | None = None
    store_cpu_s: float | None = None
    load_before: tuple[float, float, float] = (0.0, 0.0, 0.0)
    load_after: tuple[float, float, float] = (0.0, 0.0, 0.0)
    lost: int | None = None
    duplicated: int | None = None
    complete: int | None = None

    def counted(self) -> list[Turn]:
        """Turns answered within the measured window (the throughput's numerator)."""
        return [t for t in self.turns if t.started + t.ms / 1000 <= self.deadline]

    def turns_per_s(self) -> float:
        return len(self.counted()) / max(self.deadline - self.started, 1e-9)

    def errors(self) -> int:
        """Turns whose first attempt the person saw fail."""
        return sum(1 for t in self.turns if not t.ok or t.retried)

    def failed(self) -> int:
        """Turns that failed even when sent again."""
        return sum(1 for t in self.turns if not t.ok)


def percentile(values: Iterable[float], q: float) -> float:
    ordered = sorted(values)
    if not ordered:
        return float("nan")
    index = min(len(ordered) - 1, max(0, int(round(q / 100 * len(ordered) + 0.5)) - 1))
    return ordered[index]


def require_loopback(url: str) -> None:
    """Refuse any target that is not this machine: this is not a tool to load others."""
    host = urlsplit(url).hostname or ""
    try:
        address = ipaddress.ip_address(socket.gethostbyname(host))
    except (OSError, ValueError):
        raise SystemExit(f"error: cannot resolve {host!r}") from None
    if not address.is_loopback:
        raise SystemExit(f"error: {url} is not on this machine; the load runs on loopback only")


async def _send(session: Any, url: str, token: str | None, sender: str, text: str,
                needs_reply: bool) -> tuple[bool, int | str | None]:
    """Whether the turn was answered, and the HTTP status (or the client error's name)."""
    import aiohttp

    headers = {"Authorization": f"Bearer {token}"} if token else {}
    try:
        async with session.post(
            f"{url}/webhooks/rest/webhook", json={"sender": sender, "message": text},
            headers=headers, timeout=aiohttp.ClientTimeout(total=REQUEST_TIMEOUT_S),
        ) as reply:
            body = await reply.read()
            if reply.status != 200:
                return False, reply.status
            messages = json.loads(body)
            return (bool(messages) or not needs_reply), reply.status
    except (aiohttp.ClientError, asyncio.TimeoutError, ValueError) as error:
        return False, type(error).__name__


async def converse(session: Any, url: str, token: str | None, sender: str, script: list[str],
                   phase: Phase, needs_reply: bool, pause_s: float = 0.0) -> None:
    """One person's conversation; a failed turn is sent once more after a second, as a
    person would, and counted as an error either way."""
    answered = phase.answered.setdefault(sender, [])
    for index, text in enumerate(script):
        started = time.monotonic()
        ok, status = await _send(session, url, token, sender, text, needs_reply)
        first_status = status
        retried = False
        if not ok:
            retried = True
            await asyncio.sleep(1.0)
            ok, status = await _send(session, url, token, sender, text, needs_reply)
        ms = (time.monotonic() - started) * 1000
        phase.turns.append(Turn(sender, index, started, ms, ok, status, retried, first_status))
        if ok:
            answered.append(text)
        if pause_s:
            await asyncio.sleep(pause_s)


async def drive(url: str, token: str | None, name: str, users: int, duration: float,
                script: list[str], needs_reply: bool = True,
                during: Callable[[Phase], Any] | None = None) -> Phase:
    """``users`` people, each starting conversation after conversation for ``duration``
    seconds (the last one is finished, not cut)."""
    import aiohttp

    phase = Phase(name, users, load_before=os.getloadavg())
    prefix = f"load-{secrets.token_hex(3)}"
    connector = aiohttp.TCPConnector(limit=users + 4, force_close=False)
    async with aiohttp.ClientSession(connector=connector) as session:
        phase.started = time.monotonic()
        phase.deadline = phase.started + duration

        async def person(number: int) -> None:
            await asyncio.sleep(random.uniform(0, 1.0))  # people do not all arrive at once
            k = 0
            while time.monotonic() < phase.deadline:
                await converse(session, url, token, f"{prefix}-u{number}-c{k}", script,
                               phase, needs_reply)
                k += 1

        watcher = asyncio.ensure_future(during(phase)) if during else None
        await asyncio.gather(*(person(n) for n in range(users)))
        phase.ended = time.monotonic()
        if watcher is not None:
            await watcher
    phase.load_after = os.getloadavg()
    return phase


# ----------------------------------------------------------------- processes and CPU


def cpu_seconds(pids: Iterable[int]) -> float:
    """User + system CPU time of these processes (all their threads), in seconds."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        total += int(fields[11]) + int(fields[12])
    return total / tick


def pids_named(*names: str) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                if (entry / "comm").read_text().strip() in names:
                    found.append(int(entry.name))
            except OSError:
                continue
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def free_port_block(size: int = 32) -> int:
    """A base port with ``size`` free ports after it (the cluster's layout)."""
    for _ in range(200):
        base = random.randrange(20000, 40000)
        ok = True
        for port in range(base, base + size):
            with socket.socket() as sock:
                try:
                    sock.bind(("127.0.0.1", port))
                except OSError:
                    ok = False
                    break
        if ok:
            return base
    raise RuntimeError("no free block of ports found")


def http_status(url: str, timeout: float = 2.0) -> int | None:
    try:
        with urllib.request.urlopen(url, timeout=timeout) as reply:
            return reply.status
    except urllib.error.HTTPError as error:
        return error.code
    except OSError:
        return None


# ------------------------------------------------------------------------- cluster


class Cluster:
    """``scripts/cluster.sh`` started for a run: its own ports, folder and database."""

    def __init__(self, replicas: int, actions: int, folder: Path, database_url: str,
                 redis_url: str, max_restarts: int = 5, model: Path | None = None) -> None:
        self.replicas = replicas
        self.actions = actions
        self.folder = folder
        self.base = free_port_block()
        self.rest_token = secrets.token_hex(16)
        self.id_key = secrets.token_hex(32)
        self.database_url = database_url
        self.env = {
            **BASE_ENV,
            "B12_CLUSTER_PORT": str(self.base),
            "B12_CLUSTER_DIR": str(folder),
            "B12_DATABASE_URL": database_url,
            "B12_REDIS_URL": redis_url,
            "B12_REST_TOKEN": self.rest_token,
            "B12_ID_KEY": self.id_key,
            "B12_LOG_LEVEL": "WARNING",
            "B12_MAX_RESTARTS": str(max_restarts),
            "B12_MODEL": str(model or ROOT / "models" / "b12.tar.gz"),
        }
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.base}"

    @property
    def stats_url(self) -> str:
        return f"http://127.0.0.1:{self.base + 1}/;csv"

    def start(self, timeout: float = 900.0) -> Cluster:
        self.folder.mkdir(parents=True, exist_ok=True)
        log = (self.folder / "cluster.log").open("ab")
        self.process = subprocess.Popen(
            ["bash", str(ROOT / "scripts" / "cluster.sh"), str(self.replicas), str(self.actions)],
            cwd=ROOT, env=self.env, stdout=log, stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL, start_new_session=True,
        )
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"scripts/cluster.sh exited:\n{self.log_tail()}")
            if "cluster is ready" in self.log_text():
                return self
            time.sleep(1)
        self.stop()
        raise RuntimeError(f"the cluster was not ready in {timeout:.0f} s:\n{self.log_tail()}")

    def log_text(self) -> str:
        path = self.folder / "cluster.log"
        return path.read_text(errors="replace") if path.exists() else ""

    def log_tail(self, lines: int = 40) -> str:
        return "\n".join(self.log_text().splitlines()[-lines:])

    def pid(self, name: str) -> int | None:
        try:
            return int((self.folder / f"{name}.pid").read_text())
        except (OSError, ValueError):
            return None

    def server_pids(self) -> list[int]:
        names = ["balancer", *(f"rasa-{i}" for i in range(1, self.replicas + 1)),
                 *(f"actions-{i}" for i in range(1, self.actions + 1))]
        return [pid for pid in (self.pid(name) for name in names) if pid]

    def stats(self) -> dict[tuple[str, str], dict[str, str]]:
        """The balancer's status table: (backend, server) -> its CSV row."""
        with urllib.request.urlopen(self.stats_url, timeout=2) as reply:
            text = reply.read().decode().lstrip("# ")
        return {(row["pxname"], row["svname"]): row for row in csv.DictReader(io.StringIO(text))}

    def status_of(self, server: str, backend: str = "rasa") -> str:
        return self.stats().get((backend, server), {}).get("status", "?")

    def wait_all_up(self, timeout: float = 600.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                if all(self.status_of(f"rasa{i}").startswith("UP")
                       for i in range(1, self.replicas + 1)):
                    return
            except OSError:
                pass
            time.sleep(1)
        raise RuntimeError("not every Rasa server came back up")

    def stop(self, timeout: float = 90.0) -> int | None:
        """SIGTERM to the script, which stops everything it started; returns its status."""
        if self.process is None or self.process.poll() is not None:
            return None if self.process is None else self.process.returncode
        self.process.send_signal(signal.SIGTERM)
        try:
            return self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(self.process.pid, signal.SIGKILL)  # the session this run started
            self.process.wait(timeout=30)
            return None


def fresh_database(prefix: str = "b12_load") -> tuple[str, str]:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    base = make_url(POSTGRES)
    name = f"{prefix}_{secrets.token_hex(5)}"
    engine = create_engine(base, isolation_level="AUTOCOMMIT", connect_args={"connect_timeout": 3})
    with engine.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return base.set(database=name).render_as_string(hide_password=False), name


def drop_database(name: str) -> None:
    from sqlalchemy import create_engine, text
    from sqlalchemy.engine import make_url

    engine = create_engine(make_url(POSTGRES), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = :n"
        ), {"n": name})
        connection.execute(text(f'DROP DATABASE IF EXISTS "{name}"'))
    engine.dispose()


# -------------------------------------------------------------------- stored events


def compare(expected: dict[str, list[str]], stored: dict[str, list[str]]) -> tuple[int, int, int]:
    """(messages lost, messages stored more than once, conversations stored exactly)."""
    lost = duplicated = complete = 0
    for sender, said in expected.items():
        kept = stored.get(sender, [])
        want, have = Counter(said), Counter(kept)
        lost += sum((want - have).values())
        duplicated += sum((have - want).values())
        complete += kept == said
    return lost, duplicated, complete


def stored_messages_sql(
    database_url: str, id_key: str, senders: Iterable[str]
) -> dict[str, list[str]]:
    """Each REST sender's stored user messages, in order, from the assistant's database."""
    sys.path.insert(0, str(ROOT))
    from sqlalchemy import bindparam, create_engine, text

    from bot.channels.identity import pseudonym

    ids = {pseudonym("rest", sender, id_key.encode()): sender for sender in senders}
    found: dict[str, list[str]] = {sender: [] for sender in ids.values()}
    engine = create_engine(database_url)
    query = text(
        "SELECT sender_id, data FROM events WHERE type_name = 'user' AND sender_id IN :ids "
        "ORDER BY id"
    ).bindparams(bindparam("ids", expanding=True))
    try:
        with engine.connect() as connection:
            chunk = list(ids)
            for start in range(0, len(chunk), 500):
                rows = connection.execute(query, {"ids": chunk[start:start + 500]}).all()
                for stored_id, data in rows:
                    found[ids[stored_id]].append(json.loads(data).get("text"))
    finally:
        engine.dispose()
    return found


def stored_messages_api(url: str, senders: Iterable[str]) -> dict[str, list[str]]:
    """Each sender's user messages as Rasa's HTTP API returns them (the bare bot)."""
    found = {}
    for sender in senders:
        with urllib.request.urlopen(f"{url}/conversations/{sender}/tracker?include_events=ALL",
                                    timeout=30) as reply:
            events = json.loads(reply.read()).get("events") or []
        found[sender] = [e.get("text") for e in events if e.get("event") == "user"]
    return found


# ---------------------------------------------------------------------- bare bot


def build_bare_bot(folder: Path) -> Path:
    """A `rasa init` bot trained in ``folder``; returns its model."""
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(folder)], env=BASE_ENV,
                   check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
    models = sorted((folder / "models").glob("*.tar.gz"))
    if not models:
        subprocess.run([RASA, "train", "--quiet"], cwd=folder, env=BASE_ENV, check=True,
                       stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        models = sorted((folder / "models").glob("*.tar.gz"))
    return models[-1]


def serve_bare_bot(folder: Path, model: Path, port: int) -> subprocess.Popen:
    """``rasa run`` with Rasa's in-memory stores, its API on (loopback) to read events back."""
    process = subprocess.Popen(
        [RASA, "run", "--model", str(model), "--port", str(port), "--interface", "127.0.0.1",
         "--enable-api", "--credentials", "credentials.yml"],
        cwd=folder, env=BASE_ENV, stdout=(folder / "server.log").open("w"),
        stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"the bare bot exited; see {folder / 'server.log'}")
        if http_status(f"http://127.0.0.1:{port}/") == 200:
            return process
        time.sleep(1)
    raise RuntimeError("the bare bot did not start in 300 s")


def stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.send_signal(signal.SIGTERM)
    try:
        process.wait(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait(timeout=30)


# ------------------------------------------------------------------------- report


def describe(phase: Phase) -> str:
    ms = [t.ms for t in phase.turns]
    cpu = (f"{phase.cpu_s / len(phase.turns) * 1000:>8.1f}"
           if phase.cpu_s and phase.turns else f"{'-':>8}")
    store = (f"{phase.store_cpu_s / len(phase.turns) * 1000:>7.1f}"
             if phase.store_cpu_s is not None and phase.turns else f"{'-':>7}")
    lost = "-" if phase.lost is None else str(phase.lost)
    dup = "-" if phase.duplicated is None else str(phase.duplicated)
    return (f"{phase.name:<34}{phase.users:>6}{len(phase.turns):>7}{phase.turns_per_s():>9.1f}"
            f"{percentile(ms, 50):>9.0f}{percentile(ms, 95):>9.0f}{percentile(ms, 99):>9.0f}"
            f"{phase.errors():>7}{cpu}{store}{lost:>6}{dup:>5}"
            f"   {phase.load_before[0]:.2f}/{phase.load_after[0]:.2f}")


HEADER = (f"{'setup':<34}{'users':>6}{'turns':>7}{'turns/s':>9}{'p50 ms':>9}{'p95 ms':>9}"
          f"{'p99 ms':>9}{'errors':>7}{'CPU ms':>8}{'+store':>7}{'lost':>6}{'dup':>5}"
          f"   load avg before/after")


def check_events(phase: Phase, reader: Callable[[Iterable[str]], dict[str, list[str]]]) -> None:
    stored = reader(phase.answered.keys())
    phase.lost, phase.duplicated, phase.complete = compare(phase.answered, stored)


# --------------------------------------------------------------------------- runs


async def measure_cluster(cluster: Cluster, users: int, duration: float, label: str,
                          script: list[str], kill_at: float | None = None) -> tuple[Phase, dict]:
    """A load phase through the balancer; with ``kill_at``, SIGKILL rasa-1 that many
    seconds in and watch the balancer take it out."""
    failover: dict[str, Any] = {}

    async def watch(phase: Phase) -> None:
        if kill_at is None:
            return
        await asyncio.sleep(max(0.0, phase.started + kill_at - time.monotonic()))
        victim = cluster.pid("rasa-1")
        before = cluster.stats()
        failover["retries_before"] = sum(
            int(before.get(("rasa", "BACKEND"), {}).get(key) or 0) for key in ("wretr", "wredis"))
        failover["killed_at"] = time.monotonic()
        if victim:
            os.kill(victim, signal.SIGKILL)
        sent_after_down = None
        while time.monotonic() < phase.deadline + 30:
            stats = await asyncio.to_thread(cluster.stats)
            row = stats.get(("rasa", "rasa1"), {})
            if "down_after_s" not in failover and row.get("status", "").startswith("DOWN"):
                failover["down_after_s"] = time.monotonic() - failover["killed_at"]
                sent_after_down = int(row.get("stot") or 0)
            if sent_after_down is not None:
                failover["sent_after_down"] = int(row.get("stot") or 0) - sent_after_down
                if time.monotonic() > phase.deadline:
                    break
            await asyncio.sleep(0.1)
        after = await asyncio.to_thread(cluster.stats)
        failover["retries"] = sum(
            int(after.get(("rasa", "BACKEND"), {}).get(key) or 0) for key in ("wretr", "wredis")
        ) - failover["retries_before"]

    pids = cluster.server_pids()
    stores = pids_named("postgres", "redis-server")
    cpu0, store0 = cpu_seconds(pids), cpu_seconds(stores)
    phase = await drive(cluster.url, cluster.rest_token, label, users, duration, script,
                        during=watch)
    # A restarted server's CPU is not comparable; count the ones that lived through it.
    alive = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
    phase.cpu_s = cpu_seconds(alive) - cpu0 if alive == pids else None
    phase.store_cpu_s = cpu_seconds(stores) - store0
    return phase, failover


def failover_report(phase: Phase, failover: dict) -> list[str]:
    killed = failover.get("killed_at")
    if killed is None:
        return ["failover: the replica was not killed (the run ended first)"]
    window = [t for t in phase.turns if killed - 1 <= t.started <= killed + 10]
    ms = [t.ms for t in window]
    down = failover.get("down_after_s")
    return [
        f"failover: rasa-1 killed {killed - phase.started:.1f} s into the run; "
        + (f"marked DOWN by the balancer {down:.1f} s later" if down is not None
           else "never marked DOWN"),
        f"  requests the balancer sent to it after that: {failover.get('sent_after_down', '?')}; "
        f"turns it sent again to another server: {failover.get('retries', '?')}",
        f"  errors people saw: {phase.errors()} (failed even when sent again: {phase.failed()}; "
        f"statuses: {dict(Counter(t.first_status for t in phase.turns if t.retried)) or '-'})",
        f"  turns started from 1 s before to 10 s after the kill: {len(window)}, "
        f"p50 {percentile(ms, 50):.0f} ms, p95 {percentile(ms, 95):.0f} ms, "
        f"max {max(ms) if ms else float('nan'):.0f} ms",
    ]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--users", type=int, default=50, help="concurrent conversations")
    parser.add_argument("--duration", type=float, default=60.0,
                        help="seconds each run starts new conversations")
    parser.add_argument("--replicas", type=int, default=2, help="Rasa servers in the cluster")
    parser.add_argument("--actions", type=int, default=2, help="action servers in the cluster")
    parser.add_argument("--failover", action="store_true",
                        help="also a run with one Rasa server killed halfway")
    parser.add_argument("--skip-bare", action="store_true", help="the cluster only")
    parser.add_argument("--url", help="load this running cluster instead of starting one")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder and database")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "b12.tar.gz",
                        help="the assistant's trained model")
    args = parser.parse_args()
    if not 1 <= args.users <= MAX_USERS:
        parser.error(f"--users must be 1 to {MAX_USERS}")
    if not 1 <= args.duration <= MAX_DURATION_S:
        parser.error(f"--duration must be 1 to {MAX_DURATION_S:.0f} seconds")
    if len(CONVERSATION) > MAX_TURNS:
        parser.error("the script is too long")
    if args.url:
        return run_against(args)
    if not args.model.exists():
        print(f"{args.model} is missing: run `make train` first", file=sys.stderr)
        return 2
    return asyncio.run(full_run(args))


def run_against(args: argparse.Namespace) -> int:
    """Load a cluster someone else started; events checked when the database is known."""
    url = args.url.rstrip("/")
    require_loopback(url)
    token = os.environ.get("B12_REST_TOKEN")
    phase = asyncio.run(drive(url, token, f"{url}", args.users, args.duration, CONVERSATION))
    database, key = os.environ.get("B12_DATABASE_URL"), os.environ.get("B12_ID_KEY")
    if database and key:
        check_events(phase, lambda s: stored_messages_sql(database, key, s))
    print(HEADER)
    print(describe(phase))
    return 0


async def full_run(args: argparse.Namespace) -> int:
    scratch = Path(tempfile.mkdtemp(prefix="b12-load-"))
    bare = cluster = None
    database = None
    results: list[Phase] = []
    lines: list[str] = []
    try:
        print(f"machine: {os.cpu_count()} cores, load average {os.getloadavg()[0]:.2f} at start")
        if not args.skip_bare:
            t0 = time.monotonic()
            bare_model = build_bare_bot(scratch / "init")
            print(f"bare rasa init bot trained in {time.monotonic() - t0:.0f} s")
        database_url, database = fresh_database()
        cluster = Cluster(args.replicas, args.actions, scratch / "cluster", database_url, REDIS,
                          model=args.model.resolve())
        t0 = time.monotonic()
        cluster.start()
        print(f"cluster of {args.replicas} Rasa + {args.actions} action servers ready in "
              f"{time.monotonic() - t0:.0f} s")
        if not args.skip_bare:
            bare_port = free_port()
            bare = serve_bare_bot(scratch / "init", bare_model, bare_port)
            bare_url = f"http://127.0.0.1:{bare_port}"
            await drive(bare_url, None, "warm-up", 4, 3, CONVERSATION[:3], needs_reply=False)
        await drive(cluster.url, cluster.rest_token, "warm-up", 4, 3, CONVERSATION[:3])

        if not args.skip_bare:
            cpu0 = cpu_seconds([bare.pid])
            phase = await drive(bare_url, None, "bare rasa init, 1 server", args.users,
                                args.duration, CONVERSATION, needs_reply=False)
            phase.cpu_s = cpu_seconds([bare.pid]) - cpu0
            check_events(phase, lambda s: stored_messages_api(bare_url, s))
            results.append(phase)
            stop(bare)  # its memory and idle work out of the cluster's run
            bare = None
        label = f"b12, HAProxy + {args.replicas} Rasa + {args.actions} act."
        phase, _ = await measure_cluster(cluster, args.users, args.duration, label, CONVERSATION)
        check_events(phase, lambda s: stored_messages_sql(database_url, cluster.id_key, s))
        results.append(phase)
        if args.failover:
            cluster.wait_all_up()
            phase, failover = await measure_cluster(
                cluster, args.users, args.duration, label.replace("b12,", "failover,"),
                CONVERSATION, kill_at=args.duration / 2)
            check_events(phase, lambda s: stored_messages_sql(database_url, cluster.id_key, s))
            results.append(phase)
            lines += failover_report(phase, failover)

        print()
        print(HEADER)
        for phase in results:
            print(describe(phase))
        print("(CPU ms: the server processes' CPU time per turn: Rasa, action servers and "
              "balancer; +store: PostgreSQL and Redis, the whole machine's)")
        if not args.skip_bare and len(results) >= 2:
            bare_phase, ours = results[0], results[1]
            b95 = percentile([t.ms for t in bare_phase.turns], 95)
            o95 = percentile([t.ms for t in ours.turns], 95)
            cpu = ""
            if ours.cpu_s and bare_phase.cpu_s:
                ratio = (ours.cpu_s / len(ours.turns)) / (bare_phase.cpu_s / len(bare_phase.turns))
                cpu = f", CPU per turn {ratio:.2f}x (target <= 1.0)"
            print(f"ours / bare: throughput {ours.turns_per_s() / bare_phase.turns_per_s():.2f}x "
                  f"(target >= 1.5), p95 {o95 / b95:.2f}x (target <= 1.1){cpu}")
        for phase in results:
            if phase.complete is not None:
                print(f"{phase.name}: {phase.complete} of {len(phase.answered)} conversations "
                      f"stored exactly as answered; {phase.lost} messages lost, "
                      f"{phase.duplicated} stored twice")
        for line in lines:
            print(line)
        return 0
    finally:
        stop(bare)
        if cluster is not None:
            pids = cluster.server_pids()
            status = cluster.stop()
            left = [pid for pid in pids if Path(f"/proc/{pid}").exists()]
            print(f"cluster stopped (status {status}); processes left: {len(left)}")
        if args.keep:
            print(f"scratch folder kept: {scratch}; database: {database}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)
            if database:
                drop_database(database)


if __name__ == "__main__":
    raise SystemExit(main())
