"""Build the spaCy pipeline from ``spacy.blank("en")`` and the project's own data.

No pretrained model can be downloaded on the machines this runs on, and none is
needed: findings are matched from the knowledge base's lexicon, values by grammar,
and their context by medspacy's ConText algorithm (with a faster phrase step, see
``components.FastConText``) and the rules in ``patterns/context_rules.yml``.
Building takes about a second, so it happens once per process (``get_pipeline``).
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from functools import lru_cache

import spacy
from spacy.language import Language

from bot.nlu import components  # noqa: F401  (registers the b12_* factories)
from bot.nlu.components import TargetMatcher
from bot.nlu.context_rules import build_rules, rule_dicts
from bot.nlu.lexicon import Target, knowledge_targets, token_pattern_rules

CONTEXT_PIPE = "b12_context"


def _quiet_medspacy() -> None:
    """medspacy's optional parts log on import and per document; the pipeline uses neither."""
    for name in ("PyRuSH", "medspacy", "pyrush"):
        logging.getLogger(name).setLevel(logging.WARNING)


def add_upper_case_exceptions(nlp: Language) -> None:
    """Split "DON'T", "CAN'T", "IM" as spaCy splits "don't", "can't", "im".

    spaCy's English exceptions are case-sensitive and list lower and title case only, so a
    message typed in capitals ("I CAN'T BREATHE", "I DON'T HAVE CHEST PAIN") kept "CAN'T" as
    one word: the emergency phrase did not match and the negation was not seen. People in
    distress often type in capitals, so every splitting exception gets its upper-case twin
    with the same NORM.
    """
    from spacy.symbols import NORM, ORTH

    rules = nlp.tokenizer.rules or {}
    for text, pieces in list(rules.items()):
        upper = text.upper()
        if len(pieces) < 2 or upper == text or upper in rules or not upper.isascii():
            continue
        nlp.tokenizer.add_special_case(
            upper,
            [
                {ORTH: piece[ORTH].upper(), NORM: piece.get(NORM, piece[ORTH].lower())}
                for piece in pieces
            ],
        )


def build_pipeline(
    targets: Iterable[Target] | None = None,
    token_rules: Iterable[tuple] | None = None,
) -> Language:
    """A fresh pipeline. ``targets`` default to the knowledge base's findings.

    Tests pass a small lexicon of their own so they do not depend on the knowledge base.
    """
    _quiet_medspacy()

    if targets is None:
        targets = knowledge_targets()
        known = [t.id for t in targets]
        token_rules = token_pattern_rules(known) if token_rules is None else token_rules
    nlp = spacy.blank("en")
    add_upper_case_exceptions(nlp)
    matcher: TargetMatcher = nlp.add_pipe("b12_targets")
    matcher.add_targets(targets, token_rules or ())
    nlp.add_pipe("b12_values")
    nlp.add_pipe("b12_clauses")
    context = nlp.add_pipe("b12_context", name=CONTEXT_PIPE)
    context.add_rules(build_rules(), rule_dicts())
    return nlp


@lru_cache(maxsize=1)
def get_pipeline() -> Language:
    """The process-wide pipeline over the knowledge base (built on first use)."""
    return build_pipeline()
