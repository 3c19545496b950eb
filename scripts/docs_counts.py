"""Write the counts the docs quote from the data they describe, or check them.

    python scripts/docs_counts.py --write   # update docs/ in place
    python scripts/docs_counts.py --check   # exit 1 when a count is stale (a test runs this)

Counts in prose are marked ``<!-- count:NAME -->15<!-- /count -->`` (the markers do
not show when the Markdown is rendered); the intent table's example column and the
FAQ line are rewritten whole.
"""

from __future__ import annotations

import argparse
import re
import sys
from collections import Counter
from pathlib import Path
from typing import Callable

import yaml

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
NLU_FILES = (ROOT / "data" / "nlu.yml", *sorted((ROOT / "data" / "nlu").glob("*.yml")))


def examples_by_intent() -> Counter[str]:
    counts: Counter[str] = Counter()
    for path in NLU_FILES:
        for item in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get("nlu") or []:
            if "intent" in item:
                lines = str(item.get("examples", "")).splitlines()
                counts[item["intent"]] += sum(1 for line in lines if line.strip().startswith("- "))
    return counts


def knowledge_counts() -> dict[str, str]:
    data = ROOT / "bot" / "knowledge" / "data"
    questions = yaml.safe_load((data / "questions.yml").read_text(encoding="utf-8"))
    findings = yaml.safe_load((data / "findings.yml").read_text(encoding="utf-8"))["findings"]
    kinds = Counter(f.get("kind") for f in findings)
    return {
        "max_questions": str(questions["max_questions"]),
        "max_known_findings": str(questions["max_known_findings"]),
        "min_utility": f"{questions['min_utility']:g}",
        "findings": str(len(findings)),
        "red_flags": str(kinds["red_flag"]),
    }


def _thousands(n: int) -> str:
    return f"{n:,}"


def faq_line(counts: Counter[str]) -> str:
    faq = sorted((k.split("/", 1)[1], n) for k, n in counts.items() if k.startswith("faq/"))
    parts = ", ".join(f"{topic} {n}" for topic, n in faq)
    total = _thousands(sum(counts.values()))
    return f"FAQ sub-intents (questions each): {parts}. Total: {total} examples."


def rewrite_intent_table(text: str, counts: Counter[str]) -> str:
    faq_total = sum(n for k, n in counts.items() if k.startswith("faq/"))
    faq_topics = sum(1 for k in counts if k.startswith("faq/"))

    def row(match: re.Match[str]) -> str:
        intent = match.group("intent")
        if intent == "faq":
            return f"| `faq` ({faq_topics} sub-intents) | {_thousands(faq_total)} |"
        if intent not in counts:
            raise SystemExit(f"docs name an intent the data does not have: {intent}")
        return f"| `{intent}` | {_thousands(counts[intent])} |"

    header = "| intent | examples | what it covers |\n|---|---:|---|\n"
    start = text.index(header) + len(header)
    end = text.index("\n\n", start)
    table = re.sub(
        r"^\| `(?P<intent>[a-z_]+)`(?: \(\d+ sub-intents\))? \| [\d,]+ \|",
        row, text[start:end], flags=re.MULTILINE,
    )
    return text[:start] + table + text[end:]


def rewrite_marked(text: str, values: dict[str, str]) -> str:
    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in values:
            raise SystemExit(f"unknown count in docs: {name}")
        return f"<!-- count:{name} -->{values[name]}<!-- /count -->"

    return re.sub(r"<!-- count:([a-z_]+) -->.*?<!-- /count -->", one, text, flags=re.DOTALL)


def rewrite_nlu_evaluation(text: str) -> str:
    counts = examples_by_intent()
    text = rewrite_intent_table(text, counts)
    return re.sub(
        r"(<!-- generated:faq -->\n).*?(\n<!-- /generated -->)",
        lambda m: f"{m.group(1)}{faq_line(counts)}{m.group(2)}", text, flags=re.DOTALL,
    )


def findings_table() -> str:
    """Every finding id of the knowledge base, by kind, with its label: the vocabulary of the
    ``symptom``, ``risk_factor`` and ``red_flag`` entities."""
    data = ROOT / "bot" / "knowledge" / "data" / "findings.yml"
    findings = yaml.safe_load(data.read_text(encoding="utf-8"))["findings"]
    order = {"red_flag": 0, "symptom": 1, "risk_factor": 2}
    rows = sorted(findings, key=lambda f: (order.get(f.get("kind"), 3), f["id"]))
    lines = ["| id | kind | what it means |", "|---|---|---|"]
    lines += [f"| `{f['id']}` | {f.get('kind')} | {f.get('label', '')} |" for f in rows]
    return "\n".join(lines)


def rewrite_findings(text: str) -> str:
    return re.sub(
        r"(<!-- generated:findings -->\n).*?(\n<!-- /generated -->)",
        lambda m: f"{m.group(1)}{findings_table()}{m.group(2)}", text, flags=re.DOTALL,
    )


def rewrites() -> dict[Path, Callable[[str], str]]:
    values = knowledge_counts()
    out: dict[Path, Callable[[str], str]] = {
        path: (lambda t: rewrite_marked(t, values)) for path in sorted(DOCS.glob("*.md"))
    }
    out[ROOT / "README.md"] = lambda t: rewrite_marked(t, values)
    nlu_doc = DOCS / "nlu-evaluation.md"
    out[nlu_doc] = lambda t: rewrite_nlu_evaluation(rewrite_marked(t, values))
    out[DOCS / "entities.md"] = lambda t: rewrite_findings(rewrite_marked(t, values))
    return out


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    mode = parser.add_mutually_exclusive_group(required=True)
    mode.add_argument("--write", action="store_true")
    mode.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    stale = []
    for path, rewrite in rewrites().items():
        current = path.read_text(encoding="utf-8")
        wanted = rewrite(current)
        if wanted != current:
            stale.append(path.relative_to(ROOT))
            if args.write:
                path.write_text(wanted, encoding="utf-8")
    if stale and args.check:
        print("stale counts in: " + ", ".join(map(str, stale))
              + " (run `python scripts/docs_counts.py --write`)", file=sys.stderr)
        return 1
    for path in stale if args.write else []:
        print(f"updated {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
