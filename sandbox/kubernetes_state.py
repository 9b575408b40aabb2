"""What `GET /_sandbox/state` shows of a Kubernetes sandbox: short summaries tests assert on.

Reads the store only; the summaries are the sandbox's own shape, not the API's.
"""

from __future__ import annotations

from typing import Any

from .kubernetes_controller import owner_uid, pod_ready
from .kubernetes_resources import RESOURCES
from .kubernetes_store import ObjectStore
from .kubernetes_tables import pod_phase_text
from .kubernetes_workloads import REVISION, revision_of

Obj = dict[str, Any]
#: Kinds summarised in full below; every other kind is listed by name under "objects".
_SUMMARISED = {"Namespace", "Deployment", "ReplicaSet", "Pod", "Event"}


def cluster_state(store: ObjectStore, cluster_name: str) -> Obj:
    with store.changed:
        namespaces = store.select("Namespace")
        deployments = store.select("Deployment")
        replica_sets = store.select("ReplicaSet")
        pods = store.select("Pod")
        others = {
            res.plural: [_where(obj) for obj in store.select(res.kind)]
            for res in RESOURCES
            if res.kind not in _SUMMARISED
        }
        version = store.resource_version
    return {
        "cluster": cluster_name,
        "resourceVersion": version,
        "namespaces": [ns["metadata"]["name"] for ns in namespaces],
        "deployments": [_deployment_summary(d) for d in deployments],
        "replicasets": [_replica_set_summary(rs) for rs in replica_sets],
        "pods": [_pod_summary(p) for p in pods],
        "objects": others,
    }


def _where(obj: Obj) -> str:
    meta = obj["metadata"]
    return f"{meta['namespace']}/{meta['name']}" if meta.get("namespace") else str(meta["name"])


def _images(template: Obj) -> list[str]:
    return [c.get("image", "") for c in (template.get("spec") or {}).get("containers") or []]


def _deployment_summary(deployment: Obj) -> Obj:
    meta, spec, status = deployment["metadata"], deployment["spec"], deployment.get("status", {})
    conditions = {c["type"]: c for c in status.get("conditions") or []}
    progressing = conditions.get("Progressing", {})
    if spec.get("paused"):
        summary = "paused"
    elif progressing.get("reason") == "ProgressDeadlineExceeded":
        summary = "failed"
    elif progressing.get("reason") == "NewReplicaSetAvailable" and status.get(
        "observedGeneration", 0
    ) >= meta.get("generation", 1):
        summary = "available"
    else:
        summary = "progressing"
    images = _images(spec["template"])
    return {
        "name": meta["name"],
        "namespace": meta["namespace"],
        "replicas": spec["replicas"],
        "ready": status.get("readyReplicas", 0),
        "updated": status.get("updatedReplicas", 0),
        "available": status.get("availableReplicas", 0),
        "image": images[0] if len(images) == 1 else images,
        "revision": revision_of(deployment),
        "generation": meta.get("generation", 1),
        "observedGeneration": status.get("observedGeneration", 0),
        "status": summary,
        "changeCause": (meta.get("annotations") or {}).get("kubernetes.io/change-cause"),
    }


def _replica_set_summary(replica_set: Obj) -> Obj:
    meta = replica_set["metadata"]
    images = _images(replica_set["spec"]["template"])
    return {
        "name": meta["name"],
        "namespace": meta["namespace"],
        "owner": next((r["name"] for r in meta.get("ownerReferences") or []), None),
        "revision": int((meta.get("annotations") or {}).get(REVISION, "0")),
        "replicas": replica_set["spec"]["replicas"],
        "ready": replica_set.get("status", {}).get("readyReplicas", 0),
        "image": images[0] if len(images) == 1 else images,
    }


def _pod_summary(pod: Obj) -> Obj:
    meta = pod["metadata"]
    containers = pod.get("status", {}).get("containerStatuses") or []
    images = _images({"spec": pod["spec"]})
    return {
        "name": meta["name"],
        "namespace": meta["namespace"],
        "app": meta.get("labels", {}).get("app"),
        "owner": owner_uid(pod)
        and next((r["name"] for r in meta.get("ownerReferences") or []), None),
        "status": pod_phase_text(pod),
        "ready": pod_ready(pod),
        "restarts": sum(c.get("restartCount", 0) for c in containers),
        "image": images[0] if len(images) == 1 else images,
    }
