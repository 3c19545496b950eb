"""The sentence feature is computed only when read, and the emergency net reads it exactly
when it can change the outcome: every message with no red flag named, never a button's
payload that Rasa replaces by its intent."""

from __future__ import annotations

import copy
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("rasa", reason="the Rasa components need Rasa installed")

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from bot.encoder import encoder  # noqa: E402
from bot.nlu.emergency_net import EMERGENCY_CHECK, EmergencyNet  # noqa: E402
from bot.rasa_adapters.emergency_net import (  # noqa: E402
    EmergencyNetComponent,
    replaced_by_its_intent,
    sentence_embedding,
)
from bot.rasa_adapters.encoder_featurizer import (  # noqa: E402
    LazySentenceFeatures,
    SentenceEncoderFeaturizer,
)

ROOT = Path(__file__).resolve().parents[2]


class CountingEncoder:
    """The real encoder, counting the texts it embeds."""

    def __init__(self) -> None:
        self.texts: list[str] = []

    def embed(self, texts, batch_size=32):
        self.texts += list(texts)
        return encoder().embed(texts, batch_size)


@pytest.fixture()
def featurizer() -> SentenceEncoderFeaturizer:
    component = SentenceEncoderFeaturizer(
        SentenceEncoderFeaturizer.get_default_config(), "run_SentenceEncoderFeaturizer0"
    )
    component._encoder = CountingEncoder()
    return component


@pytest.fixture(scope="module")
def net_component() -> EmergencyNetComponent:
    red = ["I've collapsed and can't get up", "my legs have suddenly stopped working"]
    ordinary = ["I'm tired a lot", "what foods have b12", "hello", "yes", "no"]
    model = encoder()
    component = EmergencyNetComponent(EmergencyNetComponent.get_default_config(), None, None)
    component.net = EmergencyNet(model.embed(red), red, model.embed(ordinary), 0.0, k=2)
    return component


@pytest.fixture(autouse=True)
def no_earlier_readings(net_component) -> None:
    """Each test starts with no short reply read before."""
    from bot.rasa_adapters.emergency_net import ShortReplyReadings

    net_component.short_replies = ShortReplyReadings()


def _message(text: str, intent: str = "greet", entities=()) -> Message:
    return Message(data={
        TEXT: text,
        INTENT: {"name": intent, "confidence": 0.7},
        INTENT_RANKING_KEY: [{"name": intent, "confidence": 0.7}],
        ENTITIES: list(entities),
    })


def test_the_feature_is_computed_once_when_read_and_is_the_same_embedding(featurizer):
    message = _message("my feet tingle")
    featurizer.process([message])
    assert featurizer._encoder.texts == []
    (feature,) = message.features
    assert isinstance(feature, LazySentenceFeatures) and not feature.computed
    assert feature.is_dense() and not feature.is_sparse() and not feature.computed
    first = sentence_embedding(message)
    again = sentence_embedding(message)
    assert featurizer._encoder.texts == ["my feet tingle"]
    assert np.array_equal(first, again)
    assert np.array_equal(first, encoder().embed(["my feet tingle"])[0])


def test_features_filtered_by_other_featurizers_leave_it_uncomputed(featurizer):
    message = _message("my feet tingle")
    featurizer.process([message])
    sequence, sentence = message.get_dense_features(TEXT, ["words", "characters"])
    assert sequence is None and sentence is None
    assert message.get_sparse_features(TEXT, ["words"]) == (None, None)
    assert featurizer._encoder.texts == []


def test_a_copy_is_an_ordinary_computed_feature(featurizer):
    message = _message("my feet tingle")
    featurizer.process([message])
    copied = copy.deepcopy(message.features[0])
    assert type(copied) is not LazySentenceFeatures
    assert copied.features.shape == (1, 384) and copied.origin == "sentence_encoder"
    _sequence, combined = message.get_dense_features(TEXT)
    assert combined.features.shape == (1, 384)


def test_a_message_with_no_red_flag_named_still_goes_through_the_net(featurizer, net_component):
    for text in ("he's gone down on the floor and his legs won't work", "yes", "/affirm now"):
        message = _message(text)
        featurizer.process([message])
        net_component.process([message])
        assert featurizer._encoder.texts[-1] == text


def test_a_raise_is_what_it_was_with_the_feature_computed_at_once(featurizer, net_component):
    text = "he's gone down on the floor and his legs won't work"
    lazy = _message(text)
    featurizer.process([lazy])
    eager = _message(text)
    eager.add_features(LazySentenceFeatures(lambda: encoder().embed([text]), TEXT,
                                            "sentence_encoder"))
    assert eager.features[0].features.shape == (1, 384)  # computed before the net runs
    net_component.process([lazy, eager])
    assert lazy.get(EMERGENCY_CHECK) == eager.get(EMERGENCY_CHECK)
    assert lazy.get(EMERGENCY_CHECK)["raised"]
    assert lazy.get(INTENT) == eager.get(INTENT) == {"name": "inform", "confidence": 1.0}


def test_no_embedding_when_the_rules_or_the_classifier_decided(featurizer, net_component):
    named = _message("I've collapsed", "inform",
                     [{"entity": "red_flag", "value": "fainting", "role": "negated"}])
    classified = _message("I've collapsed", "report_red_flag")
    featurizer.process([named, classified])
    net_component.process([named, classified])
    assert featurizer._encoder.texts == []
    assert named.get(EMERGENCY_CHECK) is None and classified.get(EMERGENCY_CHECK) is None


@pytest.mark.parametrize("text", ["/affirm", "/deny", "/unsure", " /delete_my_data ",
                                  '/start_check{"subject": "mum"}'])
def test_no_embedding_for_a_button_payload(featurizer, net_component, text):
    message = _message(text)
    featurizer.process([message])
    net_component.process([message])
    assert featurizer._encoder.texts == []
    assert message.get(EMERGENCY_CHECK) is None


@pytest.mark.parametrize("text", ["/restart", "/affirm and I collapsed", "/affirmative",
                                  "affirm", "", "/"])
def test_other_slashed_text_is_no_payload(text):
    assert not replaced_by_its_intent(text)


def test_every_payload_skipped_is_one_rasa_replaces_with_the_real_domain():
    from rasa.nlu.classifiers.regex_message_handler import RegexMessageHandler
    from rasa.shared.core.domain import Domain

    from bot.channels.turns import BUTTON_INTENTS

    domain = Domain.load(str(ROOT / "domain.yml"))
    assert set(BUTTON_INTENTS) <= set(domain.intents)
    handler = RegexMessageHandler()
    texts = [f"/{name}" for name in sorted(BUTTON_INTENTS)] + ['/start_check{"subject": "self"}']
    for text in texts:
        assert replaced_by_its_intent(text)
        message = _message(text)
        message.set(EMERGENCY_CHECK, {"raised": True}, add_to_output=True)
        (handled,) = handler.process([message], domain)
        assert handled is not message and handled.get(EMERGENCY_CHECK) is None


def test_a_short_reply_is_read_once_and_its_reading_reused(featurizer, net_component):
    from bot.rasa_adapters.emergency_net import ShortReplyReadings

    net_component.short_replies = ShortReplyReadings()
    first, again = _message("not sure"), _message("not sure")
    featurizer.process([first])
    net_component.process([first])
    featurizer.process([again])
    net_component.process([again])
    assert featurizer._encoder.texts == ["not sure"]  # the second was not encoded
    assert first.get(EMERGENCY_CHECK) == again.get(EMERGENCY_CHECK)
    assert first.get(INTENT) == again.get(INTENT)


def test_a_cached_reading_is_the_one_the_net_makes(featurizer, net_component):
    from bot.rasa_adapters.emergency_net import ShortReplyReadings

    net_component.short_replies = ShortReplyReadings()
    for text in ("he collapsed", "my legs went", "yes", "he collapsed"):
        message = _message(text)
        featurizer.process([message])
        net_component.process([message])
        fresh = net_component.net.read(encoder().embed([text])[0])
        assert net_component.short_replies.get(net_component.short_replies.key(text)) == fresh
        assert (message.get(EMERGENCY_CHECK) is not None) == fresh.raised


def test_longer_messages_are_always_read_and_never_kept(featurizer, net_component):
    from bot.rasa_adapters.emergency_net import ShortReplyReadings

    net_component.short_replies = ShortReplyReadings()
    text = "I have had pins and needles for months"
    for _ in range(2):
        message = _message(text)
        featurizer.process([message])
        net_component.process([message])
    assert featurizer._encoder.texts == [text, text]
    assert len(net_component.short_replies) == 0


def test_the_cache_holds_no_text_and_is_bounded():
    from bot.nlu.emergency_net import NetReading
    from bot.rasa_adapters.emergency_net import ShortReplyReadings

    cache = ShortReplyReadings(size=2)
    other = ShortReplyReadings(size=2)
    assert cache.key("yes") != other.key("yes")  # a key of its own in each process
    assert cache.key("yes") != cache.key("Yes") and cache.key("yes") == cache.key("yes")
    for text in ("yes", "no", "not sure"):
        cache.put(cache.key(text), NetReading(0.1, 0.2, "an exemplar"))
    assert len(cache) == 2 and cache.get(cache.key("yes")) is None
    assert all(b"not sure" not in key and key != b"no" for key in cache._readings)
    assert ShortReplyReadings(size=0).key("yes") is None
    assert cache.key("four words are here") is None and cache.key("x" * 30) is None
