"""Red-flag words that report nothing now, by category, and their twins that do.

Each category is a kind of wording, not a list of sentences: an episode closed by a plain
ending ("all faded now"), a question written without its "?", a fear ("my worst
nightmare is ..."), a story on screen, a shock put as a body's reaction ("nearly fainted
at the bill"), a laugh, nerves, money, a quoted leaflet or a textbook sentence. Each has a
twin with the same red-flag words said of now, which must still raise the emergency: a
false emergency costs trust, a missed one costs more.
"""

from __future__ import annotations

import pytest

from .notation import red_flags_now

NOT_NOW = {
    "ended": [
        "a few weeks back I had bruises all up my arms after decorating, they've all faded now",
        "my son wet himself a couple of times last year when he started school, it's settled now",
        "grandad was muddled for a while after his op in the spring but he's back to his old self",
        "had a big nosebleed at my cousin's wedding in june, no problems since",
        "my sight went blurry on one side for a bit last month, it has cleared up",
        "we were on holiday last august and I passed out in the heat, fine since",
        "fainted when I gave blood at uni, never again",
        "had psychosis in my twenties, been well for years, just want a b12 check",
        "had chest pains in march, it was a virus",
        "chest pain in may turned out to be a pulled muscle, on lansoprazole for my gut now",
        "blacked out at a party as a teenager, not since",
        "fainted at my cousin's wedding last summer, fine now",
        "had a seizure on holiday two years ago, all good now",
        "blacked out drunk at 21, not since",
        "she's just vegan and tired, she isn't bruising or bleeding anywhere",
        "went blind in my left eye for a month in 2015 with neuritis, sight came back fully",
    ],
    "general question": [
        "can a lack of vitamins make you want to end it all",
        "does pernicious anaemia make people breathless at rest",
        "is severe b12 deficiency a cause of sudden blindness",
        "could low iron make someone faint",
        "when should numb legs be treated as an emergency",
        "what counts as sudden vision loss",
    ],
    "supposing": [
        "supposing my legs gave way on the stairs, would that be b12?",
        "say if I fainted at work, what would happen",
    ],
    "fear": [
        "my biggest worry is collapsing while I'm alone with the baby",
        "worst nightmare would be my legs giving way on the stairs",
    ],
    "story on screen": [
        "on Holby last night a patient collapsed with low b12, can that happen?",
        "watched a netflix thing tonight where a woman went blind overnight from a deficiency",
    ],
    "shock, laugh, nerves, money": [
        "almost passed out when I opened the gas bill",
        "nearly fainted at the price of those b12 sprays",
        "my ribs and chest are sore from laughing at the wedding speeches",
        "knees went to jelly when the exam results came out",
        "my bank account has been bleeding money since the kids started uni",
        "almost passed out when the surgery said the next appointment is in june",
        "I'm out like a light by 9",
        "out cold in front of the telly most nights",
        "my teenagers give me chest pains",
        "I'd faint from shock if the bus came on time",
        "that pun should be a national emergency",
    ],
    "quoted or textbook": [
        '"Call 999 if you have chest pain or suddenly cannot move your legs" - on every leaflet?',
        "Sufferers may develop weakness in both legs, incontinence and confusion as it progresses.",
        "Symptoms include fainting, breathlessness and chest pain in severe cases.",
        "the poster says 'Chest pain? Tell a member of staff' - is that for everyone?",
        "the nurse handed me a sheet that says sudden weakness and confusion are emergencies.",
        '"Red flags: sudden blindness, loss of bladder control" - from my lecture notes, why?',
    ],
}

STILL_NOW = [
    # recent, or back again: the ending words do not close it
    "I blacked out an hour ago, it's passed now",
    "nosebleed this morning for 40 minutes, it's settled now",
    "the bruises on her legs went away but now there are more",
    # a question with the person in it, or a negation after the opener
    "can't walk properly since this morning, is it my b12",
    "is b12 deficiency why i have chest pain",
    # a fear beside a present event
    "my biggest fear happened, I fainted at work today",
    # nearly fainting on standing is a symptom, not a saying
    "I nearly fainted when I stood up and I keep going dizzy",
    "my legs went to jelly and I fell down the stairs",
    # the writer's own words, not a leaflet's
    "I have chest pain. Symptoms include chest pain and fainting, that's what the leaflet says",
    # a faculty that has not come back, a collapse told without a habit
    "everything went black in my right eye this morning and it hasn't come back",
    "he's out cold on the kitchen floor",
    "I nearly fainted when my legs went from under me",
    # someone in front of the writer, not on a screen
    "a man has collapsed in the shop right now and he's not breathing",
    # a faint or a fit is over by nature: feeling fine afterwards does not close it
    "I passed out at the checkout and came round on the floor. feel ok now though?",
    "my son collapsed at football, he says he's fine now",
    "had a seizure at my desk, I'm alright now but I've never had one before",
    # a student now, not a stage gone by
    "my sister keeps fainting at uni, three times today",
    # a place, not a joke
    "I wet myself at the bus stop and didn't feel it coming",
    "i just wet myself in the queue, never happened before",
]


CASES = [(kind, text) for kind, texts in NOT_NOW.items() for text in texts]


@pytest.mark.parametrize(("kind", "text"), CASES)
def test_words_that_report_nothing_now_raise_no_emergency(kind: str, text: str) -> None:
    assert red_flags_now(text) == [], (kind, text)


@pytest.mark.parametrize("text", STILL_NOW)
def test_the_same_words_said_of_now_still_raise_it(text: str) -> None:
    assert red_flags_now(text), text
