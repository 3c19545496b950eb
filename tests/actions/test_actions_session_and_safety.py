"""Opening, returning, red flags, starting over, unclear input and channel payloads."""

from __future__ import annotations

import pytest

from actions.channel_payloads import custom_for_channel
from actions.fallback import bad_input_response
from bot.findings import Extraction, Findings, Mention, Status


def test_a_new_session_opens_with_what_it_does_and_what_to_do_in_an_emergency(convo):
    turn = convo.run("action_session_start")
    opening = turn.texts[0]
    assert "can't diagnose" in opening
    assert "999" in opening and "112" in opening and "911" in opening
    assert "own words" in opening
    assert turn.events[0]["event"] == "session_started"
    assert turn.events[-1] == {**turn.events[-1], "event": "action", "name": "action_listen"}


def test_the_opening_asks_whom_the_check_is_for_and_nothing_about_keeping_yet(convo):
    turn = convo.run("action_session_start")
    assert len(turn.texts) == 1
    opening = turn.responses[0]
    assert "for someone else" in opening["text"]
    assert "I'll ask when you see them" in opening["text"]
    assert [b["payload"] for b in opening["buttons"]] == [
        '/start_check{"subject": "self"}',
        '/start_check{"subject": "someone"}',
    ]
    assert not any(b["payload"] == "/give_consent" for b in opening["buttons"])
    assert convo.slot("opening") == "fresh"


def test_a_returning_person_who_agreed_keeps_their_answers_and_is_welcomed_back(convo):
    findings = Findings(age=50).with_item("fatigue", Status.PRESENT)
    convo.set_slot("findings", findings.to_dict())
    convo.set_slot("consent", "yes")
    convo.set_slot("record_id", "a" * 32)
    turn = convo.run("action_session_start")
    assert turn.texts == [turn.texts[0]] and turn.texts[0].startswith("Welcome back.")
    assert "delete my data" in turn.texts[0]
    carried = {e["name"]: e["value"] for e in turn.events if e["event"] == "slot"}
    assert Findings.from_dict(carried["findings"]) == findings
    assert carried["record_id"] == "a" * 32 and carried["consent"] == "yes"
    assert carried["opening"] == "consent_known"


@pytest.mark.parametrize("consent", [None, "no", "maybe"])
def test_without_a_yes_a_new_session_starts_fresh(convo, consent):
    findings = Findings(age=50).with_item("fatigue", Status.PRESENT)
    convo.set_slot("findings", findings.to_dict())
    convo.set_slot("announced_red_flags", ["chest_pain"])
    convo.set_slot("consent", consent)
    turn = convo.run("action_session_start")
    assert not turn.texts[0].startswith("Welcome back")
    assert turn.texts == [turn.texts[0]] and "own words" in turn.texts[0]
    carried = [e["name"] for e in turn.events if e["event"] == "slot"]
    assert carried == ["opening"]
    assert convo.slot("findings") is None and convo.slot("consent") is None


def test_a_red_flag_that_cannot_be_matched_still_gets_emergency_advice(convo):
    convo.user("something alarming", "report_red_flag")
    turn = convo.run("action_red_flag")
    assert "999" in turn.texts[0] and "A&E" in turn.texts[0]
    assert "carry on" in turn.texts[-1]


def test_a_red_flag_already_known_is_announced_again_when_repeated(convo, entities_for):
    flag = entities_for(Extraction(mentions=[Mention("chest_pain", text="chest pain")]))
    convo.user("I have chest pain", "report_red_flag", flag)
    first = convo.run("action_red_flag")
    assert "Chest pain" in first.texts[0] and "999" in first.texts[0]
    convo.user("the chest pain is still there", "report_red_flag", flag)
    again = convo.run("action_red_flag")
    assert "Chest pain" in again.texts[0]


def test_suicidal_thoughts_come_with_crisis_lines(convo):
    convo.set_slot("findings", Findings().with_item("suicidal_thoughts", Status.PRESENT).to_dict())
    convo.user("I feel I can't go on", "report_red_flag")
    turn = convo.run("action_red_flag")
    assert any("Samaritans" in t or "988" in t for t in turn.texts)


def test_start_over_starts_afresh_kindly_and_ends_the_interview(convo):
    convo.set_slot("findings", Findings(age=30).with_item("vegan_diet", Status.PRESENT).to_dict())
    convo.set_slot("announced_red_flags", ["chest_pain"])
    convo.user("/start_check", "start_check")
    convo.form()
    assert convo.active
    convo.user("start over", "restart")
    turn = convo.run("action_restart")
    assert turn.texts[0].startswith("Of course, let's start again")
    # The events stay in the store, so the person is not told they were deleted.
    assert "cleared" not in turn.texts[0] and "delete my data" in turn.texts[0]
    assert not convo.active
    assert convo.slot("findings") is None
    assert convo.slot("announced_red_flags") == []
    assert convo.slot("asked_questions") == []
    # Nothing said before starting over comes back into the new findings.
    convo.user("/start_check", "start_check")
    convo.form()
    assert Findings.from_dict(convo.slot("findings")) == Findings()


def test_a_check_for_someone_else_starts_a_new_check_for_them_and_keeps_the_record(
    convo, entities_for
):
    convo.set_slot("findings", Findings(age=30).with_item("vegan_diet", Status.PRESENT).to_dict())
    convo.user("/start_check", "start_check")
    convo.form()
    for_mum = entities_for(Extraction(subject="mother"))
    convo.user("can we do a check for my mum instead", "restart", for_mum)
    turn = convo.run("action_restart")
    assert "new check for your mum" in turn.texts[0] and "delete my data" in turn.texts[0]
    assert "How has your mum been feeling" in turn.texts[0]
    findings = Findings.from_dict(convo.slot("findings"))
    assert findings.subject.relation == "mother" and findings.sex == "female"
    assert findings.items == {} and findings.age is None and not convo.active
    # Her answers are worded for her, and the writer's earlier diet is not hers.
    convo.user("/start_check", "start_check")
    _, ask, _ = convo.form()
    assert ask is not None and "your mum" in ask.texts[-1], ask.texts


@pytest.mark.parametrize(
    ("text", "response"),
    [
        ("", "bad_input_empty"),
        ("   ", "bad_input_empty"),
        ("x" * 5000, "bad_input_too_long"),
        ("😀😀🙃", "bad_input_no_words"),
        ("<script>alert(1)</script>", "bad_input_no_words"),
        ("{{7*7}}", "bad_input_no_words"),
        ("I feel odd", None),
        ("I'm 58", None),
        ("no", None),
    ],
)
def test_input_that_is_not_a_sentence_is_recognised(text, response):
    assert bad_input_response(text) == response


def test_unclear_markup_gets_a_plain_answer_without_echoing_it(convo):
    convo.user("<b>hi</b><script>x()</script>", "nlu_fallback", confidence=0.1)
    turn = convo.run("action_default_ask_affirmation")
    assert turn.texts == [
        "I can only read plain words, not symbols, emoji or code. Could you describe it in a "
        "short sentence?"
    ]
    assert "<" not in turn.texts[0]


def test_an_unclear_sentence_is_checked_not_guessed(convo):
    ranking = [
        {"name": "nlu_fallback", "confidence": 0.4},
        {"name": "ask_tests", "confidence": 0.3},
        {"name": "faq", "confidence": 0.2},
    ]
    convo.user("which ones", "nlu_fallback", confidence=0.4, ranking=ranking)
    turn = convo.run("action_default_ask_affirmation")
    assert turn.texts[0].endswith("Did you want to ask which blood tests to get?")
    assert [b["payload"] for b in turn.responses[0]["buttons"]] == ["/ask_tests", "/out_of_scope"]


def test_after_two_unclear_messages_it_says_so_plainly_and_forgets_the_message(convo):
    convo.user("qwerty uiop", "nlu_fallback", confidence=0.1)
    turn = convo.run("action_default_fallback")
    assert "rather ask than guess" in turn.texts[0]
    assert turn.events == [{**turn.events[0], "event": "rewind"}]


def test_payloads_are_shaped_for_each_channel():
    payload = {"type": "b12_assessment", "assessment": {"x": 1}}
    assert custom_for_channel("rest", payload) == payload
    assert custom_for_channel(None, payload) == payload
    # The web chat's own output channel sends the payload with the text, unwrapped.
    assert custom_for_channel("socketio", payload) == payload
    assert custom_for_channel("telegram", payload) is None


@pytest.mark.parametrize(
    "entities",
    [
        [{"entity": "lab", "value": "b12_total", "additional_info": {"analyte": "b12_total"}}],
        [{"entity": "symptom", "additional_info": {"status": "sideways"}}],
        [{"entity": "age", "value": "old", "additional_info": {"age": "very"}}],
        ["not a dict", 42, None],
    ],
)
def test_odd_entities_never_crash_an_action(convo, entities, caplog):
    convo.user("odd message", "inform", entities)
    turn = convo.run("action_note_findings")
    assert turn.texts  # the person still gets an answer
    assert "odd message" not in caplog.text


@pytest.mark.parametrize(
    ("slot", "value"),
    [
        ("findings", "not a dict"),
        ("findings", {"age": 400}),
        ("asked_questions", "age"),
        ("interview_attempts", "many"),
        ("announced_red_flags", {"chest_pain": True}),
        ("ingested_until", "yesterday"),
    ],
)
def test_corrupt_slots_are_treated_as_empty(convo, slot, value):
    convo.tracker.slots[slot].value = value
    convo.user("/start_check", "start_check")
    validation, ask, rejected = convo.form()
    assert not rejected
    assert ask is not None and ask.texts[0]


@pytest.mark.parametrize(
    ("channel", "expect"),
    [("rest", "plain"), ("socketio", "plain"), ("cmdline", "none"), ("telegram", "none")],
)
def test_emergency_advice_carries_a_marker_rich_clients_can_show_prominently(
    convo_on, entities_for, channel, expect
):
    convo = convo_on(channel)
    flag = entities_for(Extraction(mentions=[Mention("chest_pain", text="chest pain")]))
    convo.user("I have chest pain", "report_red_flag", flag)
    turn = convo.run("action_red_flag")
    first = turn.responses[0]
    assert "999" in first["text"]
    custom = first.get("custom")
    if expect == "none":
        assert not custom
        return
    assert custom == {"type": "b12_emergency", "level": "emergency", "message": first["text"]}


def test_an_unmatched_red_flag_is_still_marked_as_an_emergency(convo):
    convo.user("something alarming", "report_red_flag")
    turn = convo.run("action_red_flag")
    assert turn.responses[0]["custom"]["type"] == "b12_emergency"


def test_an_emergency_announced_from_the_words_stays_in_the_assessment(convo):
    from bot.assessment import assess

    convo.user("he's gone all floppy and grey and I can't wake him properly", "report_red_flag")
    turn = convo.run("action_red_flag")
    assert turn.responses[0]["custom"]["level"] == "emergency"
    findings = Findings.from_dict(convo.slot("findings"))
    assert findings.status("emergency_described") is Status.PRESENT
    assessed = assess(findings)
    assert assessed.triage.level == "emergency"
    assert "emergency_described" in convo.slot("announced_red_flags")
    # Said again, it is announced again, and nothing is taken back.
    convo.user("please help he still won't wake up", "report_red_flag")
    again = convo.run("action_red_flag")
    assert again.responses[0]["custom"]["level"] == "emergency"


def test_another_persons_emergency_settles_whose_check_it_is_and_advises_the_helper(
    convo, entities_for
):
    words = Extraction(mentions=[
        Mention("rapid_leg_weakness", family=False, person="partner", text="can't stand"),
    ])
    convo.user("my wife can't stand up since this morning", "report_red_flag", entities_for(words))
    turn = convo.run("action_red_flag")
    findings = Findings.from_dict(convo.slot("findings"))
    assert findings.subject is not None and findings.subject.relation == "partner"
    assert findings.status("rapid_leg_weakness") is Status.PRESENT
    assert turn.responses[0]["custom"]["level"] == "emergency"
