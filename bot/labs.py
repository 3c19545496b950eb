"""Read blood test results people type, convert them and place them in NG239 bands.

People copy numbers from reports in many units ("b12 150 pmol/L", "hb 10.5",
"folate 4 ng/ml"). A wrong conversion could turn a deficient result into a
reassuring one, so this module converts only with units it knows for that
test, refuses impossible values with a message a person can act on, and when
the unit is missing infers it only where the number itself decides; where it
does not (total B12 is plausible in ng/L and in pmol/L), it reads the number
the more worrying way and says so.

Finding the test and its number in the text is :func:`bot.nlu.values.find_labs`, the reader the
chat uses, so the command line and the chat cannot read the same message differently.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.errors import InputError
from bot.findings import Findings, LabResult, Status
from bot.knowledge import load_knowledge
from bot.knowledge.conditions import Context, evaluate
from bot.knowledge.schema import AnalyteDef, LabBand
from bot.knowledge.units import normalise_unit
from bot.nlu.normalize import clean_text
from bot.nlu.values import find_labs, names_a_lab, read_bare_value


class LabValueError(InputError):
    """A lab value that cannot be used; ``str()`` is a message for the person."""

    def __str__(self) -> str:
        return self.message


@dataclass(frozen=True)
class LabInterpretation:
    """One result placed in its band, with what it means and what to be careful about."""

    analyte: str
    label: str
    value: float
    unit: str
    original: str
    band: str
    message: str
    cautions: tuple[str, ...] = ()
    lr: float = 1.0
    source: str = ""
    unit_inferred: bool = False
    notes: tuple[str, ...] = field(default=())

    def to_dict(self) -> dict[str, Any]:
        return {
            "analyte": self.analyte,
            "label": self.label,
            "value": round(self.value, 3),
            "unit": self.unit,
            "original": self.original,
            "band": self.band,
            "message": self.message,
            "cautions": list(self.cautions),
            "unit_inferred": self.unit_inferred,
        }


# ---------------------------------------------------------------------------- parsing


def parse_lab(text: str) -> LabResult:
    """Turn "b12 150 pmol/L" into a canonical :class:`LabResult`.

    The text is read by the chat's own reader (:func:`bot.nlu.values.find_labs`), so the
    command line and the chat find the same result in the same message; the first result
    found is used. Raises :class:`LabValueError` with a message the person can act on.
    """
    cleaned = clean_text(text)
    for span in find_labs(cleaned):
        found = span.value
        return make_result(found["analyte"], found["value"], found["unit"], original=text.strip())
    raise LabValueError("L201" if names_a_lab(cleaned) else "L202", text=text)


# ---------------------------------------------------------------------------- conversion


def _convert(analyte: AnalyteDef, value: float, unit: str) -> float:
    return value * analyte.units[unit]


def _plausible(analyte: AnalyteDef, canonical: float) -> bool:
    return analyte.plausible_min <= canonical <= analyte.plausible_max


def _check_plausible(analyte: AnalyteDef, value: float, unit: str, canonical: float) -> None:
    if not _plausible(analyte, canonical):
        raise LabValueError(
            "L205",
            value=value,
            unit=unit,
            label=analyte.label,
            low=analyte.plausible_min,
            high=analyte.plausible_max,
            canonical=analyte.canonical_unit,
        )


def unitless_readings(analyte: AnalyteDef, value: float) -> list[tuple[str, float]]:
    """Every plausible (unit, canonical value) reading of a number given without unit."""
    spec = analyte.unitless
    units: list[str] = []
    for rng in spec.get("by_range", []):
        if value <= rng.get("max", float("inf")) and value >= rng.get("min", float("-inf")):
            units.append(normalise_unit(rng["unit"]))
    units += [normalise_unit(u) for u in spec.get("candidates", [])]
    readings = []
    for unit in units:
        canonical = _convert(analyte, value, unit)
        if _plausible(analyte, canonical) and unit not in [r[0] for r in readings]:
            readings.append((unit, canonical))
    return readings


def _display_unit(analyte: AnalyteDef, unit: str) -> str:
    """The unit as the knowledge base spells it (``ng/L`` rather than ``ng/l``)."""
    spellings = [analyte.canonical_unit]
    spellings += list(analyte.unitless.get("candidates", []))
    spellings += [r["unit"] for r in analyte.unitless.get("by_range", [])]
    for spelling in spellings:
        if normalise_unit(spelling) == unit:
            return spelling
    return unit


def make_result(analyte: str, value: float, unit: str | None, original: str = "") -> LabResult:
    """Validate and convert one value to its analyte's canonical unit.

    ``unit`` is the unit as written, or None when the person gave none. Raises
    :class:`LabValueError` for unknown tests, impossible values and units that
    do not fit the test.
    """
    kb = load_knowledge()
    if analyte not in kb.labs:
        raise LabValueError("L207", analyte=analyte, known=", ".join(sorted(kb.labs)))
    definition = kb.labs[analyte]
    value = float(value)
    if not value > 0 or value != value:
        raise LabValueError("L203", label=definition.label, value=value)
    if unit is not None and unit.strip():
        key = normalise_unit(unit)
        if key not in definition.units:
            raise LabValueError(
                "L204",
                unit=unit,
                label=definition.label,
                units=", ".join(definition.unit_names or definition.units),
            )
        canonical = _convert(definition, value, key)
        _check_plausible(definition, value, unit, canonical)
        text = original or f"{value:g} {unit}"
        return LabResult(analyte, canonical, definition.canonical_unit, text)
    readings = unitless_readings(definition, value)
    if not readings:
        if (
            definition.unitless.get("by_range")
            and not any(
                _plausible(definition, _convert(definition, value, normalise_unit(r["unit"])))
                for r in definition.unitless["by_range"]
                if value <= r.get("max", float("inf")) and value >= r.get("min", float("-inf"))
            )
            and any(
                _plausible(definition, _convert(definition, value, u)) for u in definition.units
            )
        ):
            raise LabValueError(
                "L206",
                label=definition.label,
                value=value,
                units=", ".join(definition.unit_names or definition.units),
            )
        raise LabValueError(
            "L205",
            value=value,
            unit="(no unit)",
            label=definition.label,
            low=definition.plausible_min,
            high=definition.plausible_max,
            canonical=definition.canonical_unit,
        )
    # Several readings: keep the most worrying one; interpret() explains the ambiguity.
    chosen = max(readings, key=lambda r: _band_for(definition, r[1], "unknown").lr)
    text = original or f"{value:g}"
    return LabResult(analyte, chosen[1], definition.canonical_unit, text)


# ---------------------------------------------------------------------------- bands


def _profile(findings: Findings) -> str:
    if findings.pregnant is Status.PRESENT:
        return "pregnant"
    return findings.sex or "unknown"


def _limit(band: LabBand, profile: str) -> float | None:
    if band.max is None:
        return None
    if isinstance(band.max, dict):
        return band.max[profile]
    return band.max


def _band_for(analyte: AnalyteDef, value: float, profile: str) -> LabBand:
    for band in analyte.bands:
        limit = _limit(band, profile)
        if limit is None:
            return band
        if value < limit or (band.max_inclusive and value == limit):
            return band
    return analyte.bands[-1]


def band_of(lab: LabResult, findings: Findings) -> str:
    """The band name of a stored result (fast: used by triage on every turn)."""
    analyte = load_knowledge().analyte(lab.analyte)
    return _band_for(analyte, lab.value, _profile(findings)).name


def lab_bands(findings: Findings) -> dict[str, str]:
    return {aid: band_of(lab, findings) for aid, lab in findings.labs.items()}


def interpret(lab: LabResult, findings: Findings) -> LabInterpretation:
    """Place a result in its band, with the evidence weight and the cautions that apply."""
    kb = load_knowledge()
    analyte = kb.analyte(lab.analyte)
    profile = _profile(findings)
    band = _band_for(analyte, lab.value, profile)
    ctx = Context(findings=findings, kb=kb)
    lr = band.lr
    notes: list[str] = []
    for override in band.lr_overrides:
        if evaluate(override.when, ctx):
            lr = override.lr
            notes.append(override.reason)
            break
    cautions = [c.text for c in analyte.cautions if evaluate(c.when, ctx)]
    unit_inferred = False
    original = lab.original or ""
    raw, unit_written = _as_written(analyte.id, original) if original else (None, True)
    if raw is not None and not unit_written:
        readings = unitless_readings(analyte, raw)
        if readings:
            unit_inferred = True
            cautions.insert(0, _unit_note(analyte, raw, readings, profile))
    cautions.extend(notes)
    return LabInterpretation(
        analyte=lab.analyte,
        label=analyte.label,
        value=lab.value,
        unit=lab.unit,
        original=original,
        band=band.name,
        message=band.message,
        cautions=tuple(cautions),
        lr=lr,
        source=band.source,
        unit_inferred=unit_inferred,
        notes=tuple(notes),
    )


@lru_cache(maxsize=4096)
def _as_written(analyte_id: str, original: str) -> tuple[float | None, bool]:
    """The number the person wrote for this test and whether they gave its unit.

    Read again from the stored text, with the same reader, because a result only carries its
    converted value; cached because scoring reads the same results every turn. A text without
    the test's name ("160", "133 pmol/L") is a bare number with an optional unit.
    """
    cleaned = clean_text(original)
    for span in find_labs(cleaned):
        if span.value["analyte"] == analyte_id:
            return span.value["value"], span.value["unit"] is not None
    bare = read_bare_value(cleaned)
    if bare is None:
        return None, False
    value, unit = bare
    known = unit is not None and normalise_unit(unit) in load_knowledge().analyte(analyte_id).units
    return value, known


def _unit_note(
    analyte: AnalyteDef, raw: float, readings: list[tuple[str, float]], profile: str
) -> str:
    if len(readings) == 1:
        unit = _display_unit(analyte, readings[0][0])
        return (
            f"No unit was given, so {raw:g} was read as {unit}, the only unit that fits this "
            f"number for {analyte.label}. Please check it against your report."
        )
    parts = []
    bands = set()
    for unit, canonical in readings:
        band = _band_for(analyte, canonical, profile).name
        bands.add(band)
        parts.append(f"as {_display_unit(analyte, unit)} it is {band.replace('_', ' ')}")
    if len(bands) == 1:
        return (
            f"No unit was given; {raw:g} falls in the same band whichever usual unit it is in "
            f"({'; '.join(parts)}). Please check the unit on your report."
        )
    return (
        f"No unit was given and the band depends on it ({'; '.join(parts)}). The more "
        f"worrying reading is shown. Please tell me the unit from your report."
    )
