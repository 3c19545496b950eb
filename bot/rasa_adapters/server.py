"""``python -m bot.rasa_adapters.server run ...``: ``rasa run``, started the project's way.

It installs the fixes of :mod:`bot.rasa_adapters.patches` and reads the API's
secrets from the environment.

Rasa takes the HTTP API's token and JWT secret only as command-line arguments,
where every user of the machine can read them (``ps``, ``/proc/<pid>/cmdline``).
This launcher adds them inside the process instead, from:

``B12_API_TOKEN``
    turns on Rasa's HTTP API (``/conversations``, ``/model``...), every call
    needing ``?token=<token>``; at least 16 characters.
``B12_API_JWT_SECRET``
    also accepts ``Authorization: Bearer <JWT>`` signed (HS256) with this secret,
    Rasa's own header-based scheme, which keeps the credential out of URLs and
    proxy logs; at least 32 characters.

Everything else is passed to Rasa unchanged (``python -m bot.rasa_adapters.server shell`` is
``rasa shell``).

BLAS runs on one thread in the server (``B12_BLAS_THREADS``, default 1), set before NumPy
is loaded. With OpenBLAS's default of one thread per core, the emergency net's product of a
message with its 10,000-row matrix woke a second BLAS thread, and OpenBLAS's idle threads
spin for about a tenth of a second after each call: about 90 ms of CPU after every turn,
three times the turn's own work, and a core taken from other people's messages. The
server's parallelism is its processes (docs/operations.md); the encoder already ran a live
message on one thread.
"""

from __future__ import annotations

import os
import sys
from typing import Mapping, MutableMapping

MIN_TOKEN_CHARS = 16
BLAS_THREADS_DEFAULT = "1"
# The variables each BLAS library NumPy may be built with reads at load time.
BLAS_THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "BLIS_NUM_THREADS")
MIN_JWT_SECRET_CHARS = 32


class SettingError(ValueError):
    """A variable is set but unusable; the message names it."""


class SecretError(SettingError):
    """A secret variable is set but unusable; the message names it."""


def secret_arguments(env: Mapping[str, str]) -> list[str]:
    """The Rasa arguments the environment's API secrets ask for."""
    args: list[str] = []
    token = (env.get("B12_API_TOKEN") or "").strip()
    secret = (env.get("B12_API_JWT_SECRET") or "").strip()
    if token and len(token) < MIN_TOKEN_CHARS:
        raise SecretError(f"B12_API_TOKEN must be at least {MIN_TOKEN_CHARS} characters")
    if secret and len(secret) < MIN_JWT_SECRET_CHARS:
        raise SecretError(f"B12_API_JWT_SECRET must be at least {MIN_JWT_SECRET_CHARS} characters")
    if secret and not token:
        raise SecretError("B12_API_JWT_SECRET needs B12_API_TOKEN: the API is off without it")
    if token:
        args += ["--enable-api", "--auth-token", token]
    if secret:
        args += ["--jwt-secret", secret, "--jwt-method", "HS256"]
    return args


def limit_blas_threads(env: MutableMapping[str, str] = os.environ) -> str:
    """Set the BLAS thread count in ``env`` (``B12_BLAS_THREADS``, default 1) unless a
    library's own variable is already set; returns the count asked for. Must run before
    NumPy is first imported to take effect."""
    threads = (env.get("B12_BLAS_THREADS") or BLAS_THREADS_DEFAULT).strip()
    if not threads.isdigit() or int(threads) < 1:
        raise SettingError("B12_BLAS_THREADS must be a whole number, 1 or more")
    for name in BLAS_THREAD_VARIABLES:
        env.setdefault(name, threads)
    return threads


def main(argv: list[str] | None = None) -> int:
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        limit_blas_threads()
        extra = secret_arguments(os.environ)
    except SettingError as problem:
        print(f"error: {problem}", file=sys.stderr)
        return 2
    if args[:1] == ["run"]:
        args += extra
    from bot.rasa_adapters.patches import install_all

    install_all()
    sys.argv = ["rasa", *args]
    from rasa.__main__ import main as rasa_main

    rasa_main()
    return 0


if __name__ == "__main__":
    sys.exit(main())
