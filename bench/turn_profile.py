"""Where a turn's CPU goes: the Rasa server and the action server, sampled while they work.

Serves the assistant as it ships (the launcher, its action server, the SQL store on a
scratch SQLite file; ``bench/turn_cost.py``'s ``serve``), holds conversations over the
REST channel one turn at a time, and prints the CPU time per turn of each process (from
``/proc``). With ``--py-spy PATH`` (a py-spy executable, e.g. installed with
``pip install py-spy`` into a scratch venv: it is not part of the project's lock) both
processes are sampled while the measured turns run, and the functions that hold the
most CPU (inclusive, in ms per turn) are printed for each.

Two shapes of conversation:

* default: ``--conversations`` fresh 10-turn conversations, the messages of
  ``bench/rest_latency.py`` (the load bench's);
* ``--long N``: one conversation of ``bench/turn_cost.py``'s script, measuring only
  its turns N-4 .. N+5 (what a turn costs late in a long conversation).

Usage: .venv/bin/python bench/turn_profile.py [--conversations 20] [--long 100]
       [--py-spy /tmp/pyspy/bin/py-spy] [--top 40] [--model models/b12.tar.gz]
Nothing here is a test: it prints numbers.
"""

from __future__ import annotations

import argparse
import collections
import os
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import load  # noqa: E402
import turn_cost  # noqa: E402
from rest_latency import CONVERSATION  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


_last_sent: dict[str, float] = {}


def _paced(port: int, token: str, sender: str, text: str) -> float:
    """One turn, at most one a second per sender (the REST channel's limit is 60 a minute)."""
    wait = _last_sent.get(sender, 0.0) + turn_cost.MIN_GAP_S - time.monotonic()
    if wait > 0:
        time.sleep(wait)
    _last_sent[sender] = time.monotonic()
    return turn_cost.post(port, token, sender, text)


def _start_sampler(py_spy: str, pid: int, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [py_spy, "record", "--pid", str(pid), "--rate", "250", "--format", "raw",
         "--output", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )


def _stop_sampler(sampler: subprocess.Popen, out: Path) -> None:
    sampler.send_signal(signal.SIGINT)
    try:
        sampler.wait(timeout=60)
    except subprocess.TimeoutExpired:
        sampler.kill()
    deadline = time.monotonic() + 10
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.2)


def _frame_name(frame: str) -> str:
    # py-spy raw frames: "function (path/to/file.py:line)"; keep function and short path.
    name, _, where = frame.partition(" (")
    where = where.rstrip(")")
    path, _, _line = where.rpartition(":")
    for marker in ("site-packages/", "/work/main/", "/lib/python3.10/"):
        if marker in path:
            path = path.split(marker, 1)[1]
            break
    return f"{name} ({path})"


def summarise(raw: Path, turns: int, rate: int, top: int) -> list[str]:
    """The functions with the most inclusive samples, as ms of CPU per turn."""
    inclusive: collections.Counter[str] = collections.Counter()
    own: collections.Counter[str] = collections.Counter()
    total = 0
    if not raw.exists():
        return ["(no samples)"]
    for line in raw.read_text(errors="replace").splitlines():
        stack, _, count = line.rpartition(" ")
        if not stack or not count.isdigit():
            continue
        n = int(count)
        frames = [_frame_name(f) for f in stack.split(";") if f and not f.startswith("process ")
                  and not f.startswith("thread ")]
        total += n
        for name in set(frames):
            inclusive[name] += n
        if frames:
            own[frames[-1]] += n
    per_turn = 1000.0 / rate / max(turns, 1)
    lines = [f"{total * per_turn:8.1f} ms/turn sampled in all"]
    lines.append("  inclusive:")
    lines += [f"{n * per_turn:8.2f}  {name}" for name, n in inclusive.most_common(top)]
    lines.append("  own time:")
    lines += [f"{n * per_turn:8.2f}  {name}" for name, n in own.most_common(top // 2)]
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int, default=20)
    parser.add_argument("--long", type=int, default=0, metavar="N")
    parser.add_argument("--py-spy", dest="py_spy")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "b12.tar.gz")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    if not args.model.exists():
        print(f"{args.model} is missing: run `make train` first", file=sys.stderr)
        return 2
    folder = Path(tempfile.mkdtemp(prefix="b12-profile-"))
    token = secrets.token_hex(16)
    env = {**load.BASE_ENV, "B12_REST_TOKEN": token, "B12_ID_KEY": secrets.token_hex(32),
           "B12_ACTIONS_TOKEN": secrets.token_hex(16), "B12_LOG_LEVEL": "WARNING",
           "B12_DATABASE_URL": f"sqlite:///{folder / 'b12.db'}",
           # One TensorFlow thread, as scripts/cluster.sh runs each Rasa server.
           "TF_INTRA_OP_PARALLELISM_THREADS": "1", "TF_INTER_OP_PARALLELISM_THREADS": "1"}
    processes: list[subprocess.Popen] = []
    try:
        processes, port = turn_cost.serve(args.model, env, folder)
        rasa, actions = processes
        for message in CONVERSATION:  # warm-up: every action imported and run once
            turn_cost.post(port, token, "warm-up", message)
        if args.long:
            sender = f"long-{secrets.token_hex(4)}"
            lines = turn_cost.script(args.long + 5)
            for text in lines[: args.long - 5]:
                _paced(port, token, sender, text)
            measured = [(sender, text) for text in lines[args.long - 5:]]
        else:
            measured = [(f"p-{c}-{secrets.token_hex(3)}", text)
                        for c in range(args.conversations) for text in CONVERSATION]
        samplers = []
        if args.py_spy:
            for name, process in (("rasa", rasa), ("actions", actions)):
                out = folder / f"{name}.txt"
                samplers.append((name, _start_sampler(args.py_spy, process.pid, out), out))
            time.sleep(1.0)
        cpu0 = {p.pid: load.cpu_seconds([p.pid]) for p in processes}
        started = time.perf_counter()
        post = _paced if args.long else turn_cost.post
        took = [post(port, token, sender, text) for sender, text in measured]
        wall = time.perf_counter() - started
        cpu = {p.pid: load.cpu_seconds([p.pid]) - cpu0[p.pid] for p in processes}
        for _name, sampler, out in samplers:
            _stop_sampler(sampler, out)
        n = len(measured)
        took.sort()
        print(f"{n} turns, load average {os.getloadavg()[0]:.2f}; wall {wall / n * 1000:.1f} ms "
              f"per turn, p50 {took[n // 2]:.1f} ms, p95 {took[int(n * 0.95) - 1]:.1f} ms")
        print(f"CPU per turn: Rasa {cpu[rasa.pid] / n * 1000:.1f} ms, action server "
              f"{cpu[actions.pid] / n * 1000:.1f} ms (CPU time from /proc; sampling adds a little)")
        for name, _sampler, out in samplers:
            print(f"\n== {name}")
            print("\n".join(summarise(out, n, 250, args.top)))
        return 0
    finally:
        for process in processes:
            load.stop(process)
        if args.keep:
            print(f"scratch folder kept: {folder}")
        else:
            shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    raise SystemExit(main())
