"""Rasa NLU featurizer: a sentence embedding from the pretrained encoder (bot.encoder).

``config.yml``, after the tokenizer and before the classifiers::

    - name: bot.rasa_adapters.encoder_featurizer.SentenceEncoderFeaturizer

Adds one dense *sentence* feature (384 numbers, the mean-pooled all-MiniLM-L6-v2
embedding, origin ``sentence_encoder``) to each message's text, for the emergency net.
The classifiers name the featurizers they read (``featurizers:`` in config.yml) and leave
this one out: as their input it lowered the cross-validated scores
(docs/nlu-evaluation.md). No per-word features are added; nothing reads them. Training
data is embedded in length-sorted batches, a live message on its own. The weights are
read from the installed files (``make setup``), never copied into the trained model; their
checksum is part of this component's fingerprint, so different weights mean a retrained
model.

At run time the feature is computed when something first reads it
(:class:`LazySentenceFeatures`), not when the message passes this featurizer: its only
reader, the emergency net, comes at the end of the pipeline and leaves out the messages
whose outcome it cannot change (a red flag the rules named, the classifier's emergency, a
button's payload that Rasa replaces by its intent). The forward pass is about a third of
the language understanding's time per message; those messages no longer pay for it. What
a reader gets is the same embedding, computed the same way (one message, one BLAS thread).
"""

from __future__ import annotations

import copy
import logging
from typing import Any, Callable

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.encoder.files import EXPECTED_SHA256, NAME

logger = logging.getLogger(__name__)

FEATURIZER_NAME = "SentenceEncoderFeaturizer"
# The features' origin unless config.yml names it otherwise; a classifier's
# `featurizers` option selects them by this name.
DEFAULT_ALIAS = "sentence_encoder"


class LazySentenceFeatures(Features):
    """A dense sentence feature whose matrix is computed the first time it is read.

    Rasa tells dense from sparse features with ``is_dense()``/``is_sparse()``, which read
    the matrix; here they answer without computing it, so a classifier that filters the
    message's features by origin never sets off the encoder. A copy (Rasa copies a
    feature before combining it with others) is an ordinary, computed ``Features``.
    """

    def __init__(self, compute: Callable[[], np.ndarray], attribute: str, origin: str) -> None:
        self._compute: Callable[[], np.ndarray] | None = compute
        self._value: np.ndarray | None = None
        super().__init__(None, FEATURE_TYPE_SENTENCE, attribute, origin)

    @property  # type: ignore[override]
    def features(self) -> np.ndarray:
        if self._value is None and self._compute is not None:
            self._value, self._compute = self._compute(), None
        return self._value

    @features.setter
    def features(self, value: np.ndarray | None) -> None:
        self._value = value
        if value is not None:
            self._compute = None

    @property
    def computed(self) -> bool:
        """Whether the matrix has been computed (or was given)."""
        return self._value is not None

    def is_sparse(self) -> bool:
        return False

    def is_dense(self) -> bool:
        return True

    def __deepcopy__(self, memo: dict) -> Features:
        return Features(
            np.array(self.features), self.type, self.attribute, copy.deepcopy(self.origin, memo)
        )


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=False
)
class SentenceEncoderFeaturizer(DenseFeaturizer, GraphComponent):
    """Pretrained sentence embeddings as dense features for the classifiers."""

    @classmethod
    def required_components(cls) -> list[type]:
        return [Tokenizer]

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            **DenseFeaturizer.get_default_config(),
            "alias": DEFAULT_ALIAS,
            # Folder of the encoder's files; empty means the installed ones.
            "encoder_dir": None,
            "batch_size": 32,
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return f"{NAME}:{EXPECTED_SHA256['model.safetensors']}"

    @staticmethod
    def required_packages() -> list[str]:
        return ["tokenizers", "safetensors", "threadpoolctl"]

    @classmethod
    def validate_config(cls, config: dict[str, Any]) -> None:
        if int(config.get("batch_size") or 0) < 1:
            raise ValueError("batch_size must be a positive number")

    def __init__(self, config: dict[str, Any], name: str) -> None:
        super().__init__(name, config)
        from pathlib import Path

        from bot.encoder import encoder

        directory = config.get("encoder_dir")
        # Load now, so the first person's message does not wait for 90 MB of weights.
        self._encoder = encoder(Path(directory) if directory else None)
        self._batch_size = int(config["batch_size"])

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> SentenceEncoderFeaturizer:
        return cls(config, execution_context.node_name)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        self._featurize(training_data.training_examples)
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Each message with text gets its sentence feature, computed when first read."""
        for message in messages:
            text = message.get(TEXT)
            if isinstance(text, str):
                message.add_features(
                    LazySentenceFeatures(self._embedder(text), TEXT, self._identifier)
                )
        return messages

    def _embedder(self, text: str) -> Callable[[], np.ndarray]:
        def embed() -> np.ndarray:
            return self._encoder.embed([text], self._batch_size).reshape(1, -1)

        return embed

    def _featurize(self, messages: list[Message]) -> None:
        with_text = [m for m in messages if isinstance(m.get(TEXT), str)]
        if not with_text:
            return
        vectors = self._encoder.embed([m.get(TEXT) for m in with_text], self._batch_size)
        for message, vector in zip(with_text, vectors, strict=True):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)
