"""The emergency net: a message that reads like a known emergency is raised, one that
reads like an ordinary message is not, and the threshold is set on held-out data."""

from __future__ import annotations

import numpy as np
import pytest

from bot.encoder import encoder
from bot.nlu.emergency_net import EmergencyNet, NetReading, calibrate, margin_scores


def _unit(rows: np.ndarray) -> np.ndarray:
    return rows / np.linalg.norm(rows, axis=1, keepdims=True)


def test_the_score_weighs_nearest_emergencies_against_nearest_ordinary_messages():
    exemplars = _unit(np.array([[1.0, 0.0, 0.0], [0.9, 0.1, 0.0]]))
    contrasts = _unit(np.array([[0.0, 1.0, 0.0], [0.0, 0.9, 0.1]]))
    near_red, near_other = _unit(np.array([[1.0, 0.05, 0.0], [0.05, 1.0, 0.0]]))
    scores = margin_scores(np.vstack([near_red, near_other]), exemplars, contrasts, k=2)
    assert scores[0] > 0.5 > -0.5 > scores[1]


def test_calibration_holds_its_false_alarm_rate_on_held_out_messages():
    rng = np.random.default_rng(7)
    red = _unit(rng.normal(size=(200, 16)) + np.eye(16)[0] * 3)
    ordinary = _unit(rng.normal(size=(1000, 16)) + np.eye(16)[1] * 3)
    vectors = np.vstack([red, ordinary])
    labels = [True] * 200 + [False] * 1000
    calibration = calibrate(vectors, labels, false_alarm_rate=0.02, k=3)
    assert calibration.false_alarm_rate <= 0.03
    assert calibration.recall >= 0.95
    assert (calibration.exemplars, calibration.contrasts) == (200, 1000)


def test_calibration_needs_both_kinds_of_message():
    with pytest.raises(ValueError):
        calibrate(np.eye(3), [True, True, True], 0.02)


def test_a_reading_says_whether_it_is_raised_and_why():
    reading = NetReading(score=0.1, threshold=0.05, nearest="I collapsed")
    assert reading.raised
    assert reading.to_dict() == {
        "raised": True, "score": 0.1, "threshold": 0.05, "nearest": "I collapsed",
    }
    assert not NetReading(0.01, 0.05, "x").raised


@pytest.fixture(scope="module")
def small_net() -> EmergencyNet:
    """A net over a handful of real sentences, with the real encoder."""
    red = [
        "I have crushing chest pain right now",
        "my legs suddenly gave way and I can't stand up",
        "I'm going to kill myself tonight",
        "she's collapsed and won't wake up",
        "I've just lost the sight in one eye",
        "he wet himself and can't feel his legs",
    ]
    ordinary = [
        "I've been tired for months",
        "my feet tingle now and then",
        "I'm vegan and take no supplements",
        "what foods have b12",
        "hello there",
        "I get a bit breathless on hills",
        "my memory isn't what it was",
        "thanks, bye",
    ]
    model = encoder()
    return EmergencyNet(model.embed(red), red, model.embed(ordinary), threshold=0.0, k=2)


@pytest.mark.parametrize(
    "text",
    [
        "his knees just buckled and now he's stuck on the kitchen floor",
        "I can't go on any more, I want to end it all",
    ],
)
def test_an_emergency_in_new_words_is_raised(small_net, text):
    reading = small_net.read(encoder().embed([text])[0])
    assert reading.raised, reading


@pytest.mark.parametrize(
    "text",
    ["been knackered for weeks and my toes feel fuzzy", "which cereals are fortified?"],
)
def test_an_ordinary_message_is_not_raised(small_net, text):
    assert not small_net.read(encoder().embed([text])[0]).raised


def test_the_net_needs_exemplars_and_contrasts():
    with pytest.raises(ValueError):
        EmergencyNet(np.zeros((0, 3)), [], np.ones((1, 3)), 0.0)
