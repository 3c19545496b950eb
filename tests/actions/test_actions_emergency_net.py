"""A message the emergency net raised, through the real actions: the emergency screening
question is asked at once, inside the interview or out of it, for the right person; a
message it did not raise changes nothing."""

from __future__ import annotations

from bot.findings import Findings
from bot.knowledge import load_knowledge
from bot.nlu import extract
from bot.nlu.emergency_net import EMERGENCY_CHECK, EMERGENCY_SCREEN
from bot.nlu.entities import extraction_to_entities
from bot.questions import as_checklist

SCREEN = load_knowledge().questions["screen_groups"][EMERGENCY_SCREEN]
RAISED = {
    EMERGENCY_CHECK: {
        "raised": True, "score": 0.02, "threshold": -0.05,
        "nearest": "my legs went from under me", "intent": "out_of_scope",
        "replaced_by": "inform",
    }
}


def said(text: str) -> list[dict]:
    return extraction_to_entities(extract(text))


def test_a_raised_first_message_gets_the_emergency_question_next(convo):
    assert said("I feel really strange and not right in myself today") == []
    text = "I feel really strange and not right in myself today"
    convo.user(text, "inform", said(text), parse_extra=RAISED)
    convo.run("action_note_findings")
    _, ask, _ = convo.form()
    assert ask is not None and ask.texts[-1] == as_checklist(SCREEN.question), ask.texts
    assert [b["title"] for b in ask.responses[-1]["buttons"]] == ["Yes", "No", "Not sure"]
    assert EMERGENCY_SCREEN in Findings.from_dict(convo.slot("findings")).requested_screens


def test_a_yes_gets_emergency_advice(convo):
    text = "I feel really strange and not right in myself today"
    convo.user(text, "inform", said(text), parse_extra=RAISED)
    convo.run("action_note_findings")
    convo.form()
    convo.user("/affirm", "affirm")
    convo.form()
    spoken = " ".join(r.get("text") or "" for r in convo.said[-4:])
    assert "999" in spoken and "A&E" in spoken


def test_a_raised_message_during_the_interview_jumps_the_queue(convo):
    convo.set_slot("findings", Findings(age=40, sex="female").to_dict())
    convo.user("/start_check", "start_check")
    _, first, _ = convo.form()
    assert first.texts[-1] != as_checklist(SCREEN.question)
    text = "something is really wrong with me this evening and I'm scared"
    convo.user(text, "inform", said(text), parse_extra=RAISED)
    _, ask, _ = convo.form()
    assert ask is not None and ask.texts[-1] == as_checklist(SCREEN.question), ask.texts


def test_for_someone_else_the_question_is_about_them(convo):
    text = "asking for my dad, something is badly wrong with him and I am scared"
    convo.user(text, "inform", said(text), parse_extra=RAISED)
    convo.run("action_note_findings")
    _, ask, _ = convo.form()
    assert ask is not None and "has your dad had any of these" in ask.texts[-1], ask.texts


def test_a_message_the_net_did_not_raise_asks_nothing_extra(convo):
    text = "I've been vegan for ten years"
    convo.user(text, "inform", said(text))
    convo.run("action_note_findings")
    _, ask, _ = convo.form()
    assert ask is not None and ask.texts[-1] != SCREEN.question
    assert not Findings.from_dict(convo.slot("findings")).requested_screens
