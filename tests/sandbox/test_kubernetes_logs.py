"""Pod logs as the kubelet serves them: a healthy container logs a request every two seconds
for as long as it runs, rotation keeps the newest lines, and `follow=true` keeps the answer
open, sending each line as it is written until the pod goes or the client hangs up."""

from __future__ import annotations

import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import pytest
from kubernetes import client

from sandbox.kubernetes import KubernetesSandbox
from sandbox.kubernetes_pods import KEPT_LINES

from .conftest import needs_kubectl, wait_until

Core = client.CoreV1Api


@pytest.fixture
def http(sandbox: KubernetesSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url) as session:
        yield session


def _pod(core: Core, app: str) -> str:
    return str(
        core.list_namespaced_pod("default", label_selector=f"app={app}").items[0].metadata.name
    )


def _stamp(line: str) -> datetime:
    return datetime.fromisoformat(line.split(" ", 1)[0])


def test_a_long_running_container_shows_its_newest_lines(core: Core) -> None:
    full = core.read_namespaced_pod_log(_pod(core, "cart"), "default").splitlines()
    assert len(full) == KEPT_LINES
    assert all(line.startswith("INFO  ") for line in full)
    recent = core.read_namespaced_pod_log(_pod(core, "cart"), "default", since_seconds=10)
    assert 1 <= len(recent.splitlines()) <= 6  # a line every two seconds


def test_follow_sends_lines_as_they_are_written_until_the_pod_goes(
    http: httpx.Client, core: Core
) -> None:
    name = _pod(core, "user-api")
    url = f"/api/v1/namespaces/default/pods/{name}/log"
    params = {"follow": "true", "tailLines": "1", "timestamps": "true"}
    with http.stream("GET", url, params=params) as stream:
        assert stream.headers["transfer-encoding"] == "chunked"
        lines = stream.iter_lines()
        last = next(lines)  # the newest line when we asked: tailLines=1
        written_later = next(lines)
        # Only a stream that stays open can deliver a line written after the request.
        assert _stamp(written_later) > _stamp(last)
        assert "INFO  " in written_later
        core.delete_namespaced_pod(name, "default")
        rest = list(lines)  # the server ends the stream once the pod is gone
    assert all(_stamp(line) >= _stamp(written_later) for line in rest)


def test_without_follow_the_answer_ends_at_once(http: httpx.Client, core: Core) -> None:
    name = _pod(core, "auth")
    answer = http.get(f"/api/v1/namespaces/default/pods/{name}/log", params={"tailLines": "2"})
    assert answer.headers["content-length"] == str(len(answer.content))
    assert len(answer.text.splitlines()) == 2


def test_follow_of_a_crashed_container_ends_with_its_log(
    http: httpx.Client, core: Core, apps: client.AppsV1Api
) -> None:
    image = "registry.example.com/frontend:2.0.0-crash"
    patch = {"spec": {"template": {"spec": {"containers": [{"name": "frontend", "image": image}]}}}}
    apps.patch_namespaced_deployment("frontend", "default", patch)

    def crashed() -> str | None:
        for pod in core.list_namespaced_pod("default", label_selector="app=frontend").items:
            statuses = pod.status.container_statuses or []
            if statuses and statuses[0].image == image and statuses[0].restart_count >= 1:
                return str(pod.metadata.name)
        return None

    name = wait_until(crashed, what="a crashed frontend pod")
    url = f"/api/v1/namespaces/default/pods/{name}/log"
    followed = http.get(url, params={"follow": "true"})  # returns: the container is not running
    assert "Traceback (most recent call last):" in followed.text


@needs_kubectl
def test_kubectl_logs_follow_streams_until_the_pod_is_deleted(
    kubeconfig: Path, tmp_path: Path, core: Core
) -> None:
    name = _pod(core, "order-service")
    command = ["kubectl", "--kubeconfig", str(kubeconfig), "--cache-dir", str(tmp_path / "c")]
    with subprocess.Popen(
        [*command, "logs", "-f", "--tail=1", "--timestamps", name],
        stdout=subprocess.PIPE,
        text=True,
    ) as follow:
        assert follow.stdout is not None
        try:
            last = follow.stdout.readline()
            written_later = follow.stdout.readline()
            assert _stamp(written_later) > _stamp(last)
            core.delete_namespaced_pod(name, "default")
            follow.stdout.read()  # kubectl exits when the server ends the stream
            assert follow.wait() == 0
        finally:
            follow.kill()
