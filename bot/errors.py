"""Numbered error messages for the knowledge base and for user input.

Numbers make a message easy to search for in the docs, the logs and the tests,
and keep wording in one place so that the command line, the conversation and
the tests all say the same thing.
"""

from __future__ import annotations

from typing import Any


class Errors:
    """Message templates. Codes never change meaning once released."""

    # Knowledge base (K)
    K001 = "Knowledge file {path} could not be read: {detail}"
    K002 = "Knowledge file {path} is not valid YAML: {detail}"
    K003 = "{where}: unknown key(s) {keys}; allowed keys are {allowed}"
    K004 = "{where}: missing required key(s) {keys}"
    K005 = "{where}: 'kind' must be one of {allowed}, got {value!r}"
    K006 = "{where}: 'category' for kind {kind!r} must be one of {allowed}, got {value!r}"
    K007 = "{where}: duplicate finding id {id!r} (first defined at {first})"
    K008 = (
        "{where}: lay phrase {phrase!r} is also used by {other!r}; a phrase must name one finding"
    )
    K009 = "{where}: {field} must be a number greater than 0, got {value!r}"
    K010 = "{where}: 'source' must be a non-empty text naming a guideline or paper with its year"
    K011 = "{where}: refers to unknown finding id {id!r}"
    K012 = "{where}: refers to unknown {what} {value!r}; known: {known}"
    K013 = "{where}: id {id!r} must be snake_case (lower case letters, digits, underscores)"
    K014 = "{where}: needs at least {n} lay phrases, got {got}"
    K015 = "{where}: lay phrase {phrase!r} must be lower case, trimmed and free of regex characters"
    K016 = "{where}: red flags need 'urgency' (emergency or urgent) and a 'message'"
    K017 = "{where}: {field} must be a probability strictly between 0 and 1, got {value!r}"
    K018 = "{where}: unknown condition {key!r}; allowed conditions are {allowed}"
    K019 = "{where}: {detail}"
    K020 = "{where}: field {field!r} has the wrong type: expected {expected}, got {value!r}"
    K021 = (
        "{where}: {field!r} is said to the person checked and needs {variant!r}, its wording"
        " for someone checked on another's behalf (with {{person}}, {{their}}, ...)"
    )
    K022 = "{where}: unknown placeholder(s) {names}; known placeholders are {known}"
    K023 = "{where}: {field!r} misuses the person placeholders: {detail}"

    # Input (I)
    I101 = "Findings file {path} was not found"
    I102 = "Findings input is not valid JSON: {detail}"
    I103 = "Findings input is not in the expected format: {detail}"
    I104 = "Unknown finding id(s) {ids}; see `bot/knowledge/data/findings.yml` for the known ids"
    I105 = "Unknown question {id!r}; known questions are finding ids and {special}"
    I106 = "Answer {answer!r} is not valid for this question; expected {expected}"
    I107 = "Unknown lab analyte(s) {ids}; known analytes are {known}"

    # Lab values (L)
    L201 = (
        "I could not find a number in {text!r}. Please give the result as a number with its"
        " unit, for example 'B12 250 ng/L'."
    )
    L202 = (
        "I could not tell which test {text!r} is. Please say which one, for example 'B12',"
        " 'active B12', 'folate', 'MCV' or 'haemoglobin'."
    )
    L203 = (
        "A {label} result cannot be negative or zero ({value:g}). Please check the number"
        " on the report."
    )
    L204 = "The unit {unit!r} does not fit a {label} result. Expected one of: {units}."
    L205 = (
        "{value:g} {unit} is outside what is possible for {label} ({low:g} to {high:g}"
        " {canonical}). Please check the number and the unit."
    )
    L206 = (
        "For {label}, I cannot tell the unit of {value:g} from the number alone. Please add"
        " the unit from the report (one of: {units})."
    )
    L207 = "Unknown test {analyte!r}; known tests are {known}."


def format_error(code: str, **params: Any) -> str:
    """Render a numbered message as "[CODE] text" so people can search for it."""
    template = getattr(Errors, code)
    return f"[{code}] " + template.format(**params)


class B12Error(Exception):
    """Base of the project's own errors; carries the numbered code.

    ``str(error)`` starts with ``[CODE]`` so logs and bug reports can be searched;
    ``error.message`` is the same text without the code, for showing to a person.
    """

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        self.message = getattr(Errors, code).format(**params)
        super().__init__(format_error(code, **params))


class KnowledgeError(B12Error):
    """The knowledge base is invalid; raised at start-up so a bad edit never runs."""


class InputError(B12Error, ValueError):
    """Input from a person or a caller is invalid (bad JSON, unknown ids, bad answer)."""
