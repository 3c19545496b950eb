"""Which question to ask next, and when to stop asking.

Order of business, each step documented in docs/scoring.md:

1. Red-flag screening first: a red flag linked to something the person reports
   (chest pain when they are breathless, bladder control when their legs are
   numb) is asked before anything else, because triage depends on it.
2. Demographics that change the estimate or the triage: age, sex when it
   matters, pregnancy for women of child-bearing age, diet.
3. Every other unanswered finding, ranked by a documented utility: the expected
   change in log-odds (a yes and a no taken as equally likely, since no study
   gives how common each answer is), plus a bonus when an answer would move
   the likelihood band, plus a larger one when it would change the triage.

Stop (like Infermedica's ``should_stop``) when the triage is an emergency (act,
don't chat), when enough is known, or when no question is worth asking.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from typing import Any

from bot.errors import InputError
from bot.findings import Findings, FindingState, Status
from bot.knowledge import load_knowledge
from bot.knowledge.schema import KnowledgeBase

SPECIAL_IDS = ("age", "sex", "pregnancy", "diet", "family_history")
YES = {"yes", "y", "yeah", "yep", "true"}
NO = {"no", "n", "nope", "false"}
UNSURE = {"unsure", "not sure", "don't know", "dont know", "unknown", "maybe", "skip"}
DIET_CHOICES = (
    ("vegan", "Vegan (no animal products)"),
    ("vegetarian", "Vegetarian (no meat or fish)"),
    ("pescatarian", "Pescatarian (fish, no meat)"),
    ("omnivore", "I eat meat"),
    ("unsure", "Not sure / prefer not to say"),
)
DIET_IDS = {
    "vegan": "vegan_diet",
    "vegetarian": "vegetarian_diet",
    "pescatarian": "pescatarian_diet",
}
SEX_CHOICES = (("female", "Female"), ("male", "Male"), ("unsure", "Prefer not to say"))


@dataclass(frozen=True)
class Question:
    """A question for the person and how its answer is given."""

    id: str
    text: str
    kind: str  # "yes_no" | "number" | "choice"
    options: tuple[tuple[str, str], ...] = ()
    reason: str = ""
    utility: float = 0.0
    red_flag: bool = False

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "text": self.text,
            "kind": self.kind,
            "options": [{"value": v, "label": label} for v, label in self.options],
            "reason": self.reason,
        }


@dataclass(frozen=True)
class _Evaluation:
    probability: float
    band: str
    triage: str
    extras: dict[str, Any] = field(default_factory=dict)


def _evaluate(findings: Findings, kb: KnowledgeBase) -> _Evaluation:
    from bot.labs import lab_bands
    from bot.scoring import score
    from bot.triage import triage

    bands = lab_bands(findings)
    result = score(findings, kb, explain=False)
    level = triage(findings, band=result.band, lab_bands=bands, kb=kb).level
    return _Evaluation(result.probability, result.band, level)


def _asked(findings: Findings, qid: str) -> bool:
    return qid in findings.asked


def _diet_known(findings: Findings) -> bool:
    return any(fid in findings.items for fid in DIET_IDS.values())


def _family_ids(kb: KnowledgeBase) -> list[str]:
    return [f.id for f in kb.findings.values() if f.family_relevant]


def _screen_questions(findings: Findings, kb: KnowledgeBase) -> list[Question]:
    present = findings.present_ids()
    out = []
    config = kb.questions
    for flag in kb.by_kind("red_flag"):
        if flag.id in findings.items or _asked(findings, flag.id):
            continue
        triggers = [kb.findings[t].label.lower() for t in flag.screen_when if t in present]
        if not triggers:
            continue
        bonus = config["red_flag_screen_bonus"] + (1.0 if flag.urgency == "emergency" else 0.0)
        out.append(
            Question(
                flag.id,
                flag.question,
                "yes_no",
                reason=f"Safety check because of: {', '.join(triggers)}.",
                utility=bonus,
                red_flag=True,
            )
        )
    out.sort(key=lambda q: -q.utility)
    return out


def _demographic_questions(findings: Findings, kb: KnowledgeBase) -> list[Question]:
    texts = kb.questions["demographics"]
    low, high = kb.questions["pregnancy_age"]["min"], kb.questions["pregnancy_age"]["max"]
    child_bearing_age = findings.age is None or low <= findings.age <= high
    out = []
    if findings.age is None and not _asked(findings, "age"):
        out.append(
            Question(
                "age", texts["age"], "number", reason="The chance of B12 deficiency rises with age."
            )
        )
    sex_matters = child_bearing_age or "hb" in findings.labs
    if findings.sex is None and sex_matters and not _asked(findings, "sex"):
        out.append(
            Question(
                "sex",
                texts["sex"],
                "choice",
                SEX_CHOICES,
                reason="It decides whether pregnancy questions apply and how haemoglobin is read.",
            )
        )
    if (
        findings.sex == "female"
        and child_bearing_age
        and findings.pregnant is Status.UNKNOWN
        and not _asked(findings, "pregnancy")
    ):
        out.append(
            Question(
                "pregnancy",
                texts["pregnancy"],
                "yes_no",
                reason="Pregnancy changes which test is best and how soon to be seen.",
            )
        )
    if not _diet_known(findings) and not _asked(findings, "diet"):
        out.append(
            Question(
                "diet",
                texts["diet"],
                "choice",
                DIET_CHOICES,
                reason="A vegan or vegetarian diet is one of the commonest causes.",
            )
        )
    for i, q in enumerate(out):
        out[i] = replace(q, utility=5.0 - i * 0.1)
    return out


def _family_options(kb: KnowledgeBase) -> tuple[tuple[str, str], ...]:
    options = [(fid, kb.findings[fid].label) for fid in _family_ids(kb)]
    return (*options, ("none", "None of these"), ("unsure", "Not sure"))


def _utility(
    now: _Evaluation, yes: Findings, no: Findings, kb: KnowledgeBase, p_yes: float
) -> tuple[float, str]:
    """Expected value of asking: information plus chances of moving the band or the triage."""
    config = kb.questions
    after_yes, after_no = _evaluate(yes, kb), _evaluate(no, kb)

    def delta(p: float) -> float:
        return abs(math.log(p / (1 - p)) - math.log(now.probability / (1 - now.probability)))

    p_no = 1.0 - p_yes
    info = p_yes * delta(after_yes.probability) + p_no * delta(after_no.probability)
    band_moves = p_yes * (after_yes.band != now.band) + p_no * (after_no.band != now.band)
    triage_moves = p_yes * (after_yes.triage != now.triage) + p_no * (after_no.triage != now.triage)
    utility = info + config["band_weight"] * band_moves + config["triage_weight"] * triage_moves
    why = (
        "could change how urgently you should be seen"
        if triage_moves
        else "could change the likelihood band"
        if band_moves
        else "refines the estimate"
    )
    return utility, why


def rank_questions(findings: Findings) -> list[Question]:
    """Every question still worth asking, most useful first."""
    kb = load_knowledge()
    ranked = _screen_questions(findings, kb) + _demographic_questions(findings, kb)
    now = _evaluate(findings, kb)
    scored: list[Question] = []
    for definition in kb.findings.values():
        if (
            definition.kind == "red_flag"
            or definition.prior is not None
            or definition.id == "pescatarian_diet"
            or definition.id in findings.items
            or _asked(findings, definition.id)
        ):
            continue
        yes = findings.with_item(definition.id, Status.PRESENT)
        no = findings.with_item(definition.id, Status.ABSENT)
        p_yes = kb.questions["yes_rate"][definition.kind]
        utility, why = _utility(now, yes, no, kb, p_yes)
        if definition.lr == 1.0 and utility < kb.questions["triage_weight"] * p_yes:
            continue  # recorded when volunteered, asked only when it decides triage
        scored.append(
            Question(
                definition.id, definition.question, "yes_no", reason=f"This {why}.", utility=utility
            )
        )
    family_ids = _family_ids(kb)
    if not _asked(findings, "family_history") and not any(f in findings.family for f in family_ids):
        strongest = max(family_ids, key=lambda f: kb.findings[f].family_lr)
        yes = findings.with_family(strongest, Status.PRESENT)
        no = findings
        for fid in family_ids:
            no = no.with_family(fid, Status.ABSENT)
        utility, why = _utility(now, yes, no, kb, kb.questions["yes_rate"]["family_history"])
        scored.append(
            Question(
                "family_history",
                kb.questions["demographics"]["family_history"],
                "choice",
                _family_options(kb),
                reason=f"This {why}.",
                utility=utility,
            )
        )
    scored.sort(key=lambda q: (-q.utility, q.id))
    return ranked + scored


def _stop_and_best(findings: Findings) -> tuple[bool, Question | None]:
    kb = load_knowledge()
    if _evaluate(findings, kb).triage == "emergency":
        return True, None
    known = len(findings.items) + len(findings.family) + (findings.age is not None)
    if known >= kb.questions["max_known_findings"]:
        return True, None
    ranked = rank_questions(findings)
    if not ranked or ranked[0].utility < kb.questions["min_utility"]:
        return True, None
    return False, ranked[0]


def should_stop(findings: Findings) -> bool:
    """True when asking more would not help: emergency, enough known, or nothing useful left."""
    return _stop_and_best(findings)[0]


def next_question(findings: Findings) -> Question | None:
    """The most useful next question, or None when the assistant should stop asking."""
    return _stop_and_best(findings)[1]


# ---------------------------------------------------------------------------- answers


def _norm(answer: Any) -> str:
    return str(answer).strip().lower()


def _yes_no(question_id: str, answer: Any) -> Status:
    text = _norm(answer)
    if text in YES:
        return Status.PRESENT
    if text in NO:
        return Status.ABSENT
    if text in UNSURE:
        return Status.UNKNOWN
    raise InputError("I106", answer=answer, expected="'yes', 'no' or 'unsure'")


def _mark(findings: Findings, question_id: str) -> Findings:
    return replace(findings, asked=findings.asked | {question_id})


def apply_answer(findings: Findings, question_id: str, answer: str) -> Findings:
    """Record an answer to a question and return the new findings.

    Answers: "yes" / "no" / "unsure" for yes-no questions, a whole number for age,
    a choice value otherwise. "unsure" leaves the value UNKNOWN (and marks the
    question as asked so it is not repeated). Invalid answers raise ``ValueError``
    (:class:`bot.errors.InputError`) with a clear message.
    """
    kb = load_knowledge()
    text = _norm(answer)
    if question_id == "age":
        if text in UNSURE:
            return _mark(findings, "age")
        try:
            age = int(float(text))
        except ValueError:
            raise InputError("I106", answer=answer, expected="your age as a whole number") from None
        if not 0 <= age <= 120 or float(text) != age:
            raise InputError("I106", answer=answer, expected="a whole number from 0 to 120")
        return _mark(replace(findings, age=age), "age")
    if question_id == "sex":
        if text in UNSURE:
            return _mark(findings, "sex")
        if text not in ("female", "male"):
            raise InputError("I106", answer=answer, expected="'female', 'male' or 'unsure'")
        return _mark(replace(findings, sex=text), "sex")
    if question_id == "pregnancy":
        status = _yes_no(question_id, text)
        updated = findings if status is Status.UNKNOWN else replace(findings, pregnant=status)
        return _mark(updated, "pregnancy")
    if question_id == "diet":
        valid = [v for v, _ in DIET_CHOICES]
        if text not in valid and text not in UNSURE:
            raise InputError("I106", answer=answer, expected=f"one of {valid}")
        updated = findings
        if text not in UNSURE:
            for choice, fid in DIET_IDS.items():
                updated = updated.with_item(
                    fid, Status.PRESENT if choice == text else Status.ABSENT
                )
        return _mark(updated, "diet")
    if question_id == "family_history":
        family_ids = _family_ids(kb)
        if text in UNSURE:
            return _mark(findings, "family_history")
        if text == "none":
            updated = findings
            for fid in family_ids:
                updated = updated.with_family(fid, Status.ABSENT)
            return _mark(updated, "family_history")
        chosen = [part.strip() for part in text.split(",") if part.strip()]
        bad = [c for c in chosen if c not in family_ids]
        if not chosen or bad:
            raise InputError(
                "I106", answer=answer, expected=f"one or more of {family_ids}, 'none' or 'unsure'"
            )
        updated = findings
        for fid in chosen:
            updated = updated.with_family(fid, Status.PRESENT)
        return _mark(updated, "family_history")
    if question_id not in kb.findings:
        raise InputError("I105", id=question_id, special=list(SPECIAL_IDS))
    status = _yes_no(question_id, text)
    items = dict(findings.items)
    if status is Status.UNKNOWN and question_id in items:
        return _mark(findings, question_id)  # "not sure" never erases an earlier answer
    items[question_id] = FindingState(status)
    return _mark(replace(findings, items=items), question_id)


def answered(findings: Findings) -> Iterable[str]:
    """Question ids already dealt with (asked, or volunteered by the person)."""
    return sorted(findings.asked | set(findings.items))
