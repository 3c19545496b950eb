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


SELF = "self"
PRONOUNS = ("he", "she", "they")


@dataclass(frozen=True)
class Subject:
    """Who the check is for: the writer, or someone they are writing about.

    ``relation`` is ``"self"``, a relation key of ``bot/knowledge/data/people.yml``
    ("father", "partner", ...) or a bare pronoun when the writer named no relation
    ("she can't walk"). ``pronoun`` is how to refer to them (he / she / they);
    ``blood`` says whether they are a blood relative of the writer, so the writer's
    family history is theirs too.
    """

    relation: str = SELF
    pronoun: str = "they"
    blood: bool = False

    @property
    def is_self(self) -> bool:
        return self.relation == SELF

    def owns(self, person: str) -> bool:
        """Whether words about ``person`` (as in :attr:`Mention.person`) are about the
        one being checked. Unmarked words are: that is how people answer questions."""
        if self.is_self:
            return person in ("", SELF)
        return person in ("", self.relation, self.pronoun)

    def family_history(self, person: str, blood_relative: bool) -> bool:
        """Whether words about ``person`` are the checked person's family history."""
        if person == "family":
            return True
        if self.is_self:
            return blood_relative
        # The writer's relatives are the checked person's only when they share a family.
        return blood_relative and self.blood and person not in (SELF, self.relation)

    def to_dict(self) -> dict[str, Any]:
        return {"relation": self.relation, "pronoun": self.pronoun, "blood": self.blood}

    @classmethod
    def from_dict(cls, data: Any) -> Subject | None:
        if not isinstance(data, dict) or not isinstance(data.get("relation"), str):
            return None
        pronoun = data.get("pronoun")
        return cls(
            relation=data["relation"] or SELF,
            pronoun=pronoun if pronoun in PRONOUNS else "they",
            blood=bool(data.get("blood", False)),
        )


MYSELF = Subject()


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
    words were about a blood relative ("my mum has pernicious anaemia").

    ``person`` says whose finding the words describe: ``""`` when the words do not
    say (the person the check is for), ``"self"`` when the writer says it of
    themselves ("I", "me"), otherwise who else: a relation from
    ``bot/knowledge/data/people.yml`` ("father", "partner", "child", ...), a pronoun
    ("he", "she", "they"), or ``"family"`` for the family as a whole ("runs in
    the family"). :meth:`Findings.update` decides from it, and from who the check
    is for, whether the mention is the checked person's, family history, or
    nobody's business here.
    """

    id: str
    status: Status = Status.PRESENT
    family: bool = False
    person: str = ""
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
            **({"person": self.person} if self.person else {}),
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
            person=str(data.get("person") or ""),
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
    # Who the message says the check is for, when it says so ("asking for my mum",
    # "my dad, 80, can't walk"): a relation or pronoun as in Mention.person, or "self"
    # ("it's for me"). None when the message does not say.
    subject: str | None = None
    # Whose age, sex, pregnancy and blood results the values below describe: keys "age",
    # "sex", "pregnant", "breastfeeding", "labs"; values as Mention.person. A missing key
    # is "".
    about: dict[str, str] = field(default_factory=dict)
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
            **({"subject": self.subject} if self.subject else {}),
            **({"about": dict(self.about)} if self.about else {}),
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
            subject=data.get("subject") or None,
            about={str(k): str(v) for k, v in (data.get("about") or {}).items()},
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


def _own_state(m: Mention) -> FindingState:
    """What a mention says of the person it is about."""
    if m.hypothetical or m.uncertain:
        return FindingState(Status.UNKNOWN)
    if m.negated:
        return FindingState(Status.ABSENT)
    if m.past:
        return FindingState(Status.ABSENT, past=True)
    return FindingState(m.status)


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
    # Screens asked for by the emergency net (bot.nlu.emergency_net): a message that read
    # like an emergency without naming one. Asked before anything else (bot.questions).
    requested_screens: frozenset[str] = frozenset()
    # Who the check is for; None until the conversation shows it (then the writer is
    # assumed for what they say of themselves, and nobody else's words are kept).
    subject: Subject | None = None
    # Until the subject is known: findings and ages said of someone other than the
    # writer ("he can't walk"), keyed by Mention.person. Never scored; they become the
    # checked person's if the writer says the check is for that person.
    others: dict[str, dict[str, FindingState]] = field(default_factory=dict)
    others_ages: dict[str, int] = field(default_factory=dict)

    def request_screen(self, group_id: str) -> Findings:
        """These findings with the screen ``group_id`` to be asked next. A screen already
        put to the person for another reason is asked once more (what they describe now
        may be new); one the net already asked for is not asked again."""
        if group_id in self.requested_screens:
            return self
        return replace(
            self,
            requested_screens=self.requested_screens | {group_id},
            asked=self.asked - {group_id},
        )

    @property
    def checked(self) -> Subject:
        """The person being checked (the writer until said otherwise)."""
        return self.subject or MYSELF

    def for_subject(self, subject: Subject) -> Findings:
        """These findings with ``subject`` as the person being checked: what was said of
        that person while it was unclear becomes theirs, the rest is let go."""
        items = dict(self.items) if subject.is_self else {}
        age = self.age if subject.is_self else None
        for person, states in self.others.items():
            if subject.owns(person):
                for fid, state in states.items():
                    items[fid] = _merge_state(items.get(fid), state)
                age = self.others_ages.get(person, age)
        if subject.is_self:
            return replace(self, subject=subject, others={}, others_ages={})
        # The writer's own words so far were about the writer, not the checked person.
        return replace(
            self, subject=subject, items=items, age=age, sex=None, pregnant=Status.UNKNOWN,
            pregnancy_weeks=None, breastfeeding=Status.UNKNOWN, others={}, others_ages={},
        )

    def someone_else_named(self) -> tuple[str, ...]:
        """Who else the writer described with a finding, while the subject is unknown."""
        if self.subject is not None:
            return ()
        return tuple(
            person for person, states in self.others.items()
            if any(s.status is Status.PRESENT for s in states.values())
        )

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

    def update(self, extraction: Extraction, subject: Subject | None = None) -> Findings:
        """Fold one message's extraction into the findings of the person being checked.

        ``subject`` (else the one already known) says who that is. Words about
        them become their findings; words about their blood relatives become
        family history; words about anyone else (the writer, when the check is
        for someone else; a partner's or a friend's symptoms) are not kept:
        storing another person's symptom as this person's would change the
        estimate for the wrong person. A past-only mention is recorded as ABSENT
        with ``past=True``. Hypothetical or uncertain mentions are UNKNOWN and so
        change nothing already known.
        """
        checked = subject or self.checked
        unsettled = (subject or self.subject) is None
        items = dict(self.items)
        family = dict(self.family)
        others = {person: dict(states) for person, states in self.others.items()}
        for m in extraction.mentions:
            relatives = m.family and m.person in ("", "family")
            if relatives or not checked.owns(m.person):
                if not (relatives or checked.family_history(m.person, m.family)):
                    if unsettled and m.person not in (SELF, "family"):
                        kept = others.setdefault(m.person, {})
                        kept[m.id] = _merge_state(kept.get(m.id), _own_state(m))
                    continue
                status = Status.ABSENT if m.negated else m.status
                if m.hypothetical or m.uncertain:
                    status = Status.UNKNOWN
                family[m.id] = _merge_state(family.get(m.id), FindingState(status))
                continue
            items[m.id] = _merge_state(items.get(m.id), _own_state(m))
        def theirs(value_name: str) -> bool:
            return checked.owns(extraction.about.get(value_name, ""))

        labs = dict(self.labs)
        if theirs("labs"):  # a partner's or relative's result is never this person's
            for lab in extraction.labs:
                labs[lab.analyte] = lab

        age = extraction.age if extraction.age is not None and theirs("age") else None
        others_ages = dict(self.others_ages)
        age_of = extraction.about.get("age", "")
        if unsettled and extraction.age is not None and age is None and age_of != SELF:
            others_ages[age_of] = extraction.age
        sex = extraction.sex if theirs("sex") else None
        pregnant = extraction.pregnant if theirs("pregnant") else None
        breastfeeding = extraction.breastfeeding if theirs("breastfeeding") else None
        return replace(
            self,
            subject=subject or self.subject,
            others=others,
            others_ages=others_ages,
            items=items,
            family=family,
            labs=labs,
            age=age if age is not None else self.age,
            sex=sex or self.sex,
            pregnant=pregnant if pregnant is not None else self.pregnant,
            pregnancy_weeks=(
                extraction.pregnancy_weeks
                if extraction.pregnancy_weeks is not None and pregnant is not None
                else self.pregnancy_weeks
            ),
            breastfeeding=breastfeeding if breastfeeding is not None else self.breastfeeding,
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
            **(
                {"requested_screens": sorted(self.requested_screens)}
                if self.requested_screens else {}
            ),
            **({"subject": self.subject.to_dict()} if self.subject else {}),
            **(
                {"others": {p: {k: v.to_dict() for k, v in sorted(states.items())}
                            for p, states in sorted(self.others.items())}}
                if self.others else {}
            ),
            **({"others_ages": dict(sorted(self.others_ages.items()))} if self.others_ages else {}),
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
            requested_screens=frozenset(
                str(g) for g in (data.get("requested_screens") or [])
            ),
            subject=Subject.from_dict(data.get("subject")),
            others={
                str(p): {str(k): FindingState.from_dict(v) for k, v in states.items()}
                for p, states in (data.get("others") or {}).items()
            },
            others_ages={
                str(p): int(a) for p, a in (data.get("others_ages") or {}).items()
                if 0 <= int(a) <= 120
            },
        )
