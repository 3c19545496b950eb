"""The NumPy encoder gives all-MiniLM-L6-v2's embeddings: what the model's own forward
pass gives, and sentences that mean the same land closer than unrelated ones."""

from __future__ import annotations

import numpy as np
import pytest

from bot.encoder import encoder


@pytest.fixture(scope="module")
def model():
    return encoder()


# The first six numbers of the embedding of "My legs suddenly can't hold me up", as
# transformers 4.36.2's TFBertModel computes them from the same files with mean pooling
# and L2 normalisation (an independent implementation of the same network).
REFERENCE_TEXT = "My legs suddenly can't hold me up"
REFERENCE_HEAD = [-0.027459, -0.042984, 0.00735, 0.031106, 0.055024, -0.022522]


def test_matches_the_reference_forward_pass(model) -> None:
    vector = model.embed([REFERENCE_TEXT])[0]
    assert vector.shape == (384,)
    assert np.allclose(vector[:6], REFERENCE_HEAD, atol=2e-5)


@pytest.mark.parametrize(
    ("anchor", "paraphrase", "unrelated"),
    [
        (
            "My legs suddenly can't hold me up",
            "I can no longer stand, my legs give way",
            "What foods have vitamin B12 in them?",
        ),
        (
            "Which foods are rich in vitamin B12?",
            "what should I eat to get more b12",
            "my chest hurts and I can't breathe",
        ),
        (
            "I want to end my life",
            "I don't see any point in living any more",
            "How long do B12 injections take to work?",
        ),
        (
            "Can you delete everything I told you?",
            "please erase my data",
            "my hands and feet tingle",
        ),
    ],
)
def test_paraphrases_are_closer_than_unrelated_sentences(model, anchor, paraphrase, unrelated):
    a, p, u = model.embed([anchor, paraphrase, unrelated])
    assert float(a @ p) > float(a @ u) + 0.2


def test_rows_are_unit_length_and_in_the_order_given(model) -> None:
    texts = ["a much longer sentence about tingling in both feet for weeks", "hi", "tired"]
    together = model.embed(texts, batch_size=2)
    one_by_one = np.vstack([model.embed([t]) for t in texts])
    assert np.allclose(np.linalg.norm(together, axis=1), 1.0, atol=1e-5)
    assert np.allclose(together, one_by_one, atol=1e-5)


def test_odd_input_gives_a_vector_not_an_error(model) -> None:
    odd = ["", "   ", "🙂🙂🙂", "<script>alert(1)</script>", "x" * 20000, "ça va? 你好"]
    vectors = model.embed(odd)
    assert vectors.shape == (len(odd), 384)
    assert np.isfinite(vectors).all()


def test_long_text_is_cut_at_the_models_limit(model) -> None:
    assert len(model.pieces("word " * 2000)) == 256
    assert model.embed([]).shape == (0, 384)
