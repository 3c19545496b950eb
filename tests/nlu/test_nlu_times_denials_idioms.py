"""Past times, everyday denials and idioms: words that name a red flag or a symptom without
reporting it now, and the same words with a present clause, which still do.

Notation of the expected findings (as in ``test_nlu_categories.py``): ``id`` present,
``id!`` absent (denied), ``id?`` unknown, ``past:id`` past-only.
"""

from __future__ import annotations

import datetime

import pytest

from bot.findings import Status
from bot.nlu.context_rules import expand_pattern, past_years
from bot.nlu.lexicon import idiom_rules
from bot.nlu.reading import extract

from .notation import found, red_flags_now


def _found(text: str) -> set[str]:
    return found(text, family=False)


_red_flags_now = red_flags_now


# ------------------------------------------------------------------ past times
# A red flag dated by a year, a named day or season, or an episode of life that is over, and
# often closed by a resolution ("fine since", "all tests clear").
PAST_RED_FLAGS = [
    ("fainted once in 2019 when I had flu, fine since", {"past:fainting"}),
    ("had chest pain back in 2021, got checked, all tests clear", {"past:chest_pain"}),
    ("collapsed years ago (2008) and I've been fine", {"past:fainting"}),
    ("blacked out (2015) but nothing since", {"past:fainting"}),
    ("passed out in 2017 at a wedding", {"past:fainting"}),
    ("I had crushing chest pain in 2016", {"past:chest_pain"}),
    ("back in 2020 I passed out at work", {"past:fainting"}),
    ("passed out on Boxing Day after too much wine, totally back to normal now", {"past:fainting"}),
    ("had chest pain at Christmas, troponin negative, discharged", {"past:chest_pain"}),
    ("chest pain in September, turned out to be anxiety", {"past:chest_pain", "anxiety"}),
    ("fainted last summer in the heat", {"past:fainting"}),
    ("I blacked out last winter", {"past:fainting"}),
    ("passed out at Easter and I've been fine", {"past:fainting"}),
    ("collapsed on New Year's Eve, fine since", {"past:fainting"}),
    ("back in March I fainted in the queue", {"past:fainting"}),
    ("passed out once when I had flu", {"past:fainting"}),
    ("I fainted during my pregnancy", {"past:fainting"}),
    ("collapsed on the ward after my op", {"past:fainting"}),
    ("blood in my poo after my op two years ago, fine since", {"past:gi_bleeding"}),
    ("I blacked out when I was in hospital", {"past:fainting"}),
    ("fainted at my wedding, fine ever since", {"past:fainting"}),
    ("had chest pain, went to A&E, all tests came back clear", {"past:chest_pain"}),
    ("chest pain a while back, ECG was normal, sent home", {"past:chest_pain"}),
    ("passed out once at a gig, turned out I was dehydrated", {"past:fainting"}),
    ("fainted in the summer of 2018, nothing since", {"past:fainting"}),
    # A state that frames the time: the phrase is kept though it contains the state's words.
    ("when I was pregnant I fainted", {"past:fainting"}),
    ("I fainted when I was pregnant with my second", {"past:fainting"}),
    ("when i was breastfeeding i blacked out once", {"past:fainting"}),
    # A negated return closes the episode: "never since", "not again".
    ("I blacked out once at a gig back in 2015, never since", {"past:fainting"}),
    ("had chest pain in 2020, never again", {"past:chest_pain"}),
    ("fainted at Christmas, not since", {"past:fainting"}),
]


@pytest.mark.parametrize(
    "text",
    ["when I was pregnant I fainted", "when I was pregnant with my son my feet tingled"],
)
def test_a_pregnancy_that_frames_a_past_episode_is_not_a_pregnancy_now(text: str) -> None:
    assert extract(text).pregnant is None


@pytest.mark.parametrize(
    "text", ["I am pregnant and I fainted today", "pregnant and fainted this morning"]
)
def test_a_pregnancy_now_with_a_red_flag_now_is_both(text: str) -> None:
    extraction = extract(text)
    assert extraction.pregnant is Status.PRESENT
    assert _red_flags_now(text)
    assert "fainting" in _found(text)


@pytest.mark.parametrize(("text", "expected"), PAST_RED_FLAGS)
def test_a_red_flag_told_with_a_past_time_is_past(text: str, expected: set[str]) -> None:
    assert not _red_flags_now(text), text
    assert expected <= _found(text), (text, _found(text))


# Ordinary findings with a past time or a resolution are past too.
PAST_FINDINGS = [
    ("took omeprazole for a month about 5 years ago, nothing since", {"past:ppi"}),
    ("took metformin for a couple of weeks some years back", {"past:metformin"}),
    ("had pins and needles in 2019, fine since", {"past:paresthesia"}),
    ("I was vegan in 2012", {"past:vegan_diet"}),
    ("dizzy spells during my pregnancy, back to normal now", {"past:dizziness"}),
    ("had headaches last summer", {"past:headache"}),
    ("was on lansoprazole for a year in 2015", {"past:ppi"}),
    # endings said after the thing that ended
    ("was given metformin for my PCOS, came off it in 2019", {"past:metformin"}),
    ("did balloons most weekends but stopped in the spring", {"past:nitrous_oxide"}),
    ("I was pescatarian until 2022, now I eat everything", {"past:pescatarian_diet"}),
    ("finished my course of b12 injections in march", {"past:b12_supplements"}),
    ("they found h pylori and treated it", {"past:h_pylori"}),
]


@pytest.mark.parametrize(("text", "expected"), PAST_FINDINGS)
def test_an_ordinary_finding_with_a_past_time_is_past(text: str, expected: set[str]) -> None:
    assert expected <= _found(text), (text, _found(text))


# ------------------------------------------------------------------ denials in ordinary words
DENIALS = [
    ("my chest is fine", {"chest_pain!"}),
    ("chest's fine", {"chest_pain!"}),
    ("my chest feels ok", {"chest_pain!"}),
    ("I don't faint", {"fainting!"}),
    ("I never faint", {"fainting!"}),
    ("they're not giving way or anything", {"rapid_leg_weakness!"}),
    ("my legs are fine", {"rapid_leg_weakness!"}),
    ("I have none of those", set()),
    ("no bruising or bleeding at all", {"unexplained_bruising!", "unusual_bleeding!"}),
    ("vision's fine", {"sudden_vision_loss!"}),
    ("my eyesight is ok", {"sudden_vision_loss!"}),
    ("breathing is fine", {"severe_breathlessness!"}),
    ("breathing's ok, just tired", {"severe_breathlessness!", "fatigue"}),
    ("no trouble breathing", {"severe_breathlessness!"}),
    ("no sudden weakness in my legs", {"weakness!"}),
    ("no chest pain, no fainting, nothing like that", {"chest_pain!", "fainting!"}),
]


@pytest.mark.parametrize(("text", "expected"), DENIALS)
def test_a_denial_in_ordinary_words_is_absent(text: str, expected: set[str]) -> None:
    assert not _red_flags_now(text), text
    found = _found(text)
    assert expected <= found, (text, found)
    denied = {e.rstrip("!") for e in expected if e.endswith("!")}
    present = {m.id for m in extract(text).mentions if m.status is Status.PRESENT}
    assert not denied & present, (text, found)


# ------------------------------------------------------------------ idioms
IDIOMS = [
    "that view took my breath away",
    "the sunset took her breath away",
    "the car is bleeding money",
    "this boiler is bleeding us dry",
    "just a bruised ego",
    "my pride was a bit bruised",
    "collapsed on the sofa after a shift",
    "collapsed into bed after a long shift",
    "I just collapse into bed every night",
    "dying to know my results",
    "work is killing me",
    "this commute is killing me",
    "my heart was in my mouth",
    "got blind drunk at the weekend",
    "sick of waiting for the GP",
    "can't stand him",
    "my boss is a pain in the neck",
    "my heart sank when I saw the letter",
    "I lost my head at the kids",
    "I nearly wet myself laughing",
]


@pytest.mark.parametrize("text", IDIOMS)
def test_an_idiom_reports_no_red_flag(text: str) -> None:
    assert not _red_flags_now(text), (text, _found(text))
    assert not any(m.status is Status.PRESENT for m in extract(text).mentions), (
        text,
        _found(text),
    )


def test_an_idiom_keeps_the_rest_of_the_message() -> None:
    assert _found("sick of feeling tired") == {"fatigue"}
    assert _found("work is killing me and I'm exhausted") == {"fatigue"}


@pytest.mark.parametrize(
    "text", ["dead on my feet every day", "I'm dead on my feet by lunchtime", "asleep on my feet"]
)
def test_dead_on_my_feet_is_tiredness(text: str) -> None:
    assert _found(text) == {"fatigue"}
    assert not _red_flags_now(text)


# ------------------------------------------------------------------ counter-examples: now
# The same words with a present clause, or without the saying, still report now.
STILL_NOW = [
    ("fainted this morning and still dizzy", "fainting"),
    ("fainted in 2019 and again this morning", "fainting"),
    ("passed out in 2019 and again today", "fainting"),
    ("blacked out at Christmas and again yesterday", "fainting"),
    ("I fainted this morning", "fainting"),
    ("my dad collapsed on the sofa and won't wake up", "fainting"),
    ("she collapsed in the kitchen", "fainting"),
    ("my chest is killing me", "chest_pain"),
    ("breathing is fine but my chest is really tight", "chest_pain"),
    ("chest pain right now, it started an hour ago", "chest_pain"),
    ("I can't breathe", "severe_breathlessness"),
    ("tests were clear last year but now I've got crushing chest pain", "chest_pain"),
    ("collapsed at work today, first time since 2019", "fainting"),
    ("he fainted and is on the floor", "fainting"),
    ("passed out in the shower", "fainting"),
    ("my husband collapsed on the ward just now", "fainting"),
    ("I'm dying, the chest pain is unbearable", "chest_pain"),
    ("chest pain, discharged from hospital yesterday but it's back", "chest_pain"),
    ("had chest pain, all tests clear, but it came back tonight", "chest_pain"),
    ("chest pain in 2019 and have chest pain now", "chest_pain"),
    ("my mum just collapsed on the ward", "fainting"),
    ("chest pain last summer and it's come back", "chest_pain"),
    ("blacked out in September and it's getting worse", "fainting"),
]


@pytest.mark.parametrize(("text", "red_flag"), STILL_NOW)
def test_a_present_clause_still_reports_now(text: str, red_flag: str) -> None:
    assert _red_flags_now(text), (text, _found(text))
    assert red_flag in _found(text), (text, _found(text))


STILL_PRESENT_FINDINGS = [
    ("I've had tingling since 2019", {"paresthesia"}),
    ("vegetarian since 2010", {"vegetarian_diet"}),
    ("diagnosed with pernicious anaemia in 2019", {"pernicious_anaemia"}),
    ("gastric bypass in 2015", {"gastric_surgery"}),
    ("numb feet started in September", {"numbness"}),
    ("vegan for the past year", {"vegan_diet"}),
    ("born in 1980, vegan", {"vegan_diet"}),
    ("I'm exhausted, fainted in 2019", {"fatigue", "past:fainting"}),
    ("pins and needles in my feet, fainted in 2019, fine since", {"paresthesia", "past:fainting"}),
    ("tingling in my feet, got checked, all tests clear", {"paresthesia"}),
    ("numbness in my hands, not back to normal yet", {"numbness"}),
    ("I get dizzy once in a while", {"dizziness"}),
]


@pytest.mark.parametrize(("text", "expected"), STILL_PRESENT_FINDINGS)
def test_findings_that_go_on_stay_present(text: str, expected: set[str]) -> None:
    assert expected <= _found(text), (text, _found(text))


# ------------------------------------------------------------------ the machinery
def test_a_past_year_is_any_year_before_this_one() -> None:
    years = past_years(datetime.date(2026, 3, 1))
    assert "2025" in years and "1990" in years
    assert "2026" not in years
    assert ("in", "2019") in expand_pattern([{"NORM": "in"}, {"PAST_YEAR": True}])


def test_idioms_name_only_findings_the_knowledge_base_has() -> None:
    from bot.knowledge import load_knowledge

    rules = idiom_rules(load_knowledge().findings)
    dead_on_my_feet = [{"NORM": word} for word in ("dead", "on", "my", "feet")]
    assert ("fatigue", dead_on_my_feet) in rules


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my ears won't stop ringing at night", "tinnitus"),
        ("her tongue looks shiny and raw", "glossitis"),
        ("he's off his food and a good bit of weight too", "weight_loss"),
        ("grandad walks very unsteadily these days", "balance_problems"),
        ("I've been low in mood for weeks", "depression"),
        ("mum barely eats now", "loss_of_appetite"),
        ("I'm so low on energy", "fatigue"),
        ("my memory is shot", "memory_problems"),
        ("food feels stuck when I eat bread", "difficulty_swallowing"),
    ],
)
def test_everyday_symptoms_in_other_words(text: str, expected: str) -> None:
    assert any(key.endswith(expected) for key in _found(text)), (text, _found(text))
