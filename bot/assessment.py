"""One call that turns findings into everything the assistant says about them.

The conversation, the command line, the doctor summary and the tests all read
the same :class:`Assessment`, so what the person sees in chat, what the doctor
reads and what the tests check can never disagree. Its JSON form is a
contract documented in docs/assessment-schema.md.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any

from bot.advice import TestAdvice, recommended_tests
from bot.errors import InputError
from bot.findings import Findings
from bot.knowledge import load_knowledge
from bot.labs import LabInterpretation, interpret, lab_bands
from bot.questions import Question, stop_and_best
from bot.scoring import Score, score
from bot.triage import RedFlagHit, Triage, red_flags, triage
from bot.who import person_words
from bot.wording import text

SCHEMA_VERSION = "1.1"


@dataclass(frozen=True)
class Assessment:
    """Likelihood, triage, tests, lab readings and the next question, for one moment in time."""

    generated_at: datetime
    kb_version: str
    score: Score
    triage: Triage
    red_flags: tuple[RedFlagHit, ...]
    tests: tuple[TestAdvice, ...]
    labs: tuple[LabInterpretation, ...]
    should_stop: bool
    next_question: Question | None
    disclaimer: str = field(default_factory=lambda: text("disclaimer"))
    # Who the check is for when it is not the writer: {"relation", "pronoun", "name"}.
    checked_for: dict[str, str] | None = None

    @property
    def probability(self) -> float:
        return self.score.probability

    @property
    def band(self) -> str:
        return self.score.band

    def to_dict(self) -> dict[str, Any]:
        """The documented JSON form (docs/assessment-schema.md, docs/assessment.schema.json)."""
        return {
            "schema_version": SCHEMA_VERSION,
            "generated_at": self.generated_at.isoformat(),
            "kb_version": self.kb_version,
            "probability": round(self.score.probability, 4),
            "band": self.score.band,
            "band_label": self.score.band_label,
            "prior": {
                "probability": round(self.score.prior, 4),
                "basis": self.score.prior_basis,
            },
            "factors": self.score.factors_dict(),
            "capped_groups": list(self.score.capped_groups),
            "triage": self.triage.to_dict(),
            "red_flags": [hit.to_dict() for hit in self.red_flags],
            "tests": [test.to_dict() for test in self.tests],
            "labs": [lab.to_dict() for lab in self.labs],
            "should_stop": self.should_stop,
            "next_question": self.next_question.to_dict() if self.next_question else None,
            "disclaimer": self.disclaimer,
            **({"checked_for": dict(self.checked_for)} if self.checked_for else {}),
        }


def validate_findings(findings: Findings) -> None:
    """Reject ids the knowledge base does not know: a typo must not be silently ignored
    (an unknown screen id would silently drop a "yes" to an emergency checklist)."""
    kb = load_knowledge()
    unknown = sorted((set(findings.items) | set(findings.family)) - set(kb.findings))
    if unknown:
        raise InputError("I104", ids=unknown)
    groups = kb.questions["screen_groups"]
    bad_screens = sorted(set(findings.positive_screens) - set(groups))
    if bad_screens:
        raise InputError("I105", id=bad_screens[0], special=sorted(groups))
    bad_labs = sorted(set(findings.labs) - set(kb.labs))
    if bad_labs:
        raise InputError("I107", ids=bad_labs, known=sorted(kb.labs))


def assess(findings: Findings, *, now: datetime | None = None) -> Assessment:
    """Everything the assistant concludes from these findings.

    Raises :class:`bot.errors.InputError` (a ``ValueError``) for unknown finding
    ids or lab analytes.
    """
    validate_findings(findings)
    kb = load_knowledge()
    bands = lab_bands(findings)
    result = score(findings, kb)
    level = triage(findings, band=result.band, lab_bands=bands, kb=kb)
    tests = recommended_tests(
        findings, triage_level=level.level, band=result.band, lab_bands=bands, kb=kb
    )
    readings = tuple(interpret(lab, findings) for _, lab in sorted(findings.labs.items()))
    stop, question = stop_and_best(findings)
    return Assessment(
        generated_at=now or datetime.now(timezone.utc),
        kb_version=kb.version,
        score=result,
        triage=level,
        red_flags=tuple(red_flags(findings)),
        tests=tuple(tests),
        labs=readings,
        should_stop=stop,
        next_question=question,
        checked_for=checked_for(findings),
    )


def checked_for(findings: Findings) -> dict[str, str] | None:
    """Who the assessment is about, for a check done on someone else's behalf."""
    words = person_words(findings.subject)
    if words is None or findings.subject is None:
        return None
    subject = findings.subject
    return {"relation": subject.relation, "pronoun": subject.pronoun, "name": words.person}
