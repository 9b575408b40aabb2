"""The alert storm's load generator, run in a process of its own so that it shares no
interpreter lock with the server it measures nor with the Slack sandbox.

It reads a job (JSON): the webhook URL and headers, the bodies to POST in order, how many
concurrent clients (threads, each with one keep-alive connection), and optionally signed Slack
slash commands to POST at an interval while the storm runs. It writes what it saw (JSON): the
storm's wall time, each acknowledgement's latency and status. It judges nothing.
Run: `python bench/storm_load.py JOB.json OUT.json`.
"""

from __future__ import annotations

import http.client
import itertools
import json
import sys
import threading
import time
from collections import Counter
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sandbox.slack_events import signed_headers


class Client:
    """One keep-alive HTTP/1.1 connection, reopened after an error, as a webhook sender keeps."""

    def __init__(self, url: str, timeout: float = 30.0) -> None:
        parts = urlsplit(url)
        self.host = parts.hostname or "127.0.0.1"
        self.port = parts.port or 80
        self.path = parts.path or "/"
        self.timeout = timeout
        self.connection: http.client.HTTPConnection | None = None

    def post(self, body: bytes, headers: dict[str, str]) -> tuple[int, float]:
        """(status, seconds); status 0 when the request failed before an answer."""
        started = time.perf_counter()
        try:
            if self.connection is None:
                self.connection = http.client.HTTPConnection(
                    self.host, self.port, timeout=self.timeout
                )
            self.connection.request("POST", self.path, body=body, headers=headers)
            response = self.connection.getresponse()
            response.read()
            status = response.status
            if response.getheader("connection", "").lower() == "close":
                self.close()
        except (OSError, http.client.HTTPException):
            self.close()
            status = 0
        return status, time.perf_counter() - started

    def close(self) -> None:
        if self.connection is not None:
            self.connection.close()
            self.connection = None


def run(job: dict[str, Any]) -> dict[str, Any]:
    headers = {"Content-Type": "application/json", **job.get("headers", {})}
    bodies = [b.encode() for b in job["bodies"]]
    warmup = [b.encode() for b in job.get("warmup", [])]
    clients = [Client(job["url"]) for _ in range(int(job["clients"]))]
    for index, body in enumerate(warmup):
        clients[index % len(clients)].post(body, headers)

    latencies: list[float] = [0.0] * len(bodies)
    statuses: list[int] = [0] * len(bodies)
    next_index = itertools.count()
    storm_over = threading.Event()

    def send(client: Client) -> None:
        while True:
            index = next(next_index)
            if index >= len(bodies):
                return
            statuses[index], latencies[index] = client.post(bodies[index], headers)

    slash = job.get("slash")
    slash_latencies: list[float] = []
    slash_statuses: Counter[int] = Counter()

    def type_commands() -> None:
        assert slash is not None
        client = Client(slash["url"], timeout=10.0)
        forms = [f.encode() for f in slash["forms"]]
        interval = float(slash["interval"])
        for form in forms:
            due = time.perf_counter() + interval
            signed = signed_headers(slash["secret"], form, "application/x-www-form-urlencoded")
            status, seconds = client.post(form, signed)
            slash_statuses[status] += 1
            slash_latencies.append(seconds)
            # At least one command per storm, however short; then only while it lasts.
            if storm_over.wait(max(0.0, due - time.perf_counter())):
                break
        client.close()

    threads = [threading.Thread(target=send, args=(c,)) for c in clients]
    typist = threading.Thread(target=type_commands) if slash and slash["forms"] else None
    started = time.perf_counter()
    if typist is not None:
        typist.start()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.perf_counter() - started
    storm_over.set()
    if typist is not None:
        typist.join()
    for client in clients:
        client.close()
    return {
        "elapsed_s": elapsed,
        "requests": len(bodies),
        "latencies_ms": [round(s * 1000, 3) for s in latencies],
        "statuses": dict(Counter(statuses)),
        "slash_latencies_ms": [round(s * 1000, 3) for s in slash_latencies],
        "slash_statuses": dict(slash_statuses),
    }


def main() -> int:
    job_path, out_path = Path(sys.argv[1]), Path(sys.argv[2])
    job = json.loads(job_path.read_text(encoding="utf-8"))
    outcome = run(job)
    out_path.write_text(json.dumps(outcome), encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
