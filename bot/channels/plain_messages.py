"""Bot messages made fit for messaging platforms that show text and little else.

The dialogue always puts the readable words in the text and the structure in a
custom payload. Platforms cannot show our payloads (Telegram would even try to
read them as its own API call), so they are dropped there, and the text, which
already says everything, goes out alone. Buttons become what the platform can
show: native buttons, quick replies, or a reply hint in the text for SMS.
"""

from __future__ import annotations

from typing import Any

from bot.advice import BEFORE_TESTING
from bot.channels.web_messages import clean_buttons, payload_of

NATIVE = "native"
QUICK_REPLIES_OVER_3 = "quick_replies_over_3"
TEXT = "text"

OUR_PAYLOAD_PREFIX = "b12_"


def is_our_payload(custom: Any) -> bool:
    body = payload_of(custom)
    return bool(body) and str(body.get("type", "")).startswith(OUR_PAYLOAD_PREFIX)


def payload_text(custom: Any) -> str:
    """Readable words for one of our payloads, for a message that came without text."""
    body = payload_of(custom) or {}
    kind = body.get("type")
    if kind in ("b12_emergency", "b12_summary"):
        return str(body.get("message") or body.get("text") or "")
    if kind == "b12_assessment":
        return assessment_text(body.get("assessment") or {})
    return ""


def assessment_text(assessment: dict[str, Any]) -> str:
    """An assessment in words. Under emergency advice only the advice: a likelihood or
    a list of tests under "go to A&E now" would compete with it."""
    triage = assessment.get("triage") if isinstance(assessment.get("triage"), dict) else {}
    if triage.get("level") == "emergency":
        return "\n".join(str(triage[k]) for k in ("title", "advice") if triage.get(k))
    lines = []
    band = assessment.get("band_label") or assessment.get("band")
    if band:
        lines.append(f"How likely a B12 shortage is: {band}.")
    if triage.get("title"):
        lines.append(f"How soon to act: {triage['title']}.")
    if triage.get("advice"):
        lines.append(str(triage["advice"]))
    tests = [
        t.get("name")
        for t in assessment.get("tests") or []
        if isinstance(t, dict) and t.get("id") not in BEFORE_TESTING
    ]
    if tests:
        lines.append("Tests to ask about: " + "; ".join(str(t) for t in tests if t) + ".")
    return "\n".join(lines)


def reply_hint(buttons: list[dict[str, str]]) -> str:
    titles = [b["title"] for b in buttons]
    if len(titles) == 1:
        return f"(Reply: {titles[0]})"
    return f"(Reply {', '.join(titles[:-1])} or {titles[-1]})"


def platform_message(message: dict[str, Any], buttons_mode: str = NATIVE) -> dict | None:
    """The response dict to hand to a platform connector, or ``None`` to send nothing."""
    out = {k: v for k, v in message.items() if k not in ("custom", "buttons", "quick_replies")}
    custom = message.get("custom")
    text = message.get("text") if isinstance(message.get("text"), str) else ""
    if custom and is_our_payload(custom):
        text = text or payload_text(custom)
    elif custom:
        out["custom"] = custom
    buttons = clean_buttons(message.get("buttons") or message.get("quick_replies"))
    if buttons and buttons_mode == TEXT:
        text = f"{text}\n{reply_hint(buttons)}".strip()
    elif buttons and buttons_mode == QUICK_REPLIES_OVER_3 and len(buttons) > 3:
        out["quick_replies"] = buttons
    elif buttons:
        out["buttons"] = buttons
    if text:
        out["text"] = text
    elif out.get("buttons") or out.get("quick_replies"):
        out["text"] = "Please choose:"
    if not (out.get("text") or out.get("custom") or out.get("image") or out.get("attachment")):
        return None
    return out
