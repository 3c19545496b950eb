"""What the person reads in chat and what the doctor reads in the summary."""

from __future__ import annotations

from datetime import datetime, timezone

from core_builders import lab, make

from bot.assessment import assess
from bot.findings import LabResult, Status
from bot.labs import interpret
from bot.messages import explain_why, lab_message, short_summary
from bot.messages import tests_message as render_tests_message
from bot.summary import render_html, render_text

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
    assert "<script>" not in html
    assert "&lt;script&gt;" in html
    assert html.startswith("<!DOCTYPE html>") and "<style>" in html
    assert "http://" not in html and "https://" not in html and "<link" not in html
    assert "@media print" in html
    assert "level-routine" in html
