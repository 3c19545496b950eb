"""Print negation / historical / hypothetical scores on the NegEx / ConText test set.

Usage: ``python bench/negex_report.py [path/to/negex/folder] [--errors]``. The folder
defaults to ``<repo>/../shared/benchmarks/negex/``; the file is read in place.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests" / "nlu"))

from negex_scoring import default_benchmark_dir, evaluate, load_rows, report  # noqa: E402


def main(argv: list[str]) -> int:
    args = [a for a in argv if not a.startswith("--")]
    folder = Path(args[0]) if args else default_benchmark_dir()
    if not folder.is_dir():
        print(f"benchmark folder not found: {folder}", file=sys.stderr)
        return 2
    result = evaluate(load_rows(folder))
    print(report(result))
    if "--errors" in argv:
        for kind, condition, sentence in result["negation_errors"]:
            print(f"{kind:9} | {condition} | {sentence}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
