"""Latency by turn number: does a turn cost more as the conversation grows?

Serves the assistant as it ships (``python -m bot.rasa_adapters.server`` with its
action server and the SQL tracker store: a scratch SQLite file, or with
``--postgres`` a fresh PostgreSQL database and Redis locks) and holds several long
conversations over the REST channel, one turn at a time, round-robin between the
conversations so that whatever else the machine does affects every turn number alike.
Each person sends at most one message a second (the channel's limit is 60 a minute).

A conversation is an opening followed by a cycle of five messages (questions about B12
and the result), so turns 3-7 and turns 98-102 hold the same five messages: their
medians compare the same work done early and late in a conversation. Prints the median
and worst time of each window of turns and the ratio turn 100 / turn 5 (target <= 1.3).

``--compare OTHER_MODEL`` serves a second model the same way (its own action server
and database) and alternates between the two turn by turn: a before/after in one run.

Usage: .venv/bin/python bench/turn_cost.py [--conversations 6] [--turns 110] [--postgres]
       [--model models/b12.tar.gz] [--compare OTHER_MODEL]
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import load

ROOT = Path(__file__).resolve().parents[1]
MIN_GAP_S = 1.05
CYCLE = [
    "what foods have b12 in them?",
    "why?",
    "what tests should I ask for?",
    "what is pernicious anaemia?",
    "can stress cause low b12?",
]
WINDOWS = [(1, 2), (3, 7), (8, 12), (18, 22), (48, 52), (73, 77), (98, 102), (148, 152)]


def script(turns: int) -> list[str]:
    """The opening, then the cycle; turn n (from 2) is CYCLE[(n - 2) % 5]."""
    return (["hi"] + [CYCLE[i % len(CYCLE)] for i in range(turns)])[:turns]


def post(port: int, token: str, sender: str, text: str) -> float:
    body = json.dumps({"sender": sender, "message": text}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook", body,
        {"Content-Type": "application/json", "Authorization": f"Bearer {token}"},
    )
    started = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as reply:
        messages = json.loads(reply.read())
    took = (time.perf_counter() - started) * 1000
    if not messages:
        raise RuntimeError(f"no reply to {text!r}; see the server log")
    return took


def serve(model: Path, env: dict[str, str], folder: Path) -> tuple[list[subprocess.Popen], int]:
    actions_port, rasa_port = load.free_port(), load.free_port()
    env.update(B12_ACTIONS_PORT=str(actions_port),
               B12_ACTIONS_URL=f"http://127.0.0.1:{actions_port}/webhook")
    actions = subprocess.Popen([sys.executable, "-m", "actions.server"], cwd=ROOT, env=env,
                               stdout=(folder / "actions.log").open("w"),
                               stderr=subprocess.STDOUT)
    rasa = subprocess.Popen(
        [sys.executable, "-m", "bot.rasa_adapters.server", "run", "--model", str(model),
         "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
         "--interface", "127.0.0.1", "--port", str(rasa_port)],
        cwd=ROOT, env=env, stdout=(folder / "rasa.log").open("w"), stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 400
    while time.monotonic() < deadline:
        if rasa.poll() is not None:
            raise RuntimeError(f"the Rasa server exited; see {folder / 'rasa.log'}")
        if load.http_status(f"http://127.0.0.1:{rasa_port}/webchat/health") == 200:
            return [rasa, actions], rasa_port
        time.sleep(1)
    raise RuntimeError("the Rasa server did not start in 400 s")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=6)
    parser.add_argument("--turns", type=int, default=110)
    parser.add_argument("--postgres", action="store_true",
                        help="PostgreSQL and Redis instead of a scratch SQLite file")
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "b12.tar.gz")
    parser.add_argument("--compare", type=Path, help="a second model, served alongside")
    args = parser.parse_args()
    if not 1 <= args.conversations <= 20 or not 10 <= args.turns <= load.MAX_TURNS:
        parser.error(f"--conversations 1 to 20, --turns 10 to {load.MAX_TURNS}")
    models = [args.model] + ([args.compare] if args.compare else [])
    for model in models:
        if not model.exists():
            print(f"{model} is missing: run `make train` first", file=sys.stderr)
            return 2
    folder = Path(tempfile.mkdtemp(prefix="b12-turns-"))
    token = secrets.token_hex(16)
    databases: list[str] = []
    processes: list[subprocess.Popen] = []
    try:
        ports = []
        for number, model in enumerate(models):
            env = {**load.BASE_ENV, "B12_REST_TOKEN": token, "B12_ID_KEY": secrets.token_hex(32),
                   "B12_ACTIONS_TOKEN": secrets.token_hex(16), "B12_LOG_LEVEL": "WARNING"}
            if args.postgres:
                env["B12_DATABASE_URL"], name = load.fresh_database("b12_turns")
                env["B12_REDIS_URL"] = load.REDIS
                databases.append(name)
            else:
                env["B12_DATABASE_URL"] = f"sqlite:///{folder / f'b12-{number}.db'}"
            log_dir = folder / str(number)
            log_dir.mkdir()
            started, port = serve(model, env, log_dir)
            processes += started
            ports.append(port)
            post(port, token, "warm-up", "hi")
        lines = script(args.turns)
        senders = [f"turns-{secrets.token_hex(4)}-{c}" for c in range(args.conversations)]
        times: list[dict[int, list[float]]] = [{} for _ in ports]
        load_before = os.getloadavg()[0]
        last_sent: dict[str, float] = {}
        for number, text in enumerate(lines, start=1):
            for c, sender in enumerate(senders):
                wait = last_sent.get(sender, 0) + MIN_GAP_S - time.monotonic()
                if wait > 0:
                    time.sleep(wait)
                last_sent[sender] = time.monotonic()
                order = list(range(len(ports)))
                if (number + c) % 2:
                    order.reverse()
                for which in order:
                    took = post(ports[which], token, sender, text)
                    times[which].setdefault(number, []).append(took)
        store = "PostgreSQL + Redis" if args.postgres else "SQLite"
        print(f"{args.conversations} conversations of {args.turns} turns, SQL store on {store}; "
              f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after")
        print(f"{'turns':<10}" + "".join(f"{m.name[:24]:>26}" for m in models))
        medians: list[dict[tuple[int, int], float]] = [{} for _ in ports]
        for first, last in WINDOWS:
            if last > args.turns:
                continue
            cells = []
            for which in range(len(ports)):
                window = [ms for n in range(first, last + 1) for ms in times[which][n]]
                medians[which][(first, last)] = statistics.median(window)
                cells.append(f"{statistics.median(window):>12.1f} / {max(window):>6.0f} ms")
            print(f"{first:>3}-{last:<6}" + "".join(f"{cell:>26}" for cell in cells))
        print("(median / worst of each window of turns)")
        for which, model in enumerate(models):
            if (3, 7) in medians[which] and (98, 102) in medians[which]:
                ratio = medians[which][(98, 102)] / medians[which][(3, 7)]
                print(f"{model.name}: turn 100 / turn 5 (medians of turns 98-102 and 3-7): "
                      f"{ratio:.2f} (target <= 1.3)")
        return 0
    finally:
        for process in processes:
            load.stop(process)
        shutil.rmtree(folder, ignore_errors=True)
        for name in databases:
            load.drop_database(name)


if __name__ == "__main__":
    raise SystemExit(main())
