"""How lab units are spelled, reduced to one canonical key.

Both the knowledge-base loader (which keys each analyte's conversion factors by unit) and the
lab-text parser (which looks a written unit up in those keys) need the same spelling rules;
they live here, importing nothing from the project, so neither has to import the other.
The units themselves, their factors and sources are in ``data/labs.yml``.
"""

from __future__ import annotations

# Word spellings of unit parts, replaced inside a unit in this order (longer words first, so
# "micrograms" is not left as "ugs").
_PART_SPELLINGS: tuple[tuple[str, str], ...] = (
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

# Whole units people shorten: a bare "pmol" on a B12 report means pmol/L, and 100 mL is a
# decilitre, so "g/100ml" is g/dL. Applied after the part spellings.
_WHOLE_SPELLINGS: dict[str, str] = {
    "pmol": "pmol/l",
    "pmols": "pmol/l",
    "g/100ml": "g/dl",
}


def normalise_unit(unit: str) -> str:
    """Canonical key of a unit: lower case, no spaces, micro as ``u``, litre as ``l``."""
    text = unit.strip().lower().replace(" ", "").replace("³", "3")
    for old, new in _PART_SPELLINGS:
        text = text.replace(old, new)
    text = text.replace("//", "/")
    return _WHOLE_SPELLINGS.get(text, text)
