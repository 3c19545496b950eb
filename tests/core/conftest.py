"""Shared fixtures for the clinical-core tests."""

from __future__ import annotations

import pytest

from bot.knowledge import load_knowledge


@pytest.fixture(scope="session")
def kb():
    """The real, validated knowledge base."""
    return load_knowledge()
