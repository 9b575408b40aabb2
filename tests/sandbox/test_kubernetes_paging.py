"""Paged lists, `limit` and `continue`, as the API server pages them: every page is cut from
the snapshot of the first, an expired token answers 410 with a way to go on, a malformed one
400, and the python client and `kubectl get --chunk-size` page through the sandbox."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator

import httpx
import pytest
from kubernetes import client
from kubernetes.client.rest import ApiException

from sandbox.kubernetes import KubernetesSandbox

from .conftest import Kubectl, needs_kubectl

Core = client.CoreV1Api


def _token(**fields: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(fields).encode()).decode().rstrip("=")


def _pages(core: Core, limit: int, **options: str) -> Iterator[client.V1PodList]:
    token = None
    while True:
        page = core.list_pod_for_all_namespaces(limit=limit, _continue=token, **options)
        yield page
        token = page.metadata._continue
        if not token:
            return


def test_the_python_client_pages_through_every_pod(core: Core) -> None:
    everything = [p.metadata.name for p in core.list_pod_for_all_namespaces().items]
    assert len(everything) == 28
    pages = list(_pages(core, 5))
    assert [len(p.items) for p in pages] == [5, 5, 5, 5, 5, 3]
    paged = [p.metadata.name for page in pages for p in page.items]
    assert paged == everything  # the same items in the same (key) order, none twice
    # Without a selector the server says how many are left; the last page has no token.
    assert [p.metadata.remaining_item_count for p in pages] == [23, 18, 13, 8, 3, None]
    assert len({p.metadata.resource_version for p in pages}) == 1


def test_pages_with_a_selector_count_matches_only(core: Core) -> None:
    pages = list(_pages(core, 3, label_selector="app in (payment,cart)"))
    names = [p.metadata.name for page in pages for p in page.items]
    assert len(names) == 8
    assert all(name.startswith(("payment-", "cart-")) for name in names)
    assert {p.metadata.remaining_item_count for p in pages} == {None}


def test_every_page_comes_from_the_first_page_s_snapshot(core: Core) -> None:
    for name in ("cm-1", "cm-2", "cm-3"):
        core.create_namespaced_config_map(
            "default", {"metadata": {"name": name}, "data": {"v": "1"}}
        )
    first = core.list_namespaced_config_map("default", limit=1)
    assert [c.metadata.name for c in first.items] == ["cm-1"]
    core.delete_namespaced_config_map("cm-2", "default")
    core.patch_namespaced_config_map("cm-3", "default", {"data": {"v": "2"}})
    core.create_namespaced_config_map("default", {"metadata": {"name": "cm-4"}})
    rest = core.list_namespaced_config_map("default", limit=10, _continue=first.metadata._continue)
    assert [(c.metadata.name, c.data) for c in rest.items] == [
        ("cm-2", {"v": "1"}),
        ("cm-3", {"v": "1"}),
    ]
    assert rest.metadata.resource_version == first.metadata.resource_version
    now = core.list_namespaced_config_map("default")
    assert [(c.metadata.name, c.data) for c in now.items] == [
        ("cm-1", {"v": "1"}),
        ("cm-3", {"v": "2"}),
        ("cm-4", None),
    ]


def test_an_expired_token_is_gone_but_offers_a_way_on() -> None:
    # A short history stands in for etcd's compaction: 60 changes and the first page is gone.
    with KubernetesSandbox(seed=False, tick=0.02, history=50) as sandbox:
        url = "/api/v1/namespaces/default/configmaps"
        with httpx.Client(base_url=sandbox.url) as http:
            for name in ("a", "b", "c"):
                http.post(url, json={"metadata": {"name": name}})
            first = http.get(url, params={"limit": "1"}).json()
            for round_ in range(60):
                patch = json.dumps({"data": {"round": str(round_)}})
                headers = {"Content-Type": "application/merge-patch+json"}
                http.patch(f"{url}/c", content=patch, headers=headers)
            expired = http.get(
                url, params={"limit": "1", "continue": first["metadata"]["continue"]}
            )
            assert expired.status_code == 410
            status = expired.json()
            assert (status["kind"], status["reason"], status["code"]) == ("Status", "Expired", 410)
            assert status["message"].startswith(
                "The provided continue parameter is too old to display a consistent list result."
            )
            # The token in the answer goes on from the same place, with the current state.
            rest = http.get(url, params={"continue": status["metadata"]["continue"]}).json()
    assert [c["metadata"]["name"] for c in rest["items"]] == ["b", "c"]
    assert rest["items"][1]["data"] == {"round": "59"}


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("not a token!", "invalid continue token: continue key is not valid: "),
        (_token(v="meta.k8s.io/v2", rv=5, start="a"), "server does not recognize this encoded"),
        (
            _token(v="meta.k8s.io/v1", rv=0, start="a"),
            "incorrect encoded start resourceVersion",
        ),
        (_token(v="meta.k8s.io/v1", rv=5, start=""), "encoded start key empty"),
        (_token(v="meta.k8s.io/v1", rv=5, start="../../secrets/x"), "continue key is not valid"),
    ],
)
def test_a_malformed_token_is_a_bad_request(core: Core, token: str, message: str) -> None:
    with pytest.raises(ApiException) as refused:
        core.list_namespaced_pod("default", limit=1, _continue=token)
    assert refused.value.status == 400
    body = json.loads(refused.value.body)
    assert body["reason"] == "BadRequest"
    assert message in body["message"]


@needs_kubectl
def test_kubectl_get_pages_with_chunk_size(kubectl: Kubectl, sandbox: KubernetesSandbox) -> None:
    whole = kubectl("get", "pods", "-A").stdout.splitlines()
    chunked = kubectl("get", "pods", "-A", "--chunk-size=1").stdout.splitlines()
    assert [line.split()[:2] for line in chunked] == [line.split()[:2] for line in whole]
    assert len(chunked) == 29  # one header, then every pod
    paged = [
        c
        for c in sandbox.calls
        if c.get("resource") == "pods" and c["verb"] == "list" and c["query"].get("limit") == "1"
    ]
    assert len(paged) == 28
    assert sum(1 for c in paged if "continue" in c["query"]) == 27
