"""What the extractor found, in the evaluation sets' notation, for tests to compare against.

``id`` present, ``id!`` absent, ``id?`` unknown, ``past:id`` past-only; with ``family``,
``fam:id`` for a blood relative's; with ``others``, ``other:id`` for someone named who is not
a blood relative (a partner, a friend); with ``with_person``, ``id@person`` as well.
"""

from __future__ import annotations

from bot.findings import Status
from bot.nlu.entities import extraction_to_entities, reports_red_flag_now
from bot.nlu.reading import extract

PRONOUNS_AND_WRITER = ("", "self", "he", "she", "they")


def found(
    text: str, *, family: bool = True, others: bool = False, with_person: bool = False
) -> set[str]:
    out = set()
    for m in extract(text).mentions:
        name = m.id
        if m.past:
            name = f"past:{name}"
        elif m.status is Status.ABSENT:
            name = f"{name}!"
        elif m.status is Status.UNKNOWN:
            name = f"{name}?"
        if family and m.family:
            name = f"fam:{name}"
        elif others and m.person not in PRONOUNS_AND_WRITER:
            name = f"other:{name}"
        out.add(name)
        if with_person and m.person:
            out.add(f"{name}@{m.person}")
    return out


def red_flags_now(text: str) -> list[str]:
    """Whose red flags the words report now (the rule that announces emergencies)."""
    return reports_red_flag_now(extraction_to_entities(extract(text)))
