"""Who a message can be about besides the writer: relations and their words, as data.

``bot/knowledge/data/people.yml`` is the one home of relation words. The language layer
writes its ConText FAMILY / OTHER_PERSON triggers from it (``bot.nlu.context_rules``) and
puts the relation key into ``Mention.person``; the core uses :func:`relation` to word a
question about that person ("your dad", "she"). This module reads YAML only (no spaCy), so
the core can import it cheaply.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

PEOPLE_FILE = Path(__file__).resolve().parent / "knowledge" / "data" / "people.yml"
SEXES = ("female", "male")
PRONOUNS = ("he", "she", "they")
# Words that may stand before a relation word without changing who it is ("my mum").
_LEADING = ("my ", "our ", "a ", "the ", "his ", "her ", "their ")


class PeopleError(ValueError):
    """people.yml is malformed: a typo there must fail at start-up, not mislabel a person."""


@dataclass(frozen=True)
class Relation:
    """One kind of person a message can be about.

    ``blood`` says whether their findings are family history; ``sex`` is None when the
    word does not say; ``pronoun`` is how to refer to them ("he", "she", "they").
    """

    key: str
    sex: str | None
    blood: bool
    pronoun: str
    words: tuple[str, ...]
    # The words to call them by in a text ("dad" for "your dad"), the first the default;
    # empty: they are "the person you're asking for".
    say: tuple[str, ...] = ()


def normal_words(text: str) -> str:
    """The form words are compared in: lower case, "-" as a space, one space between words,
    a straight apostrophe ("Father-in-law" -> "father in law")."""
    text = text.lower().replace("\u2019", "'").replace("-", " ")
    return re.sub(r"\s+", " ", text).strip()


@dataclass(frozen=True)
class People:
    relations: dict[str, Relation]
    by_word: dict[str, str]
    animals: frozenset[str]
    unnamed: str = "the person you're asking for"
    pronoun_forms: dict[str, dict[str, str]] = field(default_factory=dict)


def _relation(key: str, raw: Any) -> Relation:
    if not isinstance(raw, dict):
        raise PeopleError(f"people.yml: relation {key!r} must be a mapping")
    unknown = set(raw) - {"sex", "blood", "pronoun", "words", "say"}
    if unknown:
        raise PeopleError(f"people.yml: relation {key!r} has unknown keys {sorted(unknown)}")
    sex = raw.get("sex")
    if sex is not None and sex not in SEXES:
        raise PeopleError(f"people.yml: relation {key!r}: sex must be one of {SEXES} or null")
    if not isinstance(raw.get("blood"), bool):
        raise PeopleError(f"people.yml: relation {key!r}: blood must be true or false")
    if raw.get("pronoun") not in PRONOUNS:
        raise PeopleError(f"people.yml: relation {key!r}: pronoun must be one of {PRONOUNS}")
    words = tuple(normal_words(str(w)) for w in raw.get("words") or ())
    if not words:
        raise PeopleError(f"people.yml: relation {key!r} has no words")
    say = tuple(" ".join(str(w).lower().split()) for w in raw.get("say") or ())
    return Relation(key, sex, raw["blood"], raw["pronoun"], words, say)


def parse_people(data: Any) -> People:
    """Validate the parsed YAML; a word may belong to one relation only."""
    if not isinstance(data, dict) or not isinstance(data.get("relations"), dict):
        raise PeopleError("people.yml: a `relations` mapping is required")
    relations = {str(k): _relation(str(k), v) for k, v in data["relations"].items()}
    by_word: dict[str, str] = {}
    for relation in relations.values():
        for word in relation.words:
            if word in by_word and by_word[word] != relation.key:
                raise PeopleError(
                    f"people.yml: {word!r} belongs to both {by_word[word]!r} and {relation.key!r}"
                )
            by_word[word] = relation.key
    animals = frozenset(normal_words(str(w)) for w in data.get("animals") or ())
    clash = sorted(animals & set(by_word))
    if clash:
        raise PeopleError(f"people.yml: {clash} are both animals and relations")
    forms = data.get("pronoun_forms") or {}
    if set(forms) != set(PRONOUNS) or any(
        not isinstance(f, dict) or set(f) != {"them", "their", "they"} for f in forms.values()
    ):
        raise PeopleError(
            f"people.yml: pronoun_forms must give them/their/they for each of {PRONOUNS}"
        )
    unnamed = data.get("unnamed")
    if not isinstance(unnamed, str) or not unnamed.strip():
        raise PeopleError("people.yml: `unnamed` must be a non-empty text")
    return People(relations, by_word, animals, unnamed.strip(), forms)


@lru_cache(maxsize=1)
def load_people() -> People:
    """people.yml, read and checked once per process."""
    with PEOPLE_FILE.open(encoding="utf-8") as handle:
        return parse_people(yaml.safe_load(handle))


def relation(key: str) -> Relation | None:
    """The relation with this key ("father"), or None."""
    return load_people().relations.get(key)


def relations() -> tuple[Relation, ...]:
    return tuple(load_people().relations.values())


# "my 14 year old", "our 3yo": a child named by age
_AGED_CHILD = re.compile(r"^\d{1,2} ?(?:years? old|yrs? old|yo|y o|month old|months old|week old)$")


def _lookup(words: str, table: dict[str, str] | frozenset[str]) -> str | None:
    form = normal_words(words)
    while form:
        if _AGED_CHILD.match(form) and "child" in table:
            return "child"
        if form in table:
            return form
        if form.endswith(" 's") or form.endswith(" s"):
            form = form.rsplit(" ", 1)[0]
            continue
        if form.endswith("'s"):
            form = form[:-2]
            continue
        lead = next((p for p in _LEADING if form.startswith(p)), None)
        if lead is None:
            return None
        form = form[len(lead) :]
    return None


def relation_of(words: str) -> Relation | None:
    """The relation a word or phrase names ("Dad", "my father-in-law", "mum's"), or None."""
    people = load_people()
    found = _lookup(words, people.by_word)
    return people.relations[people.by_word[found]] if found else None


def is_animal(words: str) -> bool:
    """Whether the word names an animal ("our cat"): never a person."""
    return _lookup(words, load_people().animals) is not None


def blood_words() -> tuple[str, ...]:
    """Every word of a blood relative (ConText FAMILY triggers)."""
    return tuple(w for r in relations() if r.blood for w in r.words)


def other_words() -> tuple[str, ...]:
    """Every word of someone who is not a blood relative (ConText OTHER_PERSON triggers)."""
    return tuple(w for r in relations() if not r.blood for w in r.words)


def animal_words() -> tuple[str, ...]:
    return tuple(sorted(load_people().animals))
