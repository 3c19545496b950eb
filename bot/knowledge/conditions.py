"""Evaluate the small condition language used by triage, test and lab rules.

Rules are data so that clinicians can review them next to their sources; this
module is the only code that gives them meaning, and it is deliberately tiny:
every key is a plain question about the findings ("is any of these present?").
The loader checks every condition against the knowledge base at start-up.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from bot.findings import Findings, Status
from bot.knowledge.schema import TRIAGE_LEVELS, KnowledgeBase

BAND_ORDER = ("low", "moderate", "high")


@dataclass(frozen=True)
class Facts:
    """Everything a condition may read about the person, as ready-made sets.

    ``red_flag_urgencies`` also holds the urgency of a screen group the person
    said "yes" to when no member is confirmed (see :func:`unresolved_screens`).

    Built once per set of findings (not once per rule), and extended one finding
    at a time by :func:`with_present` when question ranking asks "what if the
    answer were yes?". Only PRESENT answers appear here: in this condition
    language "no" and "don't know" both leave a condition exactly as it was.
    """

    present: frozenset[str]
    family_present: frozenset[str] = frozenset()
    kinds: frozenset[str] = frozenset()
    symptom_categories: frozenset[str] = frozenset()
    red_flag_urgencies: frozenset[str] = frozenset()
    risk_factor: bool = False
    pregnant: bool = False
    black_ethnicity: bool = False
    sex_unknown: bool = True
    age: int | None = None
    duration_days: int | None = None


@dataclass(frozen=True)
class _Index:
    """Per-knowledge-base lookups that facts are derived from."""

    kind: dict[str, str]
    symptom_category: dict[str, str]
    urgency: dict[str, str]
    risk_factors: frozenset[str]
    family_risk: frozenset[str]
    screens: dict[str, tuple[str, frozenset[str]]]  # screen group id -> (urgency, members)


@lru_cache(maxsize=8)
def _index(kb: KnowledgeBase) -> _Index:
    findings = kb.findings.values()
    return _Index(
        kind={f.id: f.kind for f in findings},
        symptom_category={f.id: f.category for f in findings if f.kind == "symptom"},
        urgency={f.id: f.urgency or "urgent" for f in findings if f.kind == "red_flag"},
        risk_factors=frozenset(f.id for f in findings if f.counts_as_risk_factor),
        family_risk=frozenset(f.id for f in findings if f.family_relevant and f.family_lr > 1.0),
        screens={
            g.id: (g.urgency, frozenset(g.members))
            for g in kb.questions.get("screen_groups", {}).values()
        },
    )


def unresolved_screens(findings: Findings, kb: KnowledgeBase) -> list[str]:
    """Screen groups answered "yes" where no member has been confirmed.

    Such a "yes" counts as a red flag of the group's urgency: the person said
    they have something on the list, and answering "no" or "not sure" to each
    item afterwards (confusion, or not wanting to say) does not undo that.
    Once a member is confirmed, that member's own red flag takes over.
    """
    screens = _index(kb).screens
    out = []
    for gid in sorted(findings.positive_screens):
        group = screens.get(gid)
        if group is not None and not any(
            findings.status(fid) is Status.PRESENT for fid in group[1]
        ):
            out.append(gid)
    return out


def facts_of(findings: Findings, kb: KnowledgeBase) -> Facts:
    """The facts of these findings (ids the knowledge base does not know are ignored)."""
    index = _index(kb)
    present = frozenset(
        fid
        for fid, state in findings.items.items()
        if state.status is Status.PRESENT and fid in index.kind
    )
    family = frozenset(
        fid for fid, state in findings.family.items() if state.status is Status.PRESENT
    )
    pregnant = findings.pregnant is Status.PRESENT
    urgencies = {index.urgency[fid] for fid in present if fid in index.urgency}
    if findings.positive_screens:
        urgencies.update(index.screens[gid][0] for gid in unresolved_screens(findings, kb))
    return Facts(
        present=present,
        family_present=family,
        kinds=frozenset(index.kind[fid] for fid in present),
        symptom_categories=frozenset(
            index.symptom_category[fid] for fid in present if fid in index.symptom_category
        ),
        red_flag_urgencies=frozenset(urgencies),
        risk_factor=bool(
            present & index.risk_factors
            or family & index.family_risk
            or pregnant
            or findings.breastfeeding is Status.PRESENT
        ),
        pregnant=pregnant,
        black_ethnicity=findings.black_ethnicity is Status.PRESENT,
        sex_unknown=findings.sex is None,
        age=findings.age,
        duration_days=findings.duration_days,
    )


def with_present(facts: Facts, finding_id: str, kb: KnowledgeBase) -> Facts:
    """The facts if the person answered "yes" to this finding (same as rebuilding them)."""
    index = _index(kb)
    if finding_id in facts.present or finding_id not in index.kind:
        return facts
    category = index.symptom_category.get(finding_id)
    urgency = index.urgency.get(finding_id)
    kind = index.kind[finding_id]
    return Facts(  # built directly: dataclasses.replace costs more than the rest of the call
        present=facts.present | {finding_id},
        family_present=facts.family_present,
        kinds=facts.kinds if kind in facts.kinds else facts.kinds | {kind},
        symptom_categories=(
            facts.symptom_categories | {category} if category else facts.symptom_categories
        ),
        red_flag_urgencies=(
            facts.red_flag_urgencies | {urgency} if urgency else facts.red_flag_urgencies
        ),
        risk_factor=facts.risk_factor or finding_id in index.risk_factors,
        pregnant=facts.pregnant,
        black_ethnicity=facts.black_ethnicity,
        sex_unknown=facts.sex_unknown,
        age=facts.age,
        duration_days=facts.duration_days,
    )


def with_family_present(facts: Facts, finding_id: str, kb: KnowledgeBase) -> Facts:
    """The facts if a close relative had this condition."""
    if finding_id in facts.family_present:
        return facts
    return replace(
        facts,
        family_present=facts.family_present | {finding_id},
        risk_factor=facts.risk_factor or finding_id in _index(kb).family_risk,
    )


@dataclass(frozen=True)
class Context:
    """What a condition may look at. ``band`` and ``triage_level`` are filled in by
    callers that have computed them (advice rules look at triage, triage at the band).
    ``facts`` is derived from ``findings`` unless given (question ranking passes the
    facts of a hypothetical answer instead of building new findings)."""

    findings: Findings
    kb: KnowledgeBase
    lab_bands: Mapping[str, str] = field(default_factory=dict)
    band: str | None = None
    triage_level: str | None = None
    facts: Facts | None = None

    def __post_init__(self) -> None:
        if self.facts is None:
            object.__setattr__(self, "facts", facts_of(self.findings, self.kb))


def evaluate(cond: Mapping[str, Any], ctx: Context) -> bool:
    """True when every key of ``cond`` holds (a mapping is an implicit "all")."""
    return all(_holds(key, value, ctx) for key, value in cond.items())


def _holds(key: str, value: Any, ctx: Context) -> bool:
    facts = ctx.facts if ctx.facts is not None else facts_of(ctx.findings, ctx.kb)
    if key == "all":
        return all(evaluate(sub, ctx) for sub in value)
    if key == "any":
        return any(evaluate(sub, ctx) for sub in value)
    if key == "not":
        return not evaluate(value, ctx)
    if key == "present_any":
        return not facts.present.isdisjoint(value)
    if key == "family_present_any":
        return not facts.family_present.isdisjoint(value)
    if key == "category_present":
        wanted = value if isinstance(value, list) else [value]
        return not facts.symptom_categories.isdisjoint(wanted)
    if key == "kind_present":
        return value in facts.kinds
    if key == "risk_factor_present":
        return facts.risk_factor is value
    if key == "red_flag":
        return value in facts.red_flag_urgencies
    if key == "pregnant":
        return facts.pregnant is value
    if key == "black_ethnicity":
        return facts.black_ethnicity is value
    if key == "sex_unknown":
        return facts.sex_unknown is value
    if key == "lab_band":
        return any(
            ctx.lab_bands.get(analyte) in (bands if isinstance(bands, list) else [bands])
            for analyte, bands in value.items()
        )
    if key == "duration_max_days":
        return facts.duration_days is not None and facts.duration_days <= value
    if key == "age_below":
        return facts.age is not None and facts.age < value
    if key == "band_at_least":
        return ctx.band is not None and BAND_ORDER.index(ctx.band) >= BAND_ORDER.index(value)
    if key == "triage_at_least":
        return ctx.triage_level is not None and TRIAGE_LEVELS.index(
            ctx.triage_level
        ) >= TRIAGE_LEVELS.index(value)
    raise ValueError(f"unknown condition {key!r}")


Predicate = Callable[[Facts, Mapping[str, str], "str | None", "str | None"], bool]


def compile_condition(cond: Mapping[str, Any]) -> Predicate:
    """The condition as a function of (facts, lab bands, band, triage level).

    Same meaning as :func:`evaluate`, decided once instead of on every call:
    question ranking triages dozens of hypothetical answers per turn, and
    walking the rule dictionaries each time was most of its cost.
    """
    checks = [_compile_key(key, value) for key, value in cond.items()]
    if len(checks) == 1:
        return checks[0]
    return lambda f, labs, band, level: all(check(f, labs, band, level) for check in checks)


def _compile_key(key: str, value: Any) -> Predicate:
    if key in ("all", "any"):
        subs = [compile_condition(sub) for sub in value]
        combine = all if key == "all" else any
        return lambda f, labs, band, level: combine(sub(f, labs, band, level) for sub in subs)
    if key == "not":
        inner = compile_condition(value)
        return lambda f, labs, band, level: not inner(f, labs, band, level)
    if key == "present_any":
        ids = frozenset(value)
        return lambda f, labs, band, level: not f.present.isdisjoint(ids)
    if key == "family_present_any":
        ids = frozenset(value)
        return lambda f, labs, band, level: not f.family_present.isdisjoint(ids)
    if key == "category_present":
        wanted = frozenset(value if isinstance(value, list) else [value])
        return lambda f, labs, band, level: not f.symptom_categories.isdisjoint(wanted)
    if key == "kind_present":
        return lambda f, labs, band, level: value in f.kinds
    if key == "risk_factor_present":
        return lambda f, labs, band, level: f.risk_factor is value
    if key == "red_flag":
        return lambda f, labs, band, level: value in f.red_flag_urgencies
    if key == "pregnant":
        return lambda f, labs, band, level: f.pregnant is value
    if key == "black_ethnicity":
        return lambda f, labs, band, level: f.black_ethnicity is value
    if key == "sex_unknown":
        return lambda f, labs, band, level: f.sex_unknown is value
    if key == "lab_band":
        wanted_bands = {
            analyte: frozenset(bands if isinstance(bands, list) else [bands])
            for analyte, bands in value.items()
        }
        return lambda f, labs, band, level: any(
            labs.get(analyte) in names for analyte, names in wanted_bands.items()
        )
    if key == "duration_max_days":
        return lambda f, labs, band, level: f.duration_days is not None and f.duration_days <= value
    if key == "age_below":
        return lambda f, labs, band, level: f.age is not None and f.age < value
    if key == "band_at_least":
        floor = BAND_ORDER.index(value)
        return lambda f, labs, band, level: band is not None and BAND_ORDER.index(band) >= floor
    if key == "triage_at_least":
        floor = TRIAGE_LEVELS.index(value)
        return lambda f, labs, band, level: (
            level is not None and TRIAGE_LEVELS.index(level) >= floor
        )
    raise ValueError(f"unknown condition {key!r}")
