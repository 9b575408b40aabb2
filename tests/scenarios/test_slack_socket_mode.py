"""Slack end to end over Socket Mode: `kuber serve` opens the link itself with the app-level
token, the Slack sandbox pushes commands, mentions and clicks down it as envelopes, Kuber
acknowledges each, acts on the Kubernetes sandbox and answers through the Web API (the outbox),
as a team without a public URL would use it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from structlog.testing import capture_logs

from bot.runtime import build_runtime
from bot.server import KuberServer
from sandbox.kubernetes import KubernetesSandbox
from sandbox.slack import SlackSandbox
from tests.sandboxes import eventually, sandbox_env, slack_settings
from tests.scenarios.conftest import deployment
from tests.scenarios.serving import running_server
from tests.scenarios.test_slack_server import button


def socket_env(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], slack: SlackSandbox, app_token: str
) -> dict[str, str]:
    return sandbox_env(tmp_path, clusters, **slack_settings(slack), KUBER_SLACK_APP_TOKEN=app_token)


@pytest.fixture
def served(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], slack: SlackSandbox
) -> Iterator[tuple[KuberServer, str]]:
    runtime = build_runtime(socket_env(tmp_path, clusters, slack, slack.app_token))
    with running_server(runtime) as running:
        slack.wait_socket_connected()
        yield running
    runtime.close()


def api_calls(slack: SlackSandbox, method: str) -> list[dict[str, Any]]:
    return [c for c in slack.state_snapshot()["calls"] if c.get("api_method") == method]


def test_a_slash_command_through_the_socket_is_planned_approved_and_followed(
    served: tuple[KuberServer, str], slack: SlackSandbox, clusters: dict[str, KubernetesSandbox]
) -> None:
    kuber, _url = served
    command = slack.socket_slash_command("scale payment to 3")
    acknowledged = slack.wait_acked(command)
    assert acknowledged["acked_at"] - acknowledged["sent_at"] < 1.0
    # The acknowledgement carries the ephemeral "On it", shown to the person only.
    assert acknowledged["response"]["text"] == "On it: `scale payment to 3`"
    assert [e["text"] for e in slack.state()["ephemeral"]] == ["On it: `scale payment to 3`"]

    plan = eventually(
        lambda: next((m for m in slack.messages("C0PAY") if button(m, "kuber_approve")), None)
    )
    assert plan["text"].startswith("Scale payment in sandbox/default from 2 to 3 replicas?")
    assert deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 2
    approve = button(plan, "kuber_approve")
    assert approve is not None

    click = slack.socket_click_button(approve["action_id"], message_ts=plan["ts"])
    slack.wait_acked(click)
    eventually(lambda: deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 3)

    def final_text() -> str | None:
        message = next(m for m in slack.messages("C0PAY") if m["ts"] == plan["ts"])
        return message["text"] if message["text"].startswith("✅ Done") else None

    assert "scaling payment from 2 to 3" in eventually(final_text)
    assert kuber.outbox.drain(timeout=10)
    # Everything came down the one link; nothing was posted to Kuber over HTTP, and each
    # request was acknowledged at its first attempt.
    assert slack.deliveries == []
    assert len(api_calls(slack, "apps.connections.open")) == 1
    envelopes = slack.state()["socket_mode"]["envelopes"]
    assert [(e["type"], e["outcome"], e["attempt"]) for e in envelopes] == [
        ("slash_commands", "acked", 0),
        ("interactive", "acked", 0),
    ]


def test_an_app_mention_through_the_socket_is_answered_in_its_thread(
    served: tuple[KuberServer, str], slack: SlackSandbox
) -> None:
    mention = slack.socket_app_mention("status of cart")
    assert slack.wait_acked(mention)["response"] is None
    asked = next(m for m in slack.messages("C0PAY") if "status of cart" in m["text"])
    reply = eventually(
        lambda: next(
            (m for m in slack.messages("C0PAY") if "cart in sandbox/default" in m["text"]),
            None,
        )
    )
    assert reply["thread_ts"] == asked["ts"]
    assert reply["user"] == "U0KUBER"


def test_an_event_sent_again_is_answered_once(
    served: tuple[KuberServer, str], slack: SlackSandbox
) -> None:
    kuber, _url = served
    first = slack.socket_app_mention("status of cart", event_id="Ev0SAME")
    slack.wait_acked(first)
    asked = next(m for m in slack.messages("C0PAY") if "status of cart" in m["text"])
    event = slack.envelopes(first)[0]["payload"]["event"]
    # Slack sends an event again when it saw no acknowledgement: same event id, new envelope.
    again = slack.socket_event(event, event_id="Ev0SAME")
    slack.wait_acked(again)
    eventually(lambda: any("cart in sandbox/default" in m["text"] for m in slack.messages("C0PAY")))
    assert kuber.outbox.drain(timeout=10)
    replies = [m for m in slack.messages("C0PAY") if m.get("thread_ts") == asked["ts"]]
    assert len([m for m in replies if m["user"] == "U0KUBER"]) == 1


def test_a_wrong_app_token_is_refused_logged_and_http_still_serves(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], slack: SlackSandbox
) -> None:
    wrong = "xapp-1-not-the-app-token"
    runtime = build_runtime(socket_env(tmp_path, clusters, slack, wrong))
    with capture_logs() as logs, running_server(runtime) as (_kuber, url):
        opened = eventually(lambda: api_calls(slack, "apps.connections.open"))
        refusal = eventually(
            lambda: next((e for e in logs if e["event"].startswith("slack socket mode")), None)
        )
        # HTTP mode is untouched: a signed slash command still gets its answer.
        response = slack.send_slash_command(url + "/slack/events", "status of cart")
        assert response.status_code == 200
        eventually(
            lambda: any("cart in sandbox/default" in m["text"] for m in slack.messages("C0PAY"))
        )
    runtime.close()
    assert len(opened) == 1
    assert refusal["log_level"] == "error"
    assert refusal["event"] == "slack socket mode not connected; serving HTTP only"
    assert refusal["error"] == "invalid_auth"
    assert slack.socket_connections() == 0
    assert slack.state()["socket_mode"]["tickets_issued"] == 0
    assert wrong not in str(logs)
    assert wrong not in str(slack.state())
