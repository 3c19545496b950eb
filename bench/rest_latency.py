"""REST-turn latency and memory of the assistant next to a bare `rasa init` bot.

Both bots are trained and served in the same run on the same machine, then
receive the same scripted conversations over Rasa's REST channel, one turn at a
time. The figure that matters is the ratio of the assistant's p95 to the bare
bot's p95: it shows what the clinical extractor, the custom actions and the
larger dialogue cost a person per message.

The assistant is served twice, both with its own action server
(``python -m actions.server`` with a shared secret): once with Rasa's in-memory
tracker store, as the bare bot has, which isolates what the assistant itself
costs; and once as it ships, with ``endpoints.yml`` and the SQL tracker store on
a scratch SQLite file, which adds the cost of storing every turn.

Usage: .venv/bin/python bench/rest_latency.py [--conversations 30] [--keep] [--by-turn]
"""

from __future__ import annotations

import argparse
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
RASA = str(VENV_BIN / "rasa")
# The REST channel answers only with its token (the bare bot ignores the header).
REST_TOKEN = secrets.token_hex(16)
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "TF_CPP_MIN_LOG_LEVEL": "2",
       "B12_REST_TOKEN": REST_TOKEN, "B12_ID_KEY": secrets.token_hex(32)}

CONVERSATION = [
    "hi",
    "I've been feeling really tired for months and get pins and needles in my feet",
    "I'm 58 and I take metformin and omeprazole",
    "no chest pain, my mum had pernicious anaemia",
    "not sure",
    "yes",
    "no",
    "why?",
    "what tests should I ask for?",
    "what foods have b12 in them?",
]


def _post(port: int, sender: str, message: str, require_reply: bool = True) -> float:
    # The REST channel takes senders of visible ASCII characters only.
    sender = re.sub(r"[^A-Za-z0-9_.-]", "-", sender)
    body = json.dumps({"sender": sender, "message": message}).encode()
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/webhooks/rest/webhook",
        data=body,
        headers={"Content-Type": "application/json", "Authorization": f"Bearer {REST_TOKEN}"},
    )
    start = time.perf_counter()
    with urllib.request.urlopen(request, timeout=60) as response:
        body = response.read()
    took = (time.perf_counter() - start) * 1000
    if require_reply and not json.loads(body):
        # A server whose model failed to load answers at once with nothing: that is not
        # a fast turn, and timing it would report a meaningless ratio.
        raise RuntimeError(f"the server on port {port} gave no reply; see its log")
    return took


def _wait_ready(port: int, process: subprocess.Popen, timeout: float = 240) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server on port {port} exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1):
                return
        except OSError:
            time.sleep(1)
    raise RuntimeError(f"server on port {port} not ready after {timeout:.0f} s")


def _rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def _serve(cwd: Path, model: Path, port: int, log: Path, endpoints: Path | None = None,
           env: dict[str, str] | None = None) -> subprocess.Popen:
    # The assistant starts the way make run starts it; the bare bot as `rasa run`.
    launcher = [sys.executable, "-m", "bot.rasa_adapters.server"] if cwd == ROOT else [RASA]
    args = [*launcher, "run", "--model", str(model), "--port", str(port), "--credentials",
            "credentials.yml", "--endpoints", str(endpoints or "endpoints.yml")]
    return subprocess.Popen(args, cwd=cwd, env=env or ENV, stdout=log.open("w"),
                            stderr=subprocess.STDOUT)


def _measure(ports: dict[str, int], conversations: int) -> dict[str, list[float]]:
    """Alternate the servers turn by turn, so that whatever else the machine is
    doing affects them alike."""
    for name, port in ports.items():
        for message in CONVERSATION[:3]:  # warm-up, not counted
            _post(port, f"{name}-warmup", message, name != BARE)
    times: dict[str, list[float]] = {name: [] for name in ports}
    for n in range(conversations):
        for message in CONVERSATION:
            for name, port in ports.items():
                times[name].append(_post(port, f"{name}-{n}", message, name != BARE))
    return times


def _stats(times: list[float]) -> dict[str, float]:
    ordered = sorted(times)
    return {
        "turns": len(ordered),
        "p50_ms": statistics.median(ordered),
        "p95_ms": ordered[max(0, int(round(0.95 * len(ordered))) - 1)],
        "mean_ms": statistics.fmean(ordered),
    }


def _print_by_turn(times: dict[str, list[float]]) -> None:
    """Median / worst ms of each scripted message: which turn the tail comes from."""
    names = list(times)
    print(f"{'message':<44}" + "".join(f"{name[:18]:>20}" for name in names))
    for index, message in enumerate(CONVERSATION):
        cells = []
        for name in names:
            turn = times[name][index :: len(CONVERSATION)]
            cells.append(f"{statistics.median(turn):>11.1f} / {max(turn):>5.0f}")
        print(f"{message[:43]:<44}" + "".join(f"{cell:>20}" for cell in cells))


BARE = "bare rasa init"
OURS_MEMORY = "b12, memory store"
OURS_SQL = "b12, SQL store"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=30)
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    parser.add_argument("--by-turn", action="store_true",
                        help="also print each scripted message's median and worst time")
    args = parser.parse_args()

    model = ROOT / "models" / "b12.tar.gz"
    if not model.exists():
        print("models/b12.tar.gz is missing: run `make train` first", file=sys.stderr)
        return 2
    scratch = Path(tempfile.mkdtemp(prefix="b12-bench-"))
    processes: list[subprocess.Popen] = []
    try:
        t0 = time.monotonic()
        (scratch / "init").mkdir()
        subprocess.run([RASA, "init", "--no-prompt", "--init-dir", str(scratch / "init")],
                       env=ENV, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)
        init_model = next((scratch / "init" / "models").glob("*.tar.gz"))
        print(f"bare rasa init bot trained in {time.monotonic() - t0:.0f} s")
        token = secrets.token_hex(16)
        ours_env = {
            **ENV,
            "B12_ACTIONS_PORT": "5155",
            "B12_ACTIONS_TOKEN": token,
            "B12_ACTIONS_URL": "http://127.0.0.1:5155/webhook",
            "B12_DATABASE_URL": f"sqlite:///{scratch / 'b12.db'}",
            "B12_LOG_LEVEL": "WARNING",
        }
        actions = subprocess.Popen([sys.executable, "-m", "actions.server"], cwd=ROOT,
                                   env=ours_env, stdout=(scratch / "actions.log").open("w"),
                                   stderr=subprocess.STDOUT)
        processes.append(actions)
        # Like the bare bot: Rasa's in-memory tracker store, only the action endpoint.
        memory_endpoints = scratch / "endpoints.yml"
        memory_endpoints.write_text(
            'action_endpoint:\n  url: "http://127.0.0.1:5155/webhook"\n'
            f"  headers:\n    Authorization: Bearer {token}\n"
        )
        servers = {
            BARE: (_serve(scratch / "init", init_model, 5106, scratch / "init.log"), 5106),
            OURS_MEMORY: (_serve(ROOT, model, 5105, scratch / "b12-memory.log",
                                 memory_endpoints, ours_env), 5105),
            OURS_SQL: (_serve(ROOT, model, 5107, scratch / "b12-sql.log",
                              ROOT / "endpoints.yml", ours_env), 5107),
        }
        processes.extend(proc for proc, _port in servers.values())
        for proc, port in servers.values():
            _wait_ready(port, proc)

        times = _measure({name: port for name, (_proc, port) in servers.items()},
                         args.conversations)
        results = {name: _stats(turns) for name, turns in times.items()}
        for name, (proc, _port) in servers.items():
            results[name]["rss_mib"] = _rss_mib(proc.pid)

        print(f"{'server':<20}{'turns':>7}{'p50 ms':>9}{'p95 ms':>9}{'mean ms':>9}{'RSS MiB':>10}")
        for name, s in results.items():
            print(f"{name:<20}{s['turns']:>7}{s['p50_ms']:>9.1f}{s['p95_ms']:>9.1f}"
                  f"{s['mean_ms']:>9.1f}{s['rss_mib']:>10.0f}")
        print(f"action server RSS MiB: {_rss_mib(actions.pid):.0f}")
        if args.by_turn:
            _print_by_turn(times)
        for name in (OURS_MEMORY, OURS_SQL):
            ratio = results[name]["p95_ms"] / results[BARE]["p95_ms"]
            print(f"p95 ratio ({name} / bare): {ratio:.2f} (target <= 1.3)")
        return 0
    finally:
        for proc in processes:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
                try:
                    proc.wait(timeout=20)
                except subprocess.TimeoutExpired:
                    proc.kill()
        if args.keep:
            print(f"scratch folder kept: {scratch}")
        else:
            shutil.rmtree(scratch, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
