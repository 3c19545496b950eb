"""Next question, stopping, and applying answers."""

from __future__ import annotations

import pytest
from core_builders import make

from bot.errors import InputError
from bot.findings import Findings, Status
from bot.questions import apply_answer, next_question, rank_questions, should_stop


def test_first_question_is_age():
    question = next_question(Findings())
    assert question.id == "age" and question.kind == "number"


def test_diet_is_asked_when_unknown_and_offers_pescatarian():
    question = next_question(Findings(age=60))
    assert question.id == "diet" and question.kind == "choice"
    assert "pescatarian" in [value for value, _ in question.options]


def test_sex_and_pregnancy_asked_for_child_bearing_age_only():
    assert next_question(Findings(age=30)).id == "sex"
    assert next_question(Findings(age=30, sex="female")).id == "pregnancy"
    assert next_question(Findings(age=30, sex="male")).id == "diet"
    assert next_question(Findings(age=75)).id == "diet"


def test_red_flag_screening_comes_first_when_linked_to_a_symptom():
    # The emergency screens are one grouped question (was: one question per flag).
    findings = apply_answer(make("paresthesia", age=40), "diet", "omnivore")
    question = next_question(findings)
    assert question.id == "emergency_screen" and question.kind == "yes_no"
    assert question.red_flag
    assert "bladder" in question.text and "walk" in question.text


def test_breathless_person_is_asked_about_chest_pain_or_breathlessness_at_rest():
    findings = apply_answer(make("shortness_of_breath", age=70), "diet", "omnivore")
    assert next_question(findings).id == "emergency_screen"
    findings = apply_answer(findings, "emergency_screen", "yes")
    assert next_question(findings).id in ("chest_pain", "severe_breathlessness")


def test_emergency_stops_the_questions():
    findings = make("chest_pain")
    assert should_stop(findings)
    assert next_question(findings) is None


def test_unknown_answers_are_not_asked_again():
    findings = apply_answer(Findings(age=50), "diet", "omnivore")
    first = next_question(findings)
    after = apply_answer(findings, first.id, "unsure")
    assert after.status(first.id) is Status.UNKNOWN
    assert first.id not in [q.id for q in rank_questions(after)]


def test_a_conversation_ends():
    findings = Findings()
    answers = {"age": "45", "sex": "male", "diet": "omnivore", "family_history": "none"}
    for _ in range(60):
        question = next_question(findings)
        if question is None:
            break
        findings = apply_answer(findings, question.id, answers.get(question.id, "no"))
    assert next_question(findings) is None
    assert should_stop(findings)


def test_symptoms_come_before_rare_surgeries():
    findings = apply_answer(Findings(age=50), "diet", "omnivore")
    ranked = [q.id for q in rank_questions(findings)]
    assert ranked.index("paresthesia") < ranked.index("ileal_resection")


@pytest.mark.parametrize(
    ("choice", "present"),
    [
        ("vegan", "vegan_diet"),
        ("vegetarian", "vegetarian_diet"),
        ("pescatarian", "pescatarian_diet"),
    ],
)
def test_diet_answers(choice, present):
    findings = apply_answer(Findings(), "diet", choice)
    assert findings.status(present) is Status.PRESENT
    others = {"vegan_diet", "vegetarian_diet", "pescatarian_diet"} - {present}
    assert all(findings.status(o) is Status.ABSENT for o in others)


def test_omnivore_and_unsure_diet():
    omni = apply_answer(Findings(), "diet", "omnivore")
    assert omni.status("vegan_diet") is Status.ABSENT
    unsure = apply_answer(Findings(), "diet", "unsure")
    assert unsure.status("vegan_diet") is Status.UNKNOWN
    assert "diet" in unsure.asked


def test_age_sex_pregnancy_and_family_answers():
    findings = apply_answer(Findings(), "age", "67")
    assert findings.age == 67
    assert apply_answer(findings, "sex", "Female").sex == "female"
    assert apply_answer(findings, "pregnancy", "yes").pregnant is Status.PRESENT
    family = apply_answer(findings, "family_history", "pernicious_anaemia")
    assert family.family_status("pernicious_anaemia") is Status.PRESENT
    none = apply_answer(findings, "family_history", "none")
    assert none.family_status("autoimmune_thyroid") is Status.ABSENT


def test_unsure_never_erases_an_earlier_answer():
    findings = apply_answer(make("metformin"), "metformin", "unsure")
    assert findings.status("metformin") is Status.PRESENT


@pytest.mark.parametrize(
    ("qid", "answer"),
    [
        ("age", "sixty"),
        ("age", "-3"),
        ("age", "150"),
        ("age", "40.5"),
        ("sex", "other"),
        ("diet", "carnivore"),
        ("fatigue", "sometimes"),
        ("family_history", "gout"),
    ],
)
def test_invalid_answers_raise_value_error_with_a_message(qid, answer):
    with pytest.raises(ValueError) as info:
        apply_answer(Findings(), qid, answer)
    assert "I106" in str(info.value)


def test_unknown_question_id_raises():
    with pytest.raises(InputError) as info:
        apply_answer(Findings(), "favourite_colour", "yes")
    assert info.value.code == "I105"


def test_asked_questions_survive_a_round_trip_through_json():
    findings = apply_answer(Findings(), "sex", "unsure")
    assert Findings.from_dict(findings.to_dict()).asked == {"sex"}


# ---------------------------------------------------------------- presentation and progress


def test_a_long_checklist_is_asked_as_one_line_per_item():
    from bot.knowledge import load_knowledge
    from bot.questions import as_checklist

    group = load_knowledge().questions["screen_groups"]["emergency_screen"]
    text = as_checklist(group.question)
    lead, items = text.split("\n\n")
    assert lead.endswith("any of these?")
    lines = items.splitlines()
    assert len(lines) == len(group.members) and all(line.startswith("- ") for line in lines)
    assert "- chest pain or tightness" in lines
    # Short questions stay as written.
    short = load_knowledge().questions["screen_groups"]["bleeding_screen"].question
    assert as_checklist(short) == short
    assert as_checklist("How old are you?") == "How old are you?"


@pytest.mark.parametrize(
    ("text", "going_back"),
    [
        ("go back", True),
        ("Go back one question", True),
        ("change my last answer", True),
        ("sorry, undo that answer", True),
        ("previous question please", True),
        ("go back to the beginning", False),
        ("my back hurts", False),
        ("I went back to work", False),
        ("no", False),
    ],
)
def test_going_back_is_a_whole_request(text, going_back):
    from bot.questions import asks_to_go_back

    assert asks_to_go_back(text) is going_back


def test_progress_counts_down_to_the_cores_own_stop():
    from bot.questions import apply_answer, next_question, progress, questions_left

    findings = Findings()
    start = progress(findings, 0)
    assert start.number == 1 and start.about == questions_left(findings) >= 2
    assert start.words() == f"Question 1 of about {start.about}"
    # Playing the interview with the likeliest answers ends exactly where the estimate said.
    answered = 0
    while (question := next_question(findings)) is not None:
        assert progress(findings, answered).about == start.about
        answer = "no" if question.kind == "yes_no" else "unsure"
        findings = apply_answer(findings, question.id, answer)
        answered += 1
    assert answered == start.about
    assert questions_left(findings) == 0
