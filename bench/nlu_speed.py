"""Throughput and latency of ``bot.nlu.extract`` on 1,000 varied messages.

Usage: ``python bench/nlu_speed.py [--n 1000] [--seed 7]``. Messages are built from
lay phrases, negations, family talk, values and filler of varied length (a few words to
a long paragraph), so the figure reflects real traffic rather than one repeated text.
Runs in one process on one core (spaCy's blank pipeline is single-threaded).
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

PIECES = [
    "been knackered for months",
    "pins n needles in my feet",
    "no chest pain tho",
    "mum had pernicious anaemia",
    "I'm vegan and on omeprazole",
    "b12 came back 160",
    "my tongue is sore and red",
    "im 67 and retired",
    "12 weeks pregnant",
    "not breastfeeding anymore",
    "used to do balloons at festivals",
    "stopped metformin years ago",
    "worried I might have nerve damage",
    "hb 105 g/L, mcv 104",
    "active b12 was 30 pmol/l",
    "feel dizzy when I stand up",
    "no numbness or tingling",
    "my vegan sister says hi",
    "brain fog is awful lately",
    "I can't breathe properly",
    "haven't passed out or anything",
    "tired all the time 😩",
    "in my forties, vegetarian since uni",
    "had a gastric bypass in 2015",
    "on Nexium and Glucophage",
    "thanks",
    "ok",
    "what does b12 do?",
    "the weather is lovely today and I walked the dog",
    "je suis fatigué",
]
JOINERS = [", ", ". ", "; ", " and ", " but ", "\n", " - ", "!! "]


def messages(n: int, seed: int) -> list[str]:
    rng = random.Random(seed)
    out = []
    for _ in range(n):
        k = rng.choice([1, 1, 2, 3, 4, 6, 10])
        parts = [rng.choice(PIECES) for _ in range(k)]
        text = parts[0]
        for part in parts[1:]:
            text += rng.choice(JOINERS) + part
        if rng.random() < 0.1:
            text = text.upper()
        out.append(text)
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=1000)
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args()
    from bot.nlu.pipeline import get_pipeline
    from bot.nlu.reading import extract

    started = time.perf_counter()
    get_pipeline()
    build_s = time.perf_counter() - started
    texts = messages(args.n, args.seed)
    for text in texts[:20]:
        extract(text)
    wall, cpu = [], []
    total_start = time.perf_counter()
    cpu_start = time.thread_time()
    for text in texts:
        t0, c0 = time.perf_counter(), time.thread_time()
        extract(text)
        cpu.append((time.thread_time() - c0) * 1000)
        wall.append((time.perf_counter() - t0) * 1000)
    total = time.perf_counter() - total_start
    total_cpu = time.thread_time() - cpu_start
    print(f"pipeline build: {build_s:.2f} s")
    print(f"messages: {len(texts)}, mean length {statistics.mean(len(t) for t in texts):.0f} chars")
    print(
        f"throughput: {len(texts) / total:.0f} messages/s wall, "
        f"{len(texts) / total_cpu:.0f} per CPU second"
    )
    for name, values in (("wall", wall), ("cpu", cpu)):
        values.sort()
        p95 = values[int(0.95 * len(values)) - 1]
        print(
            f"{name} ms per message: p50 {statistics.median(values):.2f}, p95 {p95:.2f}, "
            f"max {values[-1]:.2f}"
        )
    print("(cpu = time this thread ran; wall includes waiting for a busy machine)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
