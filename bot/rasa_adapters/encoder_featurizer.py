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
"""

from __future__ import annotations

import logging
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.featurizers.dense_featurizer.dense_featurizer import DenseFeaturizer
from rasa.nlu.tokenizers.tokenizer import Tokenizer
from rasa.shared.nlu.constants import TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.encoder.files import EXPECTED_SHA256, NAME

logger = logging.getLogger(__name__)

FEATURIZER_NAME = "SentenceEncoderFeaturizer"
# The features' origin unless config.yml names it otherwise; a classifier's
# `featurizers` option selects them by this name.
DEFAULT_ALIAS = "sentence_encoder"


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
        self._featurize(messages)
        return messages

    def _featurize(self, messages: list[Message]) -> None:
        with_text = [m for m in messages if isinstance(m.get(TEXT), str)]
        if not with_text:
            return
        vectors = self._encoder.embed([m.get(TEXT) for m in with_text], self._batch_size)
        for message, vector in zip(with_text, vectors, strict=True):
            self.add_features_to_message(None, vector.reshape(1, -1), TEXT, message)
