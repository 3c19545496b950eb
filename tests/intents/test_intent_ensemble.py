"""The intent ensemble: DIET's ranking averaged with a regression over the sentence
embedding, on hand-made rankings and in a real trained model."""

from __future__ import annotations

import asyncio
import textwrap

import numpy as np
import pytest

pytest.importorskip("rasa", reason="the Rasa components need Rasa installed")

from rasa.shared.nlu.constants import INTENT, INTENT_RANKING_KEY, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from bot.encoder import encoder  # noqa: E402
from bot.rasa_adapters.encoder_featurizer import SentenceEncoderFeaturizer  # noqa: E402
from bot.rasa_adapters.intent_ensemble import (  # noqa: E402
    IntentEnsemble,
    SoftmaxRegression,
    average,
)

INTENTS = {
    "greet": ["hi", "hello", "hey there", "good morning", "hiya", "evening all"],
    "inform": [
        "I'm tired a lot", "I'm vegan", "my feet tingle sometimes", "I'm 45",
        "I take metformin", "my memory is worse than it was", "I had a gastric bypass",
    ],
    "out_of_scope": [
        "how do I fix my bike", "what's the weather", "tell me a joke",
        "who won the football", "book me a taxi", "what's the capital of France",
    ],
}
FAQ = {
    "food_sources": [
        "which foods have b12", "what food is high in b12", "where do I get b12 from in food",
        "is there b12 in eggs", "does meat contain b12", "foods rich in vitamin b12",
    ],
    "injections": [
        "how do b12 injections work", "do the jabs hurt", "how often are b12 shots given",
        "what are b12 injections", "can I have b12 jabs at home", "are b12 shots painful",
    ],
}


@pytest.fixture(scope="module")
def featurizer() -> SentenceEncoderFeaturizer:
    return SentenceEncoderFeaturizer(
        SentenceEncoderFeaturizer.get_default_config(), "run_SentenceEncoderFeaturizer0"
    )


def test_the_kept_weights_predict_as_scikit_learn_does():
    from sklearn.linear_model import LogisticRegression

    texts = [t for examples in INTENTS.values() for t in examples]
    labels = [name for name, examples in INTENTS.items() for _ in examples]
    vectors = encoder().embed(texts)
    reduced = SoftmaxRegression.fit(vectors, labels, 8.0)
    full = LogisticRegression(C=8.0, max_iter=2000).fit(vectors, labels)
    assert reduced.classes == list(full.classes_)
    for vector, expected in zip(vectors, full.predict_proba(vectors), strict=True):
        assert np.allclose(reduced.probabilities(vector), expected, atol=1e-5)


def test_the_average_weighs_both_sides_and_counts_an_unranked_label_as_zero():
    regression = SoftmaxRegression(["a", "b", "c"], np.zeros((3, 2)), np.zeros(3))
    ranking = [{"name": "a", "confidence": 0.9}, {"name": "b", "confidence": 0.1}]
    ranked = dict(average(ranking, regression, np.array([0.2, 0.2, 0.6]), 0.5, "name"))
    assert ranked == pytest.approx({"a": 0.55, "b": 0.15, "c": 0.3})
    assert dict(average(ranking, regression, np.array([0.2, 0.2, 0.6]), 1.0, "name"))[
        "a"
    ] == pytest.approx(0.9)


def _component(diet_weight: float) -> IntentEnsemble:
    """An ensemble whose regression reads greetings, facts and off-topic requests."""
    texts = [t for examples in INTENTS.values() for t in examples]
    labels = [name for name, examples in INTENTS.items() for _ in examples]
    config = {**IntentEnsemble.get_default_config(), "diet_weight": diet_weight, "faq": False}
    return IntentEnsemble(
        config, None, None, intents=SoftmaxRegression.fit(encoder().embed(texts), labels, 8.0)
    )


def _classified(featurizer, text: str, ranking: list[tuple[str, float]]) -> Message:
    entries = [{"name": n, "confidence": c} for n, c in ranking]
    message = Message(data={TEXT: text, INTENT: dict(entries[0]), INTENT_RANKING_KEY: entries})
    featurizer.process([message])
    return message


def test_a_confident_embedding_overrules_a_hesitant_diet(featurizer):
    """DIET split between two intents on an unseen word; the embedding knows a greeting."""
    message = _classified(
        featurizer, "greetings", [("out_of_scope", 0.5), ("greet", 0.45), ("inform", 0.05)]
    )
    _component(0.5).process([message])
    ranking = message.get(INTENT_RANKING_KEY)
    assert message.get(INTENT)["name"] == "greet" == ranking[0]["name"]
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0, abs=1e-5)
    assert [r["confidence"] for r in ranking] == sorted(
        (r["confidence"] for r in ranking), reverse=True
    )


def test_with_all_the_weight_on_diet_nothing_changes_but_the_order(featurizer):
    diet = [("out_of_scope", 0.5), ("greet", 0.45), ("inform", 0.05)]
    message = _classified(featurizer, "greetings", diet)
    _component(1.0).process([message])
    assert [(r["name"], r["confidence"]) for r in message.get(INTENT_RANKING_KEY)][:3] == [
        (n, pytest.approx(c)) for n, c in diet
    ]


def test_a_button_payload_and_an_unclassified_message_are_left_alone(featurizer):
    payload = _classified(featurizer, "/affirm", [("greet", 0.6), ("inform", 0.4)])
    unclassified = Message(data={TEXT: "hello"})
    featurizer.process([unclassified])
    _component(0.0).process([payload, unclassified])
    assert payload.get(INTENT) == {"name": "greet", "confidence": 0.6}
    assert unclassified.get(INTENT) is None


@pytest.mark.slow
def test_a_trained_model_averages_intents_and_faq_answers(tmp_path, monkeypatch):
    """Trained and loaded by Rasa: the regressions are persisted with the model, the
    intent and the FAQ answer come from the averages, and an answer names its response."""
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yml").write_text(
        textwrap.dedent(
            """
            recipe: default.v1
            language: en
            assistant_id: ensemble-test
            pipeline:
              - name: WhitespaceTokenizer
              - name: CountVectorsFeaturizer
                alias: words
              - name: bot.rasa_adapters.encoder_featurizer.SentenceEncoderFeaturizer
              - name: DIETClassifier
                epochs: 30
                number_of_transformer_layers: 0
                entity_recognition: false
                random_seed: 1
                featurizers: [words]
              - name: bot.rasa_adapters.faq_selector.FaqResponseSelector
                epochs: 30
                retrieval_intent: faq
                random_seed: 1
                featurizers: [words]
              - name: bot.rasa_adapters.intent_ensemble.IntentEnsemble
                diet_weight: 0.5
              - name: FallbackClassifier
                threshold: 0.3
            policies: []
            """
        )
    )
    domain = ['version: "3.1"', f"intents: [{', '.join([*INTENTS, 'faq'])}]", "responses:"]
    for topic in FAQ:
        domain += [f"  utter_faq/{topic}:", f"    - text: the answer about {topic}"]
    (tmp_path / "domain.yml").write_text("\n".join(domain) + "\n", encoding="utf-8")
    nlu = ['version: "3.1"', "nlu:"]
    for intent, examples in [*INTENTS.items(), *((f"faq/{t}", e) for t, e in FAQ.items())]:
        nlu += [f"  - intent: {intent}", "    examples: |"]
        nlu += [f"      - {e}" for e in examples]
    (tmp_path / "nlu.yml").write_text("\n".join(nlu) + "\n", encoding="utf-8")
    model = train_nlu("config.yml", "nlu.yml", str(tmp_path / "models"), domain="domain.yml")
    agent = Agent.load(model)

    def parse(text: str) -> dict:
        return asyncio.run(agent.parse_message(text))

    # Words no training example has; the embedding relates them to the known ones.
    assert parse("greetings")["intent"]["name"] == "greet"
    answered = parse("which groceries contain cobalamin")
    assert answered["intent"]["name"] == "faq"
    chosen = answered["response_selector"]["faq"]["response"]
    assert chosen["intent_response_key"] == "faq/food_sources"
    assert chosen["utter_action"] == "utter_faq/food_sources"
    assert chosen["responses"] == [{"text": "the answer about food_sources"}]
    ranking = answered["response_selector"]["faq"]["ranking"]
    assert ranking[0]["intent_response_key"] == "faq/food_sources"
    assert sum(r["confidence"] for r in ranking) == pytest.approx(1.0, abs=1e-3)


def test_two_classes_predict_as_scikit_learn_does():
    """scikit-learn keeps one logit for two classes; the kept weights still give both."""
    from sklearn.linear_model import LogisticRegression

    texts = INTENTS["greet"] + INTENTS["out_of_scope"]
    labels = ["greet"] * 6 + ["out_of_scope"] * 6
    vectors = encoder().embed(texts)
    reduced = SoftmaxRegression.fit(vectors, labels, 8.0)
    full = LogisticRegression(C=8.0, max_iter=2000).fit(vectors, labels)
    for vector, expected in zip(vectors, full.predict_proba(vectors), strict=True):
        assert np.allclose(reduced.probabilities(vector), expected, atol=1e-5)


def test_a_short_reply_typed_again_needs_no_forward_pass(featurizer):
    from bot.rasa_adapters.emergency_net import _sentence_feature

    component = _component(0.5)
    first = _classified(featurizer, "greetings", [("out_of_scope", 0.5), ("greet", 0.45)])
    again = _classified(featurizer, "greetings", [("out_of_scope", 0.5), ("greet", 0.45)])
    component.process([first])
    component.process([again])
    assert again.get(INTENT_RANKING_KEY) == first.get(INTENT_RANKING_KEY)
    assert not _sentence_feature(again).computed
    longer = _classified(
        featurizer, "hello there, how are you all doing today", [("greet", 0.6), ("inform", 0.4)]
    )
    component.process([longer])
    assert _sentence_feature(longer).computed
