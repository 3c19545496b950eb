"""Read blood test results people type, convert them and place them in NG239 bands.

People copy numbers from reports in many units ("b12 150 pmol/L", "hb 10.5",
"folate 4 ng/ml"). A wrong conversion could turn a deficient result into a
reassuring one, so this module converts only with units it knows for that
test, refuses impossible values with a message a person can act on, and when
the unit is missing infers it only where the number itself decides; where it
does not (total B12 is plausible in ng/L and in pmol/L), it reads the number
the more worrying way and says so.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from bot.errors import InputError
from bot.findings import Findings, LabResult, Status
from bot.knowledge import load_knowledge
from bot.knowledge.conditions import Context, evaluate
from bot.knowledge.schema import AnalyteDef, LabBand

_UNIT_ALIASES = (
    ("µ", "u"),
    ("μ", "u"),
    ("micrograms", "ug"),
    ("microgram", "ug"),
    ("mcg", "ug"),
    ("micromoles", "umol"),
    ("micromole", "umol"),
    ("micromol", "umol"),
    ("nanomoles", "nmol"),
    ("nanomole", "nmol"),
    ("picomoles", "pmol"),
    ("picomole", "pmol"),
    ("nanograms", "ng"),
    ("nanogram", "ng"),
    ("picograms", "pg"),
    ("picogram", "pg"),
    ("femtolitres", "fl"),
    ("femtolitre", "fl"),
    ("femtoliters", "fl"),
    ("femtoliter", "fl"),
    ("grams", "g"),
    ("gram", "g"),
    ("gm/", "g/"),
    ("per", "/"),
    ("decilitres", "dl"),
    ("decilitre", "dl"),
    ("deciliters", "dl"),
    ("deciliter", "dl"),
    ("millilitres", "ml"),
    ("millilitre", "ml"),
    ("milliliters", "ml"),
    ("milliliter", "ml"),
    ("litres", "l"),
    ("litre", "l"),
    ("liters", "l"),
    ("liter", "l"),
)


def normalise_unit(unit: str) -> str:
    """Canonical spelling of a unit: lower case, no spaces, micro as ``u``."""
    text = unit.strip().lower().replace(" ", "").replace("³", "3")
    for old, new in _UNIT_ALIASES:
        text = text.replace(old, new)
    return text.replace("//", "/")


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

# Something written right after the number that looks like a unit ("mmol/L", "mg/dl", "%"):
# an unrecognised one must be refused, never silently ignored.
_UNIT_LIKE_RE = re.compile(r"^\s*([a-zA-Zµμ]+\s*/\s*[a-zA-Z]+|%)")
_NUMBER_RE = re.compile(r"(?<![\w.])([<>]?\s*-?\d+(?:[.,]\d+)?)")


def _unit_pattern(analyte: AnalyteDef) -> list[tuple[str, str]]:
    """(normalised unit, unit) pairs, longest first, for finding a unit in free text."""
    return sorted(((u, u) for u in analyte.units), key=lambda p: -len(p[0]))


def _find_analyte(text: str) -> tuple[str, int, int] | None:
    """The analyte named in the text (longest name wins, so "active b12" beats "b12")."""
    lowered = text.lower()
    best: tuple[str, int, int] | None = None
    for analyte in load_knowledge().labs.values():
        for name in analyte.names:
            for m in re.finditer(r"(?<![a-z0-9])" + re.escape(name) + r"(?![a-z0-9])", lowered):
                if best is None or (m.end() - m.start()) > (best[2] - best[1]):
                    best = (analyte.id, m.start(), m.end())
    return best


def _find_unit(analyte: AnalyteDef, text: str) -> str | None:
    """A unit of this analyte written in ``text`` (normalised), or None."""
    squashed = normalise_unit(text)
    for unit, _ in _unit_pattern(analyte):
        if unit in squashed:
            return unit
    return None


def _find_any_unit(text: str) -> str | None:
    squashed = normalise_unit(text)
    units = {u for a in load_knowledge().labs.values() for u in a.units}
    for unit in sorted(units, key=len, reverse=True):
        if unit in squashed:
            return unit
    return None


def _first_number(text: str) -> float | None:
    m = _NUMBER_RE.search(text)
    if not m:
        return None
    raw = m.group(1).replace(" ", "").lstrip("<>").replace(",", ".")
    return float(raw)


def parse_lab(text: str) -> LabResult:
    """Turn "b12 150 pmol/L" into a canonical :class:`LabResult`.

    Raises :class:`LabValueError` with a message the person can act on.
    """
    found = _find_analyte(text)
    if found is None:
        raise LabValueError("L202", text=text)
    analyte_id, start, end = found
    after = text[end:]
    value = _first_number(after)
    rest = after
    if value is None:
        value = _first_number(text[:start])
        rest = text[:start]
    if value is None:
        raise LabValueError("L201", text=text)
    analyte = load_knowledge().analyte(analyte_id)
    number_match = _NUMBER_RE.search(rest)
    unit_text = rest[number_match.end() :] if number_match else rest
    unit = _find_unit(analyte, unit_text)
    if unit is None:
        written = _UNIT_LIKE_RE.match(unit_text)
        stray = _find_any_unit(unit_text) or (written.group(1) if written else None)
        if stray is not None:
            raise LabValueError(
                "L204",
                unit=stray,
                label=analyte.label,
                units=", ".join(analyte.unit_names or analyte.units),
            )
    return make_result(analyte_id, value, unit, original=text.strip())


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
    if original and not _unit_written(analyte.id, original):
        raw = _raw_number(original)
        if raw is not None:
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
def _unit_written(analyte_id: str, original: str) -> bool:
    """Whether the person wrote a unit (cached: scoring reads the same results every turn)."""
    return _find_unit(load_knowledge().analyte(analyte_id), _after_name(original)) is not None


def _after_name(text: str) -> str:
    found = _find_analyte(text)
    return text[found[2] :] if found else text


@lru_cache(maxsize=4096)
def _raw_number(text: str) -> float | None:
    return _first_number(_after_name(text))


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
