"""Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for, per resource.

Columns and cell formats follow what a real API server prints, so kubectl output from the
sandbox reads like output from a cluster. Reads objects only; never changes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .kubernetes_resources import ResourceKind
from .kubernetes_selectors import selector_to_string
from .kubernetes_store import parse_rfc3339

Obj = dict[str, Any]


def human_duration(seconds: float) -> str:
    """kubectl's short ages: 45s, 3m20s, 5h10m, 12d."""
    total = int(seconds)
    if total < -1:
        return "<invalid>"
    if total < 0:
        return "0s"
    if total < 120:
        return f"{total}s"
    minutes = total // 60
    if minutes < 10:
        return f"{minutes}m{total % 60}s" if total % 60 else f"{minutes}m"
    if minutes < 180:
        return f"{minutes}m"
    hours = minutes // 60
    if hours < 8:
        return f"{hours}h{minutes % 60}m" if minutes % 60 else f"{hours}h"
    if hours < 48:
        return f"{hours}h"
    if hours < 24 * 8:
        return f"{hours // 24}d{hours % 24}h" if hours % 24 else f"{hours // 24}d"
    if hours < 24 * 365 * 2:
        return f"{hours // 24}d"
    years, days = divmod(hours // 24, 365)
    return f"{years}y{days}d" if days and years < 8 else f"{years}y"


def _age(stamp: str | None, now: float) -> str:
    return human_duration(now - parse_rfc3339(stamp)) if stamp else "<unknown>"


def _column(name: str, kind: str = "string", priority: int = 0, fmt: str = "") -> Obj:
    return {"name": name, "type": kind, "format": fmt, "description": name, "priority": priority}


def _containers(template_spec: Obj) -> tuple[str, str]:
    containers = template_spec.get("containers") or []
    return (
        ",".join(c.get("name", "") for c in containers),
        ",".join(c.get("image", "") for c in containers),
    )


# -- per resource -------------------------------------------------------------------------
def _deployment_row(obj: Obj, now: float) -> list[Any]:
    spec, status = obj.get("spec", {}), obj.get("status", {})
    names, images = _containers(spec.get("template", {}).get("spec", {}))
    return [
        obj["metadata"]["name"],
        f"{status.get('readyReplicas', 0)}/{spec.get('replicas', 0)}",
        status.get("updatedReplicas", 0),
        status.get("availableReplicas", 0),
        _age(obj["metadata"].get("creationTimestamp"), now),
        names,
        images,
        selector_to_string(spec.get("selector")),
    ]


def _replica_set_row(obj: Obj, now: float) -> list[Any]:
    spec, status = obj.get("spec", {}), obj.get("status", {})
    names, images = _containers(spec.get("template", {}).get("spec", {}))
    return [
        obj["metadata"]["name"],
        spec.get("replicas", 0),
        status.get("replicas", 0),
        status.get("readyReplicas", 0),
        _age(obj["metadata"].get("creationTimestamp"), now),
        names,
        images,
        selector_to_string(spec.get("selector")),
    ]


def pod_phase_text(pod: Obj) -> str:
    """The STATUS column: the most telling container reason, else the phase."""
    status = pod.get("status", {})
    reason = status.get("reason") or status.get("phase", "Unknown")
    for container in status.get("containerStatuses") or []:
        state = container.get("state", {})
        if state.get("waiting", {}).get("reason"):
            reason = state["waiting"]["reason"]
        elif state.get("terminated", {}).get("reason"):
            reason = state["terminated"]["reason"]
    if pod["metadata"].get("deletionTimestamp"):
        reason = "Terminating"
    return str(reason)


def _pod_row(obj: Obj, now: float) -> list[Any]:
    status = obj.get("status", {})
    containers = status.get("containerStatuses") or []
    ready = sum(1 for c in containers if c.get("ready"))
    total = len(obj.get("spec", {}).get("containers") or [])
    restarts = sum(c.get("restartCount", 0) for c in containers)
    restart_text = str(restarts)
    finished = [
        c["lastState"]["terminated"]["finishedAt"]
        for c in containers
        if c.get("lastState", {}).get("terminated", {}).get("finishedAt")
    ]
    if restarts and finished:
        restart_text = f"{restarts} ({_age(max(finished), now)} ago)"
    return [
        obj["metadata"]["name"],
        f"{ready}/{total}",
        pod_phase_text(obj),
        restart_text,
        _age(obj["metadata"].get("creationTimestamp"), now),
        status.get("podIP") or "<none>",
        obj.get("spec", {}).get("nodeName") or "<none>",
        "<none>",
        "<none>",
    ]


def _event_row(obj: Obj, now: float) -> list[Any]:
    involved = obj.get("involvedObject", {})
    source = obj.get("source", {})
    return [
        _age(obj.get("lastTimestamp"), now),
        obj.get("type", ""),
        obj.get("reason", ""),
        f"{str(involved.get('kind', '')).lower()}/{involved.get('name', '')}",
        involved.get("fieldPath", ""),
        ", ".join(v for v in (source.get("component"), source.get("host")) if v),
        obj.get("message", ""),
        _age(obj.get("firstTimestamp"), now),
        obj.get("count", 1),
        obj["metadata"]["name"],
    ]


def _namespace_row(obj: Obj, now: float) -> list[Any]:
    return [
        obj["metadata"]["name"],
        obj.get("status", {}).get("phase", "Active"),
        _age(obj["metadata"].get("creationTimestamp"), now),
    ]


def _join(values: list[str]) -> str:
    return ",".join(values) if values else "<none>"


def _service_row(obj: Obj, now: float) -> list[Any]:
    spec = obj.get("spec", {})
    ports = []
    for port in spec.get("ports") or []:
        text = f"{port.get('port')}"
        if port.get("nodePort"):
            text += f":{port['nodePort']}"
        ports.append(f"{text}/{port.get('protocol', 'TCP')}")
    ingress = (obj.get("status", {}).get("loadBalancer") or {}).get("ingress") or []
    external = [i.get("ip") or i.get("hostname", "") for i in ingress] + list(
        spec.get("externalIPs") or []
    )
    if spec.get("type") == "ExternalName":
        external = [spec.get("externalName", "")]
    elif spec.get("type") == "LoadBalancer" and not external:
        external = ["<pending>"]
    selector = spec.get("selector") or {}
    return [
        obj["metadata"]["name"],
        spec.get("type", "ClusterIP"),
        spec.get("clusterIP") or "<none>",
        _join(external),
        _join(ports),
        _age(obj["metadata"].get("creationTimestamp"), now),
        ",".join(f"{k}={v}" for k, v in sorted(selector.items())) or "<none>",
    ]


def _data_row(obj: Obj, now: float) -> list[Any]:
    count = len(obj.get("data") or {}) + len(obj.get("binaryData") or {})
    return [obj["metadata"]["name"], count, _age(obj["metadata"].get("creationTimestamp"), now)]


def _secret_row(obj: Obj, now: float) -> list[Any]:
    return [
        obj["metadata"]["name"],
        obj.get("type", "Opaque"),
        len(obj.get("data") or {}),
        _age(obj["metadata"].get("creationTimestamp"), now),
    ]


def _node_row(obj: Obj, now: float) -> list[Any]:
    status = obj.get("status", {})
    ready = next((c for c in status.get("conditions") or [] if c.get("type") == "Ready"), None)
    state = "Ready" if ready and ready.get("status") == "True" else "NotReady"
    if obj.get("spec", {}).get("unschedulable"):
        state += ",SchedulingDisabled"
    prefix = "node-role.kubernetes.io/"
    roles = sorted(
        k[len(prefix) :] for k in obj["metadata"].get("labels") or {} if k.startswith(prefix)
    )
    addresses = {a.get("type"): a.get("address") for a in status.get("addresses") or []}
    info = status.get("nodeInfo") or {}
    return [
        obj["metadata"]["name"],
        state,
        _join(roles),
        _age(obj["metadata"].get("creationTimestamp"), now),
        info.get("kubeletVersion", ""),
        addresses.get("InternalIP", "<none>"),
        addresses.get("ExternalIP", "<none>"),
        info.get("osImage", "<unknown>"),
        info.get("kernelVersion", "<unknown>"),
        info.get("containerRuntimeVersion", "<unknown>"),
    ]


def _account_row(obj: Obj, now: float) -> list[Any]:
    return [
        obj["metadata"]["name"],
        len(obj.get("secrets") or []),
        _age(obj["metadata"].get("creationTimestamp"), now),
    ]


def _claim_row(obj: Obj, now: float) -> list[Any]:
    spec, status = obj.get("spec", {}), obj.get("status", {})
    modes = {"ReadWriteOnce": "RWO", "ReadOnlyMany": "ROX", "ReadWriteMany": "RWX"}
    modes["ReadWriteOncePod"] = "RWOP"
    bound = status.get("phase") == "Bound"
    return [
        obj["metadata"]["name"],
        status.get("phase", "Pending"),
        spec.get("volumeName", ""),
        (status.get("capacity") or {}).get("storage", "") if bound else "",
        ",".join(modes.get(m, m) for m in status.get("accessModes") or []) if bound else "",
        spec.get("storageClassName") or "<unset>",
        spec.get("volumeAttributesClassName") or "<unset>",
        _age(obj["metadata"].get("creationTimestamp"), now),
        spec.get("volumeMode", "Filesystem"),
    ]


def _created_row(obj: Obj, _now: float) -> list[Any]:
    return [obj["metadata"]["name"], obj["metadata"].get("creationTimestamp", "")]


def _binding_row(obj: Obj, now: float) -> list[Any]:
    ref = obj.get("roleRef") or {}
    subjects = obj.get("subjects") or []

    def named(kind: str) -> str:
        names = [
            f"{s.get('namespace', '')}/{s['name']}" if kind == "ServiceAccount" else s["name"]
            for s in subjects
            if s.get("kind") == kind
        ]
        return ", ".join(names)

    return [
        obj["metadata"]["name"],
        f"{ref.get('kind', '')}/{ref.get('name', '')}",
        _age(obj["metadata"].get("creationTimestamp"), now),
        named("User"),
        named("Group"),
        named("ServiceAccount"),
    ]


def _budget_row(obj: Obj, now: float) -> list[Any]:
    spec, status = obj.get("spec", {}), obj.get("status", {})
    return [
        obj["metadata"]["name"],
        str(spec["minAvailable"]) if "minAvailable" in spec else "N/A",
        str(spec["maxUnavailable"]) if "maxUnavailable" in spec else "N/A",
        status.get("disruptionsAllowed", 0),
        _age(obj["metadata"].get("creationTimestamp"), now),
    ]


_BINDING_COLUMNS = [
    _column("Name", fmt="name"),
    _column("Role"),
    _column("Age"),
    _column("Users", priority=1),
    _column("Groups", priority=1),
    _column("ServiceAccounts", priority=1),
]
_CREATED_COLUMNS = [_column("Name", fmt="name"), _column("Created At", fmt="date")]

_WORKLOAD_WIDE = [
    _column("Containers", priority=1),
    _column("Images", priority=1),
    _column("Selector", priority=1),
]
_LAYOUTS: dict[str, tuple[list[Obj], Callable[[Obj, float], list[Any]]]] = {
    "deployments": (
        [
            _column("Name", fmt="name"),
            _column("Ready"),
            _column("Up-to-date", "integer"),
            _column("Available", "integer"),
            _column("Age"),
            *_WORKLOAD_WIDE,
        ],
        _deployment_row,
    ),
    "replicasets": (
        [
            _column("Name", fmt="name"),
            _column("Desired", "integer"),
            _column("Current", "integer"),
            _column("Ready", "integer"),
            _column("Age"),
            *_WORKLOAD_WIDE,
        ],
        _replica_set_row,
    ),
    "pods": (
        [
            _column("Name", fmt="name"),
            _column("Ready"),
            _column("Status"),
            _column("Restarts"),
            _column("Age"),
            _column("IP", priority=1),
            _column("Node", priority=1),
            _column("Nominated Node", priority=1),
            _column("Readiness Gates", priority=1),
        ],
        _pod_row,
    ),
    "events": (
        [
            _column("Last Seen"),
            _column("Type"),
            _column("Reason"),
            _column("Object"),
            _column("Subobject", priority=1),
            _column("Source", priority=1),
            _column("Message"),
            _column("First Seen", priority=1),
            _column("Count", "integer", priority=1),
            _column("Name", priority=1),
        ],
        _event_row,
    ),
    "namespaces": (
        [_column("Name", fmt="name"), _column("Status"), _column("Age")],
        _namespace_row,
    ),
    "services": (
        [
            _column("Name", fmt="name"),
            _column("Type"),
            _column("Cluster-IP"),
            _column("External-IP"),
            _column("Port(s)"),
            _column("Age"),
            _column("Selector", priority=1),
        ],
        _service_row,
    ),
    "configmaps": (
        [_column("Name", fmt="name"), _column("Data", "integer"), _column("Age")],
        _data_row,
    ),
    "secrets": (
        [_column("Name", fmt="name"), _column("Type"), _column("Data", "integer"), _column("Age")],
        _secret_row,
    ),
    "nodes": (
        [
            _column("Name", fmt="name"),
            _column("Status"),
            _column("Roles"),
            _column("Age"),
            _column("Version"),
            _column("Internal-IP", priority=1),
            _column("External-IP", priority=1),
            _column("OS-Image", priority=1),
            _column("Kernel-Version", priority=1),
            _column("Container-Runtime", priority=1),
        ],
        _node_row,
    ),
    "serviceaccounts": (
        [_column("Name", fmt="name"), _column("Secrets", "integer"), _column("Age")],
        _account_row,
    ),
    "persistentvolumeclaims": (
        [
            _column("Name", fmt="name"),
            _column("Status"),
            _column("Volume"),
            _column("Capacity"),
            _column("Access Modes"),
            _column("StorageClass"),
            _column("VolumeAttributesClass"),
            _column("Age"),
            _column("VolumeMode", priority=1),
        ],
        _claim_row,
    ),
    "roles": (_CREATED_COLUMNS, _created_row),
    "clusterroles": (_CREATED_COLUMNS, _created_row),
    "rolebindings": (_BINDING_COLUMNS, _binding_row),
    "clusterrolebindings": (_BINDING_COLUMNS, _binding_row),
    "poddisruptionbudgets": (
        [
            _column("Name", fmt="name"),
            _column("Min Available"),
            _column("Max Unavailable"),
            _column("Allowed Disruptions", "integer"),
            _column("Age"),
        ],
        _budget_row,
    ),
}


def _row_object(obj: Obj, include: str) -> Obj | None:
    if include == "None":
        return None
    if include == "Object":
        return obj
    return {
        "kind": "PartialObjectMetadata",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": obj["metadata"],
    }


def render_table(
    res: ResourceKind,
    objects: list[Obj],
    *,
    resource_version: str,
    include_object: str = "Metadata",
    now: float | None = None,
) -> Obj:
    now = time.time() if now is None else now
    # Kinds without a printer get the server's default table: name and creation time.
    columns, row_of = _LAYOUTS.get(res.plural, (_CREATED_COLUMNS, _created_row))
    rows = []
    for obj in objects:
        row: Obj = {"cells": row_of(obj, now)}
        attached = _row_object(obj, include_object)
        if attached is not None:
            row["object"] = attached
        rows.append(row)
    return {
        "kind": "Table",
        "apiVersion": "meta.k8s.io/v1",
        "metadata": {"resourceVersion": resource_version},
        "columnDefinitions": columns,
        "rows": rows,
    }


def wants_table(accept: str | None) -> bool:
    return "as=Table" in (accept or "")
