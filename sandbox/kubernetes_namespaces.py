"""The namespace and service-account controllers: every namespace gets its `default`
ServiceAccount, and a deleted namespace is emptied before it disappears.

Like the real controllers they act after the API call, on the next pass of the control loop,
and change objects only through the store so watchers see every step.
"""

from __future__ import annotations

from typing import Any

from .kubernetes_resources import RESOURCES
from .kubernetes_store import ObjectStore

Obj = dict[str, Any]


def new_service_account(name: str, namespace: str) -> Obj:
    return {
        "kind": "ServiceAccount",
        "apiVersion": "v1",
        "metadata": {"name": name, "namespace": namespace},
    }


def sync_namespaces(store: ObjectStore, now: float) -> None:
    for namespace in store.select("Namespace"):
        name = namespace["metadata"]["name"]
        if namespace["metadata"].get("deletionTimestamp"):
            _finalize(store, name)
        elif store.get("ServiceAccount", name, "default") is None:
            store.create("ServiceAccount", new_service_account("default", name), created_at=now)


def _finalize(store: ObjectStore, namespace: str) -> None:
    """Delete everything in `namespace`, then the namespace: its `kubernetes` finalizer."""
    for res in RESOURCES:
        if not res.namespaced:
            continue
        for obj in store.select(res.kind, namespace):
            store.delete(res.kind, namespace, obj["metadata"]["name"])
    store.delete("Namespace", "", namespace)
