"""Negation, family, past and hypothetical context in patient language.

Each case is a message a person could send and what the assistant must understand
from it; the red-flag cases are the ones where a mistake sends someone away who
needed help, or frightens someone who did not.
"""

from __future__ import annotations

import pytest

from bot.findings import Status
from bot.nlu.reading import extract


def _states(text: str) -> dict[str, tuple[str, bool, bool]]:
    return {m.id: (m.status.value, m.family, m.past) for m in extract(text).mentions}


@pytest.mark.parametrize(
    "text, fid, expected",
    [
        ("no chest pain tho", "chest_pain", ("absent", False, False)),
        ("No chest pain; my feet tingle", "paresthesia", ("present", False, False)),
        ("no chest pain but my feet tingle", "paresthesia", ("present", False, False)),
        ("no chest pain\nfeet tingle", "paresthesia", ("present", False, False)),
        ("no tingling, just tired", "fatigue", ("present", False, False)),
        ("I don't get pins and needles", "paresthesia", ("absent", False, False)),
        ("dont get pins n needles", "paresthesia", ("absent", False, False)),
        ("haven't had any chest pain", "chest_pain", ("absent", False, False)),
        ("never had chest pain", "chest_pain", ("absent", False, False)),
        ("chest pain? no", "chest_pain", ("absent", False, False)),
        ("mum had pernicious anaemia", "pernicious_anaemia", ("present", True, False)),
        ("my nan had pernicious anemia", "pernicious_anaemia", ("present", True, False)),
        ("mum had pernicious anaemia, I'm vegan", "vegan_diet", ("present", False, False)),
        ("my vegan sister", "vegan_diet", ("present", True, False)),
        ("I used to be vegan", "vegan_diet", ("absent", False, True)),
        ("vegan years ago, not anymore", "vegan_diet", ("absent", False, True)),
        ("I was vegan but not anymore", "vegan_diet", ("absent", False, True)),
        ("stopped metformin years ago", "metformin", ("absent", False, True)),
        ("no longer on omeprazole", "ppi", ("absent", False, True)),
        ("had a gastric bypass years ago", "gastric_surgery", ("present", False, False)),
        (
            "worried I might have pernicious anaemia",
            "pernicious_anaemia",
            ("unknown", False, False),
        ),
        ("what if I get chest pain", "chest_pain", ("unknown", False, False)),
        ("maybe some tingling, not sure", "paresthesia", ("unknown", False, False)),
        ("it's not that I'm not tired", "fatigue", ("present", False, False)),
    ],
)
def test_context(text, fid, expected):
    assert _states(text).get(fid) == expected


def test_pescatarian_is_not_vegetarian():
    ids = {m.id for m in extract("I'm pescatarian").mentions}
    assert "vegetarian_diet" not in ids and "pescatarian_diet" in ids


def test_partner_finding_is_kept_as_the_partners():
    (mention,) = extract("my husband is vegan").mentions
    assert (mention.id, mention.person, mention.family) == ("vegan_diet", "husband", False)


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain",
        "I do not have chest pain",
        "chest pain - no",
        "never passed out",
        "I haven't passed out",
        "no thoughts of ending my life",
        "I'm not suicidal",
        "no chest pain, no shortness of breath, can walk fine",
        "haven't lost control of my bladder",
        "nope, no chest pain at all",
    ],
)
def test_negated_red_flags_never_present(text, red_flag_ids):
    result = extract(text)
    flagged = [m for m in result.mentions if m.id in red_flag_ids]
    assert flagged, "the red flag should still be recognised (as absent)"
    assert all(m.status is not Status.PRESENT for m in flagged)


@pytest.mark.parametrize(
    "text, fid",
    [
        ("I have chest pain", "chest_pain"),
        ("I can't breathe", "severe_breathlessness"),
        ("passed out this morning", "fainting"),
        ("I can't feel my legs", "rapid_leg_weakness"),
        ("I wet myself and didn't notice", "bladder_bowel_loss"),
        ("sudden loss of vision", "sudden_vision_loss"),
        ("I want to end my life", "suicidal_thoughts"),
        ("no tingling but chest pain since this morning", "chest_pain"),
        ("i cant walk properly anymore", "rapid_leg_weakness"),
        ("I don't want to live anymore", "suicidal_thoughts"),
    ],
)
def test_present_red_flags(text, fid):
    assert _states(text).get(fid) == ("present", False, False)


@pytest.mark.parametrize(
    "text, present",
    [
        ("bought balloons for my son's party", False),
        ("I do balloons most weekends", True),
        ("did a lot of nangs", True),
    ],
)
def test_nitrous_slang_needs_context(text, present):
    assert ("nitrous_oxide" in _states(text)) is present
