"""Structural checks of the intent training data and the FAQ answers.

The intent names are a contract with the dialogue (domain, rules, stories): a renamed or
thinly trained intent breaks conversations silently, so these checks run on every commit,
long before a model is trained. Cross-validation lives in test_intent_cross_validation.py.
"""

from __future__ import annotations

import re
from collections import defaultdict
from functools import cache
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DATA_DIR = ROOT / "data"
NLU_DIR = DATA_DIR / "nlu"
# The interview's intents in data/nlu.yml, the rest beside it in data/nlu/.
NLU_FILES = (DATA_DIR / "nlu.yml", *sorted(NLU_DIR.glob("**/*.yml")))
RESPONSES_FILE = NLU_DIR / "faq_responses.yml"
SEED_ARTICLE = ROOT.parent / "shared" / "docs" / "seed-article.txt"

CONTRACT_INTENTS = (
    "greet",
    "goodbye",
    "thank",
    "affirm",
    "deny",
    "unsure",
    "start_check",
    "inform",
    "report_lab",
    "correct",
    "ask_why",
    "ask_tests",
    "request_summary",
    "restart",
    "help",
    "bot_challenge",
    "out_of_scope",
    "other_language",
    "report_red_flag",
    "give_consent",
    "refuse_consent",
    "delete_my_data",
)
RETRIEVAL_INTENT = "faq"
REQUIRED_FAQ_TOPICS = (
    "what_is_b12",
    "what_is_deficiency",
    "causes",
    "pernicious_anaemia",
    "risk_groups",
    "symptoms",
    "complications",
    "diagnosis_tests",
    "test_results",
    "treatment",
    "injections",
    "oral_tablets",
    "treatment_duration",
    "vegan_sources",
    "food_sources",
    "supplements",
    "daily_intake",
    "folate",
    "nitrous_oxide",
    "medicines",
    "pregnancy_breastfeeding",
    "children_babies",
    "too_much_b12",
    "recovery_time",
    "prevention",
    "about_this_assistant",
)
MIN_EXAMPLES = 20
MIN_FAQ_EXAMPLES = 10
# `inform` carries the whole interview, so it needs far more variety than a yes or no.
MIN_INFORM_EXAMPLES = 120
COPY_RUN_WORDS = 12


@cache
def examples_by_intent() -> dict[str, tuple[str, ...]]:
    """Every training example, keyed by full intent name (``faq/causes``), from all files."""
    found: dict[str, list[str]] = defaultdict(list)
    for path in NLU_FILES:
        document = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
        for item in document.get("nlu", []) or []:
            if "intent" not in item:
                continue
            lines = item.get("examples", "").splitlines()
            found[item["intent"]].extend(
                line.strip()[2:].strip() for line in lines if line.strip().startswith("- ")
            )
    return {intent: tuple(texts) for intent, texts in found.items()}


@cache
def faq_answers() -> dict[str, str]:
    """FAQ answer text keyed by sub-intent name (``causes``), joined over variations."""
    document = yaml.safe_load(RESPONSES_FILE.read_text(encoding="utf-8"))
    answers = {}
    for name, variations in document["responses"].items():
        assert name.startswith(f"utter_{RETRIEVAL_INTENT}/"), name
        answers[name.split("/", 1)[1]] = " ".join(v["text"] for v in variations)
    return answers


def faq_topics() -> set[str]:
    prefix = f"{RETRIEVAL_INTENT}/"
    return {name[len(prefix) :] for name in examples_by_intent() if name.startswith(prefix)}


def normalise(text: str) -> str:
    """Lowercase words only, so that "Hi!" and "hi" count as the same example."""
    return " ".join(re.findall(r"[a-z0-9\u00c0-\uffff']+", text.lower()))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower().replace("\u2019", "'").replace("'", ""))


def sentences(text: str) -> list[str]:
    """Split on sentence ends, not on the dot of an abbreviation such as "H. pylori"."""
    protected = re.sub(r"\b([A-Z])\. (?=[a-z])", r"\1 ", text)
    return [part for part in re.split(r"(?<=[.!?])\s+", protected.strip()) if part]


@pytest.mark.parametrize("intent", CONTRACT_INTENTS)
def test_every_contract_intent_has_enough_examples(intent: str) -> None:
    count = len(examples_by_intent().get(intent, ()))
    assert count >= MIN_EXAMPLES, f"{intent} has {count} examples, needs {MIN_EXAMPLES}"


def test_inform_has_the_most_variety() -> None:
    count = len(examples_by_intent()["inform"])
    assert count >= MIN_INFORM_EXAMPLES, f"inform has only {count} examples"


def test_no_intent_outside_the_contract() -> None:
    allowed = set(CONTRACT_INTENTS)
    unknown = {
        name
        for name in examples_by_intent()
        if name not in allowed and not name.startswith(f"{RETRIEVAL_INTENT}/")
    }
    assert not unknown, f"intents the dialogue does not know about: {sorted(unknown)}"


@pytest.mark.parametrize("topic", REQUIRED_FAQ_TOPICS)
def test_every_required_faq_topic_is_trained(topic: str) -> None:
    count = len(examples_by_intent().get(f"{RETRIEVAL_INTENT}/{topic}", ()))
    assert count >= MIN_FAQ_EXAMPLES, f"faq/{topic} has {count} questions"


def test_every_faq_topic_has_an_answer_and_every_answer_a_topic() -> None:
    trained, answered = faq_topics(), set(faq_answers())
    assert trained - answered == set(), "questions without an answer"
    assert answered - trained == set(), "answers no question leads to"


def test_no_example_is_claimed_by_two_intents() -> None:
    owners: dict[str, set[str]] = defaultdict(set)
    for intent, texts in examples_by_intent().items():
        for text in texts:
            owners[normalise(text)].add(intent)
    clashes = {text: sorted(names) for text, names in owners.items() if len(names) > 1}
    assert not clashes, f"examples in more than one intent: {clashes}"


def test_no_example_is_repeated_within_an_intent() -> None:
    repeated = {}
    for intent, texts in examples_by_intent().items():
        seen: set[str] = set()
        for text in texts:
            key = normalise(text)
            if key in seen:
                repeated.setdefault(intent, []).append(text)
            seen.add(key)
    assert not repeated, f"repeated examples: {repeated}"


def test_rasa_reads_the_same_examples_and_answers() -> None:
    """Rasa's own loader must see every example and answer; YAML that parses is not enough."""
    loading = pytest.importorskip("rasa.shared.nlu.training_data.loading")
    from rasa.shared.data import get_nlu_directory

    # As `rasa train` and `rasa test nlu --nlu data` read it: the NLU files among data/.
    data = loading.load_data(get_nlu_directory(str(DATA_DIR)))
    by_intent: dict[str, int] = defaultdict(int)
    for example in data.intent_examples:
        by_intent[example.get_full_intent()] += 1
    expected = {name: len(texts) for name, texts in examples_by_intent().items()}
    assert dict(by_intent) == expected
    assert set(data.responses) == {f"utter_{RETRIEVAL_INTENT}/{t}" for t in faq_answers()}


@pytest.mark.parametrize("topic", REQUIRED_FAQ_TOPICS)
def test_faq_answer_is_short(topic: str) -> None:
    """Two to six sentences of at most ~35 words: answers people read on a phone."""
    parts = sentences(faq_answers()[topic])
    assert 2 <= len(parts) <= 6, f"faq/{topic} has {len(parts)} sentences"
    longest = max(parts, key=lambda s: len(words(s)))
    assert len(words(longest)) <= 40, f"faq/{topic} has a long sentence: {longest}"


DIAGNOSING = re.compile(
    r"\byou (have|are suffering from) (a )?(b12 deficiency|pernicious an(a)?emia)"
    r"|\byou are (b12 )?deficient\b|\bI diagnose\b|\bI prescribe\b"
    r"|^take \d|\. take \d|\byou (should|must) take \d",
    re.IGNORECASE,
)


@pytest.mark.parametrize("topic", REQUIRED_FAQ_TOPICS)
def test_faq_answer_neither_diagnoses_nor_prescribes(topic: str) -> None:
    text = faq_answers()[topic]
    match = DIAGNOSING.search(text)
    assert match is None, f"faq/{topic} says {match.group(0)!r}"


def test_answers_about_treatment_attribute_it_to_doctors() -> None:
    """Doses are facts about what doctors do, never instructions to the reader."""
    for topic in ("treatment", "injections", "oral_tablets"):
        assert re.search(r"\bdoctors?\b", faq_answers()[topic]), topic


@cache
def seed_runs() -> frozenset[tuple[str, ...]]:
    """Every run of COPY_RUN_WORDS consecutive words in the seed article."""
    if not SEED_ARTICLE.is_file():
        pytest.skip(f"seed article not found at {SEED_ARTICLE}; the copy check needs it")
    seed = words(SEED_ARTICLE.read_text(encoding="utf-8"))
    return frozenset(
        tuple(seed[i : i + COPY_RUN_WORDS]) for i in range(len(seed) - COPY_RUN_WORDS + 1)
    )


def first_copied_run(text: str) -> str | None:
    """The first COPY_RUN_WORDS-word run of ``text`` that also appears in the seed article."""
    runs = seed_runs()
    answer = words(text)
    for i in range(len(answer) - COPY_RUN_WORDS + 1):
        run = tuple(answer[i : i + COPY_RUN_WORDS])
        if run in runs:
            return " ".join(run)
    return None


def test_faq_answers_do_not_copy_the_seed_article() -> None:
    copied = {topic: first_copied_run(text) for topic, text in faq_answers().items()}
    copied = {topic: run for topic, run in copied.items() if run}
    assert not copied, f"answers repeating {COPY_RUN_WORDS} words of the seed article: {copied}"


def test_copy_check_catches_a_lifted_sentence_but_not_a_paraphrase() -> None:
    """Guard the guard: case and punctuation changes must not hide a copied sentence."""
    if not SEED_ARTICLE.exists():
        pytest.skip(f"seed article not found at {SEED_ARTICLE}; the copy check needs it")
    # A sentence of the article itself, shouted and re-punctuated (read at run time, so
    # this file never holds a copy of it).
    sentence = max(SEED_ARTICLE.read_text(encoding="utf-8").split("."), key=len)
    lifted = "Good question! " + sentence.upper().replace(",", ";") + "!"
    paraphrase = (
        "Intrinsic factor is a protein made in the stomach, and without it the gut "
        "takes up very little B12 from food."
    )
    assert first_copied_run(lifted) is not None
    assert first_copied_run(paraphrase) is None
