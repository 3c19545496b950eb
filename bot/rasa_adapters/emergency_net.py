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

import hashlib
import json
import logging
import re
import secrets
from collections import OrderedDict
from typing import Any

import numpy as np
from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.emergency_net import DEFAULT_K, EMERGENCY_CHECK, EmergencyNet, NetReading, calibrate
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


def _sentence_feature(message: Message, origin: str = DEFAULT_ALIAS) -> Any | None:
    """The encoder's sentence feature of the message's text, not computed yet if lazy."""
    for features in message.features:
        if (
            features.attribute == TEXT
            and features.type == "sentence"
            and features.origin in (origin, FEATURIZER_NAME)
            and features.is_dense()
        ):
            return features
    return None


def sentence_embedding(message: Message, origin: str = DEFAULT_ALIAS) -> np.ndarray | None:
    """The pretrained encoder's sentence embedding of the message's text, if any
    (``origin``: the featurizer's alias in config.yml)."""
    features = _sentence_feature(message, origin)
    if features is None:
        return None
    return np.asarray(features.features, dtype=np.float32).reshape(-1)


class ShortReplyReadings:
    """The net's readings of short messages ("yes", "not sure", "why?"), by their text.

    A reading depends on the text alone, so a cached one is the reading the net would
    make again: no conversation's words change another's outcome. Only messages of at
    most ``MAX_WORDS`` words and ``MAX_CHARS`` characters are kept (the common short
    replies, not what people tell about themselves), under a keyed hash whose key is
    made anew in each process: the cache holds no text, only the net's score, its
    threshold and the nearest training exemplar. At most ``size`` readings, the least
    recently used going first.
    """

    MAX_WORDS = 3
    MAX_CHARS = 24

    def __init__(self, size: int = 4096) -> None:
        self.size = max(0, int(size))
        self._key = secrets.token_bytes(32)
        self._readings: OrderedDict[bytes, NetReading] = OrderedDict()

    def __len__(self) -> int:
        return len(self._readings)

    def key(self, text: Any) -> bytes | None:
        """The cache key of ``text``, or None when it is not a short reply."""
        if not self.size or not isinstance(text, str) or len(text) > self.MAX_CHARS:
            return None
        if len(text.split()) > self.MAX_WORDS:
            return None
        return hashlib.blake2b(text.encode("utf-8"), key=self._key, digest_size=16).digest()

    def get(self, key: bytes) -> NetReading | None:
        reading = self._readings.get(key)
        if reading is not None:
            self._readings.move_to_end(key)
        return reading

    def put(self, key: bytes, reading: NetReading) -> None:
        self._readings[key] = reading
        self._readings.move_to_end(key)
        while len(self._readings) > self.size:
            self._readings.popitem(last=False)


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
            # Readings of short replies kept per process (ShortReplyReadings); 0: none.
            "short_reply_cache": 4096,
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
        self.short_replies = ShortReplyReadings(int(config.get("short_reply_cache", 4096)))

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
        self.short_replies = ShortReplyReadings(self.short_replies.size)  # a new net's
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
        feature = _sentence_feature(message, self.config["featurizer"])
        if feature is None:
            return
        key = self.short_replies.key(message.get(TEXT))
        reading = self.short_replies.get(key) if key is not None else None
        if reading is None:
            vector = np.asarray(feature.features, dtype=np.float32).reshape(-1)
            reading = self.net.read(vector)
            if key is not None:
                self.short_replies.put(key, reading)
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
