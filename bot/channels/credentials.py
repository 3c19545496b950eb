"""The credentials file for ``rasa run``, built from environment variables.

Run ``python -m bot.channels.credentials > var/credentials.yml``. The web chat
is always on. The REST channel is on when ``B12_REST_TOKEN`` is set, and only
for requests carrying that token. A messaging platform is switched on when its
variables are set; setting only some of them is an error, because a
half-configured channel fails later and less clearly (or, worse, runs without
checking that requests really come from the platform). REST and the platforms
store their senders' ids as keyed hashes, so they need ``B12_ID_KEY`` too.

The file holds no secret: each value is written as ``${VARIABLE}``, which Rasa
expands from the environment when it reads the file. ``--list`` prints the names
of the platforms that are on, for the start-up message.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass
from typing import Mapping

import yaml

from bot.channels.identity import IdentityKeyError, id_key

WEB_CHANNEL = "bot.rasa_adapters.webchat.WebChatInput"
REST_CHANNEL = "bot.rasa_adapters.rest.TokenRestInput"
REST_TOKEN = "B12_REST_TOKEN"
MIN_TOKEN_CHARS = 16


@dataclass(frozen=True)
class Platform:
    """One platform: its connector, its required and optional variables (credential key: env)."""

    connector: str
    required: tuple[tuple[str, str], ...]
    optional: tuple[tuple[str, str], ...] = ()


PLATFORMS: dict[str, Platform] = {
    "telegram": Platform(
        "bot.rasa_adapters.platforms.TelegramChannel",
        (
            ("access_token", "TELEGRAM_TOKEN"),
            ("verify", "TELEGRAM_BOT_NAME"),
            ("webhook_url", "TELEGRAM_WEBHOOK_URL"),
        ),
        # A self-hosted Telegram Bot API server instead of api.telegram.org.
        (("api_url", "TELEGRAM_API_URL"),),
    ),
    "slack": Platform(
        "bot.rasa_adapters.platforms.SlackChannel",
        (("slack_token", "SLACK_TOKEN"), ("slack_signing_secret", "SLACK_SIGNING_SECRET")),
        (("slack_channel", "SLACK_CHANNEL"),),
    ),
    "facebook": Platform(
        "bot.rasa_adapters.platforms.FacebookChannel",
        (
            ("verify", "FACEBOOK_VERIFY_TOKEN"),
            ("secret", "FACEBOOK_APP_SECRET"),
            ("page-access-token", "FACEBOOK_PAGE_ACCESS_TOKEN"),
        ),
    ),
    "twilio": Platform(
        "bot.rasa_adapters.platforms.TwilioChannel",
        (
            ("account_sid", "TWILIO_ACCOUNT_SID"),
            ("auth_token", "TWILIO_AUTH_TOKEN"),
            ("twilio_number", "TWILIO_NUMBER"),
        ),
        (("webhook_url", "TWILIO_WEBHOOK_URL"),),
    ),
}


class CredentialsError(ValueError):
    """A platform is only partly configured."""


def platform_credentials(platform: Platform, env: Mapping[str, str]) -> dict | None:
    """The platform's settings as read from ``env``; None when none of them is set."""
    values = {key: env.get(var, "").strip() for key, var in platform.required}
    if not any(values.values()):
        return None
    missing = [var for key, var in platform.required if not values[key]]
    if missing:
        raise CredentialsError(", ".join(missing))
    for key, var in platform.optional:
        if env.get(var, "").strip():
            values[key] = env[var].strip()
    return values


def placeholders(platform: Platform, values: Mapping[str, str]) -> dict[str, str]:
    """``values`` with each one replaced by the ``${VARIABLE}`` Rasa expands at start-up."""
    names = dict(platform.required + platform.optional)
    return {key: f"${{{names[key]}}}" for key in values}


def build_credentials(env: Mapping[str, str], expand: bool = True) -> dict:
    """Channel name (or connector path) to its settings, for every enabled channel.

    With ``expand=False`` the settings are ``${VARIABLE}`` placeholders, for a file.
    """
    credentials: dict = {WEB_CHANNEL: {"session_persistence": True}}
    problems = []
    rest_token = env.get(REST_TOKEN, "").strip()
    if rest_token:
        if len(rest_token) < MIN_TOKEN_CHARS:
            problems.append(f"{REST_TOKEN} must be at least {MIN_TOKEN_CHARS} characters")
        # The channel reads its token from the environment itself.
        credentials[REST_CHANNEL] = None
    for name, platform in PLATFORMS.items():
        try:
            values = platform_credentials(platform, env)
        except CredentialsError as missing:
            problems.append(f"{name}: set {missing} as well")
            continue
        if values is not None:
            credentials[platform.connector] = (
                values if expand else placeholders(platform, values)
            )
    if len(credentials) > 1 and not problems:
        try:
            id_key(env)
        except IdentityKeyError as problem:
            problems.append(str(problem))
    if problems:
        raise CredentialsError("; ".join(problems))
    return credentials


def enabled_platforms(env: Mapping[str, str]) -> list[str]:
    connectors = set(build_credentials(env))
    return [name for name, p in PLATFORMS.items() if p.connector in connectors]


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    try:
        credentials = build_credentials(os.environ, expand=False)
    except CredentialsError as problem:
        print(f"error: a channel is not fully configured: {problem}", file=sys.stderr)
        return 2
    if args == ["--list"]:
        print(" ".join(enabled_platforms(os.environ)))
        return 0
    if args:
        print("usage: python -m bot.channels.credentials [--list]", file=sys.stderr)
        return 2
    sys.stdout.write(
        "# Generated by `python -m bot.channels.credentials`; do not edit.\n"
        "# ${...} values are read from the environment when the server starts.\n"
    )
    sys.stdout.write(yaml.safe_dump(credentials, sort_keys=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
