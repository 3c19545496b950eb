"""The Rasa launcher takes the API's secrets from the environment, never the command line."""

from __future__ import annotations

import pytest

from bot.rasa_adapters.server import SecretError, secret_arguments


def test_no_secret_means_no_api() -> None:
    assert secret_arguments({}) == []


def test_the_token_turns_the_api_on_and_the_jwt_secret_adds_bearer_tokens() -> None:
    token, secret = "t" * 16, "s" * 32
    assert secret_arguments({"B12_API_TOKEN": token}) == ["--enable-api", "--auth-token", token]
    assert secret_arguments({"B12_API_TOKEN": token, "B12_API_JWT_SECRET": secret})[-4:] == [
        "--jwt-secret", secret, "--jwt-method", "HS256"]


@pytest.mark.parametrize("env", [
    {"B12_API_TOKEN": "short"},
    {"B12_API_TOKEN": "t" * 16, "B12_API_JWT_SECRET": "short"},
    {"B12_API_JWT_SECRET": "s" * 32},
])
def test_unusable_secrets_are_refused_by_name(env) -> None:
    with pytest.raises(SecretError, match="B12_API"):
        secret_arguments(env)
