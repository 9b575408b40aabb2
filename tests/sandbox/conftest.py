"""Fixtures for the Kubernetes sandbox tests: a fresh sandbox per test on a free loopback port,
a kubeconfig written by our own helper, the real kubectl and the official python client.

Pods start in 50 ms and the controller ticks every 20 ms, so rollouts finish in about a second.
"""

from __future__ import annotations

import itertools
import json
import os
import shutil
import subprocess
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes
import pytest

from sandbox.kubeconfig import write_kubeconfig
from sandbox.kubernetes import KubernetesSandbox

POD_START_DELAY = 0.05
TICK = 0.02

needs_kubectl = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


@pytest.fixture
def sandbox() -> Iterator[KubernetesSandbox]:
    server = KubernetesSandbox(pod_start_delay=POD_START_DELAY, tick=TICK).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kubeconfig(sandbox: KubernetesSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    path = write_kubeconfig(tmp_path / "kubeconfig", {"sandbox": sandbox.url})
    monkeypatch.setenv("KUBECONFIG", str(path))
    return path


Kubectl = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture
def kubectl(kubeconfig: Path, tmp_path: Path) -> Kubectl:
    """Run the real kubectl; each run gets a fresh cache so the dispatcher asks /version anew."""
    runs = itertools.count()

    def run(*args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        cache = tmp_path / f"kube-cache-{next(runs)}"
        command = ["kubectl", "--kubeconfig", str(kubeconfig), "--cache-dir", str(cache), *args]
        env = {**os.environ, "KUBECONFIG": str(kubeconfig)}
        # No deadline of its own: pytest-timeout ends a run that hangs.
        result = subprocess.run(command, capture_output=True, text=True, env=env, check=False)
        if check and result.returncode != 0:
            raise AssertionError(
                f"{' '.join(args)} exited {result.returncode}\n{result.stdout}\n{result.stderr}"
            )
        return result

    return run


@pytest.fixture
def api_client(kubeconfig: Path) -> Iterator[kubernetes.client.ApiClient]:
    client = kubernetes.config.new_client_from_config(
        config_file=str(kubeconfig), context="sandbox"
    )
    try:
        yield client
    finally:
        client.close()


@pytest.fixture
def apps(api_client: kubernetes.client.ApiClient) -> kubernetes.client.AppsV1Api:
    return kubernetes.client.AppsV1Api(api_client)


@pytest.fixture
def core(api_client: kubernetes.client.ApiClient) -> kubernetes.client.CoreV1Api:
    return kubernetes.client.CoreV1Api(api_client)


def wait_until(check: Callable[[], Any], what: str = "condition") -> Any:
    """Poll `check` until it returns something truthy, and return that.

    No deadline of its own, so a slow machine is never a failure: pytest-timeout ends a wait
    that never ends, and its traceback shows `what` was awaited.
    """
    while True:
        value = check()
        if value:
            return value
        time.sleep(0.02)


def as_json(result: subprocess.CompletedProcess[str]) -> Any:
    return json.loads(result.stdout)
