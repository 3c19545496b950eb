"""The command line, run as a person would run it (a real subprocess)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ENV = {**os.environ, "RASA_TELEMETRY_ENABLED": "false", "PYTHONPATH": str(ROOT)}
FINDINGS = {
    "items": {
        "paresthesia": {"status": "present", "past": False},
        "metformin": {"status": "present", "past": False},
        "fatigue": {"status": "absent", "past": False},
    },
    "family": {},
    "age": 67,
    "sex": "female",
    "pregnant": "unknown",
    "breastfeeding": "unknown",
    "black_ethnicity": "unknown",
    "duration_days": None,
    "labs": {},
}


def run(*args: str, stdin: str = "") -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=ENV,
        timeout=120,
    )


@pytest.fixture()
def findings_file(tmp_path: Path) -> Path:
    path = tmp_path / "findings.json"
    path.write_text(json.dumps(FINDINGS))
    return path


def test_assess_prints_json_by_default(findings_file):
    result = run("assess", str(findings_file))
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    assert data["triage"]["level"] == "routine"
    assert data["band"] in ("moderate", "high")


def test_assess_text_is_readable_and_has_the_disclaimer(findings_file):
    result = run("assess", str(findings_file), "--text")
    assert result.returncode == 0, result.stderr
    assert "Book a GP appointment" in result.stdout
    assert "Taking metformin" in result.stdout
    assert "not a diagnosis" in result.stdout
    assert not result.stdout.lstrip().startswith("{")


def test_assess_both_and_html(findings_file, tmp_path):
    html = tmp_path / "summary.html"
    result = run("assess", str(findings_file), "--both", "--html", str(html))
    assert result.returncode == 0, result.stderr
    json_part = result.stdout[result.stdout.index("\n{") + 1 :]
    assert json.loads(json_part)["schema_version"] == "1.1"
    assert html.read_text().startswith("<!DOCTYPE html>")


def test_assess_reads_stdin():
    result = run("assess", "-", stdin=json.dumps(FINDINGS))
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout)["kb_version"]


@pytest.mark.parametrize(
    ("args", "stdin", "expected"),
    [
        (("assess", "/no/such/file.json"), "", "I101"),
        (("assess", "-"), "{not json", "I102"),
        (("assess", "-"), "[1, 2]", "I103"),
        (("assess", "-"), json.dumps({"age": 300}), "I103"),
        (("assess", "-"), json.dumps({"items": {"x": {"status": "maybe"}}}), "I103"),
        (("assess", "-"), json.dumps({"items": {"tiredness": {"status": "present"}}}), "I104"),
        (("labs", "b12 -3 ng/L"), "", "cannot be negative"),
        (("labs", "hb 13 mmol/L"), "", "does not fit"),
    ],
)
def test_bad_input_gives_a_clear_message_and_exit_2(args, stdin, expected):
    result = run(*args, stdin=stdin)
    assert result.returncode == 2
    assert expected in result.stderr
    assert "Traceback" not in result.stderr
    assert result.stdout == ""


def test_labs_reads_a_value():
    result = run("labs", "b12 150 pmol/L")
    assert result.returncode == 0, result.stderr
    assert "in-between range" in result.stdout
    data = json.loads(run("labs", "b12 150 pmol/L", "--json").stdout)
    assert data["band"] == "indeterminate" and data["unit"] == "ng/L"


def test_extract_runs_the_language_understanding():
    result = run("extract", "pins and needles in my feet")
    assert result.returncode == 0, result.stderr
    mentions = json.loads(result.stdout)["mentions"]
    assert [(m["id"], m["status"]) for m in mentions] == [("paresthesia", "present")]


def test_missing_subcommand_is_a_usage_error():
    result = run()
    assert result.returncode == 2
    assert "usage" in result.stderr


@pytest.mark.parametrize(
    "args",
    [
        ("extract", "pins n needles in my feet, no chest pain, mum had pernicious anaemia"),
        ("labs", "b12 150 pmol/L"),
        ("assess", "examples/findings.json"),
    ],
)
def test_commands_print_no_library_deprecation_warnings(args):
    """Even with warnings switched on, the libraries' own deprecations stay out of the way."""
    result = subprocess.run(
        [sys.executable, "-W", "default", "-m", "bot", *args],
        capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    assert "Warning" not in result.stderr, result.stderr


def test_the_projects_own_deprecation_warnings_still_show():
    code = (
        "import warnings, bot.__main__\n"
        "warnings.warn_explicit('old call', DeprecationWarning, 'bot/labs.py', 1, "
        "module='bot.labs')\n"
        "warnings.warn_explicit('lib call', DeprecationWarning, 'click/x.py', 1, module='click')\n"
    )
    result = subprocess.run(
        [sys.executable, "-W", "default", "-c", code],
        capture_output=True, text=True, cwd=ROOT, env=ENV, timeout=120,
    )
    assert "DeprecationWarning: old call" in result.stderr
    assert "lib call" not in result.stderr


def test_the_readme_example_findings_file_assesses():
    result = run("assess", "examples/findings.json", "--text")
    assert result.returncode == 0, result.stderr
    assert "Family history" in result.stdout
    assert "Vitamin B12 level" in result.stdout
