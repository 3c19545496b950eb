"""Pretrained sentence representations, offline: all-MiniLM-L6-v2 run in NumPy.

Sentences that mean the same land close together even when they share no word, which
word and character counts cannot give. The language understanding adds them to every
message (bot/rasa_adapters/encoder_featurizer.py) for an independent emergency net
(bot/nlu/emergency_net.py). Loading reads about 90 MB of weights, so it happens once per
process, on first use, never at import.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from bot.encoder.files import EncoderFilesError, default_dir, require

if TYPE_CHECKING:
    from bot.encoder.bert import SentenceEncoder

__all__ = ["EncoderFilesError", "default_dir", "encoder"]


@lru_cache(maxsize=2)
def encoder(directory: Path | None = None) -> SentenceEncoder:
    """The encoder for ``directory`` (default: the installed files), loaded once."""
    from bot.encoder.bert import SentenceEncoder

    return SentenceEncoder(require(directory))
