"""Messaging platforms are switched on by their environment variables, all or none."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from bot.channels.credentials import (
    REST_CHANNEL,
    WEB_CHANNEL,
    CredentialsError,
    build_credentials,
    enabled_platforms,
)

ROOT = Path(__file__).resolve().parents[2]

KEY = {"B12_ID_KEY": "k" * 40}
TELEGRAM = {
    "TELEGRAM_TOKEN": "123:abc",
    "TELEGRAM_BOT_NAME": "b12_check_bot",
    "TELEGRAM_WEBHOOK_URL": "https://example.org/webhooks/telegram/webhook",
    **KEY,
}


def test_without_variables_only_the_web_chat_is_on() -> None:
    credentials = build_credentials({})
    assert list(credentials) == [WEB_CHANNEL]
    assert credentials[WEB_CHANNEL]["session_persistence"] is True
    assert enabled_platforms({}) == []


def test_rest_is_on_only_with_its_token_and_the_id_key() -> None:
    assert list(build_credentials({"B12_REST_TOKEN": "t" * 20, **KEY})) == [
        WEB_CHANNEL, REST_CHANNEL
    ]
    with pytest.raises(CredentialsError, match="B12_ID_KEY"):
        build_credentials({"B12_REST_TOKEN": "t" * 20})
    with pytest.raises(CredentialsError, match="at least 16"):
        build_credentials({"B12_REST_TOKEN": "short", **KEY})


def test_a_platform_needs_the_id_key() -> None:
    without_key = {k: v for k, v in TELEGRAM.items() if k != "B12_ID_KEY"}
    with pytest.raises(CredentialsError, match="B12_ID_KEY"):
        build_credentials(without_key)
    with pytest.raises(CredentialsError, match="shorter than 32"):
        build_credentials({**without_key, "B12_ID_KEY": "short"})


def test_the_file_holds_placeholders_not_secrets() -> None:
    channel = "bot.rasa_adapters.platforms.TelegramChannel"
    written = build_credentials(TELEGRAM, expand=False)[channel]
    assert written == {
        "access_token": "${TELEGRAM_TOKEN}",
        "verify": "${TELEGRAM_BOT_NAME}",
        "webhook_url": "${TELEGRAM_WEBHOOK_URL}",
    }


def test_a_fully_configured_platform_is_enabled() -> None:
    credentials = build_credentials(TELEGRAM)
    assert credentials["bot.rasa_adapters.platforms.TelegramChannel"] == {
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
        **KEY,
    }
    twilio = build_credentials(env)["bot.rasa_adapters.platforms.TwilioChannel"]
    assert twilio["webhook_url"] == "https://example.org/webhooks/twilio/webhook"


def test_a_partly_configured_platform_is_an_error_naming_what_is_missing() -> None:
    with pytest.raises(CredentialsError, match="SLACK_SIGNING_SECRET"):
        build_credentials({"SLACK_TOKEN": "xoxb-1"})


def test_command_line_writes_a_credentials_file_rasa_can_read(tmp_path) -> None:
    env = {"PATH": "/usr/bin:/bin", "RASA_TELEMETRY_ENABLED": "false", **TELEGRAM}
    done = subprocess.run(
        [sys.executable, "-m", "bot.channels.credentials"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    assert "123:abc" not in done.stdout
    loaded = yaml.safe_load(done.stdout)
    assert set(loaded) == {WEB_CHANNEL, "bot.rasa_adapters.platforms.TelegramChannel"}
    path = tmp_path / "credentials.yml"
    path.write_text(done.stdout)
    read = subprocess.run(
        [sys.executable, "-c",
         "import sys, rasa.shared.utils.io as io; "
         "print(io.read_config_file(sys.argv[1])['bot.rasa_adapters.platforms.TelegramChannel']"
         "['access_token'])", str(path)],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )
    assert read.stdout.strip() == "123:abc", "Rasa must expand the placeholders"
    listed = subprocess.run(
        [sys.executable, "-m", "bot.channels.credentials", "--list"],
        cwd=ROOT, env=env, capture_output=True, text=True, check=True,
    )
    assert listed.stdout.strip() == "telegram"
    bad = subprocess.run(
        [sys.executable, "-m", "bot.channels.credentials"],
        cwd=ROOT,
        env={"PATH": "/usr/bin:/bin", "FACEBOOK_APP_SECRET": "s"},
        capture_output=True,
        text=True,
    )
    assert bad.returncode == 2
    assert "FACEBOOK_VERIFY_TOKEN" in bad.stderr
