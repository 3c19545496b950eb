"""Messaging platforms are switched on by their environment variables, all or none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.channels.credentials import (
    WEB_CHANNEL,
    CredentialsError,
    build_credentials,
    enabled_platforms,
)

ROOT = Path(__file__).resolve().parents[2]

TELEGRAM = {
    "TELEGRAM_TOKEN": "123:abc",
    "TELEGRAM_BOT_NAME": "b12_check_bot",
    "TELEGRAM_WEBHOOK_URL": "https://example.org/webhooks/telegram/webhook",
}


def test_without_variables_only_rest_and_the_web_chat_are_on() -> None:
    credentials = build_credentials({})
    assert list(credentials) == ["rest", WEB_CHANNEL]
    assert credentials[WEB_CHANNEL]["session_persistence"] is True
    assert enabled_platforms({}) == []


def test_a_fully_configured_platform_is_enabled() -> None:
    credentials = build_credentials(TELEGRAM)
    assert credentials["bot.channels.platforms.TelegramChannel"] == {
        "access_token": "123:abc",
        "verify": "b12_check_bot",
        "webhook_url": "https://example.org/webhooks/telegram/webhook",
    }
    assert enabled_platforms(TELEGRAM) == ["telegram"]


def test_optional_variables_are_added_when_set() -> None:
    env = {
        "TWILIO_ACCOUNT_SID": "AC1",
        "TWILIO_AUTH_TOKEN": "t",
        "TWILIO_NUMBER": "+15550001",
        "TWILIO_WEBHOOK_URL": "https://example.org/webhooks/twilio/webhook",
    }
    twilio = build_credentials(env)["bot.channels.platforms.TwilioChannel"]
    assert twilio["webhook_url"] == "https://example.org/webhooks/twilio/webhook"


def test_a_partly_configured_platform_is_an_error_naming_what_is_missing() -> None:
    with pytest.raises(CredentialsError, match="SLACK_SIGNING_SECRET"):
        build_credentials({"SLACK_TOKEN": "xoxb-1"})


def test_command_line_writes_a_credentials_file_rasa_can_read(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", **TELEGRAM}
    done = subprocess.run(
        [sys.executable, "-m", "bot.channels.credentials"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    loaded = yaml.safe_load(done.stdout)
    assert set(loaded) == {"rest", WEB_CHANNEL, "bot.channels.platforms.TelegramChannel"}
    bad = subprocess.run(
        [sys.executable, "-m", "bot.channels.credentials"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "FACEBOOK_APP_SECRET": "s"},
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert "FACEBOOK_VERIFY_TOKEN" in bad.stderr
