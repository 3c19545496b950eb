"""Score the frozen blind round-3 evaluation sets (``tests/nlu/data/blind_r3_*.yml``).

The sets were written without reading the project, and their first run is the one whose
figures are reported: run this once, keep its output, and only then look at the misses.
Scoring lives in ``tests/nlu/blind_r3.py`` (tested on synthetic sets in
``tests/nlu/test_blind_scorer.py``); this script only loads, runs and prints.

Offline (the default) it runs ``bot.nlu.extract`` over every message and scores:

* ordinary: findings micro-F1, raw and under the subject rule (a check written for someone
  else counts that someone's findings as the checked person's), the same without "another
  person" findings, how many of another person's findings were kept as the person's own or
  as family history (target 0), labs P/R/F1, duration / pregnancy / age / sex accuracy;
* not emergencies: false emergencies of the NLU rule (``reports_red_flag_now``, or
  ``reports_own_red_flag`` where that does not exist yet) among ``emergency: wrong`` cases;
* emergencies: announced by that rule, a listed red flag found for the right person, the
  subject recognised (``subject: other``), the age attached.

With ``--live`` each emergency and not-emergency message is also sent, in a fresh REST
conversation, to a running assistant, followed by ``/request_summary``; it records whether a
``b12_emergency`` alert was sent, whether the stored findings triage as an emergency
(read from the tracker), and the crisis lines where labelled. Without ``--url`` the script
starts an action server and a Rasa server itself (SQLite in a scratch folder, the model
from ``models/``) and stops them at the end. Nothing needs the internet.

Usage::

    .venv/bin/python bench/blind_eval.py                       # offline parts
    .venv/bin/python bench/blind_eval.py --live                # + live, own servers
    .venv/bin/python bench/blind_eval.py --live --model models/other.tar.gz
    .venv/bin/python bench/blind_eval.py --live --url http://127.0.0.1:5005 \\
        [--rest-token T] [--api-token T] [--id-key K]   # defaults: B12_REST_TOKEN,
                                                        # B12_API_TOKEN, B12_ID_KEY
    ... --details      also print the finding ids / analytes of each miss
    ... --show-text    also print each missed message's text
    ... --sets ordinary,emergencies   only some sets
    ... --writer-as-family   the writer's own findings, in a check for a blood relative,
                             count as that relative's family history (default: another
                             person's)
    ... --data-dir DIR       read the three files from another folder (e.g. a dry run on
                             a synthetic copy)

Misses are listed by case index (0-based, the order of ``cases`` in the file) and category.
Exit status 0 after a run, 2 when the sets' notation or the live stack cannot be used.
"""

from __future__ import annotations

import argparse
import os
import secrets
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

os.environ["RASA_TELEMETRY_ENABLED"] = "false"
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

ROOT = Path(__file__).resolve().parents[1]
for extra in (ROOT, ROOT / "tests" / "nlu", ROOT / "tests" / "live"):
    if str(extra) not in sys.path:
        sys.path.insert(0, str(extra))

import blind_r3 as scorer  # noqa: E402

SET_NAMES = ("ordinary", "not_emergencies", "emergencies")
Row = tuple[str, str, str, str]


def _pct(value: float) -> str:
    return f"{value:.3f}"


def _rate(rate: scorer.Rate) -> tuple[str, str]:
    return (_pct(rate.value) if rate.total else "n/a", f"{rate.hits}/{rate.total}")


def _prf(prf: scorer.PRF) -> tuple[str, str]:
    return (
        _pct(prf.f1),
        f"P {prf.precision:.3f} R {prf.recall:.3f} (tp {prf.tp} fp {prf.fp} fn {prf.fn})",
    )


def _findings_rows(name: str, findings: scorer.FindingsScore) -> list[Row]:
    return [
        (name, "findings micro-F1, raw", *_prf(findings.raw)),
        (name, "findings micro-F1, subject rule", *_prf(findings.subject)),
        (name, "  stored only (no other: on either side)", *_prf(findings.stored)),
        (name, "another person's finding kept as own/family (target 0)",
         str(findings.misattributed), f"raw {findings.misattributed_raw}"),
    ]


def ordinary_rows(score: scorer.OrdinaryScore) -> list[Row]:
    rows = _findings_rows("ordinary", score.findings)
    rows.append(("ordinary", "labs F1 (analyte, value within 1%/0.05, unit)", *_prf(score.labs)))
    for name, rate in score.fields.items():
        rows.append(("ordinary", f"{name} accuracy (where labelled)", *_rate(rate)))
    rows.append(
        ("ordinary", "subject recognised (subject: other)", *_rate(score.subject_recognised))
    )
    return rows


def not_emergency_rows(score: scorer.NotEmergencyScore, rule: str) -> list[Row]:
    listed = " ".join(f"#{i}:{kind}" for i, kind in score.false_emergencies) or "-"
    allowed = " ".join(f"#{i}:{kind}" for i, kind in score.allowed_announced) or "-"
    return [
        ("not_emergencies", f"false emergencies ({rule}), wrong cases",
         str(len(score.false_emergencies)), f"of {score.wrong_cases}: {listed}"),
        ("not_emergencies", "announced 'allowed' cases (not counted)",
         str(len(score.allowed_announced)), f"of {score.allowed_cases}: {allowed}"),
        *_findings_rows("not_emergencies", score.findings),
    ]


def emergency_rows(score: scorer.EmergencyScore, rule: str) -> list[Row]:
    return [
        ("emergencies", f"announced by the NLU rule ({rule})", *_rate(score.announced)),
        ("emergencies", "red flag found for the right person (subject rule)",
         *_rate(score.red_flag)),
        ("emergencies", "  same, raw", *_rate(score.red_flag_raw)),
        ("emergencies", "subject recognised (subject: other)", *_rate(score.subject_recognised)),
        ("emergencies", "  and naming the labelled relation", *_rate(score.subject_matched)),
        ("emergencies", "age attached (where labelled)", *_rate(score.age)),
    ]


def live_rows(score: scorer.LiveScore) -> list[Row]:
    name = f"{score.set_name} (live)"
    if score.set_name == "not_emergencies":
        return [
            (name, "false announcements (b12_emergency), wrong cases", *_rate(score.announced)),
            (name, "  of which level emergency", *_rate(score.emergency_level)),
            (name, "final assessment emergency, wrong cases", *_rate(score.final_emergency)),
            (name, "screening question asked by the emergency net", *_rate(score.screened)),
            (name, "alert then a calmer final assessment", *_rate(score.contradicted)),
            (name, "failed cases", str(len(score.errors)), f"of {score.cases}"),
        ]
    return [
        (name, "announced (b12_emergency)", *_rate(score.announced)),
        (name, "  with level emergency", *_rate(score.emergency_level)),
        (name, "final assessment emergency", *_rate(score.final_emergency)),
        (name, "final assessment at the labelled level or above", *_rate(score.final_at_label)),
        (name, "crisis lines (labelled, or suicidal thoughts)", *_rate(score.crisis_lines)),
        (name, "screening question asked by the emergency net", *_rate(score.screened)),
        (name, "announced or screened (the safe side)", *_rate(score.safe_side)),
        (name, "alert then a calmer final assessment", *_rate(score.contradicted)),
        (name, "failed cases", str(len(score.errors)), f"of {score.cases}"),
    ]


def print_table(rows: Sequence[Row]) -> None:
    widths = [max(len(row[i]) for row in rows) for i in range(3)]
    for row in rows:
        print(f"{row[0]:<{widths[0]}}  {row[1]:<{widths[1]}}  {row[2]:>{widths[2]}}  {row[3]}")


def print_misses(
    misses: Sequence[scorer.Miss],
    cases: dict[str, list[dict[str, Any]]],
    details: bool,
    show_text: bool,
) -> None:
    if not misses:
        return
    print("\nmisses (case index, category):")
    for miss in misses:
        line = f"  {miss.set_name} #{miss.index}: {miss.category}"
        if details and miss.detail:
            line += f" [{miss.detail}]"
        print(line)
        if show_text:
            print(f"      {cases[miss.set_name][miss.index]['text']!r}")


# ------------------------------------------------------------------------------ live stack


def find_model(path: str | None) -> Path:
    """The model to serve: the one named, else models/b12.tar.gz, else the newest."""
    if path:
        return Path(path).resolve()
    default = ROOT / "models" / "b12.tar.gz"
    if default.exists():
        return default
    found = sorted((ROOT / "models").glob("*.tar.gz"), key=lambda p: p.stat().st_mtime)
    if not found:
        raise SystemExit("no trained model in models/: train one first (this script never does)")
    return found[-1]


def start_stack(model: Path, logs: Path) -> tuple[list[Any], scorer.RestAssistant]:
    """An action server and a Rasa server as ``make run`` starts them, on free local ports,
    with fresh secrets and a scratch SQLite tracker store (tests/live/live_servers.py)."""
    from live_servers import Process, action_server, base_env, free_port

    env = base_env(f"sqlite:///{logs / 'b12.db'}", None, free_port(), secrets.token_hex(16))
    env["B12_API_TOKEN"] = secrets.token_hex(16)
    started: list[Any] = []
    try:
        actions = action_server(env, logs)
        actions.start(timeout=180)
        started.append(actions)
        port = free_port()
        rasa = Process(
            "rasa",
            [sys.executable, "-m", "bot.rasa_adapters.server", "run", "--model", str(model),
             "--endpoints", "endpoints.yml", "--credentials", "credentials.yml",
             "--interface", "127.0.0.1", "--port", str(port)],
            env,
            f"http://127.0.0.1:{port}/",
            logs / "rasa.log",
        )
        rasa.start(timeout=300)
        started.append(rasa)
    except RuntimeError:
        stop_stack(started)
        raise
    client = scorer.RestAssistant(
        f"http://127.0.0.1:{port}", env["B12_REST_TOKEN"], env["B12_API_TOKEN"], env["B12_ID_KEY"]
    )
    return started, client


def stop_stack(processes: Sequence[Any]) -> None:
    for process in reversed(processes):
        process.stop()


def run_live(
    args: argparse.Namespace,
    cases: dict[str, list[dict[str, Any]]],
    progress: Callable[[str], None],
) -> list[scorer.LiveScore]:
    processes: list[Any] = []
    scratch: tempfile.TemporaryDirectory[str] | None = None
    if args.url:
        client = scorer.RestAssistant(
            args.url,
            args.rest_token or os.environ.get("B12_REST_TOKEN", ""),
            args.api_token or os.environ.get("B12_API_TOKEN") or None,
            args.id_key or os.environ.get("B12_ID_KEY") or None,
            timeout=args.timeout,
        )
        if not client.rest_token:
            raise SystemExit("--url needs the REST token: --rest-token or B12_REST_TOKEN")
    else:
        scratch = tempfile.TemporaryDirectory(prefix="blind-r3-")
        model = find_model(args.model)
        progress(f"starting the action server and Rasa ({model.name}); logs in {scratch.name}")
        try:
            processes, client = start_stack(model, Path(scratch.name))
        except RuntimeError as error:
            print(f"could not start the assistant: {error}", file=sys.stderr)
            raise SystemExit(2) from error
        client.timeout = args.timeout
    if not (client.api_token and client.id_key):
        progress("no API token or id key: the final assessment is not read (n/a)")
    scores = []
    try:
        for name in ("emergencies", "not_emergencies"):
            if name in cases:
                scores.append(scorer.score_live(name, cases[name], client, progress=progress))
    finally:
        stop_stack(processes)
        if scratch is not None:
            scratch.cleanup()
    return scores


# ------------------------------------------------------------------------------ main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--live", action="store_true", help="also score a running assistant")
    parser.add_argument("--url", help="a running assistant (else one is started)")
    parser.add_argument("--model", help="model for the started assistant (default models/)")
    parser.add_argument("--rest-token")
    parser.add_argument("--api-token")
    parser.add_argument("--id-key")
    parser.add_argument("--timeout", type=float, default=90.0, help="seconds per request")
    parser.add_argument("--sets", default=",".join(SET_NAMES))
    parser.add_argument("--data-dir", default=str(scorer.DATA))
    parser.add_argument("--round", type=int, default=3, help="which blind round's files")
    parser.add_argument("--details", action="store_true", help="finding ids of each miss")
    parser.add_argument("--show-text", action="store_true", help="the text of each miss")
    parser.add_argument("--writer-as-family", action="store_true")
    parser.add_argument("--quiet", action="store_true", help="no live progress lines")
    args = parser.parse_args(argv)
    args.sets = [s.strip() for s in args.sets.split(",") if s.strip()]
    unknown = set(args.sets) - set(SET_NAMES)
    if unknown:
        parser.error(f"unknown sets {sorted(unknown)}; choose from {SET_NAMES}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)

    def progress(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr, flush=True)

    cases = {name: scorer.load_set(name, args.data_dir, args.round) for name in args.sets}
    problems = [f"{name} {p}" for name, sets in cases.items()
                for p in scorer.check_notation(sets, name)]
    if problems:
        print("the sets' notation has problems; nothing was scored:", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 2

    from bot.nlu import extract

    rule, _ = scorer.announce_rule()
    announces = scorer.nlu_announces
    family = args.writer_as_family
    rows: list[Row] = []
    misses: list[scorer.Miss] = []
    started = time.perf_counter()
    if "ordinary" in cases:
        ordinary = scorer.score_ordinary(cases["ordinary"], extract, writer_as_family=family)
        rows += ordinary_rows(ordinary)
        misses += ordinary.misses
    if "not_emergencies" in cases:
        calm = scorer.score_not_emergencies(
            cases["not_emergencies"], extract, announces, writer_as_family=family
        )
        rows += not_emergency_rows(calm, rule)
        misses += calm.misses
    if "emergencies" in cases:
        urgent = scorer.score_emergencies(
            cases["emergencies"], extract, announces, writer_as_family=family
        )
        rows += emergency_rows(urgent, rule)
        misses += urgent.misses
    offline_seconds = time.perf_counter() - started

    live: list[scorer.LiveScore] = []
    if args.live:
        live = run_live(args, cases, progress)
        for score in live:
            rows += live_rows(score)
            misses += score.misses

    sizes = ", ".join(f"{name} {len(sets)}" for name, sets in cases.items())
    print(f"blind round {args.round} ({sizes} cases; offline {offline_seconds:.1f} s)")
    print_table([("set", "figure", "value", "counts"), *rows])
    print_misses(misses, cases, args.details, args.show_text)
    errors = [f"  {score.set_name} {line}" for score in live for line in score.errors]
    if errors:
        print("\nlive failures:")
        print("\n".join(errors))
    return 0


if __name__ == "__main__":
    sys.exit(main())
