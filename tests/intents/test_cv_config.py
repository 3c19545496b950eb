"""The cross-validation evaluates the language understanding that ships.

A cross-validation score says something about the assistant only if it was measured
on the same pipeline, with the same settings and epochs, as config.yml. The intended
differences are the clinical extractor and the emergency net after it, left out so that
their decisions do not hide what the learned classifier does on its own.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXTRACTOR = "bot.rasa_adapters.nlu_component.B12ClinicalExtractor"
NET = "bot.rasa_adapters.emergency_net.EmergencyNetComponent"


def _pipeline(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["pipeline"]


def test_cross_validation_uses_the_shipped_pipeline_without_the_extractor() -> None:
    shipped = [c for c in _pipeline(ROOT / "config.yml") if c["name"] not in (EXTRACTOR, NET)]
    evaluated = _pipeline(Path(__file__).with_name("config_cv.yml"))
    assert evaluated == shipped


def test_the_shipped_pipeline_ends_with_the_extractor_then_the_net() -> None:
    """The extractor overrides the classifiers' intent, and the net reads what both
    decided, so they come last, in that order."""
    names = [c["name"] for c in _pipeline(ROOT / "config.yml")]
    assert names[-2:] == [EXTRACTOR, NET]
