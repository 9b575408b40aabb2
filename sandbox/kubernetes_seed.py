"""The sandbox cluster's starting state: two namespaces of running apps with some history.

History is built by really rolling the controller through past releases at past moments, so
ReplicaSets, revisions and change-causes look exactly as later rollouts will make them.
"""

from __future__ import annotations

import time
from typing import Any

from .kubernetes_controller import ClusterController
from .kubernetes_store import ObjectStore
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
