"""What the person reads in chat and what the doctor reads in the summary."""

from __future__ import annotations

import base64
import hashlib
from dataclasses import replace
from datetime import datetime, timezone

from core_builders import lab, make

from bot.assessment import assess
from bot.findings import LabResult, Status
from bot.labs import interpret
from bot.messages import explain_why, lab_message, short_summary, source_in_words
from bot.messages import tests_message as render_tests_message
from bot.summary import PRINT_SCRIPT, PRINT_SCRIPT_HASH, render_html, render_text

NOW = datetime(2026, 11, 25, 9, 30, tzinfo=timezone.utc)
FORBIDDEN = ("you have b12 deficiency", "you are deficient", "you should take", "take 1 mg")


def _routine():
    findings = (
        make("paresthesia", "metformin", "vegan_diet", absent=("fatigue",), age=67, sex="female")
        .with_item("glossitis", Status.UNKNOWN)
        .with_item("ppi", Status.ABSENT, past=True)
        .with_family("pernicious_anaemia", Status.PRESENT)
        .with_lab(lab("b12_total", 150, "pmol/L"))
    )
    return findings, assess(findings, now=NOW)


def test_short_summary_gives_urgency_likelihood_and_tests_without_diagnosing():
    _, assessment = _routine()
    text = short_summary(assessment)
    assert "Book a GP appointment" in text
    assert "in 100" in text
    assert "Full blood count" in text
    assert "not a diagnosis" in text
    assert not any(phrase in text.lower() for phrase in FORBIDDEN)


def test_emergency_summary_is_only_the_emergency():
    text = short_summary(assess(make("fainting", "fatigue")))
    assert text.startswith("Get emergency help now")
    assert "Tests to ask about" not in text and "in 100" not in text


def test_explain_why_lists_for_against_unknown_with_sources():
    findings = make("paresthesia", "metformin", age=30)
    text = explain_why(assess(findings))
    assert "more likely" in text and "less likely" in text and "don't know yet" in text
    assert "de Jager" in text and "Gujarat" in text


def test_tests_message_gives_reasons_and_handles_no_tests():
    _, assessment = _routine()
    text = render_tests_message(assessment)
    assert "Full blood count" in text and "Shows whether you are anaemic" in text
    assert "not suggesting any blood tests" in render_tests_message(assess(make(age=40)))


def test_lab_message_includes_cautions():
    reading = interpret(lab("b12_total", 500, "ng/L"), make("nitrous_oxide"))
    text = lab_message(reading)
    assert "unlikely" in text and "nitrous oxide" in text.lower()


def test_text_summary_lists_everything_a_doctor_needs():
    findings, assessment = _routine()
    text = render_text(findings, assessment)
    for expected in (
        "25 November 2026",
        "Yes: Pins and needles or tingling",
        "No: Tiredness or lack of energy",
        "Not sure: Sore, red or smooth tongue",
        "In the past only: Taking a proton pump inhibitor",
        "Taking metformin",
        "Pernicious anaemia: yes",
        "Total B12",
        "Intrinsic factor antibodies",
        "not a diagnosis",
    ):
        assert expected in text, expected


def test_html_summary_is_escaped_and_self_contained():
    findings, assessment = _routine()
    hostile = findings.with_lab(
        LabResult("mcv", 104.0, "fL", original="<script>alert(1)</script> mcv 104")
    )
    html = render_html(hostile, assess(hostile, now=NOW))
    # The one script is the Print button's own, fixed and allowed by its hash.
    assert html.count("<script>") == 1 and f"<script>{PRINT_SCRIPT}</script>" in html
    assert "alert(1)" not in html.replace("&lt;script&gt;alert(1)", "")
    assert "&lt;script&gt;" in html
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert "http://" not in html and "https://" not in html and "<link" not in html
    assert "@media print" in html
    assert "level-routine" in html


def test_the_print_buttons_script_hash_is_its_own() -> None:
    """The summary page's policy allows exactly this script: a changed script must
    change the hash, or the button would silently stop appearing."""
    digest = base64.b64encode(hashlib.sha256(PRINT_SCRIPT.encode()).digest()).decode()
    assert f"sha256-{digest}" == PRINT_SCRIPT_HASH
    html = render_html(*_routine())
    assert 'id="print" hidden' in html and "Ctrl+P" in html


def test_explain_why_speaks_plain_words_and_lists_as_lines():
    findings = make("paresthesia", "metformin", "vegan_diet", age=30).with_lab(
        lab("b12_total", 150, "pmol/L")
    )
    text = explain_why(assess(findings))
    for reviewer_word in ("log-odds", "docs/", "prior", "LR+", "OR 1.", "(see "):
        assert reviewer_word not in text, reviewer_word
    assert "Source: de Jager and colleagues, 2010" in text
    assert "clinicians' judgement" in text
    # Each list is a block of its own: a lead-in line, then only "- " lines.
    for block in text.split("\n\n"):
        lines = block.splitlines()
        if any(line.startswith("- ") for line in lines):
            assert all(line.startswith("- ") for line in lines[1:]), block


def test_source_in_words_names_guidelines_and_studies() -> None:
    assert source_in_words("NICE NG239 2024 (listed symptom); weight is judgement") == (
        "the NICE guideline on vitamin B12 deficiency, 2024 and clinicians' judgement of the "
        "evidence"
    )
    assert source_in_words("Lahner & Annibale 2009 (x)") == "Lahner and Annibale, 2009"
    assert source_in_words("Lam, JAMA 2013 (OR 1.65)") == "Lam and colleagues, 2013"
    assert source_in_words("") == ""


def test_advice_about_timing_is_not_listed_as_a_test():
    findings, assessment = _routine()
    assert any(t.id == "blood_before_supplements" for t in assessment.tests)
    text = render_tests_message(assessment)
    listed = [line for line in text.splitlines() if line.startswith("- ")]
    assert listed and not any("before starting any B12 supplement" in line for line in listed)
    assert "Have the blood test before starting any B12 supplement." in text
    summary = render_text(findings, assessment)
    tests_part = summary.split("Tests to ask about:")[1].split("\n\n")[0]
    assert "before starting" not in tests_part
    assert "Before testing:\n- Have the blood test before starting" in summary


def test_text_summary_has_no_rulers_and_explains_the_weights():
    findings, assessment = _routine()
    text = render_text(findings, assessment)
    assert "===" not in text and "---" not in text
    assert "log-odds" in text and "doubles the odds" in text
    assert "docs/" not in text
    for block in text.strip().split("\n\n")[1:]:
        heading, *lines = block.splitlines()
        assert heading.endswith(":") and lines and all(line.startswith("- ") for line in lines)


def test_family_history_answered_not_sure_is_said_as_not_sure():
    findings = make("paresthesia", age=50)
    asked = replace(findings, asked=findings.asked | {"family_history"})
    assert "Family history:\n- Not sure" in render_text(asked, assess(asked, now=NOW))
    assert "Family history:\n- Not asked" in render_text(findings, assess(findings, now=NOW))
