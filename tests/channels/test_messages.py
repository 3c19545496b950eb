"""What the web page and the messaging platforms receive for each kind of bot message."""

from __future__ import annotations

from bot.channels.plain_messages import (
    NATIVE,
    QUICK_REPLIES_OVER_3,
    TEXT,
    platform_message,
)
from bot.channels.web_messages import payload_of, web_message

YES_NO = [
    {"title": "Yes", "payload": "/affirm"},
    {"title": "No", "payload": "/deny"},
    {"title": "Not sure", "payload": "/unsure"},
]
ASSESSMENT = {
    "type": "b12_assessment",
    "assessment": {
        "band": "high",
        "band_label": "High",
        "triage": {"level": "routine", "title": "Book a GP appointment", "advice": "Book soon."},
        "tests": [{"name": "Full blood count", "reason": "Shows anaemia."}],
    },
}


def test_a_payload_is_a_non_empty_object() -> None:
    assert payload_of(ASSESSMENT) == ASSESSMENT
    assert payload_of({}) is None and payload_of("x") is None and payload_of(None) is None


def test_web_message_keeps_text_and_card_together() -> None:
    event = web_message({"text": "Fairly likely.\n\nSee your GP.", "custom": ASSESSMENT})
    assert event == {"text": "Fairly likely.\n\nSee your GP.", "custom": ASSESSMENT}


def test_web_message_keeps_question_and_buttons_together() -> None:
    event = web_message({"text": "Do you feel tired?", "buttons": YES_NO})
    assert event == {"text": "Do you feel tired?", "buttons": YES_NO}


def test_web_message_marks_what_its_sender_marked_and_never_guesses() -> None:
    words = "Chest pain needs checking now. Call 999 or go to A&E now."
    alert = {"type": "b12_emergency", "level": "emergency", "message": words}
    assert web_message({"text": words, "custom": alert})["emergency"] == "emergency"
    assert "emergency" not in web_message({"text": words})


def test_web_message_drops_malformed_buttons_and_empty_messages() -> None:
    event = web_message({"text": "Pick", "buttons": [{"title": ""}, "x", {"title": "Ok"}]})
    assert event["buttons"] == [{"title": "Ok", "payload": "Ok"}]
    assert web_message({"text": "  "}) is None


def test_platforms_get_the_text_without_our_payload() -> None:
    sent = platform_message({"text": "Fairly likely.", "custom": ASSESSMENT})
    assert sent == {"text": "Fairly likely."}


def test_a_payload_without_text_is_written_out_in_words() -> None:
    sent = platform_message({"custom": ASSESSMENT})
    assert "High" in sent["text"]
    assert "Book a GP appointment" in sent["text"]
    assert "Full blood count" in sent["text"]
    emergency = {"type": "b12_emergency", "level": "emergency", "message": "Call 999 now."}
    assert platform_message({"custom": emergency}) == {"text": "Call 999 now."}


def test_an_emergency_payload_in_words_is_the_advice_alone() -> None:
    emergency = {
        "type": "b12_assessment",
        "assessment": {
            "band": "low",
            "band_label": "Low",
            "triage": {"level": "emergency", "title": "Get emergency help now",
                       "advice": "Go to A&E now."},
            "tests": [{"id": "fbc", "name": "Full blood count", "reason": "Shows anaemia."}],
        },
    }
    sent = platform_message({"custom": emergency})["text"]
    assert sent == "Get emergency help now\nGo to A&E now."


def test_advice_about_timing_is_not_named_as_a_test_in_words() -> None:
    assessment = {**ASSESSMENT["assessment"], "tests": [
        {"id": "fbc", "name": "Full blood count"},
        {"id": "blood_before_supplements", "name": "Have the blood test before supplements"},
    ]}
    sent = platform_message({"custom": {"type": "b12_assessment", "assessment": assessment}})
    assert "Tests to ask about: Full blood count." in sent["text"]
    assert "before supplements" not in sent["text"]


def test_sms_gets_the_choices_in_words() -> None:
    sent = platform_message({"text": "Do you feel tired?", "buttons": YES_NO}, TEXT)
    assert sent == {"text": "Do you feel tired?\n(Reply Yes, No or Not sure)"}


def test_messenger_gets_quick_replies_when_there_are_more_than_three_choices() -> None:
    four = YES_NO + [{"title": "Skip", "payload": "/skip"}]
    assert platform_message({"text": "Q", "buttons": YES_NO}, QUICK_REPLIES_OVER_3)["buttons"]
    assert (
        platform_message({"text": "Q", "buttons": four}, QUICK_REPLIES_OVER_3)["quick_replies"]
        == four
    )
    assert platform_message({"text": "Q", "buttons": four}, NATIVE)["buttons"] == four


def test_other_custom_payloads_pass_through() -> None:
    sticker = {"sticker": "abc"}
    assert platform_message({"custom": sticker}) == {"custom": sticker}
