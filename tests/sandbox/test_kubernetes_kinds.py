"""Every kind the sandbox serves, through discovery, raw HTTP and the official python client:
discovery names each with the scope and short names of a real cluster, every verb it lists
is answered and every other is refused, and each kind round-trips with `kind` and
`apiVersion` on every object and list."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from kubernetes import client, watch
from kubernetes.client.rest import ApiException

from sandbox.kubernetes import KubernetesSandbox

from .conftest import Kubectl, needs_kubectl, wait_until

Obj = dict[str, Any]
GROUP_VERSIONS = ("v1", "apps/v1", "policy/v1", "rbac.authorization.k8s.io/v1")
#: What a real 1.32 cluster's discovery says of each resource: (short names, namespaced).
EXPECTED = {
    "namespaces": (["ns"], False),
    "nodes": (["no"], False),
    "pods": (["po"], True),
    "events": (["ev"], True),
    "services": (["svc"], True),
    "configmaps": (["cm"], True),
    "secrets": ([], True),
    "serviceaccounts": (["sa"], True),
    "persistentvolumeclaims": (["pvc"], True),
    "deployments": (["deploy"], True),
    "replicasets": (["rs"], True),
    "poddisruptionbudgets": (["pdb"], True),
    "roles": ([], True),
    "clusterroles": ([], False),
    "rolebindings": ([], True),
    "clusterrolebindings": ([], False),
}
MISSING = "no-such-object"


@pytest.fixture
def http(sandbox: KubernetesSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url) as session:
        yield session


def _resources(http: httpx.Client) -> Iterator[tuple[str, Obj]]:
    for group_version in GROUP_VERSIONS:
        path = "/api/v1" if group_version == "v1" else f"/apis/{group_version}"
        listed = http.get(path).json()
        assert listed["kind"] == "APIResourceList"
        assert listed["groupVersion"] == group_version
        for entry in listed["resources"]:
            yield path, entry


def test_discovery_names_each_kind_as_a_real_cluster_does(http: httpx.Client) -> None:
    groups = http.get("/apis").json()["groups"]
    assert [g["preferredVersion"]["groupVersion"] for g in groups] == list(GROUP_VERSIONS[1:])
    assert http.get("/apis/policy").json()["preferredVersion"]["groupVersion"] == "policy/v1"
    found = {
        entry["name"]: (entry.get("shortNames", []), entry["namespaced"])
        for _path, entry in _resources(http)
        if "/" not in entry["name"]
    }
    assert found == EXPECTED
    subresources = {entry["name"] for _path, entry in _resources(http) if "/" in entry["name"]}
    assert {"deployments/scale", "replicasets/scale", "pods/log", "pods/status"} <= subresources
    assert {"services/status", "namespaces/status", "poddisruptionbudgets/status"} <= subresources


def _request(
    http: httpx.Client, method: str, path: str, body: Obj | None = None, **params: str
) -> httpx.Response:
    headers = {"Content-Type": "application/merge-patch+json"} if method == "PATCH" else {}
    content = json.dumps(body) if body is not None else None
    return http.request(method, path, params=params, content=content, headers=headers)


def _served(answer: httpx.Response, path: str) -> None:
    """Answered by the resource's handler: a verb the route table does not know gives 405."""
    status = answer.json()
    assert answer.status_code != 405, (path, status)
    if answer.status_code == 404:
        assert status["message"].endswith(f'"{MISSING}" not found'), (path, status)


def test_every_verb_discovery_lists_is_served_and_no_other(http: httpx.Client) -> None:
    for base, entry in _resources(http):
        name, verbs = entry["name"], set(entry["verbs"])
        resource, _, sub = name.partition("/")
        collection = (
            f"{base}/namespaces/default/{resource}"
            if entry["namespaced"]
            else (f"{base}/{resource}")
        )
        item = f"{collection}/{MISSING}" + (f"/{sub}" if sub else "")
        attempts = {
            "get": ("GET", item, None),
            "update": ("PUT", item, {"metadata": {"name": MISSING}}),
            "patch": ("PATCH", item, {}),
            "delete": ("DELETE", item, None),
        }
        if not sub:
            attempts.update(
                list=("GET", collection, None),
                create=("POST", collection, {"metadata": {}}),  # no name: 422, not 405
                deletecollection=("DELETE", collection, None),
            )
        for verb, (method, path, body) in attempts.items():
            answer = _request(http, method, path, body, labelSelector="sandbox-test=none")
            if verb in verbs:
                _served(answer, path)
            else:
                assert answer.status_code == 405, (verb, path)
                assert answer.json()["reason"] == "MethodNotAllowed"
        if "watch" in verbs:
            params = {"watch": "true", "timeoutSeconds": "1"}
            with http.stream("GET", collection, params=params) as stream:
                assert stream.status_code == 200
                assert stream.headers["transfer-encoding"] == "chunked"


def _api(api_client: client.ApiClient, name: str) -> Any:
    return getattr(client, name)(api_client)


#: kind -> (python client API, method suffix, namespaced, apiVersion, a body to create).
KINDS: dict[str, tuple[str, str, bool, str, Obj]] = {
    "ConfigMap": ("CoreV1Api", "config_map", True, "v1", {"data": {"mode": "fast"}}),
    "Secret": ("CoreV1Api", "secret", True, "v1", {"stringData": {"token": "hunter2"}}),
    "Service": (
        "CoreV1Api",
        "service",
        True,
        "v1",
        {"spec": {"selector": {"app": "payment"}, "ports": [{"port": 80}]}},
    ),
    "ServiceAccount": ("CoreV1Api", "service_account", True, "v1", {}),
    "PersistentVolumeClaim": (
        "CoreV1Api",
        "persistent_volume_claim",
        True,
        "v1",
        {"spec": {"accessModes": ["ReadWriteOnce"], "resources": {"requests": {"storage": "1Gi"}}}},
    ),
    "Namespace": ("CoreV1Api", "namespace", False, "v1", {}),
    "Node": ("CoreV1Api", "node", False, "v1", {}),
    "Role": (
        "RbacAuthorizationV1Api",
        "role",
        True,
        "rbac.authorization.k8s.io/v1",
        {"rules": [{"apiGroups": [""], "resources": ["pods"], "verbs": ["get"]}]},
    ),
    "ClusterRole": (
        "RbacAuthorizationV1Api",
        "cluster_role",
        False,
        "rbac.authorization.k8s.io/v1",
        {"rules": [{"apiGroups": ["apps"], "resources": ["deployments"], "verbs": ["list"]}]},
    ),
    "RoleBinding": (
        "RbacAuthorizationV1Api",
        "role_binding",
        True,
        "rbac.authorization.k8s.io/v1",
        {
            "roleRef": {"apiGroup": "rbac.authorization.k8s.io", "kind": "Role", "name": "x"},
            "subjects": [{"kind": "ServiceAccount", "name": "default"}],
        },
    ),
    "ClusterRoleBinding": (
        "RbacAuthorizationV1Api",
        "cluster_role_binding",
        False,
        "rbac.authorization.k8s.io/v1",
        {
            "roleRef": {
                "apiGroup": "rbac.authorization.k8s.io",
                "kind": "ClusterRole",
                "name": "x",
            },
            "subjects": [{"kind": "ServiceAccount", "name": "default", "namespace": "default"}],
        },
    ),
    "PodDisruptionBudget": (
        "PolicyV1Api",
        "pod_disruption_budget",
        True,
        "policy/v1",
        {"spec": {"maxUnavailable": 1, "selector": {"matchLabels": {"app": "payment"}}}},
    ),
}


@pytest.mark.parametrize("kind", sorted(KINDS))
def test_each_kind_round_trips_through_the_python_client(
    kind: str, api_client: client.ApiClient
) -> None:
    api_name, suffix, namespaced, api_version, extra = KINDS[kind]
    api = _api(api_client, api_name)
    name = f"sandbox-{suffix.replace('_', '-')}"
    body = {"metadata": {"name": name, "labels": {"made-by": "test"}}, **extra}
    scope = "namespaced_" if namespaced and kind != "Namespace" else ""
    where: tuple[str, ...] = ("default",) if scope else ()

    def call(verb: str, *args: Any, **kwargs: Any) -> Any:
        method: Callable[..., Any] = getattr(api, f"{verb}_{scope}{suffix}")
        return method(*args, **kwargs)

    created = call("create", *where, body)
    assert (created.kind, created.api_version) == (kind, api_version)
    assert created.metadata.uid
    assert created.metadata.namespace == (where[0] if where else None)
    read = call("read", name, *where)
    assert (read.kind, read.metadata.uid) == (kind, created.metadata.uid)
    listed = call("list", *where, label_selector="made-by=test")
    assert (listed.kind, listed.api_version) == (f"{kind}List", api_version)
    assert [item.metadata.name for item in listed.items] == [name]
    assert all(item.kind == kind for item in listed.items)

    patched = call("patch", name, *where, {"metadata": {"labels": {"patched": "strategic"}}})
    # A namespace also carries kubernetes.io/metadata.name, set by the server.
    assert {"made-by": "test", "patched": "strategic"}.items() <= patched.metadata.labels.items()
    ops = [{"op": "add", "path": "/metadata/annotations", "value": {"note": "json"}}]
    assert call("patch", name, *where, ops).metadata.annotations == {"note": "json"}

    call("delete", name, *where)

    def gone() -> bool:
        try:
            call("read", name, *where)
        except ApiException as missing:
            if missing.status != 404:
                raise
            return True
        return False

    wait_until(gone, what=f"{kind} {name} to go")  # a namespace is emptied first


def test_merge_patch_and_replace_of_a_config_map(http: httpx.Client) -> None:
    url = "/api/v1/namespaces/default/configmaps"
    made = http.post(url, json={"metadata": {"name": "flags"}, "data": {"a": "1", "b": "2"}})
    assert made.status_code == 201
    merged = _request(http, "PATCH", f"{url}/flags", {"data": {"a": None, "c": "3"}})
    assert merged.json()["data"] == {"b": "2", "c": "3"}
    current = merged.json()
    current["data"] = {"only": "this"}
    replaced = http.put(f"{url}/flags", json=current)
    assert replaced.json()["data"] == {"only": "this"}
    stale = http.put(f"{url}/flags", json=current)  # the resourceVersion is now old
    assert stale.status_code == 409
    assert stale.json()["reason"] == "Conflict"


@pytest.mark.timeout(30)
def test_watch_streams_config_map_changes(api_client: client.ApiClient) -> None:
    core = client.CoreV1Api(api_client)
    version = core.list_namespaced_config_map("default").metadata.resource_version
    core.create_namespaced_config_map("default", {"metadata": {"name": "w"}, "data": {"n": "1"}})
    core.patch_namespaced_config_map("w", "default", {"data": {"n": "2"}})
    core.delete_namespaced_config_map("w", "default")
    seen = []
    stream = watch.Watch()
    for event in stream.stream(
        core.list_namespaced_config_map, "default", resource_version=version, timeout_seconds=5
    ):
        obj = event["object"]
        assert isinstance(obj, client.V1ConfigMap)
        seen.append((event["type"], obj.data))
        if event["type"] == "DELETED":
            stream.stop()
    assert seen == [("ADDED", {"n": "1"}), ("MODIFIED", {"n": "2"}), ("DELETED", {"n": "2"})]


@needs_kubectl
def test_kubectl_gets_the_new_kinds_as_tables(kubectl: Kubectl, http: httpx.Client) -> None:
    namespaced = "/api/v1/namespaces/default"
    http.post(
        f"{namespaced}/services",
        json={"metadata": {"name": "web"}, "spec": {"ports": [{"port": 80}], "type": "NodePort"}},
    )
    http.post(f"{namespaced}/secrets", json={"metadata": {"name": "token"}, "data": {"t": "eA=="}})
    http.post(
        "/apis/policy/v1/namespaces/default/poddisruptionbudgets",
        json={"metadata": {"name": "payment"}, "spec": KINDS["PodDisruptionBudget"][4]["spec"]},
    )
    services = kubectl("get", "svc", "web").stdout.splitlines()
    assert services[0].split() == ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"]
    assert services[1].split()[1] == "NodePort"
    assert services[1].split()[4].startswith("80:3")
    secrets = kubectl("get", "secrets").stdout.splitlines()
    assert secrets[1].split()[:3] == ["token", "Opaque", "1"]
    nodes = kubectl("get", "nodes").stdout.splitlines()
    assert [line.split()[:2] for line in nodes[1:]] == [
        ["sandbox-node-1", "Ready"],
        ["sandbox-node-2", "Ready"],
    ]
    budget = kubectl("get", "pdb", "payment").stdout.splitlines()
    assert budget[0].split()[:3] == ["NAME", "MIN", "AVAILABLE"]
    assert budget[1].split()[:4] == ["payment", "N/A", "1", "1"]
    accounts = kubectl("get", "sa", "-A", "-o", "name").stdout.split()
    assert accounts == ["serviceaccount/default", "serviceaccount/default"]
    role = {"metadata": {"name": "viewer"}, **KINDS["ClusterRole"][4]}
    http.post("/apis/rbac.authorization.k8s.io/v1/clusterroles", json=role)
    roles = kubectl("get", "clusterroles").stdout.splitlines()
    assert roles[0].split() == ["NAME", "CREATED", "AT"]
    assert roles[1].split()[0] == "viewer"
    assert roles[1].split()[1].endswith("Z")  # a date column, as a real server prints it
