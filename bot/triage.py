"""How urgently the person should be seen, from rules kept as data (triage.yml).

Red flags override everything, whatever the likelihood of B12 deficiency:
a missed emergency is the worst failure a symptom checker can have. The rules
are evaluated on every turn of the conversation, so this module stays cheap:
no parsing, no I/O after the first call, a few dictionary lookups per rule.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.findings import Findings, Status
from bot.knowledge import load_knowledge
from bot.knowledge.conditions import Context, evaluate, unresolved_screens
from bot.knowledge.schema import TRIAGE_LEVELS, KnowledgeBase

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
        RedFlagHit(gid, groups[gid].urgency, groups[gid].message, groups[gid].label)
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
        hits.append(
            RedFlagHit(
                definition.id,
                definition.urgency or "urgent",
                definition.message or "",
                definition.label,
            )
        )
    hits.sort(key=lambda h: (h.urgency != "emergency", h.id))
    return hits


def triage(
    findings: Findings,
    *,
    band: str | None = None,
    lab_bands: dict[str, str] | None = None,
    kb: KnowledgeBase | None = None,
) -> Triage:
    """Triage level, title, advice and reasons for these findings.

    ``band`` and ``lab_bands`` may be passed in when already computed; otherwise
    they are derived here (the likelihood band is needed only for pregnancy).
    """
    kb = kb or load_knowledge()
    if lab_bands is None:
        from bot.labs import lab_bands as compute_lab_bands

        lab_bands = compute_lab_bands(findings)
    if band is None:
        from bot.scoring import score

        band = score(findings, kb).band
    ctx = Context(findings=findings, kb=kb, lab_bands=lab_bands, band=band)
    matched = [rule for rule in kb.triage.rules if evaluate(rule.when, ctx)]
    level = "self_care"
    for rule in matched:
        if LEVELS.index(rule.level) > LEVELS.index(level):
            level = rule.level
    description = kb.triage.levels[level]
    reasons: list[str] = []
    if level in ("emergency", "urgent"):
        reasons += [
            hit.message for hit in red_flags(findings) if _rank(hit.urgency) >= _rank(level)
        ]
    reasons += [rule.reason for rule in matched if rule.level == level]
    also = [rule.reason for rule in matched if rule.level != level]
    if not matched:
        reasons.append(
            "You have not reported any symptoms, risk factors or blood results that point to "
            "a B12 problem."
        )
    crisis = tuple(line.text for line in kb.triage.crisis_lines if evaluate(line.when, ctx))
    advice = description.advice
    if crisis:
        advice = f"{advice} {' '.join(crisis)}"
    return Triage(
        level=level,
        title=description.title,
        advice=advice,
        reasons=tuple(dict.fromkeys(reasons)),
        rule_ids=tuple(rule.id for rule in matched if rule.level == level),
        also=tuple(dict.fromkeys(also)),
        crisis_lines=crisis,
    )


def _rank(level: str) -> int:
    return LEVELS.index(level)
