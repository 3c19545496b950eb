"""Typed, read-only records of the knowledge base.

The YAML files are the clinicians' interface; these records are the code's.
Keeping them frozen means a finding definition can be shared by every
conversation in the process without anyone mutating it by accident.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Union

KINDS = ("symptom", "risk_factor", "red_flag")
CATEGORIES = {
    "symptom": (
        "anaemia",
        "neurological",
        "cognitive",
        "psychological",
        "mouth",
        "gi",
        "skin",
        "other",
    ),
    "risk_factor": (
        "diet",
        "medicine",
        "recreational",
        "surgery",
        "condition",
        "autoimmune",
        "treatment",
        "other",
    ),
    "red_flag": ("emergency", "urgent"),
}
URGENCIES = ("emergency", "urgent")
TRIAGE_LEVELS = ("self_care", "routine", "urgent", "emergency")

Condition = dict[str, Any]


@dataclass(frozen=True)
class AgeRate:
    """The share of "yes" answers expected from people aged ``min_age``-``max_age``.

    A rate of 0 means the question does not apply at that age (it is never worth asking).
    """

    min_age: int
    max_age: int
    rate: float


@dataclass(frozen=True)
class FindingDef:
    """One thing the assistant can ask about or recognise in text."""

    id: str
    kind: str
    category: str
    label: str
    question: str
    phrases: tuple[str, ...]
    lr: float
    source: str
    judgement: bool = False
    lr_absent: float = 1.0
    cap_group: str | None = None
    family_relevant: bool = False
    family_lr: float = 1.0
    prior: float | None = None
    generic: tuple[str, ...] = ()
    brands: tuple[str, ...] = ()
    urgency: str | None = None
    message: str | None = None
    screen_when: tuple[str, ...] = ()
    # How often people using the checker would answer "yes" (None: the kind's default in
    # questions.yml). It weighs the expected value of asking, so rare items come last.
    ask_rate: float | None = None
    ask_rate_source: str | None = None
    # The same by age band, for findings whose "yes" rate depends strongly on age (metformin
    # after 50, nitrous oxide before 30). Ages outside every band use ``ask_rate``.
    ask_rate_by_age: tuple[AgeRate, ...] = ()
    ask_rate_by_age_source: str | None = None
    # The question and red-flag message worded for someone checked on another's behalf,
    # with person placeholders ({person}, {their}, ...; bot/person_words.py). The loader
    # requires them, so the dialogue never falls back to "you" about someone else.
    question_other: str = ""
    message_other: str | None = None

    def ask_rate_for(self, age: int | None) -> float | None:
        """The "yes" rate for a person of this age (``ask_rate`` when the age is unknown)."""
        if age is not None:
            for band in self.ask_rate_by_age:
                if band.min_age <= age <= band.max_age:
                    return band.rate
        return self.ask_rate

    @property
    def all_phrases(self) -> list[str]:
        """Lay phrases plus generic and brand names, without repeats, in file order."""
        seen: dict[str, None] = {}
        for phrase in (*self.phrases, *self.generic, *self.brands):
            seen.setdefault(phrase, None)
        return list(seen)

    @property
    def counts_as_risk_factor(self) -> bool:
        """A risk factor in NICE's sense: it raises the chance (pescatarian, the pill,
        supplements and kidney disease are recorded but raise nothing)."""
        return self.kind == "risk_factor" and (self.lr > 1.0 or self.prior is not None)


@dataclass(frozen=True)
class AgePrior:
    min_age: int
    max_age: int
    probability: float
    source: str
    judgement: bool = False


@dataclass(frozen=True)
class Weighted:
    """A named likelihood ratio with its evidence (demographic factors)."""

    label: str
    lr: float
    source: str
    judgement: bool = False


@dataclass(frozen=True)
class CapGroup:
    id: str
    label: str
    max_log_odds: float
    source: str
    judgement: bool = False


@dataclass(frozen=True)
class Band:
    name: str
    min_probability: float
    label: str
    source: str
    judgement: bool = False


@dataclass(frozen=True)
class ScoringConfig:
    reference_prior: float
    reference_source: str
    age_priors: tuple[AgePrior, ...]
    age_cap_group: str | None
    family_cap_group: str | None
    demographic_factors: dict[str, Weighted]
    cap_groups: dict[str, CapGroup]
    bands: tuple[Band, ...]

    def band_for(self, probability: float) -> Band:
        chosen = self.bands[0]
        for band in self.bands:
            if probability >= band.min_probability:
                chosen = band
        return chosen


Threshold = Union[float, dict[str, float]]


@dataclass(frozen=True)
class LROverride:
    when: Condition
    lr: float
    reason: str


@dataclass(frozen=True)
class LabBand:
    name: str
    lr: float
    message: str
    source: str
    judgement: bool = False
    max: Threshold | None = None
    max_inclusive: bool = False
    lr_overrides: tuple[LROverride, ...] = ()


@dataclass(frozen=True)
class Caution:
    when: Condition
    text: str


@dataclass(frozen=True)
class AnalyteDef:
    id: str
    label: str
    canonical_unit: str
    units: dict[str, float]
    unitless: dict[str, Any]
    plausible_min: float
    plausible_max: float
    bands: tuple[LabBand, ...]
    source: str
    names: tuple[str, ...] = ()
    unit_names: tuple[str, ...] = ()
    cap_group: str | None = None
    cautions: tuple[Caution, ...] = ()


@dataclass(frozen=True)
class TriageLevel:
    """A level of urgency and what to do; ``*_other`` are said to someone helping another."""

    id: str
    rank: int
    title: str
    advice: str
    title_other: str = ""
    advice_other: str = ""


@dataclass(frozen=True)
class TriageRule:
    id: str
    level: str
    when: Condition
    reason: str
    source: str
    # The reason when the check is for someone else: its own wording where ``reason``
    # speaks to "you", otherwise the same text (the loader fills it in).
    reason_other: str = ""


@dataclass(frozen=True)
class CrisisLine:
    when: Condition
    text: str
    source: str
    # For someone helping another: stay with them, and the lines are for both of them.
    text_other: str = ""


@dataclass(frozen=True)
class TriageConfig:
    levels: dict[str, TriageLevel]
    rules: tuple[TriageRule, ...]
    crisis_lines: tuple[CrisisLine, ...] = ()


@dataclass(frozen=True)
class TestRule:
    id: str
    name: str
    reason: str
    when: Condition
    source: str
    # Worded for someone else where ``name`` / ``reason`` speak to the person checked,
    # otherwise the same text (the loader fills them in).
    name_other: str = ""
    reason_other: str = ""


@dataclass(frozen=True)
class ScreenGroup:
    """Red flags asked together as one "any of these?" question.

    A "no" settles every member at once; a "yes" is followed by the members one
    by one, so the person gets the message for the flag they actually have. Until
    one is confirmed, the "yes" itself counts as a red flag of the group's urgency.
    """

    id: str
    question: str
    urgency: str
    members: tuple[str, ...]
    # Said to the person when they answered "yes" and no member is confirmed (yet): the
    # "yes" alone is enough to act on, whatever they answer about each item afterwards.
    label: str = ""
    message: str = ""
    # The question and message worded for someone checked on another's behalf.
    question_other: str = ""
    message_other: str = ""


# eq=False: a knowledge base is compared (and hashed) by identity, so caches of values
# derived from it (functools.lru_cache) can be keyed on the knowledge base itself.
@dataclass(frozen=True, eq=False)
class KnowledgeBase:
    """The validated knowledge base: findings, scoring numbers, labs, triage and tests."""

    version: str
    findings: dict[str, FindingDef]
    scoring: ScoringConfig
    labs: dict[str, AnalyteDef]
    triage: TriageConfig
    tests: tuple[TestRule, ...]
    questions: dict[str, Any] = field(default_factory=dict)

    def get(self, finding_id: str) -> FindingDef:
        """The finding with this id; ``KeyError`` names the id when it is unknown."""
        try:
            return self.findings[finding_id]
        except KeyError:
            raise KeyError(f"unknown finding id {finding_id!r}") from None

    def by_kind(self, kind: str) -> list[FindingDef]:
        return [f for f in self.findings.values() if f.kind == kind]

    def lexicon(self) -> dict[str, list[str]]:
        """id -> every lay phrase, generic and brand name (what the NLU matches)."""
        return {fid: f.all_phrases for fid, f in self.findings.items()}

    def analyte(self, analyte_id: str) -> AnalyteDef:
        try:
            return self.labs[analyte_id]
        except KeyError:
            raise KeyError(f"unknown lab analyte {analyte_id!r}") from None
