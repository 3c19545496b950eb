"""What the chat shows, in plain words, built from an :class:`Assessment`.

The wording avoids diagnosing ("you have...") and prescribing ("take...");
it says how likely, how soon and what to ask for, and always leaves the
decision with a clinician. Emergencies come first and alone, so nothing else
on the screen competes with them.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.advice import BEFORE_TESTING, TestAdvice
from bot.assessment import Assessment
from bot.knowledge import load_knowledge
from bot.labs import LabInterpretation
from bot.scoring import Factor
from bot.services import services

MAX_UNKNOWN_SHOWN = 5

# Where the knowledge base's sources are institutions, the words a person knows them by.
# Checked in order, one per part of a source (parts are split at ";").
_INSTITUTION_WORDS: tuple[tuple[str, str], ...] = (
    (r"\bNICE NG239\b", "the NICE guideline on vitamin B12 deficiency, 2024"),
    (r"\bNICE CG133|\bNG225\b", "the NICE guidelines on self-harm"),
    (r"\bCKS\b", "NICE's clinical summaries for GPs"),
    (r"\bNHS haematology guidance\b", "NHS blood specialists' guidance"),
    (r"\bMHRA\b", "the UK medicines regulator (MHRA)"),
    (r"\bGPnotebook\b", "GPnotebook, a reference for GPs"),
    (r"\bGujarat case-control study\b", "a small study in Gujarat, India"),
    (r"\bSwedish registry\b", "a Swedish national registry study"),
)


@lru_cache(maxsize=1)
def _institutions() -> tuple[tuple[re.Pattern[str], str], ...]:
    """The patterns, with the urgent care service named as services.yml names it."""
    urgent = services().urgent_care_name
    words = (*_INSTITUTION_WORDS, (rf"\b{re.escape(urgent)}\b", urgent))
    return tuple((re.compile(pattern), name) for pattern, name in words)


# "Gilsing, Eur J Clin Nutr 2010", "Lahner & Annibale 2009", "de Jager, BMJ 2010".
_STUDY = re.compile(
    r"\b(?P<who>(?:[Dd]e |[Vv]an )?[A-Z][a-z]+(?: (?:&|and) [A-Z][a-z]+)?)"
    r"(?:,\s+[A-Z][A-Za-z. ]*?)?\s+(?P<year>(?:19|20)\d{2})\b"
)


def _chance(probability: float) -> str:
    """A rough "in 100" figure: precise decimals would promise accuracy the model lacks."""
    per_hundred = max(1, min(99, round(probability * 100)))
    return f"roughly {per_hundred} in 100"


def short_summary(assessment: Assessment) -> str:
    """A few lines: how urgent, how likely, which tests, what next."""
    triage = assessment.triage
    lines = [f"{triage.title}.", triage.advice]
    if triage.level == "emergency":
        lines += [f"- {reason}" for reason in triage.reasons]
        return "\n".join(lines)
    about = f" about {assessment.checked_for['name']}" if assessment.checked_for else ""
    lines.append(
        f"From what you've told me{about}, the chance of a B12 shortage looks "
        f"{assessment.score.band_label.lower()} ({_chance(assessment.probability)}). "
        "This is an estimate, not a diagnosis."
    )
    if triage.reasons:
        lines.append(f"Why: {triage.reasons[0]}")
    tests = [t.name for t in tests_only(assessment.tests)]
    if tests:
        lines.append("Tests to ask about: " + "; ".join(tests) + ".")
    if before_testing(assessment.tests):
        lines.append("If you can, have the blood test before starting any B12 supplement.")
    if triage.level == "self_care":
        lines.append("If anything changes or new symptoms appear, come back or talk to a GP.")
    return "\n".join(lines)


def source_in_words(source: str, judgement: bool = False) -> str:
    """A knowledge-base source as a person can read it: who said so, in words.

    The knowledge base cites for reviewers ("Lam, JAMA 2013 (OR 1.65 for 2+ years of
    use, used as an approximate likelihood ratio)"); the chat names the guideline or
    the study's authors and year, and says when a weight is clinicians' judgement.
    Statistics and notes for reviewers are left to the doctor's summary.
    """
    names: list[str] = []
    for part in re.split(r";|\.\s", source):
        hits = sorted(
            (match.start(), words)
            for pattern, words in _institutions()
            if (match := pattern.search(part)) is not None
        )
        found = [words for _start, words in hits]
        if not found:
            study = _STUDY.search(part)
            if study is not None:
                who = study.group("who").replace(" & ", " and ")
                plural = " and " in who
                found = [f"{who}{'' if plural else ' and colleagues'}, {study.group('year')}"]
        names += [name for name in found if name not in names]
    if judgement or re.search(r"\bjudgement\b", source, re.I):
        names.append("clinicians' judgement of the evidence")
    if not names:
        return ""
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _plain_label(factor: Factor, prior_basis: str) -> str:
    """The factor's name; the diet that set the starting point is named as a diet."""
    if factor.id == prior_basis:
        definition = load_knowledge().findings.get(factor.id)
        if definition is not None:
            return f"{definition.label}: where the estimate starts from"
    return factor.label


def _factor_line(factor: Factor, prior_basis: str) -> str:
    source = source_in_words(factor.source, factor.judgement)
    said = f". Source: {source}" if source else ""
    return f"- {_plain_label(factor, prior_basis)}{said}"


def explain_why(assessment: Assessment) -> str:
    """For / against / still unknown, each with its source in words, as a clinician
    would reason it. Each list is a block of its own lines, so every channel shows it
    as a list (the web chat as bullets)."""
    score = assessment.score
    basis = {
        "reference": "an adult whose age I don't know",
        "age": "people of your age",
    }.get(score.prior_basis, "people who eat the way you do")
    blocks = [
        f"I started from about {round(score.prior * 100)} in 100 for {basis}, then adjusted "
        f"for what you told me. The result is {_chance(score.probability)} "
        f"({score.band_label.lower()})."
    ]
    if score.supporting:
        blocks.append(
            "What makes a B12 shortage more likely:\n"
            + "\n".join(_factor_line(f, score.prior_basis) for f in score.supporting)
        )
    else:
        blocks.append("Nothing you've told me so far makes a B12 shortage more likely.")
    if score.against:
        blocks.append(
            "What makes it less likely:\n"
            + "\n".join(_factor_line(f, score.prior_basis) for f in score.against)
        )
    if score.unknown:
        blocks.append(
            "Things I don't know yet that could change the picture:\n"
            + "\n".join(f"- {f.label}" for f in score.unknown[:MAX_UNKNOWN_SHOWN])
        )
    if score.capped_groups:
        blocks.append(
            "Linked findings (for example several nerve symptoms) are counted together, "
            "so they don't add up as if they were separate evidence."
        )
    blocks.append(
        "Symptoms on their own are weak evidence; a blood test is what settles it. "
        "The summary for your doctor has the exact figures and references."
    )
    return "\n\n".join(blocks)


def tests_only(tests: list[TestAdvice] | tuple[TestAdvice, ...]) -> list[TestAdvice]:
    """The blood tests themselves, without advice about when to have them."""
    return [t for t in tests if t.id not in BEFORE_TESTING]


def before_testing(tests: list[TestAdvice] | tuple[TestAdvice, ...]) -> list[TestAdvice]:
    """Advice about having the tests ("before starting any B12 supplement"), which is
    not a test to ask for and is said as advice."""
    return [t for t in tests if t.id in BEFORE_TESTING]


def tests_message(assessment: Assessment) -> str:
    """The tests to ask a clinician about, each with one line on why, then any advice
    about when to have them."""
    tests = tests_only(assessment.tests)
    if not tests:
        return (
            "I'm not suggesting any blood tests right now. If symptoms appear, or you start a "
            "medicine such as metformin or an acid-reducing tablet, it's worth asking your GP."
        )
    blocks = [
        "Tests you could ask your GP about (they will decide what is right for you):\n"
        + "\n".join(f"- {t.name}: {t.reason}" for t in tests)
    ]
    blocks += [f"{t.name}. {t.reason}" for t in before_testing(assessment.tests)]
    return "\n\n".join(blocks)


def lab_message(interpretation: LabInterpretation) -> str:
    """One lab result in plain words, with the cautions that apply to this person."""
    shown = interpretation.original or f"{interpretation.value:g} {interpretation.unit}"
    lines = [f"{interpretation.label} ({shown}): {interpretation.message}"]
    lines += [f"- Note: {c}" for c in interpretation.cautions]
    lines.append("Your GP will read this together with your symptoms and other results.")
    return "\n".join(lines)
