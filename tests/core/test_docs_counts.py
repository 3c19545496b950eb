"""The counts the docs quote are the data's, not copies that drift."""

from __future__ import annotations

import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT / "scripts"))

import docs_counts  # noqa: E402


def test_the_docs_counts_are_current() -> None:
    done = subprocess.run(
        [sys.executable, str(ROOT / "scripts" / "docs_counts.py"), "--check"],
        capture_output=True, text=True,
    )
    assert done.returncode == 0, done.stderr


def test_a_stale_count_is_rewritten_from_the_data() -> None:
    doc = (
        "| intent | examples | what it covers |\n|---|---:|---|\n"
        "| `greet` | 1 | hello |\n| `faq` (2 sub-intents) | 5 | questions |\n\n"
        "| label | support |\n| `greet` | 1 |\n"
    )
    counts = Counter({"greet": 173, "faq/a": 10, "faq/b": 1200, "faq/c": 3})
    out = docs_counts.rewrite_intent_table(doc, counts)
    assert "| `greet` | 173 | hello |" in out
    assert "| `faq` (3 sub-intents) | 1,213 | questions |" in out
    assert out.endswith("| `greet` | 1 |\n")  # a measurement's table is left as measured


def test_marked_numbers_follow_the_knowledge_base() -> None:
    values = docs_counts.knowledge_counts()
    text = "ask at most <!-- count:max_questions -->99<!-- /count --> questions"
    assert docs_counts.rewrite_marked(text, values) == (
        f"ask at most <!-- count:max_questions -->{values['max_questions']}<!-- /count -->"
        " questions"
    )
