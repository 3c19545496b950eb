"""Whose is each finding and value: the writer's, a relation's, a pronoun's, or nobody's.

The decision is made in two steps over the pipeline's own structures, so it keeps to the
scoping ConText already uses:

1. A ConText FAMILY / OTHER_PERSON / ANIMAL modifier on the span wins: the trigger words come
   from ``bot/knowledge/data/people.yml`` and the relation they name is the person (the
   nearest trigger, one before the span first). An animal's span belongs to nobody.
2. Otherwise a post-pass over the span's clause (the sentence of ``b12_clauses``) looks back
   from the span for the nearest marker: a first-person word ("I", "my", "me": ``self``), a
   third-person pronoun ("he", "her legs", "they're": ``he`` / ``she`` / ``they``) or a relation
   trigger whose scope ConText had already ended (its relation). With none before it, it looks
   forward to the end of its comma-part ("always tired, me"). Object forms ("him", "them") and a
   pronoun followed by a verb of reporting ("she said I have PA", "they found h pylori") mark
   nobody; "they" marks a person only before a verb of having or being ("they can't walk").

The marker words are data (``patterns/persons.yml``). Nothing here raises on odd text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from bot.nlu.resources import load_yaml

RELATION_CATEGORIES = ("FAMILY", "OTHER_PERSON", "ANIMAL")
ANIMAL = "animal"
_SEGMENT_BREAKS = {",", ";", ":", "-", "--", "(", ")"}


@dataclass(frozen=True)
class Markers:
    self_words: frozenset[str]
    possessives: frozenset[str]
    pronouns: dict[str, str]
    her_not_before: frozenset[str]
    they_before: frozenset[str]
    reporting: frozenset[str]
    family_past: frozenset[str]
    now_words: frozenset[str]
    question_openers: frozenset[str]
    unmarked_question_openers: frozenset[str]
    question_words: frozenset[str]
    question_auxiliaries: frozenset[str]
    general_subjects: frozenset[str]
    someone_nouns: frozenset[str]
    determiners: frozenset[str]
    copulas: frozenset[str]
    possessive_not_after: frozenset[str]


@dataclass(frozen=True)
class OthersPast:
    """The cues of someone else's red flag told as history or hearsay (``others_past`` in
    ``patterns/persons.yml``); phrases are matched on lower-case text, words on NORM."""

    event_verbs: frozenset[str]
    past_times: frozenset[str]
    year_before: frozenset[str]
    perfect: frozenset[str]
    present_states: re.Pattern[str] | None
    resolved: re.Pattern[str] | None
    reported: frozenset[str]
    stories: re.Pattern[str] | None
    hospital: re.Pattern[str] | None
    cared_for: re.Pattern[str] | None = None
    # The resolutions that only say how the person feels ("fine now", "she's ok"), not that
    # anyone saw them or that time has passed ("been checked", "not since")
    feeling_only: frozenset[str] = frozenset()


def _words(data: dict[str, Any], key: str) -> frozenset[str]:
    return frozenset(str(w).lower() for w in data.get(key) or ())


@lru_cache(maxsize=1)
def markers() -> Markers:
    """``patterns/persons.yml``, read once."""
    data = load_yaml("persons.yml") or {}
    pronouns = {
        str(word).lower(): str(pronoun)
        for pronoun, words in (data.get("pronouns") or {}).items()
        for word in words
    }
    return Markers(
        self_words=_words(data, "self"),
        possessives=frozenset({"my", "our"}),
        pronouns=pronouns,
        her_not_before=_words(data, "her_not_before"),
        they_before=_words(data, "they_before"),
        reporting=_words(data, "reporting_verbs"),
        family_past=_words(data, "family_past_verbs"),
        now_words=_words(data, "now_words"),
        question_openers=_words(data, "question_openers"),
        unmarked_question_openers=_words(data, "unmarked_question_openers"),
        question_words=_words(data, "question_words"),
        question_auxiliaries=_words(data, "question_auxiliaries"),
        general_subjects=_words(data, "general_subjects"),
        someone_nouns=_words(data.get("others_past") or {}, "someone_nouns"),
        determiners=_words(data.get("others_past") or {}, "determiners"),
        copulas=_words(data.get("others_past") or {}, "copulas"),
        possessive_not_after=_words(data.get("others_past") or {}, "possessive_not_after"),
    )


def _phrases(items) -> re.Pattern[str] | None:
    """One pattern for a list of phrases, each whole words, spaces matching any run of
    blanks."""
    forms = sorted({str(i).lower() for i in items or ()}, key=len, reverse=True)
    if not forms:
        return None
    body = "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)
    return re.compile(rf"(?<![a-z])(?:{body})(?![a-z])")


@lru_cache(maxsize=1)
def others_past() -> OthersPast:
    """``others_past`` of ``patterns/persons.yml``, read once."""
    data = (load_yaml("persons.yml") or {}).get("others_past") or {}
    return OthersPast(
        event_verbs=_words(data, "event_verbs"),
        past_times=_words(data, "past_times"),
        year_before=_words(data, "year_before"),
        perfect=_words(data, "perfect"),
        present_states=_phrases(data.get("present_states")),
        resolved=_phrases(data.get("resolved")),
        reported=_words(data, "reported"),
        stories=_phrases(data.get("stories")),
        hospital=_phrases(data.get("hospital")),
        cared_for=_phrases(data.get("cared_for")),
        feeling_only=frozenset(
            " ".join(str(i).lower().split()) for i in data.get("feeling_only") or ()
        ),
    )


@dataclass(frozen=True)
class Person:
    """Who a span is about: ``key`` as in ``Mention.person`` ("" = not said), ``blood``
    for family history, ``animal`` for a span that belongs to nobody."""

    key: str = ""
    blood: bool = False
    animal: bool = False


def _relation_person(text: str, category: str) -> Person:
    from bot.people import relation_of

    if category == "ANIMAL":
        return Person(ANIMAL, animal=True)
    relation = relation_of(text)
    if relation is None:  # "runs in the family", "family history", "on my mum's side"
        return Person("family", blood=True) if category == "FAMILY" else Person("someone")
    return Person(relation.key, blood=relation.blood and category == "FAMILY")


def _modifier_text(doc, modifier) -> str:
    start, end = modifier.modifier_span
    return " ".join(t.text for t in doc[start:end])


def relation_modifier(span) -> Person | None:
    """The person named by the nearest FAMILY / OTHER_PERSON / ANIMAL trigger that ConText
    let reach the span (one before the span first), or None."""
    found = [m for m in span._.modifiers if m.category in RELATION_CATEGORIES]
    if not found:
        return None

    def distance(modifier) -> tuple[int, int]:
        start, end = modifier.modifier_span
        before = end <= span.start
        return (0 if before else 1, span.start - end if before else start - span.end)

    nearest = min(found, key=distance)
    return _relation_person(_modifier_text(span.doc, nearest), nearest.category)


def _relation_triggers(doc) -> list[tuple[int, int, Any]]:
    graph = getattr(doc._, "context_graph", None)
    if graph is None:
        return []
    # (a PSEUDO rule such as "had a baby" shows where a relation word names nobody)
    return [
        (*m.modifier_span, m)
        for m in graph.modifiers
        if m.category in RELATION_CATEGORIES and str(m.direction).upper() != "PSEUDO"
    ]


_AGE_UNITS = {"year", "years", "yr", "yrs", "month", "months", "week", "weeks"}


def _aged_child_after(doc, i: int) -> bool:
    """ "my 14 year old", "my 6-month-old", "our 3yo": a child named by age."""
    words = [t.lower_ for t in doc[i + 1 : i + 6] if t.lower_ != "-"]
    if words and re.fullmatch(r"\d{1,2}(?:yo|y/o)", words[0]):
        return True
    return (
        len(words) >= 3
        and words[0].isdigit()
        and len(words[0]) <= 2
        and words[1] in _AGE_UNITS
        and words[2] == "old"
    )


def _token_marker(doc, i: int, triggers) -> Person | None:
    """The person token ``i`` marks, or None."""
    mk = markers()
    token = doc[i]
    norm = token.norm_.lower()
    nxt = doc[i + 1].norm_.lower() if i + 1 < len(doc) else ""
    for start, end, modifier in triggers:
        if start <= i < end:
            return _relation_person(_modifier_text(doc, modifier), modifier.category)
    prev = doc[i - 1].norm_.lower() if i > 0 else ""
    if norm in mk.possessives and _aged_child_after(doc, i):
        return Person("child", blood=True)  # "my 14 year old", "our 3yo"
    if norm in mk.self_words:
        if norm in mk.possessives and any(i < s <= i + 3 for s, _e, _m in triggers):
            return None  # "my mum": the "my" belongs to the relation
        if norm in mk.possessives and prev in mk.possessive_not_after:
            return None  # "a lady at my club": the "my" is the place's
        return Person("self")
    if norm in mk.someone_nouns and prev in mk.determiners:
        before = doc[i - 2].norm_.lower() if i > 1 else ""
        if before not in mk.copulas:  # "I'm a man, 58" is the writer
            return Person("someone")
    if (  # "one of the characters", "one of my patients"
        token.lemma_.lower() in mk.someone_nouns
        and prev in ("the", "my", "our", "his", "her", "their")
        and i > 2
        and doc[i - 2].norm_.lower() == "of"
        and doc[i - 3].norm_.lower() in _ONE_OF
    ):
        return Person("someone")
    pronoun = mk.pronouns.get(norm)
    if pronoun is None:
        return None
    if nxt in mk.reporting:
        return None
    if norm == "her" and (not nxt or nxt in mk.her_not_before):
        return None
    if norm == "they" and nxt not in mk.they_before:
        return None
    return Person(pronoun)


def marker_person(span) -> Person:
    """Step 2 of the module docstring: the nearest marker in the span's clause."""
    doc = span.doc
    sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
    triggers = _relation_triggers(doc)
    for i in range(span.start - 1, sent.start - 1, -1):
        found = _token_marker(doc, i, triggers)
        if found is not None:
            return found
    for i in range(span.end, sent.end):
        if doc[i].text in _SEGMENT_BREAKS or any(s <= i < e for s, e, _m in triggers):
            break  # a relation after the span is ConText's to decide
        found = _token_marker(doc, i, triggers)
        if found is not None:
            return found
    return Person()


_REFLEXIVE = {"himself": "he", "herself": "she", "themselves": "they", "themself": "they"}


def person_of(span) -> Person:
    """Whose the span is (see the module docstring). A finding told with "himself" or
    "herself" ("he wants to kill himself", "she's hurting herself") is never the writer's,
    whatever "me" the sentence has ("my son told me ...")."""
    person = relation_modifier(span) or marker_person(span)
    if person.key in ("", "self"):
        reflexive = next((_REFLEXIVE[t.lower_] for t in span if t.lower_ in _REFLEXIVE), None)
        if reflexive is not None:
            return Person(reflexive)
    return person


def _sentence(span):
    doc = span.doc
    return span.sent if doc.has_annotation("SENT_START") else doc[:]


def _resolved_after(span) -> bool:
    """The rest of the message says the event is over ("she's fine", "he's been checked",
    "it was the heat", "she's home now") and no present state follows ("but it's back")."""
    pattern = others_past().resolved
    if pattern is None:
        return False
    rest = span.doc.text[span.end_char :].lower().replace("\u2019", "'")
    found = list(pattern.finditer(rest))
    if not found:
        return False
    # "he's fine now but it's back": a present state after the last resolution undoes it.
    present = others_past().present_states
    return present is None or present.search(rest, found[-1].end()) is None


def _event_in_past(sent) -> bool:
    """A verb in the past ("collapsed", "passed out", "had", "was") that is not "has
    collapsed", with a past time ("last year", "on Sunday", "in 2019"), reported speech ("she
    said") or a stay in hospital ("was in hospital", "ended up in A&E"). A past verb alone is
    not enough for someone other than a blood relative: "his heart was racing and he felt
    faint" tells what is happening."""
    mk = markers()
    cues = others_past()
    norms = [t.norm_.lower() for t in sent]
    verbs = cues.event_verbs | mk.family_past
    if not any(
        n in verbs and not (i > 0 and norms[i - 1] in cues.perfect) for i, n in enumerate(norms)
    ):
        return False
    year = _year_said(sent, norms, (2, 4))
    text = sent.text.lower().replace("\u2019", "'")
    hospital = cues.hospital is not None and cues.hospital.search(text) is not None
    return year or hospital or any(n in cues.past_times or n in cues.reported for n in norms)


def _year_said(sent, norms: list[str], lengths: tuple[int, ...]) -> bool:
    """A year after "in", "since", "back" ("in 2019", "back in 98")."""
    before = others_past().year_before
    return any(
        t.like_num and len(t.text) in lengths and i > 0 and norms[i - 1] in before
        for i, t in enumerate(sent)
    )


def _past_time(sent) -> bool:
    """A past time in the sentence: "last year", "in 2019", "years ago"."""
    cues = others_past()
    norms = [t.norm_.lower() for t in sent]
    return _year_said(sent, norms, (2, 4)) or any(n in cues.past_times for n in norms)


def _recent(sent, ignore: frozenset[str] = frozenset()) -> bool:
    """A word of the last hours in the sentence ("today", "just", "last night", "still")."""
    from bot.nlu.lexicon import overrule_traits

    traits = overrule_traits()
    norms = [t.norm_.lower() for t in sent]
    return any(n in traits["recent_words"] - ignore for n in norms) or any(
        pair in traits["recent_pairs"] for pair in zip(norms, norms[1:], strict=False)
    )


def _dating_words(span) -> list:
    """The words of the span's sentence that may date it: not a time inside the red flag's
    own words, nor one right after a clause of them ("wants to go with her husband who died
    last year": the year dates the death, not the wish)."""
    sent = _sentence(span)
    relative = any(t.lower_ in ("who", "that", "which") for t in span)
    end = span.end + 3 if relative else span.end
    return [t for t in sent if not span.start <= t.i < end]


def _dated(sent) -> bool:
    """A time that dates an event in the past: "last year", "3 years ago", "in 2019",
    "back in March" (not a duration such as "for 2 weeks")."""
    norms = [t.norm_.lower() for t in sent]
    year = _year_said(sent, norms, (4,))
    # "the last few days" is up to now, "last year" dates; "back" dates only as "back in
    # 2019" or "years back" (not "back passage", "back pain")
    def dates(i: int, n: str) -> bool:
        prev = norms[i - 1] if i > 0 else ""
        nxt = norms[i + 1] if i + 1 < len(norms) else ""
        if n == "last":
            return prev != "the"
        if n == "back":
            return nxt in ("in", "then") or prev in _BACK_AFTER
        return n in _DATING

    return year or any(dates(i, n) for i, n in enumerate(norms))


def told_as_over(span) -> bool:
    """The message itself closes the span's event ("nothing since", "she's back to herself")
    or dates it in the past ("in March", "last year"), with no word of the last hours."""
    sent = _sentence(span)
    # the "now" of a resolution ("she's back to herself now") is not a word of the last hours
    if _resolved_after(span) and not _recent(sent, ignore=frozenset({"now", "rn"})):
        return True
    return not _recent(sent) and _dated(_dating_words(span))


def writer_told_as_over(span) -> bool:
    """The writer's own red flag told as over: the rest of the message closes it ("had a fall
    last year after fainting but I've been fine since"), or its sentence dates it in the past
    ("last year", "in 2019", "a few years back") with no word of the last hours ("fainted last
    night", "since yesterday", "still", "today" keep it now)."""
    sent = _sentence(span)
    norms = [t.norm_.lower() for t in sent]
    if _recent(sent):
        return False
    if _resolved_after(span) and _closable(span, sent):
        return True
    cues = others_past()
    text = sent.text.lower().replace("\u2019", "'")
    if cues.present_states is not None and cues.present_states.search(text):
        return False
    # "since last week", "I've had": still going on
    if any(n in _ONGOING for n in norms):
        return False
    # A time that dates the event itself; a bare "for 2 weeks" is how long it has lasted.
    return _dated(_dating_words(span))


def _closable(span, sent) -> bool:
    """Whether the resolution after this red flag closes it. A faint or a fit is over by
    nature, so how the person feels afterwards ("fine now", "he's ok") does not close it;
    someone having seen them ("paramedics came", "been checked"), time since ("not since") or
    a date ("last summer") does (``closed_only_when_dated`` in finding_traits.yml)."""
    from bot.nlu.lexicon import closed_only_when_dated

    ids, _dating = closed_only_when_dated()
    if span.kb_id_ not in ids or _dated(sent):
        return True
    cues = others_past()
    rest = span.doc.text[span.end_char :].lower().replace("\u2019", "'")
    found = cues.resolved.finditer(rest) if cues.resolved is not None else ()
    return any(" ".join(m.group(0).split()) not in cues.feeling_only for m in found)


_ONE_OF = {"one", "some", "two", "three", "several", "both", "all", "many", "few"}
_ONGOING = {"since", "'ve", "ve", "have", "has", "been"}
_BACK_AFTER = {"years", "year", "months", "month", "weeks", "while", "way", "ago", "time", "bit"}
_DATING = {
    "ago", "last", "previously", "back", "january", "february", "march", "april", "june",
    "july", "august", "september", "october", "november", "december",
}


@lru_cache(maxsize=1)
def dated_only_by_time() -> frozenset[str]:
    """Red flags that a past verb does not make history (finding_traits.yml)."""
    data = load_yaml("finding_traits.yml") or {}
    return frozenset(str(i) for i in data.get("dated_only_by_time") or ())


@lru_cache(maxsize=1)
def _present_forms() -> frozenset[str]:
    return _words(load_yaml("persons.yml") or {}, "present_forms")


def _told_in_present(span) -> bool:
    """The finding's own verb says it is now: a present form right before it or as its first
    word, or "been" before an -ing form ("she's been hurting herself")."""
    doc = span.doc
    first = span[0].lower_.replace("’", "'")
    before = doc[span.start - 1].lower_.replace("’", "'") if span.start > 0 else ""
    forms = _present_forms()
    if first in forms or before in forms:
        return True
    return before == "been" and first.endswith("ing")


def others_not_here(span, person: Person) -> str | None:
    """Why someone else's red flag is firmly nobody's emergency here: ``story`` (someone in
    a programme, the paper or online) or ``cared_for`` (already in hospital or in care)."""
    if person.key in ("", "self") or person.animal:
        return None
    cues = others_past()
    text = _sentence(span).text.lower().replace("\u2019", "'")
    if person.key == "someone" and cues.stories is not None and cues.stories.search(text):
        return "story"
    if cues.cared_for is not None and cues.cared_for.search(text):
        return "cared_for"
    return None


def told_as_past(span, person: Person | None = None) -> bool:
    """A red flag of someone who is not the writer told as history or hearsay, not an
    emergency now. With ``person`` None, a blood relative's rule alone: a past verb in the
    clause ("my dad had a stroke") and no word of now.

    For anyone else (a partner, a friend, "a guy at work", "she"), also: the rest of the
    message says it is over ("she's fine now", "he's been checked"); or, with no word of now
    and no present state ("isn't breathing", "on the floor"), a story from the media about
    someone unnamed ("a character had chest pain") or a verb in the past with a past time,
    reported speech or a hospital stay ("my mate collapsed at a festival last year", "she said
    she wet herself", "was rushed into hospital"). A blood relative's past verb alone is family
    history, as before. "he's fainted and is on the floor" has none of these: it is now.
    """
    mk = markers()
    # Over, on screen, or already looked after, however it is told ("she's been bruising
    # loads and her doctor is running bloods", "has been seeing things and he's been admitted")
    someone_else = person is not None and person.key not in ("", "self") and not person.animal
    if someone_else and (
        (_resolved_after(span) and _closable(span, _sentence(span)))
        or others_not_here(span, person)
    ):
        return True
    if _told_in_present(span):
        return False
    sent = _sentence(span)
    norms = [t.norm_.lower() for t in sent]
    now = any(n in mk.now_words for n in norms)
    if span.kb_id_ in dated_only_by_time():
        # "wants to go with her husband who died last year": the time dates the death the
        # red flag's own words name, not the wish
        return _resolved_after(span) or (not _recent(sent) and _past_time(_dating_words(span)))
    past_verb = any(n in mk.family_past for n in norms)
    if person is None:
        return past_verb and not now
    if person.key in ("", "self") or person.animal:
        return False
    if _resolved_after(span) and _closable(span, sent):
        return True
    cues = others_past()
    text = sent.text.lower().replace("\u2019", "'")
    present_state = cues.present_states is not None and cues.present_states.search(text)
    # A story on screen or in print is told, whatever time words or states it has ("on
    # Casualty tonight a woman collapsed", "a documentary about a lad who can't walk").
    if person.key == "someone" and cues.stories is not None and cues.stories.search(text):
        return True
    # A relation in a story told before it ("in the film the grandmother has a heart attack",
    # "a novel where the heroine has a stroke"), with no word of now
    before = text[: max(0, span.start_char - sent.start_char)]
    if cues.stories is not None and cues.stories.search(before) and not now:
        return True
    # Someone already in hospital or in care ("my colleague is admitted with ...") is being
    # looked after; nobody needs to call for help for them from here.
    if cues.cared_for is not None and cues.cared_for.search(text):
        return True
    if now or present_state:
        return False
    return (past_verb and person.blood) or _event_in_past(sent)


def _unmarked_question(words, mk: Markers) -> bool:
    """A question written without its "?": an inverting opener, no negation after it, and a
    word of a condition in general ("can vitamin deficiencies make you suicidal")."""
    if len(words) < 3:
        return False
    first, second = words[0].norm_.lower(), words[1].norm_.lower()
    if words[0].lemma_.lower() in mk.question_words:
        first = words[0].lemma_.lower()  # the matching form: "wat" is "what"
    if first in mk.question_words and second in mk.question_auxiliaries:
        return True
    if first in mk.question_words and second in ("kind", "sort", "type", "sorts", "kinds"):
        return True  # "what kind of bleeding is linked to b12"
    if first not in mk.unmarked_question_openers:
        return False
    if words[1].norm_.lower() in ("not", "n't", "nt", "no"):
        return False
    return any(t.norm_.lower() in mk.general_subjects for t in words[1:])


@lru_cache(maxsize=1)
def _question_extras() -> tuple[frozenset[str], frozenset[str]]:
    data = load_yaml("persons.yml") or {}
    return _words(data, "question_lead_ins"), _words(data, "question_modals")


def general_question(span) -> bool:
    """A question about a finding in general ("can low B12 cause chest pain?", "is fainting a
    sign of b12 deficiency?"): the clause opens with a question word, asks ("?"), names
    nobody (no first-person word, pronoun or relation) and has no word of now."""
    mk = markers()
    doc = span.doc
    sent = span.sent if doc.has_annotation("SENT_START") else doc[:]
    words = [t for t in sent if not t.is_space]
    lead_ins, modals = _question_extras()
    # "Nursing student here - how low ...", "Quick one: can b12 ...": the question starts
    # after a dash or colon near the start
    for i, t in enumerate(words[:10]):
        if t.text in ("-", ":", "–", "—") and i + 1 < len(words):
            if words[i + 1].norm_.lower() in mk.question_openers:
                words = words[i + 1 :]
            break
    while len(words) > 1 and words[0].norm_.lower() in lead_ins and (
        words[0].norm_.lower() not in mk.question_openers
    ):
        words = words[1:]
    if not words or not {words[0].norm_.lower(), words[0].lemma_.lower()} & mk.question_openers:
        return False
    if not any("?" in t.text for t in words) and not _unmarked_question(words, mk):
        return False
    # a relation names someone; "someone", "people" in a question name nobody in particular
    triggers = [
        (s, e)
        for s, e, _m in _relation_triggers(doc)
        if doc[s:e].text.lower() not in mk.general_subjects
    ]
    if any(sent.start <= s < sent.end for s, _e in triggers):
        return False
    for position, token in enumerate(words):
        norm = token.norm_.lower()
        if norm in mk.self_words or norm in mk.pronouns:
            return False
        # The opener itself ("can low B12 ...?") asks; it does not say "now"; nor does a modal
        # in the question ("is it true that b12 can make people suicidal?").
        if position > 0 and norm in mk.now_words and norm not in modals:
            return False
    return True


# ------------------------------------------------------------------ who the check is for


@lru_cache(maxsize=1)
def _subject_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    from bot import people

    data = load_yaml("persons.yml") or {}

    def alternation(phrases) -> str:
        forms = set()
        for phrase in phrases:
            norm = people.normal_words(str(phrase))
            forms.add(re.escape(norm).replace(r"\ ", r"[\s-]+"))
        return "|".join(sorted(forms, key=len, reverse=True))

    words = [w for r in people.relations() for w in r.words]
    cues = alternation(data.get("subject_cues") or ())
    relation = (
        rf"\b(?:{cues})\s+(?:(?:my|our|a|the)\s+)?(?:\w+\s+)?"
        rf"(?P<rel>{alternation(words)}|him|her|them)\b"
    )
    selves = rf"\b(?:{alternation(data.get('self_subject') or ())})\b"
    # "for my husband: he was on metformin ..." opening the message
    heading = rf"^\s*for\s+(?:my|our)\s+(?:\w+\s+)?(?P<head>{alternation(words)})\s*[:,-]"
    return re.compile(rf"{relation}|{heading}"), re.compile(selves)


_PRONOUN_OBJECTS = {"him": "he", "her": "she", "them": "they"}


def stated_subject(text: str) -> tuple[str, tuple[int, int]] | None:
    """Who the message says outright the check is for, and where it says so: "asking for my
    mum" (``mother``), "worried about my wife" (``wife``), "it's for me" (``self``)."""
    from bot.people import normal_words, relation_of

    low = text.lower().replace("\u2019", "'")
    relation_re, self_re = _subject_patterns()
    found: list[tuple[int, int, str]] = []
    for match in relation_re.finditer(low):
        word = match.group("rel") or match.group("head")
        if word in _PRONOUN_OBJECTS:
            found.append((match.start(), match.end(), _PRONOUN_OBJECTS[word]))
            continue
        relation = relation_of(normal_words(word))
        if relation is not None:
            found.append((match.start(), match.end(), relation.key))
    match = self_re.search(low)
    if match:
        found.append((match.start(), match.end(), "self"))
    if not found:
        return None
    start, end, key = min(found)
    return key, (start, end)


# ------------------------------------------------------------------ other people's ages


def _without_possessive(word: str) -> str:
    for prefix in ("my ", "our "):
        if word.startswith(prefix):
            return word[len(prefix) :]
    return word


@lru_cache(maxsize=1)
def _other_age_patterns() -> tuple[re.Pattern[str], ...]:
    from bot import people

    data = (load_yaml("persons.yml") or {}).get("other_age") or {}

    def alternation(items) -> str:
        forms = {re.escape(str(i).lower()).replace(r"\ ", r"\s+") for i in items or ()}
        return "|".join(sorted(forms, key=len, reverse=True))

    # "my" / "our" come before the relation in the pattern below ("my boy (12)").
    bare = (_without_possessive(w) for r in people.relations() for w in r.words)
    words = alternation(w.replace(" ", "-") for w in bare)
    words = words.replace(r"\-", r"[\s-]+")
    qualifiers = alternation(data.get("qualifiers"))
    links = alternation(data.get("links"))
    not_after = alternation(data.get("not_after"))
    number = (
        rf"(?:(?:{qualifiers})\s+)*(?P<age>\d{{1,3}})(?![\d.,]\d)\b"
        rf"(?!\s*(?:{not_after})(?:\b|\s|$))"
    )
    pronoun = rf"\b(?:{alternation(data.get('pronouns'))})\s*(?:{links})\s*{number}"
    # "my dad (80)", "our old mum is 84"; with no possessive only where a clause opens, as
    # relatives are named in chat ("Dad is 74 and ...", "mum (76) can't stand", "so nan's 90").
    openers = alternation(data.get("bare_openers"))
    owner = rf"(?:\b(?:my|our|me|the)\s+(?:\w+\s+)?|(?:^|[.,;:!?(\n]|\b(?:{openers})\b)\s*)"
    relation = rf"{owner}\b(?:{words})\s*(?:{links}|\()\s*{number}"
    return re.compile(pronoun), re.compile(relation)


def other_ages(text: str) -> list[tuple[int, int, int]]:
    """(start, end, years) of ages said of someone else ("she is 80", "my dad (80)"); the
    span is the number only, so the words before it say whose it is."""
    low = text.lower().replace("\u2019", "'")
    found: dict[int, tuple[int, int, int]] = {}
    for pattern in _other_age_patterns():
        for match in pattern.finditer(low):
            years = int(match.group("age"))
            if 0 < years <= 120:
                found[match.start("age")] = (match.start("age"), match.end("age"), years)
    return sorted(found.values())
