"""`POST /jenkins/notify` through `kuber serve`: the sandbox Jenkins' Notification plugin
reports a red build nobody started from chat, and the team reads it once in Slack."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from slack_sdk import WebClient

from bot.runtime import build_runtime
from sandbox.jenkins import JenkinsSandbox
from sandbox.kubernetes import KubernetesSandbox
from sandbox.slack import SlackSandbox
from tests.jenkins.conftest import start_jenkins
from tests.jenkins.test_notify import build
from tests.sandboxes import eventually, sandbox_env, slack_settings
from tests.scenarios.serving import free_port, running_server

TOKEN = "webhook-token-for-tests"


@pytest.fixture
def slack() -> Iterator[SlackSandbox]:
    with SlackSandbox() as sandbox:
        yield sandbox


def history(slack: SlackSandbox) -> list[dict[str, Any]]:
    client = WebClient(token=slack.bot_token, base_url=slack.url + "/api/")
    return list(client.conversations_history(channel="C0PAY", limit=50)["messages"])


def test_a_red_build_of_main_reaches_the_teams_channel_once(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], slack: SlackSandbox
) -> None:
    port = free_port()
    env = sandbox_env(tmp_path, clusters, **slack_settings(slack), KUBER_WEBHOOK_TOKEN=TOKEN)
    runtime = build_runtime(env)
    url = f"http://127.0.0.1:{port}/jenkins/notify"
    jenkins: JenkinsSandbox = start_jenkins(
        notify_url=url, notify_headers={"Authorization": f"Bearer {TOKEN}"}
    )
    try:
        with running_server(runtime, port):
            number = build(jenkins, "cart-build", {"BRANCH": "main-fail"})

            def reported() -> list[dict[str, Any]]:
                return [m for m in history(slack) if f"Build #{number} of cart" in m["text"]]

            [message] = eventually(reported)
            assert "FAILURE" in message["text"]
            # Unauthenticated notifications change nothing.
            refused = httpx.post(url, json={"name": "cart-build", "build": {}})
            assert refused.status_code == 401
            assert len(reported()) == 1
    finally:
        jenkins.stop()
        runtime.close()
