"""The Rasa component: entities and roles on messages, deterministic red-flag intent,
cache fingerprint tied to the lexicon, and a real trained model that uses it."""

from __future__ import annotations

import asyncio
import shutil
import textwrap

import pytest

pytest.importorskip("rasa", reason="the Rasa component needs Rasa installed")

from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT  # noqa: E402
from rasa.shared.nlu.training_data.message import Message  # noqa: E402

from bot.nlu import resources  # noqa: E402
from bot.rasa_adapters.nlu_component import B12ClinicalExtractor  # noqa: E402


@pytest.fixture(scope="module")
def component() -> B12ClinicalExtractor:
    config = B12ClinicalExtractor.get_default_config()
    return B12ClinicalExtractor.create(config, None, None, None)


def _message(text, intent="inform", confidence=0.8) -> Message:
    return Message(
        data={
            TEXT: text,
            INTENT: {"name": intent, "confidence": confidence},
            INTENT_RANKING_KEY: [
                {"name": intent, "confidence": confidence},
                {"name": "report_red_flag", "confidence": 0.1},
            ],
        }
    )


def test_present_red_flag_sets_the_intent_first(component):
    message = component.process([_message("I have crushing chest pain", "greet")])[0]
    assert message.get(INTENT) == {"name": "report_red_flag", "confidence": 1.0}
    ranking = message.get(INTENT_RANKING_KEY)
    assert ranking[0] == {"name": "report_red_flag", "confidence": 1.0}
    assert [r["name"] for r in ranking].count("report_red_flag") == 1


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain",
        "my dad had chest pain",
        "my dad had chest pain last week",
        "what if I get chest pain",
        "I fainted years ago",
        "never passed out",
    ],
)
def test_red_flag_not_applying_now_leaves_the_intent(component, text):
    message = component.process([_message(text, "inform")])[0]
    assert message.get(INTENT)["name"] == "inform"
    flags = [e for e in message.get(ENTITIES) if e["entity"] == "red_flag"]
    assert flags and all("role" in e for e in flags)


@pytest.mark.parametrize(
    "text",
    [
        "my partner fainted and won't wake up",
        "he's collapsed and can't get up",
        "my wife can't feel her legs since this morning",
        "my dad has chest pain",
    ],
)
def test_an_emergency_about_someone_present_is_an_emergency(component, text):
    message = component.process([_message(text, "inform")])[0]
    assert message.get(INTENT) == {"name": "report_red_flag", "confidence": 1.0}


def _read_as_red_flag(
    component, text: str, others: list[tuple[str, float]] = (("inform", 0.08),)
) -> Message:
    """The classifier's reading: report_red_flag at 0.9, then ``others``."""
    ranking = [{"name": "report_red_flag", "confidence": 0.9}]
    ranking += [{"name": name, "confidence": conf} for name, conf in others]
    message = Message(data={TEXT: text, INTENT: dict(ranking[0]), INTENT_RANKING_KEY: ranking})
    return component.process([message])[0]


@pytest.mark.parametrize(
    "text, why",
    [
        ("no chest pain, no fainting, not short of breath, just tired", "negated"),
        # the message itself dates it or closes it
        ("I fainted years ago", "over"),
        ("my dad had chest pain last week", "over"),
        ("she was very confused with a fever last month but she's back to herself now", "over"),
        ("a friend of my sister's took her own life last year, it hit us hard", "over"),
        # sayings that use a red flag's words with no finding's words in them
        ("I'd rather die than sit through another waiting room", "idiom"),
        ("my manager is blind to how exhausted I am", "idiom"),
        ("our hamster's back legs have suddenly gone weak", "animal"),
        # "suddenly" in the red flag's own words says how it would come, not that it just did
        ("the nurse said if my legs suddenly give way I must go to A&E", "hypothetical"),
        # someone on screen, someone already in hospital
        ("saw a programme about a man who collapsed from low b12, now I'm worried", "story"),
        ("my neighbour is in hospital after vomiting blood today, could that be b12?", "cared_for"),
        ("got my results and nearly fainted lol, the number was so low", "idiom"),
        # a pet's red flag, whatever time words the message has
        ("the goat's gone blind in one eye this morning, poor thing", "animal"),
        ("that walk took my breath away, what a view", "idiom"),
        ("what if I get chest pain", "hypothetical"),
        ("can low B12 cause chest pain?", "hypothetical"),
        ("is fainting a sign of B12 deficiency?", "hypothetical"),
        ("I read that B12 deficiency can cause psychosis, is that true?", "reference"),
        ("the leaflet says 'go to A&E with chest pain'", "reference"),
        ("I nearly wet myself laughing at that", "idiom"),
        ("my cat keeps fainting, could it be b12?", "animal"),
        ("our dog collapsed at the vets yesterday", "animal"),
    ],
)
def test_a_red_flag_intent_without_a_red_flag_now_is_overruled(component, text, why):
    message = _read_as_red_flag(component, text, [("ask_question", 0.05), ("inform", 0.04)])
    assert message.get(INTENT) == {"name": "ask_question", "confidence": 0.05}
    names = [r["name"] for r in message.get(INTENT_RANKING_KEY)]
    assert names == ["ask_question", "inform", "report_red_flag"]
    overruled = message.get("intent_overruled")
    assert overruled["intent"] == "report_red_flag"
    assert overruled["replaced_by"] == "ask_question"
    whys = {r["why"] for r in overruled["red_flags"]}
    assert why in whys or (why == "hypothetical" and whys <= {"hypothetical", "general_question"})




@pytest.mark.parametrize(
    "text, kin",
    [
        ("dad's not confused at all, sharp as ever, just tired", "memory_problems"),
        ("no dizziness, no palpitations, I'm just a bit run down", "palpitations"),
        ("my eyesight is fine, it's my tongue that's sore", "vision_problems"),
    ],
)
def test_a_red_flags_everyday_kin_denied_overrules_the_classifier(component, text, kin):
    message = _read_as_red_flag(component, text)
    assert message.get(INTENT)["name"] == "inform"
    said = {r.get("said_as") for r in message.get("intent_overruled")["red_flags"]}
    assert kin in said


@pytest.mark.parametrize(
    "text",
    [
        "no chest pains and no blackouts, my only trouble is numb feet in the evenings",
        "I'm not having any chest pain or fainting. Only my hands tingle, for 2 months now",
        "he doesn't bleed or bruise at all, he's just pale and puffed out on the stairs",
        "not incontinent, bowels all normal. just tingly toes and a sore tongue",
        "my sister isn't bruising or bleeding or anything, she's just vegan and tired",
    ],
)
def test_an_everyday_complaint_beside_red_flags_ruled_out_does_not_keep_the_emergency(
    component, text
):
    message = _read_as_red_flag(component, text)
    assert message.get(INTENT)["name"] == "inform"
    assert {r["why"] for r in message.get("intent_overruled")["red_flags"]} <= {"negated", "over"}


@pytest.mark.parametrize(
    "text",
    [
        "no chest pain but my legs went numb an hour ago and I can't feel them",
        "no chest pain, my legs just went numb and I can't feel my feet",
        "not bleeding anywhere, but the numbness is worse today and climbing my legs",
    ],
)
def test_a_complaint_of_the_last_hours_beside_a_denial_keeps_the_emergency(component, text):
    message = _read_as_red_flag(component, text)
    assert message.get(INTENT)["name"] == "report_red_flag"


@pytest.mark.parametrize(
    "text",
    [
        "my mum is really confused today",  # the kin present now: the classifier stands
        "so dizzy I can barely stand and my heart is pounding",
        "I'm not confused but my legs have gone weak all of a sudden",
    ],
)
def test_a_red_flags_kin_said_of_now_leaves_the_emergency_standing(component, text):
    message = _read_as_red_flag(component, text)
    assert message.get(INTENT)["name"] == "report_red_flag"


@pytest.mark.parametrize(
    "text",
    [
        "my son had a fit 5 mins ago, never had one before",  # read as past by the rules
        "she fainted in the kitchen an hour ago",
        "I keep wondering if anyone would care if I wasn't here",  # a wish, not a maybe
    ],
)
def test_a_doubtful_not_now_does_not_overrule_an_emergency_of_the_last_hours(component, text):
    message = _read_as_red_flag(component, text)
    assert message.get(INTENT)["name"] == "report_red_flag"


@pytest.mark.parametrize(
    "text, intent",
    [
        ("tbh knackered constantly n my gums r sore", "inform"),
        ("never touched meat in my life, 34 f", "inform"),
        ("ferritin fine but b12 came back at 140 ng/l", "report_lab"),
    ],
)
def test_facts_told_are_not_lost_as_not_understood(component, text, intent):
    message = component.process([_message(text, "nlu_fallback", 0.3)])[0]
    assert message.get(INTENT)["name"] == intent


@pytest.mark.parametrize("text", ["asdf qwer zxcv", "can metformin cause low b12?", "hmmm"])
def test_not_understood_stays_so_without_facts_about_the_person(component, text):
    message = component.process([_message(text, "nlu_fallback", 0.3)])[0]
    assert message.get(INTENT)["name"] == "nlu_fallback"


@pytest.mark.parametrize("text", ["I feel terrible, please help", "something is very wrong"])
def test_a_red_flag_intent_with_no_red_flag_named_stands(component, text):
    message = component.process([_message(text, "report_red_flag", 0.9)])[0]
    assert message.get(INTENT)["name"] == "report_red_flag"
    assert message.get("intent_overruled") is None


def test_entities_with_roles(component):
    message = component.process([_message("mum had pernicious anaemia, I'm vegan, no tingling")])[0]
    got = {(e["entity"], e["value"], e.get("role")) for e in message.get(ENTITIES)}
    assert ("risk_factor", "pernicious_anaemia", "family") in got
    assert ("risk_factor", "vegan_diet", None) in got
    assert ("symptom", "paresthesia", "negated") in got


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "😀😀😀",
        "<script>alert(1)</script>",
        "Ich bin immer müde",
        "x" * 200_000,
        "no chest pain. " * 2000,
        None,
    ],
)
def test_odd_messages_do_not_crash(component, text):
    message = Message(data={TEXT: text} if text is not None else {})
    component.process([message])
    for entity in message.get(ENTITIES) or []:
        assert entity["extractor"] == "B12ClinicalExtractor"


@pytest.mark.parametrize("text", ["", "   ", "😀😀😀", "??? !!! 123", "x" * 1200])
def test_input_that_is_not_a_sentence_goes_to_the_fallback(component, text):
    message = component.process([_message(text, "start_check", 0.9)])[0]
    assert message.get(INTENT) == {"name": "nlu_fallback", "confidence": 1.0}
    assert message.get(INTENT_RANKING_KEY)[0]["name"] == "nlu_fallback"


def test_a_long_message_with_an_emergency_is_still_an_emergency(component):
    text = "I have been feeling awful for weeks. " * 30 + "Now I have chest pain."
    message = component.process([_message(text, "inform")])[0]
    assert message.get(INTENT)["name"] == "report_red_flag"


def test_an_ordinary_sentence_keeps_its_intent(component):
    message = component.process([_message("I feel tired all the time", "inform")])[0]
    assert message.get(INTENT)["name"] == "inform"


def test_default_config_carries_the_lexicon_fingerprint():
    assert (
        B12ClinicalExtractor.get_default_config()["lexicon_fingerprint"]
        == resources.patterns_fingerprint()
    )


def test_fingerprint_changes_when_a_phrase_changes(tmp_path, monkeypatch):
    from rasa.engine.training.fingerprinting import calculate_fingerprint_key

    def key() -> str:
        config = B12ClinicalExtractor.get_default_config()
        return calculate_fingerprint_key(B12ClinicalExtractor, config, {})

    before = key()
    copy = tmp_path / "patterns"
    shutil.copytree(resources.PATTERNS_DIR, copy)
    monkeypatch.setattr(resources, "PATTERNS_DIR", copy)
    assert key() == before
    extra = copy / "extra_phrases.yml"
    extra.write_text(extra.read_text() + "\n# a new phrase\n", encoding="utf-8")
    assert key() != before


@pytest.mark.slow
def test_trained_model_uses_the_component(tmp_path, monkeypatch):
    from rasa.core.agent import Agent
    from rasa.model_training import train_nlu

    monkeypatch.chdir(tmp_path)
    (tmp_path / "config.yml").write_text(
        textwrap.dedent(
            """
            recipe: default.v1
            language: en
            assistant_id: nlu-test
            pipeline:
              - name: WhitespaceTokenizer
              - name: CountVectorsFeaturizer
              - name: LogisticRegressionClassifier
              - name: bot.rasa_adapters.nlu_component.B12ClinicalExtractor
            policies: []
            """
        )
    )
    (tmp_path / "domain.yml").write_text(
        textwrap.dedent(
            """
            version: "3.1"
            intents: [greet, inform, report_red_flag]
            entities:
              - symptom:
                  roles: [negated, family, historical, hypothetical, uncertain]
              - risk_factor:
                  roles: [negated, family, historical, hypothetical, uncertain]
              - red_flag:
                  roles: [negated, family, historical, hypothetical, uncertain]
              - age
            """
        )
    )
    (tmp_path / "nlu.yml").write_text(
        textwrap.dedent(
            """
            version: "3.1"
            nlu:
              - intent: greet
                examples: |
                  - hi
                  - hello
                  - hey there
                  - good morning
              - intent: inform
                examples: |
                  - I am tired
                  - my feet tingle
                  - I'm vegan
                  - I take metformin
              - intent: report_red_flag
                examples: |
                  - I have chest pain
                  - I fainted
                  - I can't breathe
            """
        )
    )
    model = train_nlu("config.yml", "nlu.yml", str(tmp_path / "models"), domain="domain.yml")
    assert model
    agent = Agent.load(model)
    parsed = asyncio.run(agent.parse_message("hello, no chest pain but mum had pernicious anaemia"))
    roles = {(e["entity"], e["value"], e.get("role")) for e in parsed["entities"]}
    assert ("red_flag", "chest_pain", "negated") in roles
    assert ("risk_factor", "pernicious_anaemia", "family") in roles
    assert parsed["intent"]["name"] != "report_red_flag"
    urgent = asyncio.run(agent.parse_message("hello, I'm 54 and I passed out"))
    assert urgent["intent"] == {"name": "report_red_flag", "confidence": 1.0}
    assert ("age", "54") in {(e["entity"], e["value"]) for e in urgent["entities"]}
