"""Proof that a Mattermost request is ours: the slash-command token and the HMAC inside button
contexts.

Mattermost signs neither slash commands nor button clicks, so these checks are all that stands
between the open `/mattermost/*` endpoints and a change in a cluster. Comparisons are constant
time; nothing here ever logs or returns a secret.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from collections.abc import Mapping
from typing import Any

#: The signature's key in a button context.
SIGNATURE = "sig"
#: When the context was signed, in whole seconds since the epoch.
ISSUED_AT = "iat"
#: Mattermost adds the chosen option of a menu to the context itself, after we signed it.
ADDED_BY_MATTERMOST = frozenset({"selected_option"})
#: Buttons older than this are refused even with a good signature, so a context that leaked
#: (a log, a backup of the Mattermost database) stops being usable.
MAX_AGE = 24 * 60 * 60.0
#: How far ahead of our clock a timestamp may be: servers' clocks drift a little.
CLOCK_SKEW = 5 * 60.0


class ContextRefused(Exception):
    """A button context that must not be acted on; `reason` is safe to log."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def verify_command_token(given: str | None, expected: str) -> bool:
    """True when a slash command carries the token Mattermost issued for it."""
    if not given or not expected:
        return False
    return hmac.compare_digest(given.encode("utf-8"), expected.encode("utf-8"))


def _canonical(fields: Mapping[str, Any]) -> bytes:
    # Sorted keys and fixed separators: the same fields always give the same bytes, whatever
    # order Mattermost stored them in.
    return json.dumps(
        dict(fields), sort_keys=True, separators=(",", ":"), ensure_ascii=False
    ).encode("utf-8")


def _digest(fields: Mapping[str, Any], secret: bytes) -> str:
    return hmac.new(secret, _canonical(fields), hashlib.sha256).hexdigest()


def sign_context(
    fields: Mapping[str, Any], secret: bytes, *, now: float | None = None
) -> dict[str, Any]:
    """`fields` plus an issued-at time and the HMAC-SHA256 of all of them."""
    if not secret:
        raise ValueError("an empty key would sign nothing")
    reserved = {SIGNATURE, ISSUED_AT} | ADDED_BY_MATTERMOST
    clash = reserved & fields.keys()
    if clash:
        raise ValueError(f"context fields {sorted(clash)} are reserved")
    signed: dict[str, Any] = {**fields, ISSUED_AT: int(time.time() if now is None else now)}
    signed[SIGNATURE] = _digest(signed, secret)
    return signed


def verify_context(
    context: Any,
    secret: bytes,
    *,
    now: float | None = None,
    max_age: float = MAX_AGE,
) -> dict[str, Any]:
    """The signed fields of `context` (without the signature), or `ContextRefused`."""
    if not isinstance(context, Mapping):
        raise ContextRefused("context is not an object")
    signature = context.get(SIGNATURE)
    if not isinstance(signature, str) or not signature:
        raise ContextRefused("unsigned")
    fields = {k: v for k, v in context.items() if k != SIGNATURE and k not in ADDED_BY_MATTERMOST}
    if not secret or not hmac.compare_digest(
        _digest(fields, secret).encode(), signature.encode("utf-8", "replace")
    ):
        raise ContextRefused("bad signature")
    # Checked after the signature: an attacker learns nothing from which check failed first.
    issued = fields.get(ISSUED_AT)
    if not isinstance(issued, int) or isinstance(issued, bool):
        raise ContextRefused("no issue time")
    clock = time.time() if now is None else now
    if issued > clock + CLOCK_SKEW:
        raise ContextRefused("issued in the future")
    if clock - issued > max_age:
        raise ContextRefused("expired")
    return fields
