"""`kubectl apply` with its default validation: kubectl reads the OpenAPI v3 documents, sees
that the server validates fields itself, and sends `fieldValidation=Strict`; the sandbox must
then create, patch and refuse exactly as a real API server does."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from kubernetes import client

from sandbox.kubernetes import KubernetesSandbox

from .conftest import Kubectl, needs_kubectl

MANIFEST = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: web
  labels: {app: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers:
        - name: web
          image: registry.example.com/web:1.0.0
          ports: [{name: http, containerPort: 8080}]
---
apiVersion: v1
kind: Service
metadata:
  name: web
spec:
  selector: {app: web}
  ports:
    - {name: http, port: 80, targetPort: http}
"""


@pytest.fixture
def http(sandbox: KubernetesSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url) as session:
        yield session


def _calls(sandbox: KubernetesSandbox, method: str, resource: str) -> list[dict[str, Any]]:
    return [c for c in sandbox.calls if c["method"] == method and c.get("resource") == resource]


@needs_kubectl
def test_apply_with_default_validation_creates_then_patches(
    kubectl: Kubectl,
    sandbox: KubernetesSandbox,
    apps: client.AppsV1Api,
    core: client.CoreV1Api,
    tmp_path: Path,
) -> None:
    manifest = tmp_path / "web.yaml"
    manifest.write_text(MANIFEST)

    created = kubectl("apply", "-f", str(manifest)).stdout
    assert "deployment.apps/web created" in created
    assert "service/web created" in created
    assert apps.read_namespaced_deployment("web", "default").spec.replicas == 2
    service = core.read_namespaced_service("web", "default")
    assert service.spec.cluster_ip
    # kubectl left validation to the server, having read the v3 document of each group.
    posts = _calls(sandbox, "POST", "deployments") + _calls(sandbox, "POST", "services")
    assert [c["query"]["fieldValidation"] for c in posts] == ["Strict", "Strict"]
    assert any(c["path"] == "/openapi/v3/apis/apps/v1" for c in sandbox.calls)

    again = kubectl("apply", "-f", str(manifest)).stdout
    assert "deployment.apps/web unchanged" in again
    assert "service/web unchanged" in again

    manifest.write_text(
        MANIFEST.replace("replicas: 2", "replicas: 3").replace("port: 80", "port: 81")
    )
    changed = kubectl("apply", "-f", str(manifest)).stdout
    assert "deployment.apps/web configured" in changed
    assert "service/web configured" in changed
    assert [c["patch_type"] for c in _calls(sandbox, "PATCH", "deployments")] == ["strategic"]
    assert apps.read_namespaced_deployment("web", "default").spec.replicas == 3
    patched = core.read_namespaced_service("web", "default")
    assert [p.port for p in patched.spec.ports] == [81]
    assert patched.spec.cluster_ip == service.spec.cluster_ip  # allocated once, kept


@needs_kubectl
def test_strict_validation_refuses_unknown_fields(
    kubectl: Kubectl, sandbox: KubernetesSandbox, tmp_path: Path
) -> None:
    manifest = tmp_path / "typo.yaml"
    manifest.write_text(MANIFEST.replace("  replicas: 2\n", "  replicas: 2\n  replicaz: 1\n"))
    refused = kubectl("apply", "-f", str(manifest), check=False)
    assert refused.returncode != 0
    assert (
        'Deployment in version "v1" cannot be handled as a Deployment: strict decoding error: '
        'unknown field "spec.replicaz"'
    ) in refused.stderr
    assert sandbox.deployment("web") is None
    assert "service/web created" in refused.stdout  # the other document was fine


def test_without_strict_unknown_fields_are_dropped_with_a_warning(http: httpx.Client) -> None:
    body = {
        "apiVersion": "v1",
        "kind": "ConfigMap",
        "metadata": {"name": "settings", "labelz": {"a": "b"}},
        "data": {"mode": "fast"},
        "dta": {"x": "y"},
    }
    url = "/api/v1/namespaces/default/configmaps"
    warned = http.post(url, json=body)
    assert warned.status_code == 201
    assert warned.headers["warning"] == (
        '299 - "unknown field \\"metadata.labelz\\"", 299 - "unknown field \\"dta\\""'
    )
    stored = http.get(f"{url}/settings").json()
    assert "dta" not in stored
    assert "labelz" not in stored["metadata"]
    assert stored["data"] == {"mode": "fast"}

    quiet = http.post(
        url, params={"fieldValidation": "Ignore"}, json={**body, "metadata": {"name": "b"}}
    )
    assert quiet.status_code == 201
    assert "warning" not in quiet.headers
    strict = http.post(
        url, params={"fieldValidation": "Strict"}, json={**body, "metadata": {"name": "c"}}
    )
    assert strict.status_code == 400
    assert strict.json()["message"].endswith('strict decoding error: unknown field "dta"')
    patch = http.patch(
        f"{url}/settings",
        params={"fieldValidation": "Strict"},
        content=json.dumps({"spec": {"x": 1}}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    assert patch.status_code == 400
    assert patch.json()["reason"] == "BadRequest"


def test_openapi_v3_says_every_patch_takes_field_validation(
    http: httpx.Client,
) -> None:
    index = http.get("/openapi/v3").json()["paths"]
    assert set(index) == {
        "api/v1",
        "apis/apps/v1",
        "apis/policy/v1",
        "apis/rbac.authorization.k8s.io/v1",
    }
    kinds_patched = set()
    for entry in index.values():
        url = entry["serverRelativeURL"]
        assert "?hash=" in url
        document = http.get(url).json()
        for path, operations in document["paths"].items():
            patch = operations.get("patch")
            if patch is None:
                continue
            gvk = patch["x-kubernetes-group-version-kind"]
            names = {p["name"] for p in patch["parameters"] if p["in"] == "query"}
            assert "fieldValidation" in names, path
            assert "application/strategic-merge-patch+json" in patch["requestBody"]["content"]
            kinds_patched.add(gvk["kind"])
    assert {
        "Deployment",
        "Service",
        "ConfigMap",
        "Secret",
        "ServiceAccount",
        "PersistentVolumeClaim",
        "Namespace",
        "Role",
        "ClusterRole",
        "RoleBinding",
        "ClusterRoleBinding",
        "PodDisruptionBudget",
        "Scale",
    } <= kinds_patched
    assert http.get("/openapi/v3/apis/batch/v1").status_code == 404
