"""The assessment and what follows it: why, tests, summary, labs, corrections."""

from __future__ import annotations

import pytest

from bot.findings import Extraction, Findings, LabResult, Mention, Status


def _vegan_with_symptoms() -> Findings:
    return (
        Findings(age=34, sex="female", pregnant=Status.ABSENT)
        .with_item("vegan_diet", Status.PRESENT)
        .with_item("paresthesia", Status.PRESENT)
        .with_item("fatigue", Status.PRESENT)
    )


def _assess(convo, findings: Findings):
    convo.set_slot("findings", findings.to_dict())
    convo.user("/deny", "deny")
    return convo.run("action_assessment")


def test_the_assessment_is_plain_text_with_the_full_assessment_attached(convo):
    from bot.assessment import assess
    from bot.messages import short_summary

    findings = _vegan_with_symptoms()
    turn = _assess(convo, findings)
    first = turn.responses[0]
    assert first["text"].startswith(short_summary(assess(findings)) + "\n\n")
    assert first["text"].endswith("or for a summary for your doctor.")
    assert first["custom"]["type"] == "b12_assessment"
    sent = first["custom"]["assessment"]
    assert sent["triage"]["level"] == assess(findings).triage.level
    assert convo.slot("assessment") == sent
    # The ways to go on, as buttons of the same message (one row, on the web chat's card).
    payloads = [b["payload"] for b in first["buttons"]]
    assert payloads == ["/ask_why", "/ask_tests", "/request_summary"]
    # Then, the first time, whether to keep these results.
    question = turn.responses[1]
    assert "keep these results" in question["text"]
    assert [b["payload"] for b in question["buttons"]] == ["/give_consent", "/refuse_consent"]
    assert question["custom"] == {"type": "b12_consent"}
    assert convo.slot("opening") == "asked_consent"


def test_a_likely_deficiency_is_never_presented_as_fine(convo):
    turn = _assess(convo, _vegan_with_symptoms())
    sent = turn.responses[0]["custom"]["assessment"]
    assert sent["triage"]["level"] != "self_care"
    assert "test" in turn.texts[0].lower()


@pytest.fixture
def socket_convo(convo_on):
    return convo_on("socketio")


def test_the_web_chat_receives_the_payload_as_it_is(socket_convo):
    turn = _assess(socket_convo, _vegan_with_symptoms())
    custom = turn.responses[0]["custom"]
    assert custom["type"] == "b12_assessment"
    assert turn.responses[0]["text"]


def test_why_explains_the_estimate(convo):
    from bot.assessment import assess
    from bot.messages import explain_why

    findings = _vegan_with_symptoms()
    _assess(convo, findings)
    convo.user("/ask_why", "ask_why")
    turn = convo.run("action_explain_why")
    assert turn.texts == [explain_why(assess(findings))]


def test_why_before_anything_is_known_invites_a_check(convo):
    convo.user("/ask_why", "ask_why")
    turn = convo.run("action_explain_why")
    assert turn.texts[0].startswith("I haven't made an assessment yet.")


def test_why_during_the_interview_explains_the_question(convo):
    convo.set_slot(
        "findings",
        Findings(age=40, sex="male").with_item("shortness_of_breath", Status.PRESENT).to_dict(),
    )
    convo.user("/start_check", "start_check")
    convo.form()
    convo.user("why do you ask?", "ask_why")
    turn = convo.run("action_explain_why")
    assert turn.texts[0].startswith("Why I'm asking: ")
    assert "breath" in turn.texts[0]


def test_tests_message_lists_the_blood_tests(convo):
    from bot.assessment import assess
    from bot.messages import tests_message

    findings = _vegan_with_symptoms()
    _assess(convo, findings)
    convo.user("/ask_tests", "ask_tests")
    turn = convo.run("action_tests")
    assert turn.texts == [tests_message(assess(findings))]


def test_summary_for_the_doctor_comes_as_text_and_html(convo):
    findings = _vegan_with_symptoms()
    _assess(convo, findings)
    convo.user("/request_summary", "request_summary")
    turn = convo.run("action_doctor_summary")
    message = turn.responses[0]
    assert message["custom"]["type"] == "b12_summary"
    assert message["custom"]["text"] == message["text"]
    assert "<" in message["custom"]["html"]


def test_summary_before_anything_is_known_invites_a_check(convo):
    convo.user("/request_summary", "request_summary")
    turn = convo.run("action_doctor_summary")
    assert turn.texts[0].startswith("I haven't made an assessment yet.")


def test_a_lab_result_is_read_and_the_assessment_refreshed(convo, entities_for):
    from bot.labs import interpret
    from bot.messages import lab_message

    findings = _vegan_with_symptoms()
    _assess(convo, findings)
    lab = entities_for(Extraction(labs=[LabResult("b12_total", 150.0, "ng/L", "150 ng/L")]))
    convo.user("my B12 came back 150 ng/L", "report_lab", lab)
    turn = convo.run("action_lab_result")
    updated = convo.findings()
    assert updated.labs["b12_total"].value == 150.0
    assert turn.texts[0] == lab_message(interpret(updated.labs["b12_total"], updated))
    assert turn.responses[1]["custom"]["type"] == "b12_assessment"


def test_an_unreadable_lab_result_asks_for_the_test_number_and_unit(convo):
    convo.user("my blood test was weird", "report_lab")
    turn = convo.run("action_lab_result")
    assert turn.texts[0].startswith("I couldn't read that result.")


def test_a_correction_says_what_changed_and_reassesses(convo, entities_for):
    _assess(convo, _vegan_with_symptoms())
    not_vegan = entities_for(
        Extraction(mentions=[Mention("vegan_diet", Status.ABSENT, negated=True, text="vegan")])
    )
    convo.user("actually I'm not vegan", "correct", not_vegan)
    turn = convo.run("action_correct")
    assert turn.texts[0].startswith("Thanks, I've updated:")
    assert "no" in turn.texts[0]
    assert convo.findings().status("vegan_diet") is Status.ABSENT
    assert turn.responses[1]["custom"]["type"] == "b12_assessment"


def test_a_correction_without_anything_to_change_asks_how(convo):
    convo.user("actually that's wrong", "correct")
    turn = convo.run("action_correct")
    assert turn.texts[0].startswith("I couldn't tell what to change.")
