"""`help` through `kuber serve` is shown to the person who asked and to nobody else: on Slack
(an @mention and the slash command) it never enters the channel's history, on Mattermost it
reaches only the asker's websocket. In the console (one person, no platform user) it is an
ordinary reply."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from slack_sdk import WebClient
from websockets.sync.client import connect

from bot.runtime import build_runtime
from bot.server import KuberServer
from sandbox.kubernetes import KubernetesSandbox
from sandbox.mattermost import MattermostSandbox
from sandbox.slack import SlackSandbox
from tests.sandboxes import eventually, mattermost_settings, sandbox_env, slack_settings
from tests.scenarios.conftest import Chat
from tests.scenarios.serving import free_port, running_server

HELP_TITLE = "Here is what you can ask me:"


@pytest.fixture
def slack_served(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], slack: SlackSandbox
) -> Iterator[tuple[KuberServer, str]]:
    runtime = build_runtime(sandbox_env(tmp_path, clusters, **slack_settings(slack)))
    with running_server(runtime) as running:
        yield running
    runtime.close()


def history(slack: SlackSandbox, channel: str) -> list[dict[str, Any]]:
    """The channel as anyone in it reads it back, through the Web API."""
    client = WebClient(token=slack.bot_token, base_url=slack.url + "/api/")
    return list(client.conversations_history(channel=channel, limit=200)["messages"])


def help_shown_to(slack: SlackSandbox, user: str) -> dict[str, Any] | None:
    return next(
        (m for m in slack.ephemeral_seen_by(user) if m["text"].startswith(HELP_TITLE)), None
    )


def test_help_asked_by_mention_in_a_slack_channel_is_seen_only_by_the_asker(
    slack_served: tuple[KuberServer, str], slack: SlackSandbox
) -> None:
    kuber, url = slack_served
    assert slack.send_app_mention(url + "/slack/events", "help").status_code == 200

    shown = eventually(lambda: help_shown_to(slack, "U0ALICE"))
    assert kuber.outbox.drain(timeout=10)
    assert (shown["channel"], shown["seen_by"]) == ("C0PAY", ["U0ALICE"])
    # Its content: the groups of commands, the examples and the asker's role.
    content = json.dumps(shown["blocks"], ensure_ascii=False)
    assert "Workloads (Kubernetes)" in content
    assert "Show what I can do" in content
    assert "Your role:" in content
    # Answered beside the mention, not in a thread nobody has opened (Slack would show an
    # ephemeral message in a thread without replies to no one).
    assert shown.get("thread_ts") is None

    # The channel holds Alice's mention and nothing of Kuber's; Bob saw nothing.
    (only,) = history(slack, "C0PAY")
    assert only["user"] == "U0ALICE"
    assert "help" in only["text"]
    assert slack.ephemeral_seen_by("U0BOB") == []


def test_help_by_slash_command_leaves_the_slack_channel_empty(
    slack_served: tuple[KuberServer, str], slack: SlackSandbox
) -> None:
    kuber, url = slack_served
    answer = slack.send_slash_command(url + "/slack/events", "help", user_id="U0BOB")
    assert answer.status_code == 200

    shown = eventually(lambda: help_shown_to(slack, "U0BOB"))
    assert kuber.outbox.drain(timeout=10)
    assert "Your role:" in json.dumps(shown["blocks"], ensure_ascii=False)
    assert history(slack, "C0PAY") == []
    assert help_shown_to(slack, "U0ALICE") is None
    # Bob saw the acknowledgement and the help itself, both for him alone.
    assert [m["text"].split(":")[0] for m in slack.ephemeral_seen_by("U0BOB")] == [
        "On it",
        HELP_TITLE.rstrip(":"),
    ]


@pytest.fixture
def mattermost_served(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], mattermost: MattermostSandbox
) -> Iterator[tuple[KuberServer, str]]:
    port = free_port()
    settings = mattermost_settings(mattermost, f"http://127.0.0.1:{port}")
    runtime = build_runtime(sandbox_env(tmp_path, clusters, **settings))
    with running_server(runtime, port) as running:
        yield running
    runtime.close()


def test_help_in_mattermost_reaches_only_the_askers_client(
    mattermost_served: tuple[KuberServer, str], mattermost: MattermostSandbox
) -> None:
    kuber, url = mattermost_served
    ws_url = mattermost.url.replace("http://", "ws://") + "/api/v4/websocket"
    carol = {"Authorization": f"Bearer {mattermost.user_token('u-carol')}"}
    with connect(ws_url, additional_headers=carol) as client:
        assert json.loads(client.recv(timeout=5))["event"] == "hello"
        response = mattermost.send_slash_command(
            url + "/mattermost/command", "help", user_id="u-carol"
        )
        assert response.status_code == 200
        eventually(
            lambda: any(
                p["message"].startswith(HELP_TITLE) for p in mattermost.ephemeral_seen_by("u-carol")
            )
        )
        assert kuber.outbox.drain(timeout=10)
        received = []
        while True:
            try:
                received.append(json.loads(client.recv(timeout=0.3)))
            except TimeoutError:
                break

    pushed = [json.loads(e["data"]["post"]) for e in received if e["event"] == "ephemeral_message"]
    (help_post,) = [p for p in pushed if p["message"].startswith(HELP_TITLE)]
    assert "Workloads (Kubernetes)" in json.dumps(help_post["props"], ensure_ascii=False)
    assert help_post["channel_id"] == "ch-payments"
    # Nothing of it among the channel's posts, and nobody else was shown it.
    assert [p for p in mattermost.posts("ch-payments") if p["user_id"] == "u-kuber"] == []
    assert {p["for_user"] for p in mattermost.state()["ephemeral"]} == {"u-carol"}


def test_help_in_the_console_is_an_ordinary_reply(chat: Chat) -> None:
    (reply,) = chat.say("help")
    assert reply["text"] == HELP_TITLE
    assert any(f["label"] == "Workloads (Kubernetes)" for f in reply["fields"])


def test_a_refusal_is_shown_only_to_the_person_refused(
    slack_served: tuple[KuberServer, str], slack: SlackSandbox
) -> None:
    kuber, url = slack_served
    # carol is a viewer of the payments team: she may look, not change.
    typed = slack.send_slash_command(url + "/slack/events", "scale payment to 5", user_id="U0CAROL")
    assert typed.status_code == 200
    refused = eventually(
        lambda: next(
            (
                m
                for m in slack.ephemeral_seen_by("U0CAROL")
                if "needs the operator role" in m["text"]
            ),
            None,
        )
    )
    assert refused["seen_by"] == ["U0CAROL"]
    assert kuber.outbox.drain(timeout=10)
    assert history(slack, "C0PAY") == []
