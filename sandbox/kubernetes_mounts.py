"""What a pod needs from its namespace before its containers can start: the ConfigMaps and
Secrets its volumes and environment name, and its PersistentVolumeClaims, bound.

The kubelet holds such a pod in ContainerCreating (a volume it cannot mount) or
CreateContainerConfigError (an environment it cannot build) until they exist, and says why
in events; the sandbox's pretend kubelet asks this module. Pure: lookups come as a function.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

Obj = dict[str, Any]
#: Finds an object of a kind by name in the pod's namespace.
Find = Callable[[str, str], Obj | None]


@dataclass(frozen=True)
class Blocker:
    """Why the containers cannot start yet, as container state and as a kubelet event."""

    waiting_reason: str  # ContainerCreating or CreateContainerConfigError
    message: str
    event_reason: str  # FailedMount, FailedScheduling or Failed
    event_message: str


def _has_key(obj: Obj, key: str) -> bool:
    return key in (obj.get("data") or {}) or key in (obj.get("binaryData") or {})


def _volume_problem(volume: Obj, find: Find) -> Blocker | None:
    name = volume.get("name", "")
    for field, kind, label, ref_key in (
        ("configMap", "ConfigMap", "configmap", "name"),
        ("secret", "Secret", "secret", "secretName"),
    ):
        source = volume.get(field)
        if not isinstance(source, dict) or source.get("optional"):
            continue
        found = find(kind, source.get(ref_key, ""))
        problem = None
        if found is None:
            problem = f'{label} "{source.get(ref_key)}" not found'
        else:
            missing = [i["key"] for i in source.get("items") or [] if not _has_key(found, i["key"])]
            if missing and kind == "ConfigMap":
                problem = f"configmap references non-existent config key: {missing[0]}"
            elif missing:
                problem = f"references non-existent secret key: {missing[0]}"
        if problem:
            text = f'MountVolume.SetUp failed for volume "{name}" : {problem}'
            return Blocker("ContainerCreating", "", "FailedMount", text)
    claim = volume.get("persistentVolumeClaim")
    if isinstance(claim, dict):
        found = find("PersistentVolumeClaim", claim.get("claimName", ""))
        if found is None:
            problem = f'persistentvolumeclaim "{claim.get("claimName")}" not found'
        elif (found.get("status") or {}).get("phase") != "Bound":
            problem = "pod has unbound immediate PersistentVolumeClaims"
        else:
            return None
        text = f"0/2 nodes are available: {problem}. preemption: not helpful for scheduling."
        return Blocker("ContainerCreating", "", "FailedScheduling", text)
    return None


def _env_problem(container: Obj, namespace: str, find: Find) -> str | None:
    for source in container.get("envFrom") or []:
        for field, kind, label in (
            ("configMapRef", "ConfigMap", "configmap"),
            ("secretRef", "Secret", "secret"),
        ):
            ref = source.get(field)
            if (
                isinstance(ref, dict)
                and not ref.get("optional")
                and find(kind, ref.get("name", "")) is None
            ):
                return f'{label} "{ref.get("name")}" not found'
    for variable in container.get("env") or []:
        value_from = variable.get("valueFrom") or {}
        for field, kind, label in (
            ("configMapKeyRef", "ConfigMap", "configmap"),
            ("secretKeyRef", "Secret", "secret"),
        ):
            ref = value_from.get(field)
            if not isinstance(ref, dict) or ref.get("optional"):
                continue
            found = find(kind, ref.get("name", ""))
            if found is None:
                return f'{label} "{ref.get("name")}" not found'
            if not _has_key(found, ref.get("key", "")):
                return f"couldn't find key {ref.get('key')} in {kind} {namespace}/{ref.get('name')}"
    return None


def missing_references(pod: Obj, find: Find) -> Blocker | None:
    """The first thing the pod waits for, in the kubelet's order: volumes, then environment."""
    spec = pod.get("spec") or {}
    for volume in spec.get("volumes") or []:
        if isinstance(volume, dict):
            blocker = _volume_problem(volume, find)
            if blocker is not None:
                return blocker
    namespace = pod["metadata"].get("namespace", "")
    for container in [*(spec.get("initContainers") or []), *(spec.get("containers") or [])]:
        problem = _env_problem(container, namespace, find)
        if problem is not None:
            return Blocker("CreateContainerConfigError", problem, "Failed", f"Error: {problem}")
    return None
