"""`POST /alertmanager/webhook`: authenticate, check, store, answer; nothing else.

Alertmanager retries a 5xx and takes every 4xx as final, so the answers are chosen for it:
401 for missing or wrong credentials (a bearer token, or basic auth whose password is the
token), 400 with the reason for a body that is not a version 4 payload, 503 when it cannot be
stored (it will come again), 2xx once stored. Bodies over 1 MiB never get here (the server's
`BodyLimit` answers 413). The work happens after the answer, from the stored row.
"""

from __future__ import annotations

import base64
import binascii
import hmac
from collections.abc import Callable
from typing import Any

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.alerts.intake import body_digest
from bot.alerts.payload import PayloadRefused, parse_payload
from bot.logs import get_logger

log = get_logger(__name__)

PATH = "/alertmanager/webhook"

#: (payload as JSON, digest of the body) -> False when it is a re-delivery of stored bytes.
Accept = Callable[[dict[str, Any], str], bool]
Refused = Callable[[str, str], None]


def given_token(header: str | None) -> str | None:
    """The token in an `Authorization` header: bearer, or the password of basic auth."""
    if not header:
        return None
    scheme, _, value = header.strip().partition(" ")
    value = value.strip()
    if scheme.lower() == "bearer":
        return value or None
    if scheme.lower() == "basic":
        try:
            decoded = base64.b64decode(value, validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None
        _user, colon, password = decoded.partition(":")
        return password if colon else None
    return None


def token_matches(given: str, expected: str) -> bool:
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _error(status: int, message: str, **headers: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status, headers=headers or None)


def alertmanager_routes(
    *,
    token: str | None,
    accept: Accept,
    refused: Refused,
    accepted: Callable[[], None] = lambda: None,
) -> list[Route]:
    """The webhook route; `refused(route, reason)` and `accepted()` count for the metrics."""

    def store(body: bytes) -> tuple[int, dict[str, Any]]:
        # Off the event loop: parsing a large payload and the insert both take a moment.
        try:
            payload, data = parse_payload(body)
        except PayloadRefused as exc:
            return 400, {"error": exc.reason}
        try:
            stored = accept(data, body_digest(body))
        except Exception:
            log.exception("alert delivery could not be stored")
            return 503, {"error": "the alerts could not be stored; send them again"}
        return 200, {"status": "stored" if stored else "duplicate", "alerts": len(payload.alerts)}

    async def webhook(request: Request) -> Response:
        if not token:
            return _error(404, "the Alertmanager webhook is off: set KUBER_WEBHOOK_TOKEN")
        given = given_token(request.headers.get("authorization"))
        if given is None:
            refused(PATH, "missing credentials")
            return _error(
                401,
                "missing credentials: send the webhook token as a bearer token",
                **{"WWW-Authenticate": 'Bearer realm="kuber"'},
            )
        if not token_matches(given, token):
            refused(PATH, "wrong credentials")
            return _error(401, "wrong credentials", **{"WWW-Authenticate": 'Bearer realm="kuber"'})
        body = await request.body()
        status, answer = await run_in_threadpool(store, body)
        if status == 400:
            refused(PATH, "bad payload")
            log.warning("alert delivery refused", reason=answer["error"])
        elif status < 400:
            accepted()
        return JSONResponse(answer, status_code=status)

    return [Route(PATH, webhook, methods=["POST"])]
