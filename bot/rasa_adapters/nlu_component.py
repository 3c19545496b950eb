"""Rasa NLU component: the clinical extractor on every message.

``config.yml``::

    - name: bot.rasa_adapters.nlu_component.B12ClinicalExtractor
      red_flag_intent: report_red_flag

It adds the entities of docs/entities.md (with roles and the full mention in
``additional_info``) and, when the message reports a red flag now for anyone (the
writer, a relative, a partner, "he": not negated, not hypothetical or uncertain, not
past; ``bot.nlu.entities.reports_red_flag_now``), sets the intent to
``red_flag_intent`` with confidence 1.0 so emergencies never depend on a statistical
classifier. The reverse holds too: when the classifier chose ``red_flag_intent`` but
every red flag the words name is denied, past, hypothetical, uncertain, a general
question or inside quoted reference text, the best other intent of the ranking takes
its place and ``intent_overruled`` in the output says why. With no red flag named at
all, the classifier's choice stands. It must therefore come after the intent
classifiers (and the FallbackClassifier) in the pipeline.

Caching: Rasa fingerprints a component by its class source and its config merged
with ``get_default_config()`` (rasa/engine/training/fingerprinting.py,
``calculate_fingerprint_key``; defaults merged in rasa/engine/graph.py
``GraphNode.__init__`` and rasa/engine/training/components.py). The default config
carries a hash of the lexicon, pattern and rule files, and ``fingerprint_addon``
returns it too, so editing a phrase invalidates any cached model part.
"""

from __future__ import annotations

import logging
import re
from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import ENTITIES, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.input_check import odd_input_kind
from bot.nlu.resources import patterns_fingerprint

logger = logging.getLogger(__name__)

EXTRACTOR_NAME = "B12ClinicalExtractor"
# Key of the parse output saying that the classifier's red-flag intent was replaced, and why
# (docs/entities.md, "Intent override").
INTENT_OVERRULED = "intent_overruled"


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class B12ClinicalExtractor(GraphComponent, EntityExtractorMixin):
    """Findings, demographics and lab values from the project's rule pipeline."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {
            "red_flag_intent": "report_red_flag",
            # Empty, over-long or letter-free input goes here instead of to a guess.
            "odd_input_intent": "nlu_fallback",
            # Not a setting: makes Rasa's cache key change with the lexicon and rules.
            "lexicon_fingerprint": patterns_fingerprint(),
        }

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        return patterns_fingerprint()

    @staticmethod
    def required_packages() -> list[str]:
        return ["spacy", "medspacy"]

    def __init__(self, config: dict[str, Any]) -> None:
        self.config = config
        self.red_flag_intent: str | None = config.get("red_flag_intent") or None
        self.odd_input_intent: str | None = config.get("odd_input_intent") or None

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> B12ClinicalExtractor:
        from bot.nlu.pipeline import get_pipeline

        get_pipeline()  # build now, not on the first user's message
        return cls(config)

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        for message in messages:
            self._process_one(message)
        return messages

    def _process_one(self, message: Message) -> None:
        from bot.nlu.entities import (
            extraction_to_entities,
            finding_kinds,
            reports_red_flag_now,
        )
        from bot.nlu.reading import analyse

        text = message.get(TEXT)
        try:
            analysis = analyse(text)
        except Exception:  # never lose a message because of the extractor
            logger.exception("Clinical extraction failed; the message is kept without entities")
            return
        entities = extraction_to_entities(
            analysis.extraction, finding_kinds(), analysis.value_spans
        )
        if entities:
            message.set(ENTITIES, [*message.get(ENTITIES, []), *entities], add_to_output=True)
        if self.red_flag_intent and reports_red_flag_now(entities):
            self._set_intent(message, self.red_flag_intent)
        elif self.odd_input_intent and odd_input_kind(text) is not None:
            self._set_intent(message, self.odd_input_intent)
        elif self.red_flag_intent and (message.get(INTENT) or {}).get("name") == (
            self.red_flag_intent
        ):
            reasons = self._not_now_reasons(analysis, finding_kinds(), text)
            if reasons:
                self._overrule(message, reasons)
        elif (message.get(INTENT) or {}).get("name") == FALLBACK_INTENT:
            told = _facts_told(analysis)
            if told:
                self._set_intent(message, told)


    @staticmethod
    def _not_now_reasons(
        analysis, kinds: dict[str, str], text: str = ""
    ) -> list[dict[str, str]]:
        """Why each red flag the words name reports nothing now (a saying such as "took my
        breath away" counts as named); empty when none is named (the classifier's choice
        then stands) or when one of them is reported now."""
        from bot.nlu.entities import why_not_now
        from bot.nlu.lexicon import overrule_traits, red_flag_kin

        kin = red_flag_kin()
        traits = overrule_traits()
        # The red flag's own words do not date it: "if my legs suddenly go weak", "worried I
        # might suddenly lose my sight" say how it would come, not that it came just now.
        named = [
            (m.start, m.end)
            for m in analysis.extraction.mentions
            if kinds.get(m.id) == "red_flag" or m.id in kin
        ]
        recent = _says_recent(_only_dropped(_without(text, named)), traits)
        reasons = [{"red_flag": fid, "why": "idiom"} for fid in analysis.idiom_red_flags]
        reasons += [{"red_flag": fid, "why": "animal"} for fid in analysis.animal_red_flags]
        whys = {
            (m.start, m.end): why_not_now(m, analysis.notes.get((m.start, m.end)))
            for m in analysis.extraction.mentions
            if kinds.get(m.id) == "red_flag" or m.id in kin
        }
        # Red flags the message names and firmly rules out ("no chest pain, no blackouts"):
        # beside them, an everyday kin symptom told with no word of the last hours ("my feet
        # are numb in the evenings", "out of breath on the stairs") is the complaint the
        # writer has instead, not the red flag the classifier read into the denied words.
        ruled_out = any(
            kinds.get(m.id) == "red_flag" and whys[(m.start, m.end)] in traits["firm_reasons"]
            for m in analysis.extraction.mentions
            if (m.start, m.end) in whys
        )
        for mention in analysis.extraction.mentions:
            if kinds.get(mention.id) != "red_flag" and mention.id not in kin:
                continue
            why = whys[(mention.start, mention.end)]
            if (
                why is None
                and ruled_out
                and kinds.get(mention.id) != "red_flag"
                and not _says_recent(_only_dropped(_sentence_at(text, mention.start)), traits)
            ):
                continue
            if why is None:
                return []
            flag = mention.id if kinds.get(mention.id) == "red_flag" else kin[mention.id]
            doubtful = why not in traits["firm_reasons"]
            if doubtful and (recent or flag in traits["doubts_not_enough"]):
                return []  # "had a seizure 10 mins ago": the classifier's emergency stands
            if kinds.get(mention.id) == "red_flag":
                reasons.append({"red_flag": mention.id, "why": why})
            else:  # "not confused at all": the red flag's everyday kin, denied
                reasons.append({"red_flag": kin[mention.id], "why": why, "said_as": mention.id})
        return reasons

    def _overrule(self, message: Message, reasons: list[dict[str, str]]) -> None:
        """Replace the red-flag intent by the best other intent of the ranking, moving the
        red-flag intent to the end of the ranking, and say why in ``intent_overruled``."""
        name = self.red_flag_intent
        ranking = list(message.get(INTENT_RANKING_KEY) or [])
        others = [r for r in ranking if r.get("name") != name]
        flagged = [r for r in ranking if r.get("name") == name]
        if others:
            best = dict(others[0])
        else:
            best = {"name": self.odd_input_intent or "nlu_fallback", "confidence": 1.0}
            others = [dict(best)]
        message.set(INTENT, best, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [*others, *flagged], add_to_output=True)
        message.set(
            INTENT_OVERRULED,
            {"intent": name, "replaced_by": best["name"], "red_flags": reasons},
            add_to_output=True,
        )

    @staticmethod
    def _set_intent(message: Message, name: str) -> None:
        intent = {"name": name, "confidence": 1.0}
        ranking = [r for r in message.get(INTENT_RANKING_KEY) or [] if r.get("name") != name]
        message.set(INTENT, intent, add_to_output=True)
        message.set(INTENT_RANKING_KEY, [dict(intent), *ranking], add_to_output=True)


def _sentence_at(text: str, at: int) -> str:
    """The sentence of ``text`` around character ``at`` (split at ., !, ? and new lines)."""
    text = text or ""
    start = max(text.rfind(mark, 0, at) for mark in ".!?\n") + 1
    ends = [i for i in (text.find(mark, at) for mark in ".!?\n") if i >= 0]
    return text[start : min(ends) if ends else len(text)]


# "he's just pale", ". just tingly feet": "just" meaning "only", not "a moment ago"
_JUST_AS_ONLY = re.compile(
    r"(^|[,;:(]|\b(?:is|'s|am|'m|are|'re|was|were|im|i'm|but|and|or|only))\s*just\b", re.IGNORECASE
)


# "for 2 months now": how long it has lasted, not something of the last hours
_LASTED_NOW = re.compile(r"\b(days?|weeks?|months?|years?|yrs?|ages|while)\s+now\b", re.IGNORECASE)


def _only_dropped(sentence: str) -> str:
    """The sentence without a "just" that means "only" and a "now" that ends a duration."""
    sentence = _JUST_AS_ONLY.sub(lambda m: m.group(0)[: -len("just")], sentence.strip())
    return _LASTED_NOW.sub(lambda m: m.group(1), sentence)


def _without(text: str, spans: list[tuple[int, int]]) -> str:
    """The text with the given character spans blanked out."""
    chars = list(text or "")
    for start, end in spans:
        chars[start:end] = " " * max(0, min(end, len(chars)) - start)
    return "".join(chars)


def _says_recent(text: str, traits: dict) -> bool:
    """Whether the message has a word of the last hours ("just", "10 mins ago", "rn")."""
    words = re.findall(r"[a-z]+", (text or "").lower())
    pairs = set(zip(words, words[1:], strict=False))
    return bool(traits["recent_words"].intersection(words) or traits["recent_pairs"] & pairs)


FALLBACK_INTENT = "nlu_fallback"


def _facts_told(analysis) -> str | None:
    """The intent of a message the classifier could not place but whose words tell facts
    about the person: a blood result (``report_lab``), or a symptom, diet, medicine,
    condition, age, sex, pregnancy or duration said or denied (``inform``). "Not understood"
    would lose them; a question in general or quoted text tells nothing."""
    from bot.nlu.entities import why_not_now

    result = analysis.extraction
    if result.labs:
        return "report_lab"
    said = [
        m
        for m in result.mentions
        if why_not_now(m, analysis.notes.get((m.start, m.end))) in (None, "negated", "historical")
    ]
    values = (result.age, result.sex, result.pregnant, result.breastfeeding, result.duration_days)
    if said or any(v is not None for v in values):
        return "inform"
    return None
