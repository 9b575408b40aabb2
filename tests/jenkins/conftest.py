"""Fixtures for builds: the sandbox Jenkins with the sample jobs (builds of about a second, a
short quiet period), python-jenkins pointed at it, and a whole Kuber behind the console whose
KUBER_JENKINS_* variables point at it (its kuber.yaml may be edited per test)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import jenkins as python_jenkins
import pytest
import yaml

from bot.runtime import Runtime, build_runtime
from sandbox.jenkins import JenkinsSandbox
from sandbox.kubernetes import KubernetesSandbox
from sandbox.launcher import jenkins_jobs
from tests.sandboxes import sandbox_env
from tests.scenarios.conftest import Chat

BUILD_SECONDS = 1.0
QUIET_SECONDS = 0.1


def start_jenkins(**options: Any) -> JenkinsSandbox:
    """The sandbox Jenkins of `kuber sandbox`, with quick builds unless told otherwise."""
    options.setdefault("build_duration", BUILD_SECONDS)
    options.setdefault("quiet_period", QUIET_SECONDS)
    options.setdefault("tick", 0.02)
    server = JenkinsSandbox(**options)
    server.add_folder("payments")
    for spec in jenkins_jobs():
        server.add_job(spec)
    return server.start()


@pytest.fixture
def jenkins() -> Iterator[JenkinsSandbox]:
    server = start_jenkins()
    yield server
    server.stop()


@pytest.fixture
def client(jenkins: JenkinsSandbox) -> python_jenkins.Jenkins:
    return python_jenkins.Jenkins(jenkins.url, jenkins.user, jenkins.token, timeout=5)


def jenkins_env(server: JenkinsSandbox) -> dict[str, str]:
    return {
        "KUBER_JENKINS_URL": server.url,
        "KUBER_JENKINS_USER": server.user,
        "KUBER_JENKINS_TOKEN": server.token,
    }


def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on: Jenkins is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


ChatFactory = Callable[..., Chat]


@pytest.fixture
def make_chat(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], jenkins: JenkinsSandbox
) -> Iterator[ChatFactory]:
    """`make_chat(edit=..., auto_approve=..., **env)`: Kuber as the console sees it, with the
    sample kuber.yaml changed by `edit` and the environment by `env`."""
    runtimes: list[Runtime] = []

    def make(
        *,
        edit: Callable[[dict[str, Any]], None] | None = None,
        auto_approve: bool = True,
        **env: str,
    ) -> Chat:
        values = sandbox_env(tmp_path, clusters, **{**jenkins_env(jenkins), **env})
        if edit is not None:
            path = Path(values["KUBER_CONFIG"])
            config = yaml.safe_load(path.read_text(encoding="utf-8"))
            edit(config)
            path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
        runtime = build_runtime(values)
        runtimes.append(runtime)
        return Chat(runtime, values, auto_approve=auto_approve)

    yield make
    for runtime in runtimes:
        runtime.close()


@pytest.fixture
def chat(make_chat: ChatFactory) -> Chat:
    return make_chat()
