"""Rasa NLU component: DIET's intent ranking averaged with a classifier over the sentence
embedding, and the FAQ answer ranking likewise.

``config.yml``, after DIET and the FAQ response selector, before the fallback classifier::

    - name: bot.rasa_adapters.intent_ensemble.IntentEnsemble
      diet_weight: 0.5

Why: DIET reads word and character counts, which cannot relate a word no training
example has to one they know ("my knuckles have gone darker"); the pretrained encoder's
sentence embedding can. Given to DIET as one more input, the embedding lowered the
cross-validated scores (docs/nlu-evaluation.md): DIET leant on it and generalised worse.
Kept apart, as a classifier of its own (multinomial logistic regression over the 384
numbers), it errs on different messages than DIET, and the average of the two
probability distributions is right more often than either (bench/intent_ensemble_cv.py
measured it on the cross-validation's folds).

Training fits two logistic regressions on the embeddings of the training examples: one
over the intents, one over the retrieval intent's sub-intents (the FAQ topics). Only
their coefficients are kept (NumPy arrays in the model's storage, no pickle), so loading
is instant and a message costs one matrix product. At run time the intent ranking
becomes ``diet_weight`` × DIET's confidences + (1 − ``diet_weight``) × the regression's
probabilities (an intent outside DIET's top ``ranking_length`` counts as 0 for DIET), and
where the response selector chose a FAQ answer, its ranking is averaged the same way with
the FAQ regression's. The fallback classifier then reads the averaged confidences.

A message whose intent ranking has the retrieval intent near the top but that the
selector skipped (``FaqResponseSelector`` reads DIET's ranking, before this component)
gets its answer from the FAQ regression alone. A button's payload ("/affirm") is left
alone: Rasa replaces such a message by its intent after the pipeline.

Every other message now needs its embedding (the encoder's forward pass, 10-40 ms on one
core; before, only the emergency net read it, and not on every message). The readings of
short replies ("yes", "not sure") are kept per process, as the net keeps its own, so a
reply typed again costs no forward pass.
"""

from __future__ import annotations

import json
import logging
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.constants import (
    RESPONSE_SELECTOR_PREDICTION_KEY,
    RESPONSE_SELECTOR_PROPERTY_NAME,
    RESPONSE_SELECTOR_RANKING_KEY,
    RESPONSE_SELECTOR_RESPONSES_KEY,
    RESPONSE_SELECTOR_RETRIEVAL_INTENTS,
    RESPONSE_SELECTOR_UTTER_ACTION_KEY,
)
from rasa.shared.nlu.constants import (
    INTENT,
    INTENT_NAME_KEY,
    INTENT_RANKING_KEY,
    INTENT_RESPONSE_KEY,
    PREDICTED_CONFIDENCE_KEY,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.rasa_adapters.emergency_net import (
    ShortReplyReadings,
    _sentence_feature,
    replaced_by_its_intent,
    sentence_embedding,
)
from bot.rasa_adapters.encoder_featurizer import DEFAULT_ALIAS

logger = logging.getLogger(__name__)

_ARRAYS = "intent_ensemble.npz"
_META = "intent_ensemble.json"


class SoftmaxRegression:
    """A fitted multinomial logistic regression reduced to what prediction needs."""

    def __init__(self, classes: list[str], coef: np.ndarray, intercept: np.ndarray) -> None:
        self.classes = list(classes)
        self.coef = np.asarray(coef, dtype=np.float32)
        self.intercept = np.asarray(intercept, dtype=np.float32)

    @classmethod
    def fit(cls, vectors: np.ndarray, labels: list[str], c: float) -> SoftmaxRegression:
        """Fit scikit-learn's LogisticRegression (lbfgs, multinomial) and keep its weights."""
        from sklearn.linear_model import LogisticRegression

        model = LogisticRegression(C=c, max_iter=2000).fit(vectors, labels)
        coef, intercept = model.coef_, model.intercept_
        if len(model.classes_) == 2:
            # Two classes: one logit z, P(second) = sigmoid(z), the softmax of (-z/2, z/2).
            coef = np.vstack([-coef[0] / 2, coef[0] / 2])
            intercept = np.array([-intercept[0] / 2, intercept[0] / 2])
        return cls([str(name) for name in model.classes_], coef, intercept)

    def probabilities(self, vector: np.ndarray) -> np.ndarray:
        """The probability of each class for one embedding (same as predict_proba)."""
        logits = self.coef @ vector.astype(np.float32) + self.intercept
        logits = logits - logits.max()
        exp = np.exp(logits)
        return exp / exp.sum()


def average(
    ranking: list[dict[str, Any]],
    other: SoftmaxRegression,
    probs: np.ndarray,
    weight: float,
    name_key: str,
) -> list[tuple[str, float]]:
    """``weight`` × the ranking's confidences + (1 − ``weight``) × ``probs``, best first.

    A label the ranking leaves out counts as 0 on its side (DIET lists only its top ten);
    one the regression does not know keeps only its share of the ranking.
    """
    scores = {name: (1.0 - weight) * float(p) for name, p in zip(other.classes, probs, strict=True)}
    for entry in ranking:
        name = entry.get(name_key)
        if name is not None:
            confidence = float(entry.get(PREDICTED_CONFIDENCE_KEY) or 0.0)
            scores[name] = scores.get(name, 0.0) + weight * confidence
    return sorted(scores.items(), key=lambda item: -item[1])


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER], is_trainable=True)
class IntentEnsemble(GraphComponent):
    """Averages DIET's and the FAQ selector's rankings with an embedding classifier's."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            # The alias of the SentenceEncoderFeaturizer whose embedding is read.
            "featurizer": DEFAULT_ALIAS,
            # DIET's (and the response selector's) share of the average.
            "diet_weight": 0.5,
            # Inverse regularisation strength of the logistic regressions.
            "C": 32.0,
            "retrieval_intent": "faq",
            # Whether the FAQ answer ranking is averaged too.
            "faq": True,
            # How far down the averaged intent ranking the retrieval intent may be for an
            # answer to be given where the selector skipped the message (its consider_top).
            "faq_consider_top": 3,
            # Intents (and FAQ answers) kept in the rewritten rankings.
            "ranking_length": 10,
            # The regressions' readings of short replies kept per process, as the emergency
            # net keeps its own (ShortReplyReadings); 0: none.
            "short_reply_cache": 4096,
        }

    @staticmethod
    def required_components() -> list[type]:
        from bot.rasa_adapters.encoder_featurizer import SentenceEncoderFeaturizer

        return [SentenceEncoderFeaturizer]

    @staticmethod
    def required_packages() -> list[str]:
        return ["sklearn"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if not 0.0 <= float(config["diet_weight"]) <= 1.0:
            raise ValueError("diet_weight must be between 0 and 1")
        if float(config["C"]) <= 0:
            raise ValueError("C must be positive")

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        intents: SoftmaxRegression | None = None,
        answers: SoftmaxRegression | None = None,
        responses: dict[str, list[dict[str, Any]]] | None = None,
    ) -> None:
        self.validate_config(config)
        self.config = config
        self._storage = model_storage
        self._resource = resource
        self.intents = intents
        self.answers = answers
        self.responses = responses or {}
        self.short_replies = ShortReplyReadings(int(config.get("short_reply_cache", 4096)))

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> IntentEnsemble:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        """Fit the two regressions on the training examples' embeddings and store them."""
        vectors, intents, full = [], [], []
        for example in training_data.intent_examples:
            vector = sentence_embedding(example, self.config["featurizer"])
            if vector is None:
                continue
            vectors.append(vector)
            intents.append(example.get(INTENT))
            full.append(example.get_full_intent())
        if len(set(intents)) < 2:
            logger.warning("The intent ensemble needs two intents with embeddings; it is off")
            return self._resource
        matrix = np.vstack(vectors).astype(np.float32)
        c = float(self.config["C"])
        self.intents = SoftmaxRegression.fit(matrix, intents, c)
        wanted = self.config["retrieval_intent"]
        rows = [i for i, name in enumerate(intents) if name == wanted]
        topics = {full[i] for i in rows}
        self.answers = None
        if self.config["faq"] and len(topics) >= 2:
            self.answers = SoftmaxRegression.fit(matrix[rows], [full[i] for i in rows], c)
            self.responses = {
                key: value
                for key, value in training_data.responses.items()
                if key.startswith(f"utter_{wanted}/")
            }
        self.short_replies = ShortReplyReadings(self.short_replies.size)  # new regressions
        self._persist()
        return self._resource

    def _persist(self) -> None:
        arrays: dict[str, np.ndarray] = {}
        meta: dict[str, Any] = {"responses": self.responses}
        for key, model in (("intents", self.intents), ("answers", self.answers)):
            if model is None:
                continue
            arrays[f"{key}_coef"] = model.coef
            arrays[f"{key}_intercept"] = model.intercept
            meta[f"{key}_classes"] = model.classes
        with self._storage.write_to(self._resource) as directory:
            np.savez_compressed(directory / _ARRAYS, **arrays)
            (directory / _META).write_text(json.dumps(meta), encoding="utf-8")

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> IntentEnsemble:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                arrays = np.load(directory / _ARRAYS)
                meta = json.loads((directory / _META).read_text(encoding="utf-8"))
        except (ValueError, OSError) as error:
            # DIET's ranking is still there: the model serves without the average.
            logger.error("The intent ensemble could not be loaded (%s); it is off", error)
            return component
        for key in ("intents", "answers"):
            if f"{key}_classes" in meta:
                setattr(
                    component,
                    key,
                    SoftmaxRegression(
                        meta[f"{key}_classes"], arrays[f"{key}_coef"], arrays[f"{key}_intercept"]
                    ),
                )
        component.responses = meta.get("responses") or {}
        return component

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            if self.intents is None or not message.get(INTENT_RANKING_KEY):
                continue
            if replaced_by_its_intent(message.get(TEXT)):
                continue  # Rasa replaces it by the button's intent after the pipeline
            readings = self._readings(message)
            if readings is None:
                continue
            intent_probs, answer_probs = readings
            self._rerank_intents(message, intent_probs)
            if answer_probs is not None:
                self._rerank_answers(message, answer_probs)
        return messages

    def _readings(self, message: Message) -> tuple[np.ndarray, np.ndarray | None] | None:
        """The two regressions' probabilities for the message's embedding.

        A short reply's readings are kept (under a keyed hash, as the emergency net keeps
        its own): "yes" typed again needs no forward pass of the encoder, here or in the
        net, which then serves it from its own cache too.
        """
        assert self.intents is not None
        feature = _sentence_feature(message, self.config["featurizer"])
        if feature is None:
            return None
        key = self.short_replies.key(message.get(TEXT))
        cached = self.short_replies.get(key) if key is not None else None
        if cached is not None:
            return cached  # type: ignore[return-value]
        vector = np.asarray(feature.features, dtype=np.float32).reshape(-1)
        readings = (
            self.intents.probabilities(vector),
            self.answers.probabilities(vector) if self.answers is not None else None,
        )
        if key is not None:
            self.short_replies.put(key, readings)  # type: ignore[arg-type]
        return readings

    def _rerank_intents(self, message: Message, probs: np.ndarray) -> None:
        assert self.intents is not None
        ranked = average(
            message.get(INTENT_RANKING_KEY),
            self.intents,
            probs,
            float(self.config["diet_weight"]),
            INTENT_NAME_KEY,
        )[: int(self.config["ranking_length"])]
        ranking = [{INTENT_NAME_KEY: n, PREDICTED_CONFIDENCE_KEY: p} for n, p in ranked]
        message.set(INTENT, dict(ranking[0]), add_to_output=True)
        message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)

    def _rerank_answers(self, message: Message, probs: np.ndarray) -> None:
        assert self.answers is not None
        wanted = self.config["retrieval_intent"]
        properties = message.get(RESPONSE_SELECTOR_PROPERTY_NAME) or {}
        selected = properties.get(wanted)
        if selected:
            weight = float(self.config["diet_weight"])
            ranking = selected.get(RESPONSE_SELECTOR_RANKING_KEY) or []
        else:
            top = int(self.config["faq_consider_top"])
            names = [r.get(INTENT_NAME_KEY) for r in message.get(INTENT_RANKING_KEY)[:top]]
            if wanted not in names:
                return
            weight, ranking = 0.0, []  # the selector skipped it: the regression answers
        ranked = average(ranking, self.answers, probs, weight, INTENT_RESPONSE_KEY)
        ranked = ranked[: int(self.config["ranking_length"])]
        best, confidence = ranked[0]
        utter_action = f"utter_{best}"
        properties[wanted] = {
            RESPONSE_SELECTOR_PREDICTION_KEY: {
                RESPONSE_SELECTOR_RESPONSES_KEY: self.responses.get(utter_action) or [{TEXT: best}],
                PREDICTED_CONFIDENCE_KEY: confidence,
                INTENT_RESPONSE_KEY: best,
                RESPONSE_SELECTOR_UTTER_ACTION_KEY: utter_action,
            },
            RESPONSE_SELECTOR_RANKING_KEY: [
                {"id": _id_of(ranking, n), PREDICTED_CONFIDENCE_KEY: p, INTENT_RESPONSE_KEY: n}
                for n, p in ranked
            ],
        }
        properties.setdefault(RESPONSE_SELECTOR_RETRIEVAL_INTENTS, [wanted])
        message.set(RESPONSE_SELECTOR_PROPERTY_NAME, properties, add_to_output=True)


def _id_of(ranking: list[dict[str, Any]], name: str) -> Any:
    """The selector's id of an answer (None when the selector did not rank it)."""
    for entry in ranking:
        if entry.get(INTENT_RESPONSE_KEY) == name:
            return entry.get("id")
    return None
