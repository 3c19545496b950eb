"""Turn each word into its matching form, and clean raw text without moving offsets.

A person writes "Tingeling", "anaemic", "Pins n needles" or "can’t"; the
knowledge base says "tingling", "anemia", "pins and needles", "can't". Rather
than listing every spelling of every phrase, both sides are reduced to one
matching form per word (kept in ``token.lemma_``): lower case, one spelling
(UK/US and known misspellings from ``patterns/spelling.yml``), singular, and,
for longer words that match nothing, the closest lexicon word one edit away.

The fuzzy step only ever corrects *towards* words of the lexicon, needs the
first letter to agree and skips real words, because a wrong correction
("painting" -> "fainting", "aching" -> "acting", "slight" -> "sight") would
invent or lose a finding. Real words are the whole words of the sentence
encoder's vocabulary (about 21,000 common English words, read from the installed
``tokenizer.json``) and the ``protected`` list.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from functools import lru_cache

from bot.nlu.resources import load_yaml

# Characters that look like an apostrophe or a quote in messages from phones.
_APOSTROPHES = str.maketrans({"\u2019": "'", "\u2018": "'", "\u02bc": "'", "\u00b4": "'", "`": "'"})
_MARKUP = re.compile(r"<[^<>]{0,200}>|&[a-zA-Z]{2,8};|&#\d{1,6};")
_ZERO_WIDTH = re.compile("[\u200b\u200c\u200d\u2060\ufeff]")


def clean_text(text: str) -> str:
    """Replace markup, entities and odd quote characters with same-length text.

    The length never changes, so character offsets found in the cleaned text are
    valid in the message the person sent (Rasa entities point into it).
    """
    cleaned = text.translate(_APOSTROPHES)
    cleaned = _MARKUP.sub(lambda m: " " * len(m.group(0)), cleaned)
    cleaned = _ZERO_WIDTH.sub(" ", cleaned)
    # Fold letters with accents only where that keeps the length ("café" -> "cafe").
    folded = []
    for char in cleaned:
        if ord(char) > 127 and char.isalpha():
            base = unicodedata.normalize("NFKD", char)[0]
            folded.append(base if len(base) == 1 and base.isascii() else char)
        else:
            folded.append(char)
    return "".join(folded)


@lru_cache(maxsize=1)
def _spelling() -> tuple[dict[str, str], frozenset[str], dict[str, str]]:
    data = load_yaml("spelling.yml")
    variants = {str(k).lower(): str(v).lower() for k, v in (data.get("variants") or {}).items()}
    protected = frozenset(str(w).lower() for w in data.get("protected") or ())
    irregular = {
        str(k).lower(): str(v).lower() for k, v in (data.get("irregular_singular") or {}).items()
    }
    return variants, protected, irregular


_NO_SINGULAR_ENDINGS = ("ss", "us", "is", "ous", "sis", "'s", "ics")


def singular(word: str) -> str:
    """A crude singular that is applied to both sides, so it only needs to be consistent."""
    _, _, irregular = _spelling()
    if word in irregular:
        return irregular[word]
    if len(word) < 4 or not word.isalpha() or word.endswith(_NO_SINGULAR_ENDINGS):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s"):
        return word[:-1]
    return word


def base_form(norm: str) -> str:
    """Spelling table, then singular. ``norm`` is spaCy's NORM (lower case, "n't" -> "not")."""
    variants, _, _ = _spelling()
    word = norm.translate(_APOSTROPHES)
    word = variants.get(word, word)
    word = singular(word)
    return variants.get(word, word)


def _deletes(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _damerau1(a: str, b: str) -> bool:
    """True when a and b differ by one insertion, deletion, substitution or swap."""
    if a == b:
        return False
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    short, long_ = (a, b) if la < lb else (b, a)
    return any(long_[:i] + long_[i + 1 :] == short for i in range(len(long_)))


@lru_cache(maxsize=1)
def known_words() -> frozenset[str]:
    """Common English words, never "corrected": the whole-word entries of the sentence
    encoder's WordPiece vocabulary (uncased, so lower case). A typo such as "numbess" or
    "tingeling" is not one of them. Empty when the encoder is not installed (then only
    ``protected`` guards real words)."""
    import json

    from bot.encoder.files import default_dir

    path = default_dir() / "tokenizer.json"
    try:
        vocab = json.loads(path.read_text(encoding="utf-8"))["model"]["vocab"]
    except (OSError, ValueError, KeyError, TypeError):
        return frozenset()
    return frozenset(w for w in vocab if w.isascii() and w.isalpha())


class Speller:
    """Fuzzy correction of unknown words towards a fixed vocabulary (the lexicon's words).

    Built once per pipeline; corrections are cached, so a word is looked up once.
    """

    MIN_LENGTH = 6

    def __init__(self, vocabulary: Iterable[str]) -> None:
        _, protected, _ = _spelling()
        self._protected = protected | known_words()
        self._vocab = frozenset(w for w in vocabulary if w.isalpha())
        self._by_delete: dict[str, set[str]] = {}
        for word in self._vocab:
            if len(word) < self.MIN_LENGTH - 1:
                continue
            for key in _deletes(word) | {word}:
                self._by_delete.setdefault(key, set()).add(word)
        self.correct = lru_cache(maxsize=20000)(self._correct)

    def _correct(self, word: str) -> str:
        if (
            word in self._vocab
            or len(word) < self.MIN_LENGTH
            or not word.isalpha()
            or word in self._protected
        ):
            return word
        candidates: set[str] = set()
        for key in _deletes(word) | {word}:
            candidates |= self._by_delete.get(key, set())
        matches = sorted(
            c
            for c in candidates
            if c[0] == word[0] and len(c) >= self.MIN_LENGTH - 1 and _damerau1(word, c)
        )
        if len(matches) == 1:
            return matches[0]
        return word

    def __call__(self, norm: str) -> str:
        return self.correct(base_form(norm))
