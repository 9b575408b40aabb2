"""Calls made for a person carry their Kubernetes identity, and the cluster's refusal of that
person is told as theirs, not as a permission Kuber's account lacks."""

from __future__ import annotations

import threading
from datetime import UTC, datetime

import pytest

from bot.errors import NotAllowed, PermanentError
from integrations.kubernetes import ClusterRefused, DeploymentRef, Forbidden, KubernetesClusters
from integrations.kubernetes_identity import Identity, acting_as, current_identity
from sandbox.kubernetes import KubernetesSandbox

from .conftest import calls, journal_length, wait_until

ALICE = Identity("alice@example.com", ("payments-deployers", "oncall"))
BOB = Identity("bob@example.com", ("contractors",))
AS_ALICE = {"user": "alice@example.com", "groups": ["payments-deployers", "oncall"]}


@pytest.fixture(autouse=True)
def _no_leftover_refusals(sandbox: KubernetesSandbox) -> None:
    sandbox.clear_refusals()


def test_every_call_made_for_a_person_carries_their_user_and_each_group(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    before = journal_length(sandbox)
    with acting_as(ALICE):
        clusters.scale(DeploymentRef("sandbox", "default", "cart"), 3)
        clusters.history(DeploymentRef("sandbox", "default", "cart"))
    made = calls(sandbox, since=before)
    assert {c["method"] for c in made} == {"GET", "PATCH"}
    # One Impersonate-Group header per group, not one header with a list in it.
    assert [c.get("impersonate") for c in made] == [AS_ALICE] * len(made)


def test_calls_outside_a_scope_or_in_a_scope_of_nobody_carry_no_impersonation(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    before = journal_length(sandbox)
    clusters.get(DeploymentRef("sandbox", "default", "cart"))
    with acting_as(ALICE):
        with acting_as(None):  # Kuber's own work inside a person's command
            assert current_identity() is None
            clusters.list_deployments("sandbox")
        assert current_identity() == ALICE
    assert current_identity() is None
    assert [c.get("impersonate") for c in calls(sandbox, since=before)] == [None, None]


def test_following_a_rollout_watches_as_the_person_too(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    ref = DeploymentRef("sandbox", "default", "user-api")
    before = journal_length(sandbox)
    with acting_as(ALICE):
        clusters.restart(ref, datetime.now(UTC))
        result = clusters.follow_rollout(ref, timeout=20, check_every=0.2)
    assert result.done
    # The sandbox journals a watch when it ends, a moment after the client hangs up.
    wait_until(lambda: any(c.get("verb") == "watch" for c in calls(sandbox, since=before)))
    made = calls(sandbox, since=before)
    assert all(c.get("impersonate") == AS_ALICE for c in made)


def test_people_acting_at_once_in_other_threads_keep_their_own_identity(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    before = journal_length(sandbox)
    errors: list[BaseException] = []

    def read(identity: Identity, app: str) -> None:
        try:
            with acting_as(identity):
                for _ in range(5):
                    clusters.get(DeploymentRef("sandbox", "default", app))
        except BaseException as exc:  # reported below, in the test's own thread
            errors.append(exc)

    threads = [
        threading.Thread(target=read, args=(ALICE, "auth")),
        threading.Thread(target=read, args=(BOB, "frontend")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    seen = {
        (c["path"].rsplit("/", 1)[-1], c["impersonate"]["user"]) for c in calls(sandbox)[before:]
    }
    assert seen == {("auth", "alice@example.com"), ("frontend", "bob@example.com")}


def test_a_change_the_cluster_refuses_the_person_names_the_clusters_refusal(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    sandbox.refuse(user="alice@example.com", verbs=["patch"])
    before = journal_length(sandbox)
    with acting_as(ALICE), pytest.raises(ClusterRefused) as caught:
        clusters.scale(DeploymentRef("sandbox", "default", "order-service"), 4)
    error = caught.value
    assert isinstance(error, NotAllowed)  # the person may not; nothing for Kuber's admin to fix
    assert error.key == "k8s_cluster_refused"
    assert str(error) == (
        'The cluster sandbox refused alice@example.com: deployments.apps "order-service" is '
        'forbidden: User "alice@example.com" cannot patch resource "deployments/scale" in API '
        'group "apps" in the namespace "default"'
    )
    # A refusal is final: asked once, not retried; and nothing changed.
    assert [c["status"] for c in calls(sandbox, since=before) if c["method"] == "PATCH"] == [403]
    assert clusters.get(DeploymentRef("sandbox", "default", "order-service")).replicas != 4


def test_reads_refused_to_a_group_are_refused_to_its_members_only(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    sandbox.refuse(group="contractors", verbs=["get", "list"])
    ref = DeploymentRef("sandbox", "default", "cart")
    with acting_as(BOB), pytest.raises(ClusterRefused) as caught:
        clusters.get(ref)
    assert 'User "bob@example.com" cannot get resource "deployments"' in str(caught.value)
    assert str(caught.value).startswith("The cluster sandbox refused bob@example.com: ")
    with acting_as(ALICE):
        assert clusters.get(ref).ref.name == "cart"


def test_kubers_account_not_allowed_to_impersonate_is_kubers_missing_permission(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    # What a real API server answers when the caller lacks `impersonate` on users.
    message = (
        'users "alice@example.com" is forbidden: User "system:serviceaccount:kuber:kuber" '
        'cannot impersonate resource "users" in API group "" at the cluster scope'
    )
    body = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": "Forbidden",
        "details": {"name": "alice@example.com", "kind": "users"},
        "code": 403,
    }
    sandbox.inject("GET .*/deployments/cart$", 403, body=body)
    with acting_as(ALICE), pytest.raises(Forbidden) as caught:
        clusters.get(DeploymentRef("sandbox", "default", "cart"))
    error = caught.value
    assert isinstance(error, PermanentError)  # Kuber's to fix, not the person's
    assert error.key == "k8s_impersonation_forbidden"
    assert error.params["account"] == "system:serviceaccount:kuber:kuber"
    assert str(error).startswith(
        "Kuber's account (system:serviceaccount:kuber:kuber) may not act as alice@example.com "
        "on sandbox; grant it `impersonate` on users and groups in a ClusterRole."
    )


def test_without_impersonation_a_refusal_is_still_kubers_own_missing_permission(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    sandbox.refuse(user="kuber", verbs=["patch"], resources=["deployments/scale"])
    with pytest.raises(Forbidden) as caught:
        clusters.scale(DeploymentRef("sandbox", "default", "frontend"), 4)
    assert caught.value.key == "k8s_forbidden"
    assert caught.value.params["account"] == "kuber"


def test_groups_without_a_user_cannot_be_asked_for() -> None:
    with pytest.raises(ValueError, match="needs a user"):
        Identity("", ("payments-deployers",))
