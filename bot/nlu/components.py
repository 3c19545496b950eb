"""The project's spaCy components, registered under a ``b12_`` prefix.

Order in the pipeline: ``b12_targets`` (matching forms + finding spans) ->
``b12_values`` (age, sex, pregnancy, durations, labs) -> ``b12_clauses`` (sentence
and clause boundaries) -> medspacy ConText. Findings and values share the span group
``b12_targets``; a span group (unlike ``doc.ents``) lets "29 year old woman" be both an
age and a sex.
"""

from collections.abc import Iterable

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.tokens import Doc, Span
from spacy.util import filter_spans

from bot.nlu.lexicon import Target, denial_rules, idiom_rules
from bot.nlu.normalize import Speller, base_form
from bot.nlu.persons import other_ages
from bot.nlu.values import find_values

SPAN_GROUP = "b12_targets"
# Value spans that a time phrase may contain ("when I was pregnant", "while breastfeeding"):
# a ConText phrase over one of them is kept, not pruned as an overlap.
FRAMING_STATES = frozenset({"PREGNANCY", "BREASTFEEDING"})
KIND_PRIORITY = {"red_flag": 0, "symptom": 1, "risk_factor": 2}

if not Doc.has_extension("b12_values"):
    Doc.set_extension("b12_values", default=None)
# (start_char, end_char) of finding spans that come from a denial ("I'm a big meat eater"):
# bot.nlu.reading reads them as ABSENT unless the words around them undo the denial.
if not Doc.has_extension("b12_denials"):
    Doc.set_extension("b12_denials", default=None)
# Red flags whose words were only part of a saying ("took my breath away"): named, so the
# red-flag intent a classifier gave the message can be overruled, but nobody's finding.
if not Doc.has_extension("b12_idiom_red_flags"):
    Doc.set_extension("b12_idiom_red_flags", default=None)

IDIOM_KEY = "_idiom"
# A saying that stands for a finding ("dead on my feet": tiredness) has the key
# IDIOM_MEANS_PREFIX + finding id.
IDIOM_MEANS_PREFIX = "_idiom_means:"
# A saying that puts a red flag's words to everyday use with no finding's words to drop ("I'd
# rather die than ...", "blind to how tired I am") has the key IDIOM_NAMES_PREFIX + red flag.
IDIOM_NAMES_PREFIX = "_idiom_names:"
DENIAL_PREFIX = "_denial:"


def _lemmatize(doc: Doc, speller: Speller) -> Doc:
    """Write each token's matching form into ``lemma_`` (see bot.nlu.normalize)."""
    previous = ""
    for token in doc:
        norm = token.norm_
        if norm == "m" and previous == "i":
            norm = "am"
        token.lemma_ = speller(norm) if token.is_alpha else base_form(norm)
        previous = norm
    return doc


@Language.factory("b12_targets")
def make_target_matcher(nlp: Language, name: str):
    return TargetMatcher(nlp, name)


class TargetMatcher:
    """Finds knowledge-base findings by their matching forms (phrases and token patterns).

    Filled after creation with :meth:`add_targets`, like spaCy's EntityRuler, because the
    lexicon comes from the knowledge base, not from the pipeline config.
    """

    def __init__(self, nlp: Language, name: str = "b12_targets") -> None:
        self.nlp = nlp
        self.name = name
        self.phrase_matcher = PhraseMatcher(nlp.vocab, attr="LEMMA")
        self.matcher = Matcher(nlp.vocab)
        self.speller = Speller(())
        self.targets: dict[str, Target] = {}
        # Matcher key -> (finding id, leading cue tokens left out of the finding span).
        self.cues: dict[str, tuple[str, int]] = {}
        # Matcher key -> finding ids a denial pattern says are absent.
        self.denials: dict[str, tuple[str, ...]] = {}

    def add_targets(self, targets: Iterable[Target], token_rules: Iterable[tuple] = ()) -> None:
        targets = list(targets)
        token_rules = list(token_rules)
        vocabulary = set()
        for target in targets:
            for phrase in target.phrases:
                for token in self.nlp.make_doc(phrase):
                    vocabulary.add(base_form(token.norm_))
        self.speller = Speller(vocabulary)
        for target in targets:
            self.targets[target.id] = target
            docs = [_lemmatize(self.nlp.make_doc(p), self.speller) for p in target.phrases]
            docs = [d for d in docs if len(d)]
            if docs:
                self.phrase_matcher.add(target.id, docs)
        for rule in token_rules:
            fid, pattern, cue = rule[0], rule[1], (rule[2] if len(rule) > 2 else 0)
            key = f"{fid}@cue{cue}" if cue else fid
            self.matcher.add(key, [pattern])
            self.cues[key] = (fid, cue)
        meanings: dict[str, list[list[dict]]] = {}
        for means, pattern, names in idiom_rules(with_names=True):
            if means is None or means in self.targets:
                key = IDIOM_KEY if means is None else f"{IDIOM_MEANS_PREFIX}{means}"
                if means is None and names in self.targets:
                    key = f"{IDIOM_NAMES_PREFIX}{names}"
                meanings.setdefault(key, []).append(pattern)
        for key, patterns in meanings.items():
            self.matcher.add(key, patterns)
        for i, (ids, pattern) in enumerate(denial_rules(self.targets, strict=False)):
            key = f"{DENIAL_PREFIX}{i}"
            self.matcher.add(key, [pattern])
            self.denials[key] = ids

    def label_of(self, fid: str) -> str:
        return self.targets[fid].kind.upper()

    def __call__(self, doc: Doc) -> Doc:
        _lemmatize(doc, self.speller)
        spans = []
        idioms: list[tuple[int, int]] = []
        said: list[Span] = []
        named: list[str] = []
        denials: list[tuple[int, int, tuple[str, ...]]] = []
        for match_id, start, end in [*self.phrase_matcher(doc), *self.matcher(doc)]:
            key = self.nlp.vocab.strings[match_id]
            if key.startswith(IDIOM_NAMES_PREFIX):
                idioms.append((start, end))
                named.append(key[len(IDIOM_NAMES_PREFIX) :])
                continue
            if key == IDIOM_KEY or key.startswith(IDIOM_MEANS_PREFIX):
                idioms.append((start, end))
                means = key[len(IDIOM_MEANS_PREFIX) :] if key != IDIOM_KEY else ""
                if means:
                    said.append(Span(doc, start, end, label=self.label_of(means), kb_id=means))
                continue
            if key in self.denials:
                denials.append((start, end, self.denials[key]))
                continue
            fid, cue = self.cues.get(key, (None, 0))
            fid = fid or key
            start += cue
            if fid in self.targets and start < end:
                spans.append(Span(doc, start, end, label=self.label_of(fid), kb_id=fid))
        in_idiom = [s for s in spans if any(a < s.end and s.start < b for a, b in idioms)]
        doc._.b12_idiom_red_flags = tuple(
            dict.fromkeys(
                [s.kb_id_ for s in in_idiom if self.targets[s.kb_id_].kind == "red_flag"]
                + named
            )
        )
        spans = [s for s in spans if s not in in_idiom]
        spans += said
        spans.sort(key=lambda s: KIND_PRIORITY.get(self.targets[s.kb_id_].kind, 9))
        kept = filter_spans(spans)
        # A denial names several findings at once and yields to any finding named in words.
        denied: set[tuple[int, int]] = set()
        for start, end, ids in sorted(denials, key=lambda d: d[0] - d[1]):
            if any(s.start < end and start < s.end for s in kept) or any(
                a < end and start < b for a, b in denied
            ):
                continue
            denied.add((start, end))
            for fid in ids:
                kept.append(Span(doc, start, end, label=self.label_of(fid), kb_id=fid))
        doc._.b12_denials = {(doc[a:b].start_char, doc[a:b].end_char) for a, b in denied}
        doc.spans[SPAN_GROUP] = sorted(kept, key=lambda s: s.start)
        return doc


_SELF_PREFIXES = ("i'm ", "im ", "i am ", "we're ", "we are ", "were ")


@Language.factory("b12_values")
def make_value_finder(nlp: Language, name: str):
    return ValueFinder(name)


class ValueFinder:
    """Adds value spans (age, sex, pregnancy, breastfeeding, duration, lab) to the span group.

    The payload of each span is kept in ``doc._.b12_values`` keyed by
    (start_char, end_char, label), because span extensions are shared by offsets.
    """

    def __init__(self, name: str = "b12_values") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        payloads = {}
        spans = list(doc.spans[SPAN_GROUP]) if SPAN_GROUP in doc.spans else []
        low = doc.text.lower()
        for value in find_values(doc.text):
            start = value.start
            # "I'm" stays out of the value span so it can still close a family scope.
            for prefix in _SELF_PREFIXES:
                if low.startswith(prefix, start) and start + len(prefix) < value.end:
                    start += len(prefix)
                    break
            span = doc.char_span(start, value.end, label=value.label, alignment_mode="expand")
            if span is None or not len(span):
                continue
            key = (span.start_char, span.end_char, value.label)
            if key in payloads:
                continue
            payloads[key] = value.value
            spans.append(span)
        # Ages said of someone else ("she is 80", "my dad (80)"): whose they are is decided
        # later (bot.nlu.persons), like any other value.
        taken = [s for s in spans if s.label_ == "AGE"]
        for start, end, years in other_ages(doc.text):
            span = doc.char_span(start, end, label="AGE", alignment_mode="expand")
            if span is None or any(s.start < span.end and span.start < s.end for s in taken):
                continue
            payloads[(span.start_char, span.end_char, "AGE")] = years
            spans.append(span)
        doc.spans[SPAN_GROUP] = sorted(spans, key=lambda s: (s.start, s.end))
        doc._.b12_values = payloads
        return doc


# Texting punctuation that ends a clause, besides . ! ? ; and line breaks.
_BREAK_TOKENS = {
    ".",
    "!",
    "?",
    ";",
    "...",
    "..",
    "!!",
    "!!!",
    "?!",
    "!?",
    "??",
    "???",
    "…",
    "|",
    "•",
}
_ANSWERS = {
    "no",
    "nope",
    "nah",
    "never",
    "none",
    "yes",
    "yeah",
    "yep",
    "yup",
    "not",
    "negative",
    "nil",
    # "numbness? don't know", "chest pain? maybe": a hedge answers the question before it.
    "do",
    "dunno",
    "idk",
    "unsure",
    "maybe",
    "possibly",
    "perhaps",
    "probably",
}
# Clause openers that turn the sentence ("no chest pain but tingling everywhere").
_TURNS = {"but", "however", "although", "though", "tho", "altho", "whereas", "except", "yet"}


def _is_break(token) -> bool:
    text = token.text
    if "\n" in text or text in _BREAK_TOKENS:
        return True
    if len(text) > 1 and set(text) <= set(".!?"):
        return True
    return not token.is_ascii and not token.is_alpha and not token.is_digit and not token.is_punct


@Language.factory("b12_clauses")
def make_clause_splitter(nlp: Language, name: str):
    return ClauseSplitter(name)


class ClauseSplitter:
    """Sentence and clause boundaries for patient text.

    Splits after . ! ? ; line breaks, emoji and texting punctuation ("!!", "..."), and
    before "but" / "though" / "however" when a finding follows it, so "no chest pain but
    my feet tingle" keeps the "no" away from the tingling, while "I was vegan but not
    anymore" stays one clause and "not anymore" still reaches "vegan". A "?" followed by
    an answer ("chest pain? no") does not split.
    """

    def __init__(self, name: str = "b12_clauses") -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        if not len(doc):
            return doc
        starts = [False] * len(doc)
        starts[0] = True
        for i, token in enumerate(doc[:-1]):
            if _is_break(token):
                nxt = doc[i + 1]
                if token.text == "?" and nxt.lower_ in _ANSWERS:
                    continue
                starts[i + 1] = True
        finding_starts = sorted(
            s.start
            for s in doc.spans.get(SPAN_GROUP, [])
            if s.label_ in ("SYMPTOM", "RISK_FACTOR", "RED_FLAG")
        )
        for i, token in enumerate(doc):
            if i and token.lower_ in _TURNS and not starts[i]:
                end = next((j for j in range(i + 1, len(doc)) if starts[j]), len(doc))
                if any(i < s < end for s in finding_starts):
                    starts[i] = True
        for i, token in enumerate(doc):
            token.is_sent_start = starts[i]
        return doc


@Language.factory("b12_context")
def make_context(nlp: Language, name: str):
    return FastConText(nlp, name)


class FastConText:
    """medspacy's ConText algorithm with a phrase matcher in front of it.

    Scopes, terminations, pruning and the modifier graph are medspacy's own
    (ConTextModifier, ConTextGraph); only the step that finds modifier phrases is
    replaced. Rules are expanded into phrases and matched on NORM with one
    PhraseMatcher, which keeps a message under a millisecond where medspacy's token
    Matcher with set predicates took several.
    """

    def __init__(self, nlp: Language, name: str = "b12_context") -> None:
        from medspacy.context import ConText

        ConText.register_graph_attributes()
        self.nlp = nlp
        self.name = name
        self.matcher = PhraseMatcher(nlp.vocab, attr="NORM")
        self.rule_map: dict[str, object] = {}
        self.rule_order: dict[str, int] = {}
        # Rules that count only where they close a clause ("... but I'm not", "..., I think?").
        self.clause_end_keys: set[str] = set()

    def add_rules(self, rules: Iterable, raw_rules: Iterable[dict]) -> None:
        from bot.nlu.context_rules import expand_pattern

        for index, (rule, raw) in enumerate(zip(rules, raw_rules, strict=True)):
            key = f"context_rule_{len(self.rule_map)}_{index}"
            if raw.get("pattern"):
                docs = [
                    Doc(self.nlp.vocab, words=list(words))
                    for words in expand_pattern(raw["pattern"])
                ]
            elif raw.get("phrases"):
                docs = [self.nlp.make_doc(str(p)) for p in raw["phrases"]]
            else:
                docs = [self.nlp.make_doc(str(raw["literal"]))]
            self.matcher.add(key, [d for d in docs if len(d)])
            self.rule_map[key] = rule
            self.rule_order[key] = len(self.rule_order)
            if raw.get("at_clause_end"):
                self.clause_end_keys.add(key)

    def __call__(self, doc: Doc) -> Doc:
        from medspacy.common.util import prune_overlapping_matches
        from medspacy.context.context_graph import ConTextGraph
        from medspacy.context.context_modifier import ConTextModifier

        from bot.nlu.context_rules import closes_clause

        targets = list(doc.spans[SPAN_GROUP]) if SPAN_GROUP in doc.spans else []
        # Modifiers that overlap a target are pruned below, as medspacy's option does,
        # except over a state that can itself frame a time: "when I was pregnant I fainted"
        # is a past episode however "pregnant" is read.
        graph = ConTextGraph(prune_on_modifier_overlap=False)
        graph.targets = targets
        strings = self.nlp.vocab.strings
        matches = [
            (match_id, start, end)
            for match_id, start, end in (self.matcher(doc) if targets else [])
            if strings[match_id] not in self.clause_end_keys or closes_clause(doc, end)
        ]
        # Two rules on the same words: the one listed first in context_rules.yml wins (the
        # pruning below keeps the first of equally long phrases), not whichever the matcher's
        # hash order puts first, which changes whenever a rule is added.
        matches.sort(key=lambda m: (m[1], m[2], self.rule_order.get(strings[m[0]], 0)))
        # Longest phrase wins where two overlap, as in medspacy; the clause-end test runs
        # first so that a closing phrase that is not at the end cannot hide a shorter one.
        matches = prune_overlapping_matches(matches)
        graph.modifiers = [
            ConTextModifier(self.rule_map[strings[match_id]], start, end, doc)
            for match_id, start, end in matches
        ]
        graph.update_scopes()
        # After the scopes are set, as medspacy prunes: a pruned phrase still ends others.
        pruning = [t for t in targets if t.label_ not in FRAMING_STATES]
        graph.modifiers = [
            m
            for m in graph.modifiers
            if not any(
                t.start < m.modifier_span[1] and m.modifier_span[0] < t.end for t in pruning
            )
        ]
        graph.apply_modifiers()
        # The time phrase also dates the state it contains: "when I was pregnant" is not a
        # pregnancy now.
        for modifier in graph.modifiers:
            if modifier.category != "HISTORICAL":
                continue
            start, end = modifier.modifier_span
            for target in targets:
                inside = target.start < end and start < target.end
                if inside and target.label_ in FRAMING_STATES:
                    graph.edges.append((target, modifier))
        for target, modifier in graph.edges:
            target._.modifiers += (modifier,)
        doc._.context_graph = graph
        return doc
