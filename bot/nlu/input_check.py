"""Input that is not a sentence: empty, far too long, or without a single letter.

Such input should never be classified: a statistical classifier always picks
some intent, and a guess ("start the interview" for an empty message) confuses
the person. Both the Rasa component (which routes it to the fallback) and the
fallback action (which explains what went wrong) use this one definition.
"""

from __future__ import annotations

import re

MAX_MESSAGE_CHARS = 1000
_LETTERS = re.compile(r"[^\W\d_]")


def odd_input_kind(text: str | None) -> str | None:
    """``"empty"``, ``"too_long"``, ``"no_words"``, or ``None`` for a sentence."""
    stripped = (text or "").strip()
    if not stripped:
        return "empty"
    if len(stripped) > MAX_MESSAGE_CHARS:
        return "too_long"
    if not _LETTERS.search(stripped):
        return "no_words"
    return None


# ------------------------------------------------------------------ reference text
# Quoted or pasted reference text ("the leaflet says 'B12 deficiency can cause chest pain'", a
# paragraph copied from a website) names findings without reporting anyone's: the extraction
# reads its findings as hypothetical (never present for anyone) and takes no age or sex from
# it. The cue words are data (bot/nlu/patterns/persons.yml, `reference`).

_QUOTES = r"[\"']"
# Quotation marks are read after `_plain_quotes` (curly ones made straight, one character for
# one, so offsets stay valid). A single quote opens only after a non-word character and closes
# only before one, so the apostrophes of "don't" and "mum's" never end a quotation.
_QUOTED = re.compile(
    r"\"([^\"\n]{3,}?)\""
    r"|(?<![\w'])'(?=\S)((?:[^'\n]|(?<=\w)'(?=\w)){3,}?)(?<=\S)'(?![\w'])"
)
_SENTENCE_END = re.compile(r"[.!?\n]+")
_LIST_ITEM = re.compile(r"[ \t]*(?:\d{1,2}[.)]|[-*\u2022\u25cf\u25aa>])[ \t]*")
_COPY_CUES = ("copied", "copy", "pasted", "quote", "quoting")
_SOURCE_REACH = 80


def _plain_quotes(text: str) -> str:
    """Lower case with curly quotes made straight (same length, so offsets stay valid)."""
    return (
        text.lower()
        .replace("\u2019", "'")
        .replace("\u2018", "'")
        .replace("\u201c", '"')
        .replace("\u201d", '"')
    )


def _reference_data() -> dict:
    from bot.nlu.resources import load_yaml

    return (load_yaml("persons.yml") or {}).get("reference") or {}


def _word_set(text: str) -> set[str]:
    return set(re.findall(r"[a-z']+", text.lower().replace("\u2019", "'")))


def _has_any(words: set[str], listed) -> bool:
    return any(str(w).lower() in words for w in listed or ())


def _cue_count(low: str, cues) -> int:
    return sum(1 for cue in cues or () if re.search(rf"\b{re.escape(str(cue))}\b", low))


def reads_as_reference(text: str | None) -> bool:
    """Whether the whole message reads as pasted reference text: at least two sentences, no
    first-person word (nobody reporting their own), no "he" / "she" (nobody reporting
    someone's), and generic phrasing ("patients", "symptoms include", "can lead to") or a
    citation mark ("[1]", "et al"); with "you" ("see your GP if ...", as leaflets write) two
    such cues are needed."""
    if not text or not text.strip():
        return False
    data = _reference_data()
    low = _plain_quotes(text)
    sentences = [s for s in _SENTENCE_END.split(low) if len(s.split()) >= 3]
    if len(sentences) < int(data.get("min_sentences", 2)):
        return False
    words = _word_set(low)
    if _has_any(words, data.get("first_person")) or _has_any(words, data.get("third_person")):
        return False
    cues = _cue_count(low, data.get("cues")) + len(re.findall(r"\[\d+\]", low))
    needed = 2 if _has_any(words, data.get("second_person")) else 1
    return cues >= needed


def _alternation(items) -> str:
    forms = sorted({str(w).lower() for w in items or ()}, key=len, reverse=True)
    return "|".join(re.escape(f).replace(r"\ ", r"\s+") for f in forms)


def _sentence_before(low: str, start: int) -> str:
    """The words before ``start`` in its sentence, at most ``_SOURCE_REACH`` characters."""
    before = low[max(0, start - _SOURCE_REACH) : start]
    cut = max(before.rfind(c) for c in ".!?\n")
    return before[cut + 1 :]


def _list_spans(low: str, headings: str, first_person) -> list[tuple[int, int]]:
    """A copied list of signs: after a heading ("signs of B12 deficiency:", "get help if:")
    the rest of its line and the numbered or bulleted lines that follow. A line with a
    first-person word is the writer's own and is left out."""
    if not headings:
        return []
    spans: list[tuple[int, int]] = []
    heading = re.compile(rf"(?<![a-z])(?:{headings})(?![a-z])[^\n:.!?]{{0,60}}(?::|\n)")
    for match in heading.finditer(low):
        pos = match.end()
        line_end = low.find("\n", pos)
        line_end = len(low) if line_end < 0 else line_end
        pieces = [(pos, line_end)] if low[pos:line_end].strip() else []
        pos = line_end + 1
        while pos < len(low):
            end = low.find("\n", pos)
            end = len(low) if end < 0 else end
            if not _LIST_ITEM.match(low, pos):
                break
            pieces.append((pos, end))
            pos = end + 1
        spans += [
            (a, b) for a, b in pieces if not _has_any(_word_set(low[a:b]), first_person)
        ]
    return spans


def reference_spans(text: str | None) -> list[tuple[int, int]]:
    """Character ranges of reference text inside a message, somebody else's words that
    report nobody's finding now:

    - text in quotation marks (' " \u2018 \u2019 \u201c \u201d) after a reading word ("it
      says", "the leaflet says", "I read") or a source ("copied from the NHS site:", "someone
      on a forum wrote:", "my mum's discharge letter says:") earlier in its sentence, and any
      quoted passage of generic phrasing;
    - without quotes, the rest of the sentence after a reading word when it has no
      first-person word ("I read that B12 deficiency can cause psychosis, is that true?"), and
      after a source and a colon ("an insta post: ..."); after "copied / pasted from ...:" the
      rest of the line;
    - a copied list of signs ("signs of B12 deficiency:" then numbered or bulleted lines).
    """
    if not text:
        return []
    data = _reference_data()
    low = _plain_quotes(text)
    spans: list[tuple[int, int]] = []
    introducers = _alternation(data.get("introducers"))
    intro = re.compile(rf"\b(?:{introducers})\b\s*[:,-]?\s*") if introducers else None
    sources = _alternation(data.get("sources"))
    source = re.compile(rf"(?<![a-z])(?:{sources})(?![a-z])") if sources else None
    first_person = data.get("first_person")
    for match in _QUOTED.finditer(low):
        inside = match.group(1) or match.group(2)
        before = _sentence_before(low, match.start())
        introduced = (intro is not None and intro.search(before) is not None) or (
            source is not None and source.search(before) is not None
        )
        inside_words = _word_set(inside)
        # Advice put to "you" in quotation marks is somebody's leaflet or sign, not a report:
        # people do not quote themselves in the second person.
        generic = (
            _cue_count(inside, data.get("cues")) > 0
            or _has_any(inside_words, data.get("second_person"))
        ) and not _has_any(inside_words, first_person)
        if introduced or generic:
            spans.append((match.start(), match.end()))
    if intro is not None:
        for match in intro.finditer(low):
            start = match.end()
            if start < len(low) and re.match(_QUOTES, low[start]):
                continue  # quoted: handled above
            end_match = _SENTENCE_END.search(low, start)
            end = end_match.end() if end_match else len(low)
            if start < end and not _has_any(_word_set(low[start:end]), first_person):
                spans.append((start, end))
    if source is not None:
        colon = re.compile(
            rf"(?<![a-z])(?:{sources})(?![a-z])[^.!?\n:\"']{{0,40}}?"
            rf"(?::|(?<![a-z])(?P<verb>{_alternation(data.get('source_verbs'))})(?![a-z]))[ \t]*"
        )
        for match in colon.finditer(low):
            start = match.end()
            if start >= len(low) or re.match(_QUOTES, low[start]):
                continue  # quoted: handled above
            copied = any(cue in match.group(0) for cue in _COPY_CUES)
            end_match = re.compile(r"\n" if copied else r"[.!?\n]+").search(low, start)
            end = end_match.end() if end_match else len(low)
            if match.group("verb") and _has_any(_word_set(low[start:end]), first_person):
                continue  # "the GP's letter says I have ...": the writer's own
            if start < end:
                spans.append((start, end))
    spans += _list_spans(low, _alternation(data.get("list_headings")), first_person)
    spans += _generic_sentences(low, data)
    return sorted(spans)


def _generic_sentences(low: str, data: dict) -> list[tuple[int, int]]:
    """Sentences that open like a textbook ("Patients may present with ...") and name no one."""
    openers = _alternation(data.get("generic_openers"))
    if not openers:
        return []
    opening = re.compile(rf"\s*(?:{openers})(?![a-z])")
    people = list(data.get("first_person") or ()) + list(data.get("third_person") or ())
    spans: list[tuple[int, int]] = []
    start = 0
    for end_match in [*_SENTENCE_END.finditer(low), None]:
        end = end_match.end() if end_match else len(low)
        if start < end and opening.match(low, start) and not _has_any(
            _word_set(low[start:end]), people
        ):
            spans.append((start, end))
        if end_match is None:
            break
        start = end
    return spans
