"""Builders for findings used across the clinical-core tests."""

from __future__ import annotations

from bot.findings import Findings, LabResult, Status


def make(*present: str, absent: tuple[str, ...] = (), **fields) -> Findings:
    """Findings with these ids present (and ``absent`` ones answered no)."""
    findings = Findings(**fields)
    for fid in present:
        findings = findings.with_item(fid, Status.PRESENT)
    for fid in absent:
        findings = findings.with_item(fid, Status.ABSENT)
    return findings


def lab(analyte: str, value: float, unit: str, original: str = "") -> LabResult:
    from bot.labs import make_result

    return make_result(analyte, value, unit, original=original or f"{value} {unit}")


def interview(findings: Findings, answers: dict[str, str], default: str) -> list[str]:
    """Question ids in the order asked, answering from ``answers`` or with ``default``."""
    from bot.questions import apply_answer, next_question

    asked: list[str] = []
    for _ in range(60):
        question = next_question(findings)
        if question is None:
            return asked
        asked.append(question.id)
        findings = apply_answer(findings, question.id, answers.get(question.id, default))
    raise AssertionError(f"the interview did not end: {asked}")
