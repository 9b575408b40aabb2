"""Mattermost end to end over HTTP through `kuber serve`: slash command, plan posted by the
bot through the outbox, a signed button click, the rollout, the edited post."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from bot.runtime import build_runtime
from bot.server import KuberServer
from sandbox.kubernetes import KubernetesSandbox
from sandbox.mattermost import MattermostSandbox
from tests.sandboxes import eventually, mattermost_settings, sandbox_env
from tests.scenarios.conftest import deployment
from tests.scenarios.serving import free_port, running_server


@pytest.fixture
def served(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], mattermost: MattermostSandbox
) -> Iterator[tuple[KuberServer, str]]:
    port = free_port()
    env = sandbox_env(
        tmp_path, clusters, **mattermost_settings(mattermost, f"http://127.0.0.1:{port}")
    )
    runtime = build_runtime(env)
    with running_server(runtime, port) as running:
        yield running
    runtime.close()


def bot_posts(sandbox: MattermostSandbox) -> list[dict[str, Any]]:
    return [p for p in sandbox.posts("ch-payments") if p["user_id"] == "u-kuber"]


def test_a_slash_command_is_planned_approved_and_followed(
    served: tuple[KuberServer, str],
    mattermost: MattermostSandbox,
    clusters: dict[str, KubernetesSandbox],
) -> None:
    _kuber, url = served
    started = time.monotonic()
    response = mattermost.send_slash_command(url + "/mattermost/command", "scale cart to 3")
    time.monotonic() - started
    assert response.status_code == 200

    plan = eventually(lambda: next(iter(bot_posts(mattermost)), None))
    assert plan["message"].startswith("Scale cart in sandbox/default from 2 to 3 replicas?")
    click = mattermost.click_post_action(plan["id"], "approve0", user_id="u-alice")
    assert click.status_code == 200
    eventually(lambda: deployment(clusters["sandbox"], "cart")["spec"]["replicas"] == 3)

    def final() -> dict[str, Any] | None:
        post = next(p for p in mattermost.posts("ch-payments") if p["id"] == plan["id"])
        return post if post["message"].startswith("✅ Done") else None

    done = eventually(final)
    assert "scaling cart from 2 to 3" in done["message"]
    assert done["edited_count"] >= 1


def test_a_wrong_token_and_a_tampered_click_execute_nothing(
    served: tuple[KuberServer, str],
    mattermost: MattermostSandbox,
    clusters: dict[str, KubernetesSandbox],
) -> None:
    _kuber, url = served
    refused = mattermost.send_slash_command(
        url + "/mattermost/command", "scale cart to 5", token="not-the-command-token"
    )
    assert refused.status_code == 401

    mattermost.send_slash_command(url + "/mattermost/command", "scale cart to 5")
    plan = eventually(lambda: next(iter(bot_posts(mattermost)), None))
    context = plan["props"]["attachments"][0]["actions"][0]["integration"]["context"]
    tampered = mattermost.click_button(
        url + "/mattermost/actions",
        {**context, "value": "someone-elses-plan"},
        post_id=plan["id"],
    )
    assert tampered.status_code == 401
    time.sleep(0.3)
    assert deployment(clusters["sandbox"], "cart")["spec"]["replicas"] == 2
    metrics = httpx.get(url + "/metrics").text
    for route in ("/mattermost/command", "/mattermost/actions"):
        counted = f'kuber_requests_answered_4xx_total{{route="{route}",status="401"}} 1.0'
        assert counted in metrics
