"""Keeping answers with consent, withdrawing it, and "delete my data".

Each test runs the real actions against its own SQLite database and checks
what a person would notice: what is stored (or not), what they are told, and
that a failing database never ends the conversation.
"""

from __future__ import annotations

import logging
import sqlite3

import pytest

from bot.findings import Extraction, Findings, LabResult, Mention, Status

WORDS = "I've been shattered for months and my feet tingle"


class Kept:
    """What the action server's database holds, read the way the service reads it."""

    def __init__(self, path) -> None:
        self.path = path

    def assessments(self, record_id):
        from bot.storage.assessments import AssessmentStore

        return AssessmentStore.open(f"sqlite:///{self.path}").assessments(record_id)


@pytest.fixture
def database(tmp_path, monkeypatch):
    """A fresh database for the action server (not created until first used)."""
    from actions.privacy import assessment_store

    monkeypatch.setenv("B12_DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    assessment_store.cache_clear()
    yield Kept(tmp_path / "x.db")
    assessment_store.cache_clear()


@pytest.fixture
def broken_database(tmp_path, monkeypatch):
    """A database that was reachable once and then lost its tables."""
    from actions.privacy import assessment_store
    from bot.storage.assessments import AssessmentStore

    path = tmp_path / "broken.db"
    monkeypatch.setenv("B12_DATABASE_URL", f"sqlite:///{path}")
    assessment_store.cache_clear()
    AssessmentStore.open(f"sqlite:///{path}")
    with sqlite3.connect(path) as connection:
        connection.execute("DROP TABLE b12_assessments")
        connection.execute("DROP TABLE b12_records")
    yield path
    assessment_store.cache_clear()


def _findings() -> Findings:
    return (
        Findings(age=34, sex="female", pregnant=Status.ABSENT)
        .with_item("vegan_diet", Status.PRESENT)
        .with_item("paresthesia", Status.PRESENT)
        .with_item("fatigue", Status.PRESENT)
    )


def _start(convo):
    convo.run("action_session_start")
    convo.user(WORDS, "inform")


def _agree(convo):
    convo.user("/give_consent", "give_consent")
    return convo.run("action_give_consent")


def _assess(convo):
    convo.set_slot("findings", _findings().to_dict())
    convo.user("/deny", "deny")
    return convo.run("action_assessment")


def test_with_consent_each_assessment_is_kept_with_its_channel_and_the_persons_words(
    convo_on, database
):
    store = database
    convo = convo_on("socketio")
    _start(convo)
    agreed = _agree(convo)
    assert agreed.texts[0].startswith("Thanks, I'll keep your answers")
    record_id = convo.slot("record_id")
    assert convo.slot("consent") == "yes" and len(record_id) == 32
    turn = _assess(convo)
    assert turn.responses[0]["custom"]["type"] == "b12_assessment"
    assert not any("couldn't save" in t for t in turn.texts)
    saved = store.assessments(record_id)
    assert len(saved) == 1
    sent = turn.responses[0]["custom"]["assessment"]
    assert saved[0].channel == "socketio"
    assert saved[0].triage_level == sent["triage"]["level"]
    assert saved[0].probability == pytest.approx(sent["probability"])
    # The person's own words, without the button presses.
    assert saved[0].free_text == [WORDS]


def test_a_reassessment_after_a_lab_result_or_a_correction_is_kept_too(
    convo, database, entities_for
):
    store = database
    _start(convo)
    _agree(convo)
    _assess(convo)
    lab = entities_for(Extraction(labs=[LabResult("b12_total", 150.0, "ng/L", "150 ng/L")]))
    convo.user("my B12 came back 150 ng/L", "report_lab", lab)
    convo.run("action_lab_result")
    not_vegan = entities_for(
        Extraction(mentions=[Mention("vegan_diet", Status.ABSENT, negated=True, text="vegan")])
    )
    convo.user("actually I'm not vegan", "correct", not_vegan)
    convo.run("action_correct")
    saved = store.assessments(convo.slot("record_id"))
    assert len(saved) == 3
    assert saved[-1].free_text == [WORDS, "my B12 came back 150 ng/L", "actually I'm not vegan"]


@pytest.mark.parametrize("answer", [None, "refuse"])
def test_without_a_yes_nothing_is_stored(convo, database, answer):
    path = database.path
    _start(convo)
    if answer == "refuse":
        convo.user("no", "deny")
        turn = convo.run("action_refuse_consent")
        assert "nothing will be kept" in turn.texts[0]
        assert convo.slot("consent") == "no"
    turn = _assess(convo)
    assert turn.responses[0]["custom"]["type"] == "b12_assessment"
    assert convo.slot("record_id") is None
    # The database is not even opened for someone who did not agree.
    assert not path.exists()


def test_consent_given_after_the_assessment_keeps_that_assessment(convo, database):
    store = database
    _start(convo)
    turn = _assess(convo)
    sent = turn.responses[0]["custom"]["assessment"]
    convo.user("actually keep my answers", "give_consent")
    convo.run("action_give_consent")
    saved = store.assessments(convo.slot("record_id"))
    assert [s.probability for s in saved] == [pytest.approx(sent["probability"])]
    assert saved[0].free_text == [WORDS, "actually keep my answers"]


def test_a_plain_yes_to_the_opening_question_also_agrees_and_invites_to_begin(convo, database):
    convo.run("action_session_start")
    convo.user("yes", "affirm")
    turn = convo.run("action_give_consent")
    assert convo.slot("consent") == "yes"
    assert "how have you been feeling" in turn.texts[-1].lower()
    assert turn.responses[-1]["buttons"][0]["payload"] == "/start_check"


def test_saying_yes_twice_keeps_the_same_record(convo, database):
    _start(convo)
    _agree(convo)
    record_id = convo.slot("record_id")
    again = _agree(convo)
    assert again.texts[0].startswith("I'm already keeping")
    assert convo.slot("record_id") == record_id


def test_withdrawing_consent_erases_what_was_kept_and_stops_keeping(convo, database):
    store = database
    _start(convo)
    _agree(convo)
    record_id = convo.slot("record_id")
    _assess(convo)
    assert len(store.assessments(record_id)) == 1
    convo.user("stop saving my data", "refuse_consent")
    turn = convo.run("action_refuse_consent")
    assert "anything I had saved is now deleted" in turn.texts[0]
    assert store.assessments(record_id) == []
    assert convo.slot("consent") == "no" and convo.slot("record_id") is None
    _assess(convo)
    assert store.assessments(record_id) == []


def test_delete_my_data_erases_the_assessments_and_resets_the_conversation(convo, database):
    store = database
    _start(convo)
    _agree(convo)
    record_id = convo.slot("record_id")
    _assess(convo)
    convo.user("delete my data", "delete_my_data")
    convo.user("yes", "affirm")
    turn = convo.run("action_delete_my_data")
    assert turn.texts[0].startswith("Done. I've deleted everything")
    assert "start again" in turn.texts[0]
    assert store.assessments(record_id) == []
    for slot in ("findings", "assessment", "consent", "record_id", "interview_question"):
        assert convo.slot(slot) is None, slot
    assert convo.slot("announced_red_flags") == [] and convo.slot("asked_questions") == []
    # What was said before deleting never comes back into new findings.
    convo.user("/start_check", "start_check")
    convo.form()
    assert Findings.from_dict(convo.slot("findings")) == Findings()


def test_delete_my_data_stops_a_running_interview(convo, database):
    _start(convo)
    convo.user("/start_check", "start_check")
    convo.form()
    assert convo.active
    convo.user("yes", "affirm")
    convo.run("action_delete_my_data")
    assert not convo.active


def test_delete_my_data_without_anything_kept_still_clears_the_conversation(convo, database):
    path = database.path
    _start(convo)
    _assess(convo)
    convo.user("yes", "affirm")
    turn = convo.run("action_delete_my_data")
    assert turn.texts[0].startswith("Done. I've deleted everything")
    assert convo.slot("assessment") is None
    assert not path.exists()


def test_a_failing_database_does_not_stop_the_conversation_and_the_person_is_told(
    convo, broken_database, caplog
):
    _start(convo)
    _agree(convo)
    with caplog.at_level(logging.DEBUG):
        turn = _assess(convo)
    # The assessment still arrives, with the next steps, then one line about saving.
    assert turn.responses[0]["custom"]["type"] == "b12_assessment"
    assert [b["payload"] for b in turn.responses[0]["buttons"]][0] == "/ask_why"
    assert turn.texts[1] == "Sorry, I couldn't save your answers just now, but we can carry on."
    assert convo.slot("assessment") is not None
    assert "Could not save an assessment" in caplog.text
    # Nothing the person said or was found to have reaches the log.
    assert "shattered" not in caplog.text and "paresthesia" not in caplog.text
    assert convo.slot("record_id") not in caplog.text


def test_an_unreachable_database_is_reported_the_same_way(convo, monkeypatch, caplog):
    from actions.privacy import assessment_store

    monkeypatch.setenv("B12_DATABASE_URL", "postgresql://b12@127.0.0.1:9/nowhere")
    assessment_store.cache_clear()
    _start(convo)
    _agree(convo)
    with caplog.at_level(logging.ERROR, logger="actions.privacy"):
        turn = _assess(convo)
    assessment_store.cache_clear()
    assert turn.texts[1].startswith("Sorry, I couldn't save your answers just now")
    ours = [r.getMessage() for r in caplog.records if r.name == "actions.privacy"]
    assert ours == ["Could not save an assessment: the database failed (OperationalError)"]


def test_when_withdrawing_cannot_erase_the_person_is_told_and_can_ask_again(
    convo, broken_database
):
    _start(convo)
    convo.set_slot("consent", "yes")
    convo.set_slot("record_id", "b" * 32)
    convo.user("stop saving my data", "refuse_consent")
    turn = convo.run("action_refuse_consent")
    assert "couldn't reach the saved ones" in turn.texts[0]
    assert "delete my data" in turn.texts[0]
    assert convo.slot("consent") == "no"
    # Kept, so that "delete my data" can still find what to erase.
    assert convo.slot("record_id") == "b" * 32


def test_when_deleting_cannot_erase_the_person_is_told_and_the_record_can_be_found(
    convo, broken_database, caplog
):
    _start(convo)
    convo.set_slot("findings", _findings().to_dict())
    convo.set_slot("consent", "yes")
    convo.set_slot("record_id", "b" * 32)
    convo.user("yes", "affirm")
    with caplog.at_level(logging.ERROR, logger="actions.privacy"):
        turn = convo.run("action_delete_my_data")
    assert "couldn't reach your saved answers" in turn.texts[0]
    assert not turn.texts[0].startswith("Done")
    # The conversation itself is still forgotten; the log says which record is left.
    assert convo.slot("findings") is None and convo.slot("record_id") is None
    assert "b" * 32 in caplog.text and "shattered" not in caplog.text


def test_starting_over_keeps_the_choice_about_keeping_answers(convo, database):
    _start(convo)
    _agree(convo)
    record_id = convo.slot("record_id")
    convo.user("start over", "restart")
    convo.run("action_restart")
    assert convo.slot("consent") == "yes" and convo.slot("record_id") == record_id
    assert convo.slot("findings") is None


@pytest.mark.parametrize("intent", ["give_consent", "refuse_consent", "delete_my_data"])
def test_privacy_requests_inside_the_interview_are_not_taken_as_answers(convo, intent):
    _start(convo)
    convo.user("/start_check", "start_check")
    convo.form()
    pending = convo.slot("interview_question")
    convo.user("please", intent)
    _validation, ask, rejected = convo.form()
    assert rejected and ask is None
    assert convo.slot("interview_question") == pending
