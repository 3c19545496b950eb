"""Read and validate the knowledge base YAML.

Validation happens once, at start-up, and is strict: an unknown key, a missing
source, a likelihood ratio of zero or a phrase claimed by two findings would
each silently change what the assistant tells people, so each stops the
program with a numbered message naming the file and the entry.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import yaml

from bot.errors import KnowledgeError
from bot.knowledge.schema import (
    CATEGORIES,
    KINDS,
    TRIAGE_LEVELS,
    URGENCIES,
    AgePrior,
    AgeRate,
    AnalyteDef,
    Band,
    CapGroup,
    Caution,
    CrisisLine,
    FindingDef,
    KnowledgeBase,
    LabBand,
    LROverride,
    ScoringConfig,
    ScreenGroup,
    TestRule,
    TriageConfig,
    TriageLevel,
    TriageRule,
    Weighted,
)
from bot.knowledge.units import normalise_unit
from bot.person_words import NAMING_PLACEHOLDERS, PERSON_PLACEHOLDERS
from bot.services import fill, services

DATA_DIR = Path(__file__).resolve().parent / "data"

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_REGEX_CHARS = set("\\[](){}*+?|^$")
# libyaml's parser when it is compiled in: about ten times faster than the pure-Python one,
# which is most of the knowledge base's start-up time.
_YAML_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
MIN_PHRASES = 3
# Any {name} in a text: phone-number placeholders are filled on reading, person
# placeholders ({person}, {their}, ...) are kept for the dialogue to fill.
_ANY_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
# Texts that speak to the person checked need a variant for someone checked by another.
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)
_OTHER = "_other"

FINDING_REQUIRED = ("id", "kind", "category", "label", "question", "phrases", "lr", "source")
FINDING_OPTIONAL = (
    "lr_absent",
    "cap_group",
    "family_relevant",
    "family_lr",
    "prior",
    "generic",
    "brands",
    "urgency",
    "message",
    "screen_when",
    "judgement",
    "ask_rate",
    "ask_rate_source",
    "ask_rate_by_age",
    "question_other",
    "message_other",
)
MAX_AGE = 120

# Condition keys and the shape of their value (see docs/knowledge-base.md).
CONDITION_KEYS = (
    "all",
    "any",
    "not",
    "present_any",
    "family_present_any",
    "category_present",
    "kind_present",
    "risk_factor_present",
    "red_flag",
    "pregnant",
    "black_ethnicity",
    "sex_unknown",
    "lab_band",
    "duration_max_days",
    "age_below",
    "band_at_least",
    "triage_at_least",
)


def _fail(code: str, **params: Any) -> None:
    raise KnowledgeError(code, **params)


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        _fail("K001", path=path, detail=exc)
    try:
        data = yaml.load(text, Loader=_YAML_LOADER)
    except yaml.YAMLError as exc:
        _fail("K002", path=path, detail=exc)
    return _fill(data, path.name, ())


def _fill(data: Any, name: str, keys: tuple[str, ...]) -> Any:
    """``data`` with the phone-number placeholders filled and the person ones kept.

    ``keys`` is the path to the value (list items by their ``id`` when they have one),
    so an error names the entry and the field.
    """
    if isinstance(data, str):
        return _fill_text(data, name, keys) if "{" in data else data
    if isinstance(data, list):
        out = []
        for index, item in enumerate(data):
            label = item.get("id") if isinstance(item, dict) else None
            out.append(_fill(item, name, (*keys, str(label if label else index))))
        return out
    if isinstance(data, dict):
        return {key: _fill(value, name, (*keys, str(key))) for key, value in data.items()}
    return data


def _fill_text(text: str, name: str, keys: tuple[str, ...]) -> str:
    where = f"{name} {'.'.join(keys)}"
    found = _ANY_PLACEHOLDER.findall(text)
    numbers = services().placeholders()
    unknown = sorted({n for n in found if n not in numbers and n not in PERSON_PLACEHOLDERS})
    if unknown:
        _fail("K022", where=where, names=unknown, known=[*sorted(numbers), *PERSON_PLACEHOLDERS])
    person = sorted({n for n in found if n in PERSON_PLACEHOLDERS})
    # Only a variant knows who it is about; the originals are said to the writer themselves.
    if person and not any(key.endswith(_OTHER) for key in keys):
        _fail(
            "K023",
            where=where,
            field=keys[-1] if keys else name,
            detail=f"{person} may appear only in wording for someone else (a key ending in "
            f"{_OTHER!r}); this text is said to the person checked",
        )
    return fill(text, keep=PERSON_PLACEHOLDERS)


def _gives(text: str, number: str) -> bool:
    return re.search(rf"(?<!\d){re.escape(number)}(?!\d)", text) is not None


def _variant(
    where: str,
    raw: dict[str, Any],
    field: str,
    own: str,
    *,
    question: bool = False,
    required: bool = True,
    variant: str | None = None,
) -> str:
    """The checked wording of ``raw[field + "_other"]``, for someone checked by another.

    ``own`` is the (already checked) text said to the person themselves. A missing
    variant is refused when ``required`` and otherwise falls back to ``own``: a text
    that does not speak to "you" reads the same whoever is checked. ``variant`` names
    the variant in messages when its key is not simply ``field + "_other"``.
    """
    value = raw.get(f"{field}{_OTHER}")
    variant = variant or f"{field}{_OTHER}"
    if value is None:
        if required:
            _fail("K021", where=where, field=field, variant=variant)
        return own
    text = _text(where, variant, value)
    _check_person_words(where, variant, text, question=question)
    for number in (*services().numbers(), services().urgent_care_name):
        # Someone helping another needs the same numbers the person would be given.
        if _gives(own, number) and not _gives(text, number):
            _fail("K019", where=where, detail=f"{variant} must give {number!r} as {field} does")
    return text


def _check_person_words(where: str, field: str, text: str, *, question: bool) -> None:
    """Refuse wording that reads badly for one of the pronouns or names nobody."""
    person = [n for n in _ANY_PLACEHOLDER.findall(text) if n in PERSON_PLACEHOLDERS]
    if question and not any(n in NAMING_PLACEHOLDERS for n in person):
        _fail(
            "K023",
            where=where,
            field=field,
            detail="a question about someone else must name them with {person} or {Person}",
        )
    if person and person[0] not in NAMING_PLACEHOLDERS:
        _fail(
            "K023",
            where=where,
            field=field,
            detail=f"{{{person[0]}}} is used before {{person}} or {{Person}} says who it is",
        )
    if re.search(r"\{[Pp]erson\}'s\b", text):
        _fail(
            "K023",
            where=where,
            field=field,
            detail="\"{person}'s\" reads badly (\"the person you're asking for's\"); use {their}",
        )


def _check_keys(where: str, data: Any, required: Iterable[str], optional: Iterable[str]) -> None:
    if not isinstance(data, dict):
        _fail("K019", where=where, detail=f"expected a mapping, got {type(data).__name__}")
    required = tuple(required)
    allowed = set(required) | set(optional)
    unknown = sorted(set(data) - allowed)
    if unknown:
        _fail("K003", where=where, keys=unknown, allowed=sorted(allowed))
    missing = [k for k in required if k not in data]
    if missing:
        _fail("K004", where=where, keys=missing)


def _positive(where: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not value > 0:
        _fail("K009", where=where, field=name, value=value)
    return float(value)


def _probability(where: str, name: str, value: Any) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 < value < 1:
        _fail("K017", where=where, field=name, value=value)
    return float(value)


def _source(where: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail("K010", where=where)
    return value.strip()


def _bool(where: str, name: str, value: Any) -> bool:
    if not isinstance(value, bool):
        _fail("K020", where=where, field=name, expected="true or false", value=value)
    return value


def _text(where: str, name: str, value: Any) -> str:
    if not isinstance(value, str) or not value.strip():
        _fail("K020", where=where, field=name, expected="non-empty text", value=value)
    return value.strip()


def _phrase_list(where: str, name: str, value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if not isinstance(value, list):
        _fail("K020", where=where, field=name, expected="a list of phrases", value=value)
    out = []
    for phrase in value:
        if (
            not isinstance(phrase, str)
            or phrase != phrase.strip()
            or phrase != phrase.lower()
            or not phrase
            or _REGEX_CHARS & set(phrase)
        ):
            _fail("K015", where=where, phrase=phrase)
        out.append(phrase)
    return tuple(out)


# ---------------------------------------------------------------------------- findings


def _parse_finding(where: str, raw: Any) -> FindingDef:
    _check_keys(where, raw, FINDING_REQUIRED, FINDING_OPTIONAL)
    fid = raw["id"]
    if not isinstance(fid, str) or not _ID_RE.match(fid):
        _fail("K013", where=where, id=fid)
    where = f"{where} ({fid})"
    kind = raw["kind"]
    if kind not in KINDS:
        _fail("K005", where=where, allowed=list(KINDS), value=kind)
    category = raw["category"]
    if category not in CATEGORIES[kind]:
        _fail("K006", where=where, kind=kind, allowed=list(CATEGORIES[kind]), value=category)
    phrases = _phrase_list(where, "phrases", raw["phrases"])
    if len(phrases) < MIN_PHRASES and not (raw.get("generic") or raw.get("brands")):
        _fail("K014", where=where, n=MIN_PHRASES, got=len(phrases))
    generic = _phrase_list(where, "generic", raw.get("generic"))
    brands = _phrase_list(where, "brands", raw.get("brands"))
    if len(set(phrases) | set(generic) | set(brands)) < MIN_PHRASES:
        _fail(
            "K014", where=where, n=MIN_PHRASES, got=len(set(phrases) | set(generic) | set(brands))
        )
    urgency = raw.get("urgency")
    message = raw.get("message")
    if kind == "red_flag":
        if urgency not in URGENCIES or not isinstance(message, str) or not message.strip():
            _fail("K016", where=where)
        if urgency != category:
            _fail(
                "K019", where=where, detail=f"urgency {urgency!r} must equal category {category!r}"
            )
    elif urgency is not None:
        _fail("K019", where=where, detail="only red flags have an urgency")
    prior = raw.get("prior")
    if prior is not None:
        prior = _probability(where, "prior", prior)
        if kind != "risk_factor" or category != "diet":
            _fail("K019", where=where, detail="only diet risk factors may replace the prior")
    lr = _positive(where, "lr", raw["lr"])
    if kind == "red_flag" and lr != 1.0:
        _fail("K019", where=where, detail="red flags drive triage, not the score: lr must be 1.0")
    family_relevant = _bool(where, "family_relevant", raw.get("family_relevant", False))
    if "family_lr" in raw and not family_relevant:
        _fail("K019", where=where, detail="family_lr needs family_relevant: true")
    screen_when = raw.get("screen_when") or []
    if not isinstance(screen_when, list) or kind != "red_flag" and screen_when:
        _fail("K019", where=where, detail="screen_when is a list, for red flags only")
    ask_rate, ask_rate_source = _ask_rate(where, raw, kind, prior)
    by_age, by_age_source = _ask_rate_by_age(where, raw, ask_rate)
    question = _text(where, "question", raw["question"])
    message_other = None
    if isinstance(message, str):
        message_other = _variant(where, raw, "message", message.strip())
    elif "message_other" in raw:
        _fail("K019", where=where, detail="message_other needs message")
    return FindingDef(
        id=fid,
        kind=kind,
        category=category,
        label=_text(where, "label", raw["label"]),
        question=question,
        question_other=_variant(where, raw, "question", question, question=True),
        message_other=message_other,
        phrases=phrases,
        lr=lr,
        lr_absent=_positive(where, "lr_absent", raw.get("lr_absent", 1.0)),
        cap_group=raw.get("cap_group"),
        family_relevant=family_relevant,
        family_lr=_positive(where, "family_lr", raw.get("family_lr", 1.0)),
        prior=prior,
        generic=generic,
        brands=brands,
        urgency=urgency,
        message=message.strip() if isinstance(message, str) else None,
        screen_when=tuple(screen_when),
        source=_source(where, raw.get("source")),
        judgement=_bool(where, "judgement", raw.get("judgement", False)),
        ask_rate=ask_rate,
        ask_rate_source=ask_rate_source,
        ask_rate_by_age=by_age,
        ask_rate_by_age_source=by_age_source,
    )


def _ask_rate(
    where: str, raw: dict[str, Any], kind: str, prior: float | None
) -> tuple[float | None, str | None]:
    """The optional share of "yes" answers, which must say where it comes from."""
    if "ask_rate" not in raw:
        if "ask_rate_source" in raw:
            _fail("K019", where=where, detail="ask_rate_source needs ask_rate")
        return None, None
    if kind == "red_flag" or prior is not None:
        _fail(
            "K019",
            where=where,
            detail="ask_rate is for findings ranked by usefulness; red flags are asked for "
            "safety and diets through the diet question",
        )
    rate = _probability(where, "ask_rate", raw["ask_rate"])
    if "ask_rate_source" not in raw:
        _fail("K004", where=where, keys=["ask_rate_source"])
    return rate, _source(f"{where} ask_rate_source", raw["ask_rate_source"])


def _ask_rate_by_age(
    where: str, raw: dict[str, Any], ask_rate: float | None
) -> tuple[tuple[AgeRate, ...], str | None]:
    """Optional "yes" rates by age band: ``{source, bands: [{min_age, max_age, rate}]}``.

    Bands must not overlap (one age, one rate); gaps fall back to ``ask_rate``, which
    is therefore required. A rate of 0 is allowed here and means "does not apply at
    this age" (a pregnancy-planning medicine at 80).
    """
    if "ask_rate_by_age" not in raw:
        return (), None
    here = f"{where} ask_rate_by_age"
    if ask_rate is None:
        _fail("K019", where=here, detail="ask_rate_by_age needs ask_rate (for an unknown age)")
    body = raw["ask_rate_by_age"]
    _check_keys(here, body, ("source", "bands"), ())
    source = _source(here, body["source"])
    if not isinstance(body["bands"], list) or not body["bands"]:
        _fail("K019", where=here, detail="'bands' must be a non-empty list")
    bands = []
    for i, band in enumerate(body["bands"]):
        bw = f"{here}.bands[{i}]"
        _check_keys(bw, band, ("min_age", "max_age", "rate"), ())
        low, high, rate = band["min_age"], band["max_age"], band["rate"]
        for name, age in (("min_age", low), ("max_age", high)):
            if isinstance(age, bool) or not isinstance(age, int) or not 0 <= age <= MAX_AGE:
                _fail("K020", where=bw, field=name, expected=f"a whole age 0-{MAX_AGE}", value=age)
        if low > high:
            _fail("K019", where=bw, detail=f"min_age {low} is above max_age {high}")
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0 <= rate < 1:
            _fail("K020", where=bw, field="rate", expected="a number from 0 to below 1", value=rate)
        bands.append(AgeRate(low, high, float(rate)))
    bands.sort(key=lambda b: b.min_age)
    for prev, cur in zip(bands, bands[1:], strict=False):
        if cur.min_age <= prev.max_age:
            _fail("K019", where=here, detail=f"age bands overlap at {cur.min_age}")
    return tuple(bands), source


def _parse_findings(path: Path) -> tuple[str, dict[str, FindingDef]]:
    data = _read_yaml(path)
    _check_keys(str(path.name), data, ("version", "findings"), ())
    if not isinstance(data["findings"], list):
        _fail("K019", where=path.name, detail="'findings' must be a list")
    findings: dict[str, FindingDef] = {}
    first_seen: dict[str, str] = {}
    phrase_owner: dict[str, str] = {}
    for index, raw in enumerate(data["findings"]):
        where = f"{path.name} entry {index + 1}"
        finding = _parse_finding(where, raw)
        if finding.id in findings:
            _fail("K007", where=where, id=finding.id, first=first_seen[finding.id])
        findings[finding.id] = finding
        first_seen[finding.id] = where
        for phrase in finding.all_phrases:
            owner = phrase_owner.get(phrase)
            if owner is not None and owner != finding.id:
                _fail("K008", where=f"{where} ({finding.id})", phrase=phrase, other=owner)
            phrase_owner[phrase] = finding.id
    for finding in findings.values():
        for ref in finding.screen_when:
            if ref not in findings:
                _fail("K011", where=f"{path.name} ({finding.id}) screen_when", id=ref)
    return str(data["version"]), findings


# ---------------------------------------------------------------------------- conditions


class _ConditionChecker:
    """Checks rule conditions against the findings and labs they may mention."""

    def __init__(self, findings: dict[str, FindingDef], labs: dict[str, AnalyteDef]) -> None:
        self.findings = findings
        self.labs = labs

    def check(self, where: str, cond: Any) -> dict[str, Any]:
        if not isinstance(cond, dict) or not cond:
            _fail("K019", where=where, detail="a condition must be a non-empty mapping")
        for key, value in cond.items():
            if key not in CONDITION_KEYS:
                _fail("K018", where=where, key=key, allowed=list(CONDITION_KEYS))
            self._check_value(f"{where}.{key}", key, value)
        return cond

    def _ids(self, where: str, value: Any) -> None:
        if not isinstance(value, list) or not value:
            _fail("K019", where=where, detail="expected a non-empty list of finding ids")
        for fid in value:
            if fid not in self.findings:
                _fail("K011", where=where, id=fid)

    def _check_value(self, where: str, key: str, value: Any) -> None:
        if key in ("all", "any"):
            if not isinstance(value, list) or not value:
                _fail("K019", where=where, detail="expected a non-empty list of conditions")
            for i, sub in enumerate(value):
                self.check(f"{where}[{i}]", sub)
        elif key == "not":
            self.check(where, value)
        elif key in ("present_any", "family_present_any"):
            self._ids(where, value)
        elif key == "category_present":
            known = CATEGORIES["symptom"]
            for cat in value if isinstance(value, list) else [value]:
                if cat not in known:
                    _fail("K012", where=where, what="symptom category", value=cat, known=known)
        elif key == "kind_present":
            if value not in KINDS:
                _fail("K012", where=where, what="kind", value=value, known=KINDS)
        elif key == "red_flag":
            if value not in URGENCIES:
                _fail("K012", where=where, what="urgency", value=value, known=URGENCIES)
        elif key in ("risk_factor_present", "pregnant", "black_ethnicity", "sex_unknown"):
            _bool(where, key, value)
        elif key == "lab_band":
            if not isinstance(value, dict) or not value:
                _fail("K019", where=where, detail="expected a mapping analyte -> list of bands")
            for analyte, bands in value.items():
                if analyte not in self.labs:
                    _fail(
                        "K012", where=where, what="analyte", value=analyte, known=sorted(self.labs)
                    )
                names = [b.name for b in self.labs[analyte].bands]
                for band in bands if isinstance(bands, list) else [bands]:
                    if band not in names:
                        _fail("K012", where=where, what=f"{analyte} band", value=band, known=names)
        elif key in ("duration_max_days", "age_below"):
            _positive(where, key, value)
        elif key == "band_at_least":
            if value not in ("low", "moderate", "high"):
                _fail(
                    "K012", where=where, what="band", value=value, known=("low", "moderate", "high")
                )
        elif key == "triage_at_least" and value not in TRIAGE_LEVELS:
            _fail("K012", where=where, what="triage level", value=value, known=TRIAGE_LEVELS)


# ---------------------------------------------------------------------------- scoring


def _parse_scoring(path: Path, findings: dict[str, FindingDef]) -> ScoringConfig:
    data = _read_yaml(path)
    name = path.name
    _check_keys(
        name,
        data,
        ("version", "reference_prior", "age_priors", "cap_groups", "bands"),
        ("age_cap_group", "family_cap_group", "demographic_factors"),
    )
    ref = data["reference_prior"]
    _check_keys(f"{name} reference_prior", ref, ("probability", "source"), ("judgement",))
    age_priors = []
    for i, raw in enumerate(data["age_priors"]):
        where = f"{name} age_priors[{i}]"
        _check_keys(where, raw, ("min_age", "max_age", "probability", "source"), ("judgement",))
        age_priors.append(
            AgePrior(
                min_age=int(raw["min_age"]),
                max_age=int(raw["max_age"]),
                probability=_probability(where, "probability", raw["probability"]),
                source=_source(where, raw["source"]),
                judgement=bool(raw.get("judgement", False)),
            )
        )
    age_priors.sort(key=lambda a: a.min_age)
    for prev, cur in zip(age_priors, age_priors[1:], strict=False):
        if cur.min_age != prev.max_age + 1:
            _fail("K019", where=f"{name} age_priors", detail="age bands must be contiguous")
    caps = {}
    for gid, raw in (data["cap_groups"] or {}).items():
        where = f"{name} cap_groups.{gid}"
        _check_keys(where, raw, ("label", "max_log_odds", "source"), ("judgement",))
        caps[gid] = CapGroup(
            id=gid,
            label=_text(where, "label", raw["label"]),
            max_log_odds=_positive(where, "max_log_odds", raw["max_log_odds"]),
            source=_source(where, raw["source"]),
            judgement=bool(raw.get("judgement", False)),
        )
    demo = {}
    for did, raw in (data.get("demographic_factors") or {}).items():
        where = f"{name} demographic_factors.{did}"
        if did not in ("pregnant", "breastfeeding"):
            _fail(
                "K012",
                where=where,
                what="demographic factor",
                value=did,
                known=("pregnant", "breastfeeding"),
            )
        _check_keys(where, raw, ("label", "lr", "source"), ("judgement",))
        demo[did] = Weighted(
            label=_text(where, "label", raw["label"]),
            lr=_positive(where, "lr", raw["lr"]),
            source=_source(where, raw["source"]),
            judgement=bool(raw.get("judgement", False)),
        )
    bands = []
    for i, raw in enumerate(data["bands"]):
        where = f"{name} bands[{i}]"
        _check_keys(where, raw, ("name", "min_probability", "label", "source"), ("judgement",))
        bands.append(
            Band(
                name=raw["name"],
                min_probability=float(raw["min_probability"]),
                label=_text(where, "label", raw["label"]),
                source=_source(where, raw["source"]),
                judgement=bool(raw.get("judgement", False)),
            )
        )
    if [b.name for b in bands] != ["low", "moderate", "high"] or not (
        bands[0].min_probability == 0.0
        and bands[0].min_probability < bands[1].min_probability < bands[2].min_probability < 1
    ):
        _fail(
            "K019",
            where=f"{name} bands",
            detail="bands must be low, moderate, high with rising thresholds from 0",
        )
    for group_key in ("age_cap_group", "family_cap_group"):
        gid = data.get(group_key)
        if gid is not None and gid not in caps:
            _fail(
                "K012", where=f"{name} {group_key}", what="cap group", value=gid, known=sorted(caps)
            )
    for f in findings.values():
        if f.cap_group is not None and f.cap_group not in caps:
            _fail(
                "K012",
                where=f"findings.yml ({f.id}) cap_group",
                what="cap group",
                value=f.cap_group,
                known=sorted(caps),
            )
    return ScoringConfig(
        reference_prior=_probability(f"{name} reference_prior", "probability", ref["probability"]),
        reference_source=_source(f"{name} reference_prior", ref["source"]),
        age_priors=tuple(age_priors),
        age_cap_group=data.get("age_cap_group"),
        family_cap_group=data.get("family_cap_group"),
        demographic_factors=demo,
        cap_groups=caps,
        bands=tuple(bands),
    )


# ---------------------------------------------------------------------------- labs


def _unit_key(unit: str) -> str:
    """Units are keyed as the lab-text reader looks them up (bot.knowledge.units)."""
    return normalise_unit(unit)


def _parse_labs(path: Path, caps: dict[str, CapGroup]) -> dict[str, dict[str, Any]]:
    """First pass: shapes and numbers. Conditions are checked once findings are known."""
    data = _read_yaml(path)
    _check_keys(path.name, data, ("version", "analytes"), ())
    return data["analytes"]


def _build_labs(
    path: Path, raw_analytes: dict[str, Any], caps: dict[str, CapGroup], checker: _ConditionChecker
) -> dict[str, AnalyteDef]:
    name = path.name
    out: dict[str, AnalyteDef] = {}
    for aid, raw in raw_analytes.items():
        where = f"{name} {aid}"
        _check_keys(
            where,
            raw,
            (
                "names",
                "label",
                "canonical_unit",
                "units",
                "unitless",
                "plausible",
                "bands",
                "source",
            ),
            ("cap_group", "cautions"),
        )
        units = {}
        for unit, factor in raw["units"].items():
            units[_unit_key(unit)] = _positive(f"{where} units", unit, factor)
        canonical = _unit_key(raw["canonical_unit"])
        if units.get(canonical) != 1.0:
            _fail("K019", where=where, detail="the canonical unit must be listed with factor 1.0")
        unitless = raw["unitless"]
        if (
            not isinstance(unitless, dict)
            or set(unitless) - {"candidates", "by_range"}
            or not unitless
        ):
            _fail("K019", where=f"{where} unitless", detail="use 'candidates' or 'by_range'")
        for unit in unitless.get("candidates", []):
            if _unit_key(unit) not in units:
                _fail(
                    "K012", where=f"{where} unitless", what="unit", value=unit, known=sorted(units)
                )
        for rng in unitless.get("by_range", []):
            if _unit_key(rng.get("unit", "")) not in units:
                _fail(
                    "K012",
                    where=f"{where} unitless",
                    what="unit",
                    value=rng.get("unit"),
                    known=sorted(units),
                )
        plausible = raw["plausible"]
        _check_keys(f"{where} plausible", plausible, ("min", "max"), ())
        if raw.get("cap_group") is not None and raw["cap_group"] not in caps:
            _fail(
                "K012",
                where=f"{where} cap_group",
                what="cap group",
                value=raw["cap_group"],
                known=sorted(caps),
            )
        bands = []
        for i, b in enumerate(raw["bands"]):
            bw = f"{where} bands[{i}]"
            _check_keys(
                bw,
                b,
                ("name", "lr", "message", "source"),
                ("max", "max_inclusive", "judgement", "lr_overrides"),
            )
            overrides = []
            for j, o in enumerate(b.get("lr_overrides") or []):
                ow = f"{bw} lr_overrides[{j}]"
                _check_keys(ow, o, ("when", "lr", "reason"), ())
                overrides.append(
                    LROverride(
                        checker.check(f"{ow}.when", o["when"]),
                        _positive(ow, "lr", o["lr"]),
                        _text(ow, "reason", o["reason"]),
                    )
                )
            limit = b.get("max")
            if isinstance(limit, dict):
                if set(limit) != {"male", "female", "pregnant", "unknown"}:
                    _fail(
                        "K019",
                        where=bw,
                        detail="max by profile needs male, female, pregnant, unknown",
                    )
                limit = {k: _positive(bw, f"max.{k}", v) for k, v in limit.items()}
            elif limit is not None:
                limit = _positive(bw, "max", limit)
            if limit is None and i != len(raw["bands"]) - 1:
                _fail("K019", where=bw, detail="only the last band may have no upper limit")
            bands.append(
                LabBand(
                    name=_text(bw, "name", b["name"]),
                    lr=_positive(bw, "lr", b["lr"]),
                    message=_text(bw, "message", b["message"]),
                    source=_source(bw, b["source"]),
                    judgement=bool(b.get("judgement", False)),
                    max=limit,
                    max_inclusive=bool(b.get("max_inclusive", False)),
                    lr_overrides=tuple(overrides),
                )
            )
        cautions = []
        for j, c in enumerate(raw.get("cautions") or []):
            cw = f"{where} cautions[{j}]"
            _check_keys(cw, c, ("when", "text"), ())
            cautions.append(
                Caution(checker.check(f"{cw}.when", c["when"]), _text(cw, "text", c["text"]))
            )
        out[aid] = AnalyteDef(
            id=aid,
            label=_text(where, "label", raw["label"]),
            canonical_unit=raw["canonical_unit"],
            units=units,
            unitless=unitless,
            plausible_min=_positive(f"{where} plausible", "min", plausible["min"]),
            plausible_max=_positive(f"{where} plausible", "max", plausible["max"]),
            bands=tuple(bands),
            source=_source(where, raw["source"]),
            names=_phrase_list(where, "names", raw["names"]),
            unit_names=tuple(raw["units"]),
            cap_group=raw.get("cap_group"),
            cautions=tuple(cautions),
        )
    return out


# ---------------------------------------------------------------------------- triage, tests


def _parse_triage(path: Path, checker: _ConditionChecker) -> TriageConfig:
    data = _read_yaml(path)
    name = path.name
    _check_keys(name, data, ("version", "levels", "rules"), ("crisis_lines",))
    levels = {}
    for lid, raw in data["levels"].items():
        where = f"{name} levels.{lid}"
        if lid not in TRIAGE_LEVELS:
            _fail("K012", where=where, what="triage level", value=lid, known=TRIAGE_LEVELS)
        _check_keys(where, raw, ("rank", "title", "advice"), ("title_other", "advice_other"))
        title = _text(where, "title", raw["title"])
        advice = _text(where, "advice", raw["advice"])
        levels[lid] = TriageLevel(
            lid,
            int(raw["rank"]),
            title,
            advice,
            title_other=_variant(where, raw, "title", title),
            advice_other=_variant(where, raw, "advice", advice),
        )
    if set(levels) != set(TRIAGE_LEVELS):
        _fail("K019", where=f"{name} levels", detail=f"all of {TRIAGE_LEVELS} must be described")
    if sorted(levels, key=lambda k: levels[k].rank) != list(TRIAGE_LEVELS):
        _fail(
            "K019",
            where=f"{name} levels",
            detail="ranks must order self_care < routine < urgent < emergency",
        )
    rules = []
    seen = set()
    for i, raw in enumerate(data["rules"]):
        where = f"{name} rules[{i}]"
        _check_keys(where, raw, ("id", "level", "when", "reason", "source"), ("reason_other",))
        if raw["id"] in seen:
            _fail("K007", where=where, id=raw["id"], first="an earlier rule")
        seen.add(raw["id"])
        if raw["level"] not in levels or raw["level"] == "self_care":
            _fail(
                "K012",
                where=where,
                what="rule level",
                value=raw["level"],
                known=("routine", "urgent", "emergency"),
            )
        reason = _text(where, "reason", raw["reason"])
        rules.append(
            TriageRule(
                raw["id"],
                raw["level"],
                checker.check(f"{where}.when", raw["when"]),
                reason,
                _source(where, raw["source"]),
                reason_other=_variant(
                    where, raw, "reason", reason, required=bool(_SECOND_PERSON.search(reason))
                ),
            )
        )
    crisis = []
    for i, raw in enumerate(data.get("crisis_lines") or []):
        where = f"{name} crisis_lines[{i}]"
        _check_keys(where, raw, ("when", "text", "source"), ("text_other",))
        text = _text(where, "text", raw["text"])
        crisis.append(
            CrisisLine(
                checker.check(f"{where}.when", raw["when"]),
                text,
                _source(where, raw["source"]),
                text_other=_variant(where, raw, "text", text),
            )
        )
    return TriageConfig(levels=levels, rules=tuple(rules), crisis_lines=tuple(crisis))


def _parse_tests(path: Path, checker: _ConditionChecker) -> tuple[TestRule, ...]:
    data = _read_yaml(path)
    name = path.name
    _check_keys(name, data, ("version", "tests"), ())
    out = []
    seen = set()
    for i, raw in enumerate(data["tests"]):
        where = f"{name} tests[{i}]"
        _check_keys(
            where, raw, ("id", "name", "reason", "when", "source"), ("name_other", "reason_other")
        )
        if raw["id"] in seen:
            _fail("K007", where=where, id=raw["id"], first="an earlier test")
        seen.add(raw["id"])
        name_text = _text(where, "name", raw["name"])
        reason = _text(where, "reason", raw["reason"])
        out.append(
            TestRule(
                raw["id"],
                name_text,
                reason,
                checker.check(f"{where}.when", raw["when"]),
                _source(where, raw["source"]),
                name_other=_variant(
                    where, raw, "name", name_text, required=bool(_SECOND_PERSON.search(name_text))
                ),
                reason_other=_variant(
                    where, raw, "reason", reason, required=bool(_SECOND_PERSON.search(reason))
                ),
            )
        )
    return tuple(out)


def _parse_screen_groups(
    where: str, raw: Any, findings: dict[str, FindingDef]
) -> dict[str, ScreenGroup]:
    if not isinstance(raw, dict):
        _fail("K019", where=where, detail="expected a mapping of group id -> group")
    groups: dict[str, ScreenGroup] = {}
    owner: dict[str, str] = {}
    for gid, body in raw.items():
        here = f"{where}.{gid}"
        if not isinstance(gid, str) or not _ID_RE.match(gid):
            _fail("K013", where=here, id=gid)
        if gid in findings or gid in QUESTION_IDS:
            _fail("K019", where=here, detail="a group id must differ from finding and question ids")
        _check_keys(
            here,
            body,
            ("question", "members", "label", "message"),
            ("question_other", "message_other"),
        )
        members = body["members"]
        if not isinstance(members, list) or len(members) < 2 or len(set(members)) != len(members):
            _fail("K019", where=here, detail="members must list two or more different red flags")
        urgencies = set()
        for fid in members:
            if fid not in findings:
                _fail("K011", where=f"{here}.members", id=fid)
            if findings[fid].kind != "red_flag":
                _fail("K019", where=f"{here}.members", detail=f"{fid!r} is not a red flag")
            if fid in owner:
                _fail("K019", where=f"{here}.members", detail=f"{fid!r} is already in {owner[fid]}")
            owner[fid] = gid
            urgencies.add(findings[fid].urgency)
        if len(urgencies) != 1:
            _fail("K019", where=here, detail="members of a group must share one urgency")
        question = _text(here, "question", body["question"])
        message = _text(here, "message", body["message"])
        groups[gid] = ScreenGroup(
            id=gid,
            question=question,
            urgency=urgencies.pop(),
            members=tuple(members),
            label=_text(here, "label", body["label"]),
            message=message,
            question_other=_variant(here, body, "question", question, question=True),
            message_other=_variant(here, body, "message", message),
        )
    return groups


# Ids of the questions that are not findings (answered through bot.questions.apply_answer).
QUESTION_IDS = ("age", "sex", "pregnancy", "diet", "family_history")


def _parse_questions(path: Path, findings: dict[str, FindingDef]) -> dict[str, Any]:
    data = _read_yaml(path)
    _check_keys(
        path.name,
        data,
        (
            "version",
            "source",
            "default_ask_rate",
            "band_weight",
            "triage_weight",
            "min_utility",
            "max_known_findings",
            "max_questions",
            "demographics",
            "pregnancy_age",
            "screen_groups",
        ),
        ("demographics_other",),
    )
    _source(path.name, data["source"])
    for key in (
        "band_weight",
        "triage_weight",
        "min_utility",
        "max_known_findings",
        "max_questions",
    ):
        _positive(path.name, key, data[key])
    rates = data["default_ask_rate"]
    where = f"{path.name} default_ask_rate"
    _check_keys(where, rates, ("symptom", "risk_factor", "family_history"), ())
    for key, value in rates.items():
        _probability(where, key, value)
    expected = set(QUESTION_IDS)
    if set(data["demographics"]) != expected:
        _fail(
            "K019", where=f"{path.name} demographics", detail=f"expected exactly {sorted(expected)}"
        )
    data["demographics_other"] = _demographics_other(path.name, data)
    data["screen_groups"] = _parse_screen_groups(
        f"{path.name} screen_groups", data["screen_groups"], findings
    )
    return data


def _demographics_other(name: str, data: dict[str, Any]) -> dict[str, str]:
    """The demographic questions for someone else, one for each question id."""
    own, other = data["demographics"], data.get("demographics_other") or {}
    where = f"{name} demographics_other"
    if not isinstance(other, dict):
        _fail("K019", where=where, detail="expected a mapping like demographics")
    extra = sorted(set(other) - set(own))
    if extra:
        _fail("K003", where=where, keys=extra, allowed=sorted(own))
    return {
        qid: _variant(
            name,
            {f"{qid}{_OTHER}": other.get(qid)},
            qid,
            _text(f"{name} demographics", qid, own[qid]),
            question=True,
            variant=f"demographics_other.{qid}",
        )
        for qid in QUESTION_IDS
    }


def load_from(data_dir: Path | None = None) -> KnowledgeBase:
    """Load and validate a knowledge base from a folder (tests point it at broken copies)."""
    folder = Path(data_dir) if data_dir is not None else DATA_DIR
    version, findings = _parse_findings(folder / "findings.yml")
    scoring = _parse_scoring(folder / "scoring.yml", findings)
    raw_labs = _parse_labs(folder / "labs.yml", scoring.cap_groups)
    # Conditions may name lab bands, so analytes are shaped before conditions are checked.
    stub_checker = _ConditionChecker(findings, {})
    labs = _build_labs(folder / "labs.yml", raw_labs, scoring.cap_groups, stub_checker)
    checker = _ConditionChecker(findings, labs)
    triage = _parse_triage(folder / "triage.yml", checker)
    tests = _parse_tests(folder / "tests.yml", checker)
    questions = _parse_questions(folder / "questions.yml", findings)
    return KnowledgeBase(
        version=version,
        findings=findings,
        scoring=scoring,
        labs=labs,
        triage=triage,
        tests=tests,
        questions=questions,
    )
