"""Loading and scoring the frozen blind round-3 evaluation sets (``tests/nlu/data/blind_r3_*.yml``).

The three sets are scored once, by ``bench/blind_eval.py``, and that first run's figures are
the ones reported; so everything here takes the extractor, the emergency rule and the live
assistant as callables, and is tested on small synthetic sets (``test_blind_scorer.py``),
never on the frozen files themselves.

Notation of a mention (``mentions`` lists), as the sets write it:

``id``          present, the checked person, now
``id!``         denied (absent), the checked person, now
``id?``         not sure (unknown), the checked person, now
``hyp:id``      hypothetical or a worry: unknown, the checked person, now
``past:id``     only in the past: absent now, with ``past`` set (as ``Findings`` stores it)
``fam:id``      family history (a blood relative, or "runs in the family")
``other:id``    someone else's (a friend, a partner, a TV character...): never the person's

A finding is right only when id, polarity (present / absent / unknown), experiencer (the
checked person / family history / another person) and time (now / past) all match, so a
friend's chest pain stored as the person's own is both a miss and a false finding. Family
history has no time in :class:`bot.findings.Findings`, so it is compared without one.

Where a message is written for someone else (``subject: other`` with ``who``), the checked
person is that someone: :func:`score_as_subject` applies the rule that decides whose a
mention is, so the extractor is scored both as it stands (``raw``) and after that rule.
"""

from __future__ import annotations

import json
import secrets
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import yaml

from bot.findings import Extraction, LabResult, Mention, Status

DATA = Path(__file__).resolve().parent / "data"
EMERGENCIES = "blind_r3_emergencies.yml"
NOT_EMERGENCIES = "blind_r3_not_emergencies.yml"
ORDINARY = "blind_r3_ordinary.yml"
SET_FILES = {"ordinary": ORDINARY, "not_emergencies": NOT_EMERGENCIES, "emergencies": EMERGENCIES}

CHECKED, FAMILY, OTHER = "checked", "family", "other"
NOW, PAST = "now", "past"
# (finding id, polarity, experiencer, time)
FindingKey = tuple[str, str, str, str]
PREFIXES = ("hyp", "other", "fam", "past")
# Spellings later rounds use for the same prefixes (round 4 writes "family:x").
PREFIX_ALIASES = {"family": "fam"}
CRISIS_MARKERS = ("Samaritans", "116 123")
ALERT_TYPE = "b12_emergency"

Extract = Callable[[str], Extraction]
Announces = Callable[[Extraction], bool]


class NotationError(ValueError):
    """A label the scorer does not understand: raised before anything is scored, so a
    surprise in a frozen set never spends its one run."""


# ------------------------------------------------------------------------------ loading


def load_cases(path: Path | str) -> list[dict[str, Any]]:
    """The ``cases`` list of one set file."""
    with Path(path).open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    cases = data.get("cases") if isinstance(data, dict) else None
    if not isinstance(cases, list):
        raise NotationError(f"{path}: expected a top-level 'cases' list")
    return cases


# Round 5 was written from docs/entities.md, which named only some finding ids then, so its
# writer named the others in their own words. Each such name is mapped here, by label only
# and before the set's first run, to the knowledge base's id; the frozen files stay as
# written. A name can stand for a red flag in the emergency sets and for the everyday
# symptom in the ordinary set ("breathlessness").
_ROUND5_IDS = {
    "unable_to_walk": "rapid_leg_weakness",
    "incontinence": "bladder_bowel_loss",
    "vision_loss": "sudden_vision_loss",
    "psychosis": "acute_confusion",
    "seizure": "emergency_described",
    "bleeding": "unusual_bleeding",
    "low_mood": "depression",
    "pallor": "pale_skin",
    "muscle_weakness": "weakness",
    "appetite_loss": "loss_of_appetite",
}
ID_ALIASES: dict[tuple[int, str], dict[str, str]] = {
    (5, "emergencies"): {**_ROUND5_IDS, "breathlessness": "severe_breathlessness"},
    (5, "not_emergencies"): {**_ROUND5_IDS, "breathlessness": "severe_breathlessness"},
    (5, "ordinary"): {**_ROUND5_IDS, "breathlessness": "shortness_of_breath"},
}


def rename_label(item: str, aliases: dict[str, str]) -> str:
    """``other:past:unable_to_walk!`` with its id mapped (prefixes and suffix kept)."""
    *prefixes, name = str(item).split(":")
    suffix = name[-1] if name.endswith(("!", "?")) else ""
    bare = name[:-1] if suffix else name
    return ":".join([*prefixes, aliases.get(bare, bare) + suffix])


def _renamed(case: Any, aliases: dict[str, str]) -> Any:
    if not aliases or not isinstance(case, dict):
        return case
    case = dict(case)
    for key in ("mentions", "red_flags", "red_flags_mentioned"):
        if isinstance(case.get(key), list):
            case[key] = [rename_label(item, aliases) for item in case[key]]
    return case


def load_set(name: str, data_dir: Path | str = DATA, round_: int = 3) -> list[dict[str, Any]]:
    """One set by its short name (``ordinary``, ``not_emergencies``, ``emergencies``) and
    round (the files of round N are ``blind_rN_<name>.yml``, in the same notation), with the
    round's id names mapped (``ID_ALIASES``)."""
    filename = SET_FILES[name].replace("blind_r3_", f"blind_r{round_}_")
    aliases = ID_ALIASES.get((round_, name), {})
    return [_renamed(case, aliases) for case in load_cases(Path(data_dir) / filename)]


# ------------------------------------------------------------------------------ notation


def parse_mention(item: str) -> FindingKey:
    """The expected finding a label stands for (see the module docstring).

    Prefixes may combine (``fam:hyp:id``); a hypothetical wins over a denial, and a denial
    over "past", as :meth:`bot.findings.Findings.update` decides.
    """
    text = str(item).strip()
    prefixes: set[str] = set()
    while ":" in text:
        head, rest = text.split(":", 1)
        head = PREFIX_ALIASES.get(head, head)
        if head not in PREFIXES:
            raise NotationError(f"unknown prefix {head!r} in {item!r}")
        prefixes.add(head)
        text = rest
    if "fam" in prefixes and "other" in prefixes:
        raise NotationError(f"{item!r} is both family and someone else")
    suffix = ""
    if text.endswith(("!", "?")):
        text, suffix = text[:-1], text[-1]
    if not text or not text.replace("_", "").isalnum():
        raise NotationError(f"bad finding id in {item!r}")
    experiencer = FAMILY if "fam" in prefixes else OTHER if "other" in prefixes else CHECKED
    if "hyp" in prefixes or suffix == "?":
        polarity, when = Status.UNKNOWN.value, NOW
    elif suffix == "!":
        polarity, when = Status.ABSENT.value, NOW
    elif "past" in prefixes:
        polarity, when = Status.ABSENT.value, PAST
    else:
        polarity, when = Status.PRESENT.value, NOW
    if experiencer == FAMILY:
        when = NOW
    return text, polarity, experiencer, when


def expected_keys(case: dict[str, Any]) -> set[FindingKey]:
    return {parse_mention(item) for item in case.get("mentions") or []}


REQUIRED_KEYS = {
    # A message with only a lab result may label no finding (round 4 leaves "mentions" out).
    "ordinary": ("text", "subject"),
    "not_emergencies": ("text", "kind", "subject", "mentions", "emergency"),
    "emergencies": ("text", "subject", "red_flags", "emergency"),
}


def check_notation(cases: Sequence[dict[str, Any]], set_name: str) -> list[str]:
    """Every problem with the labels of a set (case index and what is wrong, no text).

    Reads labels only: no extractor runs, so it can be called before the one scoring run.
    """
    problems: list[str] = []
    for index, case in enumerate(cases):
        if not isinstance(case, dict):
            problems.append(f"#{index}: not a mapping")
            continue
        for key in REQUIRED_KEYS[set_name]:
            if key not in case:
                problems.append(f"#{index}: no {key!r}")
        if case.get("subject") not in ("self", "other"):
            problems.append(f"#{index}: subject {case.get('subject')!r} is not self|other")
        for item in case.get("mentions") or []:
            try:
                parse_mention(item)
            except NotationError as error:
                problems.append(f"#{index}: {error}")
        for lab in case.get("labs") or []:
            if not isinstance(lab, dict) or not {"analyte", "value", "unit"} <= set(lab):
                problems.append(f"#{index}: lab {lab!r} needs analyte, value and unit")
        if set_name == "not_emergencies" and case.get("emergency") not in ("wrong", "allowed"):
            problems.append(f"#{index}: emergency {case.get('emergency')!r} is not wrong|allowed")
        if set_name == "emergencies" and not case.get("red_flags"):
            problems.append(f"#{index}: no red_flags")
    return problems


# ------------------------------------------------------------------------------ people


@dataclass(frozen=True)
class Relation:
    """What the scorer needs to know of a relation word: which relations it can stand for
    (``group``: "child" covers son and daughter), the sex it implies, and whether it is a
    blood relative (whose findings are family history)."""

    group: str
    sex: str | None
    blood: bool


_RELATIONS: dict[str, Relation] = {
    "mother": Relation("parent", "female", True),
    "father": Relation("parent", "male", True),
    "parent": Relation("parent", None, True),
    "son": Relation("child", "male", True),
    "daughter": Relation("child", "female", True),
    "child": Relation("child", None, True),
    "brother": Relation("sibling", "male", True),
    "sister": Relation("sibling", "female", True),
    "sibling": Relation("sibling", None, True),
    "grandmother": Relation("grandparent", "female", True),
    "grandfather": Relation("grandparent", "male", True),
    "grandparent": Relation("grandparent", None, True),
    "grandson": Relation("grandchild", "male", True),
    "granddaughter": Relation("grandchild", "female", True),
    "grandchild": Relation("grandchild", None, True),
    "aunt": Relation("aunt", "female", True),
    "uncle": Relation("uncle", "male", True),
    "cousin": Relation("cousin", None, True),
    "niece": Relation("niece", "female", True),
    "nephew": Relation("nephew", "male", True),
    "family": Relation("family", None, True),
    "husband": Relation("partner", "male", False),
    "wife": Relation("partner", "female", False),
    "partner": Relation("partner", None, False),
    "mother_in_law": Relation("mother_in_law", "female", False),
    "father_in_law": Relation("father_in_law", "male", False),
    "friend": Relation("friend", None, False),
    "flatmate": Relation("flatmate", None, False),
}
_ALIASES = {
    "mum": "mother", "mom": "mother", "mam": "mother", "mummy": "mother", "mommy": "mother",
    "ma": "mother", "dad": "father", "daddy": "father", "papa": "father", "pa": "father",
    "kid": "child", "baby": "child", "toddler": "child",
    "bro": "brother", "sis": "sister",
    "gran": "grandmother", "granny": "grandmother", "grandma": "grandmother",
    "nan": "grandmother", "nana": "grandmother", "nanny": "grandmother",
    "grandad": "grandfather", "granddad": "grandfather", "grandpa": "grandfather",
    "spouse": "partner", "boyfriend": "partner", "girlfriend": "partner", "fiance": "partner",
    "fiancee": "partner", "missus": "wife", "hubby": "husband",
    "housemate": "flatmate", "roommate": "flatmate",
}
PRONOUNS = {"he": "male", "him": "male", "she": "female", "her": "female", "they": None,
            "them": None}


def normalise_person(name: str | None) -> str:
    """``Mother-in-law`` and ``mother_in_law`` are the same word; ``mum`` is ``mother``."""
    text = (name or "").strip().lower().replace("-", "_").replace(" ", "_")
    return _ALIASES.get(text, text)


def relation(name: str | None) -> Relation | None:
    return _RELATIONS.get(normalise_person(name))


def case_subject(case: dict[str, Any]) -> str:
    """Who the check is for, as the set labels it: ``self`` or the relation in ``who``
    (``someone`` when a set says ``other`` without saying who)."""
    if case.get("subject") != "other":
        return "self"
    return normalise_person(case.get("who")) or "someone"


def is_subject(person: str, subject: str) -> bool:
    """Whether a mention's ``person`` names the person the check is for (not "" or "self":
    those are decided by the caller)."""
    person, subject = normalise_person(person), normalise_person(subject)
    if subject == "self" or not person:
        return False
    if person == subject:
        return True
    wanted = relation(subject)
    if person in PRONOUNS:
        sex = PRONOUNS[person]
        return sex is None or wanted is None or wanted.sex is None or wanted.sex == sex
    found = relation(person)
    if found is None or wanted is None or found.group != wanted.group:
        return False
    return found.sex is None or wanted.sex is None or found.sex == wanted.sex


def experiencer_raw(mention: Mention) -> str:
    """Whose finding the extraction says it is, reading the writer as the checked person.

    ``family`` flag or ``person == "family"`` -> family history; ``""`` / ``"self"`` ->
    the checked person; any other relation or pronoun -> another person.
    """
    person = normalise_person(mention.person)
    if mention.family or person == "family":
        return FAMILY
    if person in ("", "self"):
        return CHECKED
    return OTHER


def experiencer_for(mention: Mention, subject: str, *, writer_as_family: bool = False) -> str:
    """Whose finding it is when the check is for ``subject`` (``self`` or a relation).

    The checked person's when the mention's person is ``""`` (the words do not say; unless
    the extractor flagged it as a relative's) or names the subject; ``self`` is the writer,
    the checked person only when the check is for the writer; blood relatives (and the
    family as a whole) are family history; everyone else is another person. The writer of
    a check for a blood relative is another person unless ``writer_as_family``.
    """
    person = normalise_person(mention.person)
    subject = normalise_person(subject) or "self"
    if person == "self":
        if subject == "self":
            return CHECKED
        wanted = relation(subject)
        return FAMILY if writer_as_family and wanted is not None and wanted.blood else OTHER
    if person == "" and not mention.family:
        return CHECKED
    if person and is_subject(person, subject):
        return CHECKED
    found = relation(person)
    if mention.family or person == "family" or (found is not None and found.blood):
        return FAMILY
    return OTHER


def score_as_subject(
    mentions: Iterable[Mention], subject: str, *, writer_as_family: bool = False
) -> list[tuple[Mention, str]]:
    """Each mention with whose finding it is under the subject rule (:func:`experiencer_for`).

    Pure: the mentions are not changed, so the same extraction can be scored raw and
    folded through the rule.
    """
    return [
        (m, experiencer_for(m, subject, writer_as_family=writer_as_family)) for m in mentions
    ]


def mention_key(mention: Mention, experiencer: str) -> FindingKey:
    """The key a mention is stored under, as :meth:`Findings.update` stores it: unknown when
    hypothetical or uncertain, absent when denied, absent-in-the-past when only past."""
    if mention.hypothetical or mention.uncertain:
        return mention.id, Status.UNKNOWN.value, experiencer, NOW
    if mention.negated:
        return mention.id, Status.ABSENT.value, experiencer, NOW
    if mention.past and experiencer != FAMILY:
        return mention.id, Status.ABSENT.value, experiencer, PAST
    return mention.id, mention.status.value, experiencer, NOW


def raw_keys(extraction: Extraction) -> set[FindingKey]:
    return {mention_key(m, experiencer_raw(m)) for m in extraction.mentions}


def subject_keys(
    extraction: Extraction, subject: str, *, writer_as_family: bool = False
) -> set[FindingKey]:
    return {
        mention_key(m, who)
        for m, who in score_as_subject(
            extraction.mentions, subject, writer_as_family=writer_as_family
        )
    }


# ------------------------------------------------------------------------------ figures


@dataclass
class PRF:
    """Micro precision / recall / F1 over keys (empty sides count as perfect)."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def add(self, expected: set[Any], found: set[Any]) -> None:
        self.tp += len(expected & found)
        self.fp += len(found - expected)
        self.fn += len(expected - found)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


@dataclass
class Rate:
    """Hits out of the cases where the figure applies."""

    hits: int = 0
    total: int = 0

    def add(self, hit: bool) -> None:
        self.total += 1
        self.hits += int(bool(hit))

    @property
    def value(self) -> float:
        return self.hits / self.total if self.total else 1.0


@dataclass(frozen=True)
class Miss:
    """One thing a case got wrong: the case index (0-based) and a category; ``detail`` holds
    labels only (finding ids, analytes), never the message."""

    set_name: str
    index: int
    category: str
    detail: str = ""


def _fmt(keys: Iterable[FindingKey]) -> str:
    return ", ".join("/".join(k) for k in sorted(keys))


# ------------------------------------------------------------------------------ labs

# Factors to each analyte's canonical unit (bot/knowledge/data/labs.yml); the knowledge base's
# own table is used when it loads, this one when it does not.
_LAB_UNITS: dict[str, dict[str, float]] = {
    "b12_total": {"ng/l": 1.0, "pg/ml": 1.0, "pmol/l": 1.355},
    "b12_active": {"pmol/l": 1.0},
    "folate": {"ug/l": 1.0, "ng/ml": 1.0, "nmol/l": 0.4413},
    "mcv": {"fl": 1.0, "um3": 1.0},
    "hb": {"g/l": 1.0, "g/dl": 10.0},
    "mma": {"nmol/l": 1.0, "umol/l": 1000.0},
    "homocysteine": {"umol/l": 1.0},
}


def normalise_unit(unit: str) -> str:
    text = str(unit).strip().lower().replace(" ", "")
    for old, new in (("µ", "u"), ("μ", "u"), ("mcg", "ug"), ("mc", "u")):
        text = text.replace(old, new)
    return text


@lru_cache(maxsize=1)
def lab_units() -> dict[str, dict[str, float]]:
    table = {analyte: dict(units) for analyte, units in _LAB_UNITS.items()}
    try:
        from bot.knowledge import load_knowledge

        for analyte_id, analyte in load_knowledge().labs.items():
            units = table.setdefault(analyte_id, {})
            for unit, factor in analyte.units.items():
                units[normalise_unit(unit)] = float(factor)
    except Exception:  # noqa: BLE001 - the built-in table is enough to score
        pass
    return table


def lab_matches(expected: dict[str, Any], found: LabResult, *, rel: float = 0.01,
                absolute: float = 0.05) -> bool:
    """Same analyte, and the same quantity within 1 % or 0.05 (in the expected unit).

    The extractor may give the value as written or converted to the analyte's canonical
    unit; either is right when it is the same quantity, so both sides are compared in the
    canonical unit. A unit the table does not know must then match exactly.
    """
    if found.analyte != expected["analyte"]:
        return False
    want_unit, got_unit = normalise_unit(expected["unit"]), normalise_unit(found.unit)
    want, got = float(expected["value"]), float(found.value)
    units = lab_units().get(found.analyte, {})
    if want_unit in units and got_unit in units:
        scale = units[want_unit]
        want_c, got_c = want * scale, got * units[got_unit]
        return abs(got_c - want_c) <= max(rel * abs(want_c), absolute * scale) + 1e-9
    return want_unit == got_unit and abs(got - want) <= max(rel * abs(want), absolute) + 1e-9


def match_labs(
    expected: Sequence[dict[str, Any]], found: Sequence[LabResult]
) -> tuple[int, list[dict[str, Any]], list[LabResult]]:
    """One-to-one matching: (matched count, expected left over, found left over)."""
    left = list(found)
    missed: list[dict[str, Any]] = []
    matched = 0
    for want in expected:
        hit = next((lab for lab in left if lab_matches(want, lab)), None)
        if hit is None:
            missed.append(want)
        else:
            left.remove(hit)
            matched += 1
    return matched, missed, left


# ------------------------------------------------------------------------------ ordinary


FIELDS = ("duration_days", "pregnant", "age", "sex")


def _field_value(extraction: Extraction, name: str) -> Any:
    value = getattr(extraction, name, None)
    return value.value if isinstance(value, Status) else value


def _expected_field(case: dict[str, Any], name: str) -> Any:
    value = case[name]
    return value.value if isinstance(value, Status) else value


def misattributed(expected: set[FindingKey], found: set[FindingKey]) -> list[FindingKey]:
    """Found keys that make another person's finding the checked person's own or family
    history: the set labels the id ``other:``, the key is not expected, and it is kept as
    the checked person's or the family's."""
    others = {k[0] for k in expected if k[2] == OTHER}
    return sorted(
        k for k in found - expected if k[0] in others and k[2] in (CHECKED, FAMILY)
    )


@dataclass
class FindingsScore:
    """Findings of one set, raw and under the subject rule."""

    raw: PRF = field(default_factory=PRF)
    subject: PRF = field(default_factory=PRF)
    # Under the subject rule, without "another person" on either side: what gets stored.
    stored: PRF = field(default_factory=PRF)
    misattributed_raw: int = 0
    misattributed: int = 0


def _score_findings(
    score: FindingsScore,
    misses: list[Miss],
    set_name: str,
    index: int,
    case: dict[str, Any],
    extraction: Extraction,
    writer_as_family: bool,
) -> None:
    expected = expected_keys(case)
    raw = raw_keys(extraction)
    ruled = subject_keys(extraction, case_subject(case), writer_as_family=writer_as_family)
    score.raw.add(expected, raw)
    score.subject.add(expected, ruled)
    score.stored.add(
        {k for k in expected if k[2] != OTHER}, {k for k in ruled if k[2] != OTHER}
    )
    score.misattributed_raw += len(misattributed(expected, raw))
    wrong = misattributed(expected, ruled)
    score.misattributed += len(wrong)
    if wrong:
        misses.append(Miss(set_name, index, "another person's finding kept", _fmt(wrong)))
    if expected - ruled:
        misses.append(Miss(set_name, index, "finding missed", _fmt(expected - ruled)))
    if ruled - expected:
        misses.append(Miss(set_name, index, "finding extra", _fmt(ruled - expected)))


@dataclass
class OrdinaryScore:
    cases: int = 0
    findings: FindingsScore = field(default_factory=FindingsScore)
    labs: PRF = field(default_factory=PRF)
    fields: dict[str, Rate] = field(default_factory=lambda: {name: Rate() for name in FIELDS})
    subject_recognised: Rate = field(default_factory=Rate)
    misses: list[Miss] = field(default_factory=list)


def subject_recognised(extraction: Extraction) -> bool:
    """The extraction says the check is for someone else (``Extraction.subject`` may not
    exist in older extractors: then it is not recognised)."""
    return getattr(extraction, "subject", None) not in (None, "", "self")


def score_ordinary(
    cases: Sequence[dict[str, Any]], extract: Extract, *, writer_as_family: bool = False
) -> OrdinaryScore:
    """Findings (raw and under the subject rule), labs, and the labelled values."""
    score = OrdinaryScore(cases=len(cases))
    for index, case in enumerate(cases):
        extraction = extract(str(case["text"]))
        _score_findings(
            score.findings, score.misses, "ordinary", index, case, extraction, writer_as_family
        )
        wanted = list(case.get("labs") or [])
        matched, missed, extra = match_labs(wanted, extraction.labs)
        score.labs.tp += matched
        score.labs.fn += len(missed)
        score.labs.fp += len(extra)
        if missed:
            names = ", ".join(sorted(str(lab["analyte"]) for lab in missed))
            misses_found = {lab.analyte for lab in extra}
            wrong_value = sorted(str(lab["analyte"]) for lab in missed
                                 if lab["analyte"] in misses_found)
            category = "lab value/unit wrong" if wrong_value else "lab missed"
            score.misses.append(Miss("ordinary", index, category, names))
        if extra and not missed:
            score.misses.append(
                Miss("ordinary", index, "lab extra", ", ".join(sorted(x.analyte for x in extra)))
            )
        for name in FIELDS:
            if name not in case or case[name] is None:
                continue
            right = _field_value(extraction, name) == _expected_field(case, name)
            score.fields[name].add(right)
            if not right:
                score.misses.append(Miss("ordinary", index, f"{name} wrong"))
        if case.get("subject") == "other":
            recognised = subject_recognised(extraction)
            score.subject_recognised.add(recognised)
            if not recognised:
                score.misses.append(Miss("ordinary", index, "subject not recognised"))
    return score


# ------------------------------------------------------------------------------ emergencies


def announce_rule() -> tuple[str, Callable[[list[dict[str, Any]]], bool]]:
    """The NLU's rule for announcing an emergency from the words, and its name:
    ``reports_red_flag_now`` where it exists, else ``reports_own_red_flag``."""
    from bot.nlu import entities

    rule = getattr(entities, "reports_red_flag_now", None)
    if callable(rule):
        return "reports_red_flag_now", rule
    return "reports_own_red_flag", entities.reports_own_red_flag


def nlu_announces(extraction: Extraction, kinds: dict[str, str] | None = None) -> bool:
    """Whether the NLU component would announce an emergency for this extraction.

    ``kinds`` (finding id -> symptom / risk_factor / red_flag) defaults to the knowledge
    base's; tests pass their own so they do not depend on it.
    """
    from bot.nlu.entities import extraction_to_entities, finding_kinds

    _, rule = announce_rule()
    kinds = finding_kinds() if kinds is None else kinds
    return bool(rule(extraction_to_entities(extraction, kinds=kinds)))


@dataclass
class NotEmergencyScore:
    cases: int = 0
    wrong_cases: int = 0
    allowed_cases: int = 0
    # (case index, kind) of each "emergency: wrong" case the rule announced.
    false_emergencies: list[tuple[int, str]] = field(default_factory=list)
    # Announced "allowed" cases: shown, never counted.
    allowed_announced: list[tuple[int, str]] = field(default_factory=list)
    findings: FindingsScore = field(default_factory=FindingsScore)
    misses: list[Miss] = field(default_factory=list)


def score_not_emergencies(
    cases: Sequence[dict[str, Any]],
    extract: Extract,
    announces: Announces = nlu_announces,
    *,
    writer_as_family: bool = False,
) -> NotEmergencyScore:
    """False emergencies among ``emergency: wrong`` cases; ``allowed`` ones are listed
    apart and not counted. The findings are scored too (every case lists its mentions)."""
    score = NotEmergencyScore(cases=len(cases))
    for index, case in enumerate(cases):
        extraction = extract(str(case["text"]))
        kind = str(case.get("kind", ""))
        announced = announces(extraction)
        if case.get("emergency") == "allowed":
            score.allowed_cases += 1
            if announced:
                score.allowed_announced.append((index, kind))
        else:
            score.wrong_cases += 1
            if announced:
                score.false_emergencies.append((index, kind))
                score.misses.append(Miss("not_emergencies", index, f"false emergency ({kind})"))
        _score_findings(
            score.findings, score.misses, "not_emergencies", index, case, extraction,
            writer_as_family,
        )
    return score


@dataclass
class EmergencyScore:
    cases: int = 0
    announced: Rate = field(default_factory=Rate)
    red_flag: Rate = field(default_factory=Rate)
    red_flag_raw: Rate = field(default_factory=Rate)
    subject_recognised: Rate = field(default_factory=Rate)
    subject_matched: Rate = field(default_factory=Rate)
    age: Rate = field(default_factory=Rate)
    misses: list[Miss] = field(default_factory=list)


def _red_flag_found(keys: set[FindingKey], red_flags: Iterable[str]) -> bool:
    wanted = set(red_flags)
    return any(
        k[0] in wanted and k[1] == Status.PRESENT.value and k[2] == CHECKED and k[3] == NOW
        for k in keys
    )


def score_emergencies(
    cases: Sequence[dict[str, Any]],
    extract: Extract,
    announces: Announces = nlu_announces,
    *,
    writer_as_family: bool = False,
) -> EmergencyScore:
    """Announced by the rule; any listed red flag present now for the checked person
    (under the subject rule, and raw); the subject recognised for ``subject: other``; the
    age attached where labelled."""
    score = EmergencyScore(cases=len(cases))
    for index, case in enumerate(cases):
        extraction = extract(str(case["text"]))
        flags = [str(f) for f in case.get("red_flags") or []]
        announced = announces(extraction)
        score.announced.add(announced)
        if not announced:
            score.misses.append(Miss("emergencies", index, "not announced", ", ".join(flags)))
        subject = case_subject(case)
        found = _red_flag_found(
            subject_keys(extraction, subject, writer_as_family=writer_as_family), flags
        )
        score.red_flag.add(found)
        score.red_flag_raw.add(_red_flag_found(raw_keys(extraction), flags))
        if not found:
            score.misses.append(Miss("emergencies", index, "red flag not found", ", ".join(flags)))
        if case.get("subject") == "other":
            recognised = subject_recognised(extraction)
            score.subject_recognised.add(recognised)
            said = getattr(extraction, "subject", None) or ""
            score.subject_matched.add(
                recognised and (normalise_person(said) == subject or is_subject(said, subject))
            )
            if not recognised:
                score.misses.append(Miss("emergencies", index, "subject not recognised"))
        if case.get("age") is not None:
            right = extraction.age == case["age"]
            score.age.add(right)
            if not right:
                score.misses.append(Miss("emergencies", index, "age not attached"))
    return score


# ------------------------------------------------------------------------------ live


class LiveError(RuntimeError):
    """A request to the running assistant failed; the message says which and why."""


class Assistant(Protocol):
    """What the live scoring needs of a running assistant."""

    def say(self, sender: str, text: str) -> list[dict[str, Any]]: ...

    def tracker(self, sender: str) -> dict[str, Any] | None: ...


@dataclass
class RestAssistant:
    """A running assistant over its REST channel (``/webhooks/rest/webhook``, Bearer
    ``B12_REST_TOKEN``) and, when ``api_token`` and ``id_key`` are known, Rasa's HTTP API
    for the tracker (``/conversations/<stored id>/tracker?token=``; REST senders are
    stored under a keyed hash, ``bot.channels.identity.pseudonym``)."""

    url: str
    rest_token: str
    api_token: str | None = None
    id_key: str | None = None
    timeout: float = 90.0
    retries: int = 1
    pause: float = 2.0

    def _open(self, request: urllib.request.Request) -> bytes:
        with urllib.request.urlopen(request, timeout=self.timeout) as reply:
            return reply.read()

    def _call(self, request: urllib.request.Request, what: str, retries: int) -> Any:
        last: Exception | None = None
        for attempt in range(retries + 1):
            if attempt:
                time.sleep(self.pause)
            try:
                return json.loads(self._open(request))
            except urllib.error.HTTPError as error:
                last = error
                if error.code < 500 and error.code != 429:
                    break
            except (urllib.error.URLError, OSError, TimeoutError, ValueError) as error:
                last = error
        raise LiveError(f"{what}: {type(last).__name__}: {last}")

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        """One turn. Not retried here: a POST that timed out may have been handled, so the
        caller starts a fresh conversation instead."""
        body = json.dumps({"sender": sender, "message": text}).encode()
        request = urllib.request.Request(
            self.url.rstrip("/") + "/webhooks/rest/webhook",
            body,
            {"Content-Type": "application/json", "Authorization": f"Bearer {self.rest_token}"},
        )
        reply = self._call(request, "REST turn", retries=0)
        if not isinstance(reply, list):
            raise LiveError(f"REST turn: expected a list of messages, got {type(reply).__name__}")
        return reply

    def stored_id(self, sender: str) -> str:
        from bot.channels.identity import pseudonym

        return pseudonym("rest", sender, (self.id_key or "").encode("utf-8"))

    def tracker(self, sender: str) -> dict[str, Any] | None:
        if not (self.api_token and self.id_key):
            return None
        query = urllib.parse.urlencode({"token": self.api_token})
        sender_id = urllib.parse.quote(self.stored_id(sender), safe="")
        request = urllib.request.Request(
            f"{self.url.rstrip('/')}/conversations/{sender_id}/tracker?{query}"
        )
        reply = self._call(request, "tracker", retries=self.retries)
        if not isinstance(reply, dict):
            raise LiveError("tracker: not a JSON object")
        return reply


def alert_levels(messages: Iterable[dict[str, Any]]) -> list[str]:
    """The levels of every ``b12_emergency`` payload (a missing level counts as emergency,
    as the channels read it)."""
    levels = []
    for message in messages:
        payload = message.get("custom")
        if isinstance(payload, dict) and payload.get("type") == ALERT_TYPE:
            level = payload.get("level")
            levels.append(level if level in ("emergency", "urgent") else "emergency")
    return levels


def wants_crisis_lines(case: dict[str, Any]) -> bool:
    """Crisis lines are due where labelled (``crisis_lines: true``) and wherever suicidal
    thoughts are among the case's red flags (rounds that did not add the label)."""
    if case.get("crisis_lines") is not None:
        return bool(case.get("crisis_lines"))
    return "suicidal_thoughts" in (case.get("red_flags") or ())


def has_crisis_lines(messages: Iterable[dict[str, Any]]) -> bool:
    parts: list[str] = []
    for message in messages:
        parts.append(str(message.get("text") or ""))
        payload = message.get("custom")
        if isinstance(payload, dict):
            parts.append(str(payload.get("message") or payload.get("text") or ""))
    text = "\n".join(parts)
    return any(marker in text for marker in CRISIS_MARKERS)


# Triage levels from the most to the least urgent.
LEVELS = ("emergency", "urgent", "soon", "routine")


def level_at_least(level: str | None, wanted: str) -> bool:
    """Whether ``level`` is ``wanted`` or more urgent; an unknown label asks for an
    emergency, as the sets' default is."""
    if level not in LEVELS:
        return False
    rank = LEVELS.index(wanted) if wanted in LEVELS else 0
    return LEVELS.index(level) <= rank


def final_level(tracker: dict[str, Any]) -> str:
    """The triage level of the findings the conversation stored."""
    from bot.findings import Findings
    from bot.triage import triage

    slots = tracker.get("slots") or {}
    return triage(Findings.from_dict(slots.get("findings"))).level


def screen_requested(tracker: dict[str, Any]) -> bool:
    """Whether the emergency net asked for the emergency screening question."""
    from bot.findings import Findings

    slots = tracker.get("slots") or {}
    return "emergency_screen" in Findings.from_dict(slots.get("findings")).requested_screens


@dataclass
class LiveOutcome:
    announced: bool | None = None
    levels: tuple[str, ...] = ()
    final_level: str | None = None
    crisis_lines: bool | None = None
    error: str | None = None
    screened: bool | None = None  # the emergency net asked the screening question

    @property
    def final_emergency(self) -> bool | None:
        return None if self.final_level is None else self.final_level == "emergency"


def run_live_case(
    assistant: Assistant,
    text: str,
    label: str,
    *,
    attempts: int = 2,
    summary_message: str = "/request_summary",
    final: Callable[[dict[str, Any]], str] = final_level,
) -> LiveOutcome:
    """One message in a fresh conversation, then ``/request_summary`` (which folds the
    findings), then the tracker's findings through the triage.

    A failed turn is tried once more in another fresh conversation (so a timed-out POST is
    never counted twice); a tracker that cannot be read leaves the final level unknown.
    """
    outcome = LiveOutcome()
    for attempt in range(attempts):
        sender = f"blind-r3-{label}-{attempt}-{secrets.token_hex(4)}"
        try:
            replies = assistant.say(sender, text)
            outcome = LiveOutcome(
                announced=bool(alert_levels(replies)),
                levels=tuple(alert_levels(replies)),
                crisis_lines=has_crisis_lines(replies),
            )
            if summary_message:
                assistant.say(sender, summary_message)
        except LiveError as error:
            outcome = LiveOutcome(error=f"{label}: attempt {attempt + 1}: {error}")
            continue
        try:
            tracker = assistant.tracker(sender)
            if tracker is not None:
                outcome.final_level = final(tracker)
                outcome.screened = screen_requested(tracker)
        except (LiveError, KeyError, ValueError) as error:
            outcome.error = f"{label}: final assessment unreadable: {error}"
        return outcome
    return outcome


@dataclass
class LiveScore:
    """Live figures of one set; ``None`` outcomes (errors) are left out of the rates and
    listed in ``errors``."""

    set_name: str
    cases: int = 0
    announced: Rate = field(default_factory=Rate)
    emergency_level: Rate = field(default_factory=Rate)
    final_emergency: Rate = field(default_factory=Rate)
    # The final assessment at the level the case is labelled with, or a higher one (an
    # urgent red flag assessed as urgent is right; as routine it is a miss).
    final_at_label: Rate = field(default_factory=Rate)
    crisis_lines: Rate = field(default_factory=Rate)
    # Announced, or the emergency net asked the screening question (the safe side).
    safe_side: Rate = field(default_factory=Rate)
    screened: Rate = field(default_factory=Rate)
    # An alert given, then a final assessment below the alert's level: the person was told
    # "call 999" (or "today") and then something calmer, and will believe the second.
    contradicted: Rate = field(default_factory=Rate)
    errors: list[str] = field(default_factory=list)
    misses: list[Miss] = field(default_factory=list)


def contradicts(outcome: LiveOutcome) -> bool | None:
    """Whether the final assessment says less than an alert the conversation gave."""
    if outcome.final_level is None or not outcome.levels:
        return None
    return not all(level_at_least(outcome.final_level, level) for level in outcome.levels)


def score_live(
    set_name: str,
    cases: Sequence[dict[str, Any]],
    assistant: Assistant,
    *,
    progress: Callable[[str], None] | None = None,
    run_case: Callable[..., LiveOutcome] = run_live_case,
) -> LiveScore:
    """For ``emergencies``: announced, final assessment an emergency, crisis lines where
    labelled. For ``not_emergencies``: the same rates over the ``wrong`` cases, where each
    hit is a false emergency (``allowed`` cases are skipped)."""
    score = LiveScore(set_name)
    false_alarm = set_name == "not_emergencies"
    for index, case in enumerate(cases):
        if false_alarm and case.get("emergency") == "allowed":
            continue
        score.cases += 1
        outcome = run_case(assistant, str(case["text"]), f"{set_name[:3]}{index}")
        if outcome.error:
            score.errors.append(f"#{index}: {outcome.error}")
        if outcome.announced is not None:
            score.announced.add(outcome.announced)
            score.emergency_level.add("emergency" in outcome.levels)
            if outcome.announced == false_alarm:
                category = "live: false announcement" if false_alarm else "live: not announced"
                score.misses.append(Miss(set_name, index, category, ",".join(outcome.levels)))
        if outcome.screened is not None:
            score.screened.add(outcome.screened)
            if outcome.announced is not None:
                score.safe_side.add(bool(outcome.announced or outcome.screened))
        if outcome.final_emergency is not None:
            score.final_emergency.add(outcome.final_emergency)
            if not false_alarm:
                at_label = level_at_least(outcome.final_level, str(case.get("emergency", "")))
                score.final_at_label.add(at_label)
            if outcome.final_emergency == false_alarm:
                category = (
                    "live: final assessment emergency" if false_alarm
                    else f"live: final assessment {outcome.final_level}"
                )
                score.misses.append(Miss(set_name, index, category))
        contradicted = contradicts(outcome)
        if contradicted is not None:
            score.contradicted.add(contradicted)
            if contradicted:
                detail = f"{','.join(outcome.levels)} then {outcome.final_level}"
                score.misses.append(Miss(set_name, index, "live: alert contradicted", detail))
        if not false_alarm and wants_crisis_lines(case) and outcome.crisis_lines is not None:
            score.crisis_lines.add(outcome.crisis_lines)
            if not outcome.crisis_lines:
                score.misses.append(Miss(set_name, index, "live: no crisis lines"))
        if progress:
            progress(f"{set_name} #{index}: " + (outcome.error or "ok"))
    return score
