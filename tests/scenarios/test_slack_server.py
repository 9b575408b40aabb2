"""Slack end to end over HTTP: the Slack sandbox signs and sends, `kuber serve` verifies,
acknowledges, plans, acts on the Kubernetes sandbox and edits its message as it goes."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from bot.runtime import build_runtime
from bot.server import KuberServer
from sandbox.kubernetes import KubernetesSandbox
from sandbox.slack import SlackSandbox
from tests.sandboxes import eventually, sandbox_env, slack_settings
from tests.scenarios.conftest import deployment
from tests.scenarios.serving import running_server


def button(message: dict[str, Any], action_prefix: str) -> dict[str, Any] | None:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if str(element.get("action_id", "")).startswith(action_prefix):
                return dict(element)
    return None


@pytest.fixture
def served(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], slack: SlackSandbox
) -> Iterator[tuple[KuberServer, str]]:
    env = sandbox_env(tmp_path, clusters, **slack_settings(slack))
    runtime = build_runtime(env)
    with running_server(runtime) as running:
        yield running
    runtime.close()


def test_a_slash_command_is_planned_approved_and_followed(
    served: tuple[KuberServer, str], slack: SlackSandbox, clusters: dict[str, KubernetesSandbox]
) -> None:
    kuber, url = served
    started = time.monotonic()
    response = slack.send_slash_command(url + "/slack/events", "scale payment to 3")
    time.monotonic() - started
    assert response.status_code == 200

    plan = eventually(
        lambda: next((m for m in slack.messages("C0PAY") if button(m, "kuber_approve")), None)
    )
    assert plan["text"].startswith("Scale payment in sandbox/default from 2 to 3 replicas?")
    approve = button(plan, "kuber_approve")
    assert approve is not None
    assert deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 2

    clicked = slack.click_button(url + "/slack/events", approve["action_id"], message_ts=plan["ts"])
    assert clicked.status_code == 200
    eventually(lambda: deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 3)

    def final_text() -> str | None:
        message = next(m for m in slack.messages("C0PAY") if m["ts"] == plan["ts"])
        return message["text"] if message["text"].startswith("✅ Done") else None

    assert "scaling payment from 2 to 3" in eventually(final_text)
    edited = next(m for m in slack.messages("C0PAY") if m["ts"] == plan["ts"])
    # Queued edits merge (the channel allows about one call a second): at least one landed.
    assert len(edited["edits"]) >= 1
    assert kuber.outbox.drain(timeout=10)


def test_a_mention_that_cannot_be_stored_is_refused_so_that_slack_retries_it(
    served: tuple[KuberServer, str], slack: SlackSandbox
) -> None:
    kuber, url = served
    store = kuber.runtime.store
    # The inbox cannot take it (its table is away, as in a broken migration or a full disk).
    with store.engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE inbound_event RENAME TO inbound_event_away"))
    refused = slack.send_app_mention(url + "/slack/events", "status of cart", event_id="Ev0RETRY")
    assert refused.status_code == 500  # not 200: Slack must not consider it delivered
    with store.engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE inbound_event_away RENAME TO inbound_event"))
    # Slack's retry of the same event is taken and answered, once.
    retried = slack.send_app_mention(
        url + "/slack/events", "status of cart", event_id="Ev0RETRY", retry_num=1
    )
    assert retried.status_code == 200
    eventually(lambda: [m for m in slack.messages("C0PAY") if "cart in sandbox" in m["text"]])
    again = slack.send_app_mention(
        url + "/slack/events", "status of cart", event_id="Ev0RETRY", retry_num=2
    )
    assert again.status_code == 200  # a redelivery of what is stored: acknowledged, not redone
    slack.send_app_mention(url + "/slack/events", "status of payment")
    eventually(lambda: [m for m in slack.messages("C0PAY") if "payment in sandbox" in m["text"]])
    assert len([m for m in slack.messages("C0PAY") if "cart in sandbox" in m["text"]]) == 1


def test_an_app_mention_is_answered_in_its_thread(
    served: tuple[KuberServer, str], slack: SlackSandbox
) -> None:
    _kuber, url = served
    response = slack.send_app_mention(url + "/slack/events", "status of cart")
    assert response.status_code == 200
    reply = eventually(
        lambda: next(
            (m for m in slack.messages("C0PAY") if "cart in sandbox/default" in m.get("text", "")),
            None,
        )
    )
    assert reply.get("thread_ts")


@pytest.mark.parametrize("fault", ["forged signature", "stale timestamp"])
def test_unverified_requests_are_refused_and_execute_nothing(
    served: tuple[KuberServer, str],
    slack: SlackSandbox,
    clusters: dict[str, KubernetesSandbox],
    fault: str,
) -> None:
    _kuber, url = served
    if fault == "forged signature":
        forger = SlackSandbox(signing_secret="not-the-real-secret").start()
        try:
            response = forger.send_slash_command(url + "/slack/events", "scale payment to 4")
        finally:
            forger.stop()
    else:
        stale = int(time.time()) - 600
        response = slack.send_slash_command(
            url + "/slack/events", "scale payment to 4", timestamp=stale
        )
    assert response.status_code == 401
    time.sleep(0.3)
    assert slack.messages("C0PAY") == []
    assert deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 2
    metrics = httpx.get(url + "/metrics").text
    assert 'kuber_requests_refused_total{reason="bad signature or stale timestamp"' in metrics


def test_a_body_over_one_mebibyte_is_refused(served: tuple[KuberServer, str]) -> None:
    _kuber, url = served
    response = httpx.post(url + "/slack/events", content=b"x" * (1024 * 1024 + 1))
    assert response.status_code == 413
    assert "over 1 MiB" in response.json()["error"]


def test_health_and_readiness(served: tuple[KuberServer, str]) -> None:
    _kuber, url = served
    assert httpx.get(url + "/healthz").json() == {"status": "ok"}
    ready = httpx.get(url + "/readyz").json()
    assert ready["status"] == "ready"
    assert ready["database"] == "ok"


def test_a_chunked_body_over_one_mebibyte_is_refused(served: tuple[KuberServer, str]) -> None:
    _kuber, url = served

    def chunks() -> Iterator[bytes]:  # no Content-Length: the server must count
        for _ in range(20):
            yield b"x" * 65536

    response = httpx.post(url + "/slack/events", content=chunks())
    assert response.status_code == 413


def test_every_replica_is_ready_and_the_lease_moves_when_the_leader_stops(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], slack: SlackSandbox
) -> None:
    env = sandbox_env(tmp_path, clusters, **slack_settings(slack))
    first, second = build_runtime(env), build_runtime(env)
    with (
        running_server(first) as (leader, leader_url),
        running_server(second) as (standby, standby_url),
    ):
        # Both take requests; only one runs the background work.
        assert httpx.get(leader_url + "/readyz").json()["leader"] is True
        assert httpx.get(standby_url + "/readyz").status_code == 200
        assert httpx.get(standby_url + "/readyz").json()["leader"] is False
        assert leader.leadership.leading
        assert not standby.leadership.leading
        # The leader stops and releases its lease: the other replica leads at its next
        # renewal, without waiting for the lease to run out.
        leader.stop()
        assert httpx.get(leader_url + "/readyz").json() == {"status": "stopping"}
        eventually(lambda: standby.leadership.leading)
        assert httpx.get(standby_url + "/readyz").json()["leader"] is True
    first.close()
    second.close()
