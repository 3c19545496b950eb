"""What the assistant knows about one person, and what one message said.

Two shapes live here because every other part of the project meets at them:
the language understanding turns text into an :class:`Extraction` (a list of
:class:`Mention` plus demographic values), and :meth:`Findings.update` folds it
into the person's :class:`Findings`, which scoring, triage and advice read.

"Don't know" is a real answer: :attr:`Status.UNKNOWN` is kept apart from
:attr:`Status.ABSENT` everywhere, because treating uncertainty as "no" is how a
symptom checker ends up telling someone they are fine when they are not.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any


class Status(str, Enum):
    """Whether a finding applies to the person now."""

    PRESENT = "present"
    ABSENT = "absent"
    UNKNOWN = "unknown"


SEXES = ("female", "male")


@dataclass(frozen=True)
class FindingState:
    """The person's answer about one finding of the knowledge base.

    ``past`` marks something true only in the past ("I used to be vegan",
    "stopped metformin years ago"): it is recorded so the doctor sees it, but it
    is not a current exposure, so its status is ABSENT.
    """

    status: Status
    past: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {"status": self.status.value, "past": self.past}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> FindingState:
        return cls(status=Status(data["status"]), past=bool(data.get("past", False)))


@dataclass(frozen=True)
class LabResult:
    """A blood test result already converted to the canonical unit of its analyte.

    ``analyte`` is a lab id of the knowledge base (e.g. ``b12_total``,
    ``b12_active``, ``folate``, ``mcv``, ``hb``, ``mma``, ``homocysteine``).
    ``original`` keeps what the person wrote ("150 pmol/L") for the summary.
    """

    analyte: str
    value: float
    unit: str
    original: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {
            "analyte": self.analyte,
            "value": self.value,
            "unit": self.unit,
            "original": self.original,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> LabResult:
        return cls(
            analyte=str(data["analyte"]),
            value=float(data["value"]),
            unit=str(data["unit"]),
            original=str(data.get("original", "")),
        )


@dataclass(frozen=True)
class Mention:
    """One finding named in one message, with its context.

    ``status`` is the verdict for the person: PRESENT, ABSENT (negated, or only
    in the past) or UNKNOWN (hypothetical or uncertain). ``family`` means the
    words were about a relative ("my mum has pernicious anaemia"); such a
    mention never becomes the person's own finding.
    """

    id: str
    status: Status = Status.PRESENT
    family: bool = False
    past: bool = False
    hypothetical: bool = False
    uncertain: bool = False
    negated: bool = False
    text: str = ""
    start: int = 0
    end: int = 0

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "status": self.status.value,
            "family": self.family,
            "past": self.past,
            "hypothetical": self.hypothetical,
            "uncertain": self.uncertain,
            "negated": self.negated,
            "text": self.text,
            "start": self.start,
            "end": self.end,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Mention:
        return cls(
            id=str(data["id"]),
            status=Status(data.get("status", "present")),
            family=bool(data.get("family", False)),
            past=bool(data.get("past", False)),
            hypothetical=bool(data.get("hypothetical", False)),
            uncertain=bool(data.get("uncertain", False)),
            negated=bool(data.get("negated", False)),
            text=str(data.get("text", "")),
            start=int(data.get("start", 0)),
            end=int(data.get("end", 0)),
        )


@dataclass
class Extraction:
    """Everything the language understanding found in one message.

    Fields left as ``None`` were not mentioned; they never overwrite what the
    person said before. ``age_hint`` is a weak guess (e.g. "retired") used only
    to phrase the age question, never as the age itself.
    """

    mentions: list[Mention] = field(default_factory=list)
    age: int | None = None
    age_hint: str | None = None
    sex: str | None = None
    pregnant: Status | None = None
    pregnancy_weeks: int | None = None
    breastfeeding: Status | None = None
    duration_days: int | None = None
    labs: list[LabResult] = field(default_factory=list)
    lab_errors: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {
            "mentions": [m.to_dict() for m in self.mentions],
            "age": self.age,
            "age_hint": self.age_hint,
            "sex": self.sex,
            "pregnant": self.pregnant.value if self.pregnant else None,
            "pregnancy_weeks": self.pregnancy_weeks,
            "breastfeeding": self.breastfeeding.value if self.breastfeeding else None,
            "duration_days": self.duration_days,
            "labs": [lab.to_dict() for lab in self.labs],
            "lab_errors": list(self.lab_errors),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Extraction:
        return cls(
            mentions=[Mention.from_dict(m) for m in data.get("mentions", [])],
            age=data.get("age"),
            age_hint=data.get("age_hint"),
            sex=data.get("sex"),
            pregnant=Status(data["pregnant"]) if data.get("pregnant") else None,
            pregnancy_weeks=data.get("pregnancy_weeks"),
            breastfeeding=Status(data["breastfeeding"]) if data.get("breastfeeding") else None,
            duration_days=data.get("duration_days"),
            labs=[LabResult.from_dict(lab) for lab in data.get("labs", [])],
            lab_errors=list(data.get("lab_errors", [])),
        )


def _merge_state(old: FindingState | None, new: FindingState) -> FindingState:
    """A later definite answer replaces an earlier one (that is how corrections
    work); a later "not sure" never erases something the person already told us."""
    if new.status is Status.UNKNOWN and old is not None:
        return old
    return new


@dataclass(frozen=True)
class Findings:
    """The person's findings: own items, relatives' items, demographics and labs.

    ``items`` and ``family`` are keyed by knowledge-base finding ids. Anything not
    in ``items`` is unknown. Instances are immutable; every change returns a new
    object so a conversation's history can be replayed exactly.
    """

    items: dict[str, FindingState] = field(default_factory=dict)
    family: dict[str, FindingState] = field(default_factory=dict)
    age: int | None = None
    sex: str | None = None
    pregnant: Status = Status.UNKNOWN
    pregnancy_weeks: int | None = None
    breastfeeding: Status = Status.UNKNOWN
    black_ethnicity: Status = Status.UNKNOWN
    duration_days: int | None = None
    labs: dict[str, LabResult] = field(default_factory=dict)
    # Question ids already put to the person (see bot.questions): an "unsure" answer
    # leaves a value UNKNOWN, and this keeps the same question from being asked again.
    asked: frozenset[str] = frozenset()
    # Grouped red-flag screens (questions.yml screen_groups) the person answered "yes" to.
    # Kept apart from the members' answers: "yes" to the checklist followed by "no" or
    # "not sure" to each item still means the person has something on it.
    positive_screens: frozenset[str] = frozenset()

    def status(self, finding_id: str) -> Status:
        state = self.items.get(finding_id)
        return state.status if state else Status.UNKNOWN

    def family_status(self, finding_id: str) -> Status:
        state = self.family.get(finding_id)
        return state.status if state else Status.UNKNOWN

    def present_ids(self) -> set[str]:
        return {k for k, v in self.items.items() if v.status is Status.PRESENT}

    def with_item(self, finding_id: str, status: Status, past: bool = False) -> Findings:
        """Record a direct answer to a question (e.g. a button press)."""
        items = dict(self.items)
        items[finding_id] = _merge_state(items.get(finding_id), FindingState(status, past))
        return replace(self, items=items)

    def with_family(self, finding_id: str, status: Status) -> Findings:
        family = dict(self.family)
        family[finding_id] = _merge_state(family.get(finding_id), FindingState(status))
        return replace(self, family=family)

    def with_lab(self, lab: LabResult) -> Findings:
        labs = dict(self.labs)
        labs[lab.analyte] = lab
        return replace(self, labs=labs)

    def update(self, extraction: Extraction) -> Findings:
        """Fold one message's extraction into the findings.

        Mentions about a relative go to ``family`` only. A past-only mention is
        recorded as ABSENT with ``past=True``. Hypothetical or uncertain mentions
        are UNKNOWN and so change nothing already known.
        """
        items = dict(self.items)
        family = dict(self.family)
        for m in extraction.mentions:
            if m.family:
                status = Status.ABSENT if m.negated else m.status
                if m.hypothetical or m.uncertain:
                    status = Status.UNKNOWN
                family[m.id] = _merge_state(family.get(m.id), FindingState(status))
                continue
            if m.hypothetical or m.uncertain:
                state = FindingState(Status.UNKNOWN)
            elif m.negated:
                state = FindingState(Status.ABSENT)
            elif m.past:
                state = FindingState(Status.ABSENT, past=True)
            else:
                state = FindingState(m.status)
            items[m.id] = _merge_state(items.get(m.id), state)
        labs = dict(self.labs)
        for lab in extraction.labs:
            labs[lab.analyte] = lab
        return replace(
            self,
            items=items,
            family=family,
            labs=labs,
            age=extraction.age if extraction.age is not None else self.age,
            sex=extraction.sex or self.sex,
            pregnant=extraction.pregnant if extraction.pregnant is not None else self.pregnant,
            pregnancy_weeks=(
                extraction.pregnancy_weeks
                if extraction.pregnancy_weeks is not None
                else self.pregnancy_weeks
            ),
            breastfeeding=(
                extraction.breastfeeding
                if extraction.breastfeeding is not None
                else self.breastfeeding
            ),
            duration_days=(
                extraction.duration_days
                if extraction.duration_days is not None
                else self.duration_days
            ),
        )

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form; also what a Rasa slot stores between turns."""
        return {
            "items": {k: v.to_dict() for k, v in sorted(self.items.items())},
            "family": {k: v.to_dict() for k, v in sorted(self.family.items())},
            "age": self.age,
            "sex": self.sex,
            "pregnant": self.pregnant.value,
            "pregnancy_weeks": self.pregnancy_weeks,
            "breastfeeding": self.breastfeeding.value,
            "black_ethnicity": self.black_ethnicity.value,
            "duration_days": self.duration_days,
            "labs": {k: v.to_dict() for k, v in sorted(self.labs.items())},
            **({"asked": sorted(self.asked)} if self.asked else {}),
            **(
                {"positive_screens": sorted(self.positive_screens)} if self.positive_screens else {}
            ),
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any] | None) -> Findings:
        """Inverse of :meth:`to_dict`; ``None`` or ``{}`` gives empty findings.

        Raises ``ValueError`` (or ``KeyError``) on malformed input so callers can
        reject a bad request with a clear message instead of guessing.
        """
        if not data:
            return cls()
        if not isinstance(data, dict):
            raise ValueError("findings must be a JSON object")
        sex = data.get("sex")
        if sex is not None and sex not in SEXES:
            raise ValueError(f"sex must be one of {SEXES}, got {sex!r}")
        age = data.get("age")
        if age is not None:
            age = int(age)
            if not 0 <= age <= 120:
                raise ValueError(f"age must be between 0 and 120, got {age}")
        return cls(
            items={str(k): FindingState.from_dict(v) for k, v in (data.get("items") or {}).items()},
            family={
                str(k): FindingState.from_dict(v) for k, v in (data.get("family") or {}).items()
            },
            age=age,
            sex=sex,
            pregnant=Status(data.get("pregnant") or "unknown"),
            pregnancy_weeks=data.get("pregnancy_weeks"),
            breastfeeding=Status(data.get("breastfeeding") or "unknown"),
            black_ethnicity=Status(data.get("black_ethnicity") or "unknown"),
            duration_days=data.get("duration_days"),
            labs={str(k): LabResult.from_dict(v) for k, v in (data.get("labs") or {}).items()},
            asked=frozenset(str(q) for q in (data.get("asked") or [])),
            positive_screens=frozenset(str(g) for g in (data.get("positive_screens") or [])),
        )
