"""``extract(text) -> Extraction``: what one message says about the person.

The pipeline marks spans and their ConText modifiers; this module decides what
they mean for the person (the verdict), in one place, so the rules are easy to
audit: a negated finding is ABSENT and never PRESENT, a blood relative's finding is
family, something that ended is past-only, and hypothetical or uncertain talk is
UNKNOWN. Every mention and value also says whose it is (``Mention.person``,
``Extraction.about``; decided in ``bot.nlu.persons``): a partner's or a pronoun's
finding is kept with its person, an animal's is dropped, and quoted reference text
or a general question reports nobody's finding (hypothetical).

``bot.nlu.extract`` is this module's :func:`extract`, re-exported by the package.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
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


def mention_from(
    fid: str, verdict: Verdict, text: str, start: int, end: int, person: str = ""
) -> Mention:
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
        person=person,
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
    """An extraction plus where each value was written (Rasa entities need offsets).

    ``notes`` says why a mention at (start, end) reports nobody's finding when ConText alone
    would not tell: ``"reference"`` (quoted or pasted reference text) or
    ``"general_question"`` ("can low B12 cause chest pain?"). ``idiom_red_flags`` are red
    flags whose words were only part of a saying ("took my breath away").
    """

    extraction: Extraction
    value_spans: dict[str, tuple[int, int]] = field(default_factory=dict)
    notes: dict[tuple[int, int], str] = field(default_factory=dict)
    idiom_red_flags: tuple[str, ...] = ()
    # Red flags said of an animal ("our dog keeps collapsing"): nobody's, and no emergency.
    animal_red_flags: tuple[str, ...] = ()


def _lab_result(payload: dict[str, Any]) -> LabResult:
    from bot.labs import make_result

    return make_result(
        payload["analyte"],
        payload["value"],
        payload.get("unit"),
        original=payload.get("original", ""),
    )


# A value candidate: (value, where it was written, whose it is).
Candidate = tuple[Any, tuple[int, int], str]
OWN = ("", "self")


def _is_subjects(person: str, subject: str | None) -> bool:
    """Whether ``person`` is the subject, a pronoun standing for it included ("asking for my
    mum, she's 79": ``she`` is the mother)."""
    from bot.people import relation

    if not subject or subject == "self":
        return person in OWN
    if person == subject:
        return True
    named = relation(subject)
    return named is not None and person == named.pronoun


def _pick(candidates: list[Candidate], subject: str | None) -> Candidate | None:
    """Whose value to keep when several people's are given: the subject's when the message
    says who the check is for, else the writer's, else the first one said (its ``about``
    tells the dialogue whose it is)."""
    for test in (
        lambda p: _is_subjects(p, subject),
        lambda p: p in OWN,
        lambda p: True,
    ):
        for candidate in candidates:
            if test(candidate[2]):
                return candidate
    return None


def _implicit_subject(
    mentions: list[Mention],
    kinds: dict[str, str],
    ages: list[Candidate],
    labs: list[Candidate] = (),
):
    """Someone else is the subject when the message reports their current symptom, red flag,
    age or blood result ("my dad (80) can't walk", "my son, 14, is always exhausted", "mum's
    b12 came back 150") and no current symptom, age or result of the writer's own: "I'm
    exhausted looking after my mum who can't walk" and "my dad is 84 and I'm 50" say nothing
    of whom the check is for. A relative named only with family history ("my mum had
    pernicious anaemia") is not the subject.
    """
    current = [
        m
        for m in mentions
        if m.status is Status.PRESENT and not m.past and kinds.get(m.id) in ("symptom", "red_flag")
    ]
    own_values = [p for _v, _w, p in (*ages, *labs)]
    if any(m.person == "self" for m in current):
        return None
    if "self" in own_values:
        # The writer gives only their age or a result, and tells an emergency of someone
        # else: the check is for them ("I'm 12, my dad's lips are blue and he can't talk").
        red = sorted(
            (m.start, m.person)
            for m in current
            if kinds.get(m.id) == "red_flag" and m.person not in (*OWN, "family")
        )
        return red[0][1] if red else None
    found = [(m.start, m.person) for m in current]
    found += [(where[0], person) for _v, where, person in (*ages, *labs)]
    others = sorted((start, p) for start, p in found if p not in (*OWN, "family"))
    return others[0][1] if others else None


def _dates_own_clause(span, where: tuple[int, int]) -> bool:
    """A time right after a clause inside the finding's own words dates that clause: in
    "wants to be with her husband who passed at christmas" it is the death, not the wish."""
    relative = any(t.lower_ in ("who", "that", "which") for t in span)
    return relative and span.end <= where[0] < span.end + 3


def analyse(text: Any, nlp=None) -> Analysis:
    """Run the pipeline over one message (at most MAX_CHARS characters of it)."""
    if not isinstance(text, str) or not text.strip():
        return Analysis(Extraction())
    from bot.nlu.combinations import combined_red_flags
    from bot.nlu.components import SPAN_GROUP
    from bot.nlu.input_check import reads_as_reference, reference_spans
    from bot.nlu.lexicon import history_persists, overrule_traits
    from bot.nlu.normalize import clean_text
    from bot.nlu.persons import (
        Person,
        general_question,
        others_not_here,
        person_of,
        stated_subject,
        told_as_over,
        told_as_past,
        writer_told_as_over,
    )
    from bot.nlu.pipeline import get_pipeline

    nlp = nlp or get_pipeline()
    cleaned = clean_text(text[:MAX_CHARS])
    doc = nlp(cleaned)
    targets = nlp.get_pipe("b12_targets").targets
    payloads = doc._.b12_values or {}
    result = Extraction()
    notes: dict[tuple[int, int], str] = {}
    spans_at: dict[str, tuple[int, int]] = {}
    seen: set[tuple] = set()
    durations: list[tuple[Any, int, str]] = []
    pregnancy: list[tuple[Status, int | None, tuple[int, int], str]] = []
    values: dict[str, list[Candidate]] = {"age": [], "age_hint": [], "sex": [], "bf": []}
    labs: list[Candidate] = []
    spans = list(doc.spans[SPAN_GROUP]) if SPAN_GROUP in doc.spans else []
    shareable: list[tuple[Any, str, Verdict]] = []
    reference = [(0, len(cleaned))] if reads_as_reference(cleaned) else reference_spans(cleaned)
    kinds = {fid: t.kind for fid, t in targets.items()}
    denials = doc._.b12_denials or set()
    animal_red_flags: list[str] = []
    doubts_not_enough = overrule_traits()["doubts_not_enough"]
    for span in spans:
        # A cue inside the finding's own words is part of how it is said, not a modifier of
        # it: "would anyone notice if I wasn't around" is a suicidal thought, not a maybe.
        categories = {
            m.category
            for m in span._.modifiers
            if not (span.start <= m.modifier_span[0] and m.modifier_span[1] <= span.end)
            and not (m.category == "HISTORICAL" and _dates_own_clause(span, m.modifier_span))
        }
        if span.kb_id_ in doubts_not_enough:
            # "would anyone notice if I wasn't around", "maybe they'd be better off": a
            # suicidal thought is often put as a wonder or a wish (finding_traits.yml).
            categories -= {"HYPOTHETICAL", "POSSIBLE_EXISTENCE"}
        label = span.label_
        where = (span.start_char, span.end_char)
        person = person_of(span)
        if person.animal:
            if label == "RED_FLAG":
                animal_red_flags.append(span.kb_id_)  # "my cat keeps fainting"
            continue
        quoted = any(a <= where[0] and where[1] <= b for a, b in reference)
        if quoted:
            person = Person()  # reference text reports nobody's finding
        if label in FINDING_LABELS:
            target = targets.get(span.kb_id_)
            if target is None:
                continue
            verdict = verdict_of(categories, history_persists(target))
            verdict = replace(verdict, family=person.blood, other_person=False)
            if where in denials:
                # "I'm a big meat eater" denies a diet; "not a big meat eater", "used to be a
                # meat eater" or "if I ate meat" deny nothing.
                if verdict.negated or verdict.ended or verdict.historical or verdict.hypothetical:
                    continue
                if verdict.uncertain:
                    continue
                verdict = replace(verdict, negated=True)
            if quoted:
                verdict, notes[where] = replace(verdict, hypothetical=True), "reference"
            elif not verdict.negated and general_question(span):
                verdict, notes[where] = replace(verdict, hypothetical=True), "general_question"
            if person.key not in OWN and not (
                verdict.negated or verdict.hypothetical or verdict.uncertain
            ):
                shareable.append((span, target.id, verdict))
            mention = mention_from(
                target.id, verdict, text[where[0] : where[1]], *where, person=person.key
            )
            if (
                label == "RED_FLAG"
                and mention.status is Status.PRESENT
                and (
                    told_as_past(span, person)
                    if person.key not in OWN
                    else writer_told_as_over(span)
                )
            ):
                mention = replace(mention, past=True)
            if (
                label == "RED_FLAG"
                and (mention.past or mention.status is Status.ABSENT)
                and (told_as_over(span) if person.key not in OWN else writer_told_as_over(span))
            ):
                # The message itself closes or dates it ("she's back to herself now", "took
                # her own life last year"): firmly not now (finding_traits.yml `overrule`).
                notes.setdefault(where, "over")
            if label == "RED_FLAG" and (mention.past or mention.status is Status.ABSENT):
                elsewhere = others_not_here(span, person)  # a story, or already in hospital
                if elsewhere:
                    notes.setdefault(where, elsewhere)
            key = (mention.id, mention.status, mention.family, mention.person, mention.past)
            if key not in seen:
                seen.add(key)
                result.mentions.append(mention)
            continue
        if quoted:
            continue
        verdict = verdict_of(categories)
        value = payloads.get((span.start_char, span.end_char, label))
        if label == "AGE" and not (verdict.negated or verdict.hypothetical):
            values["age"].append((int(value), where, person.key))
        elif label == "AGE_HINT" and not verdict.negated:
            values["age_hint"].append((str(value), where, person.key))
        elif label == "SEX" and not verdict.negated:
            values["sex"].append((str(value), where, person.key))
        elif label == "PREGNANCY":
            status = _state_status(verdict)
            if status is not None:
                weeks = value if status is Status.PRESENT else None
                pregnancy.append((status, weeks, where, person.key))
        elif label == "BREASTFEEDING":
            status = _state_status(verdict)
            if status is not None:
                values["bf"].append((status, where, person.key))
        elif label == "DURATION" and not (verdict.hypothetical or verdict.negated):
            durations.append((span, int(value), person.key))
        elif label == "LAB" and not (verdict.hypothetical or verdict.negated) and value:
            labs.append((value, where, person.key))
    for mention in _echo_mentions(doc, text, shareable):
        key = (mention.id, mention.status, mention.family, mention.person, mention.past)
        if key not in seen:
            seen.add(key)
            result.mentions.append(mention)
    # "heart racing" and "lightheaded" of the same person now: the red flag they make together
    def over(mention) -> bool:
        span = doc.char_span(mention.start, mention.end, alignment_mode="expand")
        return span is not None and told_as_over(span)

    result.mentions.extend(combined_red_flags(result.mentions, over))
    stated = stated_subject(cleaned)
    # A pregnancy said of someone else ("my daughter is 4 months pregnant") names whom the
    # check is for as an age or a result does.
    pregnant = [(s, w, p) for s, _weeks, w, p in pregnancy if s is Status.PRESENT]
    subject = (
        stated[0]
        if stated
        else _implicit_subject(result.mentions, kinds, [*values["age"], *pregnant], labs)
    )
    result.subject = subject
    if stated:
        spans_at["subject"] = stated[1]
    _set_values(result, spans_at, values, pregnancy, subject)
    # A duration or a lab of someone who is not the subject (a relative's "for 10 years", a
    # partner's B12 level) is not the checked person's.
    ours = [(s, d) for s, d, p in durations if p in OWN or _is_subjects(p, subject)]
    for payload, where, person in labs:
        if not (person in OWN or _is_subjects(person, subject) or person in ("he", "she", "they")):
            continue
        if any(lab.analyte == payload["analyte"] for lab in result.labs) or (
            f"lab_error:{payload['analyte']}" in spans_at
        ):
            continue
        try:
            result.labs.append(_lab_result(payload))
            spans_at[f"lab:{payload['analyte']}"] = where
            if person not in OWN:
                result.about["labs"] = subject or person
        except ValueError as error:
            result.lab_errors.append(str(error))
            spans_at[f"lab_error:{payload['analyte']}"] = where
    result.duration_days, where = _symptom_duration(ours, spans)
    if where:
        spans_at["duration"] = where
    return Analysis(
        result, spans_at, notes, tuple(doc._.b12_idiom_red_flags or ()), tuple(animal_red_flags)
    )


def _set_values(
    result: Extraction,
    spans_at: dict[str, tuple[int, int]],
    values: dict[str, list[Candidate]],
    pregnancy: list[tuple[Status, int | None, tuple[int, int], str]],
    subject: str | None,
) -> None:
    """Age, sex, pregnancy and breastfeeding: one person's each (see :func:`_pick`), with
    ``about`` saying whose when it is not unsaid."""
    for name, field_name, span_key in (
        ("age", "age", "age"),
        ("sex", "sex", "sex"),
        ("bf", "breastfeeding", "breastfeeding"),
    ):
        picked = _pick(values[name], subject)
        if picked is None:
            continue
        setattr(result, field_name, picked[0])
        spans_at[span_key] = picked[1]
        if picked[2]:
            result.about[field_name] = picked[2]
    hint = _pick([v for v in values["age_hint"] if v[2] in OWN], subject)
    if hint is not None:
        result.age_hint, spans_at["age_hint"] = hint[0], hint[1]
    chosen = _pick([(None, where, person) for _s, _w, where, person in pregnancy], subject)
    if chosen is None:
        return
    mine = [p for p in pregnancy if p[3] == chosen[2]]
    # A clear "yes" beats a "not sure"; the first definite answer wins otherwise.
    order = {Status.PRESENT: 0, Status.ABSENT: 1, Status.UNKNOWN: 2}
    status, _, where, person = sorted(mine, key=lambda p: order[p[0]])[0]
    result.pregnant = status
    spans_at["pregnancy"] = where
    if person:
        result.about["pregnant"] = person
    weeks = next((w for s, w, _, _ in mine if s is Status.PRESENT and w), None)
    if weeks:
        result.pregnancy_weeks = int(weeks)
        spans_at["pregnancy_weeks"] = next(p[2] for p in mine if p[1] == weeks)


ECHO_STATUS = {"ECHO_ABSENT": True, "ECHO_PRESENT": False}


def _echo_mentions(doc, text: str, shareable: list[tuple[Any, str, Verdict]]) -> list[Mention]:
    """The person's own findings from "... but I'm not" / "... and so am I".

    Such a phrase answers for the person about a finding just said of a relative or someone
    else ("my husband is vegan but I'm not": the writer is not vegan; the husband's diet is
    kept as his, person ``husband``). It reaches back within its sentence, or, standing as a
    sentence of its own ("My husband is vegan. I'm not."), into the sentence before.
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
            mentions.append(
                mention_from(fid, own, text[where[0] : where[1]], *where, person="self")
            )
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
