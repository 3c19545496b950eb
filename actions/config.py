"""Settings of the conversation layer: defaults in code, a YAML file, the environment."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml

logger = logging.getLogger(__name__)

CONFIG_FILE = Path(__file__).with_name("interview_config.yml")


@dataclass(frozen=True)
class InterviewSettings:
    max_reprompts: int = 2


def _positive_int(value: object, default: int, name: str) -> int:
    try:
        number = int(str(value))
    except (TypeError, ValueError):
        logger.warning("Setting %s is not a whole number; using %d", name, default)
        return default
    if number < 1:
        logger.warning("Setting %s must be at least 1; using %d", name, default)
        return default
    return number


@lru_cache(maxsize=1)
def interview_settings() -> InterviewSettings:
    """Read once per process; the environment wins over the file."""
    defaults = InterviewSettings()
    data: dict = {}
    if CONFIG_FILE.exists():
        loaded = yaml.safe_load(CONFIG_FILE.read_text(encoding="utf-8"))
        data = loaded if isinstance(loaded, dict) else {}
    values = {}
    for name, default in (("max_reprompts", defaults.max_reprompts),):
        raw = os.environ.get(f"B12_{name.upper()}", data.get(name, default))
        values[name] = _positive_int(raw, default, name)
    return InterviewSettings(**values)
