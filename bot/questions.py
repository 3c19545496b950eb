"""Which question to ask next, and when to stop asking.

Order of business, each step documented in docs/scoring.md ("Choosing the next
question"):

1. Safety first. Red flags linked to something the person reports (chest pain
   when they are tired, bladder control when their feet tingle) are screened
   before anything else. Emergency flags that belong to a screen group in
   questions.yml are put as ONE "any of these?" question; a "yes" is followed
   by each member on its own so the right emergency message is given.
2. Demographics that change the estimate or the triage: age, sex when it
   matters, pregnancy for women of child-bearing age, diet.
3. Urgent-level screens linked to what the person reports (worsening nerve
   symptoms, bruising or bleeding with tiredness).
4. Every other unanswered finding, ranked by a documented utility: the expected
   change in log-odds, weighted by how often people using the checker would say
   "yes" (each finding's ``ask_rate``), plus a bonus when an answer would move
   the likelihood band and a larger one when it would change the triage.

Stop (like Infermedica's ``should_stop``) when the triage is an emergency (act,
don't chat), or, once no red-flag screen is left, when enough is known or no
question is worth asking.

This runs on every turn of the conversation, so the "what if yes / what if
no?" of every candidate is computed incrementally: the current estimate is kept
per cap group (:class:`bot.scoring.Ledger`) and the level comes from
:func:`bot.triage.triage_level` reading precomputed facts
(:class:`bot.knowledge.conditions.Facts`), instead of rescoring and
re-triaging a copy of the findings per candidate.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from functools import lru_cache
from typing import Any

from bot.errors import InputError
from bot.findings import Findings, FindingState, Status
from bot.knowledge import load_knowledge
from bot.knowledge.conditions import (
    Facts,
    facts_of,
    unresolved_screens,
    with_family_present,
    with_present,
)
from bot.knowledge.schema import KnowledgeBase, ScreenGroup
from bot.labs import lab_bands
from bot.scoring import ledger, probability_of, score
from bot.triage import triage_level
from bot.who import QUESTION_ID as WHO_ID
from bot.who import apply_who, who_question, worded_for

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
# Choice labels spoken by the writer ("I eat meat") as they read for someone else.
OTHER_LABELS = {"omnivore": "Eats meat"}

# Utilities that place safety screens and demographics in the ranked list (the
# scored findings stay well below them).
EMERGENCY_SCREEN_UTILITY = 10.0
DEMOGRAPHIC_UTILITY = 5.0
URGENT_SCREEN_UTILITY = 4.0
# Condition keys through which any present finding could change a lab result's weight.
_BROAD_KEYS = {"category_present", "kind_present", "risk_factor_present", "red_flag"}


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


# ---------------------------------------------------------------------------- constants


@dataclass(frozen=True)
class _Candidate:
    """A yes/no finding that may be asked, with its weights read once from the knowledge base."""

    id: str
    text: str
    ask_rate: float
    # (min_age, max_age, rate) bands that replace ask_rate when the person's age is known.
    by_age: tuple[tuple[int, int, float], ...]
    yes_raw: float  # ln LR of a "yes"
    no_raw: float  # ln LR of a "no"
    group: str | None
    neutral: bool  # moves nothing in the estimate: asked only when it decides the triage
    touches_labs: bool  # a lab result's weight depends on it: scored in full when labs exist

    def rate_at(self, age: int | None) -> float:
        """P(yes) for a person of this age: metformin is common at 70 and rare at 22."""
        if age is not None:
            for low, high, rate in self.by_age:
                if low <= age <= high:
                    return rate
        return self.ask_rate


@dataclass(frozen=True)
class _Plan:
    candidates: tuple[_Candidate, ...]
    groups: Mapping[str, ScreenGroup]
    group_of: Mapping[str, str]
    red_flags: tuple[str, ...]
    family_ids: tuple[str, ...]
    family_strongest: str | None
    family_raw: float
    family_group: str | None
    family_rate: float
    triage_ids: frozenset[str]  # finding ids that triage rules name one by one


def _condition_ids(cond: Any, out: set[str]) -> bool:
    """Collect finding ids a condition names; False when it depends on findings broadly."""
    broad = False
    if isinstance(cond, dict):
        for key, value in cond.items():
            if key in _BROAD_KEYS:
                broad = True
            elif key in ("present_any", "family_present_any"):
                out.update(value)
            elif key in ("all", "any"):
                broad = any([not _condition_ids(sub, out) for sub in value]) or broad
            elif key == "not":
                broad = not _condition_ids(value, out) or broad
    return not broad


def _lab_sensitive(kb: KnowledgeBase) -> frozenset[str] | None:
    """Findings that change how a lab result is weighed (None: possibly any finding)."""
    ids: set[str] = set()
    for analyte in kb.labs.values():
        for band in analyte.bands:
            for override in band.lr_overrides:
                if not _condition_ids(override.when, ids):
                    return None
    return frozenset(ids)


@lru_cache(maxsize=4)
def _plan(kb: KnowledgeBase) -> _Plan:
    """Everything the ranking needs from the knowledge base, computed once per process."""
    config = kb.questions
    defaults = config["default_ask_rate"]
    lab_ids = _lab_sensitive(kb)
    candidates = []
    for f in kb.findings.values():
        if f.kind == "red_flag" or f.prior is not None or f.id == "pescatarian_diet":
            continue
        candidates.append(
            _Candidate(
                id=f.id,
                text=f.question,
                ask_rate=f.ask_rate if f.ask_rate is not None else defaults[f.kind],
                by_age=tuple((b.min_age, b.max_age, b.rate) for b in f.ask_rate_by_age),
                yes_raw=math.log(f.lr),
                no_raw=math.log(f.lr_absent),
                group=f.cap_group,
                neutral=f.lr == 1.0 and f.lr_absent == 1.0,
                touches_labs=lab_ids is None or f.id in lab_ids,
            )
        )
    groups = config["screen_groups"]
    family = tuple(f.id for f in kb.findings.values() if f.family_relevant)
    strongest = max(family, key=lambda fid: kb.findings[fid].family_lr, default=None)
    triage_ids: set[str] = set()
    for rule in kb.triage.rules:
        _condition_ids(rule.when, triage_ids)
    return _Plan(
        candidates=tuple(candidates),
        groups=groups,
        group_of={fid: g.id for g in groups.values() for fid in g.members},
        red_flags=tuple(f.id for f in kb.by_kind("red_flag")),
        family_ids=family,
        family_strongest=strongest,
        family_raw=math.log(kb.findings[strongest].family_lr) if strongest else 0.0,
        family_group=kb.scoring.family_cap_group,
        family_rate=defaults["family_history"],
        triage_ids=frozenset(triage_ids),
    )


# ---------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class _Now:
    """The estimate and triage for the findings as they stand.

    ``levels`` remembers the triage level of hypothetical answers by what the
    rules can see of them: most candidates (another symptom of a kind already
    reported) look the same to every rule, so each distinct picture is triaged once.
    """

    findings: Findings
    facts: Facts
    lab_bands: Mapping[str, str]
    log_odds: float
    band: str
    level: str
    levels: dict[tuple[Any, ...], str] = field(default_factory=dict)


def _now(findings: Findings, kb: KnowledgeBase) -> _Now:
    bands = lab_bands(findings)
    result = score(findings, kb, explain=False)
    facts = facts_of(findings, kb)
    level = triage_level(facts, bands, result.band, kb)
    return _Now(findings, facts, bands, result.log_odds, result.band, level)


def _outcome(
    now: _Now, kb: KnowledgeBase, plan: _Plan, log_odds: float, facts: Facts
) -> tuple[float, str, str]:
    """Log-odds change, band and triage level of one hypothetical answer."""
    band = kb.scoring.band_for(probability_of(log_odds)).name
    if facts is now.facts and band == now.band:
        return log_odds - now.log_odds, band, now.level
    key = (
        facts.present & plan.triage_ids,
        facts.family_present & plan.triage_ids,
        facts.kinds,
        facts.symptom_categories,
        facts.red_flag_urgencies,
        facts.risk_factor,
        band,
    )
    level = now.levels.get(key)
    if level is None:
        level = now.levels[key] = triage_level(facts, now.lab_bands, band, kb)
    return log_odds - now.log_odds, band, level


def _utility(
    now: _Now,
    kb: KnowledgeBase,
    p_yes: float,
    yes: tuple[float, str, str],
    no: tuple[float, str, str],
) -> tuple[float, bool, str]:
    """Expected value of asking, whether any answer changes the triage, and why to ask."""
    config = kb.questions
    p_no = 1.0 - p_yes
    info = p_yes * abs(yes[0]) + p_no * abs(no[0])
    band_moves = p_yes * (yes[1] != now.band) + p_no * (no[1] != now.band)
    triage_moves = p_yes * (yes[2] != now.level) + p_no * (no[2] != now.level)
    utility = info + config["band_weight"] * band_moves + config["triage_weight"] * triage_moves
    why = (
        "could change how urgently you should be seen"
        if triage_moves
        else "could change the likelihood band"
        if band_moves
        else "refines the estimate"
    )
    return utility, bool(triage_moves), why


def _scored_questions(
    findings: Findings, kb: KnowledgeBase, plan: _Plan, now: _Now
) -> list[Question]:
    book = ledger(findings, kb)
    offset = now.log_odds - book.log_odds  # rounding only: keeps "no change" exactly zero
    unchanged = (0.0, now.band, now.level)
    out: list[Question] = []
    for c in plan.candidates:
        if c.id in findings.items or c.id in findings.asked:
            continue
        if c.touches_labs and findings.labs:
            exact = score(findings.with_item(c.id, Status.PRESENT), kb, explain=False).log_odds
        else:
            exact = book.plus(c.yes_raw, c.group) + offset
        yes = _outcome(now, kb, plan, exact, with_present(now.facts, c.id, kb))
        no = (
            unchanged
            if c.no_raw == 0.0
            else _outcome(now, kb, plan, book.plus(c.no_raw, c.group) + offset, now.facts)
        )
        utility, decides_triage, why = _utility(now, kb, c.rate_at(findings.age), yes, no)
        if c.neutral and not decides_triage:
            continue  # recorded when volunteered, asked only when it decides triage
        out.append(Question(c.id, c.text, "yes_no", reason=f"This {why}.", utility=utility))
    if (
        plan.family_strongest is not None
        and "family_history" not in findings.asked
        and not any(f in findings.family for f in plan.family_ids)
    ):
        exact = book.plus(plan.family_raw, plan.family_group) + offset
        facts = with_family_present(now.facts, plan.family_strongest, kb)
        yes = _outcome(now, kb, plan, exact, facts)
        utility, _, why = _utility(now, kb, plan.family_rate, yes, unchanged)
        out.append(
            Question(
                "family_history",
                kb.questions["demographics"]["family_history"],
                "choice",
                _family_options(kb),
                reason=f"This {why}.",
                utility=utility,
            )
        )
    out.sort(key=lambda q: (-q.utility, q.id))
    return out


# ---------------------------------------------------------------------------- safety screens


def _asked(findings: Findings, qid: str) -> bool:
    return qid in findings.asked


def _open(findings: Findings, fid: str) -> bool:
    """Not answered (yes, no or not sure) and not put to the person yet."""
    return fid not in findings.items and fid not in findings.asked


def _triggers(kb: KnowledgeBase, fid: str, present: set[str]) -> list[str]:
    return [kb.findings[t].label.lower() for t in kb.findings[fid].screen_when if t in present]


def _flag_question(kb: KnowledgeBase, fid: str, reason: str, utility: float) -> Question:
    flag = kb.findings[fid]
    return Question(flag.id, flag.question, "yes_no", reason=reason, utility=utility, red_flag=True)


def _group_question(group: ScreenGroup, reason: str, utility: float) -> Question:
    """A screen group's checklist as one yes / no / not sure question."""
    return Question(group.id, group.question, "yes_no", reason=reason, utility=utility,
                    red_flag=True)


def _screen_questions(
    findings: Findings, kb: KnowledgeBase, plan: _Plan
) -> tuple[list[Question], list[Question]]:
    """Red-flag screens still to ask: (before the demographics, after them).

    Before: members of a group the person said "yes" to (one by one), then
    emergency screens. After: urgent screens. Only flags linked to something
    the person reports are screened, except a "yes" group's members, which are
    all asked because the person has one of them.
    """
    present = findings.present_ids()
    before: list[Question] = []
    after: list[Question] = []
    grouped_done: set[str] = set()
    for gid in sorted(findings.requested_screens):
        group = plan.groups.get(gid)
        if group is None or _asked(findings, gid) or gid in findings.positive_screens:
            continue
        # The emergency net's request: before every other question, as the message that
        # raised it may be an emergency in words no rule knows.
        reason = "A safety check, because what you wrote could describe something urgent."
        before.append(_group_question(group, reason, EMERGENCY_SCREEN_UTILITY + 1.5))
        grouped_done.update(group.members)
    for group in plan.groups.values():
        if not _asked(findings, group.id) and group.id not in findings.positive_screens:
            continue
        pending = [fid for fid in group.members if _open(findings, fid)]
        pending.sort(key=lambda fid: not _triggers(kb, fid, present))  # linked ones first
        reason = "You said yes to one of these; this finds out which."
        before += [_flag_question(kb, fid, reason, EMERGENCY_SCREEN_UTILITY + 1) for fid in pending]
    for fid in plan.red_flags:
        if fid in grouped_done or not _open(findings, fid):
            continue
        triggers = _triggers(kb, fid, present)
        if not triggers:
            continue
        emergency = kb.findings[fid].urgency == "emergency"
        utility = EMERGENCY_SCREEN_UTILITY if emergency else URGENT_SCREEN_UTILITY
        target = before if emergency else after
        group = plan.groups.get(plan.group_of.get(fid, ""))
        if group is not None and not _asked(findings, group.id):
            grouped_done.update(group.members)
            pending = [m for m in group.members if _open(findings, m)]
            linked = sorted({t for m in pending for t in _triggers(kb, m, present)})
            if len(pending) >= 2:
                reason = f"Safety check because of: {', '.join(linked)}."
                target.append(_group_question(group, reason, utility + 0.5))
                continue
        target.append(
            _flag_question(kb, fid, f"Safety check because of: {', '.join(triggers)}.", utility)
        )
    before.sort(key=lambda q: -q.utility)
    after.sort(key=lambda q: -q.utility)
    return before, after


# ---------------------------------------------------------------------------- demographics


def _diet_known(findings: Findings) -> bool:
    return any(fid in findings.items for fid in DIET_IDS.values())


def _family_ids(kb: KnowledgeBase) -> list[str]:
    return list(_plan(kb).family_ids)


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
        out[i] = replace(q, utility=DEMOGRAPHIC_UTILITY - i * 0.1)
    return out


def _family_options(kb: KnowledgeBase) -> tuple[tuple[str, str], ...]:
    options = [(fid, kb.findings[fid].label) for fid in _family_ids(kb)]
    return (*options, ("none", "None of these"), ("unsure", "Not sure"))


# ---------------------------------------------------------------------------- public API


def rank_questions(findings: Findings) -> list[Question]:
    """Every question still worth asking, most useful first (screens and demographics lead)."""
    kb = load_knowledge()
    plan = _plan(kb)
    before, after = _screen_questions(findings, kb, plan)
    scored = _scored_questions(findings, kb, plan, _now(findings, kb))
    return before + _demographic_questions(findings, kb) + after + scored


def _emergency_follow_up(
    findings: Findings, kb: KnowledgeBase, plan: _Plan, before: list[Question]
) -> Question | None:
    """In an emergency, the one question still worth asking: which item of an emergency
    checklist the person said "yes" to, while none is confirmed. The "yes" has already
    made the triage an emergency (and the person has been told to get help); the answer
    only makes the message specific. Any confirmed emergency flag ends the questions."""
    confirmed = any(
        kb.findings[fid].urgency == "emergency" for fid in _confirmed_red_flags(findings, kb)
    )
    if confirmed:
        return None
    open_members = {
        fid
        for gid in unresolved_screens(findings, kb)
        if plan.groups[gid].urgency == "emergency"
        for fid in plan.groups[gid].members
    }
    return next((q for q in before if q.id in open_members), None)


def _confirmed_red_flags(findings: Findings, kb: KnowledgeBase) -> list[str]:
    """Red-flag findings the person has confirmed."""
    return [
        fid
        for fid in findings.present_ids()
        if fid in kb.findings and kb.findings[fid].kind == "red_flag"
    ]


def stop_and_best(findings: Findings) -> tuple[bool, Question | None]:
    """Whether to stop asking, and the question to ask if not, from one evaluation.

    :func:`should_stop` and :func:`next_question` are this pair taken apart; a
    caller that needs both (the assessment) asks once, because ranking the
    questions is the costly part of a turn. The question is worded for the
    person being checked (the writer, or the someone else they write about).
    """
    kb = load_knowledge()
    stop, question = _stop_and_best(findings, kb)
    if question is None or findings.checked.is_self:
        return stop, question
    return stop, _for_checked_person(question, findings, kb)


def _for_checked_person(question: Question, findings: Findings, kb: KnowledgeBase) -> Question:
    """``question`` in its words for someone checked on another's behalf."""
    if question.id in kb.findings:
        other = kb.findings[question.id].question_other
    elif question.id in kb.questions["screen_groups"]:
        other = kb.questions["screen_groups"][question.id].question_other
    else:
        other = kb.questions["demographics_other"].get(question.id)
    if not other:
        return question
    options = tuple(
        (value, OTHER_LABELS.get(value, label)) for value, label in question.options
    )
    return replace(question, text=worded_for(findings, question.text, other), options=options)


def _stop_and_best(findings: Findings, kb: KnowledgeBase) -> tuple[bool, Question | None]:
    plan = _plan(kb)
    now = _now(findings, kb)
    who = who_question(findings) if now.level != "emergency" else None
    if who is not None:
        # Whose symptoms to ask about comes before any question about them.
        words, options = who
        reason = "So that the questions and the advice are about the right person."
        return False, Question(WHO_ID, words, "choice", options, reason=reason,
                               utility=EMERGENCY_SCREEN_UTILITY + 2)
    if now.level == "emergency":
        follow_up = (
            _emergency_follow_up(findings, kb, plan, _screen_questions(findings, kb, plan)[0])
            if findings.positive_screens
            else None
        )
        return follow_up is None, follow_up
    before, after = _screen_questions(findings, kb, plan)
    # Safety first: an applicable red-flag screen is never skipped by the stop rules below.
    urgent_first = before + _demographic_questions(findings, kb) + after
    if urgent_first:
        return False, urgent_first[0]
    known = len(findings.items) + len(findings.family) + (findings.age is not None)
    if (
        known >= kb.questions["max_known_findings"]
        or len(findings.asked) >= kb.questions["max_questions"]
    ):
        return True, None
    scored = _scored_questions(findings, kb, plan, now)
    if not scored or scored[0].utility < kb.questions["min_utility"]:
        return True, None
    return False, scored[0]


def should_stop(findings: Findings) -> bool:
    """True when asking more would not help: emergency, enough known, or nothing useful left.

    One exception to stopping in an emergency: after a "yes" to the emergency checklist,
    its items are still asked one by one until one is confirmed.
    """
    return stop_and_best(findings)[0]


def next_question(findings: Findings) -> Question | None:
    """The most useful next question, or None when the assistant should stop asking."""
    return stop_and_best(findings)[1]


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
    if question_id == WHO_ID:
        return apply_who(findings, text)
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
    group = kb.questions["screen_groups"].get(question_id)
    if group is not None:
        return _apply_group(findings, group, _yes_no(question_id, text))
    if question_id not in kb.findings:
        raise InputError(
            "I105", id=question_id, special=[*SPECIAL_IDS, *kb.questions["screen_groups"]]
        )
    status = _yes_no(question_id, text)
    items = dict(findings.items)
    if status is Status.UNKNOWN and question_id in items:
        return _mark(findings, question_id)  # "not sure" never erases an earlier answer
    items[question_id] = FindingState(status)
    return _mark(replace(findings, items=items), question_id)


def _apply_group(findings: Findings, group: ScreenGroup, status: Status) -> Findings:
    """A "no" settles every member; "yes" leaves them to be asked one by one; "not sure"
    records each as a "not sure" answer (UNKNOWN), so the interview moves on.

    A "yes" is recorded in ``positive_screens``: on its own it makes the triage the
    group's urgency until a member is confirmed, so answering "no" or "not sure" to
    every item afterwards never ends in routine advice. A later "no" to the group
    itself is a correction and withdraws it; a later "not sure" does not.
    """
    updated = findings
    asked = {group.id}
    if status is Status.PRESENT:
        updated = replace(updated, positive_screens=findings.positive_screens | {group.id})
    elif status is Status.ABSENT:
        updated = replace(updated, positive_screens=findings.positive_screens - {group.id})
        for fid in group.members:
            if updated.status(fid) is not Status.PRESENT:  # a "no" never erases a "yes"
                updated = updated.with_item(fid, Status.ABSENT)
    elif status is Status.UNKNOWN:
        items = dict(findings.items)
        for fid in group.members:
            items.setdefault(fid, FindingState(Status.UNKNOWN))  # answered "not sure"
        updated = replace(findings, items=items)
    return replace(updated, asked=findings.asked | asked)


# ---------------------------------------------------------------------------- presentation


_CHECKLIST = re.compile(
    r"^(?P<head>.*?\b(?:any|either) of these)\s*:\s*(?P<items>.+?)\s*\?$", re.S
)
CHECKLIST_MIN_ITEMS = 3


def as_checklist(text: str) -> str:
    """A "have you had any of these: a; b; c?" question as its lead-in and one line per item.

    Nine warning signs in one sentence are hard to read on a phone and easy to skim
    past; as lines, each is seen. Every channel shows the lines as they are (the web
    chat as a list), so the same text serves all of them. Shorter questions stay as
    they are written.
    """
    match = _CHECKLIST.match(text.strip())
    if match is None:
        return text
    items = [item.strip() for item in match.group("items").split(";") if item.strip()]
    if len(items) < CHECKLIST_MIN_ITEMS:
        return text
    return f"{match.group('head').strip()}?\n\n" + "\n".join(f"- {item}" for item in items)


_GO_BACK = re.compile(
    r"^\s*(?:please\s+|oops,?\s+|sorry,?\s+|wait,?\s+)*"
    r"(?:go\s+back(?:\s+(?:one|a)\s+(?:question|step))?"
    r"|(?:go\s+)?back\s+to\s+the\s+(?:last|previous)\s+question"
    r"|(?:the\s+)?previous\s+question"
    r"|undo(?:\s+(?:my|that|the)\s+(?:last\s+)?answer)?"
    r"|(?:i\s+(?:want|need)\s+to\s+|let\s+me\s+|can\s+i\s+)?change\s+(?:my|that|the)\s+"
    r"(?:last|previous)\s+answer)"
    r"(?:\s+please)?\s*[.!?]*\s*$",
    re.I,
)


def asks_to_go_back(text: str) -> bool:
    """Whether a reply asks for the previous question again ("go back", "change my last
    answer"), whatever intent the classifier gave it.

    Only whole requests count: "go back to the beginning" is starting over, and "my
    back hurts" is a symptom.
    """
    return bool(_GO_BACK.match(text or ""))


# ---------------------------------------------------------------------------- progress

# Enough for every question the core can ask in one interview, with room for the screens
# it asks beyond its limit; the loop below never runs longer.
_MAX_SIMULATED = 40


def _likely_answer(question: Question) -> str:
    """The answer used to look ahead: "no" to a yes/no question (most people say no to
    most symptoms), "not sure" otherwise, which every other kind accepts."""
    return "no" if question.kind == "yes_no" else "unsure"


def questions_left(findings: Findings) -> int:
    """The core's own estimate of how many questions are left, the next one included.

    It plays the interview forward with the likeliest answer to each question until the
    core would stop, so the count follows the same rules as the questions themselves
    (screens first, the question limit, the stop rules). A "yes" can add safety
    questions, so it is an estimate: the chat says "about".
    """
    count = 0
    current = findings
    while count < _MAX_SIMULATED:
        question = next_question(current)
        if question is None:
            break
        count += 1
        try:
            current = apply_answer(current, question.id, _likely_answer(question))
        except InputError:
            current = _mark(current, question.id)
    return count


@dataclass(frozen=True)
class Progress:
    """Where the person is in the interview: "Question 4 of about 10"."""

    number: int
    about: int

    def words(self) -> str:
        return f"Question {self.number} of about {max(self.about, self.number)}"

    def to_dict(self) -> dict[str, int]:
        return {"number": self.number, "about": self.about}


def progress(findings: Findings, answered: int) -> Progress:
    """Progress for the question about to be asked, after ``answered`` answers."""
    number = answered + 1
    return Progress(number=number, about=answered + max(1, questions_left(findings)))
