"""A role holds on the person's own team's ground: its apps, namespaces and clusters.

Two teams share the sandbox: payments owns the seeded apps (in `default`), search owns the
`staging` namespace. Each person is tried in and out of their team's scope, on Slack,
Mattermost and the console, and a refusal must name what is missing and change nothing.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.chat.console import ConsoleConversation
from bot.dispatch import ActionClick
from bot.messages import Actor, Incoming
from bot.runtime import Runtime, build_runtime
from sandbox.kubernetes import KubernetesSandbox
from sandbox.kubernetes_seed import new_deployment
from tests.sandboxes import sandbox_env
from tests.scenarios.conftest import deployment

DANA_ON_SLACK = Actor("U0DANA", "dana")  # admin of search, nobody in payments
CAROL_ON_MATTERMOST = Actor("u-carol", "carol")  # viewer in payments, operator in search
BOB_ON_SLACK = Actor("U0BOB", "bob")  # deployer in payments
ALICE_ON_SLACK = Actor("U0ALICE", "alice")  # admin in payments
EVE_ON_SLACK = Actor("U0EVE", "eve")  # named nowhere


def two_teams(tmp_path: Path, clusters: dict[str, KubernetesSandbox], **policy: Any) -> Runtime:
    env = sandbox_env(tmp_path, clusters)
    path = Path(env["KUBER_CONFIG"])
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["people"].append({"name": "dana", "slack": "U0DANA", "mattermost": "u-dana"})
    config["apps"].append({"name": "indexer", "team": "search", "namespace": "staging"})
    config["teams"][0]["namespaces"] = ["default"]
    config["teams"].append(
        {
            "name": "search",
            "channels": {"slack": "C0SEARCH", "mattermost": "ch-search"},
            "namespaces": ["staging"],
            "members": [{"name": "dana", "role": "admin"}, {"name": "carol", "role": "operator"}],
        }
    )
    config["policy"].update(policy)
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    indexer = new_deployment("indexer", "staging", "registry.example.com/indexer:2.1.0")
    for server in clusters.values():
        url = f"{server.url}/apis/apps/v1/namespaces/staging/deployments"
        if httpx.get(f"{url}/indexer").status_code == 404:
            httpx.post(url, json=indexer).raise_for_status()
    return build_runtime(env)


class Room:
    """One channel as its people use it, through the dispatcher as the platforms call it."""

    def __init__(self, runtime: Runtime, platform: str, channel: str) -> None:
        self.runtime = runtime
        self.platform = platform
        self.channel = channel
        self.conversation = ConsoleConversation(io.StringIO(), as_json=True)

    def say(self, actor: Actor, text: str) -> dict[str, Any]:
        before = len(self.conversation.replies)
        incoming = Incoming(self.platform, self.channel, actor, text)
        self.runtime.dispatcher.handle_message(incoming, self.conversation)
        replies = self.conversation.replies[before:]
        assert replies, f"Kuber said nothing to {text!r}"
        return replies[-1]

    def click(self, actor: Actor, action: str, value: str) -> dict[str, Any]:
        before = len(self.conversation.replies)
        click = ActionClick(self.platform, self.channel, actor, action, value)
        self.runtime.dispatcher.handle_action(click, self.conversation)
        return self.conversation.replies[before:][-1]


def approve_value(reply: dict[str, Any]) -> str:
    return str(next(b["value"] for b in reply["buttons"] if b["action"] == "approve"))


@pytest.fixture
def runtime(tmp_path: Path, clusters: dict[str, KubernetesSandbox]) -> Any:
    runtime = two_teams(tmp_path, clusters)
    yield runtime
    runtime.close()


def test_an_admin_of_another_team_may_neither_read_nor_change_payments_apps(
    runtime: Runtime, clusters: dict[str, KubernetesSandbox]
) -> None:
    room = Room(runtime, "slack", "C0SEARCH")
    for asked in ("status of payment", "logs payment", "scale payment to 5"):
        refused = room.say(DANA_ON_SLACK, asked)
        assert refused["text"] == (
            "sandbox/default belongs to payments; only its members may see or change it there."
        )
    assert deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 2
    # On her own ground she is an admin.
    overview = room.say(DANA_ON_SLACK, "status in namespace staging")
    assert "sandbox/staging" in overview["text"]


def test_a_person_has_the_role_of_the_team_that_owns_the_target(
    runtime: Runtime, clusters: dict[str, KubernetesSandbox]
) -> None:
    """carol is an operator in search but a viewer in payments: she may scale search's
    indexer, and only look at payment."""
    payments = Room(runtime, "mattermost", "ch-payments")
    refused = payments.say(CAROL_ON_MATTERMOST, "scale payment to 4")
    assert refused["text"] == (
        "In sandbox/default your role is viewer; this needs the operator role there."
    )
    read = payments.say(CAROL_ON_MATTERMOST, "status of payment")
    assert "payment in sandbox/default is healthy" in read["text"]
    # An app belongs to its team wherever it runs: cart in search's namespace is payments'.
    refused = payments.say(CAROL_ON_MATTERMOST, "restart cart in namespace staging")
    assert refused["text"] == (
        "In sandbox/staging your role is viewer; this needs the operator role there."
    )

    search = Room(runtime, "mattermost", "ch-search")
    plan = search.say(CAROL_ON_MATTERMOST, "scale indexer to 4")
    assert search.click(Actor("u-dana", "dana"), "approve", approve_value(plan))
    assert deployment(clusters["sandbox"], "indexer", "staging")["spec"]["replicas"] == 4
    assert deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 2


def test_protected_namespaces_nobody_owns_are_for_admins_only(runtime: Runtime) -> None:
    console = Room(runtime, "console", "console")
    refused = console.say(Actor("bob", "bob"), "logs coredns in namespace kube-system")
    assert refused["text"] == (
        "sandbox/kube-system is protected and no team of yours owns it: only an admin may see "
        "or change it."
    )
    # An admin gets as far as the cluster (which has no coredns here).
    looked = console.say(Actor("alice", "alice"), "logs coredns in namespace kube-system")
    assert looked["text"].startswith("No app coredns") or "coredns" in looked["text"]
    assert "protected" not in looked["text"]


def test_someone_no_team_lists_may_not_read_a_teams_apps_unless_reads_are_open(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    closed = two_teams(tmp_path / "closed", clusters)
    room = Room(closed, "slack", "C0PAY")
    assert "belongs to payments" in room.say(EVE_ON_SLACK, "status of payment")["text"]
    closed.close()

    opened = two_teams(tmp_path / "open", clusters, open_reads=True)
    room = Room(opened, "slack", "C0PAY")
    read = room.say(EVE_ON_SLACK, "status of payment")
    assert "payment in sandbox/default is healthy" in read["text"]
    refused = room.say(EVE_ON_SLACK, "scale payment to 3")
    assert refused["text"] == (
        "Your role here is viewer; this change needs the operator role. Ask a team admin to "
        "give it to you in kuber.yaml."
    )
    opened.close()


def test_an_admin_of_another_team_cannot_approve_a_protected_change(
    runtime: Runtime, clusters: dict[str, KubernetesSandbox]
) -> None:
    room = Room(runtime, "slack", "C0PAY")
    plan = room.say(BOB_ON_SLACK, "scale payment to 3 on cluster prod")
    value = approve_value(plan)
    refused = room.click(DANA_ON_SLACK, "approve", value)
    assert refused["text"] == (
        "prod/default belongs to payments; only its members may see or change it there."
    )
    assert deployment(clusters["prod"], "payment")["spec"]["replicas"] == 2
    room.click(ALICE_ON_SLACK, "approve", value)
    assert deployment(clusters["prod"], "payment")["spec"]["replicas"] == 3
