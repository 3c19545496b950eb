"""The cross-validation evaluates the language understanding that ships.

A cross-validation score says something about the assistant only if it was measured
on the same pipeline, with the same settings and epochs, as config.yml. The one
intended difference is the clinical extractor, left out so that its deterministic
red-flag override does not hide what the learned classifier does on its own.
"""

from __future__ import annotations

from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[2]
EXTRACTOR = "bot.rasa_adapters.nlu_component.B12ClinicalExtractor"


def _pipeline(path: Path) -> list[dict]:
    return yaml.safe_load(path.read_text(encoding="utf-8"))["pipeline"]


def test_cross_validation_uses_the_shipped_pipeline_without_the_extractor() -> None:
    shipped = [c for c in _pipeline(ROOT / "config.yml") if c["name"] != EXTRACTOR]
    evaluated = _pipeline(Path(__file__).with_name("config_cv.yml"))
    assert evaluated == shipped


def test_the_shipped_pipeline_still_has_the_extractor_last() -> None:
    names = [c["name"] for c in _pipeline(ROOT / "config.yml")]
    assert names[-1] == EXTRACTOR
