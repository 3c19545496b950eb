"""The knowledge base: findings, weights, triage rules, test rules and lab bands as data.

``load_knowledge()`` reads and validates ``bot/knowledge/data/*.yml`` once per
process; a bad entry raises :class:`bot.errors.KnowledgeError` with a numbered
message, so a broken edit is caught at start-up rather than in a conversation.
"""

from __future__ import annotations

from functools import lru_cache

from bot.knowledge.schema import AnalyteDef, FindingDef, KnowledgeBase


@lru_cache(maxsize=1)
def load_knowledge() -> KnowledgeBase:
    from bot.knowledge.loader import load_from

    return load_from()


__all__ = ["AnalyteDef", "FindingDef", "KnowledgeBase", "load_knowledge"]
