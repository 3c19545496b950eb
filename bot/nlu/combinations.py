"""Red flags that are two findings together: a racing heart with dizziness, numbness that is
getting worse day by day. Each half alone is an ordinary symptom; said together of the same
person, now, they are the red flag (``combinations`` in ``patterns/finding_traits.yml``,
with the clinical source there).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import lru_cache

from bot.findings import Mention, Status
from bot.nlu.resources import load_yaml

_WRITER = ("", "self")
_PRONOUNS = ("he", "she", "they")


@lru_cache(maxsize=1)
def combinations() -> tuple[tuple[str, tuple[frozenset[str], ...]], ...]:
    """(red flag, the sets of findings any one of which, all present together, makes it)."""
    data = (load_yaml("finding_traits.yml") or {}).get("combinations") or {}
    return tuple(
        (str(red_flag), tuple(frozenset(str(i) for i in group) for group in groups or ()))
        for red_flag, groups in data.items()
    )


def _same_person(a: str, b: str) -> bool:
    if a in _WRITER or b in _WRITER:
        return a in _WRITER and b in _WRITER
    return a == b or a in _PRONOUNS or b in _PRONOUNS


def combined_red_flags(
    mentions: list[Mention], over: Callable[[Mention], bool] = lambda _m: False
) -> list[Mention]:
    """The red flags the message's current findings make together, one per person, each
    spanning the words of its parts. ``over`` says a part was told as over or in the past
    ("room spinning and heart pounding in March, nothing since"): such a part makes nothing,
    because a red flag read from two ordinary symptoms must not outlive their time."""
    current = [
        m
        for m in mentions
        if m.status is Status.PRESENT and not m.past and not m.hypothetical and not over(m)
    ]
    found: list[Mention] = []
    for red_flag, groups in combinations():
        for anchor in current:
            if any(m.id == red_flag and _same_person(m.person, anchor.person) for m in mentions):
                continue
            if any(f.id == red_flag and _same_person(f.person, anchor.person) for f in found):
                continue
            for group in groups:
                if anchor.id not in group:
                    continue
                parts = [
                    next(
                        (m for m in current if m.id == i and _same_person(m.person, anchor.person)),
                        None,
                    )
                    for i in sorted(group)
                ]
                if all(parts):
                    first = min(parts, key=lambda m: m.start)
                    last = max(parts, key=lambda m: m.end)
                    named = [p.person for p in parts if p.person not in _PRONOUNS]
                    person = named[0] if named else anchor.person
                    found.append(
                        replace(
                            first,
                            id=red_flag,
                            person=person,
                            text=" … ".join(p.text for p in sorted(parts, key=lambda m: m.start)),
                            start=first.start,
                            end=last.end,
                        )
                    )
                    break
    return found
