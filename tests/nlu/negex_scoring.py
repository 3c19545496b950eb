"""Score the extractor's ConText logic on the public NegEx / ConText test set.

The set (Chapman et al., 2,376 sentences from 120 clinical reports) names the
condition in each sentence, so the condition span is handed to the pipeline as the
target and only the context logic is measured: the clause splitter and the ConText
rules of ``patterns/context_rules.yml``, exactly as they run on patient messages.
The file is read where it lies and never copied into the project.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from bot.nlu.pipeline import CONTEXT_PIPE

BENCHMARK_FILE = "rsAnnotations-1-120-random.txt"

# Figures published in the benchmark's README (same file, same labels).
PUBLISHED = {
    "GenNegEx 1.2": {"negated": (0.933, 0.959, 0.946)},
    "medspacy 1.2.0 default rules": {
        "negated": (0.901, 0.959, 0.929),
        "historical_f1": 0.629,
        "hypothetical_f1": 0.809,
    },
    "negspacy 1.0.4 (en)": {"negated": (0.949, 0.949, 0.949)},
}


def default_benchmark_dir() -> Path:
    """``<repo>/../shared/benchmarks/negex/`` (the repository's sibling folder)."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "benchmarks" / "negex"


@dataclass(frozen=True)
class Row:
    condition: str
    sentence: str
    negated: bool
    historical: bool
    hypothetical: bool


def load_rows(folder: Path) -> list[Row]:
    rows = []
    with (folder / BENCHMARK_FILE).open(encoding="utf-8", errors="replace") as handle:
        reader = csv.reader(handle, delimiter="\t", quoting=csv.QUOTE_NONE)
        next(reader)
        for record in reader:
            if len(record) < 5:
                continue
            rows.append(
                Row(
                    condition=record[1],
                    sentence=record[2],
                    negated=record[3].strip().lower() == "negated",
                    historical=record[4].strip().lower() == "historical",
                    hypothetical=record[4].strip().lower() == "not particular",
                )
            )
    return rows


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, truth: bool, predicted: bool) -> None:
        self.tp += truth and predicted
        self.fp += predicted and not truth
        self.fn += truth and not predicted

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 0.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 0.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def context_categories(nlp, sentence: str, condition: str) -> set[str] | None:
    """ConText categories that reach ``condition`` inside ``sentence`` (None: not found)."""
    from bot.nlu.components import SPAN_GROUP

    at = sentence.lower().find(condition.lower().strip())
    if at < 0 or not condition.strip():
        return None
    doc = nlp.make_doc(sentence)
    span = doc.char_span(at, at + len(condition.strip()), label="SYMPTOM", alignment_mode="expand")
    if span is None:
        return None
    doc.spans[SPAN_GROUP] = [span]
    doc = nlp.get_pipe("b12_clauses")(doc)
    doc = nlp.get_pipe(CONTEXT_PIPE)(doc)
    return {m.category for m in doc.spans[SPAN_GROUP][0]._.modifiers}


def evaluate(rows: Iterable[Row], nlp=None) -> dict[str, Any]:
    """Negation P/R/F1 and historical / hypothetical F1 over the rows found in their sentence."""
    if nlp is None:
        from bot.nlu.pipeline import build_pipeline

        nlp = build_pipeline(targets=[], token_rules=[])
    negated, historical, hypothetical = Counts(), Counts(), Counts()
    skipped = used = 0
    errors: list[tuple[str, str, str]] = []
    for row in rows:
        cats = context_categories(nlp, row.sentence, row.condition)
        if cats is None:
            skipped += 1
            continue
        used += 1
        # "no longer", "quit", "former" end a finding: the benchmark labels them negated
        # (and historical), and the extractor reports them as not present now.
        neg = bool(cats & {"NEGATED_EXISTENCE", "ENDED"})
        negated.add(row.negated, neg)
        historical.add(row.historical, bool(cats & {"HISTORICAL", "ENDED"}))
        hypothetical.add(row.hypothetical, "HYPOTHETICAL" in cats)
        if neg != row.negated:
            errors.append(("negated" if row.negated else "affirmed", row.condition, row.sentence))
    return {
        "rows": used,
        "skipped": skipped,
        "negated": negated,
        "historical": historical,
        "hypothetical": hypothetical,
        "negation_errors": errors,
    }


def report(result: dict[str, Any]) -> str:
    """The benchmark table, ours next to the published figures."""
    neg, hist, hyp = result["negated"], result["historical"], result["hypothetical"]
    lines = [
        f"NegEx/ConText test set: {result['rows']} rows scored, {result['skipped']} skipped "
        "(condition not found in its sentence)",
        "",
        f"{'system':34} {'neg P':>6} {'neg R':>6} {'neg F1':>7} {'hist F1':>8} {'hyp F1':>7}",
        f"{'this project (bot.nlu)':34} {neg.precision:6.3f} {neg.recall:6.3f} {neg.f1:7.3f} "
        f"{hist.f1:8.3f} {hyp.f1:7.3f}",
    ]
    for name, figures in PUBLISHED.items():
        p, r, f = figures["negated"]
        hist_f1 = figures.get("historical_f1")
        hyp_f1 = figures.get("hypothetical_f1")
        lines.append(
            f"{name:34} {p:6.3f} {r:6.3f} {f:7.3f} "
            f"{(f'{hist_f1:.3f}' if hist_f1 else '-'):>8} {(f'{hyp_f1:.3f}' if hyp_f1 else '-'):>7}"
        )
    return "\n".join(lines)
