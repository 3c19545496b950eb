"""Wording for someone checked on another's behalf: every text said to the person
checked has a variant, each variant reads right for "he", "she" and "they", and
the loader refuses a knowledge base where one is missing or misused."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.errors import KnowledgeError
from bot.knowledge import load_knowledge
from bot.knowledge.loader import QUESTION_IDS, load_from
from bot.person_words import (
    PERSON_PLACEHOLDERS,
    PersonWords,
    for_person,
    person_table,
    worded,
)
from bot.services import services

KB = load_knowledge()

# Who the variants are filled for: a male, a female and a "they" subject, named by a
# relation and by a pronoun alone ("the person you're asking for").
SUBJECTS = {
    "father": PersonWords.of("father"),
    "wife": PersonWords.of("wife"),
    "partner": PersonWords.of("partner"),
    "she": PersonWords.of("she"),
    "they": PersonWords.of("they"),
}

# The only places a variant may say "you": phrases addressed to the helper, who is
# the one reading. Everything else must be about the person checked.
HELPER_PHRASES = (
    "You said",  # screen messages: what the helper told us
    "You don't need to know which one it is to get help",
    "You mentioned",  # triage reasons: what the helper told us
    "for you too",  # crisis lines are for the helper as well
    "(or your local urgent care line)",  # {urgent_care}: the number the helper calls
)
_SECOND_PERSON = re.compile(r"\b(?:you|your|yours|yourself)\b", re.IGNORECASE)


def _variants() -> list[tuple[str, str, str]]:
    """(where, original, variant) for every text said to the person checked."""
    out = []
    for f in KB.findings.values():
        out.append((f"finding {f.id} question", f.question, f.question_other))
        if f.message is not None:
            out.append((f"finding {f.id} message", f.message, f.message_other or ""))
    for gid, group in KB.questions["screen_groups"].items():
        out.append((f"screen {gid} question", group.question, group.question_other))
        out.append((f"screen {gid} message", group.message, group.message_other))
    for qid in QUESTION_IDS:
        own = KB.questions["demographics"][qid]
        out.append((f"demographic {qid}", own, KB.questions["demographics_other"][qid]))
    for lid, level in KB.triage.levels.items():
        out.append((f"level {lid} title", level.title, level.title_other))
        out.append((f"level {lid} advice", level.advice, level.advice_other))
    for i, line in enumerate(KB.triage.crisis_lines):
        out.append((f"crisis line {i}", line.text, line.text_other))
    for rule in KB.triage.rules:
        out.append((f"rule {rule.id} reason", rule.reason, rule.reason_other))
    for test in KB.tests:
        out.append((f"test {test.id} name", test.name, test.name_other))
        out.append((f"test {test.id} reason", test.reason, test.reason_other))
    return out


VARIANTS = _variants()


def _without_helper_words(text: str, words: PersonWords) -> str:
    for phrase in (words.person, words.Person, *HELPER_PHRASES):
        text = text.replace(phrase, " ")
    return text


# ---------------------------------------------------------------------------- coverage


def test_every_question_message_and_advice_has_its_variant():
    for f in KB.findings.values():
        assert f.question_other and f.question_other != f.question, f.id
        assert (f.message_other is not None) == (f.message is not None), f.id
    for gid, group in KB.questions["screen_groups"].items():
        assert group.question_other and group.message_other, gid
    assert set(KB.questions["demographics_other"]) == set(KB.questions["demographics"])
    for level in KB.triage.levels.values():
        assert level.title_other and level.advice_other, level.id
    assert all(line.text_other for line in KB.triage.crisis_lines)


@pytest.mark.parametrize(("where", "own", "other"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_a_text_that_speaks_to_you_has_its_own_variant(where, own, other):
    if _SECOND_PERSON.search(own):
        assert other != own, where
    assert other


def test_variant_counts():
    """Every finding has its question for someone else, every red flag its message."""
    findings = KB.findings.values()
    assert sum(1 for f in findings if f.question_other) == len(KB.findings)
    red_flags = [f for f in findings if f.kind == "red_flag"]
    assert sum(1 for f in findings if f.message_other) == len(red_flags)
    assert len(KB.questions["screen_groups"]) * 2 == 4
    assert len(KB.questions["demographics_other"]) == 5


# ---------------------------------------------------------------------------- filled


@pytest.mark.parametrize("subject", sorted(SUBJECTS))
@pytest.mark.parametrize(("where", "own", "other"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_filled_variant_is_complete_and_about_them(where, own, other, subject):
    words = SUBJECTS[subject]
    filled = for_person(other, words)
    assert "{" not in filled and "}" not in filled, (where, filled)
    rest = _without_helper_words(filled, words)
    assert not _SECOND_PERSON.search(rest), (where, subject, filled)
    for number in (*services().numbers(), services().urgent_care_name):
        if number in own:
            assert number in filled, (where, number)


@pytest.mark.parametrize(("where", "own", "other"), VARIANTS, ids=[v[0] for v in VARIANTS])
def test_variant_grammar_holds_for_every_pronoun(where, own, other):
    # {they} followed by a verb that agrees ("he is" / "they is") cannot fit all three.
    assert not re.search(r"\{they\} (?:is|are|has|have|does|do|was|were)\b", other), where
    assert not re.search(r"\{[Pp]erson\}'s\b", other), where
    # The sentence-initial form only at the start of a sentence, the plain one elsewhere.
    assert not re.search(r"(?:^|[.?!:] )\{person\}", other), where
    assert not re.search(r"[a-z,;] \{Person\}", other), where


def test_questions_name_the_person_before_any_pronoun():
    for where, _, other in VARIANTS:
        names = re.findall(r"\{(\w+)\}", other)
        person = [n for n in names if n in PERSON_PLACEHOLDERS]
        if person:
            assert person[0] in ("person", "Person"), where


def test_emergency_messages_for_someone_else_tell_the_helper_to_stay():
    for f in KB.by_kind("red_flag"):
        if f.urgency == "emergency":
            assert "stay with {them}" in f.message_other, f.id
    assert "stay with {them}" in KB.triage.levels["emergency"].advice_other
    assert "{person}" in KB.triage.crisis_lines[0].text_other


# ---------------------------------------------------------------------------- for_person


def test_for_person_examples():
    dad, wife, son = PersonWords.of("father"), PersonWords.of("wife"), PersonWords.of("son")
    assert (
        for_person(KB.get("chest_pain").question_other, dad)
        == "Does your dad have any chest pain or tightness right now or that comes on with effort?"
    )
    pregnancy = KB.questions["demographics_other"]["pregnancy"]
    assert for_person(pregnancy, wife) == "Is your wife pregnant at the moment, or could she be?"
    assert for_person(pregnancy, PersonWords.of("they")) == (
        "Is the person you're asking for pregnant at the moment, or could they be?"
    )
    assert for_person(KB.questions["demographics_other"]["age"], son) == "How old is your son?"
    advice = for_person(KB.triage.levels["emergency"].advice_other, dad)
    assert "take your dad to the nearest A&E" in advice and "stay with him" in advice
    assert "999" in advice
    urgent = for_person(KB.triage.levels["urgent"].title_other, PersonWords.of("she"))
    assert urgent == "The person you're asking for should see a doctor today or within 48 hours"


def test_person_words_by_relation_pronoun_and_writer_word():
    assert PersonWords.of("father") == PersonWords("your dad", "Your dad", "him", "his", "he")
    assert PersonWords.of("mother", word="My Mam").person == "your mam"
    # A word the table does not know (a name, a typo) never reaches a message.
    assert PersonWords.of("mother", word="Sarah").person == "your mum"
    assert PersonWords.of("neighbour", word="Sarah").person == "your neighbour"
    she = PersonWords.of("she")
    assert (she.person, she.them, she.their, she.they) == (
        "the person you're asking for",
        "her",
        "her",
        "she",
    )
    assert PersonWords.of("partner").they == "they"
    assert PersonWords.of("partner", pronoun="he").their == "his"
    unknown = PersonWords.of("godparent")
    assert (unknown.person, unknown.them) == ("the person you're asking for", "them")
    with pytest.raises(ValueError):
        PersonWords.of("self")


def test_for_person_refuses_unknown_placeholders_and_keeps_named_ones():
    dad = PersonWords.of("father")
    with pytest.raises(KeyError, match="thier"):
        for_person("{Person} and {thier} GP", dad)
    assert for_person("{Person} waits {seconds} s", dad, keep=["seconds"]) == (
        "Your dad waits {seconds} s"
    )
    assert worded("How old are you?", "How old is {person}?", None) == "How old are you?"
    assert worded("How old are you?", "How old is {person}?", dad) == "How old is your dad?"


def test_person_table_is_consistent():
    table = person_table()
    for key, (pronoun, words) in table.relations.items():
        assert pronoun in table.pronouns, key
        assert words and len(set(words)) == len(words), key


# ---------------------------------------------------------------------------- loader


def _edit(folder: Path, file: str, change: Callable[[Any], Any]) -> None:
    path = folder / file
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def _finding(data: dict, fid: str) -> dict:
    return next(e for e in data["findings"] if e["id"] == fid)


def _rule(data: dict, rid: str, key: str = "rules") -> dict:
    return next(e for e in data[key] if e["id"] == rid)


BROKEN = [
    ("findings.yml", lambda d: _finding(d, "fatigue").pop("question_other"), "K021"),
    ("findings.yml", lambda d: _finding(d, "chest_pain").pop("message_other"), "K021"),
    ("questions.yml", lambda d: d["screen_groups"]["emergency_screen"].pop("question_other"),
     "K021"),
    ("questions.yml", lambda d: d["screen_groups"]["bleeding_screen"].pop("message_other"), "K021"),
    ("questions.yml", lambda d: d["demographics_other"].pop("pregnancy"), "K021"),
    ("questions.yml", lambda d: d.pop("demographics_other"), "K021"),
    ("questions.yml", lambda d: d["demographics_other"].update(height="How tall?"), "K003"),
    ("triage.yml", lambda d: d["levels"]["emergency"].pop("advice_other"), "K021"),
    ("triage.yml", lambda d: d["levels"]["routine"].pop("title_other"), "K021"),
    ("triage.yml", lambda d: d["crisis_lines"][0].pop("text_other"), "K021"),
    ("triage.yml", lambda d: _rule(d, "symptom_and_risk_factor").pop("reason_other"), "K021"),
    ("tests.yml", lambda d: _rule(d, "fbc", "tests").pop("reason_other"), "K021"),
    # unknown placeholders, for the person or for a number
    ("findings.yml", lambda d: _finding(d, "fatigue").update(question_other="Is {thier} ok?"),
     "K022"),
    ("findings.yml", lambda d: _finding(d, "fatigue").update(question_other="Is {Persn} ok?"),
     "K022"),
    ("findings.yml", lambda d: _finding(d, "fatigue").update(question_other="Is {They} ok?"),
     "K022"),
    ("triage.yml", lambda d: d["levels"]["urgent"].update(advice="Call {urgent_car}."), "K022"),
    # person placeholders where no one else is meant, or used so they read badly
    ("findings.yml", lambda d: _finding(d, "fatigue").update(question="Is {person} tired?"),
     "K023"),
    ("findings.yml", lambda d: _finding(d, "fatigue").update(label="{Person} is tired"), "K023"),
    ("findings.yml", lambda d: _finding(d, "fatigue").update(question_other="Tired?"), "K023"),
    ("findings.yml",
     lambda d: _finding(d, "tinnitus").update(question_other="Are {their} ears ringing?"),
     "K023"),
    ("findings.yml",
     lambda d: _finding(d, "tinnitus").update(question_other="Are {person}'s ears ringing?"),
     "K023"),
    # a variant must give the numbers the original gives
    ("findings.yml",
     lambda d: _finding(d, "chest_pain").update(message_other="Take {person} to A&E now."),
     "K019"),
    ("questions.yml",
     lambda d: d["screen_groups"]["bleeding_screen"].update(
         message_other="{Person} should see a GP today."
     ),
     "K019"),
]


@pytest.mark.parametrize(("file", "change", "code"), BROKEN)
def test_missing_or_misused_variant_is_refused(kb_copy, file, change, code):
    _edit(kb_copy, file, change)
    with pytest.raises(KnowledgeError) as info:
        load_from(kb_copy)
    assert info.value.code == code, str(info.value)
    assert file in str(info.value)


def test_missing_variant_message_names_the_field(kb_copy):
    _edit(kb_copy, "findings.yml", lambda d: _finding(d, "headache").pop("question_other"))
    with pytest.raises(KnowledgeError) as info:
        load_from(kb_copy)
    assert "headache" in str(info.value) and "'question_other'" in str(info.value)


def test_a_reason_that_does_not_speak_to_you_needs_no_variant(kb_copy):
    _edit(kb_copy, "triage.yml", lambda d: _rule(d, "new_neuro_symptoms").pop("reason_other", None))
    kb = load_from(kb_copy)
    rule = next(r for r in kb.triage.rules if r.id == "new_neuro_symptoms")
    assert rule.reason_other == rule.reason


def test_writer_words_are_matched_as_people_write_them():
    assert PersonWords.of("mother_in_law", word="my Mother in law").person == "your mother-in-law"
    assert PersonWords.of("they", word="my stepdad").person == "your stepdad"
    assert PersonWords.of("someone").person == "the person you're asking for"


def test_every_relation_of_people_yml_is_named_with_its_own_pronoun():
    """One table: how a person is recognised and how they are named live in people.yml."""
    people_file = Path(__file__).resolve().parents[2] / "bot/knowledge/data/people.yml"
    relations = yaml.safe_load(people_file.read_text(encoding="utf-8"))["relations"]
    table = person_table().relations
    for key, entry in relations.items():
        if key in ("family", "someone", "in_laws", "step_sibling"):
            continue  # not one person to name: "the person you're asking for"
        assert key in table, key
        assert table[key][0] == entry["pronoun"], key
