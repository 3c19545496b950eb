"""Clinical shorthand, as nurses, pharmacists and doctors write of themselves or a relative
("melaena", "syncope with LOC", "active SI with a plan", "sats 88%", "HR 170s, presyncopal"),
read as the red flags and symptoms they name; the capitals that make "SOB", "LOC" and "SI"
abbreviations, not the everyday words; and the same terms denied, asked about in general or
past, which raise nothing."""

from __future__ import annotations

import pytest

from .notation import found, red_flags_now

REPORTED_NOW = [
    ("ED nurse, 50M: two episodes of melaena overnight, now clammy", "gi_bleeding"),
    ("Mum had a haematemesis an hour ago, looked like coffee grounds", "gi_bleeding"),
    ("Dad, 81, witnessed syncope at breakfast with LOC for about a minute", "fainting"),
    ("TLOC in the shower this morning, came round on the floor", "fainting"),
    ("flatmate disclosed active SI with a plan tonight, I'm with her", "suicidal_thoughts"),
    ("I have had suicidal ideation all week and it's getting louder", "suicidal_thoughts"),
    ("SOB at rest since lunch and can't finish a sentence", "severe_breathlessness"),
    ("my sats are 88% on the finger probe and I'm gasping", "severe_breathlessness"),
    ("husband is tachypnoeic and grey, sitting bolt upright", "severe_breathlessness"),
    ("HR 160s on my watch and presyncopal, started 15 min ago", "racing_heart_dizzy"),
    ("pulse 175 and the floor keeps tipping", "racing_heart_dizzy"),
    ("heart doing somersaults and the room won't stop spinning", "racing_heart_dizzy"),
    ("new urinary incontinence since last night, never had it before", "bladder_bowel_loss"),
    ("acute monocular visual loss in the left eye about 30 mins ago", "sudden_vision_loss"),
    ("saddle anaesthesia since this morning and my legs feel odd", "worsening_neuro"),
    ("haemoptysis twice today, bright red", "unusual_bleeding"),
    ("gran has new purpura on both shins this week", "unexplained_bruising"),
    ("nan's gone off her legs since yesterday, can't stand at all", "rapid_leg_weakness"),
]


@pytest.mark.parametrize("text, red_flag", REPORTED_NOW)
def test_shorthand_for_a_red_flag_reports_it_now(text: str, red_flag: str) -> None:
    assert red_flag in {name.split("@")[0] for name in found(text, family=False)}
    assert red_flags_now(text), text


NOT_NOW = [
    "no melaena, no haematemesis, just tired",
    "no LOC, I just tripped on the kerb",
    "denies SI, mood a bit flat",
    "is syncope common with low B12?",
    "what counts as sudden vision loss",
    "melaena in 2019 from an ulcer, treated, nothing since",
    "I sob every night over this diagnosis",  # the everyday word, not an abbreviation
    "my oxygen sats were 98%, pulse 72",
    "a nurse said it was vasovagal when I went hot at my jab",
    "Quick q for a teaching session: is SACD ever a cause of faecal incontinence?",
    "one of my patients had a haematemesis today and the team are managing it",
    "In Casualty last night one of the characters went totally psychotic",
    "my mother is an inpatient on the stroke unit after visual loss on Monday",
]


@pytest.mark.parametrize("text", NOT_NOW)
def test_shorthand_denied_asked_about_or_past_is_not_an_emergency(text: str) -> None:
    assert not red_flags_now(text), text


@pytest.mark.parametrize(
    "text, finding",
    [
        ("6 months of lethargy and malaise", "fatigue"),
        ("paraesthesia in both feet for a year", "paresthesia"),
        ("dyspnoea on exertion, worse on hills", "shortness_of_breath"),
        ("sensory ataxia, positive Romberg", "balance_problems"),
        ("SOB on the stairs lately", "shortness_of_breath"),
        ("episodes of presyncope when standing", "dizziness"),
    ],
)
def test_shorthand_for_everyday_symptoms(text: str, finding: str) -> None:
    assert finding in found(text, family=False)
    assert not red_flags_now(text), text
