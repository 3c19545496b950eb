"""The Rasa side of the pretrained encoder: the featurizer's dense sentence feature, the
emergency net's decisions on real messages, and a real trained model that uses both."""

from __future__ import annotations

import asyncio
import textwrap

import numpy as np
import pytest

pytest.importorskip("rasa", reason="the Rasa components need Rasa installed")

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from bot.encoder import encoder  # noqa: E402
from bot.nlu.emergency_net import EMERGENCY_CHECK, EmergencyNet  # noqa: E402
from bot.rasa_adapters.emergency_net import (  # noqa: E402
    EmergencyNetComponent,
    sentence_embedding,
)
from bot.rasa_adapters.encoder_featurizer import SentenceEncoderFeaturizer  # noqa: E402


@pytest.fixture(scope="module")
def featurizer() -> SentenceEncoderFeaturizer:
    return SentenceEncoderFeaturizer(
        SentenceEncoderFeaturizer.get_default_config(), "run_SentenceEncoderFeaturizer0"
    )


@pytest.fixture(scope="module")
def net_component() -> EmergencyNetComponent:
    red = [
        "I've collapsed and can't get up",
        "my legs have suddenly stopped working",
        "I want to end my life",
        "she's suddenly gone blind in one eye",
    ]
    ordinary = ["I'm tired a lot", "what foods have b12", "hello", "I'm vegan", "bye for now"]
    model = encoder()
    component = EmergencyNetComponent(EmergencyNetComponent.get_default_config(), None, None)
    component.net = EmergencyNet(model.embed(red), red, model.embed(ordinary), 0.0, k=2)
    return component


def _message(featurizer, text: str, intent: str, entities=()) -> Message:
    message = Message(
        data={
            TEXT: text,
            INTENT: {"name": intent, "confidence": 0.7},
            INTENT_RANKING_KEY: [{"name": intent, "confidence": 0.7}],
            ENTITIES: list(entities),
        }
    )
    featurizer.process([message])
    return message


def test_each_message_gets_one_dense_sentence_feature(featurizer):
    message = _message(featurizer, "my feet tingle", "inform")
    sequence, sentence = message.get_dense_features(TEXT)
    assert sequence is None
    assert sentence.features.shape == (1, 384)
    assert np.allclose(sentence_embedding(message), encoder().embed(["my feet tingle"])[0])


def test_training_data_is_featurized_in_batches_like_single_messages(featurizer):
    from rasa.shared.nlu.training_data.training_data import TrainingData

    texts = ["hi", "my legs have gone weak and wobbly over the last year", "what is b12"]
    data = TrainingData([Message(data={TEXT: t, INTENT: "inform"}) for t in texts])
    featurizer.process_training_data(data)
    for message, text in zip(data.training_examples, texts, strict=True):
        assert np.allclose(sentence_embedding(message), encoder().embed([text])[0], atol=1e-5)


def test_a_raised_small_talk_message_becomes_part_of_the_interview(featurizer, net_component):
    message = _message(featurizer, "he's gone down on the floor and his legs won't work", "greet")
    net_component.process([message])
    check = message.get(EMERGENCY_CHECK)
    assert check["raised"] and check["intent"] == "greet" and check["replaced_by"] == "inform"
    assert message.get(INTENT) == {"name": "inform", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "inform"


@pytest.mark.parametrize("intent", ["affirm", "delete_my_data", "faq", "ask_why"])
def test_a_raised_request_of_its_own_keeps_its_intent(featurizer, net_component, intent):
    message = _message(featurizer, "yes and now I can't stand up at all", intent)
    net_component.process([message])
    assert message.get(EMERGENCY_CHECK)["raised"]
    assert message.get(INTENT)["name"] == intent
    assert "replaced_by" not in message.get(EMERGENCY_CHECK)


def test_the_net_stays_out_when_the_rules_or_the_classifier_decided(featurizer, net_component):
    text = "I've collapsed and can't get up"
    named = _message(
        featurizer, text, "inform", [{"entity": "red_flag", "value": "fainting", "role": "negated"}]
    )
    classified = _message(featurizer, text, "report_red_flag")
    net_component.process([named, classified])
    assert named.get(EMERGENCY_CHECK) is None and named.get(INTENT)["name"] == "inform"
    assert classified.get(EMERGENCY_CHECK) is None


def test_an_ordinary_message_is_left_alone(featurizer, net_component):
    message = _message(featurizer, "which foods are rich in b12?", "faq")
    net_component.process([message])
    assert message.get(EMERGENCY_CHECK) is None and message.get(INTENT)["name"] == "faq"


def test_a_model_without_a_net_serves_messages_unchanged(featurizer):
    component = EmergencyNetComponent(EmergencyNetComponent.get_default_config(), None, None)
    message = _message(featurizer, "I've collapsed", "greet")
    component.process([message])
    assert message.get(INTENT)["name"] == "greet" and message.get(EMERGENCY_CHECK) is None


@pytest.mark.slow
def test_a_trained_model_calibrates_the_net_and_uses_it(tmp_path, monkeypatch):
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yml").write_text(
        textwrap.dedent(
            """
            recipe: default.v1
            language: en
            assistant_id: encoder-test
            pipeline:
              - name: WhitespaceTokenizer
              - name: CountVectorsFeaturizer
              - name: bot.rasa_adapters.encoder_featurizer.SentenceEncoderFeaturizer
              - name: DIETClassifier
                epochs: 30
                number_of_transformer_layers: 0
                entity_recognition: false
                random_seed: 1
              - name: bot.rasa_adapters.nlu_component.B12ClinicalExtractor
              - name: bot.rasa_adapters.emergency_net.EmergencyNetComponent
                false_alarm_rate: 0.1
            policies: []
            """
        )
    )
    (tmp_path / "domain.yml").write_text(
        textwrap.dedent(
            """
            version: "3.1"
            intents: [greet, inform, report_red_flag, out_of_scope]
            entities:
              - red_flag:
                  roles: [negated, family, other_person, historical, hypothetical, uncertain]
              - symptom:
                  roles: [negated, family, other_person, historical, hypothetical, uncertain]
            """
        )
    )
    red = [
        "I've collapsed and can't get up", "my legs have suddenly stopped working",
        "I want to end my life", "she's suddenly gone blind in one eye",
        "he's on the floor and won't wake up", "I'm going to take all my pills tonight",
        "my dad can't stand up, his legs just went", "I've wet myself and can't feel my legs",
    ]
    data = {
        "greet": ["hi", "hello", "hey there", "good morning", "hiya", "evening all"],
        "inform": [
            "I'm tired a lot", "I'm vegan", "my feet tingle sometimes", "I'm 45",
            "I take metformin", "my memory is worse than it was", "I had a gastric bypass",
        ],
        "out_of_scope": [
            "how do I fix my bike", "what's the weather", "tell me a joke",
            "who won the football", "book me a taxi", "what's the capital of France",
        ],
        "report_red_flag": red,
    }
    nlu = ["version: \"3.1\"", "nlu:"]
    for intent, examples in data.items():
        nlu += [f"  - intent: {intent}", "    examples: |"]
        nlu += [f"      - {e}" for e in examples]
    (tmp_path / "nlu.yml").write_text("\n".join(nlu) + "\n", encoding="utf-8")
    model = train_nlu("config.yml", "nlu.yml", str(tmp_path / "models"), domain="domain.yml")
    agent = Agent.load(model)
    # Whichever of the three catches it, an emergency in new words is never dropped.
    parse = asyncio.run(agent.parse_message("grandad keeled over in the hallway, he's not moving"))
    assert (
        parse["intent"]["name"] == "report_red_flag"
        or any(e["entity"] == "red_flag" and "role" not in e for e in parse["entities"])
        or parse.get(EMERGENCY_CHECK, {}).get("raised")
    ), parse
    calm = asyncio.run(agent.parse_message("hello, what's the best way to fix a bike chain"))
    assert EMERGENCY_CHECK not in calm


def test_the_faq_selector_runs_only_where_faq_is_near_the_top():
    from bot.rasa_adapters.faq_selector import FaqResponseSelector

    config = {**FaqResponseSelector.get_default_config(), "retrieval_intent": "faq"}
    selector = FaqResponseSelector.__new__(FaqResponseSelector)
    selector.component_config = config

    def ranked(*names):
        return Message(data={TEXT: "x", INTENT_RANKING_KEY: [{"name": n} for n in names]})

    assert selector.may_be_a_question(ranked("faq", "inform"))
    assert selector.may_be_a_question(ranked("report_red_flag", "inform", "faq"))
    assert not selector.may_be_a_question(ranked("affirm", "inform", "deny", "faq"))
    assert selector.may_be_a_question(Message(data={TEXT: "not classified"}))
    skipped = selector.process([ranked("affirm", "deny", "inform")])[0]
    assert skipped.get("response_selector") is None
