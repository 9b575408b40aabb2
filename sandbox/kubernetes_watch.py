"""Streams a Kubernetes watch: one JSON event per line over chunked HTTP, as the API does.

It only reads the store's event log; it ends at `timeoutSeconds`, when the client hangs up
or when the sandbox stops, and never holds the store lock while writing to the socket.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http.server import BaseHTTPRequestHandler
from typing import Any

from . import kubernetes_chunks as chunks
from .kubernetes_errors import status_failure
from .kubernetes_store import ObjectStore

Obj = dict[str, Any]
#: How often an idle watch checks whether its client is still there.
IDLE_CHECK = 0.5


def _send(handler: BaseHTTPRequestHandler, event: Obj) -> None:
    chunks.send(handler, json.dumps(event).encode() + b"\n")


def stream_watch(
    handler: BaseHTTPRequestHandler,
    store: ObjectStore,
    *,
    kind: str,
    namespace: str | None,
    matches: Callable[[Obj], bool],
    render: Callable[[Obj], Obj],
    resource_version: str | None,
    timeout: float,
) -> None:
    with store.changed:
        if resource_version in (None, "", "0"):
            # No version: start with the current state as ADDED events, like the API.
            initial = [obj for obj in store.select(kind, namespace) if matches(obj)]
            cursor = store.resource_version
        else:
            initial = []
            cursor = int(resource_version or 0)
    chunks.start(handler, "application/json")
    deadline = time.monotonic() + timeout
    try:
        for obj in initial:
            _send(handler, {"type": "ADDED", "object": render(obj)})
        while not store.closed and time.monotonic() < deadline:
            with store.changed:
                events = store.events_after(cursor)
                if events == []:
                    store.changed.wait(min(IDLE_CHECK, max(0.0, deadline - time.monotonic())))
                    events = store.events_after(cursor)
            if events is None:
                gone = status_failure(
                    410, "Expired", f"too old resource version: {cursor} ({store.resource_version})"
                )
                _send(handler, {"type": "ERROR", "object": gone})
                break
            for event in events:
                cursor = event.resource_version
                if event.kind != kind or (namespace is not None and event.namespace != namespace):
                    continue
                if matches(event.object):
                    _send(handler, {"type": event.type, "object": render(event.object)})
            if not events and chunks.client_gone(handler):
                return
        chunks.finish(handler)
    except (chunks.ClientGone, OSError):
        return
