"""``extract(text) -> Extraction``: what one message says about the person.

The pipeline marks spans and their ConText modifiers; this module decides what
they mean for the person (the verdict), in one place, so the rules are easy to
audit: a negated finding is ABSENT and never PRESENT, a relative's finding is
family, someone else's (a partner's) is dropped, something that ended is
past-only, and hypothetical or uncertain talk is UNKNOWN.

``bot.nlu.extract`` is this module's :func:`extract`, re-exported by the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from bot.findings import Extraction, LabResult, Mention, Status

MAX_CHARS = 5000
FINDING_LABELS = ("SYMPTOM", "RISK_FACTOR", "RED_FLAG")


@dataclass(frozen=True)
class Verdict:
    """What ConText's modifiers mean for one span."""

    family: bool = False
    other_person: bool = False
    negated: bool = False
    ended: bool = False
    historical: bool = False
    hypothetical: bool = False
    uncertain: bool = False


def verdict_of(categories: set[str], history_persists: bool = False) -> Verdict:
    return Verdict(
        family="FAMILY" in categories,
        other_person="OTHER_PERSON" in categories and "FAMILY" not in categories,
        negated="NEGATED_EXISTENCE" in categories,
        ended="ENDED" in categories,
        historical="HISTORICAL" in categories and not history_persists,
        hypothetical="HYPOTHETICAL" in categories,
        uncertain="POSSIBLE_EXISTENCE" in categories,
    )


def mention_from(fid: str, verdict: Verdict, text: str, start: int, end: int) -> Mention:
    """The Mention for a finding span. Order matters: "what if" and "not sure" win (UNKNOWN),
    then an ending ("not anymore": past-only), then a plain negation (ABSENT)."""
    past = False
    negated = verdict.negated
    if verdict.hypothetical or verdict.uncertain:
        status = Status.UNKNOWN
    elif verdict.ended or (verdict.historical and not verdict.negated):
        status, past, negated = Status.ABSENT, True, False
    elif verdict.negated:
        status = Status.ABSENT
    else:
        status = Status.PRESENT
    return Mention(
        id=fid,
        status=status,
        family=verdict.family,
        past=past,
        hypothetical=verdict.hypothetical,
        uncertain=verdict.uncertain,
        negated=negated,
        text=text,
        start=start,
        end=end,
    )


def _state_status(verdict: Verdict) -> Status | None:
    """Pregnancy / breastfeeding: None when it says nothing about now ("pregnant in 2019")."""
    if verdict.hypothetical or verdict.uncertain:
        return Status.UNKNOWN
    if verdict.negated or verdict.ended:
        return Status.ABSENT
    if verdict.historical:
        return None
    return Status.PRESENT


@dataclass
class Analysis:
    """An extraction plus where each value was written (Rasa entities need offsets)."""

    extraction: Extraction
    value_spans: dict[str, tuple[int, int]] = field(default_factory=dict)


def _lab_result(payload: dict[str, Any]) -> LabResult:
    from bot.labs import make_result

    return make_result(
        payload["analyte"],
        payload["value"],
        payload.get("unit"),
        original=payload.get("original", ""),
    )


def analyse(text: Any, nlp=None) -> Analysis:
    """Run the pipeline over one message (at most MAX_CHARS characters of it)."""
    if not isinstance(text, str) or not text.strip():
        return Analysis(Extraction())
    from bot.nlu.components import SPAN_GROUP
    from bot.nlu.lexicon import history_persists
    from bot.nlu.normalize import clean_text
    from bot.nlu.pipeline import get_pipeline

    nlp = nlp or get_pipeline()
    cleaned = clean_text(text[:MAX_CHARS])
    doc = nlp(cleaned)
    targets = nlp.get_pipe("b12_targets").targets
    payloads = doc._.b12_values or {}
    result = Extraction()
    spans_at: dict[str, tuple[int, int]] = {}
    seen: set[tuple] = set()
    lab_seen: set[str] = set()
    durations: list[tuple[Any, int]] = []
    pregnancy: list[tuple[Status, int | None, tuple[int, int]]] = []
    spans = list(doc.spans[SPAN_GROUP]) if SPAN_GROUP in doc.spans else []
    shareable: list[tuple[Any, str, Verdict]] = []
    for span in spans:
        categories = {m.category for m in span._.modifiers}
        label = span.label_
        where = (span.start_char, span.end_char)
        if label in FINDING_LABELS:
            target = targets.get(span.kb_id_)
            if target is None:
                continue
            verdict = verdict_of(categories, history_persists(target))
            if (verdict.family or verdict.other_person) and not (
                verdict.negated or verdict.hypothetical or verdict.uncertain
            ):
                shareable.append((span, target.id, verdict))
            if verdict.other_person:
                continue
            mention = mention_from(target.id, verdict, text[where[0] : where[1]], *where)
            key = (mention.id, mention.status, mention.family, mention.past, mention.negated)
            if key not in seen:
                seen.add(key)
                result.mentions.append(mention)
            continue
        verdict = verdict_of(categories)
        if verdict.family or verdict.other_person:
            continue
        value = payloads.get((span.start_char, span.end_char, label))
        if label == "AGE" and result.age is None and not (verdict.negated or verdict.hypothetical):
            result.age = int(value)
            spans_at["age"] = where
        elif label == "AGE_HINT" and result.age_hint is None and not verdict.negated:
            result.age_hint = str(value)
            spans_at["age_hint"] = where
        elif label == "SEX" and result.sex is None and not verdict.negated:
            result.sex = str(value)
            spans_at["sex"] = where
        elif label == "PREGNANCY":
            status = _state_status(verdict)
            if status is not None:
                pregnancy.append((status, value if status is Status.PRESENT else None, where))
        elif label == "BREASTFEEDING":
            status = _state_status(verdict)
            if status is not None and result.breastfeeding is None:
                result.breastfeeding = status
                spans_at["breastfeeding"] = where
        elif label == "DURATION" and not (verdict.hypothetical or verdict.negated):
            durations.append((span, int(value)))
        elif label == "LAB" and not (verdict.hypothetical or verdict.negated) and value:
            if value["analyte"] in lab_seen:
                continue
            lab_seen.add(value["analyte"])
            try:
                result.labs.append(_lab_result(value))
                spans_at[f"lab:{value['analyte']}"] = where
            except ValueError as error:
                result.lab_errors.append(str(error))
                spans_at[f"lab_error:{value['analyte']}"] = where
    for mention in _echo_mentions(doc, text, shareable):
        key = (mention.id, mention.status, mention.family, mention.past, mention.negated)
        if key not in seen:
            seen.add(key)
            result.mentions.append(mention)
    if pregnancy:
        # A clear "yes" beats a "not sure"; the first definite answer wins otherwise.
        order = {Status.PRESENT: 0, Status.ABSENT: 1, Status.UNKNOWN: 2}
        status, _, where = sorted(pregnancy, key=lambda p: order[p[0]])[0]
        result.pregnant = status
        spans_at["pregnancy"] = where
        weeks = next((w for s, w, _ in pregnancy if s is Status.PRESENT and w), None)
        if weeks:
            result.pregnancy_weeks = int(weeks)
            spans_at["pregnancy_weeks"] = next(p[2] for p in pregnancy if p[1] == weeks)
    result.duration_days, where = _symptom_duration(durations, spans)
    if where:
        spans_at["duration"] = where
    return Analysis(result, spans_at)


ECHO_STATUS = {"ECHO_ABSENT": True, "ECHO_PRESENT": False}


def _echo_mentions(doc, text: str, shareable: list[tuple[Any, str, Verdict]]) -> list[Mention]:
    """The person's own findings from "... but I'm not" / "... and so am I".

    Such a phrase answers for the person about a finding just said of a relative or someone
    else ("my husband is vegan but I'm not": the person is not vegan; the husband's diet is
    dropped as usual). It reaches back within its sentence, or, standing as a sentence of its
    own ("My husband is vegan. I'm not."), into the sentence before.
    """
    graph = getattr(doc._, "context_graph", None)
    if graph is None or not shareable:
        return []
    mentions = []
    for modifier in graph.modifiers:
        negated = ECHO_STATUS.get(modifier.category)
        if negated is None:
            continue
        start, end = modifier.modifier_span
        own_sentence = doc[start].sent
        sources = [item for item in shareable if item[0] in modifier._targets]
        if not sources and start == own_sentence.start and own_sentence.start > 0:
            before = doc[own_sentence.start - 1].sent
            sources = [item for item in shareable if before.start <= item[0].start < before.end]
        for _span, fid, verdict in sources:
            own = Verdict(negated=negated, ended=verdict.ended, historical=verdict.historical)
            where = (doc[start].idx, doc[end - 1].idx + len(doc[end - 1]))
            mentions.append(mention_from(fid, own, text[where[0] : where[1]], *where))
    return mentions


def _symptom_duration(durations, spans) -> tuple[int | None, tuple[int, int] | None]:
    """The duration of the complaint, not of a diet or a medicine: a duration counts when its
    clause names a symptom or red flag, or names no finding at all ("feeling rubbish for 6
    weeks"); "vegetarian for 20 years" or "on metformin for 10 years" do not count."""
    for span, days in durations:
        sent = span.sent
        kinds = {
            s.label_
            for s in spans
            if s.label_ in FINDING_LABELS and s.start >= sent.start and s.end <= sent.end
        }
        if not kinds or kinds & {"SYMPTOM", "RED_FLAG"}:
            return days, (span.start_char, span.end_char)
    return None, None


def extract(text: Any) -> Extraction:
    """Findings, demographics, durations and lab results named in one message.

    Never raises on odd input: empty or non-text gives an empty extraction, text past
    MAX_CHARS is ignored, markup is blanked out, emoji and other languages are read as
    they are (they simply match nothing).
    """
    return analyse(text).extraction
