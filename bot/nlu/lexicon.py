"""The finding phrases the pipeline matches: the knowledge base's lay phrases, generic and
brand names, plus ``patterns/extra_phrases.yml``, expanded into written variants.

Matching patterns are generated here at build time, never hand-maintained, so a phrase
added to the knowledge base is recognised on the next start without touching the NLU.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache

from bot.nlu.resources import load_yaml


class LexiconError(ValueError):
    """The NLU's own pattern files name a finding the knowledge base does not have."""


@dataclass(frozen=True)
class Target:
    """A finding the pipeline can recognise, with what the extraction needs to know of it."""

    id: str
    kind: str
    category: str
    phrases: tuple[str, ...]


def phrase_variants(phrase: str) -> set[str]:
    """Written forms of one phrase that tokenise differently ("plant-based" / "plant based",
    "crohn's" / "crohns", "pins & needles" / "pins and needles")."""
    base = re.sub(r"\s+", " ", phrase.strip().lower().replace("\u2019", "'"))
    forms = {base}
    for form in list(forms):
        if "-" in form:
            forms.add(form.replace("-", " "))
            forms.add(form.replace("-", ""))
    for form in list(forms):
        if "'s" in form:
            forms.add(form.replace("'s", "s"))
            forms.add(form.replace("'s", ""))
        if "'" in form:
            forms.add(form.replace("'", ""))
    for form in list(forms):
        for joiner in (" & ", " n ", " and "):
            if joiner in form:
                for other in (" & ", " n ", " and "):
                    forms.add(form.replace(joiner, other))
    for form in list(forms):
        if form.startswith("my "):
            forms.add(form[3:])
        # Said of someone else too ("can't feel her legs"); whose it is is decided later.
        for owner in ("the", "his", "her", "their"):
            forms.add(re.sub(r"\bmy\b", owner, form))
    return {f.strip() for f in forms if f.strip()}


def context_only_phrases() -> dict[str, set[str]]:
    """Phrases that must not match on their own (see ``patterns/token_patterns.yml``)."""
    data = load_yaml("token_patterns.yml") or {}
    return {
        str(fid): {str(p).lower() for p in phrases}
        for fid, phrases in (data.get("context_only") or {}).items()
    }


# Sections of ``extra_phrases.yml`` that are not a finding's phrases: everyday sayings that
# use a finding's words without meaning it, and statements that deny findings unnamed.
SAYING_SECTIONS = ("idioms", "denials")


def extra_phrases(known_ids: Iterable[str]) -> dict[str, list[str]]:
    """``extra_phrases.yml`` checked against the knowledge base's ids."""
    data = {
        k: v for k, v in (load_yaml("extra_phrases.yml") or {}).items() if k not in SAYING_SECTIONS
    }
    known = set(known_ids)
    unknown = sorted(set(data) - known)
    if unknown:
        raise LexiconError(
            f"bot/nlu/patterns/extra_phrases.yml names findings the knowledge base does not have: "
            f"{', '.join(unknown)}"
        )
    return {str(k): [str(p) for p in (v or [])] for k, v in data.items()}


def normal_lemmas(pattern: list[dict]) -> list[dict]:
    """The pattern with each LEMMA value put in the matching form the pipeline gives words
    (bot/nlu/normalize.py: one spelling, a crude singular), so a pattern written "does",
    "legs" or "patches" meets the words it names ("does" becomes "doe" on both sides)."""
    from bot.nlu.normalize import base_form

    def form(value):
        if isinstance(value, str):
            return base_form(value.lower())
        if isinstance(value, dict):
            return {
                k: ([base_form(str(v).lower()) for v in vs] if k in ("IN", "NOT_IN") else vs)
                for k, vs in value.items()
            }
        return value

    return [
        {k: (form(v) if k == "LEMMA" else v) for k, v in token.items()}
        if isinstance(token, dict)
        else token
        for token in pattern
    ]


def token_pattern_rules(known_ids: Iterable[str]) -> list[tuple]:
    """``token_patterns.yml`` rules as (finding id, spaCy token pattern) or, for a rule with
    ``cue: N``, (finding id, pattern, N): its first N tokens only show what the word means
    ("had pa") and stay outside the finding, where ConText can still read them ("might have")."""
    data = load_yaml("token_patterns.yml") or {}
    known = set(known_ids)
    rules: list[tuple] = []
    for i, rule in enumerate(data.get("patterns") or []):
        fid = str(rule["id"])
        if fid not in known:
            raise LexiconError(f"token_patterns.yml rule {i} names unknown finding {fid!r}")
        cue = int(rule.get("cue", 0))
        pattern = normal_lemmas(list(rule["pattern"]))
        rules.append((fid, pattern, cue) if cue else (fid, pattern))
    for fid in context_only_phrases():
        if fid not in known:
            raise LexiconError(f"token_patterns.yml context_only names unknown finding {fid!r}")
    return rules


def phrase_pattern(phrase: str) -> list[list[dict]]:
    """Token patterns (on NORM) for a plain saying and its written variants ("took my breath
    away", "took her breath away"). NORM, not the matching form, because the fuzzy speller
    may bend an everyday word ("sofa", "ego") towards a finding's word."""
    nlp = _blank()
    patterns = []
    for form in sorted(phrase_variants(phrase)):
        doc = nlp.make_doc(form)
        if len(doc):
            patterns.append([{"NORM": token.norm_} for token in doc])
    return patterns


_BLANK: list = []


def _blank():
    """One blank English tokenizer for turning saying phrases into token patterns."""
    if not _BLANK:
        import spacy

        _BLANK.append(spacy.blank("en"))
    return _BLANK[0]


def _saying_patterns(rule) -> list[list[dict]]:
    """A saying is a phrase or ``{phrase: ...}`` / ``{pattern: [...]}``."""
    if isinstance(rule, str):
        return phrase_pattern(rule)
    if rule.get("pattern"):
        return [normal_lemmas(list(rule["pattern"]))]
    return phrase_pattern(str(rule["phrase"]))


def idiom_rules(
    known_ids: Iterable[str] | None = None, with_names: bool = False
) -> list[tuple]:
    """Everyday sayings that contain a finding's words, as (meaning, token pattern): the
    ``idioms`` of ``token_patterns.yml`` and of ``extra_phrases.yml``.

    A finding span a saying overlaps is dropped ("sick and tired of the rain", "bleeding
    money", "collapsed into bed after a shift", "heart in my mouth"), because reading them
    as symptoms or emergencies would put words in the person's mouth. A saying with
    ``means: <finding id>`` stands for that finding instead ("dead on my feet" is tiredness);
    one with ``names: <red flag id>`` says which red flag's words it puts to everyday use
    when no finding pattern would match them ("I'd rather die than ..."), so a classifier's
    red-flag reading of it is overruled. Ids outside ``known_ids`` are refused, as in the
    phrase lists. With ``with_names`` each rule is (means, pattern, names)."""
    known = None if known_ids is None else set(known_ids)
    rules: list[tuple] = []
    token_data = load_yaml("token_patterns.yml") or {}
    for rule in token_data.get("idioms") or []:
        rules.append((None, normal_lemmas(list(rule["pattern"])), None))
    phrase_data = load_yaml("extra_phrases.yml") or {}
    for i, rule in enumerate(phrase_data.get("idioms") or []):
        means = None if isinstance(rule, str) else rule.get("means")
        names = None if isinstance(rule, str) else rule.get("names")
        for fid, what in ((means, "means"), (names, "names")):
            if fid is not None and known is not None and str(fid) not in known:
                raise LexiconError(f"extra_phrases.yml idiom {i} {what} unknown finding {fid!r}")
        means = None if means is None else str(means)
        names = None if names is None else str(names)
        for pattern in _saying_patterns(rule):
            rules.append((means, pattern, names))
    return rules if with_names else [(means, pattern) for means, pattern, _names in rules]


def idiom_patterns() -> list[list[dict]]:
    """The token patterns of every idiom (see :func:`idiom_rules`)."""
    return [pattern for _means, pattern in idiom_rules()]


def denial_rules(
    known_ids: Iterable[str], strict: bool = True
) -> list[tuple[tuple[str, ...], list[dict]]]:
    """``denials`` of ``token_patterns.yml`` and ``extra_phrases.yml``: statements that deny
    findings without naming them ("I'm a big meat eater" denies a vegan and a vegetarian diet;
    "no operations, ever" denies stomach and bowel surgery; "my chest is fine" denies chest
    pain; "I don't faint" denies fainting), as (finding ids, token pattern). ``strict``
    refuses ids outside ``known_ids`` (checked against the knowledge base); otherwise such
    rules are left out, for pipelines built with a few targets of their own (benchmarks,
    tests)."""
    known = set(known_ids)
    rules: list[tuple[tuple[str, ...], list[dict]]] = []
    for file in ("token_patterns.yml", "extra_phrases.yml"):
        data = load_yaml(file) or {}
        for i, rule in enumerate(data.get("denials") or []):
            ids = tuple(str(fid) for fid in rule["ids"])
            unknown = [fid for fid in ids if fid not in known]
            if unknown and strict:
                raise LexiconError(f"{file} denial {i} names unknown findings {unknown}")
            if unknown:
                continue
            rules.extend((ids, pattern) for pattern in _saying_patterns(rule))
    return rules


def build_targets(
    definitions: Mapping[str, tuple[str, str, Iterable[str]]],
    extra: Mapping[str, Iterable[str]] | None = None,
) -> list[Target]:
    """Targets from ``{id: (kind, category, phrases)}`` plus extra phrases, minus
    context-only phrases, each phrase expanded into its written variants."""
    blocked = context_only_phrases()
    targets = []
    for fid, (kind, category, phrases) in definitions.items():
        forms: dict[str, None] = {}
        for phrase in [*phrases, *((extra or {}).get(fid, ()))]:
            for form in sorted(phrase_variants(phrase)):
                if form not in blocked.get(fid, set()):
                    forms.setdefault(form, None)
        targets.append(Target(fid, kind, category, tuple(forms)))
    return targets


def knowledge_targets() -> list[Target]:
    """Targets for every finding of the knowledge base."""
    from bot.knowledge import load_knowledge

    findings = load_knowledge().findings
    definitions = {fid: (f.kind, f.category, f.all_phrases) for fid, f in findings.items()}
    return build_targets(definitions, extra_phrases(findings))


def history_persists(target: Target) -> bool:
    """Whether a past time leaves this finding current (surgery, lasting conditions)."""
    traits = (load_yaml("finding_traits.yml") or {}).get("history_persists") or {}
    return target.category in set(traits.get("categories") or ()) or target.id in set(
        traits.get("ids") or ()
    )


def red_flag_kin() -> dict[str, str]:
    """Symptom id -> the red flag written with the same words (``finding_traits.yml``)."""
    return {
        str(k): str(v)
        for k, v in ((load_yaml("finding_traits.yml") or {}).get("red_flag_kin") or {}).items()
    }


@lru_cache(maxsize=1)
def overrule_traits() -> dict:
    """When the rules' "not now" may overrule the classifier's emergency (``overrule`` in
    ``finding_traits.yml``)."""
    data = (load_yaml("finding_traits.yml") or {}).get("overrule") or {}
    return {
        "recent_words": frozenset(str(w) for w in data.get("recent_words") or ()),
        "recent_pairs": frozenset(tuple(str(w) for w in p) for p in data.get("recent_pairs") or ()),
        "doubts_not_enough": frozenset(str(w) for w in data.get("doubts_not_enough") or ()),
        "firm_reasons": frozenset(str(w) for w in data.get("firm_reasons") or ()),
    }


@lru_cache(maxsize=1)
def closed_only_when_dated() -> tuple[frozenset[str], frozenset[str]]:
    """Red flags over by nature, and the words that date them (``closed_only_when_dated`` in
    ``finding_traits.yml``)."""
    data = (load_yaml("finding_traits.yml") or {}).get("closed_only_when_dated") or {}
    return (
        frozenset(str(i) for i in data.get("ids") or ()),
        frozenset(str(w) for w in data.get("dating_words") or ()),
    )
