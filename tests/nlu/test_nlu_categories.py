"""Recall by category: each red flag in the words people use (first and third person, slang,
typos, understatement, paraphrase), and the same words denied, past or only wondered about,
which must never be reported as an emergency now. Then ordinary wording: progression, loose
durations, diet and surgery denials, past versus now, hedged hearsay, idioms and pets.

Notation of the expected findings: ``id`` present, ``id!`` absent, ``id?`` unknown,
``past:id`` past-only, ``fam:id`` a blood relative's; ``@person`` adds whose it is.
"""

from __future__ import annotations

import pytest

from bot.findings import Status
from bot.knowledge import load_knowledge
from bot.nlu.lexicon import denial_rules
from bot.nlu.reading import extract

from .notation import found, red_flags_now


def _found(text: str, with_person: bool = False) -> set[str]:
    return found(text, with_person=with_person)


_red_flags_now = red_flags_now


RED_FLAGS_NOW = [
    # chest_pain
    ("my chest feels really heavy", "chest_pain@self"),
    ("he's got a crushing pain in his chest", "chest_pain@he"),
    ("pain across my chest going down my arm", "chest_pain"),
    ("chest is killing me", "chest_pain"),
    ("feels like an elephant sitting on my chest", "chest_pain"),
    ("tightness in her chest since lunch", "chest_pain"),
    ("chset pain", "chest_pain"),
    ("my chest's been tight all morning", "chest_pain"),
    # severe_breathlessness
    ("i cant breath", "severe_breathlessness"),
    ("he's struggling for breath", "severe_breathlessness@he"),
    ("can hardly breathe even sitting down", "severe_breathlessness"),
    ("she can barely breathe", "severe_breathlessness@she"),
    ("I'm breathless just sitting here", "severe_breathlessness"),
    ("his lips are turning blue", "severe_breathlessness"),
    # fainting
    ("bit of a wobble and then I was on the floor", "fainting"),
    ("she went down like a sack of potatoes", "fainting@she"),
    ("I came round on the bathroom floor", "fainting"),
    ("everything went black and I hit the floor", "fainting"),
    ("she fainterd in the shop", "fainting"),
    ("found him on the kitchen floor", "fainting"),
    ("he keeps passing out", "fainting@he"),
    # racing_heart_dizzy
    ("my heart is racing and I feel dizzy", "racing_heart_dizzy@self"),
    ("heart going like the clappers and the room is spinning", "racing_heart_dizzy"),
    ("racing heart and lightheaded", "racing_heart_dizzy"),
    ("I feel faint when my heart races", "racing_heart_dizzy"),
    ("his heart was racing and he felt faint", "racing_heart_dizzy@he"),
    # rapid_leg_weakness
    ("he can't stand", "rapid_leg_weakness@he"),
    ("her legs have gone", "rapid_leg_weakness@she"),
    ("my legs have gone to jelly and I can't get up", "rapid_leg_weakness"),
    ("legs not holding me up", "rapid_leg_weakness"),
    ("my legs won't hold me", "rapid_leg_weakness"),
    ("can't get up off the floor", "rapid_leg_weakness"),
    ("can't weight bear", "rapid_leg_weakness"),
    ("dad's legs went to jelly this morning", "fam:rapid_leg_weakness"),
    ("he's gone off his legs", "rapid_leg_weakness"),
    # bladder_bowel_loss
    ("peeing myself", "bladder_bowel_loss"),
    ("I wet myself without noticing", "bladder_bowel_loss@self"),
    ("can't hold my wee", "bladder_bowel_loss"),
    ("she's been wetting herself", "bladder_bowel_loss@she"),
    ("he has wet himself", "bladder_bowel_loss@he"),
    ("pooed my pants today", "bladder_bowel_loss"),
    ("no control over my bladder since yesterday", "bladder_bowel_loss"),
    # sudden_vision_loss
    ("a curtain came down over my eye", "sudden_vision_loss"),
    ("everything went black in one eye", "sudden_vision_loss"),
    ("I suddenly can't see out of my left eye", "sudden_vision_loss"),
    ("she has lost the sight in one eye", "sudden_vision_loss@she"),
    ("my vision went dark all of a sudden", "sudden_vision_loss"),
    ("like a shadow across my eye and now I can't see", "sudden_vision_loss"),
    # acute_confusion
    ("he didn't know who I was", "acute_confusion@he"),
    ("she was putting the kettle in the fridge", "acute_confusion@she"),
    ("talking nonsense since this morning", "acute_confusion"),
    ("mum doesn't recognise me", "fam:acute_confusion"),
    ("he's really confused all of a sudden", "acute_confusion@he"),
    ("she's not making any sense", "acute_confusion@she"),
    ("he doesn't know what day it is", "acute_confusion@he"),
    ("my husband is talking gibberish", "acute_confusion@husband"),
    # suicidal_thoughts
    ("they'd all manage fine without me", "suicidal_thoughts"),
    ("I don't see the point of waking up", "suicidal_thoughts"),
    ("everyone would be better off without me", "suicidal_thoughts"),
    ("i want to die", "suicidal_thoughts"),
    ("I just want to go to sleep and not wake up", "suicidal_thoughts"),
    ("thinking about ending it", "suicidal_thoughts"),
    ("he's talking about killing himself", "suicidal_thoughts@he"),
    ("no point going on", "suicidal_thoughts"),
    ("I've been thinking of taking all my pills", "suicidal_thoughts"),
    ("feeling suicidle", "suicidal_thoughts"),
    ("wish i wasnt here", "suicidal_thoughts"),
    # gi_bleeding
    ("i've been sick and there was blood in it", "gi_bleeding"),
    ("my poo is black", "gi_bleeding"),
    ("he's vomiting blood", "gi_bleeding@he"),
    ("black sticky poo", "gi_bleeding"),
    ("my stools are jet black", "gi_bleeding"),
    ("sick that looks like coffee grounds", "gi_bleeding"),
    # worsening_neuro
    ("the numbness has spread from my toes to my shins", "worsening_neuro"),
    ("tingling is a bit worse each fortnight", "worsening_neuro"),
    ("the pins and needles are getting worse", "worsening_neuro"),
    ("numbness has moved up to my knees", "worsening_neuro"),
    ("my balance is getting worse", "worsening_neuro"),
    ("her tingling keeps getting worse", "worsening_neuro@she"),
    # unexplained_bruising
    ("I've got bruises everywhere and don't know why", "unexplained_bruising"),
    ("she bruises really easily", "unexplained_bruising@she"),
    ("big bruises appearing out of nowhere", "unexplained_bruising"),
    # unusual_bleeding
    ("my gums keep bleeding", "unusual_bleeding"),
    ("nose bleed that won't stop", "unusual_bleeding"),
    ("little red spots on my legs", "unusual_bleeding"),
    ("he has nosebleeds", "unusual_bleeding@he"),
    # emergency_described
    ("help he's not breathing", "emergency_described@he"),
    ("she won't wake up", "emergency_described@she"),
    ("please send an ambulance", "emergency_described"),
    ("i think i'm having a stroke", "emergency_described"),
    ("he's unconscious", "emergency_described@he"),
    ("her face has dropped on one side", "emergency_described"),
]


@pytest.mark.parametrize("text, expected", RED_FLAGS_NOW)
def test_red_flag_in_lay_words_is_reported_now(text: str, expected: str) -> None:
    found = _found(text, with_person=True)
    assert expected in found, found
    assert _red_flags_now(text), f"{text!r} is not reported as a red flag now"


RED_FLAGS_NOT_NOW = [
    ("no chest pain", "chest_pain!"),
    ("my chest isn't heavy or tight", None),
    ("I've never passed out", "fainting!"),
    ("he hasn't collapsed", "fainting!"),
    ("I fainted years ago", "past:fainting"),
    ("my mum passed out last year", "fam:past:fainting"),
    ("if I collapsed who would find me", "fainting?"),
    ("my heart races but I'm not dizzy", None),
    ("I can still walk fine", None),
    ("what if my legs stopped working", "rapid_leg_weakness?"),
    ("my legs have gone numb", None),
    ("my legs have gone weak", None),
    ("I can't stand the cold", None),
    ("I can't stand my boss", None),
    ("I can't breathe through my nose with this cold", None),
    ("I've never wet myself", "bladder_bowel_loss!"),
    ("I don't pee myself", "bladder_bowel_loss!"),
    ("I nearly wet myself laughing", None),
    ("what if I lost my sight", "sudden_vision_loss?"),
    ("I went blind in one eye years ago", "past:sudden_vision_loss"),
    ("he used to talk nonsense when drunk", "past:acute_confusion"),
    ("he knows who I am", None),
    ("I don't want to die", "suicidal_thoughts!"),
    ("I'm not suicidal, just tired", "suicidal_thoughts!"),
    ("no blood in my sick", "gi_bleeding!"),
    ("my poo isn't black", None),
    ("the numbness isn't getting worse", None),
    ("no bruises", "unexplained_bruising!"),
    ("my gums don't bleed", None),
    ("I'm not dying", None),
    ("dying to know my results", None),
    ("I'm dying for a cuppa", None),
    ("I could kill for a coffee", None),
    ("the kids are killing me", None),
    ("no need for an ambulance", None),
]


@pytest.mark.parametrize("text, expected", RED_FLAGS_NOT_NOW)
def test_denied_past_or_hypothetical_red_flag_is_not_reported_now(
    text: str, expected: str | None
) -> None:
    if expected:
        assert expected in _found(text)
    assert not _red_flags_now(text), f"{text!r} read as a red flag now: {_found(text)}"


ORDINARY = [
    # progression
    ("the numbness in my feet is getting worse", {"worsening_neuro"}),
    ("pins and needles spreading up my legs", {"worsening_neuro"}),
    # diet denials
    ("I'm a big meat eater", {"vegan_diet!", "vegetarian_diet!"}),
    ("I eat meat every day", {"vegan_diet!", "vegetarian_diet!"}),
    ("we eat loads of meat and fish", {"vegan_diet!", "vegetarian_diet!"}),
    ("I don't eat meat", {"vegetarian_diet"}),
    # surgery denials
    ("no operations, ever", {"gastric_surgery!", "ileal_resection!"}),
    ("never had any operations", {"gastric_surgery!", "ileal_resection!"}),
    # past versus now
    ("took metformin some years back", {"past:metformin"}),
    ("stopped my supplements after the bypass", {"past:b12_supplements", "gastric_surgery"}),
    ("stopped metformin after my op", {"past:metformin"}),
    # hedged hearsay
    ("the nurse wondered about pernicious anaemia", {"pernicious_anaemia?"}),
    ("my GP thought it might be pernicious anaemia", {"pernicious_anaemia?"}),
    ("the doctor queried coeliac", {"coeliac?"}),
    ("my GP wondered if it was pernicious anaemia", {"pernicious_anaemia?"}),
]


@pytest.mark.parametrize("text, expected", ORDINARY)
def test_ordinary_wording(text: str, expected: set[str]) -> None:
    found = _found(text)
    assert expected <= found, found
    if any(e.endswith("!") or e.endswith("?") for e in expected):
        ids = {e.rstrip("!?").split(":")[-1] for e in expected}
        assert not {m.id for m in extract(text).mentions if m.status is Status.PRESENT} & ids


NOTHING = [
    "sick and tired of the rain",
    "dying to know what my results are",
    "my back is killing me",
    "our cat is 12",
    "the dog has been tired",
    "my dog is always tired and wees on the floor",
    "I'm not a big meat eater",
    "I had a heart bypass",
    "I dropped my keys on the floor",
    "my cough is getting worse",
    "I could die of embarrassment",
]


@pytest.mark.parametrize("text", NOTHING)
def test_idioms_pets_and_denials_undone_name_nothing(text: str) -> None:
    assert not [m for m in extract(text).mentions if m.status is Status.PRESENT], _found(text)
    assert not _red_flags_now(text)


@pytest.mark.parametrize(
    "text, days",
    [
        ("tingling in my feet for 3 week now", 21),
        ("numb hands since last spring", 180),
        ("tired for the past couple of months", 60),
        ("exhausted since christmas", 120),
        ("pins and needles for a fortnight", 14),
        ("numb toes since the spring", 180),
    ],
)
def test_loose_durations(text: str, days: int) -> None:
    assert extract(text).duration_days == days


@pytest.mark.parametrize(
    "text", ["had a pregnancy years ago", "I'm not pregnant, my last baby was years ago"]
)
def test_an_old_pregnancy_is_not_a_pregnancy_now(text: str) -> None:
    assert extract(text).pregnant is not Status.PRESENT


def test_denials_name_only_findings_the_knowledge_base_has() -> None:
    assert denial_rules(load_knowledge().findings)
