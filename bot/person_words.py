"""Words for the person a check is for, when that is not the writer.

Many people use the checker for someone else (a parent, a partner, a child). The
knowledge base therefore holds, next to each text said to the person checked
("Do you have any chest pain ...?"), a variant for someone checked on another's
behalf ("Does {person} have any chest pain ...?"). This module fills those
variants. It is pure (no dialogue state, no Rasa): the dialogue decides who the
check is for and passes the words in.

Placeholders (see docs/knowledge-base.md, "Wording for someone else"):

``{person}``  your dad, your wife, the person you're asking for
``{Person}``  the same, capitalised at the start of a sentence
``{them}``    him, her, them
``{their}``   his, her, their
``{they}``    he, she, they (never followed by a verb that must agree with it)

The names come from ``bot/knowledge/data/people.yml`` (its ``say`` words): a relation key
("father") gives a pronoun and the words a writer may use for that person; the
writer's own word is used only when it is one of them, so a name or a typo never
reaches a message.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from bot.people import load_people

# Every placeholder that names the person checked; the knowledge loader refuses others.
PERSON_PLACEHOLDERS = ("person", "Person", "them", "their", "they")
# The ones that name the person (rather than refer back to them with a pronoun).
NAMING_PLACEHOLDERS = ("person", "Person")
PRONOUNS = ("he", "she", "they")
SELF = "self"

_PLACEHOLDER = re.compile(r"\{([A-Za-z_]+)\}")
# What a relation word may look like: a few plain lower-case words ("mother-in-law").
_WORD = re.compile(r"^[a-z]+(?:[ -][a-z]+){0,3}$")
_LEADING = re.compile(r"^(?:my|our|the|your)\s+")


@dataclass(frozen=True)
class PersonTable:
    """How to name each relation, from ``people.yml``."""

    unnamed: str
    pronouns: dict[str, dict[str, str]]
    relations: dict[str, tuple[str, tuple[str, ...]]]  # key -> (pronoun, words)

    def spelling(self, word: str, relation: str | None = None) -> str | None:
        """The table's spelling of the writer's ``word`` ("mother in law" ->
        "mother-in-law"), among ``relation``'s words or any relation's; None if unknown."""
        if not word:
            return None
        if relation is None:
            pools = [words for _, words in self.relations.values()]
        else:
            pools = [self.relations[relation][1]]
        return next((w for pool in pools for w in pool if _compare_form(w) == word), None)


@lru_cache(maxsize=1)
def person_table() -> PersonTable:
    """The naming table, from ``people.yml`` (the one home of relation words): each
    relation's ``say`` words, the pronoun forms and the name for someone unnamed."""
    people = load_people()
    relations = {
        r.key: (r.pronoun, r.say) for r in people.relations.values() if r.say
    }
    return PersonTable(
        unnamed=people.unnamed, pronouns=people.pronoun_forms, relations=relations
    )


def _compare_form(word: str) -> str:
    """The form words are compared in: lower case, "-" as a space, single spaces."""
    return " ".join(word.lower().replace("\u2019", "'").replace("-", " ").split())


def _clean_word(word: str | None) -> str:
    """The writer's word in compared form, without "my" ("My Mam" -> "mam"), or ""."""
    if not word:
        return ""
    cleaned = _LEADING.sub("", _compare_form(word))
    return cleaned if _WORD.match(cleaned) else ""


def _capitalise(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class PersonWords:
    """The words that fill a text written for someone checked on another's behalf.

    Field names are the placeholders themselves, so filling is a lookup.
    """

    person: str
    Person: str  # capitalised, as the placeholder is spelled in the texts
    them: str
    their: str
    they: str

    @classmethod
    def of(
        cls, subject: str, word: str | None = None, pronoun: str | None = None
    ) -> PersonWords:
        """Words for ``subject``: a relation key of the table ("father") or a pronoun.

        ``word`` is what the writer called them ("mam"); it is used when the table
        knows it, otherwise the relation's own word is. ``pronoun`` overrides the
        relation's (a partner the writer calls "she"). A pronoun-only subject, or a
        relation the table does not know, is "the person you're asking for" unless
        the writer's word is a known one. ``"self"`` has no such words: texts for the
        writer are the originals, not the variants.
        """
        if subject == SELF:
            raise ValueError("the writer is addressed with the original texts, not variants")
        table = person_table()
        own = _clean_word(word)
        if subject in table.relations:
            default_pronoun, words = table.relations[subject]
            name = f"your {table.spelling(own, subject) or words[0]}"
        else:
            default_pronoun = subject if subject in PRONOUNS else "they"
            known = table.spelling(own)
            name = f"your {known}" if known else table.unnamed
        chosen = pronoun if pronoun in PRONOUNS else default_pronoun
        forms = table.pronouns[chosen]
        return cls(
            person=name,
            Person=_capitalise(name),
            them=forms["them"],
            their=forms["their"],
            they=forms["they"],
        )

    def placeholders(self) -> dict[str, str]:
        return {name: getattr(self, name) for name in PERSON_PLACEHOLDERS}


def for_person(template: str, words: PersonWords, keep: Iterable[str] = ()) -> str:
    """``template`` with every person placeholder filled from ``words``.

    ``keep`` names placeholders left for the sender to fill (as in
    ``bot.services.fill``). Anything else in braces is an error rather than text
    passed through, so "{thier}" can never reach someone reading about their dad.
    """
    values = words.placeholders()
    kept = frozenset(keep)

    def one(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in values:
            return values[name]
        if name in kept:
            return match.group(0)
        raise KeyError(f"unknown placeholder {{{name}}} in: {template[:80]!r}")

    return _PLACEHOLDER.sub(one, template)


def worded(own: str, other: str, words: PersonWords | None) -> str:
    """The text for whoever is checked: ``own`` for the writer (``words`` None),
    ``other`` filled for someone else. One call site per text keeps the choice
    in one place."""
    return own if words is None else for_person(other, words)
