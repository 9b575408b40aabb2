"""The sandbox records whom each request impersonates, and refuses the users and groups it is
told to, as RBAC would: over raw HTTP, and with the real kubectl's `--as`/`--as-group`."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from sandbox.kubernetes import KubernetesSandbox
from sandbox.kubernetes_impersonation import Refusal

from .conftest import POD_START_DELAY, TICK, Kubectl, needs_kubectl

DEPLOYMENTS = "/apis/apps/v1/namespaces/default/deployments"
ALICE = [("Impersonate-User", "alice@example.com")]


@pytest.fixture
def http(sandbox: KubernetesSandbox) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=sandbox.url, timeout=10) as session:
        yield session


def journal(http: httpx.Client) -> list[dict[str, Any]]:
    return list(http.get("/_sandbox/state").json()["calls"])


def test_the_journal_records_the_user_and_every_group_of_a_request(http: httpx.Client) -> None:
    headers = [*ALICE, ("Impersonate-Group", "payments"), ("Impersonate-Group", "oncall")]
    assert http.get(f"{DEPLOYMENTS}/cart", headers=headers).status_code == 200
    assert http.get(f"{DEPLOYMENTS}/cart").status_code == 200
    first, second = journal(http)[-2:]
    assert first["impersonate"] == {"user": "alice@example.com", "groups": ["payments", "oncall"]}
    assert "impersonate" not in second


def test_a_refused_user_gets_rbacs_forbidden_status(http: httpx.Client) -> None:
    added = http.post("/_sandbox/refusals", json={"user": "alice@example.com", "verbs": ["patch"]})
    assert added.status_code == 201
    patch = {"spec": {"replicas": 4}}
    merge = {"Content-Type": "application/merge-patch+json"}
    refused = http.patch(f"{DEPLOYMENTS}/cart/scale", json=patch, headers=[*ALICE, *merge.items()])
    assert refused.status_code == 403
    assert refused.json() == {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": 'deployments.apps "cart" is forbidden: User "alice@example.com" cannot patch '
        'resource "deployments/scale" in API group "apps" in the namespace "default"',
        "reason": "Forbidden",
        "details": {"kind": "deployments", "name": "cart", "group": "apps"},
        "code": 403,
    }
    # Other verbs, other people and Kuber itself are not refused.
    assert http.get(f"{DEPLOYMENTS}/cart", headers=ALICE).status_code == 200
    assert http.patch(f"{DEPLOYMENTS}/cart/scale", json=patch, headers=merge).status_code == 200
    state = http.get("/_sandbox/state").json()
    assert state["refusals"] == [
        {
            "user": "alice@example.com",
            "group": None,
            "verbs": ["patch"],
            "resources": None,
            "namespace": None,
        }
    ]
    assert [c["status"] for c in state["calls"] if c["method"] == "PATCH"] == [403, 200]
    assert http.delete("/_sandbox/refusals").status_code == 200
    assert http.get("/_sandbox/state").json()["refusals"] == []


def test_a_refused_group_is_refused_to_whoever_acts_in_it(http: httpx.Client) -> None:
    http.post("/_sandbox/refusals", json={"group": "contractors", "namespace": "default"})
    as_contractor = [*ALICE, ("Impersonate-Group", "contractors")]
    listed = http.get(DEPLOYMENTS, headers=as_contractor)
    assert listed.status_code == 403
    assert listed.json()["message"] == (
        'deployments.apps is forbidden: User "alice@example.com" cannot list resource '
        '"deployments" in API group "apps" in the namespace "default"'
    )
    assert http.get(DEPLOYMENTS, headers=ALICE).status_code == 200
    # Refused only in the namespace named.
    assert http.get(
        "/apis/apps/v1/namespaces/staging/deployments", headers=as_contractor
    ).is_success


def test_bad_refusals_are_answered_400(http: httpx.Client) -> None:
    for spec in ({}, {"user": "a", "group": "b"}, {"user": "a", "verb": "get"}, {"user": 1}):
        assert http.post("/_sandbox/refusals", json=spec).status_code == 400


def test_groups_without_a_user_are_an_error_as_on_a_real_server(http: httpx.Client) -> None:
    answer = http.get(f"{DEPLOYMENTS}/cart", headers={"Impersonate-Group": "payments"})
    assert answer.status_code == 500
    assert answer.json()["message"].endswith("without impersonating a user")
    assert journal(http)[-1]["impersonate"] == {"user": None, "groups": ["payments"]}


def test_refusals_given_to_the_constructor_hold_from_the_start() -> None:
    refusal = Refusal(user="alice@example.com", resources=("pods/log",))
    with KubernetesSandbox(pod_start_delay=POD_START_DELAY, tick=TICK, refusals=[refusal]) as s:
        pods = httpx.get(f"{s.url}/api/v1/namespaces/default/pods", headers=ALICE).json()
        name = pods["items"][0]["metadata"]["name"]
        log = httpx.get(f"{s.url}/api/v1/namespaces/default/pods/{name}/log", headers=ALICE)
    assert log.status_code == 403
    assert f'pods "{name}" is forbidden' in log.json()["message"]
    assert 'cannot get resource "pods/log" in API group ""' in log.json()["message"]


@needs_kubectl
def test_kubectl_as_a_user_and_group_is_recorded_and_refused(
    sandbox: KubernetesSandbox, kubectl: Kubectl, http: httpx.Client
) -> None:
    kubectl("get", "deploy", "cart", "--as", "alice@example.com", "--as-group", "payments")
    gets = [c for c in journal(http) if c.get("name") == "cart" and c["method"] == "GET"]
    assert gets[-1]["impersonate"] == {"user": "alice@example.com", "groups": ["payments"]}
    sandbox.refuse(user="alice@example.com", verbs=["patch"])
    refused = kubectl("scale", "deploy/cart", "--replicas=5", "--as=alice@example.com", check=False)
    assert refused.returncode != 0
    assert (
        'Error from server (Forbidden): deployments.apps "cart" is forbidden: User '
        '"alice@example.com" cannot patch resource "deployments/scale" in API group "apps" in '
        'the namespace "default"' in refused.stderr
    )
    deployment = sandbox.deployment("cart")
    assert deployment is not None
    assert deployment["spec"]["replicas"] == 2
