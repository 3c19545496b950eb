"""Convert an :class:`Extraction` to Rasa entity dicts and back (schema: docs/entities.md).

The Rasa component writes these entities into every parsed message; the action
server rebuilds the extraction from the tracker's latest message with
:func:`entities_to_extraction`. The full mention or lab dict travels in
``additional_info`` so the round trip loses nothing; ``role`` is a summary for
readers that only look at the entity itself (no role = applies to the person now).
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

from bot.findings import Extraction, LabResult, Mention, Status

EXTRACTOR = "B12ClinicalExtractor"
FINDING_ENTITIES = {"symptom": "symptom", "risk_factor": "risk_factor", "red_flag": "red_flag"}
ROLES = ("negated", "family", "historical", "hypothetical", "uncertain")


def mention_role(mention: Mention) -> str | None:
    """One role per entity: family first (it is never the person's own), then the reasons a
    mention does not apply now, most cautious first."""
    if mention.family:
        return "family"
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


def _state_entity(name: str, status: Status, where) -> dict[str, Any]:
    """Pregnancy / breastfeeding: value present|absent; UNKNOWN is 'present' + role uncertain."""
    if status is Status.ABSENT:
        return _entity(name, "absent", where, "negated", {"status": status.value})
    if status is Status.UNKNOWN:
        return _entity(name, "present", where, "uncertain", {"status": status.value})
    return _entity(name, "present", where, None, {"status": status.value})


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
    if extraction.age is not None:
        entities.append(
            _entity("age", str(extraction.age), spans.get("age"), None, {"age": extraction.age})
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
            _entity("sex", extraction.sex, spans.get("sex"), None, {"sex": extraction.sex})
        )
    if extraction.pregnant is not None:
        entities.append(_state_entity("pregnancy", extraction.pregnant, spans.get("pregnancy")))
    if extraction.pregnancy_weeks is not None:
        entities.append(
            _entity(
                "pregnancy_weeks",
                str(extraction.pregnancy_weeks),
                spans.get("pregnancy_weeks"),
                None,
                {"weeks": extraction.pregnancy_weeks},
            )
        )
    if extraction.breastfeeding is not None:
        entities.append(
            _state_entity("breastfeeding", extraction.breastfeeding, spans.get("breastfeeding"))
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
    for lab in extraction.labs:
        entities.append(
            _entity("lab", lab.analyte, spans.get(f"lab:{lab.analyte}"), None, lab.to_dict())
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
        if name in FINDING_ENTITIES:
            result.mentions.append(_mention_from_entity(entity))
        elif name == "age":
            if role in ("family", "negated", "historical", "hypothetical"):
                continue
            if role == "uncertain" or "age_hint" in info:
                result.age_hint = str(info.get("age_hint", entity.get("value")))
            else:
                result.age = int(info.get("age", entity["value"]))
        elif name == "sex" and role is None:
            result.sex = str(entity["value"])
        elif name == "pregnancy" and role != "family":
            result.pregnant = _state_from_entity(entity)
        elif name == "pregnancy_weeks" and role is None:
            result.pregnancy_weeks = int(info.get("weeks", entity["value"]))
        elif name == "breastfeeding" and role != "family":
            result.breastfeeding = _state_from_entity(entity)
        elif name == "duration" and role is None:
            result.duration_days = int(info.get("days", entity["value"]))
        elif name == "lab":
            if "error" in info:
                result.lab_errors.append(str(info["error"]))
            elif role is None and {"analyte", "value", "unit"} <= set(info):
                result.labs.append(LabResult.from_dict(info))
    return result


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
