"""Checks for someone else: each finding goes to the person it describes, or nowhere."""

from __future__ import annotations

from bot.findings import Extraction, Findings, Mention, Status, Subject
from bot.triage import triage

DAD = Subject(relation="father", pronoun="he", blood=True)
WIFE = Subject(relation="partner", pronoun="she", blood=False)


def said(*mentions: Mention, **values) -> Extraction:
    return Extraction(mentions=list(mentions), **values)


def test_when_checking_yourself_another_persons_symptom_is_never_yours_nor_family_history():
    findings = Findings().update(said(
        Mention("fatigue", person="partner"),
        Mention("paresthesia", person="he"),
        Mention("numbness"),
    ))
    assert findings.present_ids() == {"numbness"}
    assert findings.family == {}


def test_when_checking_yourself_a_relatives_condition_is_family_history():
    findings = Findings().update(said(
        Mention("pernicious_anaemia", family=True, person="mother"),
        Mention("autoimmune_thyroid", family=True, person="family"),
    ))
    assert findings.items == {}
    assert findings.family_status("pernicious_anaemia") is Status.PRESENT
    assert findings.family_status("autoimmune_thyroid") is Status.PRESENT


def test_when_checking_dad_his_words_and_unmarked_answers_are_his_and_yours_are_not():
    findings = Findings(subject=DAD).update(said(
        Mention("muscle_weakness_legs", family=True, person="father"),
        Mention("memory_problems", person="he"),
        Mention("fatigue", person="self"),
        Mention("paresthesia"),
    ))
    assert findings.present_ids() == {"muscle_weakness_legs", "memory_problems", "paresthesia"}
    assert findings.family == {}


def test_when_checking_a_partner_the_writers_relatives_are_not_their_family():
    findings = Findings(subject=WIFE).update(said(
        Mention("pernicious_anaemia", family=True, person="mother"),
        Mention("coeliac", family=True, person="family"),
    ))
    assert "pernicious_anaemia" not in findings.family
    assert findings.family_status("coeliac") is Status.PRESENT


def test_age_sex_and_pregnancy_attach_to_the_person_they_describe():
    theirs = said(age=80, sex="female", pregnant=Status.ABSENT,
                  about={"age": "she", "sex": "she", "pregnant": "she"})
    assert Findings().update(theirs).age is None  # the writer's age is not hers
    checked = Findings(subject=WIFE).update(theirs)
    assert (checked.age, checked.sex, checked.pregnant) == (80, "female", Status.ABSENT)
    mine = said(age=45, about={"age": "self"})
    assert Findings(subject=WIFE).update(mine).age is None
    assert Findings().update(mine).age == 45


def test_a_subject_given_with_the_message_applies_to_that_message():
    findings = Findings().update(
        said(Mention("rapid_leg_weakness", family=True, person="father"), age=84,
             about={"age": "father"}),
        subject=DAD,
    )
    assert findings.subject == DAD and findings.age == 84
    assert findings.present_ids() == {"rapid_leg_weakness"}
    assert triage(findings).level == "emergency"


def test_the_subject_survives_the_slot_round_trip():
    findings = Findings(subject=DAD).update(said(Mention("fatigue", person="he")))
    again = Findings.from_dict(findings.to_dict())
    assert again == findings and again.checked == DAD
    assert Findings.from_dict(Findings().to_dict()).subject is None
    assert Findings.from_dict({"subject": "nonsense"}).subject is None


def test_while_it_is_unclear_who_is_checked_another_persons_words_wait_aside():
    findings = Findings().update(said(
        Mention("muscle_weakness_legs", person="he"), Mention("fatigue", person="self"),
        age=84, about={"age": "he"},
    ))
    assert findings.present_ids() == {"fatigue"} and findings.age is None
    assert findings.someone_else_named() == ("he",)
    for_him = findings.for_subject(Subject(relation="he", pronoun="he"))
    assert for_him.present_ids() == {"muscle_weakness_legs"} and for_him.age == 84
    assert for_him.someone_else_named() == () and for_him.others == {}
    for_me = findings.for_subject(Subject())
    assert for_me.present_ids() == {"fatigue"} and for_me.age is None
    assert Findings.from_dict(findings.to_dict()) == findings


def test_once_the_subject_is_known_nobody_elses_words_are_collected():
    findings = Findings(subject=DAD).update(said(Mention("fatigue", person="partner")))
    assert findings.others == {} and findings.items == {}


def test_a_relatives_blood_result_is_stored_only_in_a_check_for_them():
    """"mum's b12 came back 100" belongs to mum: in a check for her it is her result, in the
    writer's own check it is nobody's, never the writer's."""
    from bot.findings import Extraction, LabResult
    from bot.who import settle

    words = Extraction(
        labs=[LabResult("b12_total", 100.0, "ng/L")], subject="mother", about={"labs": "mother"}
    )
    assert list(settle(Findings(), "mother").update(words).labs) == ["b12_total"]
    assert settle(Findings(), "self").update(words).labs == {}
    assert list(settle(Findings(), "self").update(Extraction(labs=words.labs)).labs) == [
        "b12_total"
    ]
