"""Whatever people paste into a chat box, the extractor answers and never says a negated
red flag is present."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot.findings import Status
from bot.nlu.reading import MAX_CHARS, analyse, extract

RED_FLAG_PHRASES = [
    "chest pain",
    "passed out",
    "can't breathe",
    "wet myself",
    "sudden loss of vision",
]
NEGATIONS = ["no", "never had", "I don't have", "haven't", "not", "without", "denies"]
FILLER = ["", "tho", "at all", "really", "thank god", "😊", "!!", "lol"]


@pytest.mark.parametrize(
    "text",
    [
        None,
        42,
        "",
        " ",
        "\n\n",
        "😀" * 50,
        "<p><b>tired</b></p>&nbsp;",
        "Ich bin immer müde",
        "我很累",
        "تعبان جدا",
        "\x00\x01tired",
        "a" * 100_000,
    ],
)
def test_odd_input_gives_an_extraction(text):
    result = extract(text)
    assert result.to_dict()["mentions"] is not None


def test_huge_text_is_capped_and_offsets_stay_valid():
    text = "tired all the time. " * 1000 + "chest pain"
    analysis = analyse(text)
    assert all(m.end <= MAX_CHARS for m in analysis.extraction.mentions)
    assert "chest_pain" not in {m.id for m in analysis.extraction.mentions}


def test_markup_keeps_offsets():
    text = "<b>tingling</b> in my hands"
    mention = extract(text).mentions[0]
    assert text[mention.start : mention.end] == "tingling"


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    negation=st.sampled_from(NEGATIONS),
    flag=st.sampled_from(RED_FLAG_PHRASES),
    before=st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=40),
    filler=st.sampled_from(FILLER),
)
def test_negated_red_flag_is_never_present(negation, flag, before, filler):
    text = f"{before}. {negation} {flag} {filler}"
    for mention in extract(text).mentions:
        if mention.text.lower() == flag:
            assert mention.status is not Status.PRESENT, text


@settings(max_examples=150, deadline=None)
@given(st.text(max_size=300))
def test_any_text_is_safe(text):
    result = extract(text)
    for mention in result.mentions:
        assert 0 <= mention.start <= mention.end <= len(text)
        assert not (mention.negated and mention.status is Status.PRESENT)
