"""Rasa's ResponseSelector, run only on messages that may be a B12 question.

``config.yml``, in place of ``ResponseSelector``::

    - name: bot.rasa_adapters.faq_selector.FaqResponseSelector
      retrieval_intent: faq

Rasa runs the response selector on every message, though its answer is used only when
the intent is the retrieval intent: on a "yes", an age or a symptom it is a forward pass
(about 5 ms, a sixth of the language understanding's time) whose result nobody reads.
This subclass trains exactly as ResponseSelector does and, at run time, selects an answer
only for messages whose intent ranking has the retrieval intent among its first
``consider_top`` intents. That covers every way the final intent can become ``faq``
later in the pipeline: the clinical extractor replaces an overruled red-flag intent by
the best other one of the ranking (at most second), and the fallback classifier and the
emergency net only ever move away from ``faq``. The intent ensemble (``intent_ensemble``),
which averages DIET's ranking with a classifier over the sentence embedding, can lift
``faq`` from further down; when it does on a message this selector skipped, the ensemble
supplies the answer from its own FAQ topic classifier.
"""

from __future__ import annotations

from typing import Any

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.selectors.response_selector import ResponseSelector
from rasa.shared.nlu.constants import INTENT_RANKING_KEY
from rasa.shared.nlu.training_data.message import Message


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True
)
class FaqResponseSelector(ResponseSelector):
    """A ResponseSelector that skips messages that cannot be a B12 question."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        return {**ResponseSelector.get_default_config(), "consider_top": 3}

    def may_be_a_question(self, message: Message) -> bool:
        """The retrieval intent is among the first ``consider_top`` of the ranking (or
        the message has no ranking, as when it was not classified: then always)."""
        ranking = message.get(INTENT_RANKING_KEY)
        if not ranking:
            return True
        top = int(self.component_config.get("consider_top", 3))
        wanted = self.component_config.get("retrieval_intent")
        return not wanted or any(r.get("name") == wanted for r in ranking[:top])

    def process(self, messages: list[Message]) -> list[Message]:
        chosen = [m for m in messages if self.may_be_a_question(m)]
        if chosen:
            super().process(chosen)
        return messages
