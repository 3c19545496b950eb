"""A check for someone else, through the real actions: noted for them, asked who, worded
for them, and assessed as theirs."""

from __future__ import annotations

from bot.findings import Extraction, Findings, Mention, Status
from bot.nlu import extract
from bot.nlu.entities import extraction_to_entities


def said(text: str) -> list[dict]:
    """The entities the clinical extractor writes for ``text``."""
    return extraction_to_entities(extract(text))


def test_a_first_message_for_mum_is_noted_for_her_and_asked_about_her(convo):
    text = "asking for my mum, she's 79 and always tired"
    convo.user(text, "inform", said(text))
    noted = convo.run("action_note_findings")
    assert noted.texts[0].startswith("Thanks, I've noted for your mum:"), noted.texts
    findings = Findings.from_dict(convo.slot("findings"))
    assert findings.subject.relation == "mother" and findings.age == 79
    assert findings.status("fatigue") is Status.PRESENT and findings.sex == "female"
    _, ask, _ = convo.form()
    assert ask is not None and "your mum" in ask.texts[-1], ask.texts


def test_someone_elses_symptoms_without_saying_whose_check_it_is_are_asked_about(convo):
    words = Extraction(mentions=[Mention("muscle_weakness_legs", person="he", text="weak legs")])
    convo.user("his legs are weak all the time", "inform", extraction_to_entities(words))
    convo.run("action_note_findings")
    assert Findings.from_dict(convo.slot("findings")).items == {}
    _, ask, _ = convo.form()
    assert "for you, or for someone else" in ask.texts[-1]
    titles = [b["title"] for b in ask.responses[-1]["buttons"]]
    assert titles[:2] == ["For me", "For him"]
    convo.user("For him", "inform")
    _, ask, _ = convo.form()
    findings = Findings.from_dict(convo.slot("findings"))
    assert findings.status("muscle_weakness_legs") is Status.PRESENT
    assert findings.subject is not None and findings.subject.relation == "he"
    assert ask is not None and "the person you're asking for" in ask.texts[-1], ask.texts
