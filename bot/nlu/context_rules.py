"""Load ``patterns/context_rules.yml`` into medspacy ConText rules.

The rules are data; the only code here is the loader, which refuses unknown keys,
categories and directions (a typo in a rule file must fail loudly, not quietly stop
negating), and the named ``check`` tests that a token pattern cannot express.
"""

from __future__ import annotations

import itertools
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from spacy.tokens import Span

from bot.nlu.resources import load_yaml

CATEGORIES = (
    "NEGATED_EXISTENCE",
    "POSSIBLE_EXISTENCE",
    "HYPOTHETICAL",
    "HISTORICAL",
    "ENDED",
    "FAMILY",
    "OTHER_PERSON",
    "SELF",
    "NEG_BREAK",
    "PSEUDO",
    "TERMINATE",
)
DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")
_KEYS = {
    "literal",
    "category",
    "direction",
    "pattern",
    "max_scope",
    "terminated_by",
    "check",
    "allowed_types",
    "excluded_types",
}

_POSSESSIVES = {"my", "our", "his", "her", "their", "me", "mine"}
# Words saying a state began rather than ended: "tingling started a year ago",
# "vegan since last year", "diagnosed with coeliac last year".
_ONSET = {
    "start",
    "started",
    "starts",
    "starting",
    "began",
    "begun",
    "begin",
    "since",
    "still",
    "ongoing",
    "continue",
    "continues",
    "continued",
    "went",
    "gave",
    "giving",
    "cut",
    "stopped",
    "quit",
    "became",
    "become",
    "turned",
    "switched",
    "diagnosed",
    "for",
    "been",
    "onwards",
    "on",
    "now",
}


def possessive_before_target(target: Span, modifier: Span, _between: Span) -> bool:
    """ "my vegan sister": the relative right after the finding, "my" right before it."""
    if target.end > modifier.start or modifier.start - target.end > 1:
        return False
    return target.start > 0 and target.doc[target.start - 1].norm_ in _POSSESSIVES


def relative_scope(target: Span, modifier: Span, between: Span) -> bool:
    """A relative word reaches forward ("mum has PA"), and back only in "my vegan sister"."""
    if target.start >= modifier.end:
        return True
    return possessive_before_target(target, modifier, between)


def answer_no(target: Span, modifier: Span, _between: Span) -> bool:
    """ "chest pain? no" answers backwards; "Neuro - No numbness" negates forwards.

    The answer form reaches back only when it closes the clause, and forward only when
    the clause goes on after it.
    """
    doc = target.doc
    after = doc[modifier.end] if modifier.end < len(doc) else None
    closes = after is None or after.is_sent_start or after.is_punct or after.is_space
    return closes if target.end <= modifier.start else not closes


_NEGATIVE_WORDS = {"not", "no", "never", "n't", "nt", "cannot"}


def positive_target(target: Span, _modifier: Span, _between: Span) -> bool:
    """ "anymore" ends a state, except a negative one: "can't walk anymore" and "don't want
    to live anymore" describe now, so they must stay present."""
    return not any(token.norm_ in _NEGATIVE_WORDS for token in target)


def not_onset(target: Span, _modifier: Span, _between: Span) -> bool:
    """A past time marks a past finding unless the clause says the finding began then."""
    sent = target.sent if target.doc.has_annotation("SENT_START") else target.doc[:]
    return not any(token.norm_ in _ONSET for token in sent)


CHECKS: dict[str, Callable[[Span, Span, Span], bool]] = {
    "possessive_before_target": possessive_before_target,
    "not_onset": not_onset,
    "answer_no": answer_no,
    "positive_target": positive_target,
    "relative_scope": relative_scope,
}


class ContextRuleError(ValueError):
    """A rule in context_rules.yml is malformed."""


def _validate(index: int, raw: dict[str, Any]) -> None:
    unknown = set(raw) - _KEYS
    if unknown:
        raise ContextRuleError(f"context rule {index}: unknown keys {sorted(unknown)}")
    if raw.get("category") not in CATEGORIES:
        raise ContextRuleError(f"context rule {index}: unknown category {raw.get('category')!r}")
    if raw.get("direction", "BIDIRECTIONAL") not in DIRECTIONS:
        raise ContextRuleError(f"context rule {index}: unknown direction {raw.get('direction')!r}")
    if "check" in raw and raw["check"] not in CHECKS:
        raise ContextRuleError(f"context rule {index}: unknown check {raw['check']!r}")
    if not raw.get("literal"):
        raise ContextRuleError(f"context rule {index}: a literal is required")


@lru_cache(maxsize=1)
def rule_dicts() -> tuple[dict[str, Any], ...]:
    """The validated rule entries of the YAML file."""
    data = load_yaml("context_rules.yml") or {}
    rules = data.get("rules") or []
    for i, raw in enumerate(rules):
        _validate(i, raw)
        if raw.get("pattern"):
            expand_pattern(raw["pattern"])
    return tuple(rules)


MAX_PHRASES_PER_RULE = 20000


def expand_pattern(pattern: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """All word sequences a pattern matches (NORM / LOWER / ORTH values, IN lists, OP "?")."""
    options: list[list[str | None]] = []
    for token in pattern:
        op = token.get("OP")
        keys = [k for k in token if k != "OP"]
        if len(keys) != 1 or keys[0] not in ("NORM", "LOWER", "ORTH") or op not in (None, "?"):
            raise ContextRuleError(f"pattern token {token!r} cannot be expanded into phrases")
        value = token[keys[0]]
        values = value["IN"] if isinstance(value, dict) else [value]
        choices: list[str | None] = [str(v).lower() for v in values]
        if op == "?":
            choices.append(None)
        options.append(choices)
    phrases = {
        tuple(word for word in combo if word is not None) for combo in itertools.product(*options)
    }
    phrases.discard(())
    if len(phrases) > MAX_PHRASES_PER_RULE:
        raise ContextRuleError(f"pattern expands into {len(phrases)} phrases; split the rule")
    return sorted(phrases)


def build_rules() -> list[Any]:
    """Fresh ConTextRule objects (medspacy mutates them when they join a pipeline)."""
    from medspacy.context import ConTextRule

    built = []
    for raw in rule_dicts():
        check = CHECKS.get(raw.get("check", ""))
        direction = raw.get("direction", "BIDIRECTIONAL")
        max_scope = raw.get("max_scope")
        if direction in ("TERMINATE", "PSEUDO") and max_scope is None:
            # medspacy only lets a terminator cut a scope that its own scope "overlaps",
            # and its overlap test misses a scope lying strictly inside the other one;
            # a one-token scope around the terminator always lies inside.
            max_scope = 1
        built.append(
            ConTextRule(
                literal=str(raw["literal"]),
                category=raw["category"],
                pattern=raw.get("pattern"),
                direction=direction,
                on_modifies=check,
                max_scope=max_scope,
                terminated_by=set(raw.get("terminated_by") or ()),
                allowed_types=set(raw["allowed_types"]) if raw.get("allowed_types") else None,
                excluded_types=set(raw["excluded_types"]) if raw.get("excluded_types") else None,
            )
        )
    return built
