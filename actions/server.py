"""``python -m actions.server``: the action server, reachable only by the Rasa server.

Rasa SDK's own ``rasa run actions`` listens on every interface, allows every
CORS origin and answers anyone. This starts the same Rasa SDK application
(``rasa_sdk.endpoint.create_app``) with:

* ``B12_ACTIONS_HOST`` (default ``127.0.0.1``) and ``B12_ACTIONS_PORT`` (5055);
* no CORS (only the Rasa server calls it, never a browser);
* when ``B12_ACTIONS_TOKEN`` is set, every ``/webhook`` call must carry
  ``Authorization: Bearer <token>`` (endpoints.yml sends it); others get 401.
"""

from __future__ import annotations

import hmac
import logging
import os
import sys

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request

logger = logging.getLogger(__name__)


def require_token(app: Sanic, token: str) -> None:
    expected = f"Bearer {token}".encode()

    @app.on_request
    async def check(request: Request):  # noqa: ANN202 - Sanic middleware
        if request.path == "/health":
            return None
        given = (request.headers.get("authorization") or "").encode()
        if not hmac.compare_digest(given, expected):
            logger.warning("Refused an action call without the shared secret")
            return response.json({"error": "unauthorised"}, status=401)
        return None


def build(token: str | None) -> Sanic:
    app = create_app("actions", cors_origins=None)
    if token:
        require_token(app, token)
    return app


def main() -> int:
    logging.basicConfig(
        level=os.environ.get("B12_LOG_LEVEL", "INFO").upper(),
        format="%(asctime)s %(levelname)s %(name)s - %(message)s",
    )
    host = os.environ.get("B12_ACTIONS_HOST", "127.0.0.1")
    try:
        port = int(os.environ.get("B12_ACTIONS_PORT", "5055"))
    except ValueError:
        print("error: B12_ACTIONS_PORT must be a port number", file=sys.stderr)
        return 2
    token = os.environ.get("B12_ACTIONS_TOKEN") or None
    app = build(token)
    logger.info(
        "Action server on http://%s:%d (shared secret %s)", host, port, "on" if token else "off"
    )
    app.run(host, port, access_log=False, motd=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
