"""Rasa NLU component: the emergency net (bot.nlu.emergency_net) on every message.

``config.yml``, last, after the clinical extractor::

    - name: bot.rasa_adapters.emergency_net.EmergencyNetComponent
      false_alarm_rate: 0.02

Training keeps the sentence embeddings of the ``report_red_flag`` examples (exemplars)
and of every other example (contrasts), and sets the threshold by cross-validation on
them at ``false_alarm_rate``. At run time it reads a message only when neither the
classifier nor the rules found an emergency and the rules named no red flag at all
(a denied, past or quoted red flag is the rules' call, never the net's). When the net is
raised, ``emergency_check`` in the parse output says so (score, threshold, nearest
exemplar) and the conversation asks the emergency screening question at once
(actions/findings_io.py). A button's payload ("/affirm") is not read either: Rasa's
RegexMessageHandler, after the pipeline, replaces such a message by its intent and drops
everything the pipeline added, so a reading could change nothing. The sentence embedding
is computed only when the net reads it (encoder_featurizer.LazySentenceFeatures). A
raised message whose reply would pass it by (small talk, out of scope, another language,
not understood) is taken as ``inform`` so that the question is asked now, not after an
unrelated reply.
"""

from __future__ import annotations

import json
import logging
import re
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.emergency_net import DEFAULT_K, EMERGENCY_CHECK, EmergencyNet, calibrate
from bot.rasa_adapters.encoder_featurizer import DEFAULT_ALIAS, FEATURIZER_NAME

logger = logging.getLogger(__name__)

_FILE = "emergency_net.npz"
_PAYLOAD = re.compile(r"^/(\w+)")


def replaced_by_its_intent(text: Any) -> bool:
    """Whether Rasa replaces this message by the intent its text names, dropping what the
    pipeline added: a payload of the assistant's own buttons (``bot.channels.turns``, all
    intents of the domain, as a test checks), read with Rasa's own parser."""
    if not isinstance(text, str):
        return False
    found = _PAYLOAD.match(text.strip())
    if found is None:
        return False
    from bot.channels.turns import BUTTON_INTENTS

    if found.group(1) not in BUTTON_INTENTS:
        return False
    from rasa.shared.core.training_data.story_reader.yaml_story_reader import YAMLStoryReader

    message = Message(data={TEXT: text})
    unpacked = YAMLStoryReader.unpack_regex_message(message)
    return unpacked is not message and (unpacked.get(INTENT) or {}).get("name") in BUTTON_INTENTS
_META = "emergency_net.json"


def sentence_embedding(message: Message, origin: str = DEFAULT_ALIAS) -> np.ndarray | None:
    """The pretrained encoder's sentence embedding of the message's text, if any
    (``origin``: the featurizer's alias in config.yml)."""
    for features in message.features:
        if (
            features.attribute == TEXT
            and features.type == "sentence"
            and features.origin in (origin, FEATURIZER_NAME)
            and features.is_dense()
        ):
            return np.asarray(features.features, dtype=np.float32).reshape(-1)
    return None


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=True)
class EmergencyNetComponent(GraphComponent):
    """Sends a message that reads like an emergency, with no red flag named, to the safe side."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "red_flag_intent": "report_red_flag",
            # The alias of the SentenceEncoderFeaturizer whose embedding the net reads.
            "featurizer": DEFAULT_ALIAS,
            # Share of ordinary held-out training messages the net may raise.
            "false_alarm_rate": 0.02,
            "k": DEFAULT_K,
            # Intents whose reply would pass the message by (small talk, out of scope,
            # another language, not understood): a raised message with one of them is
            # taken as `redirect_intent`, which notes it and asks the question now. Any
            # other intent is a request of its own (an answer, a question about B12,
            # "delete my data") and is kept; the question comes at the next turn of the
            # interview.
            "redirect_intents": [
                "greet", "goodbye", "thank", "bot_challenge", "help", "out_of_scope",
                "other_language", "nlu_fallback",
            ],
            "redirect_intent": "inform",
        }

    @staticmethod
    def required_components() -> list[type]:
        from bot.rasa_adapters.encoder_featurizer import SentenceEncoderFeaturizer

        return [SentenceEncoderFeaturizer]

    def __init__(
        self,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        net: EmergencyNet | None = None,
    ) -> None:
        self.config = config
        self._storage = model_storage
        self._resource = resource
        self.net = net

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> EmergencyNetComponent:
        return cls(config, model_storage, resource)

    def train(self, training_data: TrainingData) -> Resource:
        texts, vectors, flags = [], [], []
        for example in training_data.intent_examples:
            vector = sentence_embedding(example, self.config["featurizer"])
            if vector is None:
                continue
            texts.append(example.get(TEXT))
            vectors.append(vector)
            flags.append(example.get(INTENT) == self.config["red_flag_intent"])
        matrix = np.vstack(vectors).astype(np.float32)
        labels = np.asarray(flags, dtype=bool)
        calibration = calibrate(
            matrix, labels, float(self.config["false_alarm_rate"]), int(self.config["k"])
        )
        logger.info("Emergency net calibrated: %s", calibration.to_dict())
        with self._storage.write_to(self._resource) as directory:
            np.savez_compressed(
                directory / _FILE,
                exemplars=matrix[labels],
                # Half precision halves the model's share; scores move by < 0.001.
                contrasts=matrix[~labels].astype(np.float16),
            )
            meta = {
                "calibration": calibration.to_dict(),
                "exemplar_texts": [t for t, flag in zip(texts, flags, strict=True) if flag],
            }
            (directory / _META).write_text(json.dumps(meta), encoding="utf-8")
        self.net = self._net_from(matrix[labels], meta, matrix[~labels])
        return self._resource

    def _net_from(self, exemplars: np.ndarray, meta: dict, contrasts: np.ndarray) -> EmergencyNet:
        return EmergencyNet(
            exemplars,
            meta["exemplar_texts"],
            contrasts.astype(np.float32),
            meta["calibration"]["threshold"],
            int(self.config["k"]),
        )

    @classmethod
    def load(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
        **kwargs: Any,
    ) -> EmergencyNetComponent:
        component = cls(config, model_storage, resource)
        try:
            with model_storage.read_from(resource) as directory:
                arrays = np.load(directory / _FILE)
                meta = json.loads((directory / _META).read_text(encoding="utf-8"))
                component.net = component._net_from(arrays["exemplars"], meta, arrays["contrasts"])
        except (ValueError, OSError, KeyError) as error:
            # A model without a usable net still serves; the rules and classifier stay.
            logger.error("The emergency net could not be loaded (%s); it is off", error)
        return component

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            try:
                self._process_one(message)
            except Exception:  # never lose a message because of the net
                logger.exception("The emergency net failed on a message; it is left as it was")
        return messages

    def _process_one(self, message: Message) -> None:
        if self.net is None:
            return
        intent = (message.get(INTENT) or {}).get("name")
        if intent == self.config["red_flag_intent"]:
            return
        if any(e.get("entity") == "red_flag" for e in message.get(ENTITIES) or []):
            return  # the rules named a red flag and decided about it
        if replaced_by_its_intent(message.get(TEXT)):
            return  # Rasa replaces it by the button's intent: a reading would be dropped
        vector = sentence_embedding(message, self.config["featurizer"])
        if vector is None:
            return
        reading = self.net.read(vector)
        if not reading.raised:
            return
        check = {**reading.to_dict(), "intent": intent}
        if intent in self.config["redirect_intents"]:
            target = self.config["redirect_intent"]
            chosen = {"name": target, "confidence": 1.0}
            ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != target]
            message.set(INTENT, chosen, add_to_output=True)
            message.set(INTENT_RANKING_KEY, [dict(chosen), *ranking], add_to_output=True)
            check["replaced_by"] = target
        message.set(EMERGENCY_CHECK, check, add_to_output=True)
