"""Scenario fixtures: a whole Kuber (settings, store, dispatcher) behind the console adapter,
talking over HTTP to Kubernetes sandboxes, so a test reads like a chat; and the Slack and
Mattermost sandboxes, for the scenarios that serve them over HTTP."""

from __future__ import annotations

import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.chat.console import Console
from bot.messages import Actor
from bot.runtime import Runtime, build_runtime
from sandbox.kubernetes import KubernetesSandbox
from sandbox.mattermost import MattermostSandbox
from sandbox.slack import SlackSandbox
from tests.sandboxes import sandbox_env


@dataclass
class Chat:
    """Kuber as a person in the console sees it: say something, read the replies."""

    runtime: Runtime
    env: dict[str, str]
    auto_approve: bool = True
    consoles: dict[str, Console] = field(default_factory=dict)

    def console(self, user: str) -> Console:
        if user not in self.consoles:
            self.consoles[user] = Console(
                self.runtime.dispatcher,
                Actor(id=user, name=user),
                out=io.StringIO(),
                as_json=True,
                auto_approve=self.auto_approve,
            )
        return self.consoles[user]

    def say(self, text: str, *, user: str = "alice") -> list[dict[str, Any]]:
        return self.console(user).say(text)

    def click(self, action: str, value: str, *, user: str = "alice") -> list[dict[str, Any]]:
        return self.console(user).click(action, value)


def last_text(replies: list[dict[str, Any]]) -> str:
    assert replies, "Kuber said nothing"
    return str(replies[-1]["text"])


def all_text(replies: list[dict[str, Any]]) -> str:
    parts = []
    for reply in replies:
        parts.append(reply["text"])
        parts.extend(f"{f['label']}: {f['value']}" for f in reply["fields"])
        if reply.get("code"):
            parts.append(reply["code"])
        if reply.get("context"):
            parts.append(reply["context"])
    return "\n".join(parts)


@pytest.fixture
def chat(tmp_path: Path, clusters: dict[str, KubernetesSandbox]) -> Iterator[Chat]:
    env = sandbox_env(tmp_path, clusters, standup=True)  # the console: no timetable runs
    runtime = build_runtime(env)
    yield Chat(runtime, env)
    runtime.close()


@pytest.fixture
def slack() -> Iterator[SlackSandbox]:
    with SlackSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def mattermost() -> Iterator[MattermostSandbox]:
    with MattermostSandbox() as sandbox:
        yield sandbox


def deployment(server: KubernetesSandbox, name: str, namespace: str = "default") -> dict[str, Any]:
    """The Deployment as the sandbox's API returns it, read over HTTP."""
    response = httpx.get(f"{server.url}/apis/apps/v1/namespaces/{namespace}/deployments/{name}")
    response.raise_for_status()
    return dict(response.json())
