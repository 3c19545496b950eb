"""A second, independent net for emergencies: closeness in meaning to known ones.

The rules name red flags from the words; the intent classifier weighs word and
character counts. Both can miss an emergency put in words neither has seen ("his legs
just went and he's on the floor"). This net reads the sentence embedding
(bot.encoder) instead: a message whose nearest known messages are emergencies rather
than anything else is *raised*, and the conversation asks the emergency screening
question at once. It never announces an emergency by itself: a false alarm costs one
safety question, a missed emergency costs far more.

Score: the mean cosine similarity to the ``k`` nearest red-flag exemplars minus the mean
to the ``k`` nearest other messages, so that a calm, chronic message close to an
emergency's wording ("a bit breathless on hills") is weighed against its own kind. The
threshold is set on the training data by cross-validation at a chosen false-alarm rate
(``calibrate``); docs/language-understanding.md, "The emergency net", has the figures.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

DEFAULT_K = 3
# Key of the parse output that carries the net's reading of a raised message
# (docs/entities.md), and the screen (questions.yml screen_groups) a raise asks.
EMERGENCY_CHECK = "emergency_check"
EMERGENCY_SCREEN = "emergency_screen"


@dataclass(frozen=True)
class NetReading:
    """What the net made of one message."""

    score: float
    threshold: float
    nearest: str  # the closest red-flag exemplar, to explain a raise

    @property
    def raised(self) -> bool:
        return self.score >= self.threshold

    def to_dict(self) -> dict[str, object]:
        return {
            "raised": self.raised,
            "score": round(self.score, 4),
            "threshold": round(self.threshold, 4),
            "nearest": self.nearest,
        }


def _top_k_mean(similarities: np.ndarray, k: int) -> np.ndarray:
    """Mean of the ``k`` largest values of each row (all of them when fewer)."""
    k = min(k, similarities.shape[1])
    if k == 0:
        return np.zeros(similarities.shape[0], dtype=np.float32)
    top = np.partition(similarities, similarities.shape[1] - k, axis=1)[:, -k:]
    return top.mean(axis=1)


def margin_scores(
    vectors: np.ndarray, exemplars: np.ndarray, contrasts: np.ndarray, k: int = DEFAULT_K
) -> np.ndarray:
    """The net's score of each row of ``vectors`` (unit rows, as the encoder gives)."""
    vectors = np.atleast_2d(np.asarray(vectors, dtype=np.float32))
    # asarray, not astype: no copy of the (large) matrices when they are float32 already.
    return _margin(
        vectors @ np.asarray(exemplars, dtype=np.float32).T,
        vectors @ np.asarray(contrasts, dtype=np.float32).T,
        k,
    )


def _margin(to_red: np.ndarray, to_other: np.ndarray, k: int) -> np.ndarray:
    """The score from each row's similarities to the exemplars and to the contrasts."""
    return _top_k_mean(to_red, k) - _top_k_mean(to_other, k)


@dataclass(frozen=True)
class Calibration:
    """A threshold read off held-out scores, with what it costs and catches there."""

    threshold: float
    false_alarm_rate: float  # share of held-out ordinary messages raised
    recall: float  # share of held-out red-flag messages raised
    exemplars: int
    contrasts: int

    def to_dict(self) -> dict[str, float | int]:
        return {
            "threshold": round(self.threshold, 4),
            "false_alarm_rate": round(self.false_alarm_rate, 4),
            "recall": round(self.recall, 4),
            "exemplars": self.exemplars,
            "contrasts": self.contrasts,
        }


def calibrate(
    vectors: np.ndarray,
    is_red_flag: Sequence[bool],
    false_alarm_rate: float,
    k: int = DEFAULT_K,
    folds: int = 5,
    seed: int = 0,
) -> Calibration:
    """The threshold that raises ``false_alarm_rate`` of held-out ordinary messages.

    Each message is scored against exemplars from the other folds only, as a message
    the net has never seen would be; the threshold is the matching quantile of the
    ordinary messages' scores, and ``recall`` is what it catches of the held-out
    red-flag messages.
    """
    labels = np.asarray(is_red_flag, dtype=bool)
    if labels.all() or not labels.any():
        raise ValueError("calibration needs both red-flag and ordinary messages")
    fold_of = np.random.default_rng(seed).integers(0, folds, len(labels))
    scores = np.zeros(len(labels), dtype=np.float32)
    for fold in range(folds):
        held = fold_of == fold
        if not held.any():
            continue
        train = ~held
        scores[held] = margin_scores(
            vectors[held], vectors[train & labels], vectors[train & ~labels], k
        )
    threshold = float(np.quantile(scores[~labels], 1.0 - false_alarm_rate))
    return Calibration(
        threshold=threshold,
        false_alarm_rate=float((scores[~labels] >= threshold).mean()),
        recall=float((scores[labels] >= threshold).mean()),
        exemplars=int(labels.sum()),
        contrasts=int((~labels).sum()),
    )


class EmergencyNet:
    """Exemplar embeddings and a threshold: reads one message's embedding at a time."""

    def __init__(
        self,
        exemplars: np.ndarray,
        exemplar_texts: Sequence[str],
        contrasts: np.ndarray,
        threshold: float,
        k: int = DEFAULT_K,
    ) -> None:
        if len(exemplars) != len(exemplar_texts) or not len(exemplars) or not len(contrasts):
            raise ValueError("the net needs red-flag exemplars (with texts) and contrasts")
        self.exemplars = np.ascontiguousarray(exemplars, dtype=np.float32)
        self.exemplar_texts = list(exemplar_texts)
        self.contrasts = np.ascontiguousarray(contrasts, dtype=np.float32)
        self.threshold = float(threshold)
        self.k = int(k)

    def read(self, vector: np.ndarray) -> NetReading:
        vector = np.asarray(vector, dtype=np.float32).reshape(1, -1)
        to_red = vector @ self.exemplars.T  # once: for the score and for the nearest
        score = float(_margin(to_red, vector @ self.contrasts.T, self.k)[0])
        nearest = int(np.argmax(to_red[0]))
        return NetReading(score, self.threshold, self.exemplar_texts[nearest])
