"""Fixtures for the Kubernetes client tests: real sandbox API servers on loopback, reached over
HTTP through a kubeconfig, exactly as Kuber reaches a cluster. Nothing is mocked.

Each module gets its own sandbox with tiny pod delays; tests that change a Deployment pick an
app no other test in the module touches, so they do not depend on order.
"""

from __future__ import annotations

import json
import time
import urllib.request
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from integrations.kubernetes import KubernetesClusters
from sandbox.kubeconfig import write_kubeconfig
from sandbox.kubernetes import KubernetesSandbox

POD_START_DELAY = 0.05
TICK = 0.02


def start_sandbox(cluster_name: str = "sandbox") -> KubernetesSandbox:
    return KubernetesSandbox(
        pod_start_delay=POD_START_DELAY, tick=TICK, cluster_name=cluster_name
    ).start()


@pytest.fixture(scope="module")
def sandbox() -> Iterator[KubernetesSandbox]:
    server = start_sandbox()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture(autouse=True)
def _no_leftover_faults(request: pytest.FixtureRequest) -> Iterator[None]:
    yield
    if "sandbox" in request.fixturenames:
        request.getfixturevalue("sandbox").clear_faults()


@pytest.fixture(scope="module")
def kubeconfig(sandbox: KubernetesSandbox, tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("kube") / "config"
    return write_kubeconfig(path, {"sandbox": sandbox.url})


@pytest.fixture(scope="module")
def clusters(kubeconfig: Path) -> Iterator[KubernetesClusters]:
    with KubernetesClusters(kubeconfig=str(kubeconfig), request_timeout=5.0) as client:
        yield client


def calls(server: KubernetesSandbox, *, since: int = 0) -> list[dict[str, Any]]:
    """The journal as `GET /_sandbox/state` serves it, from entry `since` on."""
    with urllib.request.urlopen(f"{server.url}/_sandbox/state", timeout=5) as response:
        state = json.load(response)
    return list(state["calls"][since:])


def journal_length(server: KubernetesSandbox) -> int:
    return len(calls(server))


def wait_until(check: Callable[[], bool], timeout: float = 10.0, what: str = "condition") -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.02)
