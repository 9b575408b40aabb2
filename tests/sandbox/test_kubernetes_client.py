"""The official python client against the sandbox: its pydantic models must validate every
answer, and its errors must carry the API's status codes, as Kuber's integration relies on.
"""

from __future__ import annotations

import json
import threading
from typing import Any

import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from sandbox.kubernetes import KubernetesSandbox

from .conftest import wait_until

Apps = client.AppsV1Api
Core = client.CoreV1Api


def _status(exc: pytest.ExceptionInfo[ApiException]) -> dict[str, Any]:
    body = json.loads(exc.value.body)
    assert body["kind"] == "Status"
    assert body["status"] == "Failure"
    return dict(body)


def test_read_and_list_deployments(apps: Apps) -> None:
    deployment = apps.read_namespaced_deployment("payment", "default")
    assert isinstance(deployment, client.V1Deployment)
    assert deployment.spec.replicas == 2
    assert deployment.spec.revision_history_limit == 10
    assert deployment.metadata.labels == {"app": "payment"}
    assert deployment.metadata.uid
    assert deployment.metadata.resource_version
    conditions = {c.type: c.reason for c in deployment.status.conditions}
    assert conditions == {
        "Available": "MinimumReplicasAvailable",
        "Progressing": "NewReplicaSetAvailable",
    }
    everywhere = apps.list_deployment_for_all_namespaces()
    assert len(everywhere.items) == 14
    assert {d.metadata.namespace for d in everywhere.items} == {"default", "staging"}
    assert int(everywhere.metadata.resource_version) > 0


def test_dict_patch_is_a_strategic_merge(apps: Apps, sandbox: KubernetesSandbox) -> None:
    before = apps.read_namespaced_deployment("frontend", "default")
    patch = {
        "spec": {
            "template": {
                "spec": {
                    "containers": [
                        {"name": "frontend", "image": "registry.example.com/frontend:1.1.0"}
                    ]
                }
            }
        }
    }
    after = apps.patch_namespaced_deployment("frontend", "default", patch)
    container = after.spec.template.spec.containers[0]
    assert container.image == "registry.example.com/frontend:1.1.0"
    assert container.ports[0].container_port == 8080  # merged by name, not replaced
    assert after.metadata.generation == before.metadata.generation + 1
    assert sandbox.calls[-1]["patch_type"] == "strategic"
    wait_until(
        lambda: (
            apps.read_namespaced_deployment("frontend", "default").metadata.annotations[
                "deployment.kubernetes.io/revision"
            ]
            == "2"
        ),
        what="revision 2",
    )


def test_scale_subresource(apps: Apps) -> None:
    scale = apps.patch_namespaced_deployment_scale("cart", "default", {"spec": {"replicas": 4}})
    assert isinstance(scale, client.V1Scale)
    assert scale.spec.replicas == 4
    assert scale.status.selector == "app=cart"
    wait_until(
        lambda: (
            apps.read_namespaced_deployment_status("cart", "default").status.ready_replicas == 4
        ),
        what="4 ready replicas",
    )
    read = apps.read_namespaced_deployment_scale("cart", "default")
    assert (read.spec.replicas, read.status.replicas) == (4, 4)


def test_json_patch_list_body(apps: Apps, sandbox: KubernetesSandbox) -> None:
    ops = [
        {"op": "test", "path": "/spec/replicas", "value": 2},
        {"op": "replace", "path": "/spec/replicas", "value": 1},
        {"op": "add", "path": "/metadata/annotations/team", "value": "payments"},
    ]
    patched = apps.patch_namespaced_deployment("auth", "default", ops)
    assert patched.spec.replicas == 1
    assert patched.metadata.annotations["team"] == "payments"
    assert sandbox.calls[-1]["patch_type"] == "json"
    with pytest.raises(ApiException) as failed:
        apps.patch_namespaced_deployment(
            "auth", "default", [{"op": "test", "path": "/spec/replicas", "value": 7}]
        )
    assert failed.value.status == 422


def test_replica_sets_by_selector_carry_revisions(apps: Apps) -> None:
    found = apps.list_namespaced_replica_set("default", label_selector="app=payment")
    revisions = sorted(
        int(rs.metadata.annotations["deployment.kubernetes.io/revision"]) for rs in found.items
    )
    assert revisions == [1, 2, 3]
    deployment = apps.read_namespaced_deployment("payment", "default")
    for rs in found.items:
        owner = rs.metadata.owner_references[0]
        assert (owner.uid, owner.controller, owner.kind) == (
            deployment.metadata.uid,
            True,
            "Deployment",
        )
        assert "pod-template-hash" in rs.metadata.labels
    current = apps.list_namespaced_replica_set(
        "default", label_selector="app=payment,pod-template-hash notin (x)"
    )
    assert len(current.items) == 3
    none = apps.list_namespaced_replica_set("default", label_selector="app!=payment,!app")
    assert none.items == []


def test_pods_and_logs(core: Core) -> None:
    pods = core.list_namespaced_pod("default", label_selector="app=payment")
    assert len(pods.items) == 2
    pod = pods.items[0]
    assert pod.status.phase == "Running"
    assert pod.status.container_statuses[0].ready is True
    log = core.read_namespaced_pod_log(pod.metadata.name, "default", tail_lines=3)
    assert len(log.splitlines()) == 3
    full = core.read_namespaced_pod_log(pod.metadata.name, "default")
    # Running for days: rotation has long dropped the start-up lines, requests remain.
    assert 'INFO  GET /api/v1/payment 200 14ms "10.244.0.1"' in full
    assert "starting (pid 1)" not in full
    by_name = core.list_namespaced_pod(
        "default", field_selector=f"metadata.name={pod.metadata.name}"
    )
    assert [p.metadata.name for p in by_name.items] == [pod.metadata.name]
    with pytest.raises(ApiException) as no_previous:
        core.read_namespaced_pod_log(pod.metadata.name, "default", previous=True)
    assert no_previous.value.status == 400


@pytest.mark.timeout(30)
def test_watch_streams_changes(apps: Apps) -> None:
    stream = watch.Watch()
    seen: list[tuple[str, str, int]] = []

    def scale_soon() -> None:
        apps.patch_namespaced_deployment_scale("cart", "default", {"spec": {"replicas": 3}})

    timer = threading.Timer(0.3, scale_soon)
    timer.start()
    try:
        for event in stream.stream(
            apps.list_namespaced_deployment,
            "default",
            field_selector="metadata.name=cart",
            timeout_seconds=5,
        ):
            obj = event["object"]
            assert isinstance(obj, client.V1Deployment)
            seen.append((event["type"], obj.metadata.name, obj.status.ready_replicas or 0))
            if obj.status.ready_replicas == 3:
                stream.stop()
    finally:
        timer.cancel()
    assert seen[0] == ("ADDED", "cart", 2)
    assert seen[-1] == ("MODIFIED", "cart", 3)
    assert {name for _type, name, _ready in seen} == {"cart"}


def test_not_found_conflict_and_invalid(apps: Apps) -> None:
    with pytest.raises(ApiException) as missing:
        apps.read_namespaced_deployment("nope", "default")
    assert missing.value.status == 404
    assert _status(missing)["reason"] == "NotFound"
    assert _status(missing)["message"] == 'deployments.apps "nope" not found'

    existing = apps.read_namespaced_deployment("payment", "default")
    with pytest.raises(ApiException) as exists:
        apps.create_namespaced_deployment("default", existing)
    assert exists.value.status == 409
    assert _status(exists)["reason"] == "AlreadyExists"

    stale = {"metadata": {"resourceVersion": "1"}, "spec": {"replicas": 5}}
    with pytest.raises(ApiException) as conflict:
        apps.patch_namespaced_deployment("payment", "default", stale)
    assert conflict.value.status == 409
    assert _status(conflict)["reason"] == "Conflict"

    with pytest.raises(ApiException) as invalid:
        apps.patch_namespaced_deployment_scale("payment", "default", {"spec": {"replicas": -1}})
    assert invalid.value.status == 422
    assert _status(invalid)["reason"] == "Invalid"

    with pytest.raises(ApiException) as bad_name:
        apps.create_namespaced_deployment(
            "default",
            {
                "metadata": {"name": "Bad_Name"},
                "spec": {
                    "selector": {"matchLabels": {"app": "x"}},
                    "template": {
                        "metadata": {"labels": {"app": "x"}},
                        "spec": {"containers": [{"name": "x", "image": "x:1"}]},
                    },
                },
            },
        )
    assert bad_name.value.status == 422


def test_replace_with_stale_version_conflicts(apps: Apps) -> None:
    deployment = apps.read_namespaced_deployment("order-service", "default")
    apps.patch_namespaced_deployment("order-service", "default", {"spec": {"replicas": 3}})
    deployment.spec.replicas = 1
    with pytest.raises(ApiException) as conflict:
        apps.replace_namespaced_deployment("order-service", "default", deployment)
    assert conflict.value.status == 409
    # The controller writes status while the scale-up rolls, so even a fresh read can be
    # stale by the time it is replaced: re-read and retry on 409, as every real client does.
    while True:
        fresh = apps.read_namespaced_deployment("order-service", "default")
        fresh.spec.replicas = 1
        try:
            replaced = apps.replace_namespaced_deployment("order-service", "default", fresh)
        except ApiException as stale:
            if stale.status != 409:
                raise
            continue
        break
    assert replaced.spec.replicas == 1


def test_create_and_delete_a_deployment(apps: Apps, core: Core) -> None:
    core.create_namespace({"metadata": {"name": "preview"}})
    body = {
        "metadata": {"name": "search", "labels": {"app": "search"}},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": {"app": "search"}},
            "template": {
                "metadata": {"labels": {"app": "search"}},
                "spec": {"containers": [{"name": "search", "image": "search:1.0"}]},
            },
        },
    }
    created = apps.create_namespaced_deployment("preview", body)
    assert created.metadata.generation == 1
    wait_until(
        lambda: len(core.list_namespaced_pod("preview", label_selector="app=search").items) == 2,
        what="search pods",
    )
    result = apps.delete_namespaced_deployment("search", "preview")
    # This client declares delete answers as plain objects: a Status dict here.
    assert result["kind"] == "Status"
    assert result["status"] == "Success"
    wait_until(
        lambda: not core.list_namespaced_pod("preview").items,
        what="pods collected after their Deployment",
    )


def test_injected_forbidden_answers_like_rbac(apps: Apps, sandbox: KubernetesSandbox) -> None:
    sandbox.inject(r"^PATCH /apis/apps/v1/namespaces/default/deployments/payment", 403, times=1)
    with pytest.raises(ApiException) as denied:
        apps.patch_namespaced_deployment("payment", "default", {"spec": {"replicas": 3}})
    assert denied.value.status == 403
    status = _status(denied)
    assert status["reason"] == "Forbidden"
    assert status["message"] == (
        'deployments.apps "payment" is forbidden: User "kuber" cannot patch resource '
        '"deployments" in API group "apps" in the namespace "default"'
    )
    # `times=1`: the next call goes through
    apps.patch_namespaced_deployment("payment", "default", {"spec": {"replicas": 3}})


def test_crash_oom_and_pull_failures(apps: Apps, core: Core) -> None:
    images = {
        "payment": "registry.example.com/payment:1.1.0-crash",
        "cart": "registry.example.com/cart:1.1.0-oom",
        "auth": "registry.example.com/auth:nopull",
    }
    for app, image in images.items():
        apps.patch_namespaced_deployment(
            app,
            "default",
            {"spec": {"template": {"spec": {"containers": [{"name": app, "image": image}]}}}},
        )

    def failing(app: str) -> Any:
        for pod in core.list_namespaced_pod("default", label_selector=f"app={app}").items:
            status = pod.status.container_statuses[0]
            if (
                status.image == images[app]
                and status.state.waiting
                and (status.state.waiting.reason != "ContainerCreating")
                and (app == "auth" or status.restart_count >= 2)
            ):
                return status
        return None

    crash = wait_until(lambda: failing("payment"), what="a crash-looping payment pod")
    assert crash.state.waiting.reason == "CrashLoopBackOff"
    assert crash.last_state.terminated.exit_code == 1
    oom = wait_until(lambda: failing("cart"), what="an OOM-killed cart pod")
    assert oom.last_state.terminated.reason == "OOMKilled"
    pull = wait_until(lambda: failing("auth"), what="a pod that cannot pull")
    assert pull.state.waiting.reason == "ImagePullBackOff"
    reasons = {(e.type, e.reason) for e in core.list_namespaced_event("default").items}
    assert {("Warning", "BackOff"), ("Warning", "Failed")} <= reasons
