"""The first step of the two-stage fallback: check what was meant, never guess.

Rasa's ``action_two_stage_fallback`` calls this when the classifier is unsure.
Input that is not a sentence at all (empty, far too long, only symbols or
markup) gets a plain explanation instead of a guess. Otherwise the person is
asked whether they meant the most likely thing, in plain words; "No" (payload
``/out_of_scope``, as the two-stage fallback expects) leads to a rephrase
request. The person's words are never repeated back, so markup in them cannot
end up in a reply.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Action, Tracker
from rasa_sdk.events import UserUtteranceReverted
from rasa_sdk.executor import CollectingDispatcher
from rasa_sdk.types import DomainDict

from actions.findings_io import latest_text
from actions.texts import say
from bot.nlu.input_check import odd_input_kind

_MARKUP = re.compile(r"<[^>]{0,200}>|```|\{\{.*?\}\}|\$\{.*?\}")

# Plain descriptions of the intents worth offering back to the person.
MEANINGS = {
    "start_check": "start a symptom check",
    "inform": "tell me about how you've been feeling",
    "report_lab": "tell me a blood test result",
    "correct": "correct something you told me",
    "ask_why": "ask why I came to my conclusion",
    "ask_tests": "ask which blood tests to get",
    "request_summary": "get a summary for your doctor",
    "restart": "start over",
    "help": "find out what I can do",
    "greet": "say hello",
    "goodbye": "end the chat",
}


def looks_like_markup(text: str) -> bool:
    return bool(_MARKUP.search(text or ""))


def bad_input_response(text: str) -> str | None:
    """The response for input that is not a sentence, or ``None`` for a sentence."""
    kind = odd_input_kind(text)
    if kind is None and _MARKUP.search(text or ""):
        kind = "no_words"
    return f"bad_input_{kind}" if kind else None


def best_guess(tracker: Tracker) -> str | None:
    """The highest-ranked intent we can describe, other than the fallback itself."""
    ranking = (tracker.latest_message or {}).get("intent_ranking") or []
    for entry in ranking:
        name = entry.get("name") if isinstance(entry, dict) else None
        if name in MEANINGS:
            return name
    return None


class ActionAskAffirmation(Action):
    def name(self) -> str:
        return "action_default_ask_affirmation"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        bad = bad_input_response(latest_text(tracker))
        if bad:
            say(dispatcher, bad)
            return []
        guess = best_guess(tracker)
        if guess is None:
            say(dispatcher, "ask_rephrase")
            return []
        dispatcher.utter_message(
            text=f"Sorry, I'm not sure I understood. Did you want to {MEANINGS[guess]}?",
            buttons=[
                {"title": "Yes", "payload": f"/{guess}"},
                {"title": "No", "payload": "/out_of_scope"},
            ],
        )
        return []


class ActionAskRephrase(Action):
    """Second step of the two-stage fallback: ask for other words, with examples."""

    def name(self) -> str:
        return "action_default_ask_rephrase"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        say(dispatcher, bad_input_response(latest_text(tracker)) or "ask_rephrase")
        return []


class ActionDefaultFallback(Action):
    """Last step: say plainly that it was not understood, offer what works, and
    forget the message (as Rasa's own fallback does) so it cannot steer what
    comes next."""

    def name(self) -> str:
        return "action_default_fallback"

    async def run(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: DomainDict
    ) -> list[dict[str, Any]]:
        say(dispatcher, "default")
        return [UserUtteranceReverted()]
