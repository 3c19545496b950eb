"""A real Rasa agent for channel tests, trained once per test session.

The agent is the small keyword bot in ``echo_bot/`` (no TensorFlow training:
keyword intents and rules), so webhook tests exercise Rasa's real message
handling, from the connector to the output channel, without the project's
model. Only the platforms' outbound API calls are captured.
"""

from __future__ import annotations

import logging
import time
from pathlib import Path
from typing import Any

import pytest

BOT_DIR = Path(__file__).parent / "echo_bot"
# Each intent answered by one response. The rules are written at training time
# rather than kept as a YAML file, because `rasa test --stories tests/` would
# read any rules file under tests/ as conversation tests of the real assistant.
RULES = {
    "greet": "utter_greet",
    "ask": "utter_question",
    "assess": "utter_assessment",
    "summary": "utter_summary",
    "chest_pain": "utter_chest_pain",
    "affirm": "utter_noted",
    "deny": "utter_noted",
    "unsure": "utter_noted",
}


@pytest.fixture(scope="session")
def echo_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    import yaml
    from rasa.api import train

    out = tmp_path_factory.mktemp("echo-model")
    data = tmp_path_factory.mktemp("echo-data")
    (data / "nlu.yml").write_text((BOT_DIR / "nlu.yml").read_text())
    rules = [
        {"rule": intent, "steps": [{"intent": intent}, {"action": action}]}
        for intent, action in RULES.items()
    ]
    (data / "rules.yml").write_text(yaml.safe_dump({"version": "3.1", "rules": rules}))
    started = time.monotonic()
    result = train(
        domain=str(BOT_DIR / "domain.yml"),
        config=str(BOT_DIR / "config.yml"),
        training_files=[str(data)],
        output=str(out),
        fixed_model_name="echo",
    )
    logging.getLogger(__name__).info("echo bot trained in %.1f s", time.monotonic() - started)
    assert result.code == 0 and result.model, "the channel test bot failed to train"
    return result.model


@pytest.fixture(scope="session")
def echo_agent(echo_model: str) -> Any:
    from rasa.core.agent import Agent

    return Agent.load(echo_model)


ID_KEY = "channel-tests-id-key-0123456789abcdef"


@pytest.fixture(autouse=True)
def id_key(monkeypatch: pytest.MonkeyPatch) -> bytes:
    """The pseudonym key every externally addressed channel needs (bot.channels.identity)."""
    monkeypatch.setenv("B12_ID_KEY", ID_KEY)
    return ID_KEY.encode()


@pytest.fixture
def make_app(echo_agent: Any) -> Any:
    """An app serving the given input channels with the echo agent, as ``rasa run`` builds it."""
    from rasa.core import run
    from sanic import Sanic

    Sanic.test_mode = True

    def build(*channels: Any) -> Any:
        app = run.configure_app(list(channels), enable_api=False, use_uvloop=False)
        app.ctx.agent = echo_agent
        return app

    return build
