"""Evaluate the small condition language used by triage, test and lab rules.

Rules are data so that clinicians can review them next to their sources; this
module is the only code that gives them meaning, and it is deliberately tiny:
every key is a plain question about the findings ("is any of these present?").
The loader checks every condition against the knowledge base at start-up.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.findings import Findings, Status
from bot.knowledge.schema import TRIAGE_LEVELS, KnowledgeBase

BAND_ORDER = ("low", "moderate", "high")


@dataclass(frozen=True)
class Context:
    """What a condition may look at. ``band`` and ``triage_level`` are filled in by
    callers that have computed them (advice rules look at triage, triage at the band)."""

    findings: Findings
    kb: KnowledgeBase
    lab_bands: Mapping[str, str] = field(default_factory=dict)
    band: str | None = None
    triage_level: str | None = None


def present_of_kind(ctx: Context, kind: str) -> list[str]:
    return [
        fid
        for fid in sorted(ctx.findings.present_ids())
        if fid in ctx.kb.findings and ctx.kb.findings[fid].kind == kind
    ]


def risk_factor_ids(ctx: Context) -> list[str]:
    """Present NICE risk factors, including pregnancy, breastfeeding and family history."""
    out = [
        fid
        for fid in sorted(ctx.findings.present_ids())
        if fid in ctx.kb.findings and ctx.kb.findings[fid].counts_as_risk_factor
    ]
    if ctx.findings.pregnant is Status.PRESENT:
        out.append("pregnant")
    if ctx.findings.breastfeeding is Status.PRESENT:
        out.append("breastfeeding")
    for fid, state in sorted(ctx.findings.family.items()):
        definition = ctx.kb.findings.get(fid)
        if (
            state.status is Status.PRESENT
            and definition is not None
            and definition.family_relevant
            and definition.family_lr > 1.0
        ):
            out.append(f"family:{fid}")
    return out


def evaluate(cond: Mapping[str, Any], ctx: Context) -> bool:
    """True when every key of ``cond`` holds (a mapping is an implicit "all")."""
    return all(_holds(key, value, ctx) for key, value in cond.items())


def _holds(key: str, value: Any, ctx: Context) -> bool:
    f = ctx.findings
    if key == "all":
        return all(evaluate(sub, ctx) for sub in value)
    if key == "any":
        return any(evaluate(sub, ctx) for sub in value)
    if key == "not":
        return not evaluate(value, ctx)
    if key == "present_any":
        return any(f.status(fid) is Status.PRESENT for fid in value)
    if key == "family_present_any":
        return any(f.family_status(fid) is Status.PRESENT for fid in value)
    if key == "category_present":
        wanted = set(value if isinstance(value, list) else [value])
        return any(
            ctx.kb.findings[fid].category in wanted for fid in present_of_kind(ctx, "symptom")
        )
    if key == "kind_present":
        return bool(present_of_kind(ctx, value))
    if key == "risk_factor_present":
        return bool(risk_factor_ids(ctx)) is value
    if key == "red_flag":
        return any(
            ctx.kb.findings[fid].urgency == value for fid in present_of_kind(ctx, "red_flag")
        )
    if key == "pregnant":
        return (f.pregnant is Status.PRESENT) is value
    if key == "black_ethnicity":
        return (f.black_ethnicity is Status.PRESENT) is value
    if key == "sex_unknown":
        return (f.sex is None) is value
    if key == "lab_band":
        return any(
            ctx.lab_bands.get(analyte) in (bands if isinstance(bands, list) else [bands])
            for analyte, bands in value.items()
        )
    if key == "duration_max_days":
        return f.duration_days is not None and f.duration_days <= value
    if key == "age_below":
        return f.age is not None and f.age < value
    if key == "band_at_least":
        return ctx.band is not None and BAND_ORDER.index(ctx.band) >= BAND_ORDER.index(value)
    if key == "triage_at_least":
        return ctx.triage_level is not None and TRIAGE_LEVELS.index(
            ctx.triage_level
        ) >= TRIAGE_LEVELS.index(value)
    raise ValueError(f"unknown condition {key!r}")
