"""Command line: assess a findings file, read a lab value, or run the language understanding.

    python -m bot assess FILE.json [--json | --text | --both] [--html OUT.html] [--now ISO]
    python -m bot labs "b12 150 pmol/L" [--json]
    python -m bot extract "been knackered for months, pins and needles"
    python -m bot purge --older-than 30d | db check | db upgrade   (see bot.storage.cli)

``assess`` prints JSON by default (the documented contract, safe to pipe);
``--text`` prints the readable doctor summary with the chat explanation,
``--both`` prints the text, then the JSON. ``-`` reads the findings from stdin.
Bad input gives a clear message on stderr and exit code 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import sys
from datetime import datetime
from pathlib import Path
from typing import Any, TextIO

from bot.assessment import assess
from bot.errors import B12Error, format_error
from bot.findings import Findings
from bot.messages import explain_why, short_summary, tests_message
from bot.summary import render_html, render_text

EXIT_BAD_INPUT = 2


def _read_findings(source: str, stdin: TextIO) -> dict[str, Any]:
    if source == "-":
        text = stdin.read()
    else:
        path = Path(source)
        if not path.is_file():
            raise B12Error("I101", path=source)
        text = path.read_text(encoding="utf-8")
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise B12Error(
            "I102", detail=f"{exc.msg} at line {exc.lineno}, column {exc.colno}"
        ) from None
    if not isinstance(data, dict):
        raise B12Error("I103", detail="the top level must be a JSON object (Findings.to_dict())")
    return data


def _cmd_assess(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    data = _read_findings(args.file, stdin)
    try:
        findings = Findings.from_dict(data)
    except (ValueError, KeyError, TypeError, AttributeError) as exc:
        if isinstance(exc, B12Error):
            raise
        raise B12Error("I103", detail=str(exc) or exc.__class__.__name__) from None
    now = None
    if args.now:
        try:
            now = datetime.fromisoformat(args.now)
        except ValueError:
            raise B12Error(
                "I103", detail=f"--now must be an ISO date-time, got {args.now!r}"
            ) from None
    assessment = assess(findings, now=now)
    mode = "json" if not (args.text or args.both) else "text" if args.text else "both"
    if mode in ("text", "both"):
        out.write(short_summary(assessment) + "\n\n")
        out.write(explain_why(assessment) + "\n\n")
        out.write(tests_message(assessment) + "\n\n")
        out.write(render_text(findings, assessment) + "\n")
    if mode in ("json", "both"):
        json.dump(assessment.to_dict(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    if args.html:
        Path(args.html).write_text(render_html(findings, assessment), encoding="utf-8")
    return 0


def _cmd_labs(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    from bot.findings import Findings
    from bot.labs import interpret, parse_lab
    from bot.messages import lab_message

    reading = interpret(parse_lab(args.text), Findings())
    if args.json:
        json.dump(reading.to_dict(), out, indent=2, ensure_ascii=False)
        out.write("\n")
    else:
        out.write(lab_message(reading) + "\n")
    return 0


def _cmd_extract(args: argparse.Namespace, out: TextIO, stdin: TextIO) -> int:
    try:
        from bot.nlu.reading import extract
    except ImportError as exc:
        sys.stderr.write(
            f"error: the language understanding (bot.nlu.extract) is not available: {exc}\n"
        )
        return EXIT_BAD_INPUT
    text = sys.stdin.read() if args.text == "-" else args.text
    json.dump(extract(text).to_dict(), out, indent=2, ensure_ascii=False)
    out.write("\n")
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m bot", description="B12 deficiency symptom checker (clinical core)"
    )
    sub = parser.add_subparsers(dest="command", required=True)
    p_assess = sub.add_parser("assess", help="assess a findings JSON file ('-' for stdin)")
    p_assess.add_argument("file", help="findings JSON in the Findings.to_dict() format, or '-'")
    fmt = p_assess.add_mutually_exclusive_group()
    fmt.add_argument("--json", action="store_true", help="JSON only (the default)")
    fmt.add_argument("--text", action="store_true", help="readable text only")
    fmt.add_argument("--both", action="store_true", help="readable text, then JSON")
    p_assess.add_argument("--html", metavar="OUT", help="also write the printable HTML summary")
    p_assess.add_argument("--now", metavar="ISO", help="timestamp to use (reproducible output)")
    p_assess.set_defaults(func=_cmd_assess)
    p_labs = sub.add_parser("labs", help='read one lab value, e.g. "b12 150 pmol/L"')
    p_labs.add_argument("text")
    p_labs.add_argument("--json", action="store_true", help="print the interpretation as JSON")
    p_labs.set_defaults(func=_cmd_labs)
    p_extract = sub.add_parser("extract", help="run the language understanding on a message")
    p_extract.add_argument("text", help="the message, or '-' for stdin")
    p_extract.set_defaults(func=_cmd_extract)
    from bot.storage.cli import add_commands  # loads SQLAlchemy: not on importing bot.cli

    add_commands(sub)
    return parser


def main(
    argv: list[str] | None = None, out: TextIO | None = None, stdin: TextIO | None = None
) -> int:
    out = out or sys.stdout
    stdin = stdin or sys.stdin
    args = build_parser().parse_args(argv)
    try:
        return args.func(args, out, stdin)
    except B12Error as exc:
        sys.stderr.write(f"error: {exc}\n")
        return EXIT_BAD_INPUT
    except (OSError, UnicodeDecodeError) as exc:
        sys.stderr.write(f"error: {format_error('I103', detail=exc)}\n")
        return EXIT_BAD_INPUT
