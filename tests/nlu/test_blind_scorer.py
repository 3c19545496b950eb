"""The round-3 blind-set scorer on synthetic mini-sets written here.

The frozen sets are never run here: their one scoring run is ``bench/blind_eval.py``'s.
These tests pin down what each figure means, with hand-made extractors (a perfect one
and a wrong one) and no language pipeline, knowledge base or Rasa server.
"""

from __future__ import annotations

import functools
import urllib.error
from dataclasses import dataclass, field
from typing import Any

import pytest
import yaml

from bot.findings import Extraction, LabResult, Mention, Status

from . import blind_r3 as b

PRESENT, ABSENT, UNKNOWN = (s.value for s in Status)
KINDS = {
    "chest_pain": "red_flag",
    "fainting": "red_flag",
    "acute_confusion": "red_flag",
    "fatigue": "symptom",
    "numbness": "symptom",
    "metformin": "risk_factor",
    "pernicious_anaemia": "risk_factor",
}
ANNOUNCES = functools.partial(b.nlu_announces, kinds=KINDS)


def table(answers: dict[str, Extraction]) -> b.Extract:
    """An extractor answering from a table (unknown text: nothing found)."""
    return lambda text: answers.get(text, Extraction())


# ------------------------------------------------------------------------------ notation


@pytest.mark.parametrize(
    ("item", "key"),
    [
        ("fatigue", ("fatigue", PRESENT, b.CHECKED, b.NOW)),
        ("fatigue!", ("fatigue", ABSENT, b.CHECKED, b.NOW)),
        ("fatigue?", ("fatigue", UNKNOWN, b.CHECKED, b.NOW)),
        ("hyp:chest_pain", ("chest_pain", UNKNOWN, b.CHECKED, b.NOW)),
        ("past:metformin", ("metformin", ABSENT, b.CHECKED, b.PAST)),
        ("fam:pernicious_anaemia", ("pernicious_anaemia", PRESENT, b.FAMILY, b.NOW)),
        ("other:chest_pain", ("chest_pain", PRESENT, b.OTHER, b.NOW)),
        ("other:past:fainting", ("fainting", ABSENT, b.OTHER, b.PAST)),
        ("fam:past:pernicious_anaemia", ("pernicious_anaemia", ABSENT, b.FAMILY, b.NOW)),
        ("fam:hyp:pernicious_anaemia", ("pernicious_anaemia", UNKNOWN, b.FAMILY, b.NOW)),
    ],
)
def test_each_prefix_and_suffix(item, key):
    assert b.parse_mention(item) == key


@pytest.mark.parametrize("item", ["maybe:fatigue", "fam:other:fatigue", "!", "fa tigue"])
def test_unknown_notation_is_refused(item):
    with pytest.raises(b.NotationError):
        b.parse_mention(item)


def test_check_notation_names_cases_not_texts():
    cases = [
        {"text": "secret words", "subject": "self", "mentions": ["odd:fatigue"]},
        {"text": "x", "subject": "them", "mentions": [], "labs": [{"analyte": "hb"}]},
        {"text": "x", "subject": "self", "mentions": ["fatigue"]},
    ]
    problems = b.check_notation(cases, "ordinary")
    assert [p.split(":")[0] for p in problems] == ["#0", "#1", "#1"]
    assert not any("secret" in p for p in problems)
    assert b.check_notation(
        [{"text": "x", "kind": "idiom", "subject": "self", "mentions": [], "emergency": "maybe"}],
        "not_emergencies",
    ) == ["#0: emergency 'maybe' is not wrong|allowed"]


def test_sets_load_from_any_folder(tmp_path):
    (tmp_path / b.ORDINARY).write_text(
        yaml.safe_dump({"cases": [{"text": "t", "subject": "self", "mentions": ["fatigue"]}]})
    )
    assert b.load_set("ordinary", tmp_path)[0]["mentions"] == ["fatigue"]
    (tmp_path / "bad.yml").write_text("- just a list\n")
    with pytest.raises(b.NotationError):
        b.load_cases(tmp_path / "bad.yml")


# ------------------------------------------------------------------------------ subject rule


def m(finding: str, person: str = "", **flags: Any) -> Mention:
    status = flags.pop("status", Status.PRESENT)
    return Mention(finding, status=status, person=person, **flags)


@pytest.mark.parametrize(
    ("mention", "subject", "expected"),
    [
        (m("fatigue"), "self", b.CHECKED),
        (m("fatigue", "self"), "self", b.CHECKED),
        (m("fatigue", "partner"), "self", b.OTHER),
        (m("fatigue", "she"), "self", b.OTHER),
        (m("pernicious_anaemia", "mother", family=True), "self", b.FAMILY),
        (m("pernicious_anaemia", "family"), "self", b.FAMILY),
        (m("pernicious_anaemia", family=True), "self", b.FAMILY),
        # A check for the mother: her words, her pronoun and unattributed words are hers.
        (m("fatigue"), "mother", b.CHECKED),
        (m("fatigue", "mother", family=True), "mother", b.CHECKED),
        (m("fatigue", "mum"), "mother", b.CHECKED),
        (m("fatigue", "she"), "mother", b.CHECKED),
        (m("fatigue", "they"), "mother", b.CHECKED),
        (m("fatigue", "he"), "mother", b.OTHER),
        (m("fatigue", "self"), "mother", b.OTHER),
        (m("pernicious_anaemia", "father", family=True), "mother", b.FAMILY),
        (m("fatigue", "friend"), "mother", b.OTHER),
        (m("pernicious_anaemia", family=True), "mother", b.FAMILY),
        # Generic and specific words for the same relation.
        (m("fatigue", "child"), "son", b.CHECKED),
        (m("fatigue", "daughter"), "son", b.FAMILY),
        (m("fatigue", "partner"), "husband", b.CHECKED),
        (m("fatigue", "wife"), "husband", b.OTHER),
        (m("fatigue", "mother-in-law"), "mother_in_law", b.CHECKED),
        (m("fatigue", "him"), "someone", b.CHECKED),
    ],
)
def test_subject_rule(mention, subject, expected):
    assert b.experiencer_for(mention, subject) == expected
    assert b.score_as_subject([mention], subject) == [(mention, expected)]


def test_writer_as_family_is_a_choice():
    mention = m("pernicious_anaemia", "self")
    assert b.experiencer_for(mention, "son") == b.OTHER
    assert b.experiencer_for(mention, "son", writer_as_family=True) == b.FAMILY
    assert b.experiencer_for(mention, "husband", writer_as_family=True) == b.OTHER


def test_raw_reading_takes_the_writer_as_the_checked_person():
    assert b.experiencer_raw(m("fatigue", "self")) == b.CHECKED
    assert b.experiencer_raw(m("fatigue", "mother")) == b.OTHER
    assert b.experiencer_raw(m("fatigue", "mother", family=True)) == b.FAMILY
    assert b.experiencer_raw(m("fatigue", "family")) == b.FAMILY


def test_keys_follow_how_findings_are_stored():
    assert b.mention_key(m("metformin", past=True, status=Status.ABSENT), b.CHECKED) == (
        "metformin", ABSENT, b.CHECKED, b.PAST
    )
    assert b.mention_key(m("chest_pain", hypothetical=True), b.CHECKED)[1] == UNKNOWN
    assert b.mention_key(m("chest_pain", negated=True), b.CHECKED)[1:] == (
        ABSENT, b.CHECKED, b.NOW
    )
    family_past = m("pernicious_anaemia", family=True, past=True)
    assert b.mention_key(family_past, b.FAMILY) == ("pernicious_anaemia", PRESENT, b.FAMILY, b.NOW)


# ------------------------------------------------------------------------------ ordinary

ORDINARY = [
    {
        "text": "t0",
        "subject": "self",
        "mentions": ["fatigue", "numbness!", "past:metformin", "fam:pernicious_anaemia"],
        "labs": [{"analyte": "b12_total", "value": 150, "unit": "ng/L"},
                 {"analyte": "hb", "value": 11.2, "unit": "g/dL"}],
        "duration_days": 21,
        "age": 34,
        "sex": "female",
        "pregnant": "present",
    },
    {
        "text": "t1",
        "subject": "other",
        "who": "mother",
        "mentions": ["fatigue", "hyp:numbness", "other:chest_pain"],
        "age": 80,
    },
]


def perfect() -> dict[str, Extraction]:
    return {
        "t0": Extraction(
            mentions=[
                m("fatigue", "self"),
                m("numbness", negated=True, status=Status.ABSENT),
                m("metformin", past=True, status=Status.ABSENT),
                m("pernicious_anaemia", "mother", family=True),
            ],
            labs=[LabResult("b12_total", 150.0, "ng/L"), LabResult("hb", 112.0, "g/L")],
            duration_days=21,
            age=34,
            sex="female",
            pregnant=Status.PRESENT,
        ),
        "t1": Extraction(
            mentions=[
                m("fatigue", "mother", family=True),
                m("numbness", "she", hypothetical=True, status=Status.UNKNOWN),
                m("chest_pain", "friend"),
            ],
            subject="mother",
            age=80,
        ),
    }


def test_perfect_extractor_scores_one():
    score = b.score_ordinary(ORDINARY, table(perfect()))
    assert (score.findings.subject.tp, score.findings.subject.fp, score.findings.subject.fn) == (
        7, 0, 0
    )
    assert score.findings.subject.f1 == 1.0
    assert score.findings.stored.tp == 6
    assert score.findings.misattributed == 0
    assert score.labs.f1 == 1.0
    assert {name: (r.hits, r.total) for name, r in score.fields.items()} == {
        "duration_days": (1, 1), "pregnant": (1, 1), "age": (2, 2), "sex": (1, 1)
    }
    assert (score.subject_recognised.hits, score.subject_recognised.total) == (1, 1)
    assert score.misses == []
    # Raw, the mother's own findings read as family history and as someone else's.
    assert (score.findings.raw.tp, score.findings.raw.fp, score.findings.raw.fn) == (5, 2, 2)


def test_wrong_extractor_gives_the_expected_numbers():
    wrong = {
        "t0": Extraction(
            mentions=[
                m("fatigue"),
                m("numbness"),  # denial missed: present instead of absent
                m("metformin"),  # past read as now
                m("pernicious_anaemia"),  # the mother's, kept as the person's own
            ],
            labs=[LabResult("b12_total", 150.0, "pmol/L")],  # wrong unit, hb missed
            duration_days=14,
            age=34,
            sex="male",
        ),
        "t1": Extraction(mentions=[m("chest_pain")]),  # the friend's, kept as hers
    }
    score = b.score_ordinary(ORDINARY, table(wrong))
    subject = score.findings.subject
    assert (subject.tp, subject.fp, subject.fn) == (1, 4, 6)
    assert subject.precision == pytest.approx(1 / 5)
    assert subject.recall == pytest.approx(1 / 7)
    assert subject.f1 == pytest.approx(2 * (1 / 5) * (1 / 7) / (1 / 5 + 1 / 7))
    assert score.findings.misattributed == 1
    assert score.findings.misattributed_raw == 1
    assert (score.labs.tp, score.labs.fp, score.labs.fn) == (0, 1, 2)
    assert {name: (r.hits, r.total) for name, r in score.fields.items()} == {
        "duration_days": (0, 1), "pregnant": (0, 1), "age": (1, 2), "sex": (0, 1)
    }
    assert score.subject_recognised.hits == 0
    categories = {(x.index, x.category) for x in score.misses}
    assert {
        (0, "finding missed"), (0, "finding extra"), (0, "lab value/unit wrong"),
        (0, "duration_days wrong"), (0, "pregnant wrong"), (0, "sex wrong"),
        (1, "another person's finding kept"), (1, "subject not recognised"), (1, "age wrong"),
    } <= categories
    assert all("t0" not in x.detail and "t1" not in x.detail for x in score.misses)


def test_raw_and_subject_rule_differ_only_for_someone_else():
    cases = [{"text": "t", "subject": "other", "who": "father", "mentions": ["numbness"]}]
    extract = table({"t": Extraction(mentions=[m("numbness", "he")])})
    score = b.score_ordinary(cases, extract)
    assert score.findings.raw.f1 == 0.0
    assert score.findings.subject.f1 == 1.0


def test_someone_elses_finding_kept_as_family_history_is_misattributed():
    cases = [{"text": "t", "subject": "self", "mentions": ["other:fainting", "fatigue"]}]
    extract = table({"t": Extraction(mentions=[m("fainting", family=True), m("fatigue")])})
    score = b.score_ordinary(cases, extract)
    assert score.findings.misattributed == 1
    # Also true of the writer and someone else at once: then nothing is misattributed.
    both = [{"text": "t", "subject": "self", "mentions": ["other:fatigue", "fatigue"]}]
    score = b.score_ordinary(both, table({"t": Extraction(mentions=[m("fatigue")])}))
    assert score.findings.misattributed == 0


# ------------------------------------------------------------------------------ labs


@pytest.mark.parametrize(
    ("expected", "found", "right"),
    [
        ({"analyte": "b12_total", "value": 150, "unit": "ng/L"}, ("b12_total", 150, "ng/L"), True),
        ({"analyte": "b12_total", "value": 150, "unit": "ng/L"}, ("b12_total", 148.6, "ng/L"),
         True),
        ({"analyte": "b12_total", "value": 150, "unit": "ng/L"}, ("b12_total", 148, "ng/L"),
         False),
        ({"analyte": "b12_total", "value": 150, "unit": "pg/mL"}, ("b12_total", 150, "ng/L"),
         True),
        ({"analyte": "b12_total", "value": 150, "unit": "pmol/L"},
         ("b12_total", 203.25, "ng/L"), True),
        ({"analyte": "b12_total", "value": 150, "unit": "pmol/L"}, ("b12_total", 150, "ng/L"),
         False),
        ({"analyte": "hb", "value": 11.2, "unit": "g/dL"}, ("hb", 112, "g/L"), True),
        ({"analyte": "hb", "value": 11.2, "unit": "g/dL"}, ("hb", 11.2, "g/dL"), True),
        ({"analyte": "hb", "value": 11.2, "unit": "g/dL"}, ("hb", 11.2, "g/L"), False),
        # 0.05 absolute wins over 1 % for small numbers.
        ({"analyte": "homocysteine", "value": 2.0, "unit": "umol/L"},
         ("homocysteine", 2.04, "µmol/L"), True),
        ({"analyte": "homocysteine", "value": 2.0, "unit": "umol/L"},
         ("homocysteine", 2.06, "umol/L"), False),
        ({"analyte": "mma", "value": 0.45, "unit": "umol/L"}, ("mma", 450, "nmol/L"), True),
        ({"analyte": "folate", "value": 3.1, "unit": "ug/L"}, ("b12_total", 3.1, "ug/L"), False),
        # A unit no table knows must match as written.
        ({"analyte": "zzz", "value": 5, "unit": "mU/L"}, ("zzz", 5, "mu/l"), True),
    ],
)
def test_lab_tolerance(expected, found, right):
    assert b.lab_matches(expected, LabResult(*found)) is right


def test_labs_match_one_to_one():
    want = [{"analyte": "hb", "value": 112, "unit": "g/L"}] * 2
    matched, missed, extra = b.match_labs(want, [LabResult("hb", 112, "g/L")])
    assert (matched, len(missed), extra) == (1, 1, [])


# ------------------------------------------------------------------------------ not emergencies

NOT_EMERGENCIES = [
    {"text": "n0", "kind": "denial", "subject": "self", "mentions": ["chest_pain!"],
     "red_flags_mentioned": ["chest_pain"], "emergency": "wrong"},
    {"text": "n1", "kind": "idiom", "subject": "self", "mentions": [],
     "red_flags_mentioned": ["fainting"], "emergency": "wrong"},
    {"text": "n2", "kind": "past", "subject": "self", "mentions": ["past:fainting"],
     "red_flags_mentioned": ["fainting"], "emergency": "allowed"},
    {"text": "n3", "kind": "not_the_subject", "subject": "self",
     "mentions": ["other:chest_pain"], "red_flags_mentioned": ["chest_pain"],
     "emergency": "wrong"},
]


def test_a_false_emergency_is_counted_and_an_allowed_one_is_not():
    extract = table({
        "n0": Extraction(mentions=[m("chest_pain", negated=True, status=Status.ABSENT)]),
        "n1": Extraction(mentions=[m("fainting")]),  # the idiom read as a faint now
        "n2": Extraction(mentions=[m("fainting")]),  # allowed: shown, not counted
        "n3": Extraction(),  # the friend's chest pain left out
    })
    score = b.score_not_emergencies(NOT_EMERGENCIES, extract, ANNOUNCES)
    assert (score.wrong_cases, score.allowed_cases) == (3, 1)
    assert score.false_emergencies == [(1, "idiom")]
    assert score.allowed_announced == [(2, "past")]
    assert [(x.index, x.category) for x in score.misses if "emergency" in x.category] == [
        (1, "false emergency (idiom)")
    ]


def test_the_nlu_rule_reads_roles():
    assert ANNOUNCES(Extraction(mentions=[m("chest_pain")]))
    assert not ANNOUNCES(Extraction(mentions=[m("chest_pain", negated=True)]))
    # A relative's red flag now is an emergency (reports_red_flag_now); told as family
    # history (past) it is not.
    assert not ANNOUNCES(Extraction(mentions=[m("chest_pain", family=True, past=True)]))
    assert not ANNOUNCES(Extraction(mentions=[m("fatigue")]))


def test_the_rule_prefers_reports_red_flag_now(monkeypatch):
    from bot.nlu import entities

    monkeypatch.delattr(entities, "reports_red_flag_now", raising=False)
    assert b.announce_rule()[0] == "reports_own_red_flag"
    monkeypatch.setattr(entities, "reports_red_flag_now", lambda found: False, raising=False)
    name, rule = b.announce_rule()
    assert name == "reports_red_flag_now"
    assert not ANNOUNCES(Extraction(mentions=[m("chest_pain")]))


# ------------------------------------------------------------------------------ emergencies

EMERGENCIES = [
    {"text": "e0", "subject": "self", "red_flags": ["chest_pain"], "emergency": "required",
     "age": 58},
    {"text": "e1", "subject": "other", "who": "father", "red_flags": ["acute_confusion"],
     "emergency": "required", "age": 80},
    {"text": "e2", "subject": "other", "who": "wife", "red_flags": ["fainting", "chest_pain"],
     "emergency": "required", "crisis_lines": True},
]


def test_emergencies_perfect():
    extract = table({
        "e0": Extraction(mentions=[m("chest_pain", "self")], age=58),
        "e1": Extraction(mentions=[m("acute_confusion", "father", family=True)],
                         subject="father", age=80),
        "e2": Extraction(mentions=[m("fainting", "she")], subject="partner"),
    })
    score = b.score_emergencies(EMERGENCIES, extract, lambda extraction: True)
    assert (score.announced.hits, score.announced.total) == (3, 3)
    assert (score.red_flag.hits, score.red_flag.total) == (3, 3)
    assert score.red_flag_raw.hits == 1  # raw, the father's is family history, hers another's
    assert (score.subject_recognised.hits, score.subject_recognised.total) == (2, 2)
    assert score.subject_matched.hits == 2
    assert (score.age.hits, score.age.total) == (2, 2)
    assert score.misses == []


@dataclass
class OldExtraction:
    """An extraction from before ``Extraction.subject`` existed."""

    mentions: list[Mention] = field(default_factory=list)
    labs: list[LabResult] = field(default_factory=list)
    age: int | None = None


def test_emergencies_wrong():
    extract = table({
        "e0": Extraction(mentions=[m("chest_pain", negated=True, status=Status.ABSENT)]),
        "e1": OldExtraction(mentions=[m("acute_confusion", "he", hypothetical=True)], age=8),
        "e2": Extraction(mentions=[m("fainting", "self")], subject="self"),
    })
    score = b.score_emergencies(
        EMERGENCIES, extract, lambda e: isinstance(e, Extraction) and ANNOUNCES(e)
    )
    assert score.announced.hits == 1  # e2's own faint is announced by the words
    assert score.red_flag.hits == 0  # denied; hypothetical; the writer's, not the wife's
    assert score.subject_recognised.hits == 0
    assert score.age.hits == 0
    assert {(x.index, x.category) for x in score.misses} >= {
        (0, "not announced"), (1, "not announced"), (0, "red flag not found"),
        (1, "subject not recognised"), (2, "subject not recognised"), (0, "age not attached"),
    }


# ------------------------------------------------------------------------------ live


def alert(level: str = "emergency") -> dict[str, Any]:
    return {"text": "Call 999", "custom": {"type": "b12_emergency", "level": level}}


class FakeAssistant:
    """Replies by message text; remembers which senders it saw; fails on request."""

    def __init__(self, replies: dict[str, list[dict[str, Any]]], findings: dict[str, Any],
                 failures: int = 0) -> None:
        self.replies, self.findings, self.failures = replies, findings, failures
        self.senders: list[str] = []
        self.last: dict[str, str] = {}

    def say(self, sender: str, text: str) -> list[dict[str, Any]]:
        if self.failures:
            self.failures -= 1
            raise b.LiveError("REST turn: timed out")
        self.senders.append(sender)
        if not text.startswith("/"):
            self.last[sender] = text
        return self.replies.get(text, [{"text": "ok"}])

    def tracker(self, sender: str) -> dict[str, Any] | None:
        return {"slots": {"findings": self.findings.get(self.last[sender])}}


def fake_level(tracker: dict[str, Any]) -> str:
    return (tracker["slots"]["findings"] or {}).get("level", "self_care")


RUN = functools.partial(b.run_live_case, final=fake_level)


def test_live_emergencies():
    assistant = FakeAssistant(
        {"e0": [alert()], "e1": [alert("urgent")],
         "e2": [alert(), {"text": "Samaritans: 116 123"}]},
        {"e0": {"level": "emergency"}, "e1": {"level": "urgent"}, "e2": {"level": "emergency"}},
    )
    score = b.score_live("emergencies", EMERGENCIES, assistant, run_case=RUN)
    assert (score.announced.hits, score.announced.total) == (3, 3)
    assert score.emergency_level.hits == 2
    assert (score.final_emergency.hits, score.final_emergency.total) == (2, 3)
    assert (score.final_at_label.hits, score.final_at_label.total) == (2, 3)
    assert (score.crisis_lines.hits, score.crisis_lines.total) == (1, 1)
    assert [(x.index, x.category) for x in score.misses] == [
        (1, "live: final assessment urgent")
    ]
    assert len(set(assistant.senders)) == 3  # a fresh conversation per case


def test_an_urgent_label_is_met_by_an_urgent_or_emergency_assessment():
    cases = [dict(case, emergency="urgent") for case in EMERGENCIES]
    assistant = FakeAssistant(
        {"e0": [alert("urgent")], "e1": [alert("urgent")], "e2": [alert()]},
        {"e0": {"level": "urgent"}, "e1": {"level": "routine"}, "e2": {"level": "emergency"}},
    )
    score = b.score_live("emergencies", cases, assistant, run_case=RUN)
    assert (score.final_at_label.hits, score.final_at_label.total) == (2, 3)
    assert score.final_emergency.hits == 1
    assert b.level_at_least("soon", "urgent") is False
    assert b.level_at_least("emergency", "urgent") is True
    assert b.level_at_least(None, "urgent") is False


def test_an_alert_followed_by_a_calmer_assessment_is_a_contradiction():
    assistant = FakeAssistant(
        {"e0": [alert()], "e1": [alert("urgent")], "e2": [{"text": "Tell me more"}]},
        {"e0": {"level": "urgent"}, "e1": {"level": "emergency"}, "e2": {"level": "routine"}},
    )
    score = b.score_live("emergencies", EMERGENCIES, assistant, run_case=RUN)
    assert (score.contradicted.hits, score.contradicted.total) == (1, 2)
    assert ("live: alert contradicted", "emergency then urgent") in [
        (x.category, x.detail) for x in score.misses if x.index == 0
    ]
    assert all(x.category != "live: alert contradicted" for x in score.misses if x.index != 0)


def test_live_not_emergencies_counts_only_wrong_cases():
    assistant = FakeAssistant({"n1": [alert()], "n2": [alert()]}, {"n1": {"level": "emergency"}})
    score = b.score_live("not_emergencies", NOT_EMERGENCIES, assistant, run_case=RUN)
    assert score.cases == 3
    assert (score.announced.hits, score.final_emergency.hits) == (1, 1)
    assert [(x.index, x.category) for x in score.misses] == [
        (1, "live: false announcement"), (1, "live: final assessment emergency")
    ]


def test_live_retries_once_in_a_fresh_conversation_then_reports():
    assistant = FakeAssistant({"e0": [alert()]}, {"e0": {"level": "emergency"}}, failures=1)
    outcome = RUN(assistant, "e0", "x")
    assert outcome.announced and outcome.final_emergency and outcome.error is None
    assistant = FakeAssistant({}, {}, failures=5)
    score = b.score_live("emergencies", EMERGENCIES[:1], assistant, run_case=RUN)
    assert score.announced.total == 0
    assert score.errors == ["#0: eme0: attempt 2: REST turn: timed out"]


def test_live_without_tracker_leaves_the_final_level_unknown():
    class NoTracker(FakeAssistant):
        def tracker(self, sender: str) -> None:
            return None

    outcome = RUN(NoTracker({"e0": [alert()]}, {}), "e0", "x")
    assert outcome.announced and outcome.final_emergency is None


def test_rest_client_retries_reads_and_never_a_turn(monkeypatch):
    calls: list[str] = []

    class Flaky(b.RestAssistant):
        def _open(self, request):
            calls.append(request.get_method())
            if len(calls) == 1:
                raise urllib.error.URLError("connection refused")
            return b'{"slots": {}}'

    client = Flaky("http://127.0.0.1:1", "rest", api_token="t" * 16, id_key="k" * 32, pause=0)
    assert client.tracker("someone") == {"slots": {}}
    assert calls == ["GET", "GET"]
    calls.clear()
    with pytest.raises(b.LiveError, match="REST turn: URLError"):
        client.say("someone", "hi")
    assert calls == ["POST"]
    assert b.RestAssistant("http://x", "rest").tracker("someone") is None


def test_crisis_lines_and_alert_levels():
    assert b.has_crisis_lines([{"custom": {"type": "b12_emergency", "message": "call 116 123"}}])
    assert not b.has_crisis_lines([{"text": "call 999"}])
    assert b.alert_levels([{"custom": {"type": "b12_emergency"}}, {"text": "x"}]) == ["emergency"]


def test_later_rounds_spell_family_in_full_and_load_by_round(tmp_path) -> None:
    assert b.parse_mention("family:pernicious_anaemia") == b.parse_mention("fam:pernicious_anaemia")
    assert b.parse_mention("paresthesia?")[1] == Status.UNKNOWN.value
    (tmp_path / "blind_r4_ordinary.yml").write_text(
        "cases:\n  - {text: x, subject: self, mentions: [family:coeliac]}\n"
    )
    cases = b.load_set("ordinary", tmp_path, 4)
    assert len(cases) == 1 and b.check_notation(cases, "ordinary") == []


def test_a_rounds_own_id_names_are_mapped_with_prefixes_and_suffix_kept():
    aliases = {"unable_to_walk": "rapid_leg_weakness"}
    assert b.rename_label("other:past:unable_to_walk!", aliases) == "other:past:rapid_leg_weakness!"
    assert b.rename_label("hyp:unable_to_walk", aliases) == "hyp:rapid_leg_weakness"
    assert b.rename_label("fatigue?", aliases) == "fatigue?"


def test_every_mapped_id_is_one_the_knowledge_base_has():
    from bot.knowledge import load_knowledge

    known = set(load_knowledge().findings)
    for aliases in b.ID_ALIASES.values():
        assert set(aliases.values()) <= known


def test_crisis_lines_are_due_where_labelled_or_for_suicidal_thoughts() -> None:
    wants_crisis_lines = b.wants_crisis_lines
    assert wants_crisis_lines({"red_flags": ["suicidal_thoughts"]})
    assert wants_crisis_lines({"red_flags": ["chest_pain"], "crisis_lines": True})
    assert not wants_crisis_lines({"red_flags": ["chest_pain"]})
    assert not wants_crisis_lines({"red_flags": ["suicidal_thoughts"], "crisis_lines": False})
