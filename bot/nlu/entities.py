"""Convert an :class:`Extraction` to Rasa entity dicts and back (schema: docs/entities.md).

The Rasa component writes these entities into every parsed message; the action
server rebuilds the extraction from the tracker's latest message with
:func:`entities_to_extraction`. The full mention or lab dict travels in
``additional_info`` so the round trip loses nothing; ``role`` is a summary for
readers that only look at the entity itself (no role = applies to the writer, or to the
person the words leave unsaid, now). Whose a mention is travels as ``person`` in the
mention dict, whose a value is as ``about`` in the value's ``additional_info``, and who the
check is for as a ``subject`` entity.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot.findings import Extraction, LabResult, Mention, Status

EXTRACTOR = "B12ClinicalExtractor"
FINDING_ENTITIES = {"symptom": "symptom", "risk_factor": "risk_factor", "red_flag": "red_flag"}
ROLES = ("negated", "family", "other_person", "historical", "hypothetical", "uncertain")
OWN = ("", "self")
# What a minimal entity (no additional_info) with role other_person is about.
SOMEONE = "someone"
# Value entity -> its key in Extraction.about.
VALUE_ABOUT = {
    "age": "age",
    "sex": "sex",
    "pregnancy": "pregnant",
    "breastfeeding": "breastfeeding",
}


def person_role(person: str, family: bool = False) -> str | None:
    """``family`` for a blood relative, ``other_person`` for anyone else who is not the writer
    (a partner, a friend, "he"), None for the writer or the unsaid person."""
    if family:
        return "family"
    if person not in OWN:
        return "other_person"
    return None


def mention_role(mention: Mention) -> str | None:
    """One role per entity: family first (it is never the person's own), then someone else's
    (other_person), then the reasons a mention does not apply now, most cautious first."""
    role = person_role(mention.person, mention.family)
    if role:
        return role
    if mention.hypothetical:
        return "hypothetical"
    if mention.uncertain:
        return "uncertain"
    if mention.negated:
        return "negated"
    if mention.past:
        return "historical"
    return None


def _entity(
    name: str,
    value: str,
    where: tuple[int, int] | None,
    role: str | None = None,
    info: dict[str, Any] | None = None,
) -> dict[str, Any]:
    start, end = where or (0, 0)
    entity: dict[str, Any] = {
        "entity": name,
        "start": int(start),
        "end": int(end),
        "value": value,
        "extractor": EXTRACTOR,
        "confidence_entity": 1.0,
    }
    if role:
        entity["role"] = role
    if info is not None:
        entity["additional_info"] = info
    return entity


def _about_role(about: str) -> str | None:
    """The role of a value said of someone else: family for a blood relative, else
    other_person (a pronoun, a partner)."""
    if about in OWN:
        return None
    from bot.people import relation

    named = relation(about)
    return "family" if named is not None and named.blood else "other_person"


def _with_about(info: dict[str, Any], about: str) -> dict[str, Any]:
    return {**info, "about": about} if about else info


def _state_entity(name: str, status: Status, where, about: str = "") -> dict[str, Any]:
    """Pregnancy / breastfeeding: value present|absent; UNKNOWN is 'present' + role uncertain.
    Said of someone else, the role says so (family / other_person) and ``about`` says who."""
    info = _with_about({"status": status.value}, about)
    if status is Status.ABSENT:
        return _entity(name, "absent", where, _about_role(about) or "negated", info)
    if status is Status.UNKNOWN:
        return _entity(name, "present", where, _about_role(about) or "uncertain", info)
    return _entity(name, "present", where, _about_role(about), info)


def extraction_to_entities(
    extraction: Extraction,
    kinds: dict[str, str] | None = None,
    value_spans: dict[str, tuple[int, int]] | None = None,
) -> list[dict[str, Any]]:
    """Rasa entity dicts for one extraction.

    ``kinds`` maps finding ids to symptom / risk_factor / red_flag (default: the knowledge
    base); ``value_spans`` gives where each value was written (from ``extract.analyse``).
    """
    if kinds is None:
        from bot.knowledge import load_knowledge

        kinds = {fid: f.kind for fid, f in load_knowledge().findings.items()}
    spans = value_spans or {}
    entities = []
    for mention in extraction.mentions:
        name = FINDING_ENTITIES.get(kinds.get(mention.id, ""), "symptom")
        entities.append(
            _entity(
                name,
                mention.id,
                (mention.start, mention.end),
                mention_role(mention),
                mention.to_dict(),
            )
        )
    about = extraction.about
    if extraction.subject:
        entities.append(
            _entity(
                "subject",
                extraction.subject,
                spans.get("subject"),
                None,
                {"subject": extraction.subject},
            )
        )
    if extraction.age is not None:
        entities.append(
            _entity(
                "age",
                str(extraction.age),
                spans.get("age"),
                _about_role(about.get("age", "")),
                _with_about({"age": extraction.age}, about.get("age", "")),
            )
        )
    if extraction.age_hint:
        # A hint ("retired") is not an age: it travels as an uncertain age whose value is
        # the hint word, so nothing reading roles mistakes it for a number.
        entities.append(
            _entity(
                "age",
                extraction.age_hint,
                spans.get("age_hint"),
                "uncertain",
                {"age_hint": extraction.age_hint},
            )
        )
    if extraction.sex:
        entities.append(
            _entity(
                "sex",
                extraction.sex,
                spans.get("sex"),
                _about_role(about.get("sex", "")),
                _with_about({"sex": extraction.sex}, about.get("sex", "")),
            )
        )
    if extraction.pregnant is not None:
        entities.append(
            _state_entity(
                "pregnancy",
                extraction.pregnant,
                spans.get("pregnancy"),
                about.get("pregnant", ""),
            )
        )
    if extraction.pregnancy_weeks is not None:
        entities.append(
            _entity(
                "pregnancy_weeks",
                str(extraction.pregnancy_weeks),
                spans.get("pregnancy_weeks"),
                _about_role(about.get("pregnant", "")),
                _with_about({"weeks": extraction.pregnancy_weeks}, about.get("pregnant", "")),
            )
        )
    if extraction.breastfeeding is not None:
        entities.append(
            _state_entity(
                "breastfeeding",
                extraction.breastfeeding,
                spans.get("breastfeeding"),
                about.get("breastfeeding", ""),
            )
        )
    if extraction.duration_days is not None:
        entities.append(
            _entity(
                "duration",
                str(extraction.duration_days),
                spans.get("duration"),
                None,
                {"days": extraction.duration_days},
            )
        )
    labs_of = about.get("labs", "")
    for lab in extraction.labs:
        entities.append(
            _entity(
                "lab",
                lab.analyte,
                spans.get(f"lab:{lab.analyte}"),
                _about_role(labs_of),
                _with_about(lab.to_dict(), labs_of),
            )
        )
    error_spans = [v for k, v in spans.items() if k.startswith("lab_error:")]
    error_analytes = [k.split(":", 1)[1] for k in spans if k.startswith("lab_error:")]
    for i, message in enumerate(extraction.lab_errors):
        analyte = error_analytes[i] if i < len(error_analytes) else "unknown"
        where = error_spans[i] if i < len(error_spans) else None
        entities.append(
            _entity("lab", analyte, where, "uncertain", {"analyte": analyte, "error": message})
        )
    return entities


def _mention_from_entity(entity: dict[str, Any]) -> Mention:
    info = entity.get("additional_info")
    if isinstance(info, dict) and info.get("id"):
        return Mention.from_dict(info)
    role = entity.get("role")
    status = Status.PRESENT
    if role in ("hypothetical", "uncertain"):
        status = Status.UNKNOWN
    elif role in ("negated", "historical"):
        status = Status.ABSENT
    return Mention(
        id=str(entity["value"]),
        status=status,
        family=role == "family",
        person=SOMEONE if role == "other_person" else "",
        past=role == "historical",
        hypothetical=role == "hypothetical",
        uncertain=role == "uncertain",
        negated=role == "negated",
        start=int(entity.get("start", 0) or 0),
        end=int(entity.get("end", 0) or 0),
    )


def _state_from_entity(entity: dict[str, Any]) -> Status:
    info = entity.get("additional_info")
    if isinstance(info, dict) and info.get("status") in {s.value for s in Status}:
        return Status(info["status"])
    if entity.get("role") in ("hypothetical", "uncertain"):
        return Status.UNKNOWN
    if entity.get("value") == "absent" or entity.get("role") == "negated":
        return Status.ABSENT
    return Status.PRESENT


def entities_to_extraction(entities: list[dict[str, Any]]) -> Extraction:
    """Inverse of :func:`extraction_to_entities`; entities of other extractors are ignored.

    Raises ``ValueError`` / ``KeyError`` on a malformed entity of our schema, so the caller
    can decide to drop the message rather than guess.
    """
    result = Extraction()
    for entity in entities or []:
        if entity.get("extractor") not in (None, EXTRACTOR):
            continue
        name = entity.get("entity")
        info = (
            entity.get("additional_info") if isinstance(entity.get("additional_info"), dict) else {}
        )
        role = entity.get("role")
        about = str(info.get("about") or "")
        # A value of someone else's without ``about`` (another tool's entity) is not read.
        someone_elses = role in ("family", "other_person") and not about
        if name in FINDING_ENTITIES:
            result.mentions.append(_mention_from_entity(entity))
        elif name == "subject":
            result.subject = str(info.get("subject") or entity["value"])
        elif name in VALUE_ABOUT and someone_elses:
            continue
        elif name == "age":
            if role in ("negated", "historical", "hypothetical"):
                continue
            if role == "uncertain" or "age_hint" in info:
                result.age_hint = str(info.get("age_hint", entity.get("value")))
            else:
                result.age = int(info.get("age", entity["value"]))
        elif name == "sex" and role in (None, "family", "other_person"):
            result.sex = str(entity["value"])
        elif name == "pregnancy":
            result.pregnant = _state_from_entity(entity)
        elif name == "pregnancy_weeks" and not someone_elses:
            result.pregnancy_weeks = int(info.get("weeks", entity["value"]))
        elif name == "breastfeeding":
            result.breastfeeding = _state_from_entity(entity)
        elif name == "duration" and role is None:
            result.duration_days = int(info.get("days", entity["value"]))
        elif name == "lab":
            if "error" in info:
                result.lab_errors.append(str(info["error"]))
            elif (role is None or (about and not someone_elses)) and {
                "analyte", "value", "unit"
            } <= set(info):
                result.labs.append(LabResult.from_dict(info))
                if about:
                    result.about["labs"] = about
        if about and name in VALUE_ABOUT and name in _read_values(result):
            result.about[VALUE_ABOUT[name]] = about
    return result


def _read_values(result: Extraction) -> set[str]:
    """The value entities that were read into ``result`` so far."""
    return {
        name
        for name, value in (
            ("age", result.age),
            ("sex", result.sex),
            ("pregnancy", result.pregnant),
            ("breastfeeding", result.breastfeeding),
        )
        if value is not None
    }


@lru_cache(maxsize=1)
def finding_kinds() -> dict[str, str]:
    """Each knowledge-base finding's kind (``symptom``, ``risk_factor``, ``red_flag``)."""
    from bot.knowledge import load_knowledge

    return {fid: f.kind for fid, f in load_knowledge().findings.items()}


def reports_own_red_flag(entities: list[dict[str, Any]]) -> bool:
    """Whether the message reports a red flag of the person's own, now.

    A red-flag entity without a role: not denied, not a relative's, not past,
    not hypothetical or uncertain. The one rule for announcing an emergency from
    the words, used by the NLU component and by the channels during an outage.
    """
    return any(e.get("entity") == "red_flag" and "role" not in e for e in entities)


def _now(mention: Mention) -> bool:
    return mention.status is Status.PRESENT and not (
        mention.negated or mention.hypothetical or mention.uncertain or mention.past
    )


def reports_red_flag_now(entities: list[dict[str, Any]]) -> list[str]:
    """Whose red flags the message reports now, as ``Mention.person`` ("" unsaid, "self",
    "father", "he", ...), each once, in order.

    Now means: not denied, not hypothetical or uncertain, not past (a relative's "had a
    stroke" is family history), whoever it is about: an emergency about someone present
    ("he's collapsed and can't get up", "my wife can't feel her legs") is still an
    emergency. The rule for the red-flag intent, used by the NLU component and by the
    channels during an outage.
    """
    persons: list[str] = []
    for entity in entities or []:
        if entity.get("entity") != "red_flag" or entity.get("extractor") not in (None, EXTRACTOR):
            continue
        mention = _mention_from_entity(entity)
        if _now(mention) and mention.person not in persons:
            persons.append(mention.person)
    return persons


def why_not_now(mention: Mention, note: str | None = None) -> str | None:
    """Why a mention reports nothing now: ``reference`` (quoted or pasted text),
    ``general_question``, ``over`` (the message closes or dates it), ``story`` or
    ``cared_for`` (someone on screen, or already in hospital), ``negated``,
    ``historical``, ``hypothetical`` or ``uncertain``; None when it does."""
    if note:
        return note
    for reason, flag in (
        ("negated", mention.negated or mention.status is Status.ABSENT and not mention.past),
        ("historical", mention.past),
        ("hypothetical", mention.hypothetical),
        ("uncertain", mention.uncertain),
    ):
        if flag:
            return reason
    return None
