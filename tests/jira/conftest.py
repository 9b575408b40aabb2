"""Fixtures for Jira: the sandbox Jira seeded with the sample team's board, pycontribs/jira
pointed at it, and a whole Kuber behind the console whose KUBER_JIRA_* variables point at it
(its kuber.yaml and environment may be changed per test)."""

from __future__ import annotations

import socket
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import httpx
import jira as pycontribs_jira
import pytest
import yaml

from bot.runtime import Runtime, build_runtime
from sandbox.jira import JiraSandbox
from sandbox.kubernetes import KubernetesSandbox
from tests.sandboxes import sandbox_env
from tests.scenarios.conftest import Chat


@pytest.fixture
def jira() -> Iterator[JiraSandbox]:
    server = JiraSandbox().start()
    yield server
    server.stop()


@pytest.fixture
def client(jira: JiraSandbox) -> pycontribs_jira.JIRA:
    return pycontribs_jira.JIRA(
        jira.url, basic_auth=(jira.user, jira.token), max_retries=0, timeout=5
    )


def jira_env(server: JiraSandbox) -> dict[str, str]:
    return {
        "KUBER_JIRA_URL": server.url,
        "KUBER_JIRA_USER": server.user,
        "KUBER_JIRA_TOKEN": server.token,
    }


def state(server: JiraSandbox) -> dict[str, Any]:
    return dict(httpx.get(f"{server.url}/_sandbox/state").json())


def issue_state(server: JiraSandbox, key: str) -> dict[str, Any]:
    return next(i for i in state(server)["issues"] if i["key"] == key)


def calls(server: JiraSandbox, method: str | None = None, path: str = "") -> list[dict[str, Any]]:
    return [
        c
        for c in state(server)["calls"]
        if (method is None or c["method"] == method) and path in c["path"]
    ]


def closed_port_url() -> str:
    """The URL of a loopback port nothing listens on: Jira is down."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


ChatFactory = Callable[..., Chat]


@pytest.fixture
def make_chat(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], jira: JiraSandbox
) -> Iterator[ChatFactory]:
    """`make_chat(edit=..., auto_approve=..., with_jira=..., **env)`: Kuber as the console
    sees it, with the sample kuber.yaml changed by `edit` and the environment by `env`."""
    runtimes: list[Runtime] = []

    def make(
        *,
        edit: Callable[[dict[str, Any]], None] | None = None,
        auto_approve: bool = True,
        with_jira: bool = True,
        **env: str,
    ) -> Chat:
        pointing = jira_env(jira) if with_jira else {}
        values = sandbox_env(tmp_path, clusters, standup=True, **{**pointing, **env})
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
