"""Match patterns come from the knowledge base; the NLU's own pattern files are checked."""

from __future__ import annotations

import pytest

from bot.nlu import lexicon
from bot.nlu.context_rules import ContextRuleError, expand_pattern, rule_dicts
from bot.nlu.normalize import Speller, base_form, clean_text


def test_every_knowledge_base_finding_is_a_target():
    from bot.knowledge import load_knowledge

    ids = {t.id for t in lexicon.knowledge_targets()}
    assert ids == set(load_knowledge().findings)


def test_extra_phrases_must_name_known_findings(monkeypatch):
    monkeypatch.setattr(lexicon, "load_yaml", lambda name: {"not_a_finding": ["x"]})
    with pytest.raises(lexicon.LexiconError, match="not_a_finding"):
        lexicon.extra_phrases({"fatigue"})


@pytest.mark.parametrize(
    "phrase, variant",
    [
        ("plant-based", "plant based"),
        ("crohn's disease", "crohns disease"),
        ("pins & needles", "pins and needles"),
        ("pins and needles", "pins n needles"),
        ("pain in my chest", "pain in the chest"),
    ],
)
def test_phrase_variants(phrase, variant):
    assert variant in lexicon.phrase_variants(phrase)


def test_spelling_meets_on_one_form():
    assert base_form("anaemia") == base_form("anemia")
    assert base_form("diarrhoea") == base_form("diarrhea")
    assert base_form("tingles") == base_form("tingle")


def test_fuzzy_correction_only_towards_the_lexicon_and_not_protected_words():
    speller = Speller(["tingling", "numbness", "fainting", "dizzy"])
    assert speller("tinglng") == "tingling"
    assert speller("numbnesss") == "numbness"
    assert speller("painting") == "painting"
    assert speller("single") == "single"
    assert speller("tablet") == "tablet"


def test_common_english_words_are_never_corrected_into_lexicon_words():
    """ "aching" is not "acting", "saying" not "saving", "slight" not "sight": a real word
    turned into another would invent or lose a finding; a typo is still corrected."""
    from bot.nlu.normalize import known_words

    assert {"aching", "saying", "wondering", "infection", "slight", "starting"} <= known_words()
    lexicon = ["acting", "saving", "wandering", "injection", "sight", "staring", "numbness"]
    speller = Speller(lexicon)
    for word in ("aching", "saying", "wondering", "infection", "slight", "starting"):
        assert speller(word) == word
    assert speller("numbess") == "numbness"


def test_clean_text_keeps_length():
    text = "<b>tired</b> &amp; I’m café"
    assert len(clean_text(text)) == len(text)


def test_context_rule_file_is_valid():
    rules = rule_dicts()
    assert len(rules) > 100


def test_unexpandable_pattern_is_refused():
    with pytest.raises(ContextRuleError):
        expand_pattern([{"NORM": "a", "OP": "*"}])
