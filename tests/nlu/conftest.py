"""Fixtures for the language-understanding tests: the real pipeline, built once."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def nlp():
    """The knowledge-base pipeline used by ``bot.nlu.extract`` (cached per process)."""
    from bot.nlu.pipeline import get_pipeline

    return get_pipeline()


@pytest.fixture(scope="session")
def red_flag_ids() -> set[str]:
    from bot.knowledge import load_knowledge

    return {f.id for f in load_knowledge().findings.values() if f.kind == "red_flag"}
