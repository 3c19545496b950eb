"""Load ``patterns/context_rules.yml`` into medspacy ConText rules.

The rules are data; the only code here is the loader, which refuses unknown keys,
categories and directions (a typo in a rule file must fail loudly, not quietly stop
negating), and the named ``check`` tests that a token pattern cannot express.
"""

from __future__ import annotations

import datetime
import itertools
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from spacy.tokens import Span

from bot.nlu.resources import load_yaml

CATEGORIES = (
    "NEGATED_EXISTENCE",
    "POSSIBLE_EXISTENCE",
    "HYPOTHETICAL",
    "HISTORICAL",
    "ENDED",
    "FAMILY",
    "OTHER_PERSON",
    "ANIMAL",
    "SELF",
    "NEG_BREAK",
    "CLAUSE_BREAK",
    "PSEUDO",
    "TERMINATE",
    "ECHO_ABSENT",
    "ECHO_PRESENT",
    "NOW",
)
DIRECTIONS = ("FORWARD", "BACKWARD", "BIDIRECTIONAL", "TERMINATE", "PSEUDO")
_KEYS = {
    "literal",
    "category",
    "direction",
    "pattern",
    "max_scope",
    "terminated_by",
    "check",
    "allowed_types",
    "excluded_types",
    "at_clause_end",
    "people",
}
# `people:` in a rule: which words of bot/knowledge/data/people.yml are its triggers.
PEOPLE_WORDS = ("blood", "other", "animals")

_POSSESSIVES = {"my", "our", "his", "her", "their", "me", "mine"}
# Words saying a state began rather than ended: "tingling started a year ago",
# "vegan since last year", "diagnosed with coeliac last year".
_ONSET = {
    "start",
    "started",
    "starts",
    "starting",
    "began",
    "begun",
    "begin",
    "since",
    "still",
    "ongoing",
    "continue",
    "continues",
    "continued",
    "went",
    "gave",
    "giving",
    "cut",
    "stopped",
    "quit",
    "became",
    "become",
    "turned",
    "switched",
    "diagnosed",
    "for",
    "been",
    "onwards",
    "on",
    "now",
    # A present time in the same sentence keeps the finding current: "fainted in 2019 and
    # again today", "collapsed last summer and this morning", "mum just collapsed on the
    # ward", "chest pain last September and it's getting worse".
    "today",
    "tonight",
    "again",
    "currently",
    "yesterday",
    "recently",
    "lately",
    "just",
    "worse",
}
# Two-word present times that say the same ("this morning", "last night").
_PRESENT_TIMES = {
    ("this", "morning"),
    ("this", "afternoon"),
    ("this", "evening"),
    ("this", "week"),
    ("this", "weekend"),
    ("last", "night"),
    ("last", "week"),
    ("last", "weekend"),
    # "chest pain last summer and it's come back"
    ("come", "back"),
    ("came", "back"),
    ("comes", "back"),
    ("coming", "back"),
    ("is", "back"),
    ("'s", "back"),
    ("s", "back"),
    ("are", "back"),
}
# Words saying a past episode is over: "fine since", "nothing since", "back to normal now",
# "I've been fine". After them, "since", "now" and "been" tell that the person recovered,
# not that the finding began or goes on.
_RESOLVED = {
    "fine", "nothing", "none", "ok", "okay", "alright", "normal", "clear", "grand", "well", "good"
}
# Onset words that say nothing about a beginning when these words follow them: "turned out
# to be anxiety", "went to A&E", "been fine"; and "for" with a bounded amount ("took
# omeprazole for a month about 5 years ago" is an episode that ended, while "for the past
# year" or "for ages" go on to now).
# fmt: off
_BOUNDED_AMOUNTS = {
    "a", "an", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
    "about", "around", "roughly", "approximately", "approx", "maybe", "like", "just", "only",
    "couple", "few", "several", "1", "2", "3", "4", "5", "6", "7", "8", "9", "10", "11", "12",
}
# fmt: on
_NOT_ONSET_BEFORE: dict[str, set[str]] = {
    "turned": {"out"},
    "went": {"to", "into", "in", "home", "back"},
    "been": _RESOLVED | {"discharged", "checked", "seen", "told", "sent"},
    "for": _BOUNDED_AMOUNTS,
    # "just want my b12 looked at" is "only", not "just now"
    "just": {"want", "wanted", "wanna", "need", "wondering", "wondered", "curious", "asking",
             "checking", "thought", "thinking", "to", "a", "an", "the", "my", "in", "for", "like",
             "as", "because", "so", "wanting", "looking", "interested", "trying"},
    # "when I gave blood" is an errand, not a beginning ("gave up meat")
    "gave": {"blood", "birth", "a", "my", "him", "her", "them", "it"},
    # "on holiday last summer" is where the person was, not a medicine begun ("on metformin")
    "on": {"holiday", "holidays", "vacation", "honeymoon", "arrival", "board", "purpose", "stage",
           "tour", "ward", "way", "leave", "shift", "duty", "call"},
}
# Onset words that say nothing about a beginning after a resolution word ("fine since",
# "nothing since then", "all back to normal now").
_AFTER_RESOLUTION = {"since", "now", "for"}
# "my sight came back fully": what came back was the faculty the episode took away.
_RECOVERED = {"fully", "completely", "totally", "properly", "normal", "perfectly", "100"}


def possessive_before_target(target: Span, modifier: Span, _between: Span) -> bool:
    """ "my vegan sister": the relative right after the finding, "my" right before it."""
    if target.end > modifier.start or modifier.start - target.end > 1:
        return False
    return target.start > 0 and target.doc[target.start - 1].norm_ in _POSSESSIVES


def relative_scope(target: Span, modifier: Span, between: Span) -> bool:
    """A relative word reaches forward ("mum has PA"), and back only in "my vegan sister"."""
    if target.start >= modifier.end:
        return True
    return possessive_before_target(target, modifier, between)


def answer_no(target: Span, modifier: Span, _between: Span) -> bool:
    """ "chest pain? no" answers backwards; "Neuro - No numbness" negates forwards.

    The answer form reaches back only when it closes the clause, and forward only when
    the clause goes on after it.
    """
    doc = target.doc
    after = doc[modifier.end] if modifier.end < len(doc) else None
    closes = after is None or after.is_sent_start or after.is_punct or after.is_space
    return closes if target.end <= modifier.start else not closes


_NEGATIVE_WORDS = {"not", "no", "never", "n't", "nt", "cannot"}


def positive_target(target: Span, _modifier: Span, _between: Span) -> bool:
    """ "anymore" ends a state, except a negative one: "can't walk anymore" and "don't want
    to live anymore" describe now, so they must stay present."""
    return not any(token.norm_ in _NEGATIVE_WORDS for token in target)


def _says_onset(sent: Span, index: int) -> bool:
    """Whether the word at ``index`` (a position in the doc) says a state began or goes on.

    "since", "for", "been", "now" and the like usually do ("vegan since 2015", "on metformin
    for years", "still numb"), but not in "fine since", "nothing since", "never since",
    "never again", "back to normal now",
    "I've been fine", "turned out to be anxiety" or "took omeprazole for a month 5 years
    ago", where they tell that an episode ended.
    """
    doc = sent.doc
    token = doc[index]
    nxt = doc[index + 1].norm_ if index + 1 < sent.end else ""
    if (token.norm_, nxt) in _PRESENT_TIMES:
        after = doc[index + 2].norm_ if index + 2 < sent.end else ""
        return after not in _RECOVERED

    if token.norm_ not in _ONSET:
        return False
    if nxt in _NOT_ONSET_BEFORE.get(token.norm_, ()):
        return False
    # "never since", "not again", "never again": the episode did not come back.
    if index > sent.start and doc[index - 1].norm_ in _NEGATIVE_WORDS:
        return False
    if token.norm_ in _AFTER_RESOLUTION:
        before = doc[max(sent.start, index - 3) : index]
        return not any(t.norm_ in _RESOLVED for t in before)
    return True


def not_onset(target: Span, modifier: Span, _between: Span) -> bool:
    """A past time marks a past finding unless the clause says the finding began then or
    goes on now ("fainted in 2019 and again today"). The finding's own words and the past
    time's own words ("on the ward") do not count: "went blind in one eye years ago" is a
    past event, while "went vegan years ago" began then."""
    sent = target.sent if target.doc.has_annotation("SENT_START") else target.doc[:]
    return not any(
        _says_onset(sent, token.i)
        for token in sent
        if not (target.start <= token.i < target.end or modifier.start <= token.i < modifier.end)
    )


# Tokens that end the part of a sentence a past time dates ("(" is not one: "collapsed
# (2015)" dates the collapse).
_PART_BREAKS = {",", ";", ":"}


def own_part(target: Span, modifier: Span, _between: Span) -> bool:
    """A date or a named day dates only the part of the sentence it is said in: "in 2019 I
    fainted" and "fainted in 2019" are dated, while "I'm exhausted, fainted in 2019" leaves
    the tiredness current and in "chest pain in September, turned out to be anxiety" the
    anxiety is what the person was told, not a past episode."""
    doc = target.doc
    between = (
        range(modifier.end, target.start)
        if target.start >= modifier.end
        else range(target.end, modifier.start)
    )
    return not any(doc[i].text in _PART_BREAKS for i in between)


# Words that may trail a closing phrase without continuing the clause ("not sure tbh").
_CLOSERS = {",", ";", ".", "?", "!", "...", "!!", "??"}
_TRAILERS = {"tbh", "tho", "though", "honestly", "really", "lol", "either", "x", "xx", "haha"}


def closes_clause(doc, end: int) -> bool:
    """Whether the tokens from ``end`` to the end of the clause are only punctuation or
    trailing filler words: "my husband is vegan but I'm not" ends with "I'm not", while in
    "I'm not sure" the same words go on."""
    for i in range(end, len(doc)):
        token = doc[i]
        if token.is_sent_start or token.text in _CLOSERS:
            return True
        if not (token.is_punct or token.is_space or token.norm_ in _TRAILERS):
            return False
    return True


# Tokens that separate the parts of one sentence ("I'm vegan, not sure about numbness").
_SEGMENT_BREAKS = {",", ";", ":", "-", "--", "("}
FINDING_LABELS = ("SYMPTOM", "RISK_FACTOR", "RED_FLAG")
_SPAN_GROUP = "b12_targets"  # bot.nlu.components.SPAN_GROUP (not imported: no spaCy pipes here)


def _segment_has_finding(doc, start: int, sent_end: int) -> bool:
    """Whether the comma-part of the sentence starting at ``start`` names a finding."""
    end = next((i for i in range(start, sent_end) if doc[i].text in _SEGMENT_BREAKS), sent_end)
    group = doc.spans.get(_SPAN_GROUP, [])
    return any(s.label_ in FINDING_LABELS and start <= s.start < end for s in group)


def clause_back(target: Span, modifier: Span, _between: Span) -> bool:
    """A hedge reaches back only within its own part of the sentence.

    "tingling maybe" and "tingling, not sure" are unsure about the tingling; in "I'm vegan,
    tingling maybe" or "mum has PA, I'm vegan, not sure" the hedge must not reach the diet or
    the mother. A hedge that stands alone after one comma ("tingling in my feet, not sure")
    still refers to the part just before it.
    """
    if target.start >= modifier.end:
        return True
    doc = target.doc
    breaks = [i for i in range(target.end, modifier.start) if doc[i].text in _SEGMENT_BREAKS]
    if not breaks:
        return True
    if len(breaks) > 1:
        return False
    sent_end = modifier.sent.end if doc.has_annotation("SENT_START") else len(doc)
    return not _segment_has_finding(doc, breaks[0] + 1, sent_end)


def hedge(target: Span, modifier: Span, between: Span) -> bool:
    """ "not sure", "no idea": forward they doubt what follows ("not sure numbness is the
    word"); backward only when they close the clause, and then only within it (see
    ``clause_back``), so "I'm vegan, not sure about numbness" leaves the diet alone."""
    if target.start >= modifier.end:
        return True
    return closes_clause(target.doc, modifier.end) and clause_back(target, modifier, between)


_DETERMINERS = {"my", "the", "this", "these", "that", "those", "our", "his", "her", "their"}


def not_possessed(target: Span, _modifier: Span, _between: Span) -> bool:
    """ "worried about pernicious anaemia" is a fear; "worried about my PA" is a fact."""
    return not (target.start > 0 and target.doc[target.start - 1].norm_ in _DETERMINERS)


_QUESTION_OPENERS = {"does", "do", "can", "could", "will", "would", "might", "may", "is", "are"}
_PERSON_AFTER = {"me", "my", "us", "our"}


def causal_question(target: Span, modifier: Span, _between: Span) -> bool:
    """ "can cause tingling" is a possibility, "metformin gives me diarrhoea" is the person's
    fact; what comes before "cause" is asked about only in a question ("does b12 deficiency
    cause tingling?")."""
    doc = target.doc
    sent = modifier.sent if doc.has_annotation("SENT_START") else doc[:]
    words = [t for t in sent if not t.is_space]
    question = bool(words) and (words[-1].text.endswith("?") or words[0].norm_ in _QUESTION_OPENERS)
    if target.start >= modifier.end:
        about_person = modifier.end < len(doc) and doc[modifier.end].norm_ in _PERSON_AFTER
        return question or not about_person
    return question and not_possessed(target, modifier, _between)


_LIST_CLOSERS = {"or", "nor"}


def comma_list(target: Span, modifier: Span, _between: Span) -> bool:
    """A negation reaches past a comma only into a list it closes with "or" / "nor".

    "no tingling, numbness or weakness" denies all three; in "no chest pain, tired all the
    time", "not pregnant, exhausted" or an answer "No, my feet tingle" the comma starts a new
    statement, and reading it as denied would tell someone they are fine when they are not.
    """
    if target.start < modifier.end:
        return True
    doc = target.doc
    breaks = [i for i in range(modifier.end, target.start) if doc[i].text in (",", ";")]
    if not breaks:
        return True
    sent_end = modifier.sent.end if doc.has_annotation("SENT_START") else len(doc)
    return any(doc[i].norm_ in _LIST_CLOSERS for i in range(breaks[0], sent_end))


# Words after a resolution that say the episode came back: "discharged but it's back".
_CAME_BACK = {"back", "returned", "returning", "worse", "again", "more"}


def resolution_back(target: Span, modifier: Span, _between: Span) -> bool:
    """A resolution ("fine since", "all tests clear", "turned out to be anxiety") closes the
    episode told before it, across commas that add to that episode ("had chest pain at
    Christmas, troponin negative, discharged"), but not past a part of the sentence that
    names another finding ("tingling in my feet, fainted in 2019, fine since" leaves the
    tingling alone), not when it is itself denied ("numbness, not back to normal yet"), and
    not when the sentence goes on to say it is back ("discharged but it's back today").
    """
    if target.start >= modifier.end:
        return False
    doc = target.doc
    if modifier.start > 0 and doc[modifier.start - 1].norm_ in _NEGATIVE_WORDS | {"still"}:
        return False
    sent = modifier.sent if doc.has_annotation("SENT_START") else doc[:]
    # "back to herself now", "all faded now": the "now" of the resolution itself.
    after = modifier.end
    while after < sent.end and doc[after].norm_ in _AFTER_RESOLUTION:
        after += 1
    # What follows up to a part of the sentence about another finding ("turned out to be
    # reflux, I'm on omeprazole for it now": the "now" is the omeprazole's).
    stop = next(
        (
            i
            for i in range(after, sent.end)
            if doc[i].text in _SEGMENT_BREAKS and _segment_has_finding(doc, i + 1, sent.end)
        ),
        sent.end,
    )
    if any(doc[i].norm_ in _CAME_BACK or _says_onset(sent, i) for i in range(after, stop)):
        return False
    breaks = [i for i in range(target.end, modifier.start) if doc[i].text in _SEGMENT_BREAKS]
    return not any(_segment_has_finding(doc, b + 1, modifier.start) for b in breaks)


def not_recent(target: Span, modifier: Span, _between: Span) -> bool:
    """A plain ending ("all faded now", "it's settled", "no issues since") closes only an
    episode that is not from the last day: "bruises a couple of weeks ago, all faded now" is
    over, "blacked out this morning, it's passed now" is not something to close from words."""
    from bot.nlu.lexicon import overrule_traits

    # The same words of the last hours that keep the classifier's emergency standing.
    traits = overrule_traits()
    doc = target.doc
    sent = modifier.sent if doc.has_annotation("SENT_START") else doc[:]
    for i in range(sent.start, modifier.start):
        norm = doc[i].norm_
        nxt = doc[i + 1].norm_ if i + 1 < sent.end else ""
        if norm in traits["recent_words"] or (norm, nxt) in traits["recent_pairs"]:
            return False
    return True


def dated_event(target: Span, modifier: Span, _between: Span) -> bool:
    """A plain ending ("fine now") closes a faint or a fit only when the sentence dates it:
    those are over by nature, so "blacked out in the queue, fine now?" is still today's red
    flag, while "fainted at a wedding last summer, fine now" is history
    (``closed_only_when_dated`` in finding_traits.yml)."""
    from bot.nlu.lexicon import closed_only_when_dated
    from bot.nlu.persons import _year_said

    ids, dating = closed_only_when_dated()
    if target.kb_id_ not in ids:
        return True
    doc = target.doc
    if any(t.lower_ == "since" for t in modifier):
        return True  # "not since", "fine since": time has passed since the event
    sent = target.sent if doc.has_annotation("SENT_START") else doc[:]
    if any(t.norm_ in dating or t.lower_ in dating for t in sent):
        return True
    # "in 2019", "back in 98": a year dates it (the same reading as the person rules')
    return _year_said(sent, [t.norm_.lower() for t in sent], (4,))


# "she's gone pale", "he's gone all floppy": "gone" that says what someone turned into now.
_TURNED_INTO = {
    "pale", "grey", "gray", "white", "blue", "yellow", "purple", "red", "floppy", "limp", "numb",
    "weak", "dead", "quiet", "cold", "clammy", "sleepy", "drowsy", "confused", "funny", "weird",
    "wobbly", "dizzy", "faint", "stiff", "heavy", "blind", "deaf", "off", "downhill", "worse",
    "strange", "odd", "vacant", "silent", "unresponsive", "into", "to", "from",
}
_DEGREE = {"really", "very", "all", "so", "a", "bit", "completely", "totally", "quite", "super"}


def gone_away(_target: Span, modifier: Span, _between: Span) -> bool:
    """ "the tingling is gone" ended it; "she's gone really pale" says how she is now."""
    doc = modifier.doc
    i = modifier.end
    while i < len(doc) and doc[i].norm_ in _DEGREE:
        i += 1
    return not (i < len(doc) and doc[i].norm_ in _TURNED_INTO)


def stopped_what(target: Span, modifier: Span, _between: Span) -> bool:
    """ "stopped them" / "quit it" ends what came before; "she's stopped eating", "he's
    stopped going out" name another thing that stopped, which ends no finding before it.
    Forward ("stopped the metformin") is left to the scope."""
    if target.start >= modifier.end:
        return True
    doc = modifier.doc
    i = modifier.end
    if i >= len(doc) or not doc[i].norm_.endswith("ing") or doc[i].norm_ in _STOPPED_ITSELF:
        return True
    if doc[i].norm_ == "eating":  # "stopped eating meat" is the diet; "stopped eating" alone is not
        nxt = doc[i + 1] if i + 1 < len(doc) else None
        return nxt is not None and not nxt.is_punct and nxt.norm_ not in {"and", "but", "properly"}
    return False


# "stopped taking it", "stopped using them": the verb says the finding itself stopped.
_STOPPED_ITSELF = {
    "taking", "using", "having", "getting", "doing", "feeling", "being", "needing",
    "injecting", "buying", "following", "drinking", "smoking", "happening", "coming",
}


CHECKS: dict[str, Callable[[Span, Span, Span], bool]] = {
    "stopped_what": stopped_what,
    "gone_away": gone_away,
    "possessive_before_target": possessive_before_target,
    "not_onset": not_onset,
    "answer_no": answer_no,
    "positive_target": positive_target,
    "relative_scope": relative_scope,
    "clause_back": clause_back,
    "not_possessed": not_possessed,
    "hedge": hedge,
    "comma_list": comma_list,
    "causal_question": causal_question,
    "resolution_back": resolution_back,
    "not_recent": not_recent,
    "dated_event": dated_event,
    "own_part": own_part,
}


class ContextRuleError(ValueError):
    """A rule in context_rules.yml is malformed."""


def _check_names(raw: dict[str, Any]) -> list[str]:
    """``check`` is one name or a list of names that must all pass."""
    check = raw.get("check")
    if check is None:
        return []
    return [str(c) for c in check] if isinstance(check, list) else [str(check)]


def _combined_check(names: list[str]) -> Callable[[Span, Span, Span], bool] | None:
    if not names:
        return None
    if len(names) == 1:
        return CHECKS[names[0]]
    checks = [CHECKS[name] for name in names]
    return lambda target, modifier, between: all(c(target, modifier, between) for c in checks)


def _validate(index: int, raw: dict[str, Any]) -> None:
    unknown = set(raw) - _KEYS
    if unknown:
        raise ContextRuleError(f"context rule {index}: unknown keys {sorted(unknown)}")
    if raw.get("category") not in CATEGORIES:
        raise ContextRuleError(f"context rule {index}: unknown category {raw.get('category')!r}")
    if raw.get("direction", "BIDIRECTIONAL") not in DIRECTIONS:
        raise ContextRuleError(f"context rule {index}: unknown direction {raw.get('direction')!r}")
    for name in _check_names(raw):
        if name not in CHECKS:
            raise ContextRuleError(f"context rule {index}: unknown check {name!r}")
    if not raw.get("literal"):
        raise ContextRuleError(f"context rule {index}: a literal is required")
    if raw.get("people") is not None and raw.get("people") not in PEOPLE_WORDS:
        raise ContextRuleError(f"context rule {index}: people must be one of {PEOPLE_WORDS}")
    if raw.get("people") and raw.get("pattern"):
        raise ContextRuleError(f"context rule {index}: give either people or pattern")
    if not isinstance(raw.get("at_clause_end", False), bool):
        raise ContextRuleError(f"context rule {index}: at_clause_end must be true or false")


def people_phrases(which: str) -> tuple[str, ...]:
    """The trigger phrases of a ``people:`` rule, from people.yml (the one home of relation
    words). A word with a hyphen or a space is written both ways ("father-in-law" and
    "father in law"); the tokenizer splits either into the same words."""
    from bot import people

    words = {
        "blood": people.blood_words,
        "other": people.other_words,
        "animals": people.animal_words,
    }[which]()
    phrases: list[str] = []
    for word in words:
        for form in (word, word.replace(" ", "-")):
            if form not in phrases:
                phrases.append(form)
    return tuple(phrases)


@lru_cache(maxsize=1)
def rule_dicts() -> tuple[dict[str, Any], ...]:
    """The validated rule entries of the YAML file; a ``people:`` rule gets its ``phrases``."""
    data = load_yaml("context_rules.yml") or {}
    rules = []
    for i, raw in enumerate(data.get("rules") or []):
        _validate(i, raw)
        if raw.get("pattern"):
            expand_pattern(raw["pattern"])
        if raw.get("people"):
            raw = {**raw, "phrases": people_phrases(raw["people"])}
        rules.append(raw)
    return tuple(rules)


MAX_PHRASES_PER_RULE = 20000
# `{PAST_YEAR: true}` in a pattern: any year from FIRST_PAST_YEAR up to last year. This
# year is left out: "in 2026" said in 2026 may be this morning.
FIRST_PAST_YEAR = 1940


def past_years(today: datetime.date | None = None) -> list[str]:
    """The years a ``PAST_YEAR`` pattern token stands for."""
    year = (today or datetime.date.today()).year
    return [str(y) for y in range(FIRST_PAST_YEAR, year)]


def expand_pattern(pattern: list[dict[str, Any]]) -> list[tuple[str, ...]]:
    """All word sequences a pattern matches (NORM / LOWER / ORTH values, IN lists, OP "?",
    and ``PAST_YEAR``, a year before this one)."""
    options: list[list[str | None]] = []
    for token in pattern:
        op = token.get("OP")
        keys = [k for k in token if k != "OP"]
        allowed = ("NORM", "LOWER", "ORTH", "PAST_YEAR")
        if len(keys) != 1 or keys[0] not in allowed or op not in (None, "?"):
            raise ContextRuleError(f"pattern token {token!r} cannot be expanded into phrases")
        value = token[keys[0]]
        if keys[0] == "PAST_YEAR":
            values: list[Any] = past_years()
        else:
            values = value["IN"] if isinstance(value, dict) else [value]
        choices: list[str | None] = [str(v).lower() for v in values]
        if op == "?":
            choices.append(None)
        options.append(choices)
    phrases = {
        tuple(word for word in combo if word is not None) for combo in itertools.product(*options)
    }
    phrases.discard(())
    if len(phrases) > MAX_PHRASES_PER_RULE:
        raise ContextRuleError(f"pattern expands into {len(phrases)} phrases; split the rule")
    return sorted(phrases)


def build_rules() -> list[Any]:
    """Fresh ConTextRule objects (medspacy mutates them when they join a pipeline)."""
    from medspacy.context import ConTextRule

    built = []
    for raw in rule_dicts():
        check = _combined_check(_check_names(raw))
        direction = raw.get("direction", "BIDIRECTIONAL")
        max_scope = raw.get("max_scope")
        if direction in ("TERMINATE", "PSEUDO") and max_scope is None:
            # medspacy only lets a terminator cut a scope that its own scope "overlaps",
            # and its overlap test misses a scope lying strictly inside the other one;
            # a one-token scope around the terminator always lies inside.
            max_scope = 1
        built.append(
            ConTextRule(
                literal=str(raw["literal"]),
                category=raw["category"],
                pattern=raw.get("pattern"),
                direction=direction,
                on_modifies=check,
                max_scope=max_scope,
                terminated_by=set(raw.get("terminated_by") or ()),
                allowed_types=set(raw["allowed_types"]) if raw.get("allowed_types") else None,
                excluded_types=set(raw["excluded_types"]) if raw.get("excluded_types") else None,
            )
        )
    return built
