"""What a person meets along the way: progress, going back, the age as a number,
whom the check is for, the question about keeping results, deleting, and the
follow-ups that stay on offer."""

from __future__ import annotations

from bot.findings import Findings, Status

# Age, sex and diet known, so the interview's questions are yes / no ones.
KNOWN = (
    Findings(age=40, sex="male")
    .with_item("vegan_diet", Status.ABSENT)
    .with_item("fatigue", Status.PRESENT)
)


def start(convo, findings: Findings | None = None, payload: str = "/start_check", entities=None):
    if findings is not None:
        convo.set_slot("findings", findings.to_dict())
    convo.user(payload, "start_check", entities)
    return convo.form()


def question_payload(turn):
    return turn.responses[0]["custom"]


def test_each_question_carries_where_the_person_is_in_the_interview(convo):
    _validation, ask, _ = start(convo)
    first = question_payload(ask)
    assert first["type"] == "b12_question" and first["kind"] == "number"
    assert first["progress"]["number"] == 1 and first["progress"]["about"] >= 5
    assert first["progress_text"] == f"Question 1 of about {first['progress']['about']}"
    assert first["can_go_back"] is False
    convo.user("54", "inform")
    _validation, ask, _ = convo.form()
    second = question_payload(ask)
    assert second["progress"]["number"] == 2 and second["can_go_back"] is True


def test_channels_without_payloads_get_the_progress_as_the_first_line(convo_on):
    convo = convo_on("telegram")
    _validation, ask, _ = start(convo)
    text = ask.responses[0]["text"]
    assert text.startswith("Question 1 of about ") and text.endswith("\n\nHow old are you?")
    assert "custom" not in ask.responses[0] or not ask.responses[0]["custom"]


def test_the_emergency_checklist_is_asked_one_sign_per_line(convo):
    findings = Findings(age=60, sex="male").with_item("fatigue", Status.PRESENT)
    findings = findings.request_screen("emergency_screen")
    _validation, ask, _ = start(convo, findings)
    text = ask.responses[0]["text"]
    lead, items = text.split("\n\n")
    assert lead.endswith("any of these?")
    lines = items.splitlines()
    assert len(lines) >= 5 and all(line.startswith("- ") for line in lines)


def test_go_back_in_words_asks_the_previous_question_again_and_undoes_its_answer(convo):
    _validation, first_ask, _ = start(convo)
    first = first_ask.responses[0]["text"]
    convo.user("54", "inform")
    convo.form()
    assert convo.findings().age == 54
    # "go back" is understood whatever intent the classifier gave it.
    convo.user("go back", "help")
    validation, ask, rejected = convo.form()
    assert not rejected
    assert validation.texts == ["Of course. Here is the previous question again."]
    assert ask.responses[0]["text"] == first
    assert question_payload(ask)["progress"]["number"] == 1
    assert convo.findings().age is None and convo.slot("asked_questions") == []
    convo.user("61", "inform")
    convo.form()
    assert convo.findings().age == 61


def test_the_change_button_during_the_interview_goes_through_the_correction(convo):
    _validation, first_ask, _ = start(convo, KNOWN)
    first_id = convo.slot("interview_question")
    convo.user("/deny", "deny")
    convo.form()
    assert convo.slot("interview_question") != first_id
    convo.user("/correct", "correct")
    _validation, _ask, rejected = convo.form()
    assert rejected  # a rule answers a correction, then the form resumes
    turn = convo.run("action_correct")
    assert turn.texts == ["Of course. Here is the previous question again."]
    _validation, ask, _ = convo.form()
    assert convo.slot("interview_question") == first_id
    assert ask.responses[0]["text"] == first_ask.responses[0]["text"]


def test_change_my_last_answer_after_the_result_reopens_the_interview(convo):
    _validation, _ask, _ = start(convo, KNOWN)
    for _ in range(30):
        if not convo.active:
            break
        convo.user("/deny", "deny")
        convo.form()
    assert not convo.active
    convo.run("action_assessment")
    last_id = convo.slot("answer_history")[-1]["question"]
    convo.user("change my last answer", "correct")
    turn = convo.run("action_correct")
    assert turn.texts == ["Of course. Here is the previous question again."]
    assert {"event": "followup", "name": "interview_form"} in [
        {k: e.get(k) for k in ("event", "name")} for e in turn.events
    ]
    _validation, ask, _ = convo.form()
    assert ask is not None and convo.slot("interview_question") == last_id


def test_nothing_to_go_back_to_is_said_plainly(convo):
    start(convo)
    convo.user("go back", "correct")
    validation, ask, _ = convo.form()
    assert "no earlier answer to change" in validation.texts[0]
    assert ask is not None


def test_an_answer_that_raised_a_warning_sign_is_not_taken_back(convo):
    findings = Findings(age=60, sex="male").with_item("fatigue", Status.PRESENT)
    start(convo, findings.request_screen("emergency_screen"))
    assert convo.slot("interview_question") == "emergency_screen"
    convo.user("/affirm", "affirm")
    convo.form()
    assert "emergency_screen" in convo.findings().positive_screens
    convo.user("go back", "correct")
    validation, _ask, _ = convo.form()
    assert "advice to get help still stands" in validation.texts[0]
    assert "emergency_screen" in convo.findings().positive_screens


def test_the_age_question_is_answered_with_a_number_box_or_rather_not_say(convo):
    _validation, ask, _ = start(convo)
    assert question_payload(ask)["kind"] == "number"
    assert [b["payload"] for b in ask.responses[0]["buttons"]] == ["/unsure"]


def test_a_check_for_someone_chosen_with_a_button_is_worded_for_them(convo):
    subject = [{"entity": "subject", "value": "mother", "extractor": "RegexMessageHandler"}]
    payload = '/start_check{"subject": "mother"}'
    _validation, ask, _ = start(convo, payload=payload, entities=subject)
    assert convo.findings().subject is not None
    assert convo.findings().sex == "female"
    text = ask.responses[0]["text"]
    assert "your mum" in text and "you" not in text.replace("your mum", "")


def test_check_for_me_settles_the_writer_and_asks_no_who_question(convo):
    me = [{"entity": "subject", "value": "self", "extractor": "RegexMessageHandler"}]
    start(convo, payload='/start_check{"subject": "self"}', entities=me)
    assert convo.findings().checked.is_self
    assert convo.slot("interview_question") != "subject"


def test_the_result_asks_once_whether_to_keep_it_but_not_under_emergency_advice(convo):
    convo.set_slot("opening", "fresh")
    convo.set_slot("findings", Findings(age=50).with_item("paresthesia", Status.PRESENT).to_dict())
    first = convo.run("action_assessment")
    assert [r.get("custom", {}).get("type") for r in first.responses][-1] == "b12_consent"
    again = convo.run("action_assessment")
    assert not any(r.get("custom", {}).get("type") == "b12_consent" for r in again.responses)


def test_no_question_about_keeping_results_under_an_emergency(convo):
    convo.set_slot("opening", "fresh")
    convo.set_slot("findings", Findings(age=50).with_item("chest_pain", Status.PRESENT).to_dict())
    turn = convo.run("action_assessment")
    kinds = [r.get("custom", {}).get("type") for r in turn.responses]
    assert kinds[0] == "b12_emergency"  # the warning sign's advice comes first
    sent = turn.responses[kinds.index("b12_assessment")]["custom"]["assessment"]
    assert sent["triage"]["level"] == "emergency"
    assert not any(r.get("custom", {}).get("type") == "b12_consent" for r in turn.responses)
    assert convo.slot("opening") == "fresh"


def test_answering_the_question_about_keeping_is_marked_for_the_page(convo):
    convo.user("/give_consent", "give_consent")
    turn = convo.run("action_give_consent")
    assert turn.responses[0]["custom"] == {"type": "b12_consent_answered"}
    assert convo.slot("opening") == "consent_known"


def test_deleting_tells_the_page_to_forget_the_conversation_too(convo):
    convo.user("I'm tired", "inform")
    convo.user("/affirm", "affirm")
    turn = convo.run("action_delete_my_data")
    assert turn.responses[0]["custom"]["type"] == "b12_deleted"
    assert turn.responses[0]["text"].startswith("Done. I've deleted everything")
    assert convo.slot("opening") == "fresh" and convo.slot("answer_history") is None


def test_deleting_on_a_platform_sends_the_words_alone(convo_on):
    convo = convo_on("telegram")
    convo.user("/affirm", "affirm")
    turn = convo.run("action_delete_my_data")
    assert turn.responses[0]["text"].startswith("Done.") and not turn.responses[0].get("custom")


def test_why_and_which_tests_keep_the_other_follow_ups_on_offer(convo):
    convo.set_slot("findings", Findings(age=50).with_item("paresthesia", Status.PRESENT).to_dict())
    convo.run("action_assessment")
    convo.user("/ask_why", "ask_why")
    why = convo.run("action_explain_why")
    offered = [b["payload"] for b in why.responses[-1]["buttons"]]
    assert offered == ["/ask_tests", "/request_summary"]
    convo.user("/ask_tests", "ask_tests")
    tests = convo.run("action_tests")
    offered = [b["payload"] for b in tests.responses[-1]["buttons"]]
    assert offered == ["/ask_why", "/request_summary"]
