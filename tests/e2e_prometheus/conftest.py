"""The real Prometheus and Alertmanager of Debian's packages, on loopback, for the SLO tests.

One stack per test session: a test exporter serving counters and a histogram with a high
error ratio, Prometheus scraping it every second and evaluating the rules `kuber slo rules
--window-scale` prints, Alertmanager (clustering off) with the shipped configuration, and a
webhook receiver that keeps what Alertmanager sends. Without the binaries the tests skip,
except in CI (`CI` set), where they fail: there the set-up must have installed them.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from tests.sandboxes import eventually

ROOT = Path(__file__).resolve().parents[2]
#: 1/60: the 5m window is 5 seconds, 1h one minute, the 30-day period 12 hours.
WINDOW_SCALE = "1/60"
#: Generous: the stack is usually ready, and an alert delivered, within a few seconds.
PATIENCE = 90.0
WEBHOOK_TOKEN = "token-alertmanager-sends-to-kuber"

#: The exporter's traffic: requests per second, the share failing, and the share answered
#: within 0.1s and within 0.3s (the latency SLO's threshold).
REQUESTS_PER_SECOND = 100
ERROR_SHARE = 0.1
WITHIN_100MS, WITHIN_300MS = 0.3, 0.5

KUBER_YAML = """
apps:
  - name: payment
slos:
  - name: payment-availability
    app: payment
    objective: 0.999
    error_query: http_requests_total{app="payment", code=~"5.."}
    total_query: http_requests_total{app="payment"}
  - name: payment-latency
    app: payment
    objective: 0.99
    latency_query: http_request_duration_seconds{app="payment"}
    latency_threshold_seconds: 0.3
"""


def binary(name: str) -> str:
    """The path of `name`; skip without it, but fail in CI, whose set-up installs it."""
    path = shutil.which(name)
    if path is not None:
        return path
    reason = f"{name} is not installed (scripts/install-debian-packages.sh, run by make test)"
    if os.environ.get("CI"):
        pytest.fail(f"{reason}, and CI must run these tests")
    pytest.skip(reason)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def kuber_slo_rules(config: Path, *extra: str) -> str:
    """What `kuber slo rules` prints for `config`, run as a person runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBER_")}
    env["KUBER_CONFIG"] = str(config)
    done = subprocess.run(
        [sys.executable, "-m", "bot.cli", "slo", "rules", *extra],
        capture_output=True,
        text=True,
        cwd=ROOT,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def run_tool(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=False)


# -- servers of our own: the exporter and the webhook receiver ---------------------------------
class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        pass


class Exporter:
    """Serves `/metrics` for the app payment: counters that grow with time, so every scrape
    sees REQUESTS_PER_SECOND more requests, ERROR_SHARE of them failed."""

    def __init__(self) -> None:
        self.started = time.monotonic()
        exporter = self

        class Handler(_Quiet):
            def do_GET(self) -> None:
                body = exporter.exposition().encode()
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; version=0.0.4")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.address = f"127.0.0.1:{self.server.server_address[1]}"

    def exposition(self) -> str:
        total = int((time.monotonic() - self.started) * REQUESTS_PER_SECOND) + 1
        errors = int(total * ERROR_SHARE)
        fast, within = int(total * WITHIN_100MS), int(total * WITHIN_300MS)
        app = 'app="payment"'
        # Bounds written as Python's client writes them (`1.0`), not as Go's (`1`).
        return "\n".join(
            [
                "# TYPE http_requests_total counter",
                f'http_requests_total{{{app},code="200"}} {total - errors}',
                f'http_requests_total{{{app},code="500"}} {errors}',
                "# TYPE http_request_duration_seconds histogram",
                f'http_request_duration_seconds_bucket{{{app},le="0.1"}} {fast}',
                f'http_request_duration_seconds_bucket{{{app},le="0.3"}} {within}',
                f'http_request_duration_seconds_bucket{{{app},le="1.0"}} {total}',
                f'http_request_duration_seconds_bucket{{{app},le="+Inf"}} {total}',
                f"http_request_duration_seconds_sum{{{app}}} {total * 0.4}",
                f"http_request_duration_seconds_count{{{app}}} {total}",
                "",
            ]
        )


@dataclass
class Delivery:
    headers: dict[str, str]
    payload: dict[str, Any]


@dataclass
class Receiver:
    """Takes Alertmanager's webhook posts, as Kuber's `/alertmanager/webhook` would."""

    deliveries: list[Delivery] = field(default_factory=list)

    def __post_init__(self) -> None:
        receiver = self

        class Handler(_Quiet):
            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length", 0))
                payload = json.loads(self.rfile.read(length))
                receiver.deliveries.append(Delivery(dict(self.headers.items()), payload))
                self.send_response(200)
                self.send_header("Content-Length", "0")
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/alertmanager/webhook"

    def alerts(self) -> list[tuple[Delivery, dict[str, Any]]]:
        return [(d, alert) for d in list(self.deliveries) for alert in d.payload["alerts"]]


def serving(server: ThreadingHTTPServer) -> threading.Thread:
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    return thread


# -- the real servers ----------------------------------------------------------------------------
@dataclass
class Process:
    """A server process of ours: its address, its log, and a stop that always waits."""

    name: str
    url: str
    log: Path
    popen: subprocess.Popen[bytes]

    def log_text(self) -> str:
        return self.log.read_text(encoding="utf-8", errors="replace")[-4000:]

    def wait_ready(self) -> None:
        def ready() -> bool:
            if self.popen.poll() is not None:
                raise AssertionError(
                    f"{self.name} exited {self.popen.returncode}:\n{self.log_text()}"
                )
            try:
                return httpx.get(f"{self.url}/-/ready", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        eventually(ready, timeout=PATIENCE)

    def stop(self) -> None:
        if self.popen.poll() is None:
            self.popen.terminate()
            try:
                self.popen.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.popen.kill()
                self.popen.wait()


def start(name: str, argv: list[str], port: int, workdir: Path) -> Process:
    log = workdir / f"{name}.log"
    with log.open("wb") as out:
        popen = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, cwd=workdir)
    process = Process(name, f"http://127.0.0.1:{port}", log, popen)
    try:
        process.wait_ready()
    except BaseException:
        process.stop()
        raise
    return process


@dataclass
class Stack:
    prometheus: Process
    alertmanager: Process
    receiver: Receiver
    exporter: Exporter
    rules: str


def alertmanager_config(receiver_url: str, token_file: Path) -> dict[str, Any]:
    """The shipped deploy/alertmanager/alertmanager.yml, pointed at the test's receiver and
    with its waits shortened; everything else as shipped."""
    config = yaml.safe_load((ROOT / "deploy/alertmanager/alertmanager.yml").read_text())
    config["route"].update(group_wait="1s", group_interval="1s")
    (webhook,) = config["receivers"][0]["webhook_configs"]
    webhook["url"] = receiver_url
    webhook["http_config"]["authorization"]["credentials_file"] = str(token_file)
    return dict(config)


@pytest.fixture(scope="session")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Stack]:
    prometheus_bin, alertmanager_bin = binary("prometheus"), binary("prometheus-alertmanager")
    workdir = tmp_path_factory.mktemp("prometheus-stack")

    exporter, receiver = Exporter(), Receiver()
    threads = [serving(exporter.server), serving(receiver.server)]
    processes: list[Process] = []
    try:
        token_file = workdir / "webhook-token"
        token_file.write_text(WEBHOOK_TOKEN)
        (workdir / "alertmanager.yml").write_text(
            yaml.safe_dump(alertmanager_config(receiver.url, token_file))
        )
        am_port = free_port()
        alertmanager = start(
            "alertmanager",
            [
                alertmanager_bin,
                f"--config.file={workdir / 'alertmanager.yml'}",
                f"--storage.path={workdir / 'alertmanager-data'}",
                f"--web.listen-address=127.0.0.1:{am_port}",
                "--cluster.listen-address=",  # a single Alertmanager: no gossip port
            ],
            am_port,
            workdir,
        )
        processes.append(alertmanager)

        (workdir / "kuber.yaml").write_text(KUBER_YAML)
        rules = kuber_slo_rules(workdir / "kuber.yaml", "--window-scale", WINDOW_SCALE)
        (workdir / "slo-rules.yml").write_text(rules)
        prometheus_config = {
            "global": {"scrape_interval": "1s", "evaluation_interval": "1s"},
            "rule_files": ["slo-rules.yml"],
            "alerting": {
                "alertmanagers": [{"static_configs": [{"targets": [f"127.0.0.1:{am_port}"]}]}]
            },
            "scrape_configs": [
                {"job_name": "payment", "static_configs": [{"targets": [exporter.address]}]}
            ],
        }
        (workdir / "prometheus.yml").write_text(yaml.safe_dump(prometheus_config))
        prom_port = free_port()
        prometheus = start(
            "prometheus",
            [
                prometheus_bin,
                f"--config.file={workdir / 'prometheus.yml'}",
                f"--storage.tsdb.path={workdir / 'prometheus-data'}",
                f"--web.listen-address=127.0.0.1:{prom_port}",
                # Links in alerts (generatorURL) lead here rather than to the host's name.
                f"--web.external-url=http://127.0.0.1:{prom_port}",
            ],
            prom_port,
            workdir,
        )
        processes.append(prometheus)
        yield Stack(prometheus, alertmanager, receiver, exporter, rules)
    finally:
        for process in reversed(processes):
            process.stop()
        for server in (exporter.server, receiver.server):
            server.shutdown()
            server.server_close()
        for thread in threads:
            thread.join()
