"""Red flags that are not happening now to anyone present raise no emergency.

False emergencies are the worst noise of a safety tool, so each category of "mentioned but not
now" is checked here with sentences written for it: someone else's red flag told as history or
hearsay, quoted or pasted reference text, and fears or what-ifs about the future. The present
emergencies at the end, about the writer and about someone present, must still be reported.
"""

from __future__ import annotations

import pytest

from bot.nlu import extract

from .notation import red_flags_now

OTHERS_PAST = [
    "my husband fainted at church on Sunday, he's been checked and it was the heat",
    "my mate collapsed at a festival last year",
    "a colleague had a panic attack with a racing heart today, the ambulance came and she's fine",
    "my uncle was in hospital with legs that stopped working",
    "a woman at my gym said she wet herself because her B12 was low",
    "my friend passed out at work last week",
    "he fainted at the gym in 2019 but he's fine now",
    "a guy at work collapsed last month",
    "she said she lost control of her bladder",
    "my boss was rushed in with chest pain but it was indigestion",
    "my neighbour ended up in A&E after fainting, she's home now",
    "watching a TV drama, a character had chest pain",
    "reading about a footballer who collapsed",
    "a lady at my club blacked out on holiday last summer",
    "my wife had chest pain last christmas",
    "my girlfriend fainted on Saturday but she's ok now",
    "my flatmate was hospitalised with chest pain in 2021",
    "a bloke at the pub collapsed at the weekend",
    "my boyfriend passed out at a party years ago",
    "my father-in-law was rushed in with chest pain, turned out to be reflux",
]

QUOTED = [
    "copied from the NHS site: \"B12 deficiency can cause chest pain and fainting\"",
    "someone on a forum wrote: 'I collapsed and couldn't feel my legs'",
    "the leaflet says \"seek help if you have chest pain\"",
    "from the leaflet in my box: \"stop taking and call 999 if you faint\"",
    "pasted from a Facebook group: \"my legs gave way and I wet myself\"",
    "pasted from a Facebook group: my legs gave way and I wet myself",
    "my mum's discharge letter says: 'collapsed at home, confused'",
    "the first aid booklet says 'if someone collapses call 999'",
    "a textbook says \u201cpatients may collapse or lose bladder control\u201d",
    "an insta post: \u2018I couldn\u2019t see out of one eye and had chest pain\u2019",
    "the first aid booklet says chest pain and fainting need 999",
    "signs of B12 deficiency:\n1. tingling\n2. fainting\n3. chest pain",
    "warning signs:\n- chest pain\n- passing out\n- losing control of your bladder",
    "a reddit thread said 'I passed out in the shower and woke up confused'",
    "the website says: sudden confusion and fainting need urgent help",
]

FEARS = [
    "I'm scared I'll end up confused",
    "will I go blind if I stop?",
    "could I end up incontinent?",
    "I keep picturing myself collapsing at work",
    "intrusive thought that I'll wake up and not see",
    "what would happen if his B12 got really low, could he collapse?",
    "say the numbness does start creeping up, how quickly should I act?",
    "am I going to end up with nerve damage?",
    "what if I collapse at work?",
    "I'm terrified of passing out on the train",
    "I have nightmares about collapsing in the street",
    "I keep imagining fainting while I'm driving",
    "afraid of going blind",
    "what would happen if I lost control of my bladder at work?",
    "will she go blind if she doesn't get injections?",
    "could he end up in a wheelchair with legs that stop working?",
]

PRESENT = [
    "my wife can't stand up since this morning",
    "my dad has collapsed and won't wake up",
    "he's fainted and is on the floor",
    "I have chest pain right now",
    "I just fainted",
    "she collapsed and isn't breathing",
    "my husband collapsed and isn't breathing, what do I do",
    "crushing chest pain, can't breathe",
    "mum's collapsed in the kitchen and can't get up",
    "I've wet myself and can't feel my legs",
    "my son is having chest pain right now",
    "he's just passed out",
    "my partner fainted and is still on the floor",
    "I suddenly can't see out of my left eye",
    "chest is killing me",
    "my mate's collapsed at the festival and won't wake up",
    "she's really confused all of a sudden",
    "my neighbour collapsed just now",
    "I CAN'T BREATHE",
    "my wife has chest pain tonight",
    "the leaflet says to call 999 and I have chest pain now",
    "I read about fainting but I just fainted now",
]


_now = red_flags_now


@pytest.mark.parametrize("text", OTHERS_PAST)
def test_someone_elses_red_flag_told_as_past_is_not_now(text: str) -> None:
    assert _now(text) == []


@pytest.mark.parametrize("text", QUOTED)
def test_quoted_or_pasted_reference_is_not_now(text: str) -> None:
    assert _now(text) == []


@pytest.mark.parametrize("text", FEARS)
def test_fears_and_what_ifs_are_not_now(text: str) -> None:
    assert _now(text) == []


@pytest.mark.parametrize("text", PRESENT)
def test_present_emergencies_are_still_reported(text: str) -> None:
    assert _now(text) != []


def test_a_past_story_keeps_whose_it_is() -> None:
    mention = next(m for m in extract("my mate collapsed at a festival last year").mentions)
    assert (mention.person, mention.past) == ("friend", True)


def test_apostrophes_do_not_end_a_quotation() -> None:
    from bot.nlu.input_check import reference_spans

    text = "someone on a forum wrote: 'I collapsed and couldn't feel my legs'"
    (start, end), = reference_spans(text)
    assert text[start:end] == "'I collapsed and couldn't feel my legs'"
    assert reference_spans("my mum's legs don't work and she can't stand") == []
