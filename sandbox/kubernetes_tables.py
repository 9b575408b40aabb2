"""Server-side printing: the meta.k8s.io/v1 Table that `kubectl get` asks for, per resource.

Columns and cell formats follow what a real API server prints, so kubectl output from the
sandbox reads like output from a cluster. Reads objects only; never changes them.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from .kubernetes_resources import DEPLOYMENTS, EVENTS, NAMESPACES, PODS, REPLICASETS, ResourceKind
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


_WORKLOAD_WIDE = [
    _column("Containers", priority=1),
    _column("Images", priority=1),
    _column("Selector", priority=1),
]
_LAYOUTS: dict[str, tuple[list[Obj], Callable[[Obj, float], list[Any]]]] = {
    DEPLOYMENTS.plural: (
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
    REPLICASETS.plural: (
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
    PODS.plural: (
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
    EVENTS.plural: (
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
    NAMESPACES.plural: (
        [_column("Name", fmt="name"), _column("Status"), _column("Age")],
        _namespace_row,
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
    columns, row_of = _LAYOUTS[res.plural]
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
