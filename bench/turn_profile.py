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

With ``--cprofile`` the servers run under Python's own deterministic profiler instead
(no extra install), switched on by a signal for two windows of the same long
conversations only: turns 3-7 and turns N-2..N+2 (``--long N``, default 100), each
window the same five messages (``bench/turn_cost.py``'s cycle; ``--interview``: asked
inside the interview form). It prints, for each server, the milliseconds per turn spent
in each part of a turn (language understanding, predictions and within them each
policy and the state rebuilding, custom action calls and within them the tracker's
JSON, the tracker copy before each action, reading and saving the conversation) in
both windows, then the functions whose time grew the most from the early to the late
window. cProfile slows Python code down (about twice here), so its milliseconds are
larger than a turn's real cost; compare parts and windows with each other.

Usage: .venv/bin/python bench/turn_profile.py [--conversations 20] [--long 100]
       [--py-spy /tmp/pyspy/bin/py-spy] [--top 40] [--model models/b12.tar.gz]
       .venv/bin/python bench/turn_profile.py --cprofile [--interview] [--long 100]
       [--conversations 3] [--top 25]
Nothing here is a test: it prints numbers.
"""

from __future__ import annotations

import argparse
import collections
import os
import pstats
import secrets
import shutil
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Callable

# Run as ``turn_profile.py --profiled-child MODULE ARGS...``: serve MODULE (as ``python -m``
# would) with cProfile switched on by SIGUSR1 and off, written out, by SIGUSR2.
CHILD_FLAG = "--profiled-child"
PROFILE_OUT = "B12_PROFILE_OUT"


def _profiled_child(module: str, args: list[str]) -> None:
    """Run ``module`` as ``__main__`` with a profiler the parent turns on and off by signal.

    Only the main thread is profiled: Rasa's and the SDK's request handling (and every
    policy) run on the event loop there. Each SIGUSR2 writes ``$B12_PROFILE_OUT-MODULE.<n>``,
    n counting windows from 0, renamed into place once complete."""
    import cProfile
    import runpy

    out = f"{os.environ[PROFILE_OUT]}-{module}"
    state: dict[str, object] = {"window": 0}

    def start(_signal: int, _frame: object) -> None:
        profiler = cProfile.Profile()
        state["profiler"] = profiler
        profiler.enable()

    def stop(_signal: int, _frame: object) -> None:
        profiler = state.pop("profiler", None)
        if not isinstance(profiler, cProfile.Profile):
            return
        profiler.disable()
        target = f"{out}.{state['window']}"
        profiler.dump_stats(target + ".part")
        os.replace(target + ".part", target)
        state["window"] = int(state["window"]) + 1  # type: ignore[call-overload]

    signal.signal(signal.SIGUSR1, start)
    signal.signal(signal.SIGUSR2, stop)
    sys.path[0] = os.getcwd()  # as ``python -m`` has it, not this script's folder
    sys.argv = [module, *args]
    runpy.run_module(module, run_name="__main__", alter_sys=True)


if __name__ == "__main__" and sys.argv[1:2] == [CHILD_FLAG]:
    _profiled_child(sys.argv[2], sys.argv[3:])
    raise SystemExit(0)

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


# The parts of a turn, each a function whose inclusive time is the part's: (label, file
# ending, function name). Indented labels are inside the part above them.
RASA_PARTS = [
    ("whole message (the REST channel's handler)", "bot/rasa_adapters/rest.py", "receive"),
    ("language understanding", "rasa/core/processor.py", "parse_message"),
    ("reading the conversation", "rasa/core/processor.py", "fetch_tracker_and_update_session"),
    ("predictions (all policies, each action)", "rasa/core/processor.py",
     "_predict_next_with_tracker"),
    ("  memoization", "bot/rasa_adapters/policies.py", "predict_action_probabilities:memo"),
    ("  rules", "bot/rasa_adapters/policies.py", "predict_action_probabilities:rule"),
    ("  rebuilding dialogue states (all policies)", "rasa/shared/core/domain.py",
     "states_for_tracker_history"),
    ("  continuing applied events", "bot/rasa_adapters/policies.py", "applied_events"),
    ("tracker copy before each action", "rasa/shared/core/trackers.py", "copy"),
    ("custom action calls (Rasa side)", "rasa/core/actions/action.py", "run:RemoteAction"),
    ("  tracker to dict (all events)", "rasa/shared/core/trackers.py", "current_state"),
    ("  JSON encoding and HTTP", "rasa/utils/endpoints.py", "request"),
    ("saving the conversation", "rasa/core/processor.py", "save_tracker"),
]
ACTION_PARTS = [
    ("whole webhook call", "rasa_sdk/endpoint.py", "webhook"),
    ("  reading the request JSON", "sanic/request.py", "load_json"),
    ("  running the action (SDK executor)", "rasa_sdk/executor.py", "run"),
    ("    tracker from dict", "rasa_sdk/interfaces.py", "from_dict"),
]


def _find(stats: pstats.Stats, ending: str, name: str) -> float:
    """Inclusive seconds of the function ``name`` defined in a file ending with ``ending``.

    ``name:memo`` / ``name:rule`` pick a method by its line's class in policies.py, and
    ``run:RemoteAction`` Rasa's remote action's ``run``, by the line ranges of those
    classes; several functions matching are summed (they do not call each other)."""
    func, _, owner = name.partition(":")
    total = 0.0
    entries = stats.stats  # type: ignore[attr-defined]
    for (filename, line, function), (_cc, _nc, _tt, ct, _callers) in entries.items():
        if function != func or not filename.endswith(ending):
            continue
        if owner and _owner(filename, line) != owner:
            continue
        total += ct
    return total


_OWNERS: dict[tuple[str, int], str] = {}


def _owner(filename: str, line: int) -> str:
    """The class a method defined at ``filename:line`` belongs to (read from the source)."""
    key = (filename, line)
    if key not in _OWNERS:
        owner = ""
        try:
            lines = Path(filename).read_text().splitlines()[:line]
        except OSError:
            lines = []
        for text in reversed(lines):
            if text.startswith("class "):
                owner = text[6:].split("(")[0].split(":")[0].strip()
                break
        if owner.endswith("MemoizationPolicy"):
            owner = "memo"
        elif owner.endswith("RulePolicy"):
            owner = "rule"
        _OWNERS[key] = owner
    return _OWNERS[key]


def _function_times(stats: pstats.Stats) -> dict[str, float]:
    """Inclusive seconds of every function, by a short readable name."""
    times: dict[str, float] = collections.defaultdict(float)
    entries = stats.stats  # type: ignore[attr-defined]
    for (filename, line, function), (_cc, _nc, _tt, ct, _callers) in entries.items():
        times[f"{function} ({_frame_name(f'x ({filename}:{line})').split(' (', 1)[1]}"] += ct
    return times


def report_cprofile(name: str, parts: list[tuple[str, str, str]], early: Path, late: Path,
                    turns: int, windows: tuple[str, str], top: int) -> list[str]:
    """The parts' ms per turn in both windows, then the functions that grew the most."""
    loaded = [pstats.Stats(str(early)), pstats.Stats(str(late))]
    per_turn = 1000.0 / max(turns, 1)
    lines = [f"== {name}: ms per turn under cProfile ({turns} turns per window)",
             f"{'part':<46}{windows[0]:>12}{windows[1]:>12}"]
    for label, ending, function in parts:
        cells = [_find(stats, ending, function) * per_turn for stats in loaded]
        lines.append(f"{label:<46}" + "".join(f"{c:>12.2f}" for c in cells))
    before, after = (_function_times(stats) for stats in loaded)
    grown = sorted(after, key=lambda f: after[f] - before.get(f, 0.0), reverse=True)[:top]
    lines.append(f"  grew the most (inclusive ms per turn, {windows[0]} -> {windows[1]}):")
    for function in grown:
        lines.append(f"{before.get(function, 0.0) * per_turn:8.2f} -> "
                     f"{after[function] * per_turn:8.2f}  {function}")
    return lines


def _signal_all(processes: list[subprocess.Popen], sig: int) -> None:
    for process in processes:
        process.send_signal(sig)


def _wait_for(paths: list[Path], poke: Callable[[], None], timeout: float = 30.0) -> None:
    """Wait until every profile is written; a server idle in its event loop runs the
    signal's handler on its next request, so it is poked (a health check) after 2 s."""
    deadline = time.monotonic() + timeout
    poked = False
    while not all(p.exists() for p in paths):
        if time.monotonic() > deadline:
            raise RuntimeError(f"no profile written: {[str(p) for p in paths]}")
        if not poked and time.monotonic() > deadline - timeout + 2:
            poke()
            poked = True
        time.sleep(0.1)


def run_cprofile(args: argparse.Namespace, env: dict[str, str], folder: Path) -> int:
    """Serve under cProfile, hold long conversations and profile two windows of them."""
    late = max(args.long or 100, 12)
    windows = [(3, 7), (late - 2, late + 2)]
    env[PROFILE_OUT] = str(folder / "profile")
    launcher = (sys.executable, str(Path(__file__).resolve()), CHILD_FLAG)
    processes: list[subprocess.Popen] = []
    try:
        processes, port = turn_cost.serve(args.model, env, folder, launcher=launcher)
        rasa, actions = processes
        token = env["B12_REST_TOKEN"]
        for message in CONVERSATION:  # warm-up: every action imported and run once
            turn_cost.post(port, token, "warm-up", message)
        actions_port = int(env["B12_ACTIONS_PORT"])

        def poke() -> None:
            load.http_status(f"http://127.0.0.1:{port}/webchat/health")
            load.http_status(f"http://127.0.0.1:{actions_port}/health")

        senders = [f"long-{secrets.token_hex(4)}-{c}" for c in range(args.conversations)]
        lines = turn_cost.script(windows[-1][1], interview=args.interview)
        profiles: list[dict[str, Path]] = []
        cpu: list[dict[int, float]] = []
        loads: list[float] = []
        for number, text in enumerate(lines, start=1):
            window = next((w for w in windows if w[0] == number), None)
            if window:
                _signal_all(processes, signal.SIGUSR1)
                time.sleep(0.5)
                poke()
                loads.append(os.getloadavg()[0])
                cpu.append({p.pid: load.cpu_seconds([p.pid]) for p in processes})
            for sender in senders:
                _paced(port, token, sender, text)
            if any(w[1] == number for w in windows):
                index = len(profiles)
                cpu[-1] = {p.pid: load.cpu_seconds([p.pid]) - cpu[-1][p.pid] for p in processes}
                _signal_all(processes, signal.SIGUSR2)
                written = {"rasa": folder / f"profile-bot.rasa_adapters.server.{index}",
                           "actions": folder / f"profile-actions.server.{index}"}
                profiles.append(written)
                _wait_for(list(written.values()), poke)
        turns = len(senders) * 5
        names = tuple(f"turns {a}-{b}" for a, b in windows)
        shape = "interview interrupted by questions" if args.interview else "questions"
        print(f"{len(senders)} conversations ({shape}), windows {names[0]} and {names[1]}; "
              f"load average {loads[0]:.2f} and {loads[1]:.2f} when they started")
        for index, name in enumerate(names):
            print(f"{name}: CPU per turn from /proc (profiled): Rasa "
                  f"{cpu[index][rasa.pid] / turns * 1000:.1f} ms, action server "
                  f"{cpu[index][actions.pid] / turns * 1000:.1f} ms")
        for label, parts in (("rasa", RASA_PARTS), ("actions", ACTION_PARTS)):
            print()
            print("\n".join(report_cprofile(
                f"{label} server", parts, profiles[0][label], profiles[1][label], turns,
                names, args.top)))
        return 0
    finally:
        for process in processes:
            load.stop(process)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--conversations", type=int,
                        help="default 20 fresh ones; with --cprofile 3 long ones")
    parser.add_argument("--long", type=int, default=0, metavar="N")
    parser.add_argument("--py-spy", dest="py_spy")
    parser.add_argument("--cprofile", action="store_true",
                        help="profile turns 3-7 and N-2..N+2 with cProfile (see above)")
    parser.add_argument("--interview", action="store_true",
                        help="long conversations ask for the check first (turn_cost.py's)")
    parser.add_argument("--top", type=int, default=40)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "b12.tar.gz")
    parser.add_argument("--keep", action="store_true", help="keep the scratch folder")
    args = parser.parse_args()
    if args.conversations is None:
        args.conversations = 3 if args.cprofile else 20
    if args.cprofile and args.py_spy:
        parser.error("--cprofile and --py-spy measure the same turns two ways: pick one")
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
    if args.cprofile:
        try:
            return run_cprofile(args, env, folder)
        finally:
            if args.keep:
                print(f"scratch folder kept: {folder}")
            else:
                shutil.rmtree(folder, ignore_errors=True)
    processes: list[subprocess.Popen] = []
    try:
        processes, port = turn_cost.serve(args.model, env, folder)
        rasa, actions = processes
        for message in CONVERSATION:  # warm-up: every action imported and run once
            turn_cost.post(port, token, "warm-up", message)
        if args.long:
            sender = f"long-{secrets.token_hex(4)}"
            lines = turn_cost.script(args.long + 5, interview=args.interview)
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
