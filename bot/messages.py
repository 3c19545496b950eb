"""What the chat shows, in plain words, built from an :class:`Assessment`.

The wording avoids diagnosing ("you have...") and prescribing ("take...");
it says how likely, how soon and what to ask for, and always leaves the
decision with a clinician. Emergencies come first and alone, so nothing else
on the screen competes with them.
"""

from __future__ import annotations

from bot.assessment import Assessment
from bot.labs import LabInterpretation
from bot.scoring import Factor

MAX_UNKNOWN_SHOWN = 5


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
    tests = [t.name for t in assessment.tests if t.id != "blood_before_supplements"]
    if tests:
        lines.append("Tests to ask about: " + "; ".join(tests) + ".")
    if any(t.id == "blood_before_supplements" for t in assessment.tests):
        lines.append("If you can, have the blood test before starting any B12 supplement.")
    if triage.level == "self_care":
        lines.append("If anything changes or new symptoms appear, come back or talk to a GP.")
    return "\n".join(lines)


def _factor_line(factor: Factor) -> str:
    note = f" ({factor.note})" if factor.note else ""
    return f"- {factor.label}{note}. Source: {factor.source}"


def explain_why(assessment: Assessment) -> str:
    """For / against / still unknown, each with its source, like a clinician's reasoning."""
    score = assessment.score
    basis = {
        "reference": "an adult whose age I don't know",
        "age": "your age",
    }.get(score.prior_basis, "your diet")
    lines = [
        f"I started from about {round(score.prior * 100)} in 100 for {basis}, then adjusted "
        f"for what you told me. The result is {_chance(score.probability)} "
        f"({score.band_label.lower()})."
    ]
    if score.supporting:
        lines.append("What makes a B12 shortage more likely:")
        lines += [_factor_line(f) for f in score.supporting]
    else:
        lines.append("Nothing you've told me so far makes a B12 shortage more likely.")
    if score.against:
        lines.append("What makes it less likely:")
        lines += [_factor_line(f) for f in score.against]
    if score.unknown:
        lines.append("Things I don't know yet that could change the picture:")
        lines += [f"- {f.label}" for f in score.unknown[:MAX_UNKNOWN_SHOWN]]
    if score.capped_groups:
        lines.append(
            "Linked findings (for example several nerve symptoms) are counted together, "
            "so they don't add up as if they were separate evidence."
        )
    lines.append(
        "Symptoms on their own are weak evidence; a blood test is what settles it. "
        "Weights marked as judgement were chosen by clinicians from the sources shown."
    )
    return "\n".join(lines)


def tests_message(assessment: Assessment) -> str:
    """The tests to ask a clinician about, each with one line on why."""
    if not assessment.tests:
        return (
            "I'm not suggesting any blood tests right now. If symptoms appear, or you start a "
            "medicine such as metformin or an acid-reducing tablet, it's worth asking your GP."
        )
    lines = ["Tests you could ask your GP about (they will decide what is right for you):"]
    lines += [f"- {t.name}: {t.reason}" for t in assessment.tests]
    return "\n".join(lines)


def lab_message(interpretation: LabInterpretation) -> str:
    """One lab result in plain words, with the cautions that apply to this person."""
    shown = interpretation.original or f"{interpretation.value:g} {interpretation.unit}"
    lines = [f"{interpretation.label} ({shown}): {interpretation.message}"]
    lines += [f"- Note: {c}" for c in interpretation.cautions]
    lines.append("Your GP will read this together with your symptoms and other results.")
    return "\n".join(lines)
