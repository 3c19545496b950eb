"""A dated report for the person to take to their doctor (plain text and printable HTML).

It lists what was asked and answered, including "no" and "not sure", because a
clinician needs to know what was ruled out as much as what was reported. The
HTML is a single self-contained page: inline CSS, one fixed inline script (the
Print button, allowed by its hash), no external files, every piece of text
escaped (people's own words end up in it).
"""

from __future__ import annotations

import base64
import hashlib
import re
from dataclasses import dataclass
from html import escape

from bot.advice import BEFORE_TESTING
from bot.assessment import Assessment
from bot.findings import Findings, Status
from bot.knowledge import load_knowledge

MEDICINE_CATEGORIES = ("medicine", "recreational")
# References to the project's own files belong to its reviewers, not to a doctor.
_FILE_REFERENCE = re.compile(r"\s*(?:\(see docs/[^)]*\)|;\s*docs/[\w./-]+)")
WEIGHTS_EXPLAINED = (
    "Weights are changes in log-odds (the natural log of the odds of deficiency) from the "
    "starting estimate: +0.69 doubles the odds, -0.69 halves them; they add up to the "
    "final estimate, with linked findings capped together."
)


@dataclass(frozen=True)
class _Section:
    title: str
    lines: tuple[str, ...]


def _label(fid: str) -> str:
    definition = load_knowledge().findings.get(fid)
    return definition.label if definition else fid


def _grouped(
    findings: Findings,
    kinds: tuple[str, ...],
    categories: tuple[str, ...] | None,
    exclude_categories: tuple[str, ...] = (),
) -> dict[str, list[str]]:
    kb = load_knowledge()
    out: dict[str, list[str]] = {"present": [], "absent": [], "unsure": [], "past": []}
    for fid, state in sorted(findings.items.items(), key=lambda kv: _label(kv[0])):
        definition = kb.findings.get(fid)
        if definition is None or definition.kind not in kinds:
            continue
        if categories is not None and definition.category not in categories:
            continue
        if definition.category in exclude_categories:
            continue
        if state.past:
            out["past"].append(definition.label)
        elif state.status is Status.PRESENT:
            out["present"].append(definition.label)
        elif state.status is Status.ABSENT:
            out["absent"].append(definition.label)
        else:
            out["unsure"].append(definition.label)
    return out


def _status_lines(groups: dict[str, list[str]], empty: str) -> tuple[str, ...]:
    lines = []
    names = {"present": "Yes", "absent": "No", "unsure": "Not sure", "past": "In the past only"}
    for key in ("present", "absent", "unsure", "past"):
        if groups[key]:
            lines.append(f"{names[key]}: {', '.join(groups[key])}")
    return tuple(lines) or (empty,)


def _source(source: str) -> str:
    return _FILE_REFERENCE.sub("", source).strip()


def _family_lines(findings: Findings) -> tuple[str, ...]:
    """Family history as answered; "not sure" is an answer and is said as one."""
    lines = tuple(
        f"{_label(fid)}: {_yes_no(state.status)}" for fid, state in sorted(findings.family.items())
    )
    if lines:
        return lines
    return ("Not sure",) if "family_history" in findings.asked else ("Not asked",)


def _yes_no(status: Status) -> str:
    return {Status.PRESENT: "yes", Status.ABSENT: "no", Status.UNKNOWN: "not known"}[status]


def _sections(findings: Findings, assessment: Assessment) -> list[_Section]:
    kb = load_knowledge()
    score = assessment.score
    triage = assessment.triage
    about = [
        *(
            [f"Checked for: {assessment.checked_for['name']}, by the person writing"]
            if assessment.checked_for else []
        ),
        f"Age: {findings.age if findings.age is not None else 'not given'}",
        f"Sex: {findings.sex or 'not given'}",
        f"Pregnant: {_yes_no(findings.pregnant)}"
        + (f" ({findings.pregnancy_weeks} weeks)" if findings.pregnancy_weeks else ""),
        f"Breastfeeding: {_yes_no(findings.breastfeeding)}",
    ]
    if findings.duration_days is not None:
        about.append(f"Symptoms for about {findings.duration_days} days")
    labs = []
    for reading in assessment.labs:
        shown = reading.original or f"{reading.value:g} {reading.unit}"
        labs.append(
            f"{reading.label}: {shown} = {reading.value:.4g} {reading.unit} -> "
            f"{reading.band.replace('_', ' ')}. {reading.message}"
        )
        labs += [f"  Caution: {c}" for c in reading.cautions]
    basis = {"age": "age", "reference": "an adult of unknown age"}.get(
        score.prior_basis, _label(score.prior_basis)
    )
    likelihood = [
        f"Estimated likelihood of B12 deficiency: {score.band_label} "
        f"({score.probability:.0%}; starting estimate {score.prior:.0%} from {basis})",
    ]
    likelihood += [
        f"For: {f.label} (weight {f.log_odds:+.2f}; {_source(f.source)})" for f in score.supporting
    ]
    likelihood += [
        f"Against: {f.label} (weight {f.log_odds:+.2f}; {_source(f.source)})" for f in score.against
    ]
    likelihood.append(WEIGHTS_EXPLAINED)
    flags = [f"{hit.label} ({hit.urgency})" for hit in assessment.red_flags]
    red_flag_answers = _grouped(findings, ("red_flag",), None)
    return [
        _Section(
            "Advice",
            (f"{triage.title}. {triage.advice}", *[f"Reason: {r}" for r in triage.reasons]),
        ),
        _Section("Warning signs reported", tuple(flags) or ("None reported",)),
        _Section("Warning signs asked about", _status_lines(red_flag_answers, "None asked")),
        _Section("About the person", tuple(about)),
        _Section(
            "Symptoms", _status_lines(_grouped(findings, ("symptom",), None), "None recorded")
        ),
        _Section(
            "Risk factors",
            _status_lines(
                _grouped(findings, ("risk_factor",), None, exclude_categories=MEDICINE_CATEGORIES),
                "None recorded",
            ),
        ),
        _Section(
            "Medicines and substances",
            _status_lines(
                _grouped(findings, ("risk_factor",), MEDICINE_CATEGORIES), "None recorded"
            ),
        ),
        _Section("Family history", _family_lines(findings)),
        _Section("Blood results", tuple(labs) or ("None given",)),
        _Section("Likelihood and reasons", tuple(likelihood)),
        _Section(
            "Tests to ask about",
            tuple(
                f"{t.name}: {t.reason}" for t in assessment.tests if t.id not in BEFORE_TESTING
            )
            or ("None suggested",),
        ),
        *(
            [_Section("Before testing", tuple(f"{t.name}. {t.reason}" for t in timing))]
            if (timing := [t for t in assessment.tests if t.id in BEFORE_TESTING])
            else []
        ),
        _Section(
            "About this report",
            (
                f"Generated {assessment.generated_at:%d %B %Y, %H:%M %Z}".rstrip(),
                f"Knowledge base version {kb.version}",
                assessment.disclaimer,
            ),
        ),
    ]


def _heading(assessment: Assessment) -> str:
    """Whose check this is, said first: a doctor reading it must not mistake the writer
    for the patient."""
    if assessment.checked_for:
        return f"B12 symptom check for {assessment.checked_for['name']}: summary for the doctor"
    return "B12 symptom check: summary for your doctor"


def render_text(findings: Findings, assessment: Assessment) -> str:
    """Plain-text report (email, print, or copy into a GP's online form).

    Headings end with a colon and every item is a line starting with "- ", so it
    reads the same in a chat app, a text message, an email or a GP's web form, with
    no rulers or indentation that a narrow screen would break.
    """
    date = f"{assessment.generated_at:%d %B %Y}"
    out = [f"{_heading(assessment)} ({date})", ""]
    for section in _sections(findings, assessment):
        out.append(f"{section.title}:")
        out += [f"- {line.strip()}" for line in section.lines]
        out.append("")
    return "\n".join(out).rstrip() + "\n"


_CSS = """
body { font-family: Georgia, 'Times New Roman', serif; max-width: 48rem; margin: 2rem auto;
       padding: 0 1rem; color: #111; line-height: 1.45; }
h1 { font-size: 1.5rem; margin-bottom: 0.2rem; }
h2 { font-size: 1.1rem; border-bottom: 1px solid #999; margin-top: 1.4rem; }
.date { color: #444; }
.level { padding: 0.6rem 0.8rem; border: 2px solid #333; font-weight: bold; }
.level-emergency { border-color: #b00020; background: #fde7ea; }
.level-urgent { border-color: #b35c00; background: #fff1e0; }
.level-routine { border-color: #1a5fb4; background: #e8f0fb; }
.level-self_care { border-color: #2e7d32; background: #e9f5ea; }
ul { padding-left: 1.2rem; }
.print-row { margin: 1rem 0; }
.print-row button { font: inherit; padding: 0.5rem 1.2rem; border: 2px solid #1a5fb4;
                    background: #1a5fb4; color: #fff; border-radius: 0.4rem; cursor: pointer; }
.print-hint { color: #333; }
.disclaimer { font-size: 0.9rem; color: #333; }
@media print { body { margin: 0; max-width: none; } .level { break-inside: avoid; }
               .print-row { display: none; } }
""".strip()


# The page's one script: it shows the Print button and makes it print. The page is
# served sandboxed (bot/rasa_adapters/webchat.py); where scripts are not allowed the
# button stays hidden and the hint next to it says how to print.
PRINT_SCRIPT = (
    'var b=document.getElementById("print");b.hidden=false;'
    'document.getElementById("print-hint").hidden=true;'
    'b.addEventListener("click",function(){window.print();});'
)
PRINT_SCRIPT_HASH = "sha256-" + base64.b64encode(
    hashlib.sha256(PRINT_SCRIPT.encode("utf-8")).digest()
).decode("ascii")


def render_html(findings: Findings, assessment: Assessment) -> str:
    """Printable, self-contained HTML; all text is escaped."""
    date = escape(f"{assessment.generated_at:%d %B %Y}")
    level = assessment.triage.level
    parts = [
        "<!DOCTYPE html>",
        '<html lang="en"><head><meta charset="utf-8">',
        '<meta name="viewport" content="width=device-width, initial-scale=1">',
        f"<title>B12 symptom check summary ({date})</title>",
        f"<style>{_CSS}</style></head><body>",
        f"<h1>{escape(_heading(assessment))}</h1>",
        f'<p class="date">{date}</p>',
        '<p class="print-row"><button type="button" id="print" hidden>Print this summary'
        '</button> <span class="print-hint" id="print-hint">To print it or save it as a '
        "PDF, use your browser's Print command (Ctrl+P, or \u2318P on a Mac).</span></p>",
        f'<p class="level level-{escape(level)}">{escape(assessment.triage.title)}</p>',
    ]
    for section in _sections(findings, assessment):
        parts.append(f"<h2>{escape(section.title)}</h2>")
        css = ' class="disclaimer"' if section.title == "About this report" else ""
        parts.append(f"<ul{css}>")
        parts += [f"<li>{escape(line.strip())}</li>" for line in section.lines]
        parts.append("</ul>")
    parts.append(f"<script>{PRINT_SCRIPT}</script>")
    parts.append("</body></html>")
    return "\n".join(parts) + "\n"
