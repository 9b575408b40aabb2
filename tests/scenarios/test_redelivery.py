"""Slack's redelivery of an event is answered once, whichever replica it reaches: the inbox
keeps each event id as a unique key in the PostgreSQL database the replicas share."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.runtime import build_runtime
from bot.store.tables import InboundEvent
from sandbox.kubernetes import KubernetesSandbox
from sandbox.slack import SlackSandbox
from tests.sandboxes import eventually, sandbox_env, slack_settings
from tests.scenarios.serving import running_server

pytestmark = pytest.mark.postgres


def bot_messages(slack: SlackSandbox, channel: str, thread_ts: str) -> list[dict[str, Any]]:
    """What Kuber posted in the thread of the message at `thread_ts`."""
    return [
        m
        for m in slack.messages(channel)
        if m.get("bot_id") and (m.get("thread_ts") == thread_ts or m["ts"] == thread_ts)
    ]


def test_an_event_redelivered_to_another_replica_is_answered_once(
    tmp_path: Path,
    clusters: dict[str, KubernetesSandbox],
    slack: SlackSandbox,
    postgres_url: str,
) -> None:
    env = sandbox_env(
        tmp_path,
        clusters,
        KUBER_DATABASE_URL=postgres_url,
        **slack_settings(slack),
    )
    first, second = build_runtime(env), build_runtime(env)
    try:
        with (
            running_server(first) as (one, first_url),
            running_server(second) as (other, second_url),
        ):
            # Slack delivers a mention to one replica; its acknowledgement is lost on the way, so
            # Slack sends the same event id again, and its load balancer picks the other replica.
            delivered = slack.send_app_mention(
                first_url + "/slack/events", "status of cart", event_id="Ev0REDELIVERED"
            )
            assert delivered.status_code == 200
            mention = slack.deliveries[-1]["event"]
            retried = slack.send_event(
                second_url + "/slack/events", mention, event_id="Ev0REDELIVERED", retry_num=1
            )
            assert retried.status_code == 200  # acknowledged, so Slack stops retrying

            answered = eventually(lambda: bot_messages(slack, "C0PAY", mention["ts"]))
            assert "cart in sandbox/default" in answered[0]["text"]

            # A later command through the replica that got the retry, answered in turn, is the
            # positive signal that the retry had its chance to be answered too.
            later = slack.send_app_mention(second_url + "/slack/events", "status of payment")
            assert later.status_code == 200
            later_id, later_ts = (
                slack.deliveries[-1]["event_id"],
                slack.deliveries[-1]["event"]["ts"],
            )
            eventually(lambda: bot_messages(slack, "C0PAY", later_ts))

            # Each event was stored once, by whichever replica took it first, and all work is done
            # and sent: a second answer to the redelivered mention would be in the channel by now.
            def settled() -> list[InboundEvent] | None:
                with first.store.session() as session:
                    rows = list(session.exec(select(InboundEvent)).all())
                return rows if all(row.status == "done" for row in rows) else None

            stored = eventually(settled)
            assert sorted(str(row.dedupe_key) for row in stored) == sorted(
                ["slack:Ev0REDELIVERED", f"slack:{later_id}"]
            )
            leader = one if one.leadership.leading else other
            assert leader.outbox.drain()
            assert len(bot_messages(slack, "C0PAY", mention["ts"])) == 1
    finally:
        first.close()
        second.close()
