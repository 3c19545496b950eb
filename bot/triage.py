"""How urgently the person should be seen, from rules kept as data (triage.yml).

Red flags override everything, whatever the likelihood of B12 deficiency:
a missed emergency is the worst failure a symptom checker can have. The rules
are evaluated on every turn of the conversation, so this module stays cheap:
no parsing, no I/O after the first call, a few dictionary lookups per rule.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.findings import Findings, Status
from bot.knowledge import load_knowledge
from bot.knowledge.conditions import (
    Context,
    Facts,
    Predicate,
    compile_condition,
    evaluate,
    facts_of,
    unresolved_screens,
)
from bot.knowledge.schema import TRIAGE_LEVELS, KnowledgeBase, TriageRule
from bot.labs import lab_bands as compute_lab_bands
from bot.scoring import score
from bot.who import worded_for
from bot.wording import text

LEVELS = TRIAGE_LEVELS  # lowest to highest


@dataclass(frozen=True)
class RedFlagHit:
    """A red flag the person has now, with the message to show them."""

    id: str
    urgency: str
    message: str
    label: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "urgency": self.urgency,
            "label": self.label,
            "message": self.message,
        }


@dataclass(frozen=True)
class Triage:
    """Where to go and how soon, with every reason that led there."""

    level: str
    title: str
    advice: str
    reasons: tuple[str, ...] = ()
    rule_ids: tuple[str, ...] = ()
    also: tuple[str, ...] = field(default=())
    crisis_lines: tuple[str, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        return {
            "level": self.level,
            "title": self.title,
            "advice": self.advice,
            "reasons": list(self.reasons),
            "rules": list(self.rule_ids),
            "also": list(self.also),
            "crisis_lines": list(self.crisis_lines),
        }


def red_flags(findings: Findings) -> list[RedFlagHit]:
    """Red flags that apply to the person now, emergencies first.

    A "yes" to a grouped screen with no member confirmed is a hit of its own
    (id: the group's id), so the conversation announces it the moment it is
    given and the triage keeps it, whatever the person says about each item.
    """
    kb = load_knowledge()
    groups = kb.questions["screen_groups"]
    hits = [
        RedFlagHit(
            gid, groups[gid].urgency,
            worded_for(findings, groups[gid].message, groups[gid].message_other),
            groups[gid].label,
        )
        for gid in unresolved_screens(findings, kb)
    ]
    for fid, state in findings.items.items():
        definition = kb.findings.get(fid)
        if (
            definition is None
            or definition.kind != "red_flag"
            or state.status is not Status.PRESENT
        ):
            continue
        message = definition.message or ""
        if message and definition.message_other:
            message = worded_for(findings, message, definition.message_other)
        hits.append(
            RedFlagHit(definition.id, definition.urgency or "urgent", message, definition.label)
        )
    hits.sort(key=lambda h: (h.urgency != "emergency", h.id))
    return hits


@dataclass(frozen=True)
class _Rules:
    """The triage rules with their conditions compiled once per knowledge base."""

    in_order: tuple[tuple[TriageRule, Predicate], ...]  # as in triage.yml: reasons keep it
    by_level: tuple[tuple[str, tuple[Predicate, ...]], ...]  # highest level first


@lru_cache(maxsize=4)
def _rules(kb: KnowledgeBase) -> _Rules:
    compiled = tuple((rule, compile_condition(rule.when)) for rule in kb.triage.rules)
    return _Rules(
        in_order=compiled,
        by_level=tuple(
            (level, tuple(holds for rule, holds in compiled if rule.level == level))
            for level in reversed(LEVELS)
        ),
    )


def triage_level(
    facts: Facts, lab_bands: Mapping[str, str], band: str | None, kb: KnowledgeBase
) -> str:
    """The triage level: the highest level of any rule that holds, else self care.

    The one definition of the level. :func:`triage` builds its advice around it,
    and question ranking calls it for every distinct hypothetical answer, which
    is why it takes ready-made facts and stops at the first (highest) match.
    """
    for level, rules in _rules(kb).by_level:
        for holds in rules:
            if holds(facts, lab_bands, band, None):
                return level
    return "self_care"


def triage(
    findings: Findings,
    *,
    band: str | None = None,
    lab_bands: Mapping[str, str] | None = None,
    kb: KnowledgeBase | None = None,
) -> Triage:
    """Triage level, title, advice and reasons for these findings.

    ``band`` and ``lab_bands`` may be passed in when already computed; otherwise
    they are derived here (the likelihood band is needed only for pregnancy).
    """
    kb = kb or load_knowledge()
    if lab_bands is None:
        lab_bands = compute_lab_bands(findings)
    if band is None:
        band = score(findings, kb, explain=False).band
    facts = facts_of(findings, kb)
    ctx = Context(findings=findings, kb=kb, lab_bands=lab_bands, band=band, facts=facts)
    level = triage_level(facts, lab_bands, band, kb)
    matched = [rule for rule, holds in _rules(kb).in_order if holds(facts, lab_bands, band, None)]
    description = kb.triage.levels[level]
    reasons: list[str] = []
    if level in ("emergency", "urgent"):
        reasons += [
            hit.message for hit in red_flags(findings) if _rank(hit.urgency) >= _rank(level)
        ]
    def said(rule: TriageRule) -> str:
        return worded_for(findings, rule.reason, rule.reason_other or rule.reason)

    reasons += [said(rule) for rule in matched if rule.level == level]
    also = [said(rule) for rule in matched if rule.level != level]
    if not matched:
        reasons.append(
            worded_for(
                findings, text("triage_nothing_reported"), text("triage_nothing_reported_other")
            )
        )
    crisis = tuple(
        worded_for(findings, line.text, line.text_other)
        for line in kb.triage.crisis_lines if evaluate(line.when, ctx)
    )
    advice = worded_for(findings, description.advice, description.advice_other)
    if crisis:
        advice = f"{advice} {' '.join(crisis)}"
    return Triage(
        level=level,
        title=worded_for(findings, description.title, description.title_other),
        advice=advice,
        reasons=tuple(dict.fromkeys(reasons)),
        rule_ids=tuple(rule.id for rule in matched if rule.level == level),
        also=tuple(dict.fromkeys(also)),
        crisis_lines=crisis,
    )


def _rank(level: str) -> int:
    return LEVELS.index(level)
