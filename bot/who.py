"""Who the check is for: the question that asks, and what its answer changes.

Asked first, before any other question, when the writer has described someone
else's symptoms and not said whose check this is ("he can't walk since
yesterday"). Ada, Buoy and the NHS online triage ask it at the start; here it is asked
only when the words leave it open, because most people write about themselves.
"""

from __future__ import annotations

from dataclasses import replace

from bot.findings import PRONOUNS, SELF, Findings, Subject
from bot.people import relation
from bot.person_words import PersonWords, for_person
from bot.wording import text

QUESTION_ID = "subject"
SOMEONE_ELSE = "someone"  # the relation key of people.yml for "someone else"
UNSURE = "unsure"


def subject_named(person: str) -> Subject:
    """The Subject for ``person`` as the language layer names people (Mention.person)."""
    if person in ("", SELF):
        return Subject()
    if person in PRONOUNS:
        return Subject(relation=person, pronoun=person)
    known = relation(person)
    if known is None:
        return Subject(relation=person, pronoun="they")
    return Subject(relation=known.key, pronoun=known.pronoun, blood=known.blood)


def settle(findings: Findings, person: str) -> Findings:
    """``findings`` for a check of ``person``: what was said of them while it was open
    becomes theirs, and a relation that says their sex ("my dad") says it here too."""
    subject = subject_named(person)
    settled = findings.for_subject(subject)
    known = relation(subject.relation) if not subject.is_self else None
    if known is not None and known.sex and settled.sex is None:
        settled = replace(settled, sex=known.sex)
    return settled


def person_words(subject: Subject | None) -> PersonWords | None:
    """The words that name the checked person in texts, or None for the writer."""
    if subject is None or subject.is_self:
        return None
    return PersonWords.of(subject.relation, pronoun=subject.pronoun)


def _for_label(person: str) -> str:
    """"For my dad", "For him": how the writer would say it."""
    if person == SOMEONE_ELSE:
        return text("who_for_someone_else")
    words = PersonWords.of(person)
    if person in PRONOUNS:
        return f"For {words.them}"
    return "For " + words.person.replace("your ", "my ", 1)


def who_question(findings: Findings) -> tuple[str, tuple[tuple[str, str], ...]] | None:
    """The question's words and its options (value, label), or None when it is settled."""
    named = findings.someone_else_named()
    if not named or QUESTION_ID in findings.asked:
        return None
    options = [(SELF, text("who_for_me"))]
    options += [(person, _for_label(person)) for person in named]
    return text("who_for_question"), tuple(options)


def apply_who(findings: Findings, answer: str) -> Findings:
    """Settle who the check is for. "Not sure" keeps the writer, the safe default for
    whose symptoms are scored, and the question is not asked again."""
    asked = findings.asked | {QUESTION_ID}
    if answer in (UNSURE, ""):
        return replace(settle(findings, SELF), asked=asked)
    named = findings.someone_else_named()
    if answer == SOMEONE_ELSE and len(named) == 1:
        answer = named[0]
    return replace(settle(findings, answer), asked=asked)


def worded_for(findings: Findings, own: str, other: str) -> str:
    """``own`` when the writer is checked, else ``other`` filled for the checked person."""
    words = person_words(findings.subject)
    return own if words is None else for_person(other, words)
