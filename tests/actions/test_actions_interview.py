"""The interview form: questions, answers, "not sure", limits and interruptions."""

from __future__ import annotations

import pytest

from bot.findings import Extraction, Findings, Mention, Status


def start(convo, findings: Findings | None = None):
    if findings is not None:
        convo.set_slot("findings", findings.to_dict())
    convo.user("/start_check", "start_check")
    return convo.form()


def test_starting_asks_the_most_useful_question_first_with_a_kind_intro(convo):
    validation, ask, rejected = start(convo)
    assert not rejected and convo.active
    assert validation.texts == [
        "I'll ask a few short questions. Tap a button or answer in your own words."
    ]
    assert ask.responses[0]["text"] == "How old are you?"
    assert [b["title"] for b in ask.responses[0]["buttons"]] == ["I'd rather not say"]
    assert convo.slot("interview_question") == "age"


def test_age_in_free_text_is_applied_and_not_asked_again(convo):
    start(convo)
    convo.user("I'm 54", "inform")
    _validation, ask, rejected = convo.form()
    assert not rejected
    assert convo.findings().age == 54
    assert ask is not None and ask.responses[0]["text"] != "How old are you?"
    assert "age" in convo.slot("asked_questions")


def test_yes_no_questions_get_three_buttons_and_button_answers_are_applied(convo):
    from bot.questions import apply_answer

    before = Findings(age=40, sex="male").with_item("shortness_of_breath", Status.PRESENT)
    start(convo, before)
    question_id = convo.slot("interview_question")
    buttons = convo.said[-1]["buttons"]
    assert [(b["title"], b["payload"]) for b in buttons] == [
        ("Yes", "/affirm"),
        ("No", "/deny"),
        ("Not sure", "/unsure"),
    ]
    convo.user("/deny", "deny")
    convo.form()
    assert convo.findings() == apply_answer(before, question_id, "no")


def test_not_sure_stays_unknown_and_is_never_asked_again(convo):
    from bot.questions import apply_answer

    before = Findings(age=40, sex="male").with_item("shortness_of_breath", Status.PRESENT)
    start(convo, before)
    first = convo.slot("interview_question")
    convo.user("/unsure", "unsure")
    convo.form()
    assert convo.findings() == apply_answer(before, first, "unsure")
    assert convo.findings().status(first) is Status.UNKNOWN
    asked_later = []
    for _ in range(6):
        if not convo.active:
            break
        asked_later.append(convo.slot("interview_question"))
        convo.user("/unsure", "unsure")
        convo.form()
    assert first not in asked_later
    assert len(asked_later) == len(set(asked_later))


def test_a_yes_to_a_red_flag_screen_sends_emergency_advice_before_anything_else(convo):
    start(convo, Findings(age=40, sex="male").with_item("shortness_of_breath", Status.PRESENT))
    screen = convo.said[-1]["text"]
    assert "chest pain" in screen.lower()  # breathlessness brings the safety check first
    convo.user("/affirm", "affirm")
    validation, _ask, _ = convo.form()
    assert "999" in validation.texts[0]
    assert convo.slot("announced_red_flags")


def test_words_in_an_answer_are_folded_in_too(convo, entities_for):
    start(convo, Findings(age=40, sex="male").with_item("shortness_of_breath", Status.PRESENT))
    vegan = entities_for(Extraction(mentions=[Mention("vegan_diet", text="vegan")]))
    convo.user("yes, and I'm vegan too", "affirm", vegan)
    convo.form()
    assert convo.findings().status("vegan_diet") is Status.PRESENT
    assert len(convo.slot("asked_questions")) == 1  # the "yes" answered the question


def test_replies_that_are_not_answers_twice_leave_the_question_and_move_on(convo):
    start(convo)
    convo.user("purple", "nlu_fallback", confidence=0.2)
    validation, ask, rejected = convo.form()
    assert not rejected
    assert validation.texts == [
        "Sorry, I didn't catch an answer to that. You can tap a button, or answer in your own "
        "words."
    ]
    assert ask.responses[0]["text"] == "How old are you?"
    convo.user("banana", "nlu_fallback", confidence=0.2)
    validation, ask, _ = convo.form()
    assert validation.texts == ["No problem, let's leave that one."]
    assert ask.responses[0]["text"] != "How old are you?"
    assert convo.findings().age is None


def test_an_impossible_age_is_refused_politely_and_asked_again(convo):
    start(convo)
    convo.user("I'm 430", "inform")
    validation, ask, _ = convo.form()
    assert validation.texts == ["Sorry, I couldn't use that answer."]
    assert ask.responses[0]["text"] == "How old are you?"
    assert convo.findings().age is None


@pytest.mark.parametrize(
    "intent", ["faq", "ask_why", "report_lab", "correct", "report_red_flag", "restart"]
)
def test_interruptions_are_rejected_so_a_rule_can_answer_them(convo, intent):
    start(convo)
    convo.user("something else", intent)
    validation, ask, rejected = convo.form()
    assert rejected and validation.events == [] and validation.responses == []
    assert convo.slot("interview_question") == "age"


def test_after_an_interruption_the_form_asks_the_pending_question_again(convo):
    start(convo)
    convo.user("what is b12?", "faq")
    assert convo.form()[2]
    from rasa.shared.core.events import ActionExecuted

    # The rule's FAQ answer is a response Rasa sends itself, no action server call.
    convo.tracker.update(ActionExecuted("utter_faq"))
    validation, ask, rejected = convo.form()
    assert not rejected and validation.responses == []
    assert ask.responses[0]["text"] == "How old are you?"


def test_choice_questions_accept_their_button_labels(convo):
    start(convo, Findings(age=40))
    assert convo.slot("interview_question") == "sex"
    titles = [b["title"] for b in convo.said[-1]["buttons"]]
    assert "Female" in titles and "Prefer not to say" in titles
    assert "Not sure" not in titles  # the core's own "unsure" option is enough
    convo.user("Female", "inform")
    convo.form()
    assert convo.findings().sex == "female"


def test_the_interview_stops_at_the_cores_question_limit_and_nowhere_else(convo):
    """One limit, the core's: the conversation layer adds no second, blunter one."""
    from bot.knowledge import load_knowledge

    limit = load_knowledge().questions["max_questions"]
    start(convo, Findings(age=40, sex="male"))
    answered = 0
    while convo.active and answered < limit + 5:
        convo.user("/unsure", "unsure")
        convo.form()
        answered += 1
    assert not convo.active
    assert convo.findings().asked, "the answers should have been recorded"
    assert len(convo.findings().asked) <= limit


def test_greetings_during_the_interview_just_repeat_the_question(convo):
    start(convo)
    convo.user("hello", "greet")
    validation, ask, rejected = convo.form()
    assert not rejected and validation.responses == []
    assert ask.responses[0]["text"] == "How old are you?"
    assert convo.slot("interview_attempts") == 0


@pytest.mark.parametrize("text", ["for 3 months", "about 2 weeks ago"])
def test_a_number_about_time_is_not_taken_as_an_age(convo, text):
    start(convo)
    convo.user(text, "inform")
    convo.form()
    assert convo.findings().age is None


def test_useful_words_that_do_not_answer_are_noted_and_the_question_asked_again(
    convo, entities_for
):
    start(convo)
    vegan = entities_for(Extraction(mentions=[Mention("vegan_diet", text="vegan")]))
    convo.user("I'm vegan", "inform", vegan)
    validation, ask, _ = convo.form()
    assert validation.texts[0].startswith("Thanks, I've noted:")
    assert ask.responses[0]["text"] == "How old are you?"
    assert convo.slot("interview_attempts") == 0


def test_no_to_a_which_of_these_question_means_none_of_them():
    from actions.interview import answer_from_message
    from bot.questions import Question

    family = Question(
        "family_history",
        "Has a relative had any of these?",
        "choice",
        (("pernicious_anaemia", "Pernicious anaemia"), ("none", "None of these")),
    )
    assert answer_from_message(family, "deny", "no") == "none"
    assert answer_from_message(family, "inform", "None of these") == "none"
    sex = Question("sex", "What sex?", "choice", (("female", "Female"), ("male", "Male")))
    assert answer_from_message(sex, "deny", "no") is None


@pytest.mark.parametrize(
    ("text", "intent"),
    [("x" * 3000, "faq"), ("<script>alert(1)</script>", "out_of_scope"), ("😀😀😀", "greet")],
)
def test_input_that_is_not_a_sentence_is_not_acted_on_inside_the_interview(convo, text, intent):
    start(convo)
    convo.user(text, intent, confidence=0.9)
    validation, ask, rejected = convo.form()
    assert not rejected  # no FAQ answer or other guess
    assert validation.texts[0].startswith(("That's a long message", "I can only read plain"))
    assert ask.responses[0]["text"] == "How old are you?"


def test_a_bare_number_is_still_an_age(convo):
    start(convo)
    convo.user("54", "nlu_fallback", confidence=0.2)
    convo.form()
    assert convo.findings().age == 54


def test_a_short_sentence_with_a_number_is_not_mistaken_for_odd_input(convo):
    start(convo, Findings(age=40, sex="male").with_item("shortness_of_breath", Status.PRESENT))
    convo.user("I'm 58", "inform")
    validation, _ask, _ = convo.form()
    assert not any(t.startswith("I can only read plain") for t in validation.texts)
