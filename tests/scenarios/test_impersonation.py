"""Kuber acts in the cluster as the person it works for (kuber.yaml `kubernetes:`), so the
cluster's own RBAC judges them too, and its refusal is told to them in its own words."""

from __future__ import annotations

import io
import json
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import col, select

from bot.chat.console import ConsoleConversation
from bot.dispatch import ActionClick
from bot.errors import ConfigError
from bot.messages import Actor, Incoming
from bot.runtime import build_runtime
from bot.settings import load_config_file
from bot.store.tables import CommandRecord
from sandbox.kubernetes import KubernetesSandbox
from sandbox.launcher import CLUSTERS, kuber_yaml
from tests.sandboxes import eventually, sandbox_env
from tests.scenarios.conftest import deployment

ALICE = Actor("U0ALICE", "alice")  # the team's admin
BOB = Actor("U0BOB", "bob")  # a deployer
CAROL = Actor("U0CAROL", "carol")  # a viewer with no Kubernetes identity
AS_ALICE = {"user": "alice@example.com", "groups": ["payments-admins"]}
AS_BOB = {"user": "bob@example.com", "groups": ["payments-deployers", "oncall"]}
IDENTITIES = {
    "alice": {"user": "alice@example.com", "groups": ["payments-admins"]},
    "bob": {"user": "bob@example.com", "groups": ["payments-deployers", "oncall"]},
}


def env_with_identities(tmp_path: Path, clusters: dict[str, KubernetesSandbox]) -> dict[str, str]:
    env = sandbox_env(tmp_path, clusters)
    path = Path(env["KUBER_CONFIG"])
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    for person in config["people"]:
        if person["name"] in IDENTITIES:
            person["kubernetes"] = IDENTITIES[person["name"]]
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return env


def calls(server: KubernetesSandbox, since: int = 0) -> list[dict[str, Any]]:
    with urllib.request.urlopen(f"{server.url}/_sandbox/state", timeout=5) as response:
        return list(json.load(response)["calls"][since:])


def approve_value(replies: list[dict[str, Any]]) -> str:
    return str(next(b["value"] for b in replies[-1]["buttons"] if b["action"] == "approve"))


def test_a_persons_command_reaches_the_cluster_as_them_and_kubers_own_work_as_kuber(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = clusters["sandbox"]
    runtime = build_runtime(env_with_identities(tmp_path, clusters))
    chat = ConsoleConversation(io.StringIO(), as_json=True)
    dispatcher = runtime.dispatcher
    dispatcher.handle_message(Incoming("slack", "C0PAY", BOB, "scale cart to 3"), chat)
    asked = calls(sandbox)
    # App discovery is Kuber's own, shared by everyone: it acts as nobody.
    discovery = [c for c in asked if c["path"] == "/apis/apps/v1/deployments"]
    assert discovery
    assert all("impersonate" not in c for c in discovery)
    planning = [c for c in asked if c not in discovery]
    assert planning
    assert [c.get("impersonate") for c in planning] == [AS_BOB] * len(planning)

    before = len(asked)
    click = ActionClick("slack", "C0PAY", BOB, "approve", approve_value(chat.replies))
    dispatcher.handle_action(click, chat)
    assert chat.replies[-1]["text"].startswith("✅ Done: scaling cart from 2 to 3")
    applying = calls(sandbox, before)
    assert "patch" in {c.get("verb") for c in applying}
    assert [c.get("impersonate") for c in applying] == [AS_BOB] * len(applying)

    # Someone kuber.yaml gives no Kubernetes identity is served as Kuber's own account.
    before = len(calls(sandbox))
    dispatcher.handle_message(Incoming("slack", "C0PAY", CAROL, "status of cart"), chat)
    assert "cart in sandbox/default" in chat.replies[-1]["text"]
    # (The sandbox journals bob's last watch when it ends, which may be only now.)
    reading = [c for c in calls(sandbox, before) if c.get("verb") != "watch"]
    assert reading
    assert all("impersonate" not in c for c in reading)

    # The person, not the account: bob on Mattermost and at the console is bob in the cluster.
    for incoming in (
        Incoming("mattermost", "ch-payments", Actor("u-bob", "bob"), "status of cart"),
        Incoming("console", "console", Actor("bob", "bob"), "status of cart"),
    ):
        before = len(calls(sandbox))
        dispatcher.handle_message(incoming, chat)
        assert "cart in sandbox/default" in chat.replies[-1]["text"]
        reading = [c for c in calls(sandbox, before) if c.get("verb") != "watch"]
        assert reading
        assert [c.get("impersonate") for c in reading] == [AS_BOB] * len(reading)
    runtime.close()


def test_a_change_the_cluster_refuses_is_explained_as_the_clusters_refusal(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = clusters["sandbox"]
    # bob may read in the cluster but not change Deployments (say, a read-only RoleBinding).
    sandbox.refuse(user="bob@example.com", verbs=["patch", "update"])
    runtime = build_runtime(env_with_identities(tmp_path, clusters))
    chat = ConsoleConversation(io.StringIO(), as_json=True)
    runtime.dispatcher.handle_message(Incoming("slack", "C0PAY", BOB, "scale cart to 3"), chat)
    assert chat.replies[-1]["text"] == "Scale cart in sandbox/default from 2 to 3 replicas?"
    click = ActionClick("slack", "C0PAY", BOB, "approve", approve_value(chat.replies))
    runtime.dispatcher.handle_action(click, chat)
    failed = chat.replies[-1]
    assert failed["text"] == (
        'The cluster sandbox refused bob@example.com: deployments.apps "cart" is forbidden: '
        'User "bob@example.com" cannot patch resource "deployments/scale" in API group "apps" '
        'in the namespace "default"'
    )
    assert "Kuber's account" not in failed["text"]
    assert failed["edit"]  # the plan's own message says how it ended
    assert deployment(sandbox, "cart")["spec"]["replicas"] == 2
    with runtime.store.session() as session:  # the audit log calls it what it was
        record = session.exec(select(CommandRecord).order_by(col(CommandRecord.id).desc())).first()
    assert record is not None
    assert (record.decision, record.intent) == ("refused", "scale")
    # The plan is finished, and the app is free for the next change.
    runtime.dispatcher.handle_message(Incoming("slack", "C0PAY", ALICE, "scale cart to 4"), chat)
    click = ActionClick("slack", "C0PAY", ALICE, "approve", approve_value(chat.replies))
    runtime.dispatcher.handle_action(click, chat)
    assert chat.replies[-1]["text"].startswith("✅ Done: scaling cart from 2 to 4")
    runtime.close()


def test_reads_the_cluster_refuses_are_refused_likewise(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = clusters["sandbox"]
    # Refused to a group: whoever Kuber acts for in it may not read Deployments there.
    sandbox.refuse(group="oncall", verbs=["get", "list"], resources=["deployments"])
    runtime = build_runtime(env_with_identities(tmp_path, clusters))
    chat = ConsoleConversation(io.StringIO(), as_json=True)
    for text in ("status of cart", "scale cart to 3"):
        runtime.dispatcher.handle_message(Incoming("slack", "C0PAY", BOB, text), chat)
        answer = chat.replies[-1]
        assert answer["text"] == (
            'The cluster sandbox refused bob@example.com: deployments.apps "cart" is forbidden: '
            'User "bob@example.com" cannot get resource "deployments" in API group "apps" in '
            'the namespace "default"'
        )
        assert answer["buttons"] == []
    # alice is not in the group: the same question is answered.
    runtime.dispatcher.handle_message(Incoming("slack", "C0PAY", ALICE, "status of cart"), chat)
    assert "cart in sandbox/default" in chat.replies[-1]["text"]
    runtime.close()


@pytest.fixture
def slow_clusters() -> Iterator[dict[str, KubernetesSandbox]]:
    """Pods take a while to start, so a rollout is still going when its follower stops."""
    servers = {
        name: KubernetesSandbox(cluster_name=name, pod_start_delay=1.0, tick=0.05).start()
        for name in CLUSTERS
    }
    yield servers
    for server in servers.values():
        server.stop()


def test_a_rollout_resumed_by_another_replica_is_followed_as_the_person_who_approved_it(
    tmp_path: Path, slow_clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = slow_clusters["sandbox"]
    env = env_with_identities(tmp_path, slow_clusters)
    first = build_runtime(env)
    chat = ConsoleConversation(io.StringIO(), as_json=True)
    first.dispatcher.handle_message(Incoming("slack", "C0PAY", BOB, "deploy payment 9.9.9"), chat)
    value = approve_value(chat.replies)
    # This replica is stopping: it makes the change, stops following at its first look, and
    # hands the plan back for the next leader.
    first.dispatcher.interrupt.set()
    before = len(calls(sandbox))
    first.dispatcher.handle_action(ActionClick("slack", "C0PAY", ALICE, "approve", value), chat)
    assert first.dispatcher.hand_back_plans() == 1
    first.close()
    applied = calls(sandbox, before)
    assert "patch" in {c.get("verb") for c in applied}
    # The change was approved, so made, as alice: the person who decided the plan.
    assert [c.get("impersonate") for c in applied] == [AS_ALICE] * len(applied)

    second = build_runtime(env)
    # Taken as soon as the handed-back claim is in the past by the database's clock.
    resumed = eventually(second.dispatcher.claim_abandoned_plans)
    assert [p.decided_by_id for p in resumed] == [ALICE.id]
    before = len(calls(sandbox))
    later = ConsoleConversation(io.StringIO(), as_json=True)
    second.dispatcher.resume(resumed[0], later)
    assert later.replies[-1]["text"].startswith("✅ Done")
    following = [c for c in calls(sandbox, before) if c["path"] != "/apis/apps/v1/deployments"]
    assert "list" in {c.get("verb") for c in following}
    assert [c.get("impersonate") for c in following] == [AS_ALICE] * len(following)
    second.close()


@pytest.mark.parametrize(
    ("identity", "error"),
    [
        (
            {"groups": ["payments-deployers"]},
            "people[1].kubernetes: user: required (the API server impersonates "
            "groups only for a user)",
        ),
        ({}, "people[1].kubernetes: user: required, or leave out `kubernetes:`"),
        ({"user": "bob", "group": ["x"]}, "people[1].kubernetes.group: unknown key"),
        (
            {"user": "bob\nImpersonate-User: system:admin"},
            "people[1].kubernetes.user: 'bob\\nImpersonate-User: system:admin' is not "
            "a usable Kubernetes name",
        ),
        ({"user": "bob", "groups": ["a", "a"]}, "kubernetes: groups: a group is named twice"),
    ],
)
def test_kuber_yaml_refuses_an_identity_the_cluster_could_not_use(
    tmp_path: Path, identity: dict[str, Any], error: str
) -> None:
    config = kuber_yaml()
    config["people"][1]["kubernetes"] = identity
    path = tmp_path / "kuber.yaml"
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_config_file(path)
    assert error in str(caught.value)
