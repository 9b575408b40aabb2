"""Reading Deployments, revisions and pods from a sandbox cluster, and refusing bad input."""

from __future__ import annotations

import json
import urllib.request

import pytest

from bot.errors import UserError
from integrations.kubernetes import (
    AppNotFound,
    DeploymentRef,
    InvalidInput,
    KubernetesClusters,
    ObjectNotFound,
    UnknownCluster,
    retag,
)
from sandbox.kubernetes import KubernetesSandbox

from .conftest import calls, journal_length


def test_names_are_the_kubeconfig_contexts(clusters: KubernetesClusters) -> None:
    assert clusters.names() == ("sandbox",)


def test_list_deployments_of_a_namespace(clusters: KubernetesClusters) -> None:
    states = clusters.list_deployments("sandbox", "default")
    names = [s.ref.name for s in states]
    assert names == sorted(names)
    assert {"payment", "cart", "frontend", "auth"} <= set(names)
    payment = next(s for s in states if s.ref.name == "payment")
    assert payment.ref == DeploymentRef("sandbox", "default", "payment", "payment")
    assert payment.image == "registry.example.com/payment:1.0.0"
    assert payment.images == (("payment", "registry.example.com/payment:1.0.0"),)
    assert (payment.replicas, payment.ready, payment.available) == (2, 2, 2)
    assert payment.revision == 3
    assert payment.labels == {"app": "payment"}
    assert payment.condition("Available") is not None


def test_list_deployments_of_every_namespace(clusters: KubernetesClusters) -> None:
    namespaces = {s.ref.namespace for s in clusters.list_deployments("sandbox")}
    assert {"default", "staging"} <= namespaces


def test_find_by_name(clusters: KubernetesClusters) -> None:
    state = clusters.find_deployment("sandbox", "staging", "cart")
    assert state.ref == DeploymentRef("sandbox", "staging", "cart", "cart")
    assert state.created.tzinfo is not None


def test_find_by_app_label_when_the_name_differs(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    deployment = {
        "apiVersion": "apps/v1",
        "kind": "Deployment",
        "metadata": {"name": "wallet-v2", "labels": {"app": "wallet"}},
        "spec": {
            "replicas": 1,
            "selector": {"matchLabels": {"app": "wallet"}},
            "template": {
                "metadata": {"labels": {"app": "wallet"}},
                "spec": {
                    "containers": [
                        {"name": "istio-proxy", "image": "registry.example.com/proxy:1.0.0"},
                        {"name": "wallet", "image": "registry.example.com/wallet:2.0.0"},
                    ]
                },
            },
        },
    }
    request = urllib.request.Request(
        f"{sandbox.url}/apis/apps/v1/namespaces/default/deployments",
        data=json.dumps(deployment).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert response.status == 201

    state = clusters.find_deployment("sandbox", "default", "wallet")
    assert state.ref.name == "wallet-v2"
    # The app's container is the one named as the app, not merely the first one.
    assert state.ref.container == "wallet"
    assert state.image == "registry.example.com/wallet:2.0.0"


def test_unknown_app_offers_the_apps_there_are(clusters: KubernetesClusters) -> None:
    with pytest.raises(AppNotFound) as caught:
        clusters.find_deployment("sandbox", "default", "paymnet")
    assert caught.value.key == "k8s_app_not_found"
    assert "payment" in caught.value.choices
    assert "paymnet" in str(caught.value)


def test_missing_deployment_is_not_found(clusters: KubernetesClusters) -> None:
    with pytest.raises(ObjectNotFound) as caught:
        clusters.get(DeploymentRef("sandbox", "default", "nothing-here"))
    assert caught.value.key == "k8s_not_found"
    assert caught.value.params["namespace"] == "default"


def test_unknown_cluster_names_the_known_ones(clusters: KubernetesClusters) -> None:
    with pytest.raises(UnknownCluster) as caught:
        clusters.get(DeploymentRef("gke-tokyo", "default", "payment"))
    assert isinstance(caught.value, UserError)
    assert caught.value.choices == ("sandbox",)
    assert "gke-tokyo" in str(caught.value)


@pytest.mark.parametrize(
    ("namespace", "name"),
    [("Default", "payment"), ("default", "pay ment"), ("default", "-payment"), ("a" * 64, "x")],
)
def test_bad_names_are_refused_before_any_call(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox, namespace: str, name: str
) -> None:
    before = journal_length(sandbox)
    with pytest.raises(InvalidInput) as caught:
        clusters.get(DeploymentRef("sandbox", namespace, name))
    assert caught.value.key == "k8s_invalid_name"
    assert journal_length(sandbox) == before


def test_history_lists_revisions_oldest_first(clusters: KubernetesClusters) -> None:
    history = clusters.history(DeploymentRef("sandbox", "default", "cart"))
    assert [r.number for r in history] == [1, 2, 3]
    assert [r.images for r in history] == [
        ("registry.example.com/cart:0.9.0",),
        ("registry.example.com/cart:0.9.5",),
        ("registry.example.com/cart:1.0.0",),
    ]
    assert [r.current for r in history] == [False, False, True]
    assert history[2].change_cause == "deploy cart 1.0.0"
    assert all(r.replicaset.startswith("cart-") for r in history)


def test_pods_of_a_healthy_deployment(clusters: KubernetesClusters) -> None:
    pods = clusters.pods(DeploymentRef("sandbox", "default", "frontend"))
    assert len(pods) == 2
    for pod in pods:
        assert pod.name.startswith("frontend-")
        assert (pod.phase, pod.ready, pod.restarts, pod.reason) == ("Running", True, 0, None)
        assert pod.image == "registry.example.com/frontend:1.0.0"
        assert pod.age_seconds > 0


def test_rollout_status_of_a_settled_deployment(clusters: KubernetesClusters) -> None:
    status = clusters.rollout_status(DeploymentRef("sandbox", "default", "auth"))
    assert (status.done, status.failed, status.reason) == (True, False, None)
    assert status.message == 'deployment "auth" successfully rolled out'


def test_every_read_carries_a_timeout_and_reads_only(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    before = journal_length(sandbox)
    clusters.history(DeploymentRef("sandbox", "default", "payment"))
    made = calls(sandbox, since=before)
    assert made
    assert {c["method"] for c in made} == {"GET"}
    # ReplicaSets are listed by the Deployment's own selector, not every RS in the namespace.
    listing = next(c for c in made if c["resource"] == "replicasets")
    assert listing["query"]["labelSelector"] == "app=payment"


def test_retag_keeps_registry_and_repository() -> None:
    assert retag("registry.example.com:5000/team/payment:1.0.0", "1.2.3") == (
        "registry.example.com:5000/team/payment:1.2.3"
    )
    assert retag("payment@sha256:" + "a" * 64, "v2") == "payment:v2"
    with pytest.raises(InvalidInput) as caught:
        retag("payment:1.0.0", "-bad")
    assert caught.value.key == "k8s_invalid_tag"
