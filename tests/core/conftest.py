"""Shared fixtures for the clinical-core tests."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bot.knowledge import load_knowledge
from bot.knowledge.loader import DATA_DIR


@pytest.fixture(scope="session")
def kb():
    """The real, validated knowledge base."""
    return load_knowledge()


@pytest.fixture()
def kb_copy(tmp_path: Path) -> Path:
    """A writable copy of the real knowledge files (tests break it on purpose)."""
    target = tmp_path / "data"
    shutil.copytree(DATA_DIR, target)
    return target
