"""The sandbox's own surface over raw HTTP: discovery, tables, watches, state, journal, faults."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from sandbox.kubeconfig import write_kubeconfig
from sandbox.kubernetes import KubernetesSandbox

from .conftest import wait_until

TABLE = "application/json;as=Table;v=v1;g=meta.k8s.io,application/json"


@pytest.fixture
def http(sandbox: KubernetesSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=10) as session:
        yield session


def test_discovery(http: httpx.Client) -> None:
    version = http.get("/version").json()
    assert (version["major"], version["minor"]) == ("1", "32")
    assert http.get("/api").json()["versions"] == ["v1"]
    groups = http.get("/apis").json()
    assert groups["kind"] == "APIGroupList"
    assert groups["groups"][0]["preferredVersion"]["groupVersion"] == "apps/v1"
    apps = {r["name"]: r for r in http.get("/apis/apps/v1").json()["resources"]}
    assert apps["deployments"]["shortNames"] == ["deploy"]
    assert apps["replicasets"]["shortNames"] == ["rs"]
    assert apps["deployments/scale"]["kind"] == "Scale"
    assert "patch" in apps["deployments"]["verbs"]
    core = {r["name"]: r for r in http.get("/api/v1").json()["resources"]}
    assert core["pods"]["shortNames"] == ["po"]
    assert core["namespaces"]["namespaced"] is False
    assert "pods/log" in core
    missing = http.get("/apis/batch/v1")
    assert missing.status_code == 404
    assert missing.json()["kind"] == "Status"


def test_bearer_tokens_are_accepted_and_ignored(http: httpx.Client) -> None:
    answer = http.get("/api/v1/namespaces", headers={"Authorization": "Bearer anything"})
    assert answer.status_code == 200
    assert [n["metadata"]["name"] for n in answer.json()["items"]] == ["default", "staging"]


def test_tables_for_get(http: httpx.Client) -> None:
    table = http.get("/api/v1/namespaces/default/pods", headers={"Accept": TABLE}).json()
    assert table["kind"] == "Table"
    assert [c["name"] for c in table["columnDefinitions"] if c["priority"] == 0] == [
        "Name",
        "Ready",
        "Status",
        "Restarts",
        "Age",
    ]
    assert table["rows"][0]["object"]["kind"] == "PartialObjectMetadata"
    one = http.get(
        "/apis/apps/v1/namespaces/default/deployments/payment", headers={"Accept": TABLE}
    ).json()
    assert one["rows"][0]["cells"][:4] == ["payment", "2/2", 2, 2]
    plain = http.get("/apis/apps/v1/namespaces/default/deployments").json()
    assert plain["kind"] == "DeploymentList"
    assert all(item["kind"] == "Deployment" for item in plain["items"])


def test_selectors_filter_lists(http: httpx.Client) -> None:
    def names(**params: str) -> set[str]:
        answer = http.get("/apis/apps/v1/deployments", params=params)
        return {
            f"{d['metadata']['namespace']}/{d['metadata']['name']}" for d in answer.json()["items"]
        }

    assert names(
        labelSelector="app in (cart, auth)", fieldSelector="metadata.namespace=staging"
    ) == {"staging/cart", "staging/auth"}
    assert names(fieldSelector="metadata.name=payment") == {"default/payment", "staging/payment"}
    assert len(names(labelSelector="app")) == 14
    assert names(labelSelector="!app") == set()
    bad = http.get("/apis/apps/v1/deployments", params={"labelSelector": "app in"})
    assert bad.status_code == 400


@pytest.mark.timeout(15)
def test_watch_ends_at_its_timeout(http: httpx.Client, sandbox: KubernetesSandbox) -> None:
    listed = http.get(
        "/apis/apps/v1/namespaces/default/deployments",
        params={"fieldSelector": "metadata.name=payment"},
    ).json()
    version = listed["metadata"]["resourceVersion"]
    params = {
        "watch": "true",
        "fieldSelector": "metadata.name=payment",
        "resourceVersion": version,
        "timeoutSeconds": "1",
    }
    http.patch(
        "/apis/apps/v1/namespaces/default/deployments/payment",
        content=json.dumps({"spec": {"replicas": 3}}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    with http.stream("GET", "/apis/apps/v1/namespaces/default/deployments", params=params) as reply:
        assert reply.headers["transfer-encoding"] == "chunked"
        events = [json.loads(line) for line in reply.iter_lines() if line]
    assert events
    assert {e["type"] for e in events} == {"MODIFIED"}
    assert {e["object"]["metadata"]["name"] for e in events} == {"payment"}
    assert events[0]["object"]["spec"]["replicas"] == 3


def test_state_and_journal(http: httpx.Client) -> None:
    http.patch(
        "/apis/apps/v1/namespaces/default/deployments/payment/scale",
        content=json.dumps({"spec": {"replicas": 3}}),
        headers={"Content-Type": "application/merge-patch+json"},
    )
    state = http.get("/_sandbox/state").json()
    assert state["server"] == "kubernetes"
    assert state["namespaces"] == ["default", "staging"]
    payment = next(
        d for d in state["deployments"] if (d["namespace"], d["name"]) == ("default", "payment")
    )
    assert payment["replicas"] == 3
    assert payment["revision"] == 3
    assert payment["image"] == "registry.example.com/payment:1.0.0"
    assert {rs["revision"] for rs in state["replicasets"] if rs["owner"] == "payment"} == {1, 2, 3}
    assert len(state["pods"]) >= 28
    call = state["calls"][-1]
    assert {
        k: call[k] for k in ("verb", "resource", "namespace", "name", "patch_type", "body")
    } == {
        "verb": "patch",
        "resource": "deployments/scale",
        "namespace": "default",
        "name": "payment",
        "patch_type": "merge",
        "body": {"spec": {"replicas": 3}},
    }


def test_faults_answer_in_status_shape(http: httpx.Client) -> None:
    http.post(
        "/_sandbox/faults",
        json={"match": "^GET /api/v1/namespaces/default/pods$", "status": 503, "times": 1},
    )
    failed = http.get("/api/v1/namespaces/default/pods")
    assert failed.status_code == 503
    assert failed.json()["reason"] == "ServiceUnavailable"
    assert http.get("/api/v1/namespaces/default/pods").status_code == 200
    http.post("/_sandbox/faults", json={"match": "^GET /apis/apps/v1/deployments", "status": 403})
    denied = http.get("/apis/apps/v1/deployments").json()
    assert denied["message"] == (
        'deployments.apps is forbidden: User "kuber" cannot list resource "deployments" '
        'in API group "apps" at the cluster scope'
    )
    http.delete("/_sandbox/faults")
    assert http.get("/apis/apps/v1/deployments").status_code == 200


def test_progress_deadline_is_reported(sandbox: KubernetesSandbox, http: httpx.Client) -> None:
    patch = {
        "spec": {
            "progressDeadlineSeconds": 1,
            "template": {
                "spec": {
                    "containers": [
                        {"name": "cart", "image": "registry.example.com/cart:2.0.0-crash"}
                    ]
                }
            },
        }
    }
    http.patch(
        "/apis/apps/v1/namespaces/default/deployments/cart",
        content=json.dumps(patch),
        headers={"Content-Type": "application/strategic-merge-patch+json"},
    )

    def progressing() -> dict[str, Any] | None:
        deployment = sandbox.deployment("cart") or {}
        conditions = deployment.get("status", {}).get("conditions", [])
        found = next((c for c in conditions if c["type"] == "Progressing"), None)
        return found if found and found["reason"] == "ProgressDeadlineExceeded" else None

    condition = wait_until(progressing, what="ProgressDeadlineExceeded")
    assert condition["status"] == "False"
    summary = next(d for d in sandbox.state()["deployments"] if d["name"] == "cart")
    assert summary["status"] == "failed"


def test_unseeded_sandbox_has_only_default() -> None:
    with KubernetesSandbox(seed=False, tick=0.02) as bare:
        state = bare.state()
    assert state["namespaces"] == ["default"]
    assert state["deployments"] == []


def test_kubeconfig_names_one_context_per_cluster(tmp_path: Path) -> None:
    path = write_kubeconfig(
        tmp_path / "nested" / "config",
        {"dev": "http://127.0.0.1:1", "prod": "http://127.0.0.1:2"},
        current="prod",
    )
    config = yaml.safe_load(path.read_text())
    assert config["current-context"] == "prod"
    assert [c["name"] for c in config["contexts"]] == ["dev", "prod"]
    assert config["contexts"][1]["context"] == {
        "cluster": "prod",
        "user": "kuber",
        "namespace": "default",
    }
    assert config["clusters"][0]["cluster"]["server"] == "http://127.0.0.1:1"
    assert path.stat().st_mode & 0o077 == 0
    with pytest.raises(ValueError, match="current context"):
        write_kubeconfig(tmp_path / "x", {"dev": "http://x"}, current="nope")


def test_protobuf_bodies_are_refused_plainly(http: httpx.Client) -> None:
    answer = http.post(
        "/apis/apps/v1/namespaces/default/deployments",
        content=b"k8s\x00\n\x15",
        headers={"Content-Type": "application/vnd.kubernetes.protobuf"},
    )
    assert answer.status_code == 415
    assert answer.json()["reason"] == "UnsupportedMediaType"
