"""Which blood tests to ask a clinician about, following NICE NG239.

Rules live in tests.yml so clinicians can check each one against its source;
each test comes with one plain-language sentence saying why it helps. The
assistant suggests what to *ask about*; the clinician decides what to order.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from bot.findings import Findings
from bot.knowledge import load_knowledge
from bot.knowledge.conditions import Context, evaluate
from bot.knowledge.schema import KnowledgeBase
from bot.labs import lab_bands as compute_lab_bands
from bot.scoring import score
from bot.triage import triage

# Entries of tests.yml that say when to have the tests rather than name one: shown as
# advice next to the tests, never in their list.
BEFORE_TESTING = frozenset({"blood_before_supplements"})


@dataclass(frozen=True)
class TestAdvice:
    """One test to ask about and why."""

    __test__ = False  # not a pytest test class, despite the name

    id: str
    name: str
    reason: str
    source: str = ""

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "name": self.name, "reason": self.reason, "source": self.source}


def recommended_tests(
    findings: Findings,
    *,
    triage_level: str | None = None,
    band: str | None = None,
    lab_bands: dict[str, str] | None = None,
    kb: KnowledgeBase | None = None,
) -> list[TestAdvice]:
    """Tests to ask about, in the order a clinician would think of them."""
    kb = kb or load_knowledge()
    if lab_bands is None:
        lab_bands = compute_lab_bands(findings)
    if band is None:
        band = score(findings, kb, explain=False).band
    if triage_level is None:
        triage_level = triage(findings, band=band, lab_bands=lab_bands, kb=kb).level
    ctx = Context(
        findings=findings, kb=kb, lab_bands=lab_bands, band=band, triage_level=triage_level
    )
    return [
        TestAdvice(rule.id, rule.name, rule.reason, rule.source)
        for rule in kb.tests
        if evaluate(rule.when, ctx)
    ]
