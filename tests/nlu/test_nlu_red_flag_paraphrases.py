"""Red flags told by what people notice rather than by name: a heart "going like the
clappers" with the room tilting, poo "black like tar", "had to crawl to the loo", "like
looking through thick fog", "thinks it's 1970", "googling ways to go painlessly", "had an
accident downstairs", "panting lying in bed". Each is reported as an emergency now, first or
third person, with slang and typos; the same words denied, past or only wondered about, and
the everyday senses of the same words ("can't see the point", "the baby is crawling", "don't
want to wake up early"), are not.
"""

from __future__ import annotations

import pytest

from bot.findings import Status
from bot.nlu.reading import extract

from .notation import found, red_flags_now


def _found(text: str) -> set[str]:
    return found(text, family=False)


_red_flags_now = red_flags_now


REPORTED_NOW = [
    # racing_heart_dizzy
    ("my heart is going mental and I feel dizzy", "racing_heart_dizzy"),
    ("heart going crazy and the room is tilting", "racing_heart_dizzy"),
    ("my heart's been fluttering for the last hour and I'm lightheaded", "racing_heart_dizzy"),
    ("his pulse is over 150 and he's dizzy", "racing_heart_dizzy"),
    ("pulse over 150 and i feel faint", "racing_heart_dizzy"),
    ("heart pounding and the room is spinning", "racing_heart_dizzy"),
    ("heart thumping and my head is spinning", "racing_heart_dizzy"),
    ("my heart is hammering and everything is going grey at the edges", "racing_heart_dizzy"),
    ("heart racing, lightheaded, had to sit on the floor", "racing_heart_dizzy"),
    ("her heart's going like the clappers and she's gone all woozy", "racing_heart_dizzy"),
    ("hart racing and feel dizzy", "racing_heart_dizzy"),
    ("my heart wont slow down and im really dizzy", "racing_heart_dizzy"),
    ("my hearts going crazy and im dizzy", "racing_heart_dizzy"),
    ("his heart's going mental and the room is tilting", "racing_heart_dizzy"),
    ("her pulse is 160 and she feels faint", "racing_heart_dizzy"),
    ("heart has been fluttering for the last hour and i feel really woozy", "racing_heart_dizzy"),
    ("room spinning and my heart is pounding", "racing_heart_dizzy"),
    # gi_bleeding
    ("my poo is black like tar", "gi_bleeding"),
    ("his stools are black like tar", "gi_bleeding"),
    ("tarry stools since yesterday", "gi_bleeding"),
    ("dark sticky poo this morning", "gi_bleeding"),
    ("been sick and it looked like coffee grounds", "gi_bleeding"),
    ("vomit like coffee grounds", "gi_bleeding"),
    ("she threw up what looks like coffee grounds", "gi_bleeding"),
    ("my poop is black and sticky", "gi_bleeding"),
    ("pooing tar", "gi_bleeding"),
    ("dads poo is black like tar", "gi_bleeding"),
    ("his poo has gone dark and sticky", "gi_bleeding"),
    ("mum's been sick and it looks like coffee grounds", "gi_bleeding"),
    ("tarry stool this morning", "gi_bleeding"),
    # rapid_leg_weakness
    ("I can't get up the stairs", "rapid_leg_weakness"),
    ("he's crawling to the loo", "rapid_leg_weakness"),
    ("had to crawl to the bathroom", "rapid_leg_weakness"),
    ("my legs are not working", "rapid_leg_weakness"),
    ("her legs buckled", "rapid_leg_weakness"),
    ("she walks like she is drunk and she hasnt touched a drop", "rapid_leg_weakness"),
    ("legs keep giving way on the stairs", "rapid_leg_weakness"),
    ("he's dragging his feet since yesterday", "rapid_leg_weakness"),
    ("she keeps stumbling into walls", "rapid_leg_weakness"),
    ("i can't feel the floor", "rapid_leg_weakness"),
    ("my legs feel like they belong to someone else", "rapid_leg_weakness"),
    ("legs suddenly feel like they belong to someone else", "rapid_leg_weakness"),
    ("cant get up the stairs anymore", "rapid_leg_weakness"),
    ("he's walking like he's drunk", "rapid_leg_weakness"),
    ("mum can't get up the stairs since this morning", "rapid_leg_weakness"),
    ("he had to crawl to the toilet", "rapid_leg_weakness"),
    ("I'm crawling to the loo", "rapid_leg_weakness"),
    ("my legs just buckled", "rapid_leg_weakness"),
    ("he started dragging his left leg", "rapid_leg_weakness"),
    ("she can't feel the ground under her feet", "rapid_leg_weakness"),
    ("his legs suddenly feel like they belong to someone else", "rapid_leg_weakness"),
    ("he keeps bumping into the walls", "rapid_leg_weakness"),
    # sudden_vision_loss
    ("I can't see", "sudden_vision_loss"),
    ("he can't see anything", "sudden_vision_loss"),
    ("it's like looking through thick fog", "sudden_vision_loss"),
    ("my eyesight's gone blurry and dim today", "sudden_vision_loss"),
    ("colours look washed out and my sight is getting worse by the hour", "sudden_vision_loss"),
    ("my vision is getting worse by the hour", "sudden_vision_loss"),
    ("cant see properly all of a sudden", "sudden_vision_loss"),
    ("she suddenly can't see anything", "sudden_vision_loss"),
    ("i cant see a thing", "sudden_vision_loss"),
    ("everything's like looking through frosted glass", "sudden_vision_loss"),
    ("his vision went dim overnight", "sudden_vision_loss"),
    ("colours have gone all washed out", "sudden_vision_loss"),
    # acute_confusion
    ("mum's not herself, away with the fairies", "acute_confusion"),
    ("she thinks it's 1970", "acute_confusion"),
    ("he's asking for his mum who's been dead for years", "acute_confusion"),
    ("she keeps asking for my dad who died in 2005", "acute_confusion"),
    ("keeps asking the same question every few minutes", "acute_confusion"),
    ("I can't remember anything from this morning", "acute_confusion"),
    ("he's talking to people who aren't there", "acute_confusion"),
    ("she's seeing children who aren't there", "acute_confusion"),
    ("she doesn't know where she is", "acute_confusion"),
    ("grandad thinks its 1970 and his wife is still alive", "acute_confusion"),
    ("dad's not himself, away with the fairies", "acute_confusion"),
    ("grandad thinks it's the 70s", "acute_confusion"),
    ("mum keeps asking for her mum who died years ago", "acute_confusion"),
    ("she keeps asking the same question over and over", "acute_confusion"),
    ("he can't remember anything from today", "acute_confusion"),
    ("she's talking to people that aren't there", "acute_confusion"),
    ("dad's seeing kids who aren't there", "acute_confusion"),
    # suicidal_thoughts
    ("I keep thinking about swerving into a lorry", "suicidal_thoughts"),
    ("been googling ways to go painlessly", "suicidal_thoughts"),
    ("I won't be around much longer", "suicidal_thoughts"),
    ("he posted bye everyone on facebook", "suicidal_thoughts"),
    ("he texted look after your mum for me and now he's not answering", "suicidal_thoughts"),
    ("I don't want to wake up", "suicidal_thoughts"),
    ("I'd be better off dead", "suicidal_thoughts"),
    ("I want to end it all", "suicidal_thoughts"),
    ("I can't do this anymore", "suicidal_thoughts"),
    ("cant do this any more", "suicidal_thoughts"),
    ("she said she wants to end it all", "suicidal_thoughts"),
    ("I keep thinking of stepping in front of a train", "suicidal_thoughts"),
    ("I've been looking up painless ways to die", "suicidal_thoughts"),
    ("my son posted goodbye everyone on instagram", "suicidal_thoughts"),
    ("she left a goodbye note", "suicidal_thoughts"),
    ("I really dont want to wake up", "suicidal_thoughts"),
    ("i cant do this anymore", "suicidal_thoughts"),
    ("he says he won't be around for much longer", "suicidal_thoughts"),
    # bladder_bowel_loss
    ("he's wetting himself", "bladder_bowel_loss"),
    ("had an accident downstairs, the front kind", "bladder_bowel_loss"),
    ("wet the bed last night, never happened before", "bladder_bowel_loss"),
    ("I didn't feel it happen, I'd just wet myself", "bladder_bowel_loss"),
    ("I can't control my bladder", "bladder_bowel_loss"),
    ("I had an accident and didnt feel it happen", "bladder_bowel_loss"),
    ("she's been having accidents and can't feel when she needs to go", "bladder_bowel_loss"),
    ("she keeps having accidents in her pants", "bladder_bowel_loss"),
    ("dad keeps having wee accidents since yesterday", "bladder_bowel_loss"),
    ("he can't feel when he needs to go", "bladder_bowel_loss"),
    ("dad keeps having accidents downstairs", "bladder_bowel_loss"),
    ("she's wetting herself and doesn't notice", "bladder_bowel_loss"),
    ("I can't tell when I need to go", "bladder_bowel_loss"),
    ("keep having bladder accidents since yesterday", "bladder_bowel_loss"),
    # severe_breathlessness
    ("panting lying in bed", "severe_breathlessness"),
    ("he's so breathless he can't talk", "severe_breathlessness"),
    ("I can't talk with it", "severe_breathlessness"),
    ("she's puffing and panting just sitting down", "severe_breathlessness"),
    ("my breathing's gone really bad tonight", "severe_breathlessness"),
    ("I can't catch my breath sitting still", "severe_breathlessness"),
    ("breathing is really bad tonight", "severe_breathlessness"),
    ("he's panting just lying in bed", "severe_breathlessness"),
    ("she's so breathless she can't speak", "severe_breathlessness"),
    ("I cant finish a sentence for breath", "severe_breathlessness"),
    ("his breathing is awful tonight", "severe_breathlessness"),
    # chest_pain
    ("pressure on my chest won't go away", "chest_pain"),
    ("chest tightness since this morning getting worse", "chest_pain"),
    ("left arm tingly with chest pressure", "chest_pain"),
    ("clammy with chest pain", "chest_pain"),
    ("he's all clammy and his chest hurts", "chest_pain"),
    ("there's pressure on his chest that won't go away", "chest_pain"),
    ("chest pain that isn't going away", "chest_pain"),
    ("his chest pressure won't ease off", "chest_pain"),
    # unexplained_bruising
    ("bruises I can't explain", "unexplained_bruising"),
    ("she's got bruises she can't explain all over her arms", "unexplained_bruising"),
    ("he's covered in bruises and doesn't know why", "unexplained_bruising"),
    ("random bruises popping up on my legs", "unexplained_bruising"),
    # unusual_bleeding
    ("little purple spots that don't fade when pressed with a glass", "unusual_bleeding"),
    ("tiny red dots all over", "unusual_bleeding"),
    ("gums bleed when I brush and bruises I can't explain", "unusual_bleeding"),
    ("purple spots that don't go away when I press a glass on them", "unusual_bleeding"),
    ("she has tiny purple spots that don't fade under a glass", "unusual_bleeding"),
    # the same words as the everyday senses below, but said of what is happening now
    ("I can't cope anymore", "suicidal_thoughts"),
    ("I can't go on anymore", "suicidal_thoughts"),
    ("I can't see properly all of a sudden", "sudden_vision_loss"),
    ("I can't see anything in my left eye", "sudden_vision_loss"),
    ("he can't see at all", "sudden_vision_loss"),
    ("she's so out of breath she can hardly talk", "severe_breathlessness"),
    ("I keep thinking about walking in front of a bus", "suicidal_thoughts"),
    # worsening_neuro
    ("burning in my feet much worse in a week", "worsening_neuro"),
    ("numbness creeping up to my knees", "worsening_neuro"),
    ("he suddenly can't feel his feet, came on over a couple of days", "worsening_neuro"),
    ("the burning in his feet has got much worse this week", "worsening_neuro"),
    ("numbness is creeping up past his ankles", "worsening_neuro"),
    ("the tingling came on over a couple of days", "worsening_neuro"),
]


@pytest.mark.parametrize("text, red_flag", REPORTED_NOW)
def test_red_flag_described_by_what_happens_is_reported_now(text: str, red_flag: str) -> None:
    mentions = [m for m in extract(text).mentions if m.id == red_flag]
    assert any(m.status is Status.PRESENT and not m.past for m in mentions), _found(text)
    assert _red_flags_now(text), f"{text!r} is not reported as a red flag now: {_found(text)}"


NOT_NOW = [
    # everyday senses of the same words
    "I think it was 1998 when I had my gastric bypass",
    "I can't remember what I had for breakfast",
    "I can't see without my glasses",
    "I can't see a thing without my glasses",
    "I can't see very well at night",
    "I can't see the small print anymore",
    "he's breathing and talking normally",
    "my breath is bad this morning",
    "deep breathing while resting helps my anxiety",
    "I had to crawl out of bed this morning I was so tired",
    "I crawled into bed at 8, shattered",
    "I had to drag myself to work",
    "I've been dragging my feet and putting off the blood test",
    "she said bye everyone and left the party",
    "I can't take it anymore because it upsets my stomach",
    "I used to run but I can't do it anymore",
    "my daughter keeps asking about her grandad who died",
    "I still talk to my mum who passed away",
    "she was asking for her late husband's pension papers",
    "my eyes are a bit blurry this morning",
    "dark spots on my face that don't go away",
    "my poo is a bit sticky",
    "I get breathless when I walk uphill",
    "my chest is bad tonight with this cold",
    "my heart is all over the place with worry",
    "my son is walking into walls playing a VR game",
    "he thinks he's still at school",
    "the colours on my TV look washed out",
    "no unexplained bruises",
    "I had random bruises years ago when I was anaemic",
    "no racing heart and not dizzy",
    "my heart raced and I was dizzy years ago",
    "what if my heart starts racing and I get dizzy",
    "my heart races sometimes when I run, never dizzy",
    "no black poo",
    "had black stools years ago from iron tablets",
    "what if my poo goes black",
    "my poo isn't tarry",
    "I drink coffee and eat grounds of nothing",
    "I can get up the stairs fine",
    "had to crawl years ago after my knee op",
    "what if I can't get up the stairs one day",
    "my legs are working fine",
    "the baby is crawling now",
    "my legs buckled once years ago",
    "what if I can't see one day",
    "I can see fine",
    "I can't see the point",
    "can't see why that matters",
    "can't see the doctor till monday",
    "she knows where she is",
    "he used to see things that weren't there on that medication years ago",
    "what if she starts talking to people who aren't there",
    "my kids are away with the fairies when I ask them to tidy up",
    "I'm not suicidal",
    "I don't want to wake up early tomorrow",
    "I can't do this quiz anymore",
    "I've never thought about ending it all",
    "I've never wet the bed",
    "wet the bed as a kid",
    "had an accident in the car last year",
    "what if I can't control my bladder",
    "I'm puffing and panting after the stairs",
    "no trouble breathing",
    "breathing was really bad years ago with pneumonia",
    "no chest pressure",
    "I had chest pain years ago",
    "no spots on my skin",
    "my gums don't bleed",
    "the numbness isn't spreading",
    "numbness crept up years ago but settled",
    "I can see the tv fine",
    "can't see my gp till monday",
    "what if he can't get up the stairs",
    "I'm not seeing people who aren't there",
    "no pressure on my chest",
    "chest pain that won't go away, I had that years ago",
    "my heart raced and the room was spinning once years ago",
    "the baby is crawling to the kitchen",
    "had an accident in the car",
    "I don't want to wake up the baby",
    "I never thought about swerving into a lorry",
    "if my poo went dark and sticky what would it mean",
    "what if I start wetting myself",
    "no numbness creeping up my legs",
    "my vision isn't getting worse",
    "nobody's talking to people who aren't there",
    "I haven't had black stools",
    "her poo was black when she was on iron tablets years ago",
    "my heart isn't racing and I'm not dizzy",
    "my heart went mental and I was dizzy last year",
    "if I couldn't get up the stairs I'd move downstairs",
    "he used to stumble into walls when he was drunk at uni",
    "I can see fine today",
    "I can't see why my b12 would be low",
    "can't see the point of the test",
    "she isn't talking to people who aren't there",
    "I'm not thinking about swerving into anything",
    "I don't want to wake up early",
    "I can't do this quiz anymore, it's long",
    "I didn't have an accident",
    "no bladder accidents",
    "what if I wet the bed",
    "I'm not panting lying in bed",
    "my breathing isn't bad tonight",
    "no chest pain that won't go away",
    "no tiny red dots",
    "what if the numbness creeps up to my knees",
    "no colours washed out",
    "I don't have tarry stools",
    "I never had to crawl",
]


@pytest.mark.parametrize("text", NOT_NOW)
def test_denied_past_hypothetical_or_everyday_wording_is_not_an_emergency_now(text: str) -> None:
    assert not _red_flags_now(text), f"{text!r} read as a red flag now: {_found(text)}"


def test_both_lists_hold_enough_sentences_of_each_red_flag() -> None:
    by_flag: dict[str, int] = {}
    for _, red_flag in REPORTED_NOW:
        by_flag[red_flag] = by_flag.get(red_flag, 0) + 1
    assert len(REPORTED_NOW) + len(NOT_NOW) >= 80
    assert len(set(REPORTED_NOW)) == len(REPORTED_NOW)
    assert len(set(NOT_NOW)) == len(NOT_NOW)
