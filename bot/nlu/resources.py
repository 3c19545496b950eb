"""The NLU's own data files under ``bot/nlu/patterns/`` and a fingerprint of everything
that shapes the pipeline.

The fingerprint exists because Rasa caches trained components by class name and
config: when a lay phrase or a ConText rule changes, the cached pipeline must be
rebuilt, so the hash of these files is placed into the Rasa component's config.
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path
from typing import Any

import yaml

PATTERNS_DIR = Path(__file__).resolve().parent / "patterns"
KNOWLEDGE_DIR = Path(__file__).resolve().parents[1] / "knowledge" / "data"


@cache
def load_yaml(name: str) -> Any:
    """One pattern file, parsed once per process."""
    with (PATTERNS_DIR / name).open(encoding="utf-8") as handle:
        return yaml.safe_load(handle)


def fingerprint_files() -> list[Path]:
    """Every file whose content changes what the extractor finds, in a stable order."""
    files = sorted(PATTERNS_DIR.glob("*.yml"))
    files += sorted(KNOWLEDGE_DIR.glob("findings*.yml"))
    files += [KNOWLEDGE_DIR / "labs.yml", KNOWLEDGE_DIR.parent / "units.py"]  # lab names, units
    # Relation words (whose finding it is) and their loader.
    files += [KNOWLEDGE_DIR / "people.yml", KNOWLEDGE_DIR.parent.parent / "people.py"]
    code = Path(__file__).resolve().parent
    files += sorted(code.glob("*.py"))
    return files


def patterns_fingerprint() -> str:
    """SHA-256 over the lexicon, pattern and rule files (and the NLU code itself)."""
    digest = hashlib.sha256()
    for path in fingerprint_files():
        digest.update(path.name.encode("utf-8"))
        digest.update(b"\0")
        digest.update(path.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()[:16]
