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


@pytest.fixture(scope="session")
def echo_model(tmp_path_factory: pytest.TempPathFactory) -> str:
    from rasa.api import train

    out = tmp_path_factory.mktemp("echo-model")
    started = time.monotonic()
    result = train(
        domain=str(BOT_DIR / "domain.yml"),
        config=str(BOT_DIR / "config.yml"),
        training_files=[str(BOT_DIR / "data")],
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
