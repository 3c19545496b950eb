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


def _int(text: str) -> int | None:
    try:
        return int(text)
    except (TypeError, ValueError):
        return None


def find_ages(text: str) -> Iterator[ValueSpan]:
    """'I'm 67', '72yo', '67 years old', 'aged 81', '34F', 'F, 41', 'in my late 60s'."""
    low = text.lower()
    grammar = _grammar()
    patterns = [
        rf"\b{_SELF}\s+(?:only\s+|now\s+|nearly\s+|almost\s+|just\s+|about\s+|over\s+)?(\d{{1,3}})\b{_NOT_AN_AGE_AFTER}",
        r"\b(\d{1,3})\s*(?:-|\s)?\s*(?:years?|yrs?|yr)\s*(?:-|\s)?\s*old\b",
        r"\b(\d{1,3})\s*(?:yo|y/o|y\.o\.?|yrs?\s+old|yr\s+old)(?![a-z])",
        r"\bage[d]?\s*[:=]?\s*(\d{1,3})\b" + _NOT_AN_AGE_AFTER,
        r"(?:^|[\s,(])(\d{2})\s?[fm](?![a-z0-9/])",
        r"(?:^|[,.;!?\n]\s*|\b(?:i'?m\s+an?|i\s+am\s+an?)\s+)(?:female|male|woman|man|guy|lady|bloke|f|m)\s*[,/]?\s*(\d{2})\b"
        + _NOT_AN_AGE_AFTER,
    ]
    for pattern in patterns:
        for match in _compiled(pattern).finditer(low):
            age = _int(match.group(1))
            if age is not None and 0 < age <= MAX_AGE:
                yield ValueSpan(AGE, match.start(), match.end(), age)
    decades = grammar["age_decades"]
    offsets = grammar["decade_offsets"]
    decade_re = (
        rf"(?:^|[,.;!?\n]\s*|\b(?:i'?m|i\s+am|im|am|now|aged?)\s+)(?:in\s+(?:my|their|her|his)\s+)?"
        rf"(?:(early|mid|middle|late)[\s-]*)?({_alt(decades)})\b"
    )
    for match in _compiled(decade_re).finditer(low):
        base = int(decades[match.group(2)])
        offset = int(offsets.get(match.group(1) or "", 5))
        if match.group(2) == "teens":
            offset = {"early": 0, "late": 2}.get(match.group(1) or "", 0)
        yield ValueSpan(AGE, match.start(), match.end(), base + offset)


def find_age_hints(text: str) -> Iterator[ValueSpan]:
    low = text.lower()
    hints = _grammar()["age_hints"]
    for match in _compiled(rf"\b(?:{_alt(hints)})\b").finditer(low):
        yield ValueSpan(AGE_HINT, match.start(), match.end(), hints[match.group(0)])


def find_sex(text: str) -> Iterator[ValueSpan]:
    """Only what the person says of themselves: 'I'm a woman', '34F', 'male, 58'."""
    low = text.lower()
    words = _grammar()["sex_words"]
    word_to_sex = {w: sex for sex, ws in words.items() for w in ws if len(w) > 1}
    full = _alt(word_to_sex)
    patterns = [
        rf"\b(?:i'?m|i\s+am|im)\s+(?:a|an)\s+(?:\d{{1,3}}\s*(?:-|\s)?\s*(?:years?|yrs?|yo|y/o)?\s*(?:-|\s)?\s*(?:old)?\s+)?({full})\b",
        r"\b(?:i'?m|i\s+am|im)\s+(female|male)\b",
        rf"\b\d{{1,3}}\s*(?:-|\s)?\s*(?:years?|yrs?|yr|yo|y/o)\s*(?:-|\s)?\s*(?:old\s+)?({full})\b",
        rf"\bas\s+an?\s+({full})\b",
        rf"(?:^|[,.;!?\n]\s*)({full})\s*[,/]\s*\d{{2}}\b",
    ]
    for pattern in patterns:
        for match in _compiled(pattern).finditer(low):
            sex = word_to_sex.get(match.group(1))
            if sex:
                yield ValueSpan(SEX, match.start(), match.end(), sex)
    for pattern in (
        r"(?:^|[\s,(])\d{2}\s?([fm])(?![a-z0-9/])",
        r"(?:^|[,.;!?\n]\s*)([fm])\s*[,/]\s*\d{2}\b",
    ):
        for match in _compiled(pattern).finditer(low):
            yield ValueSpan(
                SEX, match.start(), match.end(), "female" if match.group(1) == "f" else "male"
            )


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
    num_re = rf"(\d+(?:\.\d+)?|{_alt(numbers)})"
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
    periods = grammar["since_periods"]
    for match in _compiled(rf"\bsince\s+(?:about\s+|around\s+)?({_alt(periods)})\b").finditer(low):
        yield ValueSpan(DURATION, match.start(), match.end(), int(periods[match.group(1)]))
    month_names = {**_MONTHS, **_MONTH_ABBR}
    since_month = rf"\bsince\s+(?:early\s+|mid\s+|late\s+)?({_alt(month_names)})\b"
    for match in _compiled(since_month).finditer(low):
        days = days_since_month(month_names[match.group(1)], today or date.today())
        yield ValueSpan(DURATION, match.start(), match.end(), days)


_NUMBER = r"(\d{1,5}(?:[.,]\d{1,2})?)"


@lru_cache(maxsize=1)
def _lab_regex() -> re.Pattern[str]:
    grammar = _grammar()
    aliases = {
        alias: analyte for analyte, names in grammar["lab_analytes"].items() for alias in names
    }
    connectors = [c for c in grammar["lab_connectors"] if c]
    units = grammar["lab_units"]
    doses = grammar["dose_units"]
    time_words = r"(?:days?|weeks?|wks?|months?|mths?|years?|yrs?|hours?|times|x\b|am\b|pm\b|%)"
    connector = rf"(?:\s*(?:{_alt(connectors)})(?![a-z0-9]))"
    return re.compile(
        rf"(?<![a-z0-9])(?P<name>{_alt(aliases)})(?![a-z0-9])"
        rf"(?P<gap>{connector}{{0,6}})\s*[:=~]?\s*(?P<num>{_NUMBER.strip('()')})"
        rf"(?!\s*(?:{_alt(doses)})(?![a-z/]))(?!\s*{time_words})(?![\d])"
        rf"(?:\s*(?P<unit>{_alt(units)})(?![a-z]))?"
    )


def find_labs(text: str) -> Iterator[ValueSpan]:
    """'b12 came back 160', 'active b12 was 30 pmol/l', 'hb 105 g/L', 'mcv 104'.

    The value is a dict (analyte, value, unit or None, original); conversion and
    plausibility checks are bot.labs's job.
    """
    low = text.lower()
    grammar = _grammar()
    aliases = {
        alias: analyte for analyte, names in grammar["lab_analytes"].items() for alias in names
    }
    units = grammar["lab_units"]
    for match in _lab_regex().finditer(low):
        analyte = aliases[match.group("name")]
        raw = match.group("num").replace(",", ".")
        unit = units.get(match.group("unit")) if match.group("unit") else None
        yield ValueSpan(
            LAB,
            match.start(),
            match.end(),
            {
                "analyte": analyte,
                "value": float(raw),
                "unit": unit,
                "original": text[match.start() : match.end()],
            },
        )


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
