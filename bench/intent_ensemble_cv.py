"""Does a classifier over the sentence embedding, averaged with DIET, classify better?

DIET reads word and character counts, which cannot relate a word no training example
has to one they know; the pretrained encoder's sentence embedding can, but added to DIET
as a feature it lowered the cross-validated scores (docs/nlu-evaluation.md). This bench
measures the other way of using it: an independent classifier over the embedding alone
(logistic regression, or k nearest training examples by cosine), whose probabilities are
averaged with DIET's intent ranking and with the response selector's FAQ ranking.

It uses the cross-validation's own folds: the data loaded as ``rasa test nlu`` loads it,
NumPy's generator seeded with the test's ``FOLD_SEED`` and Rasa's ``generate_folds``. Per
fold it trains the pipeline of ``tests/intents/config_cv.yml`` with Rasa's ``train_nlu``,
parses the held-out messages as Rasa's evaluation does (the fallback classifier's
prediction undone) and keeps, in ``--work``, DIET's and the response selector's rankings
(as they were before the ensemble component, when the config has it) and what the
pipeline as configured decided; a second run reuses them. The bench's own embedding
classifiers are trained on the training folds only. DIET's share of the average is fixed
in advance (0.5, or the component's ``diet_weight``) and also chosen, for each fold, on
the other folds' held-out rankings ("lofo": each of them is part of this fold's training
data), never on the fold scored. The logistic regression's C is the component's, or
chosen by 3-fold CV on the training folds.

    nice -n 10 python bench/intent_ensemble_cv.py --folds-to-run 0        # one fold first
    nice -n 10 python bench/intent_ensemble_cv.py                         # all five

Prints intent macro-F1, FAQ answer macro-F1 and ``report_red_flag`` recall for DIET alone,
the embedding classifier alone and the ensembles, per fold and over all folds run.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

FOLDS = 5
FOLD_SEED = 2024  # tests/intents/test_intent_cross_validation.py
RED_FLAG = "report_red_flag"
RETRIEVAL_INTENT = "faq"
ENSEMBLE = "bot.rasa_adapters.intent_ensemble.IntentEnsemble"
BEFORE = "bench_before_ensemble"
WEIGHTS = [round(w, 2) for w in np.arange(0.0, 1.01, 0.1)]
# DIET's share, chosen before any measurement (the ensemble component's, if configured).
FIXED_WEIGHT = 0.5


def load_folds(data_dir: Path) -> tuple[list[Any], list[tuple[list[int], list[int]]]]:
    """The examples and each fold's (train, test) indices, drawn as the CV test draws them."""
    np.random.seed(FOLD_SEED)
    from rasa.nlu.test import drop_intents_below_freq, generate_folds
    from rasa.shared.importers.importer import TrainingDataImporter

    importer = TrainingDataImporter.load_from_dict(
        training_data_paths=[str(data_dir)], domain_path=str(ROOT / "domain.yml")
    )
    data = drop_intents_below_freq(importer.get_nlu_data(), cutoff=FOLDS)
    examples = data.intent_examples
    position = {id(m): i for i, m in enumerate(examples)}
    folds = []
    for train, test in generate_folds(FOLDS, data):
        folds.append(
            (
                [position[id(m)] for m in train.training_examples],
                [position[id(m)] for m in test.training_examples],
            )
        )
    return data, folds


def fold_config(config_path: Path, out: Path) -> Path:
    """The CV config as it is (with the ensemble component, if it has one)."""
    import yaml

    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    path = out / "config.yml"
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    return path


def watch_the_ensemble() -> None:
    """Keep DIET's and the selector's rankings as they were before the ensemble component
    rewrote them (the ensemble's own output is the parse result), so that one training
    per fold scores both."""
    import copy

    try:
        from bot.rasa_adapters.intent_ensemble import IntentEnsemble
    except ImportError:
        return
    import functools

    original = IntentEnsemble.process

    @functools.wraps(original)  # Rasa checks the signature of a component's process
    def process(self, messages):  # noqa: ANN001, ANN202
        for message in messages:
            message.set(BEFORE, {
                "intent_ranking": copy.deepcopy(message.get("intent_ranking")),
                "response_selector": copy.deepcopy(message.get("response_selector")),
            })
        return original(self, messages)

    IntentEnsemble.process = process


def run_fold(k: int, data: Any, test_idx: list[int], train_idx: list[int], config: Path,
             work: Path) -> dict:
    """Train the pipeline on the training folds; DIET's and the selector's rankings on
    the held-out fold, read as Rasa's evaluation reads them."""
    from rasa.core.agent import Agent
    from rasa.core.channels import UserMessage
    from rasa.model_training import train_nlu
    from rasa.nlu.classifiers import fallback_classifier
    from rasa.shared.nlu.training_data.formats.rasa_yaml import RasaYAMLWriter
    from rasa.shared.nlu.training_data.training_data import TrainingData

    examples = data.intent_examples
    fold_dir = work / f"fold{k}"
    fold_dir.mkdir(parents=True, exist_ok=True)
    train = TrainingData(
        training_examples=[examples[i] for i in train_idx],
        entity_synonyms=data.entity_synonyms,
        regex_features=data.regex_features,
        lookup_tables=data.lookup_tables,
        responses=data.responses,
    )
    train_file = fold_dir / "train.yml"
    RasaYAMLWriter().dump(train_file, train)
    started = time.monotonic()
    model = train_nlu(str(config), str(train_file), str(fold_dir), fixed_model_name="model")
    trained = time.monotonic() - started
    processor = Agent.load(model).processor

    async def parse_all() -> list[dict]:
        rows = []
        for i in test_idx:
            result = await processor.parse_message(
                UserMessage(text=examples[i].get("text")), tracker=None,
                only_output_properties=False,
            )
            if fallback_classifier.is_fallback_classifier_prediction(result):
                result = fallback_classifier.undo_fallback_prediction(result)
            before = result.get(BEFORE) or result
            selector = (before.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
            after = (result.get("response_selector") or {}).get(RETRIEVAL_INTENT) or {}
            ranking = [r for r in before["intent_ranking"] if r["name"] != "nlu_fallback"]
            rows.append(
                {
                    "index": i,
                    "intent": ranking[0]["name"],
                    "ranking": {r["name"]: r["confidence"] for r in ranking},
                    "faq": (selector.get("response") or {}).get("intent_response_key"),
                    "faq_ranking": {
                        r["intent_response_key"]: r["confidence"]
                        for r in selector.get("ranking") or []
                    },
                    # What the pipeline as configured (ensemble included, if any) decided.
                    "final_intent": (result.get("intent") or {}).get("name"),
                    "final_faq": (after.get("response") or {}).get("intent_response_key"),
                    "final_confidence": (result.get("intent") or {}).get("confidence"),
                }
            )
        return rows

    rows = asyncio.run(parse_all())
    record = {"fold": k, "train_seconds": round(trained), "rows": rows}
    (work / f"fold{k}.json").write_text(json.dumps(record), encoding="utf-8")
    return record


def embeddings(texts: list[str], work: Path) -> np.ndarray:
    """The project encoder's sentence embedding of every example (kept in ``work``)."""
    cache = work / "embeddings.npz"
    if cache.exists():
        stored = np.load(cache, allow_pickle=False)
        if list(stored["texts"]) == texts:
            return stored["vectors"]
    from bot.encoder import encoder

    vectors = encoder().embed(texts, 32)
    np.savez(cache, texts=np.asarray(texts), vectors=vectors)
    return vectors


def macro_f1(gold: list[str], pred: list[str]) -> float:
    """Macro-F1 over the gold labels, as Rasa's report computes it."""
    from sklearn.metrics import f1_score

    labels = sorted(set(gold))
    return float(f1_score(gold, pred, labels=labels, average="macro", zero_division=0))


def recall(gold: list[str], pred: list[str], label: str) -> float:
    hits = [p == label for g, p in zip(gold, pred, strict=True) if g == label]
    return sum(hits) / len(hits) if hits else float("nan")


def distribution(ranking: dict[str, float], labels: list[str]) -> np.ndarray:
    """A ranking (top-N confidences) as a vector over ``labels``; unranked labels get 0
    (as in the component: the confidences are not renormalised)."""
    return np.array([ranking.get(name, 0.0) for name in labels], dtype=np.float64)


class EmbeddingClassifiers:
    """Logistic regression and k-nearest-neighbour voting over unit-length embeddings."""

    def __init__(self, vectors: np.ndarray, labels: list[str], c: float, k: int) -> None:
        from sklearn.linear_model import LogisticRegression

        self.classes = sorted(set(labels))
        y = np.array([self.classes.index(label) for label in labels])
        self.lr = LogisticRegression(C=c, max_iter=2000).fit(vectors, y)
        self.vectors, self.y, self.k = vectors, y, k

    def logistic(self, vectors: np.ndarray) -> np.ndarray:
        out = np.zeros((len(vectors), len(self.classes)))
        out[:, self.lr.classes_] = self.lr.predict_proba(vectors)
        return out

    def knn(self, vectors: np.ndarray, temperature: float = 0.05) -> np.ndarray:
        """Softmax-weighted vote of the k most similar training examples."""
        out = np.zeros((len(vectors), len(self.classes)))
        for start in range(0, len(vectors), 512):
            sims = vectors[start : start + 512] @ self.vectors.T
            top = np.argpartition(-sims, self.k, axis=1)[:, : self.k]
            for row, (idx, s) in enumerate(zip(top, np.take_along_axis(sims, top, 1),
                                                strict=True)):
                w = np.exp((s - s.max()) / temperature)
                np.add.at(out[start + row], self.y[idx], w / w.sum())
        return out


def choose_c(vectors: np.ndarray, labels: list[str]) -> float:
    """The regularisation of the logistic regression, by 3-fold CV on the training folds."""
    from sklearn.linear_model import LogisticRegression
    from sklearn.model_selection import cross_val_predict

    best, best_c = -1.0, 1.0
    for c in (2.0, 8.0, 32.0):
        pred = cross_val_predict(LogisticRegression(C=c, max_iter=2000), vectors, labels, cv=3)
        score = macro_f1(labels, list(pred))
        if score > best:
            best, best_c = score, c
    return best_c


def ensemble_settings(config_path: Path) -> tuple[float | None, float]:
    """The ensemble component's C and DIET share, if the config has the component: the
    bench's own ensemble then computes what the component computes."""
    import yaml

    config = yaml.safe_load(config_path.read_text(encoding="utf-8"))
    for component in config["pipeline"]:
        if component["name"] == ENSEMBLE:
            return float(component.get("C", 32.0)), float(component.get("diet_weight", 0.5))
    return None, FIXED_WEIGHT


def analyse(data: Any, folds: list[tuple[list[int], list[int]]], records: dict[int, dict],
            vectors: np.ndarray, knn_k: int, fixed_c: float | None) -> None:
    examples = data.intent_examples
    intents = [m.get("intent") for m in examples]
    full = [m.get_full_intent() for m in examples]
    per_fold: dict[int, dict[str, Any]] = {}
    for k, record in sorted(records.items()):
        train_idx, test_idx = folds[k]
        rows = record["rows"]
        assert [r["index"] for r in rows] == test_idx, "the folds differ from the stored ones"
        c = fixed_c or choose_c(vectors[train_idx], [intents[i] for i in train_idx])
        clf = EmbeddingClassifiers(vectors[train_idx], [intents[i] for i in train_idx], c, knn_k)
        faq_train = [i for i in train_idx if intents[i] == RETRIEVAL_INTENT]
        faq_clf = EmbeddingClassifiers(vectors[faq_train], [full[i] for i in faq_train], c, knn_k)
        test_vectors = vectors[test_idx]
        diet = np.vstack([distribution(r["ranking"], clf.classes) for r in rows])
        sel = np.vstack([distribution(r["faq_ranking"], faq_clf.classes) for r in rows])
        ran = np.array([bool(r["faq_ranking"]) for r in rows])
        per_fold[k] = {
            "c": c,
            "gold": [intents[i] for i in test_idx],
            "gold_faq": [full[i] for i in test_idx],
            "diet_pred": [r["intent"] for r in rows],
            "diet_faq": [r["faq"] or "" for r in rows],
            "final_pred": [r.get("final_intent", r["intent"]) for r in rows],
            "final_faq": [r.get("final_faq", r["faq"]) or "" for r in rows],
            "ensembled": "final_intent" in rows[0] and any(
                r["final_intent"] != r["intent"] or r["final_faq"] != r["faq"] for r in rows
            ),
            "diet": diet,
            "lr": clf.logistic(test_vectors),
            "knn": clf.knn(test_vectors),
            "sel": sel,
            "ran": ran,
            "faq_lr": faq_clf.logistic(test_vectors),
            "faq_knn": faq_clf.knn(test_vectors),
            "classes": clf.classes,
            "faq_classes": faq_clf.classes,
        }

    def scores(f: dict, other: str, w: float | None) -> tuple[float, float, float, list, list]:
        """Intent and FAQ predictions for DIET's share ``w`` (None: the other alone)."""
        classes, faq_classes = f["classes"], f["faq_classes"]
        if w is None:
            probs, faq_probs = f[other], f[f"faq_{other}"]
            intent_pred = [classes[j] for j in probs.argmax(1)]
            # The embedding classifier alone answers every message whose intent it reads as faq.
            faq_pred = [
                faq_classes[j] if p == RETRIEVAL_INTENT else ""
                for j, p in zip(faq_probs.argmax(1), intent_pred, strict=True)
            ]
        else:
            probs = w * f["diet"] + (1 - w) * f[other]
            intent_pred = [classes[j] for j in probs.argmax(1)]
            faq_index = classes.index(RETRIEVAL_INTENT)
            top3 = np.argsort(-probs, axis=1)[:, :3]
            faq_probs = w * f["sel"] + (1 - w) * f[f"faq_{other}"]
            faq_pred = []
            for ran, top, j, diet_choice in zip(
                f["ran"], top3, faq_probs.argmax(1), f["diet_faq"], strict=True
            ):
                if ran:
                    faq_pred.append(faq_classes[j])
                elif faq_index in top:  # the selector did not run; the embedding answers
                    faq_pred.append(faq_classes[f[f"faq_{other}"][len(faq_pred)].argmax()])
                else:
                    faq_pred.append(diet_choice)
        return (*_summary(f, intent_pred, faq_pred), intent_pred, faq_pred)

    def _summary(f: dict, intent_pred: list[str], faq_pred: list[str]) -> tuple[float, ...]:
        faq_rows = [i for i, g in enumerate(f["gold_faq"]) if "/" in g]
        return (
            macro_f1(f["gold"], intent_pred),
            macro_f1([f["gold_faq"][i] for i in faq_rows], [faq_pred[i] for i in faq_rows]),
            recall(f["gold"], intent_pred, RED_FLAG),
        )

    def chosen_weight(k: int, other: str) -> float | None:
        """DIET's share that scores best on the other folds' held-out rankings."""
        others = [j for j in per_fold if j != k]
        if not others:
            return None
        best, best_w = -1.0, FIXED_WEIGHT
        for w in WEIGHTS[1:-1]:
            total = 0.0
            for j in others:
                intent_f1, faq_f1, _, _, _ = scores(per_fold[j], other, w)
                total += intent_f1 + faq_f1
            if total > best:
                best, best_w = total, w
        return best_w

    variants: dict[str, dict[int, tuple]] = {}
    for k, f in per_fold.items():
        diet_summary = _summary(f, f["diet_pred"], f["diet_faq"])
        variants.setdefault("DIET + selector", {})[k] = (
            *diet_summary, f["diet_pred"], f["diet_faq"]
        )
        if f["ensembled"]:
            variants.setdefault("pipeline as configured", {})[k] = (
                *_summary(f, f["final_pred"], f["final_faq"]), f["final_pred"], f["final_faq"]
            )
        for other in ("lr", "knn"):
            variants.setdefault(f"{other} alone", {})[k] = scores(f, other, None)
            variants.setdefault(f"ensemble {other}, w={FIXED_WEIGHT}", {})[k] = scores(
                f, other, FIXED_WEIGHT
            )
            w = chosen_weight(k, other)
            if w is not None:
                variants.setdefault(f"ensemble {other}, lofo w", {})[k] = scores(f, other, w)
                print(f"fold {k}: {other} DIET share chosen on the other folds: {w}")
    print()
    print(f"folds scored: {sorted(per_fold)}; logistic C per fold: "
          f"{[per_fold[k]['c'] for k in sorted(per_fold)]}")
    header = f"{'variant':34} {'fold':>4} {'intent F1':>9} {'FAQ F1':>7} {'red-flag rec':>12}"
    print(header)
    for name, results in variants.items():
        for k, (intent_f1, faq_f1, red, _, _) in sorted(results.items()):
            print(f"{name:34} {k:>4} {intent_f1:9.3f} {faq_f1:7.3f} {red:12.3f}")
        gold = sum((per_fold[k]["gold"] for k in sorted(results)), [])
        gold_faq = sum((per_fold[k]["gold_faq"] for k in sorted(results)), [])
        pred = sum((results[k][3] for k in sorted(results)), [])
        pred_faq = sum((results[k][4] for k in sorted(results)), [])
        faq_rows = [i for i, g in enumerate(gold_faq) if "/" in g]
        print(
            f"{name:34} {'all':>4} {macro_f1(gold, pred):9.3f} "
            f"{macro_f1([gold_faq[i] for i in faq_rows], [pred_faq[i] for i in faq_rows]):7.3f} "
            f"{recall(gold, pred, RED_FLAG):12.3f}"
        )
    # For reading only, never for choosing: how the pooled score moves with DIET's share.
    # How often the fallback classifier (threshold 0.45, ambiguity 0.05, config.yml) would
    # answer instead.
    for name, probs in (
        ("DIET", [f["diet"] for f in per_fold.values()]),
        (f"ensemble lr, w={FIXED_WEIGHT}", [FIXED_WEIGHT * f["diet"] + (1 - FIXED_WEIGHT)
                                            * f["lr"] for f in per_fold.values()]),
    ):
        ordered = -np.sort(-np.vstack(probs), axis=1)
        fallback = (ordered[:, 0] < 0.45) | (ordered[:, 0] - ordered[:, 1] < 0.05)
        print(f"held-out messages the fallback classifier would take, {name}: "
              f"{fallback.mean():.3f}")
    print("\npooled intent / FAQ macro-F1 by DIET's share (held-out; a curve, not a choice):")
    for other in ("lr", "knn"):
        cells = []
        for w in WEIGHTS:
            gold, pred, gold_faq, pred_faq = [], [], [], []
            for f in per_fold.values():
                *_, ip, fp = scores(f, other, w)
                gold += f["gold"]
                pred += ip
                gold_faq += f["gold_faq"]
                pred_faq += fp
            rows = [i for i, g in enumerate(gold_faq) if "/" in g]
            cells.append(
                f"{w:.1f}: {macro_f1(gold, pred):.3f}/"
                f"{macro_f1([gold_faq[i] for i in rows], [pred_faq[i] for i in rows]):.3f}"
            )
        print(f"  {other}: " + "  ".join(cells))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folds-to-run", type=int, nargs="*", default=list(range(FOLDS)))
    parser.add_argument("--work", type=Path, default=Path("/tmp/ens"))
    parser.add_argument("--config", type=Path, default=ROOT / "tests/intents/config_cv.yml")
    parser.add_argument("--data", type=Path, default=ROOT / "data")
    parser.add_argument("--knn", type=int, default=10, help="neighbours of the kNN vote")
    parser.add_argument("--analyse-only", action="store_true",
                        help="score the folds already stored in --work, train nothing")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    # Rasa's training cache of this bench stays out of the project's.
    os.environ.setdefault("RASA_CACHE_DIRECTORY", str(args.work / "cache"))
    os.chdir(ROOT)

    data, folds = load_folds(args.data)
    texts = [m.get("text") for m in data.intent_examples]
    print(f"{len(texts)} examples, folds of {[len(t) for _, t in folds]}")
    records: dict[int, dict] = {}
    config = fold_config(args.config, args.work)
    watch_the_ensemble()
    for k in args.folds_to_run:
        stored = args.work / f"fold{k}.json"
        if stored.exists():
            records[k] = json.loads(stored.read_text(encoding="utf-8"))
        elif not args.analyse_only:
            started = time.monotonic()
            records[k] = run_fold(k, data, folds[k][1], folds[k][0], config, args.work)
            print(f"fold {k}: trained and parsed in {time.monotonic() - started:.0f} s",
                  flush=True)
    if not records:
        sys.exit("no fold stored or run")
    vectors = embeddings(texts, args.work)
    global FIXED_WEIGHT
    fixed_c, FIXED_WEIGHT = ensemble_settings(args.config)
    analyse(data, folds, records, vectors, args.knn, fixed_c)


if __name__ == "__main__":
    main()
