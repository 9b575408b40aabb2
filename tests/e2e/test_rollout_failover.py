"""A rollout is being followed when the replica following it is killed or stopped: the other
replica takes the plan over, follows the rollout to its end, finishes the message and frees
the app."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import select

from bot.store import open_store
from bot.store.tables import OperationLock, PendingAction
from sandbox.kubernetes import KubernetesSandbox
from sandbox.launcher import CLUSTERS
from sandbox.slack import SlackSandbox
from tests.e2e.replicas import replicas
from tests.e2e.test_replicas import bot_messages, has_approve_button, kuber_env
from tests.sandboxes import eventually

pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.timeout(600)]


@pytest.fixture
def slow_clusters() -> Iterator[dict[str, KubernetesSandbox]]:
    """Pods take seconds to start, so a rollout is still going when its follower dies."""
    servers = {
        name: KubernetesSandbox(cluster_name=name, pod_start_delay=4.0, tick=0.1).start()
        for name in CLUSTERS
    }
    yield servers
    for server in servers.values():
        server.stop()


@pytest.mark.parametrize("stopped_by", ["SIGKILL", "SIGTERM"])
def test_the_next_leader_finishes_a_rollout_whose_follower_stopped(
    stopped_by: str,
    tmp_path: Path,
    slow_clusters: dict[str, KubernetesSandbox],
    slack: SlackSandbox,
    postgres_url: str,
) -> None:
    env = kuber_env(tmp_path, slow_clusters, slack, postgres_url)
    store = open_store(postgres_url)
    with ExitStack() as cleanup:
        cleanup.callback(store.dispose)
        running = cleanup.enter_context(replicas({"a": env, "b": env}, tmp_path))
        a, b = running["a"], running["b"]
        eventually(lambda: a.leads() or b.leads())
        leader, survivor = (a, b) if a.leads() else (b, a)

        typed = slack.send_slash_command(leader.url + "/slack/events", "deploy payment 9.9.9")
        assert typed.status_code == 200
        plan = eventually(
            lambda: next((m for m in bot_messages(slack, "C0PAY") if has_approve_button(m)), None)
        )
        approve = approve_button(plan)
        clicked = slack.click_button(
            leader.url + "/slack/events", approve["action_id"], message_ts=plan["ts"]
        )
        assert clicked.status_code == 200

        def plan_row() -> PendingAction:
            with store.session() as session:
                return session.exec(select(PendingAction)).one()

        # Applied, and now followed by the leader that took the click ...
        following = eventually(lambda: plan_row().status == "applying" and plan_row())
        assert following.owner is not None
        rolling = slow_clusters["sandbox"].deployment("payment")
        assert rolling is not None
        assert rolling["spec"]["template"]["spec"]["containers"][0]["image"].endswith(":9.9.9")
        # ... which dies mid-rollout, or is stopped as Kubernetes stops a pod: then it stops
        # following, hands the plan back and releases its lease, and exits cleanly.
        if stopped_by == "SIGKILL":
            leader.kill()
        else:
            leader.stop()
            stopped = leader.log.read_text()
            assert "handing the rollout over to the next leader" in stopped
            assert "claims handed back" in stopped

        # The other replica takes the plan over and follows the rollout to its end.
        done = eventually(lambda: plan_row().status == "done" and plan_row(), timeout=120)
        assert done.owner is None

        def final_text() -> str | None:
            message = next(m for m in slack.messages("C0PAY") if m["ts"] == plan["ts"])
            return str(message["text"]) if message["text"].startswith("✅ Done") else None

        assert "payment" in eventually(final_text, timeout=60)
        with store.session() as session:
            assert session.exec(select(OperationLock)).all() == []
        assert survivor.leads()
        assert "resuming a rollout another replica was following" in survivor.log.read_text()


def approve_button(message: dict[str, Any]) -> dict[str, Any]:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if str(element.get("action_id", "")).startswith("kuber_approve"):
                return dict(element)
    raise AssertionError("the plan has no Approve button")
