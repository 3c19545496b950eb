"""Find the values people type: age, sex, pregnancy, breastfeeding, durations and blood results.

Each finder is a pure function from (cleaned) text to :class:`ValueSpan` items with
character offsets. The pipeline turns them into entities so ConText can tell "I'm 67"
from "my mum is 80" and "not pregnant" from "12 weeks pregnant"; what words mean
("a few" = 3, "in my forties" = 45) lives in ``patterns/values.yml``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from typing import Any

from bot.knowledge.units import normalise_unit
from bot.nlu.resources import load_yaml

AGE = "AGE"
AGE_HINT = "AGE_HINT"
SEX = "SEX"
PREGNANCY = "PREGNANCY"
BREASTFEEDING = "BREASTFEEDING"
DURATION = "DURATION"
LAB = "LAB"
VALUE_LABELS = (AGE, AGE_HINT, SEX, PREGNANCY, BREASTFEEDING, DURATION, LAB)

MAX_AGE = 120


@dataclass(frozen=True)
class ValueSpan:
    """One value found in the text; ``value`` depends on the label (int, str or dict)."""

    label: str
    start: int
    end: int
    value: Any


def _alt(words) -> str:
    return _alt_cached(tuple(sorted(words)))


@lru_cache(maxsize=64)
def _alt_cached(words: tuple[str, ...]) -> str:
    return "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))


@lru_cache(maxsize=64)
def _compiled(pattern: str) -> re.Pattern[str]:
    return re.compile(pattern)


@lru_cache(maxsize=1)
def _grammar() -> dict[str, Any]:
    return load_yaml("values.yml")


_NOT_AN_AGE_AFTER = (
    r"(?!\s*(?:weeks?|wks?|w\b|months?|mths?|days?|hours?|hrs?|mins?|minutes?|times|x\b|%|kg|kgs|lbs?|"
    r"st\b|stone|cm|ft|feet|foot|inch|'|\"|pounds|am\b|pm\b|:\d|\.\d|/|mg|mcg|ug|ml|pmol|ng|pg|fl\b|g/|"
    r"nmol|umol|miles?|kilos?|percent|cups?|units?|tablets?|pills?))"
)
_SELF = r"(?:i'?m|i\s+am|im|am|me|i\s+turned|i'?ll\s+be|just\s+turned|turned)"


def _value_span(label: str, low: str, start: int, end: int, value: Any) -> ValueSpan:
    """A span without the punctuation that opened its clause: ". Now 30" would reach back
    into the sentence before and take its negation ("I don't remember. Now 30 and ok")."""
    while start < end and low[start] in " \t\n,.;:!?(":
        start += 1
    return ValueSpan(label, start, end, value)


def _int(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


@lru_cache(maxsize=1)
def _spelled() -> tuple[dict[str, int], str]:
    """Every number word with its value, and a pattern for a number written out: words joined
    by spaces, hyphens or "and" ("one hundred and sixty", "ninety-one", "a hundred")."""
    grammar = _grammar()
    words: dict[str, int] = {}
    for key in ("spelled_units", "spelled_teens", "spelled_tens", "spelled_scales"):
        words.update({str(w): int(v) for w, v in grammar[key].items()})
    word = rf"(?:{_alt(words)})"
    pattern = rf"(?:\ba[\s-]+(?=hundred|thousand))?\b{word}(?:(?:[\s-]+|\s+and\s+){word})*\b"
    return words, pattern


def spelled_number(phrase: str) -> int | None:
    """The value of a number written out ("seventy-four" = 74, "one hundred and sixty" = 160,
    "a hundred" = 100); None when the words do not make one number ("one two")."""
    words, _ = _spelled()
    scales = _grammar()["spelled_scales"]
    total, current, last = 0, 0, None
    for token in re.split(r"[\s-]+", phrase.lower().strip()):
        if token in ("and", ""):
            continue
        if token == "a" and last is None:
            current, last = 1, "unit"
            continue
        value = words.get(token)
        if value is None:
            return None
        if token in scales:
            if value == 1000:
                total, current = total + (current or 1) * 1000, 0
            elif current % 100 or current == 0:
                current = (current or 1) * 100
            else:
                return None
            last = "scale"
            continue
        kind = "tens" if value >= 20 else "unit"
        if (kind == "tens" and current % 100) or (kind == "unit" and current % 10) or (
            value >= 10 and last == "unit"
        ):
            return None
        current += value
        last = kind
    return total + current if last else None


def _age_number(raw: str) -> int | None:
    """An age as digits or words; spelled ages need a tens or teens word ("I'm one of them")."""
    if raw.isdigit():
        return int(raw)
    value = spelled_number(raw)
    return value if value is not None and value >= 10 else None


def _age_num() -> str:
    """A pattern group for an age in digits or in words."""
    return rf"(\d{{1,3}}|{_spelled()[1]})"


def _has_spelled(low: str) -> bool:
    """Whether the text has a tens or teens word ("forty", "seventeen"), that an age in words
    needs."""
    grammar = _grammar()
    return any(w in low for w in (*grammar["spelled_tens"], *grammar["spelled_teens"]))


def _lab_number_spans(text: str) -> list[tuple[int, int]]:
    return [(v.start, v.end) for v in find_labs(text)]


@lru_cache(maxsize=2)
def _age_patterns(spelled: bool) -> tuple[tuple[re.Pattern[str], ...], re.Pattern[str],
                                          re.Pattern[str], re.Pattern[str]]:
    """The age patterns, the past-age words, the "now 38" and the decade patterns, built once
    (the finder runs on every message); with numbers in words only where the message has one
    of their words, as trying them at every position is most of the finder's cost."""
    grammar = _grammar()
    num = _age_num() if spelled else r"(\d{1,3})"
    nouns = _alt(grammar["aged_person_nouns"])
    adjectives = _alt(grammar["sex_adjectives"])
    have_not = _alt(grammar["have_years_not_after"])
    patterns = [
        rf"\b{_SELF}\s+(?:only\s+|now\s+|nearly\s+|almost\s+|just\s+|about\s+|over\s+)?{num}\b"
        rf"(?![\s-]*something){_NOT_AN_AGE_AFTER}",
        rf"\b{num}\s*(?:-|\s)?\s*(?:years?|yrs?|yr)\s*(?:-|\s)?\s*old\b",
        r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.?|yrs?\s+old|yr\s+old)(?![a-z])",
        rf"\bage[d]?\s*[:=]?\s*{num}\b" + _NOT_AN_AGE_AFTER,
        r"(?:^|[\s,(])(\d{2})\s*,\s*(?:male|female|man|woman|bloke|guy|lady|m|f)\b",
        # "knackered, 52 male": the age and the word with nothing after them
        r"(?:^|[\s,(])(\d{2})\s+(?:male|female)\s*(?=[,.;!?)]|$)",
        # "I have 67 years", "my daughter has 16 years" (as people write who learned English
        # after another language); "has 3 years left" or "have 5 years experience" is no age
        rf"\b(?:have|has|having)\s+(\d{{1,3}})\s+(?:years|yrs)\b(?!\s+(?:{have_not})\b)",
        r"(?:^|[\s,(])(\d{2})\s?[fm](?![a-z0-9/])",
        r"(?:^|[\s,(])(\d{2})\s*/\s*[fm](?![a-z0-9/])",
        rf"(?:^|[,.;!?(\n]\s*|\b(?:i'?m|i\s+am)\s+(?:an?\s+)?)(?:female|male|woman|man|guy|lady|bloke|f|m)"
        rf"\s*[,/]?\s*{num}\b(?![\s-]*something)" + _NOT_AN_AGE_AFTER,
        # "I am a widow of 84 years", "I am an old lady of ninety-one" (a formal letter); of
        # someone else ("a carer for a gentleman of 82") it is persons.other_ages's to read
        rf"\b(?:i'?m|i\s+am)\s+(?:an?\s+)?(?:(?:{adjectives})\s+)*(?:{nouns})\s+of\s+{num}\b"
        rf"(?:\s+years(?:\s+of\s+age)?)?" + _NOT_AN_AGE_AFTER,
    ]
    past = re.compile(rf"\b(?:{_alt(grammar['past_age_words'])})\s+$")
    # "Now 38, tingly hands", "now 50 and getting diarrhoea": an age in a list of facts
    now = re.compile(
        r"(?:^|[,.;!?\n]\s*)now\s+(\d{2})\b" + _NOT_AN_AGE_AFTER + r"(?!\s*(?:is|was|it))"
    )
    decade = re.compile(
        r"(?:^|[,.;!?(\n]\s*|\b(?:i'?m|i\s+am|im|am|now|aged?)\s+"
        r"|(?:'s|\bis|\bare)\s+(?=in\s+(?:her|his|their)\s))"
        rf"(?:in\s+(?:my|their|her|his)\s+)?(?:(early|mid|middle|late)[\s-]*)?"
        rf"({_alt(grammar['age_decades'])})\b"
    )
    return tuple(re.compile(p) for p in patterns), past, now, decade


def find_ages(text: str) -> Iterator[ValueSpan]:
    """'I'm 67', '72yo', '67 years old', 'aged 81', '34F', 'F, 41', 'in my late 60s',
    'just turned forty', 'a widow of 84 years', 'I have 45 years', and an age given on its own
    in a list of facts ('... tired. 19', '17 n veggie', '45, heartburn')."""
    low = text.lower()
    grammar = _grammar()
    patterns, past, now, decade = _age_patterns(_has_spelled(low))
    for pattern in patterns:
        for match in pattern.finditer(low):
            age = _age_number(match.group(1))
            if past.search(low, max(0, match.start() - 12), match.start()):
                continue  # "diabetic since age 9, now 34": the age then, not now
            if age is not None and 0 < age <= MAX_AGE:
                yield _value_span(AGE, low, match.start(), match.end(), age)
    for match in now.finditer(low):
        # not a result's new number ("b12 was 140, now 95 and rising")
        if not names_a_lab(re.split(r"[.!?;\n]", low[: match.start(1)])[-1]):
            yield _value_span(AGE, low, match.start(), match.end(), int(match.group(1)))
    yield from _bare_ages(text, low)
    decades = grammar["age_decades"]
    offsets = grammar["decade_offsets"]
    for match in decade.finditer(low):
        base = int(decades[match.group(2)])
        offset = int(offsets.get(match.group(1) or "", 5))
        if match.group(2) == "teens":
            offset = {"early": 0, "late": 2}.get(match.group(1) or "", 0)
        yield _value_span(AGE, low, match.start(), match.end(), base + offset)


# A two-digit number standing alone as a clause: "... spicy food. 19", "17 n veggie",
# "45, heartburn, on omeprazole", "menopausal, 53, on omeprazole", "71. Hb 112".
_BARE_AGE = re.compile(
    # where a clause opens: "tired. 19", "17 n veggie", "45, heartburn"
    r"(?:(?:^|(?<=[.!?;\n])|(?<=[.!?;\n]\s)|(?<=[.!?;\n]\s\s))(?P<open>\d{2})(?![\d.,]\d)"
    r"(?=\s*(?:[.!?;]+\s*(?:$|[a-z])|$|,\s*(?=[a-z])|\s+(?:n|and|&)\s+(?!a\s+half)(?=[a-z])))"
    # set off by commas after a word: "menopausal, 53, on omeprazole", "... tired, 19"
    r"|(?<=[a-z)],\s)(?P<apart>\d{2})(?![\d.,]\d)(?=\s*(?:[.!?;]+\s*(?:$|[a-z])|$|,\s*(?=[a-z]))))"
)


def _bare_ages(text: str, low: str) -> Iterator[ValueSpan]:
    """A two-digit number written as a clause of its own in a list of facts is an age. One in
    a list of numbers ("12, 15, 19"), the number of a result ("hb 112.", "b12 low, 45") and a
    number under ten or of a unit ("45 days") are something else."""
    labs: list[tuple[int, int]] | None = None
    for match in _BARE_AGE.finditer(low):
        group = "open" if match.group("open") else "apart"
        start, end = match.span(group)
        if low[:start].rstrip().rstrip(",;").rstrip()[-1:].isdigit():
            continue  # "12, 15, 19": a list of numbers
        labs = _lab_number_spans(text) if labs is None else labs
        if any(a <= start < b for a, b in labs):
            continue
        sentence = re.split(r"[.!?;\n]", low[:start])[-1]
        if names_a_lab(sentence[-30:]):
            continue  # "b12 low, 45": the result's number, however it is written
        phrase = re.split(r"[:]", sentence)[-1]
        if group == "apart" and _compiled(r"\b(?:my|mine|me|our|ours)\b").search(phrase):
            continue  # "friend of mine, 31,", "pupil in my class, 15,": that person's age
        age = int(match.group(group))
        if 10 <= age <= MAX_AGE:
            yield ValueSpan(AGE, start, end, age)


def find_age_hints(text: str) -> Iterator[ValueSpan]:
    low = text.lower()
    hints = _grammar()["age_hints"]
    for match in _compiled(rf"\b(?:{_alt(hints)})\b").finditer(low):
        yield ValueSpan(AGE_HINT, match.start(), match.end(), hints[match.group(0)])


@lru_cache(maxsize=2)
def _sex_patterns(spelled: bool) -> tuple[tuple[re.Pattern[str], ...], dict[str, str]]:
    """The sex patterns and each word's sex, built once (the finder runs on every message);
    numbers in words only where the message has one (see :func:`_age_patterns`)."""
    grammar = _grammar()
    words = grammar["sex_words"]
    word_to_sex = {w: sex for sex, ws in words.items() for w in ws if len(w) > 1}
    full = _alt(word_to_sex)
    adjectives = rf"(?:(?:{_alt(grammar['sex_adjectives'])})\s+){{0,2}}"
    num = _age_num() if spelled else r"(\d{1,3})"
    decades = _alt(grammar["age_decades"])
    patterns = [
        rf"\b(?:i'?m|i\s+am|im)\s+(?:a|an)\s+(?:\d{{1,3}}\s*(?:-|\s)?\s*(?:years?|yrs?|yo|y/o)?\s*(?:-|\s)?\s*(?:old)?\s+)?{adjectives}({full})\b(?![-'])",
        r"\b(?:i'?m|i\s+am|im)\s+(female|male)\b",
        # "I am woman 41 years", "I am man, 33" (no article, as people write who learned
        # English after another language); only with the age, so "I'm mum to three" stays out
        r"\b(?:i'?m|i\s+am|im)\s+(woman|man|lady|female|male)\s*,?\s*\d{2}\b",
        rf"\b\d{{1,3}}\s*(?:-|\s)?\s*(?:years?|yrs?|yr|yo|y/o)\s*(?:-|\s|,)?\s*(?:old\s*,?\s+)?({full})\b",
        # "I am seventy and a widower", "I'm 45 and a mum of two"
        rf"\b(?:i'?m|i\s+am|im)\s+{num}(?:\s+years(?:\s+old)?)?\s*(?:,\s*)?(?:and\s+)?(?:a|an)\s+{adjectives}({full})\b",
        rf"\bas\s+an?\s+({full})\b",
        rf"(?:^|[,.;!?(\n]\s*)({full})\s*[,/]\s*(?:\d{{2}}\b|(?:{num[1:]})",
        # "35, male", "60, female", "52 y.o. bloke", "fifties, male": a list of facts
        rf"(?:^|[\s,(])(?:\d{{2}}|(?:{decades}))\s*(?:,|y\.\s?o\.?|yo)\s*({full})\b",
        # "knackered, 52 male": the age and the word with nothing after them
        r"(?:^|[\s,(])\d{2}\s+(male|female)\s*(?=[,.;!?)]|$)",
    ]
    return tuple(re.compile(p) for p in patterns), word_to_sex


def find_sex(text: str) -> Iterator[ValueSpan]:
    """What a person says of themselves or of the one they write about: 'I'm a woman', '34F',
    'male, 58', 'I am man 33 years', 'I am seventy and a widower', 'an old lady', '(F, 17)'."""
    low = text.lower()
    patterns, word_to_sex = _sex_patterns(_has_spelled(low))
    for pattern in patterns:
        for match in pattern.finditer(low):
            sex = word_to_sex.get(match.group(match.lastindex or 1))
            if sex:
                yield _value_span(SEX, low, match.start(), match.end(), sex)
    for pattern in (
        r"(?:^|[\s,(])\d{2}\s?([fm])(?![a-z0-9/])",
        r"(?:^|[,.;!?(\n]\s*)([fm])\s*[,/]\s*\d{2}\b",
        # "(22, F)", "25/F", "72yo m"
        r"(?:^|[\s,(])\d{2}\s*(?:[,/]|yo|y/o|y\.o\.)\s*([fm])(?![a-z0-9/'])",
        # "Service user (F) on phenytoin" (not "vitamin (f)")
        r"(?<=[a-z])(?<!vitamin)(?<!vit)\s*\(\s*([fm])\s*\)",
    ):
        for match in _compiled(pattern).finditer(low):
            sex = "female" if match.group(1) == "f" else "male"
            yield _value_span(SEX, low, match.start(), match.end(), sex)


_PREGNANT = re.compile(
    r"\b(?:(\d{1,2})\s*(?:\+\s*\d\s*)?(?:-\s*)?(?:weeks?|wks?|w)\s*(?:pregnant|preg|along|gone)\b"
    r"|(?:pregnant|preggers|preggo|pregnent|pregant)(?:\s*(?:,|at|-|with|for|\()?\s*(\d{1,2})\s*(?:weeks?|wks?)\b)?"
    r"|expecting\s+(?:a|our|my|the)\s+(?:\w+\s+)?(?:baby|child|kid|twins)"
    r"|(?:i'?m|i\s+am|im|we'?re|we\s+are)\s+expecting\b"
    r"|with\s+child\b"
    r"|(?:first|second|third|1st|2nd|3rd)\s+trimester\b)"
)
_BREASTFEEDING = re.compile(
    r"\b(?:breast\s?-?\s?feed(?:ing|s)?|breast\s?-?\s?fed|breastfeed(?:ing|s)?|chest\s?-?feeding|bf'?ing"
    r"|nursing\s+(?:my|the|a)\s+(?:baby|son|daughter|little|newborn|\d))\b"
)


def find_pregnancy(text: str) -> Iterator[ValueSpan]:
    low = text.lower()
    for match in _PREGNANT.finditer(low):
        weeks = _int(match.group(1) or match.group(2) or "")
        if weeks is not None and not 1 <= weeks <= 42:
            weeks = None
        yield ValueSpan(PREGNANCY, match.start(), match.end(), weeks)


def find_breastfeeding(text: str) -> Iterator[ValueSpan]:
    for match in _BREASTFEEDING.finditer(text.lower()):
        yield ValueSpan(BREASTFEEDING, match.start(), match.end(), None)


def _number(word: str) -> float | None:
    word = word.strip().lower()
    if re.fullmatch(r"\d+(?:\.\d+)?", word):
        return float(word)
    numbers = _grammar()["number_words"]
    if word in numbers:
        return float(numbers[word])
    return None


_MONTHS = {
    name: i + 1
    for i, name in enumerate(
        [
            "january",
            "february",
            "march",
            "april",
            "may",
            "june",
            "july",
            "august",
            "september",
            "october",
            "november",
            "december",
        ]
    )
}
_MONTH_ABBR = {name[:3]: num for name, num in _MONTHS.items()}


def days_since_month(month: int, today: date) -> int:
    """Days from the first of the most recent such month (this year or last) to today."""
    year = today.year if month <= today.month else today.year - 1
    return max((today - date(year, month, 1)).days, 1)


def find_durations(text: str, today: date | None = None) -> Iterator[ValueSpan]:
    """'for 3 months', 'past 6 weeks', 'since last year', 'a few months', 'started 2 weeks ago'."""
    low = text.lower()
    grammar = _grammar()
    units = grammar["duration_units"]
    numbers = grammar["number_words"]
    bare = grammar["bare_plural_units"]
    unit_re = _alt(units)
    # a word number ends at a word's end: "and now" is not "an" "d" (one day) "now"
    num_re = rf"(\d+(?:\.\d+)?|(?:{_alt(numbers)})\b)"
    lead = (
        r"(?:for|over|past|last|the\s+past|the\s+last|over\s+the\s+(?:past|last)|for\s+the\s+(?:past|last)"
        r"|in\s+the\s+(?:past|last)|started|began|came\s+on|begun)"
    )
    approx = (
        r"(?:\s+(?:about|around|nearly|almost|roughly|approx\.?|maybe|like|at\s+least|over|the"
        r"|a\s+good))*"
    )
    counted = _compiled(
        rf"\b{lead}{approx}\s+{num_re}(?:\s*(?:-|to|or)\s*\d+)?(?:\s+of)?\s*({unit_re})\b"
        r"(?:\s+(and\s+a\s+half))?"
    )
    for match in counted.finditer(low):
        value = _number(match.group(1))
        per = units.get(match.group(2))
        if value is None or per is None:
            continue
        if match.group(3):
            value += 0.5
        yield ValueSpan(DURATION, match.start(), match.end(), int(round(value * per)))
    plain = _compiled(
        rf"\b(?:a|an|one)\s+({unit_re})\s+and\s+a\s+half\b|\bhalf\s+a\s+({unit_re})\b"
    )
    for match in plain.finditer(low):
        unit = match.group(1) or match.group(2)
        factor = 1.5 if match.group(1) else 0.5
        yield ValueSpan(DURATION, match.start(), match.end(), int(round(units[unit] * factor)))
    bare_re = _compiled(rf"\b{lead}{approx}\s+({_alt(bare)})\b")
    for match in bare_re.finditer(low):
        count = bare.get(match.group(1))
        if count is None:
            continue
        per = units.get(match.group(1))
        yield ValueSpan(DURATION, match.start(), match.end(), int(count * per))
    single_re = _compiled(rf"\b{lead}{approx}\s+(day|week|fortnight|month|year)\b")
    for match in single_re.finditer(low):
        yield ValueSpan(DURATION, match.start(), match.end(), int(units[match.group(1)]))
    now_re = _compiled(rf"\b{num_re}\s*({unit_re})\s+now\b")
    for match in now_re.finditer(low):
        value = _number(match.group(1))
        per = units.get(match.group(2))
        if value is not None and per is not None:
            yield ValueSpan(DURATION, match.start(), match.end(), int(round(value * per)))
    yield from _more_durations(low, grammar, num_re, unit_re, approx)
    periods = grammar["since_periods"]
    for match in _compiled(rf"\bsince\s+(?:about\s+|around\s+)?({_alt(periods)})\b").finditer(low):
        yield ValueSpan(DURATION, match.start(), match.end(), int(periods[match.group(1)]))
    month_names = {**_MONTHS, **_MONTH_ABBR}
    since_month = rf"\bsince\s+(?:early\s+|mid\s+|late\s+)?({_alt(month_names)})\b"
    for match in _compiled(since_month).finditer(low):
        days = days_since_month(month_names[match.group(1)], today or date.today())
        yield ValueSpan(DURATION, match.start(), match.end(), days)


@lru_cache(maxsize=4)
def _more_duration_patterns(
    num_re: str, unit_re: str, approx: str
) -> tuple[tuple[re.Pattern[str], ...], re.Pattern[str], re.Pattern[str]]:
    """The patterns of :func:`_more_durations`, built once (the finder runs on every message)."""
    grammar = _grammar()
    of_words = _alt(grammar["duration_of_words"])
    forms = [
        rf"\b(?:since|from){approx}\s+{num_re}(?:\s*(?:-|to|or)\s*\d+)?\s*({unit_re})\b"
        r"(?!\s+(?:old|of\s+age))",
        rf"\b(?:been|had\s+(?:it|this|these|them)){approx}\s+{num_re}\s*({unit_re})\b(?!\s+(?:ago|old))",
        rf"\b{num_re}\s*({unit_re})\s+of\s+(?:{of_words})\b",
        rf"\bsince\b[^.!?;,]{{1,40}}?\b{num_re}\s*({unit_re})\s+ago\b",
        # "started getting pins and needles about a fortnight ago", "woke up with it 2 days ago"
        # (not "started metformin 2 years ago", "started on the pill ...": a medicine's start)
        rf"\b(?:(?:started|starting|began|begun)\s+(?:getting|having|feeling|to\s+[a-z]+|in|with|when"
        rf"|after|about|around|at|again|suddenly|slowly|gradually)|came\s+on|woke\s+up)\b[^.!?;,]{{0,50}}?"
        rf"(?:\b(?:about|around|nearly|almost|roughly|over|maybe|like)\s+)?\b{num_re}\s*({unit_re})\s+ago\b",
    ]
    bare = (
        rf"\b{num_re}\s*({unit_re})(?:\s*ish|\s+or\s+so|\s+at\s+least|\s+or\s+more)?"
        r"(?=\s*(?:[,.;!?]|$))"
    )
    shorthand = grammar["shorthand_durations"]
    not_before_short = _alt(grammar["shorthand_not_before"])
    short = re.compile(
        rf"(?<![\d/.])(\d{{1,3}})\s*/\s*({_alt(shorthand)})(?![\d/.])"
        rf"(?!\s*(?:{not_before_short})\b)"
    )
    return tuple(re.compile(f) for f in forms), re.compile(bare), short


def _more_durations(
    low: str, grammar: dict[str, Any], num_re: str, unit_re: str, approx: str
) -> Iterator[ValueSpan]:
    """The ways of saying how long that have no "for": "since 6 weeks" and "from 4 years" (as
    people write who learned English after another language), "been a month", "had it like 6
    months", "three weeks of it", "since her birthday three weeks ago", a count closing a
    clause ("numb toes two weeks,", "2 months ish") and the clinical "6/12" (six months)."""
    units = grammar["duration_units"]

    def days(number: str, unit: str) -> int | None:
        value, per = _number(number), units.get(unit)
        return None if value is None or per is None else int(round(value * per))

    forms, bare, short = _more_duration_patterns(num_re, unit_re, approx)
    for form in forms:
        for match in form.finditer(low):
            found = days(match.group(1), match.group(2))
            if found:
                yield ValueSpan(DURATION, match.start(), match.end(), found)
    not_after = set(grammar["bare_duration_not_after"])
    hedges = set(grammar["bare_duration_hedges"])
    for match in bare.finditer(low):
        if len(match.group(2)) == 1:
            continue  # "52 y.o.": an age
        clause = re.split(r"[,.;:!?\n]", low[: match.start()])[-1]
        sentence = re.split(r"[.;!?\n]", low[: match.start()])[-1]
        words = re.findall(r"[a-z']+", clause)
        hedged = bool(words) and words[-1] in hedges
        while words and words[-1] in hedges:
            words.pop()
        if words and (not hedged or words[-1] in not_after):
            continue  # "vegan 6 yrs,", "every 3 months.", "after about 8 weeks"
        if _compiled(r"\b(?:pregnan\w*|preg|expecting)\b").search(sentence):
            continue  # "pregnant with my second, 14 weeks"
        found = days(match.group(1), match.group(2))
        if found:
            yield ValueSpan(DURATION, match.start(), match.end(), found)
    shorthand = grammar["shorthand_durations"]
    not_after_short = set(grammar["shorthand_not_after"])
    for match in short.finditer(low):
        previous = re.findall(r"[a-z']+", low[max(0, match.start() - 20) : match.start()])
        if previous and previous[-1] in not_after_short:
            continue  # "on 6/12" is a date, "vision 6/12" an eye test
        rule = shorthand[match.group(2)]
        count = int(match.group(1))
        if 0 < count <= int(rule["max"]):
            yield ValueSpan(DURATION, match.start(), match.end(), count * int(rule["days"]))


# ---------------------------------------------------------------------------- blood results
#
# One reader for blood results, shared by the chat and by ``python -m bot labs`` so the two
# never disagree. The tests, their names and units come from the knowledge base; the wording
# around them from ``patterns/values.yml``. The search goes forward from a test's name over a
# few allowed words to the first number, and gives up at any other word: reading nothing is
# safe (the person is asked), reading someone's age or dose as their B12 is not.

# A number as written on a report or typed: "1,200" is twelve hundred, "2,1" is 2.1, "<150"
# keeps its number; a minus sign only counts right after a space, ":", "=" or "(" ("b12 -5").
_LAB_NUMBER = re.compile(
    r"(?:[<>≤≥]=?\s*)?(?P<num>(?:(?<=[\s:=(])-)?(?:\d{1,3}(?:,\d{3})+(?![\d,])|\d+)(?:[.,]\d+)?)"
)
# What may stand between a name and its number besides words: spaces, brackets, quotes, ":".
_GAP_PUNCT = frozenset(" \t\n():=~-–—'\"‘’“”")
_GAP_WORD = re.compile(r"[a-z]+(?:['’-][a-z]+)*")
# After the number: a range ("180-900") or a date or time ("12/05", "10:30") is not a result.
_NOT_A_VALUE_AFTER = re.compile(r"\s*(?:(?:-|–|to\b)\s*[<>]?\d|[/:]\s*\d)")
_UNIT_TOKEN = re.compile(
    r"(?P<space>\s*)(?P<unit>[a-zµμ]+\s*(?:/|\bper\b)\s*(?:100\s*)?[a-zµμ]+|[a-zµμ][a-zµμ0-9³]*|%)"
)
_NEXT_WORDS = re.compile(r"\s*([a-zµμ%'/]+)(?:\s+([a-z']+))?")


def _number_value(raw: str) -> float:
    """Read "1,200" as twelve hundred (thousands separator) and "2,1" as 2.1 (decimal comma)."""
    if re.search(r",\d{3}(?!\d)", raw):
        return float(raw.replace(",", ""))
    return float(raw.replace(",", "."))


@dataclass(frozen=True)
class _LabName:
    """One test named in the text; ``analyte`` is None for a test the assistant does not read."""

    analyte: str | None
    start: int
    end: int


@dataclass(frozen=True)
class _LabGrammar:
    """Names and units from the knowledge base with the wording from values.yml, compiled once
    (the reader runs on every message)."""

    names: re.Pattern[str]
    name_to_analyte: dict[str, str | None]
    units: dict[str, str]  # normalised unit -> the knowledge base's spelling
    gap_words: frozenset[str]
    free_gap_words: frozenset[str]
    max_gap_words: int
    medicine_words: frozenset[str]
    medicine_determiners: frozenset[str]
    not_after: frozenset[str]
    denominators: frozenset[str]
    before_adjectives: frozenset[str]


def _name_pattern(name: str) -> str:
    """A name as people type it: a space may be a hyphen or missing, "b12" may be "b 12", and
    its number may be written out ("b twelve": the same name, not another one)."""
    spelled = {value: word for word, value in _spelled()[0].items()}
    words = [w for w in re.split(r"[\s-]+", name) if w]
    parts = []
    for word in words:
        pieces = []
        for piece in re.findall(r"[a-z]+|\d+|[^a-z\d]+", word):
            if piece.isdigit() and int(piece) in spelled:
                pieces.append(rf"(?:{piece}|{spelled[int(piece)]})")
            else:
                pieces.append(re.escape(piece))
        parts.append(r"[\s-]?".join(pieces))
    return r"[\s-]*".join(parts)


@lru_cache(maxsize=1)
def _lab_grammar() -> _LabGrammar:
    from bot.knowledge import load_knowledge

    grammar = _grammar()
    analytes = load_knowledge().labs.values()
    name_to_analyte: dict[str, str | None] = {
        name.lower(): None for name in grammar["lab_other_tests"]
    }
    for analyte in analytes:
        name_to_analyte.update({name.lower(): analyte.id for name in analyte.names})
    # Longest first, so "active b12" is one name and not "active" followed by "b12".
    ordered = sorted(name_to_analyte, key=len, reverse=True)
    groups = "|".join(f"(?P<n{i}>{_name_pattern(n)})" for i, n in enumerate(ordered))
    units = {normalise_unit(spelling): spelling for a in analytes for spelling in a.unit_names}
    return _LabGrammar(
        names=re.compile(rf"(?<![a-z0-9])(?:{groups})(?![a-z0-9])"),
        name_to_analyte={f"n{i}": name_to_analyte[n] for i, n in enumerate(ordered)},
        units=units,
        gap_words=frozenset(str(w) for w in grammar["lab_gap_words"]),
        free_gap_words=frozenset(str(w) for w in grammar["lab_free_gap_words"]),
        max_gap_words=int(grammar["lab_max_gap_words"]),
        medicine_words=frozenset(str(w) for w in grammar["lab_medicine_words"]),
        medicine_determiners=frozenset(str(w) for w in grammar["lab_medicine_determiners"]),
        not_after=frozenset(str(w) for w in grammar["lab_not_after"]),
        denominators=frozenset(str(w) for w in grammar["lab_concentration_denominators"]),
        before_adjectives=frozenset(str(w) for w in grammar["lab_before_adjectives"]),
    )


def _lab_names(low: str, g: _LabGrammar) -> list[_LabName]:
    return [
        _LabName(g.name_to_analyte[m.lastgroup or ""], m.start(), m.end())
        for m in g.names.finditer(low)
    ]


def _gap_word_allowed(word: str, g: _LabGrammar) -> bool:
    word = word.replace("’", "'")
    if word in g.gap_words:
        return True
    if word.endswith("ish") and word[:-3] in g.gap_words:
        return True
    parts = word.split("-")
    return len(parts) > 1 and all(p in g.gap_words for p in parts)


def _unit_after(low: str, end: int, g: _LabGrammar) -> tuple[str | None, int] | None:
    """The unit written after a number and where the reading ends; None when the number is
    something else (a dose, a duration, a count, a range, a date)."""
    if _NOT_A_VALUE_AFTER.match(low, end):
        return None
    token = _UNIT_TOKEN.match(low, end)
    if token:
        key = normalise_unit(token.group("unit"))
        if key in g.units:
            return g.units[key], token.end()
    words = _NEXT_WORDS.match(low, end)
    if words:
        first, second = words.group(1), words.group(2)
        if first in g.not_after or f"{first} {second}" in g.not_after:
            return None
    if token is None:
        return None, end
    unit = token.group("unit")
    key = normalise_unit(unit)
    if "/" in key:
        if key.split("/", 1)[1] in g.denominators:
            return unit, token.end()  # a concentration in a unit that make_result will refuse
        return None  # "mcg/day": a dose
    if not token.group("space") and unit != "ish":
        return None  # letters glued to the number ("3rd", "2x") are not a unit we know
    return None, end


def _value_after(
    low: str, name: _LabName, names_at: dict[int, _LabName], g: _LabGrammar
) -> tuple[int, float, str | None, int] | None:
    """(number start, value, unit, end) of the result written after a test's name."""
    i, words, last_word = name.end, 0, ""
    while i < len(low):
        number = _LAB_NUMBER.match(low, i)
        if number:
            change = _CHANGE_TO.match(low, number.end()) if last_word == "from" else None
            if change and "normal" in low[name.end : number.start()]:
                return None  # "b12 normal from 180 to 900": the reference range
            if change:
                # "b12 went from 145 to 520": the later number is how it is now
                number = _LAB_NUMBER.match(low, change.end())
                if number is None:
                    return None
            after = _unit_after(low, number.end(), g)
            if after is None:
                return None
            return number.start(), _number_value(number.group("num")), after[0], after[1]
        char = low[i]
        if char in _GAP_PUNCT:
            i += 1
            continue
        if char == "," and words == 0:
            i += 1
            continue
        other = names_at.get(i)
        if other is not None:
            if other.analyte != name.analyte:
                return None
            i = other.end  # the same test named twice: "active b12 (holotranscobalamin) 25"
            continue
        spelled = _spelled_result(low, i)
        if spelled is not None:
            value, end = spelled
            after = _unit_after(low, end, g)
            if after is None:
                return None
            return i, value, after[0], after[1]
        word = _GAP_WORD.match(low, i)
        if word is not None and word.group(0) in g.free_gap_words:
            i = word.end()  # "came back at a pretty measly 170": an article says nothing
            continue
        if word is None or words >= g.max_gap_words or not _gap_word_allowed(word.group(0), g):
            return None
        words += 1
        last_word = word.group(0)
        i = word.end()
    return None


# "from 145 to 520", "from 145 -> 520": a change, not a range, after "from"
_CHANGE_TO = re.compile(r"\s*(?:[a-zµμ]+(?:/[a-zµμ]+)?\s+)?(?:to|->|→|up\s+to|down\s+to)\s*(?=\d)")


def _spelled_result(low: str, at: int) -> tuple[float, int] | None:
    """A result written out at ``at`` ("one hundred and sixty") and where it ends. Only a
    number with a tens or hundreds word counts: "the b12 one" and "b12 was one of the lowest"
    name no result."""
    match = _compiled(_spelled()[1]).match(low, at)
    if match is None:
        return None
    phrase = match.group(0)
    scales = _grammar()["spelled_scales"]
    tens = _grammar()["spelled_tens"]
    if not any(w in scales or w in tens for w in re.split(r"[\s-]+", phrase)):
        return None
    value = spelled_number(phrase)
    return (float(value), match.end()) if value is not None else None


def _value_before(
    low: str, name: _LabName, since: int, g: _LabGrammar
) -> tuple[int, float, str | None] | None:
    """A result written before the name with a unit of a known test ("250 ng/L b12"); without
    a unit a number before a name is too often something else ("I'm 45, b12 was low")."""
    tail = re.search(
        r"(?<![\d.,])(?P<num>\d+(?:\.\d+)?)\s*(?P<unit>[a-zµμ]+\s*/\s*(?:100\s*)?[a-zµμ]+|[a-zµμ³]+)"
        r"\s*(?:(?:for|of|on)\s+)?(?:(?:the|my|a)\s+)?"
        rf"(?:(?:{_alt(g.before_adjectives)})\s+)?$",
        low[since : name.start],
    )
    if tail is None:
        return None
    key = normalise_unit(tail.group("unit"))
    if key not in g.units:
        return None
    return since + tail.start(), float(tail.group("num")), g.units[key]


def _is_medicine(low: str, name: _LabName, g: _LabGrammar) -> bool:
    """ "take b12", "on my b12": the word just before the name (past one determiner, never
    past punctuation, so "on omeprazole, b12 came back 160" is still a result)."""
    words = re.search(r"([a-z']+)\s+(?:([a-z']+)\s+)?$", low[max(0, name.start - 40) : name.start])
    if words is None:
        return False
    verb, between = (words.group(1), words.group(2))
    if between is None:
        return verb in g.medicine_words
    return between in g.medicine_words or (
        verb in g.medicine_words and between in g.medicine_determiners
    )


def find_labs(text: str) -> Iterator[ValueSpan]:
    """'b12 came back 160', 'active b12 was 30 pmol/l', 'hb 105 g/L', 'mcv 104'.

    The value is a dict (analyte, value, unit as written or None, original); conversion and
    plausibility checks are bot.labs's job, so an impossible number or a unit that does not
    fit the test still comes out here, to be refused there with a message.
    """
    low = text.lower()
    g = _lab_grammar()
    names = _lab_names(low, g)
    names_at = {n.start: n for n in names}
    claimed: set[int] = set()
    since, previous, previous_read = 0, None, False
    for name in names:
        # "b12 and folate were 160 and 3": which number is whose is a guess; read neither.
        listed = (
            previous is not None
            and not previous_read
            and re.fullmatch(r"\s*(?:,|and|&|/|\+|or|plus)\s*", low[previous.end : name.start])
        )
        previous, previous_read = name, False
        if name.analyte is None or listed or _is_medicine(low, name, g):
            continue
        found = _value_after(low, name, names_at, g)
        if found is not None and found[0] not in claimed:
            number_at, value, unit, end = found
            start = name.start
        else:
            before = _value_before(low, name, since, g)
            if before is None or before[0] in claimed:
                continue
            number_at, value, unit = before
            start, end = before[0], name.end
        claimed.add(number_at)
        later = _later_result(low, end, _next_name_start(names, name), g)
        if later is not None:
            # "b12 was 190, retested in December and it's 620": the latest result is the one
            # that says how things are now
            number_at, value, later_unit, end = later
            unit = later_unit or unit  # "79 g/L in 2019 ... Now it's 126": the same unit
            claimed.add(number_at)
        since, previous_read = end, True
        if unit is not None and unit not in g.units.values() and len(text) == len(low):
            unit = text[end - len(unit) : end]  # a unit we do not know, as the person wrote it
        yield ValueSpan(
            LAB,
            start,
            end,
            {
                "analyte": name.analyte,
                "value": value,
                "unit": unit,
                "original": text[start:end],
            },
        )


def _next_name_start(names: list[_LabName], name: _LabName) -> int:
    later = [n.start for n in names if n.start >= name.end]
    return min(later) if later else -1


_LATER_NUMBER = re.compile(
    r"(?:\bnow\s+(?:it'?s\s+|it\s+is\s+|its\s+)?(?:at\s+)?"
    r"|\b(?:it'?s|it\s+is|its|it\s+was)\s+(?:now\s+)?(?:(?:back\s+|gone\s+)?(?:up|down)\s+to\s+)?"
    r"|\band\s+(?=\d+(?:\.\d+)?\s*(?:[a-zµμ/]+\s+)?now\b))"
    r"(?P<num>\d+(?:\.\d+)?)"
)


def _later_result(
    low: str, end: int, stop: int, g: _LabGrammar
) -> tuple[int, float, str | None, int] | None:
    """A later result of the same test said without its name, within the next sentence and
    before any other test is named: "... retested in December and it's 620", "Now it's 260",
    "160 in june and 420 now". A word of a later time must come first ("now", "retested"), so
    "b12 was 150, it's 20 degrees out" reads only 150; a year ("in 2021") is no result."""
    window_end = len(low) if stop < 0 else stop
    sentences = [m.end() for m in re.finditer(r"[.!?\n]+\s", low[end:window_end])]
    if len(sentences) >= 2:
        window_end = end + sentences[1]
    cues = _compiled(rf"\b(?:{_alt(_grammar()['lab_later_cues'])})\b")
    for match in _LATER_NUMBER.finditer(low, end, window_end):
        if not cues.search(low, end, min(window_end, match.end() + 12)):
            continue
        raw = match.group("num")
        after = _unit_after(low, match.end("num"), g)
        if after is None or (after[0] is None and re.fullmatch(r"(?:19|20)\d\d", raw)):
            continue
        return match.start("num"), float(raw), after[0], after[1]
    return None


def names_a_lab(text: str) -> bool:
    """Whether the text names one of the tests the assistant reads (with or without a value)."""
    g = _lab_grammar()
    return any(n.analyte is not None for n in _lab_names(text.lower(), g))


def read_bare_value(text: str) -> tuple[float, str | None] | None:
    """A number at the start of ``text`` and the unit after it ("160", "133 pmol/L"): results
    stored without the test's name are read with the same number and unit rules."""
    g = _lab_grammar()
    low = text.lower()
    number = _LAB_NUMBER.match(low, len(low) - len(low.lstrip()))
    if number is None:
        return None
    after = _unit_after(low, number.end(), g)
    return _number_value(number.group("num")), after[0] if after else None


def find_values(text: str, today: date | None = None) -> list[ValueSpan]:
    """All value spans, in text order (may overlap; the pipeline resolves overlaps)."""
    spans: list[ValueSpan] = []
    for finder in (
        find_labs,
        find_pregnancy,
        find_breastfeeding,
        find_ages,
        find_sex,
        find_age_hints,
    ):
        spans.extend(finder(text))
    spans.extend(find_durations(text, today))
    return sorted(spans, key=lambda s: (s.start, -(s.end - s.start)))
