"""The action server's replies are checked as strictly as Rasa checks them, without
re-checking Rasa's schema on every reply (the cost a person waited for on each turn)."""

from __future__ import annotations

import pytest

pytest.importorskip("rasa", reason="the reply check patches Rasa's remote action")

from jsonschema import ValidationError, validate  # noqa: E402
from jsonschema.validators import validator_for  # noqa: E402
from rasa.core.actions.action import RemoteAction  # noqa: E402

from bot.rasa_adapters.patches import action_reply_check  # noqa: E402

GOOD_REPLIES = [
    {"events": [], "responses": []},
    {
        "events": [
            {"event": "slot", "name": "findings", "value": {"items": {}}, "timestamp": None},
            {"event": "slot", "name": "requested_slot", "value": None},
        ],
        "responses": [
            {"text": "Do your feet tingle?", "buttons": [{"title": "Yes", "payload": "/affirm"}]}
        ],
    },
]
BAD_REPLIES = [
    {"events": [{"event": "slot", "name": 5}]},
    {"events": "not a list"},
    {"responses": ["not an object"]},
]


@pytest.fixture(scope="module")
def action() -> RemoteAction:
    assert action_reply_check.install()
    return RemoteAction("validate_interview_form", None)


@pytest.mark.parametrize("reply", GOOD_REPLIES)
def test_a_valid_reply_is_accepted(action: RemoteAction, reply: dict) -> None:
    assert action._validate_action_result(reply) is True


@pytest.mark.parametrize("reply", BAD_REPLIES)
def test_a_malformed_reply_is_refused_as_rasa_refuses_it(action: RemoteAction, reply) -> None:
    schema = RemoteAction.action_response_format_spec()
    with pytest.raises(ValidationError) as rasa_own:
        validate(reply, schema)
    with pytest.raises(ValidationError) as ours:
        action._validate_action_result(reply)
    assert ours.value.message.startswith(rasa_own.value.message)
    assert "Failed to validate Action server response" in ours.value.message


def test_the_schema_is_not_checked_again_for_each_reply(
    action: RemoteAction, monkeypatch: pytest.MonkeyPatch
) -> None:
    cls = validator_for(RemoteAction.action_response_format_spec())
    calls = []
    original = cls.check_schema.__func__

    def counting(klass, schema, *args, **kwargs):
        calls.append(1)
        return original(klass, schema, *args, **kwargs)

    monkeypatch.setattr(cls, "check_schema", classmethod(counting))
    for reply in GOOD_REPLIES * 5:
        action._validate_action_result(reply)
    assert calls == []


def test_installing_twice_keeps_one_replacement() -> None:
    assert action_reply_check.install()
    first = RemoteAction._validate_action_result
    assert action_reply_check.install()
    assert RemoteAction._validate_action_result is first
