"""Paged lists: `limit` and `continue`, with tokens shaped and checked as the API server's are.

A token holds the resourceVersion of the first page and the key to start from, so every
page is cut from the same snapshot. Once the store's history no longer reaches back to it
the token has expired (410, with a token to go on inconsistently); a token that does not
decode is the client's mistake (400).
"""

from __future__ import annotations

import base64
import binascii
import json
import posixpath
from dataclasses import dataclass
from typing import Any

from .kubernetes_errors import ApiError, bad_request

Obj = dict[str, Any]
TOKEN_VERSION = "meta.k8s.io/v1"
#: resourceVersion of a token that continues at the latest state, after the first expired.
LATEST = -1
INCONSISTENT = (
    "The provided continue parameter is too old to display a consistent list result. You can "
    "start a new list without the continue parameter, or use the continue token in this "
    "response to retrieve the remainder of the results. Continuing with the provided token "
    "results in an inconsistent list - objects that were created, modified, or deleted between "
    "the time the first chunk was returned and now may show up in the list."
)


@dataclass(frozen=True)
class Continue:
    resource_version: int
    start: str


def encode(resource_version: int, start: str) -> str:
    data = json.dumps({"v": TOKEN_VERSION, "rv": resource_version, "start": start})
    return base64.urlsafe_b64encode(data.encode()).decode().rstrip("=")


def _invalid(detail: str) -> ApiError:
    return bad_request(f"invalid continue token: continue key is not valid{detail}")


def decode(token: str) -> Continue:
    try:
        data = base64.urlsafe_b64decode(token + "=" * (-len(token) % 4))
        fields = json.loads(data)
    except (binascii.Error, ValueError) as exc:
        raise _invalid(f": {exc}") from exc
    if not isinstance(fields, dict):
        raise _invalid(": not an object")
    if fields.get("v") != TOKEN_VERSION:
        raise bad_request(
            "invalid continue token: server does not recognize this encoded version "
            f"{fields.get('v')}"
        )
    version, start = fields.get("rv"), fields.get("start")
    if not isinstance(version, int) or isinstance(version, bool) or version == 0:
        raise _invalid(": incorrect encoded start resourceVersion (version meta.k8s.io/v1)")
    if not isinstance(start, str) or not start:
        raise _invalid(": encoded start key empty (version meta.k8s.io/v1)")
    # Like the API: a key that path-cleans to something else could escape the list's prefix.
    if posixpath.normpath("/" + start.lstrip("/")) != "/" + start.lstrip("/"):
        raise _invalid(f": {start}")
    return Continue(version, start)


def expired(start: str) -> ApiError:
    return ApiError(410, "Expired", INCONSISTENT, list_meta={"continue": encode(LATEST, start)})


def object_key(obj: Obj, across_namespaces: bool) -> str:
    """The object's key below the list's prefix, as etcd orders them."""
    meta = obj["metadata"]
    if across_namespaces and meta.get("namespace"):
        return f"{meta['namespace']}/{meta['name']}"
    return str(meta["name"])


def parse_limit(value: str | None) -> int | None:
    if value in (None, ""):
        return None
    try:
        limit = int(str(value))
    except ValueError as exc:
        raise bad_request(f"invalid limit: {value}") from exc
    return limit if limit > 0 else None


def cut(
    keyed: list[tuple[str, Obj]], *, limit: int | None, version: int, counted: bool
) -> tuple[list[Obj], Obj]:
    """One page of `keyed` (sorted by key) and the list metadata that goes with it."""
    meta: Obj = {"resourceVersion": str(version)}
    if limit is None or len(keyed) <= limit:
        return [obj for _key, obj in keyed], meta
    page = keyed[:limit]
    meta["continue"] = encode(version, page[-1][0] + "\x00")
    if counted:
        meta["remainingItemCount"] = len(keyed) - limit
    return [obj for _key, obj in page], meta
