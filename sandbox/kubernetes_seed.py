"""The sandbox cluster's starting state: two nodes, and two namespaces of running apps with
some history.

History is built by really rolling the controller through past releases at past moments, so
ReplicaSets, revisions and change-causes look exactly as later rollouts will make them.
"""

from __future__ import annotations

import time
from typing import Any

from .kubernetes_controller import ClusterController
from .kubernetes_pods import NODES
from .kubernetes_resources import SERVER_VERSION
from .kubernetes_store import ObjectStore, rfc3339
from .kubernetes_workloads import CHANGE_CAUSE, default_deployment

NAMESPACES = ("default", "staging")
APPS = ("payment", "marvel-collection", "cart", "user-api", "order-service", "frontend", "auth")
#: Apps that start with a short release history, so `history` and `rollback` have something.
RELEASES = {"payment": ("0.9.0", "0.9.5", "1.0.0"), "cart": ("0.9.0", "0.9.5", "1.0.0")}
REGISTRY = "registry.example.com"
DAY = 86_400.0


def new_namespace(name: str) -> dict[str, Any]:
    return {
        "kind": "Namespace",
        "apiVersion": "v1",
        "metadata": {"name": name, "labels": {"kubernetes.io/metadata.name": name}},
        "spec": {"finalizers": ["kubernetes"]},
        "status": {"phase": "Active"},
    }


def new_node(name: str, zone: str, ip: str, created: float) -> dict[str, Any]:
    """A Ready worker as its kubelet registers it; the labels are those schedulers spread on."""
    index = list(NODES).index(name) if name in NODES else 0
    capacity = {"cpu": "4", "memory": "16362964Ki", "pods": "110", "ephemeral-storage": "102350Mi"}
    stamp = rfc3339(created)
    conditions = [
        ("MemoryPressure", "False", "KubeletHasSufficientMemory"),
        ("DiskPressure", "False", "KubeletHasNoDiskPressure"),
        ("PIDPressure", "False", "KubeletHasSufficientPID"),
        ("Ready", "True", "KubeletReady"),
    ]
    return {
        "kind": "Node",
        "apiVersion": "v1",
        "metadata": {
            "name": name,
            "labels": {
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                "topology.kubernetes.io/region": "sandbox",
                "topology.kubernetes.io/zone": zone,
            },
        },
        "spec": {"podCIDR": f"10.244.{index}.0/24", "podCIDRs": [f"10.244.{index}.0/24"]},
        "status": {
            "conditions": [
                {
                    "type": kind,
                    "status": value,
                    "reason": reason,
                    "lastHeartbeatTime": stamp,
                    "lastTransitionTime": stamp,
                }
                for kind, value, reason in conditions
            ],
            "addresses": [
                {"type": "InternalIP", "address": ip},
                {"type": "Hostname", "address": name},
            ],
            "capacity": capacity,
            "allocatable": dict(capacity),
            "nodeInfo": {
                "kubeletVersion": SERVER_VERSION["gitVersion"],
                "kubeProxyVersion": SERVER_VERSION["gitVersion"],
                "containerRuntimeVersion": "containerd://1.7.24",
                "osImage": "Debian GNU/Linux 12 (bookworm)",
                "kernelVersion": "6.1.0-28-amd64",
                "operatingSystem": "linux",
                "architecture": "amd64",
                "machineID": f"{index:032x}",
                "systemUUID": f"00000000-0000-0000-0000-{index:012x}",
                "bootID": f"00000000-0000-0000-0000-{index + 100:012x}",
            },
        },
    }


def seed_nodes(store: ObjectStore, at: float) -> None:
    for name, (zone, ip) in NODES.items():
        store.create("Node", new_node(name, zone, ip, at), created_at=at)


def seed_bare(store: ObjectStore, controller: ClusterController) -> None:
    """An empty cluster: its nodes and the `default` namespace, as a fresh install has."""
    now = time.time()
    seed_nodes(store, now)
    store.create("Namespace", new_namespace("default"), created_at=now)
    controller.settle(now)


def new_deployment(name: str, namespace: str, image: str, replicas: int = 2) -> dict[str, Any]:
    labels = {"app": name}
    deployment: dict[str, Any] = {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {
            "name": name,
            "namespace": namespace,
            "labels": dict(labels),
            "generation": 1,
            "annotations": {},
        },
        "spec": {
            "replicas": replicas,
            "revisionHistoryLimit": 10,
            "selector": {"matchLabels": dict(labels)},
            "template": {
                "metadata": {"labels": dict(labels)},
                "spec": {
                    "containers": [
                        {
                            "name": name,
                            "image": image,
                            "ports": [{"name": "http", "containerPort": 8080}],
                        }
                    ]
                },
            },
        },
    }
    default_deployment(deployment)
    return deployment


def seed(store: ObjectStore, controller: ClusterController, now: float | None = None) -> None:
    now = time.time() if now is None else now
    start = now - 30 * DAY
    delay = controller.pod_start_delay
    controller.events.enabled = False  # events of a month ago would have expired long since
    controller.pod_start_delay = 0.0  # seeded pods are long since Ready
    try:
        seed_nodes(store, start - DAY)
        for offset, namespace in enumerate(NAMESPACES):
            store.create("Namespace", new_namespace(namespace), created_at=start - DAY + offset)
        for namespace in NAMESPACES:
            for app in APPS:
                releases = RELEASES.get(app, ("1.0.0",))
                image = f"{REGISTRY}/{app}:{releases[0]}"
                deployment = new_deployment(app, namespace, image)
                if len(releases) > 1:
                    deployment["metadata"]["annotations"][CHANGE_CAUSE] = (
                        f"deploy {app} {releases[0]}"
                    )
                store.create("Deployment", deployment, created_at=start)
        controller.settle(start)
        for step in range(1, max(len(r) for r in RELEASES.values())):
            moment = start + step * 7 * DAY
            for namespace in NAMESPACES:
                for app, releases in RELEASES.items():
                    if step >= len(releases):
                        continue
                    found = store.get("Deployment", namespace, app)
                    assert found is not None
                    found["spec"]["template"]["spec"]["containers"][0]["image"] = (
                        f"{REGISTRY}/{app}:{releases[step]}"
                    )
                    found["metadata"]["annotations"][CHANGE_CAUSE] = (
                        f"deploy {app} {releases[step]}"
                    )
                    found["metadata"]["generation"] += 1
                    store.update("Deployment", found)
            controller.settle(moment)
    finally:
        controller.events.enabled = True
        controller.pod_start_delay = delay
