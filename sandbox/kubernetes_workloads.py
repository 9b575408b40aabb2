"""Rules of Deployments and their pod templates: defaulting, validation, template identity.

Shared by the API layer (which defaults and validates what clients send) and the controller
(which compares templates to pick a ReplicaSet). Pure functions; no store, no clock.
"""

from __future__ import annotations

import hashlib
import json
import re
from typing import Any

from .kubernetes_selectors import selector_from_spec
from .kubernetes_store import NAME_ALPHABET

REVISION = "deployment.kubernetes.io/revision"
REVISION_HISTORY = "deployment.kubernetes.io/revision-history"
DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas"
MAX_REPLICAS = "deployment.kubernetes.io/max-replicas"
CHANGE_CAUSE = "kubernetes.io/change-cause"
RESTARTED_AT = "kubectl.kubernetes.io/restartedAt"
TEMPLATE_HASH = "pod-template-hash"
#: Deployment annotations the controller does not copy onto its ReplicaSets.
NOT_COPIED = {
    REVISION,
    REVISION_HISTORY,
    DESIRED_REPLICAS,
    MAX_REPLICAS,
    "kubectl.kubernetes.io/last-applied-configuration",
}

_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")


def valid_name(name: Any) -> bool:
    return isinstance(name, str) and len(name) <= 253 and bool(_NAME.match(name))


def image_tag(image: str) -> str:
    tail = image.rsplit("/", 1)[-1]
    return tail.split(":", 1)[1] if ":" in tail else "latest"


def default_pod_template(template: dict[str, Any]) -> None:
    """The defaults the API server fills into a pod template, so stored templates look real."""
    spec = template.setdefault("spec", {})
    template.setdefault("metadata", {})
    for container in spec.get("containers") or []:
        if not isinstance(container, dict):
            continue
        image = container.get("image") or ""
        container.setdefault(
            "imagePullPolicy", "Always" if image_tag(image) == "latest" else "IfNotPresent"
        )
        container.setdefault("resources", {})
        container.setdefault("terminationMessagePath", "/dev/termination-log")
        container.setdefault("terminationMessagePolicy", "File")
        for port in container.get("ports") or []:
            if isinstance(port, dict):
                port.setdefault("protocol", "TCP")
    spec.setdefault("restartPolicy", "Always")
    spec.setdefault("terminationGracePeriodSeconds", 30)
    spec.setdefault("dnsPolicy", "ClusterFirst")
    spec.setdefault("securityContext", {})
    spec.setdefault("schedulerName", "default-scheduler")


def default_deployment(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    spec.setdefault("revisionHistoryLimit", 10)
    spec.setdefault("progressDeadlineSeconds", 600)
    strategy = spec.setdefault("strategy", {})
    strategy.setdefault("type", "RollingUpdate")
    if strategy["type"] == "RollingUpdate":
        rolling = strategy.setdefault("rollingUpdate", {})
        rolling.setdefault("maxUnavailable", "25%")
        rolling.setdefault("maxSurge", "25%")
    default_pod_template(spec.setdefault("template", {}))
    obj.setdefault("status", {})


def default_replica_set(obj: dict[str, Any]) -> None:
    spec = obj.setdefault("spec", {})
    spec.setdefault("replicas", 1)
    default_pod_template(spec.setdefault("template", {}))
    obj.setdefault("status", {"replicas": 0})


FieldErrors = list[tuple[str, Any, str]]


def _validate_count(spec: dict[str, Any], field: str) -> FieldErrors:
    value = spec.get(field)
    if not isinstance(value, int) or isinstance(value, bool) or value < 0:
        return [(f"spec.{field}", value, "must be greater than or equal to 0")]
    return []


def _validate_template(spec: dict[str, Any], kind: str) -> FieldErrors:
    """The pod template has containers, and the selector is not empty and selects it."""
    errors: FieldErrors = []
    template = spec.get("template") or {}
    containers = (template.get("spec") or {}).get("containers")
    if not containers or not isinstance(containers, list):
        errors.append(("spec.template.spec.containers", containers, "Required value"))
    else:
        for i, container in enumerate(containers):
            field = f"spec.template.spec.containers[{i}]"
            if not isinstance(container, dict) or not valid_name(container.get("name")):
                errors.append((f"{field}.name", (container or {}).get("name"), "Required value"))
            elif not container.get("image"):
                errors.append((f"{field}.image", container.get("image"), "Required value"))
    selector = spec.get("selector")
    try:
        matcher = selector_from_spec(selector)
    except (ValueError, KeyError, TypeError, AttributeError):
        errors.append(("spec.selector", selector, "invalid label selector"))
    else:
        labels = (template.get("metadata") or {}).get("labels") or {}
        if matcher.empty:
            errors.append(("spec.selector", selector, f"empty selector is invalid for {kind}"))
        elif not matcher.matches(labels):
            errors.append(
                (
                    "spec.template.metadata.labels",
                    labels,
                    "`selector` does not match template `labels`",
                )
            )
    return errors


def validate_deployment(obj: dict[str, Any]) -> FieldErrors:
    """Field errors as (field, value, detail); empty when the Deployment is acceptable."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [("spec", spec, "Required value")]
    errors = _validate_count(spec, "replicas")
    deadline = spec.get("progressDeadlineSeconds")
    if not isinstance(deadline, int) or deadline <= 0:
        errors.append(("spec.progressDeadlineSeconds", deadline, "must be greater than 0"))
    errors += _validate_count(spec, "revisionHistoryLimit")
    return errors + _validate_template(spec, "deployment")


def validate_replica_set(obj: dict[str, Any]) -> FieldErrors:
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        return [("spec", spec, "Required value")]
    return _validate_count(spec, "replicas") + _validate_template(spec, "replicaset")


def _pruned(value: Any) -> Any:
    """Drop nulls and empty maps/lists: the API treats them as absent."""
    if isinstance(value, dict):
        pruned = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, {}, [], "")}
    if isinstance(value, list):
        return [_pruned(item) for item in value]
    return value


def template_key(template: dict[str, Any]) -> str:
    """Identity of a pod template, ignoring empty fields, defaults and `pod-template-hash`.

    A rollback copies an old ReplicaSet's template back; this key must then equal that
    ReplicaSet's, so the controller revives it instead of creating a twin.
    """
    template = json.loads(json.dumps(template))
    labels = (template.get("metadata") or {}).get("labels") or {}
    labels.pop(TEMPLATE_HASH, None)
    default_pod_template(template)
    return json.dumps(_pruned(template), sort_keys=True)


def template_hash(template: dict[str, Any]) -> str:
    """A pod-template-hash in the API's alphabet, stable for equal templates."""
    digest = int.from_bytes(hashlib.sha256(template_key(template).encode()).digest()[:8], "big")
    chars = []
    for _ in range(10):
        digest, index = divmod(digest, len(NAME_ALPHABET))
        chars.append(NAME_ALPHABET[index])
    return "".join(chars)


def revision_of(obj: dict[str, Any]) -> int:
    value = (obj.get("metadata", {}).get("annotations") or {}).get(REVISION, "0")
    return int(value) if str(value).isdigit() else 0


def resolve_int_or_percent(value: Any, total: int, *, round_up: bool) -> int:
    """maxSurge/maxUnavailable: an int, or a percentage of `total` (surge rounds up)."""
    if isinstance(value, int):
        return max(value, 0)
    text = str(value).strip()
    if text.endswith("%") and text[:-1].isdigit():
        share = int(text[:-1]) * total
        return -(-share // 100) if round_up else share // 100
    return int(text) if text.isdigit() else 0
