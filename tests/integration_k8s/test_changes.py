"""Scaling, restarting, setting images and rolling back against a sandbox cluster."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from integrations.kubernetes import (
    DeploymentRef,
    InvalidInput,
    KubernetesClusters,
    RevisionNotFound,
    RolloutRefused,
)
from sandbox.kubernetes import KubernetesSandbox

from .conftest import calls, journal_length


def settle(clusters: KubernetesClusters, ref: DeploymentRef) -> None:
    result = clusters.follow_rollout(ref, timeout=15, check_every=1)
    assert result.done, result.message


def test_scale_goes_through_the_scale_subresource(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    ref = DeploymentRef("sandbox", "default", "user-api")
    before = journal_length(sandbox)
    state = clusters.scale(ref, 4)
    assert state.replicas == 4
    patches = [c for c in calls(sandbox, since=before) if c["method"] == "PATCH"]
    assert len(patches) == 1
    assert patches[0]["resource"] == "deployments/scale"
    assert patches[0]["patch_type"] == "merge"
    assert patches[0]["body"] == {"spec": {"replicas": 4}}
    settle(clusters, ref)
    assert len(clusters.pods(ref)) == 4

    assert clusters.scale(ref, 0).replicas == 0
    settle(clusters, ref)
    assert clusters.pods(ref) == []


@pytest.mark.parametrize("replicas", [-1, 1001, True])
def test_scale_refuses_impossible_numbers(clusters: KubernetesClusters, replicas: int) -> None:
    with pytest.raises(InvalidInput) as caught:
        clusters.scale(DeploymentRef("sandbox", "default", "user-api"), replicas)
    assert caught.value.key == "k8s_invalid_replicas"


def test_restart_makes_a_new_revision(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    ref = DeploymentRef("sandbox", "default", "order-service")
    old_pods = {p.name for p in clusters.pods(ref)}
    at = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    state = clusters.restart(ref, at)
    assert state.generation == 2
    stored = sandbox.deployment("order-service")
    assert stored is not None
    annotations = stored["spec"]["template"]["metadata"]["annotations"]
    assert annotations["kubectl.kubernetes.io/restartedAt"] == "2026-01-02T03:04:05Z"
    settle(clusters, ref)
    assert clusters.get(ref).revision == 2
    assert [r.number for r in clusters.history(ref)] == [1, 2]
    assert not old_pods & {p.name for p in clusters.pods(ref)}


def test_set_image_records_the_change_cause_in_history(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    ref = DeploymentRef("sandbox", "default", "marvel-collection")
    image = "registry.example.com/marvel-collection:1.1.0"
    before = journal_length(sandbox)
    state = clusters.set_image(ref, "marvel-collection", image, change_cause="deploy 1.1.0")
    assert state.image == image
    patch = next(c for c in calls(sandbox, since=before) if c["method"] == "PATCH")
    assert patch["patch_type"] == "strategic"
    settle(clusters, ref)
    history = clusters.history(ref)
    assert [(r.number, r.images, r.current) for r in history] == [
        (1, ("registry.example.com/marvel-collection:1.0.0",), False),
        (2, (image,), True),
    ]
    assert history[-1].change_cause == "deploy 1.1.0"
    assert {p.image for p in clusters.pods(ref)} == {image}


def test_set_image_refuses_a_bad_tag_without_calling(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    before = journal_length(sandbox)
    with pytest.raises(InvalidInput) as caught:
        clusters.set_image(
            DeploymentRef("sandbox", "default", "marvel-collection"),
            "marvel-collection",
            "registry.example.com/marvel-collection:.bad",
        )
    assert caught.value.key == "k8s_invalid_tag"
    assert journal_length(sandbox) == before


def test_set_image_of_an_unknown_container_offers_the_real_ones(
    clusters: KubernetesClusters,
) -> None:
    with pytest.raises(InvalidInput) as caught:
        clusters.set_image(DeploymentRef("sandbox", "staging", "frontend"), "sidecar", "nginx:1.27")
    assert caught.value.key == "k8s_no_container"
    assert caught.value.choices == ("frontend",)


def test_rollback_to_previous_then_to_a_number(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    ref = DeploymentRef("sandbox", "staging", "cart")
    before = journal_length(sandbox)
    target = clusters.rollback(ref)
    assert target.number == 2
    assert target.images == ("registry.example.com/cart:0.9.5",)
    patch = next(c for c in calls(sandbox, since=before) if c["method"] == "PATCH")
    assert patch["patch_type"] == "json"
    assert [op["path"] for op in patch["body"]] == ["/spec/template", "/metadata/annotations"]
    assert "pod-template-hash" not in patch["body"][0]["value"]["metadata"]["labels"]
    settle(clusters, ref)
    state = clusters.get(ref)
    assert state.image == "registry.example.com/cart:0.9.5"
    # The revived ReplicaSet takes the next number; its old number disappears.
    assert [r.number for r in clusters.history(ref)] == [1, 3, 4]
    assert state.revision == 4

    target = clusters.rollback(ref, 1)
    assert target.images == ("registry.example.com/cart:0.9.0",)
    settle(clusters, ref)
    assert clusters.get(ref).image == "registry.example.com/cart:0.9.0"
    history = clusters.history(ref)
    assert [r.number for r in history] == [3, 4, 5]
    assert history[-1].change_cause == "deploy cart 0.9.0"


def test_rollback_to_a_missing_revision_lists_the_available_ones(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    ref = DeploymentRef("sandbox", "staging", "payment")
    before = journal_length(sandbox)
    with pytest.raises(RevisionNotFound) as caught:
        clusters.rollback(ref, 7)
    assert caught.value.key == "k8s_revision_not_found"
    assert caught.value.choices == ("1", "2")
    assert caught.value.params["available"] == "1, 2, 3"
    assert "1, 2, 3" in str(caught.value)
    assert all(c["method"] == "GET" for c in calls(sandbox, since=before))


def test_rollback_to_the_current_revision_is_refused(clusters: KubernetesClusters) -> None:
    with pytest.raises(RolloutRefused) as caught:
        clusters.rollback(DeploymentRef("sandbox", "staging", "payment"), 3)
    assert caught.value.key == "k8s_already_at_revision"


def test_rollback_without_history_has_nothing_earlier(clusters: KubernetesClusters) -> None:
    with pytest.raises(RevisionNotFound) as caught:
        clusters.rollback(DeploymentRef("sandbox", "staging", "order-service"))
    assert caught.value.key == "k8s_no_previous_revision"
