"""Bayesian likelihood of B12 deficiency, with every contribution explained.

The estimate starts from a prior for the person's age (or, for a vegan or
vegetarian diet, a higher diet prior that REPLACES the age prior, because the
studies measured deficiency in those diet groups directly). Each present
finding then multiplies the odds by its likelihood ratio. Linked factors are
summed within their cap group and the sum is capped, so that, say, five nerve
symptoms or old age plus an acid-reducing medicine are not counted as if they
were independent evidence. Unknown findings contribute nothing: "I don't know"
must never move the estimate in either direction.

Everything is expressed in natural-log odds so contributions add up and can be
shown one by one ("why?"), like Infermedica's /explain.
"""

from __future__ import annotations

import math
from collections import defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from bot.findings import Findings, Status
from bot.knowledge import load_knowledge
from bot.knowledge.schema import KnowledgeBase
from bot.labs import interpret

# Shown probabilities stay inside this range: a checker has no business claiming certainty.
PROBABILITY_FLOOR = 0.001
PROBABILITY_CEILING = 0.999


def logit(p: float) -> float:
    return math.log(p / (1.0 - p))


def sigmoid(x: float) -> float:
    if x >= 0:
        return 1.0 / (1.0 + math.exp(-x))
    z = math.exp(x)
    return z / (1.0 + z)


def probability_of(log_odds: float) -> float:
    """The shown probability for a total log-odds (kept off 0 and 1)."""
    return min(max(sigmoid(log_odds), PROBABILITY_FLOOR), PROBABILITY_CEILING)


@dataclass(frozen=True)
class Factor:
    """One contribution to the estimate, in log-odds after caps."""

    id: str
    label: str
    log_odds: float
    source: str
    judgement: bool = False
    group: str | None = None
    raw_log_odds: float = 0.0
    note: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "label": self.label,
            "log_odds": round(self.log_odds, 4),
            "raw_log_odds": round(self.raw_log_odds, 4),
            "source": self.source,
            "judgement": self.judgement,
            "cap_group": self.group,
            "note": self.note,
        }


@dataclass(frozen=True)
class Score:
    """The estimate: probability, band and the factors that built it."""

    probability: float
    band: str
    band_label: str
    prior: float
    prior_basis: str
    log_odds: float
    supporting: tuple[Factor, ...] = ()
    against: tuple[Factor, ...] = ()
    unknown: tuple[Factor, ...] = ()
    capped_groups: tuple[str, ...] = field(default=())

    def factors_dict(self) -> dict[str, list[dict[str, Any]]]:
        return {
            "supporting": [f.to_dict() for f in self.supporting],
            "against": [f.to_dict() for f in self.against],
            "unknown": [f.to_dict() for f in self.unknown],
        }


@dataclass
class _Term:
    id: str
    label: str
    raw: float
    source: str
    judgement: bool
    group: str | None
    note: str = ""


def age_prior(kb: KnowledgeBase, age: int | None) -> tuple[float, str]:
    """Prior probability for this age, and the source behind it."""
    if age is None:
        return kb.scoring.reference_prior, kb.scoring.reference_source
    for band in kb.scoring.age_priors:
        if band.min_age <= age <= band.max_age:
            return band.probability, band.source
    return kb.scoring.age_priors[-1].probability, kb.scoring.age_priors[-1].source


def _terms(findings: Findings, kb: KnowledgeBase) -> tuple[list[_Term], float, str]:
    """Every non-zero contribution before caps, plus the starting prior and its basis."""
    scoring = kb.scoring
    reference = scoring.reference_prior
    terms: list[_Term] = []

    p_age, age_source = age_prior(kb, findings.age)
    diet = [
        kb.findings[fid]
        for fid in sorted(findings.present_ids())
        if fid in kb.findings and kb.findings[fid].prior is not None
    ]
    best_diet = max(diet, key=lambda d: d.prior or 0.0, default=None)
    start, basis = p_age, "age" if findings.age is not None else "reference"
    if best_diet is not None and (best_diet.prior or 0.0) > p_age:
        start, basis = best_diet.prior or 0.0, best_diet.id
        terms.append(
            _Term(
                best_diet.id,
                f"{best_diet.label} (starting estimate {start:.0%}, in place of the age figure)",
                logit(start) - logit(reference),
                best_diet.source,
                best_diet.judgement,
                None,
                note="diet prior replaces the age prior",
            )
        )
    elif findings.age is not None and p_age != reference:
        terms.append(
            _Term(
                "age",
                f"Age {findings.age} (starting estimate {p_age:.0%})",
                logit(p_age) - logit(reference),
                age_source,
                False,
                scoring.age_cap_group,
            )
        )

    for fid, state in sorted(findings.items.items()):
        definition = kb.findings.get(fid)
        if definition is None or definition.kind == "red_flag" or definition.prior is not None:
            continue
        if state.status is Status.PRESENT and definition.lr != 1.0:
            terms.append(
                _Term(
                    fid,
                    definition.label,
                    math.log(definition.lr),
                    definition.source,
                    definition.judgement,
                    definition.cap_group,
                )
            )
        elif state.status is Status.ABSENT and definition.lr_absent != 1.0:
            terms.append(
                _Term(
                    fid,
                    f"No {definition.label[0].lower()}{definition.label[1:]}",
                    math.log(definition.lr_absent),
                    definition.source,
                    definition.judgement,
                    definition.cap_group,
                )
            )

    for fid, state in sorted(findings.family.items()):
        definition = kb.findings.get(fid)
        if (
            definition is None
            or not definition.family_relevant
            or state.status is not Status.PRESENT
            or definition.family_lr == 1.0
        ):
            continue
        terms.append(
            _Term(
                f"family:{fid}",
                f"Close relative with {definition.label[0].lower()}{definition.label[1:]}",
                math.log(definition.family_lr),
                definition.source,
                definition.judgement,
                scoring.family_cap_group,
            )
        )

    for key, status in (("pregnant", findings.pregnant), ("breastfeeding", findings.breastfeeding)):
        factor = scoring.demographic_factors.get(key)
        if factor is not None and status is Status.PRESENT and factor.lr != 1.0:
            terms.append(
                _Term(key, factor.label, math.log(factor.lr), factor.source, factor.judgement, None)
            )

    if findings.labs:
        for analyte_id, lab in sorted(findings.labs.items()):
            if analyte_id not in kb.labs:
                continue
            reading = interpret(lab, findings)
            if reading.lr == 1.0 and not reading.notes:
                continue
            analyte = kb.labs[analyte_id]
            terms.append(
                _Term(
                    f"lab:{analyte_id}",
                    f"{analyte.label}: {reading.band.replace('_', ' ')}",
                    math.log(reading.lr),
                    reading.source,
                    True,
                    analyte.cap_group,
                    note=" ".join(reading.notes),
                )
            )
    return terms, reference, basis


def _apply_caps(
    terms: list[_Term], kb: KnowledgeBase
) -> tuple[list[tuple[_Term, float]], list[str]]:
    """Scale each group's positive and negative sums down to the group cap."""
    by_group: dict[str | None, list[_Term]] = defaultdict(list)
    for term in terms:
        by_group[term.group].append(term)
    out: list[tuple[_Term, float]] = []
    capped: list[str] = []
    for group, members in by_group.items():
        if group is None:
            out.extend((t, t.raw) for t in members)
            continue
        cap = kb.scoring.cap_groups[group].max_log_odds
        for sign in (1, -1):
            side = [t for t in members if (t.raw > 0) == (sign > 0) and t.raw != 0]
            total = sum(t.raw for t in side)
            if abs(total) > cap:
                scale = cap / abs(total)
                capped.append(group)
                out.extend((t, t.raw * scale) for t in side)
            else:
                out.extend((t, t.raw) for t in side)
    return out, sorted(set(capped))


def _unknowns(findings: Findings, kb: KnowledgeBase) -> list[_Term]:
    """Findings not answered yet that would move the estimate, with what a "yes" would add."""
    out = []
    diet_known = any(
        findings.status(f.id) is not Status.UNKNOWN for f in kb.findings.values() if f.prior
    )
    for definition in kb.findings.values():
        if definition.kind == "red_flag" or findings.status(definition.id) is not Status.UNKNOWN:
            continue
        if definition.prior is not None:
            if diet_known:
                continue
            p_age, _ = age_prior(kb, findings.age)
            if definition.prior <= p_age:
                continue
            raw = logit(definition.prior) - logit(p_age)
        elif definition.lr == 1.0:
            continue
        else:
            raw = math.log(definition.lr)
        out.append(
            _Term(
                definition.id,
                definition.label,
                raw,
                definition.source,
                definition.judgement,
                definition.cap_group,
            )
        )
    out.sort(key=lambda t: -abs(t.raw))
    return out


def score(findings: Findings, kb: KnowledgeBase | None = None, *, explain: bool = True) -> Score:
    """The likelihood of B12 deficiency for these findings (pure; no side effects).

    ``explain=False`` skips the list of still-unknown findings, which question
    ranking does not need and which dominates the cost when simulating answers.
    """
    kb = kb or load_knowledge()
    terms, reference, basis = _terms(findings, kb)
    capped_terms, capped_groups = _apply_caps(terms, kb)
    total = logit(reference) + sum(value for _, value in capped_terms)
    probability = probability_of(total)
    band = kb.scoring.band_for(probability)

    def factor(term: _Term, value: float) -> Factor:
        note = term.note
        if term.group in capped_groups and abs(value - term.raw) > 1e-9:
            label = kb.scoring.cap_groups[term.group].label
            extra = f"counted together with other {label} (capped)"
            note = f"{note}; {extra}" if note else extra
        return Factor(
            term.id, term.label, value, term.source, term.judgement, term.group, term.raw, note
        )

    supporting = sorted((factor(t, v) for t, v in capped_terms if v > 0), key=lambda f: -f.log_odds)
    against = sorted((factor(t, v) for t, v in capped_terms if v < 0), key=lambda f: f.log_odds)
    unknown = (
        tuple(
            Factor(t.id, t.label, t.raw, t.source, t.judgement, t.group, t.raw)
            for t in _unknowns(findings, kb)
        )
        if explain
        else ()
    )
    start = (
        reference
        if basis == "reference"
        else sigmoid(logit(reference) + sum(t.raw for t in terms if t.id == "age" or t.id == basis))
    )
    return Score(
        probability=probability,
        band=band.name,
        band_label=band.label,
        prior=start,
        prior_basis=basis,
        log_odds=total,
        supporting=tuple(supporting),
        against=tuple(against),
        unknown=unknown,
        capped_groups=tuple(capped_groups),
    )


@dataclass(frozen=True)
class Ledger:
    """The estimate's log-odds with each cap group's sums kept apart.

    Question ranking asks "what if the answer were yes?" for every unanswered
    finding on every turn. With the sums per group at hand, one more answer is
    a few additions and a cap (:meth:`plus`) instead of a full :func:`score`,
    and gives the same number (a test checks this against :func:`score`).
    """

    log_odds: float
    sides: Mapping[str, tuple[float, float]]  # group -> (positive sum, negative sum), uncapped
    caps: Mapping[str, float]

    def plus(self, raw: float, group: str | None) -> float:
        """The total log-odds after one more term of ``raw`` in ``group``."""
        if raw == 0.0:
            return self.log_odds
        if group is None:
            return self.log_odds + raw
        cap = self.caps[group]
        positive, negative = self.sides.get(group, (0.0, 0.0))
        before = min(positive, cap) + max(negative, -cap)
        if raw > 0:
            positive += raw
        else:
            negative += raw
        return self.log_odds - before + min(positive, cap) + max(negative, -cap)


def ledger(findings: Findings, kb: KnowledgeBase | None = None) -> Ledger:
    """The :class:`Ledger` of these findings (same terms and caps as :func:`score`)."""
    kb = kb or load_knowledge()
    terms, reference, _ = _terms(findings, kb)
    total = logit(reference)
    sides: dict[str, tuple[float, float]] = {}
    for term in terms:
        if term.group is None:
            total += term.raw
            continue
        positive, negative = sides.get(term.group, (0.0, 0.0))
        if term.raw > 0:
            positive += term.raw
        else:
            negative += term.raw
        sides[term.group] = (positive, negative)
    caps = {gid: group.max_log_odds for gid, group in kb.scoring.cap_groups.items()}
    for group, (positive, negative) in sides.items():
        cap = caps[group]
        total += min(positive, cap) + max(negative, -cap)
    return Ledger(total, sides, caps)
