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

``--interview`` makes it an interview interrupted by questions: the second message asks
for the check, and the same five questions then come while the interview form is active
(the form takes each back after its reply), so turns 3-7 and 98-102 are again the same
messages, inside the form. Inside the form most turns are rule turns hidden from
memoization, which is where a long conversation used to cost the most.

``--compare OTHER_MODEL`` serves a second model the same way (its own action server
and database) and alternates between the two turn by turn: a before/after in one run.
``--compare-code DIR`` serves the second one from another copy of the project (e.g.
``git archive HEAD | tar -x -C DIR``), the model ``--compare`` names or the same one:
a before/after of a code change, both under whatever else the machine is doing.

Usage: .venv/bin/python bench/turn_cost.py [--conversations 6] [--turns 110] [--postgres]
       [--interview] [--model models/b12.tar.gz] [--compare OTHER_MODEL]
       [--compare-code DIR]
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
from typing import Sequence

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
# A training example of ``start_check``: the interview form starts and asks its first question.
INTERVIEW_START = "I want to check if I have b12 deficiency"


def script(turns: int, interview: bool = False) -> list[str]:
    """The opening, then the cycle; turn n (from 2) is CYCLE[(n - 2) % 5].

    With ``interview`` the opening is "hi" and the request for the check, and turn n
    (from 3) is CYCLE[(n - 3) % 5]: every question comes while the form is active.
    """
    opening = ["hi", INTERVIEW_START] if interview else ["hi"]
    return (opening + [CYCLE[i % len(CYCLE)] for i in range(turns)])[:turns]


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


def serve(model: Path, env: dict[str, str], folder: Path,
          launcher: Sequence[str] = (sys.executable, "-m"), root: Path = ROOT,
          ) -> tuple[list[subprocess.Popen], int]:
    """The Rasa server and its action server, ready; returns them and the Rasa port.

    ``launcher`` runs a module by name (``python -m`` by default; ``bench/turn_profile.py``
    passes its own, which profiles the server on a signal); ``root`` is the copy of the
    project they run from."""
    actions_port, rasa_port = load.free_port(), load.free_port()
    env.update(B12_ACTIONS_PORT=str(actions_port),
               B12_ACTIONS_URL=f"http://127.0.0.1:{actions_port}/webhook")
    actions = subprocess.Popen([*launcher, "actions.server"], cwd=root, env=env,
                               stdout=(folder / "actions.log").open("w"),
                               stderr=subprocess.STDOUT)
    rasa = subprocess.Popen(
        [*launcher, "bot.rasa_adapters.server", "run", "--model", str(model),
         "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
         "--interface", "127.0.0.1", "--port", str(rasa_port)],
        cwd=root, env=env, stdout=(folder / "rasa.log").open("w"), stderr=subprocess.STDOUT)
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
    parser.add_argument("--compare-code", type=Path, metavar="DIR",
                        help="serve the second model from this copy of the project")
    parser.add_argument("--interview", action="store_true",
                        help="ask for the check first: every question comes inside the form")
    args = parser.parse_args()
    if not 1 <= args.conversations <= 20 or not 10 <= args.turns <= load.MAX_TURNS:
        parser.error(f"--conversations 1 to 20, --turns 10 to {load.MAX_TURNS}")
    second = args.compare or (args.model if args.compare_code else None)
    models = [args.model] + ([second] if second else [])
    roots = [ROOT, (args.compare_code or ROOT).resolve()]
    labels = [model.name[:24] for model in models]
    if args.compare_code:
        labels[1] = f"{args.compare_code.name[:10]}:{models[1].name[:12]}"
        labels[0] = f"{ROOT.name[:10]}:{models[0].name[:12]}"
        if not (args.compare_code / "bot").is_dir():
            parser.error(f"--compare-code {args.compare_code}: not a copy of the project")
    for model in models:
        if not model.exists():
            print(f"{model} is missing: run `make train` first", file=sys.stderr)
            return 2
    folder = Path(tempfile.mkdtemp(prefix="b12-turns-"))
    token = secrets.token_hex(16)
    databases: list[str] = []
    processes: list[subprocess.Popen] = []
    served: list[list[int]] = []  # each model's Rasa and action server
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
            started, port = serve(model, env, log_dir, root=roots[number])
            processes += started
            served.append([proc.pid for proc in started])
            ports.append(port)
            post(port, token, "warm-up", "hi")
        lines = script(args.turns, args.interview)
        senders = [f"turns-{secrets.token_hex(4)}-{c}" for c in range(args.conversations)]
        times: list[dict[int, list[float]]] = [{} for _ in ports]
        load_before = os.getloadavg()[0]
        loads: list[float] = []  # the one-minute load average at each turn number
        last_sent: dict[str, float] = {}
        # CPU time of each model's two servers over each window of turns (from /proc): what
        # the turns cost in work, which waiting for a busy machine's cores does not inflate.
        cpu_ms: list[dict[tuple[int, int], float]] = [{} for _ in ports]
        cpu_at: list[float] = []
        for number, text in enumerate(lines, start=1):
            loads.append(os.getloadavg()[0])
            if any(first == number for first, _last in WINDOWS):
                cpu_at = [load.cpu_seconds(pids) for pids in served]
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
            for first, last in WINDOWS:
                if last == number and cpu_at:
                    for which, pids in enumerate(served):
                        used = load.cpu_seconds(pids) - cpu_at[which]
                        cpu_ms[which][(first, last)] = (
                            used * 1000 / ((last - first + 1) * len(senders)))
        store = "PostgreSQL + Redis" if args.postgres else "SQLite"
        shape = "interview interrupted by questions" if args.interview else "questions"
        print(f"{args.conversations} conversations of {args.turns} turns ({shape}), "
              f"SQL store on {store}; "
              f"load average {load_before:.2f} before, {os.getloadavg()[0]:.2f} after, "
              f"{min(loads):.2f}-{max(loads):.2f} during")
        print(f"{'turns':<10}" + "".join(f"{label:>26}" for label in labels))
        medians: list[dict[tuple[int, int], float]] = [{} for _ in ports]
        for first, last in WINDOWS:
            if last > args.turns:
                continue
            cells = []
            for which in range(len(ports)):
                window = [ms for n in range(first, last + 1) for ms in times[which][n]]
                medians[which][(first, last)] = statistics.median(window)
                cpu = cpu_ms[which].get((first, last))
                cells.append(f"{statistics.median(window):>7.1f} / {max(window):>4.0f} / "
                             + (f"{cpu:>5.1f}" if cpu is not None else f"{'-':>5}"))
            print(f"{first:>3}-{last:<6}" + "".join(f"{cell:>26}" for cell in cells))
        print("(median / worst ms of each window of turns / ms of CPU per turn, both servers)")
        for which, label in enumerate(labels):
            if (3, 7) in medians[which] and (98, 102) in medians[which]:
                ratio = medians[which][(98, 102)] / medians[which][(3, 7)]
                print(f"{label}: turn 100 / turn 5 (medians of turns 98-102 and 3-7): "
                      f"{ratio:.2f} (target <= 1.3)")
            early, late = cpu_ms[which].get((3, 7)), cpu_ms[which].get((98, 102))
            if early and late:
                print(f"{label}: CPU per turn, turns 98-102 / turns 3-7: {late / early:.2f}")
        return 0
    finally:
        for process in processes:
            load.stop(process)
        shutil.rmtree(folder, ignore_errors=True)
        for name in databases:
            load.drop_database(name)


if __name__ == "__main__":
    raise SystemExit(main())
