"""Intent accuracy on a frozen blind message set, through the trained assistant's NLU.

Each message of ``tests/intents/data/blind_intents_rN.yml`` is parsed by the trained
model (the whole NLU pipeline, the clinical extractor's red-flag rule included, as a
person meets it). Prints accuracy, macro-F1 over intents, FAQ topic accuracy, the
emergencies read as something that would not get emergency advice, and every miss.

    python bench/intent_blind.py [--round 1] [--model models/b12.tar.gz] [--show-text]

``--show-text`` prints the misread messages; without it only labels are shown, so the
numbers can be read without reading the set (docs/nlu-evaluation.md, "Blind intent set").
"""

from __future__ import annotations

import argparse
import asyncio
import os
import sys
from collections import Counter
from pathlib import Path

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

# An emergency read as one of these gets no emergency advice at all.
DROPPED = {"out_of_scope", "other_language", "greet", "goodbye", "thank", "nlu_fallback"}


def load_cases(round_no: int) -> list[dict]:
    import yaml

    path = ROOT / "tests" / "intents" / "data" / f"blind_intents_r{round_no}.yml"
    return yaml.safe_load(path.read_text(encoding="utf-8"))["cases"]


def predicted_label(parse: dict) -> str:
    """The intent, with the FAQ topic the response selector chose for faq."""
    intent = (parse.get("intent") or {}).get("name") or "none"
    if intent == "faq":
        chosen = ((parse.get("response_selector") or {}).get("faq") or {}).get("response") or {}
        key = chosen.get("intent_response_key")
        return key or "faq"
    return intent


def macro_f1(pairs: list[tuple[str, str]]) -> float:
    labels = {gold for gold, _ in pairs}
    scores = []
    for label in labels:
        tp = sum(1 for g, p in pairs if g == label and p == label)
        fp = sum(1 for g, p in pairs if g != label and p == label)
        fn = sum(1 for g, p in pairs if g == label and p != label)
        precision = tp / (tp + fp) if tp + fp else 0.0
        recall = tp / (tp + fn) if tp + fn else 0.0
        scores.append(2 * precision * recall / (precision + recall) if precision + recall else 0.0)
    return sum(scores) / len(scores)


async def parse_all(model: Path, texts: list[str]) -> list[dict]:
    import logging

    from rasa.core.agent import Agent
    from rasa.utils.log_utils import configure_structlog

    # Rasa logs each parsed message at debug level; the set's words stay off the screen.
    configure_structlog(logging.WARNING)
    logging.getLogger().setLevel(logging.WARNING)

    agent = Agent.load(str(model))
    return [await agent.parse_message(text) for text in texts]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--round", type=int, default=1)
    parser.add_argument("--model", type=Path, default=ROOT / "models" / "b12.tar.gz")
    parser.add_argument("--show-text", action="store_true")
    args = parser.parse_args(argv)
    cases = load_cases(args.round)
    parses = asyncio.run(parse_all(args.model, [c["text"] for c in cases]))
    gold_full = [c["intent"] for c in cases]
    pred_full = [predicted_label(p) for p in parses]
    gold = [g.split("/")[0] for g in gold_full]
    pred = [p.split("/")[0] for p in pred_full]
    pairs = list(zip(gold, pred, strict=True))
    n = len(cases)
    accuracy = sum(g == p for g, p in pairs) / n
    faq = [(g, p) for g, p in zip(gold_full, pred_full, strict=True) if g.startswith("faq/")]
    faq_topic = sum(g == p for g, p in faq) / len(faq) if faq else float("nan")
    emergencies = [
        (c, p) for c, p in zip(cases, pred, strict=True) if c["intent"] == "report_red_flag"
    ]
    emergency_recall = sum(p == "report_red_flag" for _, p in emergencies) / len(emergencies)
    dropped = [c for c, p in emergencies if p in DROPPED]
    # The emergency net asks the screening question for a raised message whatever its intent.
    safe_side = sum(
        1
        for case, label, parse in zip(cases, pred, parses, strict=True)
        if case["intent"] == "report_red_flag"
        and (label == "report_red_flag" or (parse.get("emergency_check") or {}).get("raised"))
    )
    net_raised = Counter(
        gold_label for gold_label, parse in zip(gold, parses, strict=True)
        if (parse.get("emergency_check") or {}).get("raised")
    )
    print(f"blind intent set round {args.round}: {n} messages, model {args.model.name}")
    print(f"intent accuracy        {accuracy:.3f}")
    print(f"intent macro-F1        {macro_f1(pairs):.3f}")
    print(f"FAQ topic accuracy     {faq_topic:.3f} ({len(faq)} FAQ messages, topic right)")
    print(f"report_red_flag recall {emergency_recall:.3f} ({len(emergencies)} emergencies)")
    print(f"emergencies read as out_of_scope/other_language/greet/...: {len(dropped)}")
    print(f"emergencies sent to the safe side (red-flag intent or net raised): "
          f"{safe_side}/{len(emergencies)}")
    print(f"net raised, by true intent: {dict(sorted(net_raised.items())) or 'none'}")
    per_label = Counter(gold)
    right = Counter(g for g, p in pairs if g == p)
    print("per intent (right/total):")
    for label in sorted(per_label):
        print(f"  {label:16s} {right[label]:3d}/{per_label[label]:3d}")
    confusions = Counter((g, p) for g, p in pairs if g != p)
    print("misreadings (gold -> predicted: count):")
    for (g, p), count in confusions.most_common():
        print(f"  {g} -> {p}: {count}")
    if args.show_text:
        for case, p in zip(cases, pred_full, strict=True):
            if case["intent"].split("/")[0] != p.split("/")[0]:
                print(f"  [{case['intent']} -> {p}] {case['text']}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
