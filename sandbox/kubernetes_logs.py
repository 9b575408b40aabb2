"""`logs --follow`: the pod's log so far, then each new line as the container writes it.

The stream ends when the followed container stops (a crash, a restart), when the pod goes,
when the client hangs up or when the sandbox stops, as the kubelet's does. It reads the store
only and never holds its lock while writing to the socket.
"""

from __future__ import annotations

import time
from http.server import BaseHTTPRequestHandler
from typing import Any

from . import kubernetes_chunks as chunks
from .kubernetes_pods import LogUnavailable, PodClock, container_log, render_log
from .kubernetes_store import ObjectStore

Obj = dict[str, Any]
#: How often a quiet stream checks on its pod and its client.
IDLE_CHECK = 0.25


def stream_log(
    handler: BaseHTTPRequestHandler,
    store: ObjectStore,
    pod: Obj,
    clock: PodClock,
    *,
    first: str,
    cut_at: float,
    options: dict[str, Any],
) -> None:
    """Send `first` (the log up to `cut_at`, as asked), then every line written after it."""
    meta = pod["metadata"]
    followed = container_log(
        pod, clock, cut_at, container=options["container"], previous=False
    ).instance
    sent_until = cut_at
    chunks.start(handler, "text/plain")
    try:
        chunks.send(handler, first.encode())
        while not store.closed:
            current = store.get("Pod", meta["namespace"], meta["name"])
            if current is None or current["metadata"]["uid"] != meta["uid"]:
                break  # the pod is gone
            now = time.time()
            try:
                log = container_log(
                    current, clock, now, container=options["container"], previous=False
                )
            except LogUnavailable:
                break
            if log.instance != followed:
                break  # the followed container ended; a new one writes another log
            text = render_log(
                log.lines, after=sent_until, until=now, timestamps=options["timestamps"]
            )
            chunks.send(handler, text.encode())
            sent_until = now
            if log.next_at is None:
                break  # the container has stopped writing
            if chunks.client_gone(handler):
                return
            store.wait(max(min(IDLE_CHECK, log.next_at - now), 0.001))
        chunks.finish(handler)
    except (chunks.ClientGone, OSError):
        return
