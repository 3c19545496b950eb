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

_QUOTES = r"[\"\u201c\u201d\u2018\u2019']"
_QUOTED = re.compile(
    r"[\"\u201c\u2018]([^\"\u201c\u201d\u2018\u2019]{3,}?)[\"\u201d\u2019]"
    # 'single quotes', told apart from apostrophes by what stands around them
    r"|(?<![a-z])'([^']{3,}?)'(?![a-z])"
)
_SENTENCE_END = re.compile(r"[.!?\n]+")


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
    low = text.lower().replace("\u2019", "'")
    sentences = [s for s in _SENTENCE_END.split(low) if len(s.split()) >= 3]
    if len(sentences) < int(data.get("min_sentences", 2)):
        return False
    words = _word_set(low)
    if _has_any(words, data.get("first_person")) or _has_any(words, data.get("third_person")):
        return False
    cues = _cue_count(low, data.get("cues")) + len(re.findall(r"\[\d+\]", low))
    needed = 2 if _has_any(words, data.get("second_person")) else 1
    return cues >= needed


def reference_spans(text: str | None) -> list[tuple[int, int]]:
    """Character ranges of reference text inside a message: text in quotation marks after a
    reading word ("it says", "the leaflet says", "I read"), or after such a word without
    quotes the rest of its sentence ("I read that B12 deficiency can cause psychosis, is that
    true?") when it has no first-person word; and any quoted passage of generic phrasing."""
    if not text:
        return []
    data = _reference_data()
    low = text.lower().replace("\u2019", "'")
    spans: list[tuple[int, int]] = []
    introducers = sorted((str(w).lower() for w in data.get("introducers") or ()), key=len)
    intro = re.compile(
        r"\b(?:" + "|".join(re.escape(w) for w in reversed(introducers)) + r")\b\s*[:,-]?\s*"
    ) if introducers else None
    first_person = data.get("first_person")
    for match in _QUOTED.finditer(low):
        inside = match.group(1) or match.group(2)
        before = low[max(0, match.start() - 40) : match.start()]
        introduced = intro is not None and intro.search(before) is not None
        generic = _cue_count(inside, data.get("cues")) > 0 and not _has_any(
            _word_set(inside), first_person
        )
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
    return sorted(spans)
