"""The stand-up digest on the team's timetable: posted once when due, and when a new leader
runs the same due time again (the old one died at the scheduled minute), still once."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from slack_sdk import WebClient

from bot.runtime import build_runtime
from bot.schedule import Timetable
from bot.server import KuberServer
from bot.standup_schedule import standup_jobs
from sandbox.kubernetes import KubernetesSandbox
from sandbox.slack import SlackSandbox
from tests.sandboxes import eventually, sandbox_env, slack_settings

# Friday 2026-11-27 09:30 in Seoul, the sample team's stand-up time.
DUE = datetime(2026, 11, 27, 0, 30, tzinfo=UTC)


def history(slack: SlackSandbox) -> list[dict[str, Any]]:
    client = WebClient(token=slack.bot_token, base_url=slack.url + "/api/")
    return list(client.conversations_history(channel="C0PAY", limit=50)["messages"])


def test_a_due_digest_is_posted_once_even_when_a_new_leader_runs_it_again(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], slack: SlackSandbox
) -> None:
    runtime = build_runtime(sandbox_env(tmp_path, clusters, standup=True, **slack_settings(slack)))
    server = KuberServer(runtime)
    outbox = server.outbox
    jobs = standup_jobs(runtime, outbox.enqueue_post, tuple(outbox.transports))
    assert [job.name for job in jobs] == ["standup/payments"]

    def at(moment: datetime) -> Timetable:
        return Timetable(jobs, clock=lambda: moment)

    assert at(DUE + timedelta(seconds=1)).tick() == 1  # the first leader, on time
    assert at(DUE + timedelta(minutes=3)).tick() == 1  # a new leader, within the grace
    assert at(DUE + timedelta(hours=5)).tick() == 0  # much later: not again

    def delivered() -> list[dict[str, Any]]:
        outbox.deliver_once()
        return (
            [m for m in history(slack) if "payments" in m["text"]]
            if not outbox.pending_count()
            else []
        )

    [digest] = eventually(delivered)
    assert len(history(slack)) == 1
    assert digest["user"] == "U0KUBER"
    runtime.close()
