"""Running `kuber serve`'s app for real: uvicorn on a free loopback port, in a thread."""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

import uvicorn

from bot.runtime import Runtime
from bot.server import KuberServer


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def running_server(runtime: Runtime, port: int | None = None) -> Iterator[tuple[KuberServer, str]]:
    kuber = KuberServer(runtime)
    port = port or free_port()
    config = uvicorn.Config(kuber.app, host="127.0.0.1", port=port, log_config=None, lifespan="on")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("kuber serve did not start")
        time.sleep(0.02)
    try:
        yield kuber, f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=20)
