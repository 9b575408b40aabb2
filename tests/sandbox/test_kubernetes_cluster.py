"""What the sandbox cluster does with the new kinds, as a real one would: defaults and rules of
each kind, namespaces that empty themselves, claims that bind, disruption budgets that count,
pods spread over two nodes, and pods that wait for the Secrets and ConfigMaps they name."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from sandbox.kubernetes import KubernetesSandbox

from .conftest import Kubectl, needs_kubectl, wait_until

Obj = dict[str, Any]
Core = client.CoreV1Api
RBAC = "rbac.authorization.k8s.io"


@pytest.fixture
def http(sandbox: KubernetesSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url) as session:
        yield session


def _deployment(name: str, pod_spec: Obj) -> Obj:
    labels = {"app": name}
    return {
        "metadata": {"name": name},
        "spec": {
            "replicas": 2,
            "selector": {"matchLabels": labels},
            "template": {"metadata": {"labels": labels}, "spec": pod_spec},
        },
    }


def test_services_get_a_cluster_ip_for_life(core: Core) -> None:
    spec = {"selector": {"app": "payment"}, "ports": [{"port": 80, "targetPort": 8080}]}
    first = core.create_namespaced_service("default", {"metadata": {"name": "a"}, "spec": spec})
    second = core.create_namespaced_service("default", {"metadata": {"name": "b"}, "spec": spec})
    assert first.spec.cluster_ip != second.spec.cluster_ip
    assert first.spec.cluster_ip.startswith("10.96.")
    assert first.spec.ports[0].protocol == "TCP"
    assert first.spec.type == "ClusterIP"
    relabelled = core.patch_namespaced_service("a", "default", {"metadata": {"labels": {"x": "y"}}})
    assert relabelled.spec.cluster_ip == first.spec.cluster_ip
    with pytest.raises(ApiException) as moved:
        core.patch_namespaced_service("a", "default", {"spec": {"clusterIP": "10.96.9.9"}})
    assert moved.value.status == 422
    ports = [{"port": 80}, {"port": 81}]
    with pytest.raises(ApiException) as unnamed:
        core.create_namespaced_service(
            "default", {"metadata": {"name": "c"}, "spec": {"ports": ports}}
        )
    assert "spec.ports[0].name: Required value" in unnamed.value.body


def test_secrets_store_string_data_as_base64(core: Core, http: httpx.Client) -> None:
    body = {"metadata": {"name": "db"}, "stringData": {"url": "postgresql://x"}}
    secret = core.create_namespaced_secret("default", body)
    assert secret.type == "Opaque"
    assert secret.string_data is None
    assert base64.b64decode(secret.data["url"]) == b"postgresql://x"
    bad = http.post(
        "/api/v1/namespaces/default/secrets",
        json={"metadata": {"name": "bad"}, "data": {"k": "not base64!"}},
    )
    assert bad.status_code == 400
    assert bad.json()["message"].startswith('Secret in version "v1" cannot be handled as a Secret')


def test_immutable_config_maps_refuse_changes(core: Core) -> None:
    body = {"metadata": {"name": "frozen"}, "data": {"a": "1"}, "immutable": True}
    core.create_namespaced_config_map("default", body)
    with pytest.raises(ApiException) as refused:
        core.patch_namespaced_config_map("frozen", "default", {"data": {"a": "2"}})
    assert refused.value.status == 422
    assert "field is immutable when `immutable` is set" in refused.value.body
    assert core.read_namespaced_config_map("frozen", "default").data == {"a": "1"}


def test_a_deleted_namespace_is_emptied_then_goes(core: Core) -> None:
    core.create_namespace({"metadata": {"name": "preview"}})
    account = wait_until(
        lambda: core.list_namespaced_service_account("preview").items,
        what="the default service account",
    )
    assert [a.metadata.name for a in account] == ["default"]
    core.create_namespaced_config_map("preview", {"metadata": {"name": "c"}})
    answer = core.delete_namespace("preview")
    assert answer["kind"] == "Namespace"
    assert answer["status"] == {"phase": "Terminating"}
    assert answer["metadata"]["deletionTimestamp"]

    def gone() -> bool:
        return "preview" not in [n.metadata.name for n in core.list_namespace().items]

    wait_until(gone, what="the namespace to go")
    assert core.list_namespaced_config_map("preview").items == []


def test_claims_are_bound_to_a_volume_of_their_size(core: Core) -> None:
    body = {
        "metadata": {"name": "data"},
        "spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}},
    }
    created = core.create_namespaced_persistent_volume_claim("default", body)
    assert created.status.phase == "Pending"
    bound = wait_until(
        lambda: (
            claim
            if (
                claim := core.read_namespaced_persistent_volume_claim("data", "default")
            ).status.phase
            == "Bound"
            else None
        ),
        what="the claim to bind",
    )
    assert bound.spec.volume_name == f"pvc-{created.metadata.uid}"
    assert bound.status.capacity == {"storage": "1Gi"}
    assert bound.status.access_modes == ["ReadWriteOnce"]
    with pytest.raises(ApiException) as refused:
        core.patch_namespaced_persistent_volume_claim(
            "data", "default", {"spec": {"accessModes": ["ReadWriteMany"]}}
        )
    assert refused.value.status == 422


def test_disruption_budgets_count_healthy_pods(
    api_client: client.ApiClient, apps: client.AppsV1Api
) -> None:
    policy = client.PolicyV1Api(api_client)
    selector = {"matchLabels": {"app": "payment"}}
    policy.create_namespaced_pod_disruption_budget(
        "default",
        {"metadata": {"name": "payment"}, "spec": {"maxUnavailable": 1, "selector": selector}},
    )

    def status(wanted: dict[str, int]) -> Any:
        found = policy.read_namespaced_pod_disruption_budget("payment", "default").status
        counts = {key: getattr(found, key, None) for key in wanted} if found else {}
        return found if counts == wanted else None

    two = {"expected_pods": 2, "current_healthy": 2, "desired_healthy": 1, "disruptions_allowed": 1}
    reported = wait_until(lambda: status(two), what="the budget's counts")
    assert reported.conditions[0].type == "DisruptionAllowed"
    apps.patch_namespaced_deployment_scale("payment", "default", {"spec": {"replicas": 4}})
    four = {
        "expected_pods": 4,
        "current_healthy": 4,
        "desired_healthy": 3,
        "disruptions_allowed": 1,
    }
    wait_until(lambda: status(four), what="the counts after scaling")
    with pytest.raises(ApiException) as both:
        policy.create_namespaced_pod_disruption_budget(
            "default",
            {
                "metadata": {"name": "both"},
                "spec": {"minAvailable": 1, "maxUnavailable": 1, "selector": selector},
            },
        )
    assert "minAvailable and maxUnavailable cannot be both set" in both.value.body


def test_bindings_keep_their_role(api_client: client.ApiClient) -> None:
    rbac = client.RbacAuthorizationV1Api(api_client)
    ref = {"apiGroup": RBAC, "kind": "ClusterRole", "name": "view"}
    subjects = [{"kind": "ServiceAccount", "name": "default"}]
    rbac.create_namespaced_role_binding(
        "default", {"metadata": {"name": "viewers"}, "roleRef": ref, "subjects": subjects}
    )
    with pytest.raises(ApiException) as changed:
        rbac.patch_namespaced_role_binding("viewers", "default", {"roleRef": {"name": "edit"}})
    assert changed.value.status == 422
    assert "cannot change roleRef" in changed.value.body
    with pytest.raises(ApiException) as nowhere:
        rbac.create_cluster_role_binding(
            {"metadata": {"name": "viewers"}, "roleRef": ref, "subjects": subjects}
        )
    assert "subjects[0].namespace: Required value" in nowhere.value.body


def test_pods_spread_over_the_nodes(core: Core) -> None:
    nodes = {n.metadata.name: n for n in core.list_node().items}
    assert sorted(nodes) == ["sandbox-node-1", "sandbox-node-2"]
    zones = {n.metadata.labels["topology.kubernetes.io/zone"] for n in nodes.values()}
    assert len(zones) == 2
    for app in ("payment", "cart", "auth"):
        pods = core.list_namespaced_pod("default", label_selector=f"app={app}").items
        assert {p.spec.node_name for p in pods} == set(nodes), app
        for pod in pods:
            cidr = nodes[pod.spec.node_name].spec.pod_cidr
            assert pod.status.pod_ip.startswith(cidr.rsplit(".", 2)[0] + ".")
            assert pod.status.host_ip == nodes[pod.spec.node_name].status.addresses[0].address


def _waiting(core: Core, app: str) -> list[Any]:
    pods = core.list_namespaced_pod("default", label_selector=f"app={app}").items
    return [
        p.status.container_statuses[0].state.waiting for p in pods if p.status.container_statuses
    ]


def test_pods_wait_for_the_secret_their_environment_names(
    core: Core, apps: client.AppsV1Api
) -> None:
    container = {
        "name": "api",
        "image": "registry.example.com/api:1.0.0",
        "env": [
            {
                "name": "DATABASE_URL",
                "valueFrom": {"secretKeyRef": {"name": "api-secrets", "key": "DATABASE_URL"}},
            }
        ],
    }
    apps.create_namespaced_deployment("default", _deployment("api", {"containers": [container]}))

    def blocked(message: str) -> bool:
        waiting = _waiting(core, "api")
        return len(waiting) == 2 and all(
            w and (w.reason, w.message) == ("CreateContainerConfigError", message) for w in waiting
        )

    wait_until(lambda: blocked('secret "api-secrets" not found'), what="pods held for the Secret")
    events = core.list_namespaced_event("default", field_selector="reason=Failed").items
    assert 'Error: secret "api-secrets" not found' in {e.message for e in events}

    core.create_namespaced_secret(
        "default", {"metadata": {"name": "api-secrets"}, "stringData": {"OTHER": "x"}}
    )
    wait_until(
        lambda: blocked("couldn't find key DATABASE_URL in Secret default/api-secrets"),
        what="pods held for the key",
    )
    core.patch_namespaced_secret(
        "api-secrets", "default", {"stringData": {"DATABASE_URL": "postgresql://db/api"}}
    )
    wait_until(
        lambda: apps.read_namespaced_deployment("api", "default").status.ready_replicas == 2,
        what="both pods ready once the Secret holds the key",
    )


def test_pods_wait_for_the_config_map_they_mount(core: Core, apps: client.AppsV1Api) -> None:
    pod_spec = {
        "containers": [
            {
                "name": "web",
                "image": "registry.example.com/web:1.0.0",
                "volumeMounts": [{"name": "config", "mountPath": "/etc/web"}],
            }
        ],
        "volumes": [{"name": "config", "configMap": {"name": "web-config"}}],
    }
    apps.create_namespaced_deployment("default", _deployment("web", pod_spec))

    def mount_failed() -> bool:
        events = core.list_namespaced_event("default", field_selector="reason=FailedMount").items
        return any('configmap "web-config" not found' in e.message for e in events)

    wait_until(mount_failed, what="a FailedMount event")
    waiting = _waiting(core, "web")
    assert [w.reason for w in waiting] == ["ContainerCreating", "ContainerCreating"]
    core.create_namespaced_config_map("default", {"metadata": {"name": "web-config"}})
    wait_until(
        lambda: apps.read_namespaced_deployment("web", "default").status.ready_replicas == 2,
        what="both pods ready once the ConfigMap exists",
    )


def test_pods_take_label_changes_but_keep_their_spec(core: Core) -> None:
    pod = core.list_namespaced_pod("default", label_selector="app=frontend").items[0]
    name = pod.metadata.name
    labelled = core.patch_namespaced_pod(name, "default", {"metadata": {"labels": {"debug": "1"}}})
    assert labelled.metadata.labels["debug"] == "1"
    with pytest.raises(ApiException) as refused:
        core.patch_namespaced_pod(name, "default", {"spec": {"restartPolicy": "Never"}})
    assert refused.value.status == 422
    assert "pod updates may not change fields" in refused.value.body


def test_replica_sets_made_directly_get_their_pods(apps: client.AppsV1Api, core: Core) -> None:
    body = _deployment("batch", {"containers": [{"name": "batch", "image": "batch:1"}]})
    created = apps.create_namespaced_replica_set("default", body)
    assert created.spec.template.spec.containers[0].image_pull_policy == "IfNotPresent"
    wait_until(
        lambda: apps.read_namespaced_replica_set("batch", "default").status.ready_replicas == 2,
        what="the ReplicaSet's pods",
    )
    selector = {"matchLabels": {"app": "other"}}
    with pytest.raises(ApiException) as moved:
        apps.patch_namespaced_replica_set("batch", "default", {"spec": {"selector": selector}})
    assert moved.value.status == 422


def test_delete_collection_by_label(core: Core) -> None:
    for name, team in (("a", "red"), ("b", "red"), ("c", "blue")):
        body = {"metadata": {"name": name, "labels": {"team": team}}}
        core.create_namespaced_config_map("default", body)
    core.delete_collection_namespaced_config_map("default", label_selector="team=red")
    assert [c.metadata.name for c in core.list_namespaced_config_map("default").items] == ["c"]


@needs_kubectl
def test_kubectl_delete_namespace_waits_until_it_is_gone(kubectl: Kubectl, core: Core) -> None:
    core.create_namespace({"metadata": {"name": "scratch"}})
    core.create_namespaced_config_map("scratch", {"metadata": {"name": "c"}})
    assert 'namespace "scratch" deleted' in kubectl("delete", "namespace", "scratch").stdout
    assert "scratch" not in [n.metadata.name for n in core.list_namespace().items]
