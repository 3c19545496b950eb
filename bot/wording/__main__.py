"""Write (or check) the ``responses:`` section of domain.yml from bot/wording/texts.yml.

    python -m bot.wording --write-domain [domain.yml]
    python -m bot.wording --check-domain [domain.yml]   # exit 1 when out of date
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import yaml

from bot.wording import domain_responses

HEADER = (
    "responses:\n"
    "  # Written from bot/wording/texts.yml by `python -m bot.wording --write-domain`:\n"
    "  # edit the wording there, not here.\n"
)


class _Dumper(yaml.SafeDumper):
    """Long texts as folded blocks, as a person would write them."""


def _text(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = ">" if len(value) > 70 else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _text)


def responses_section() -> str:
    body = yaml.dump(
        domain_responses(), Dumper=_Dumper, sort_keys=False, width=88, allow_unicode=True,
        indent=2,
    )
    return HEADER + "".join(f"  {line}\n" if line else "\n" for line in body.splitlines())


def with_responses(domain_text: str) -> str:
    """``domain_text`` with its ``responses:`` section (the last one) replaced."""
    head, marker, _ = domain_text.partition("\nresponses:")
    if not marker:
        raise SystemExit("domain.yml has no top-level 'responses:' section")
    return f"{head}\n{responses_section()}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.wording", description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write-domain", action="store_true")
    mode.add_argument("--check-domain", action="store_true")
    parser.add_argument("domain", nargs="?", default="domain.yml", type=Path)
    args = parser.parse_args(argv)
    current = args.domain.read_text(encoding="utf-8")
    wanted = with_responses(current)
    if args.check_domain:
        if current != wanted:
            print(f"{args.domain}: responses differ from bot/wording; run "
                  "`python -m bot.wording --write-domain`", file=sys.stderr)
            return 1
        return 0
    args.domain.write_text(wanted, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
