"""Which fields each kind declares, so the server can refuse or drop unknown ones as the API's
`fieldValidation` asks: Strict (kubectl's default) fails the request, Warn (the server's
default) and Ignore drop them.

Shapes stop where typos are rare or the types are many (probes, affinity, volumes): a field
under an undescribed value is never called unknown. Refusing a valid manifest would be worse
than letting a typo through, so add a field here before anything else when one is missing.
"""

from __future__ import annotations

from typing import Any

Obj = dict[str, Any]
#: A shape: a dict of field -> shape (None: anything goes there), or [shape] for a list of them.
Shape = dict[str, Any]


def _fields(*names: str, **nested: Any) -> Shape:
    return {**dict.fromkeys(names), **nested}


METADATA = _fields(
    "name",
    "generateName",
    "namespace",
    "selfLink",
    "uid",
    "resourceVersion",
    "generation",
    "creationTimestamp",
    "deletionTimestamp",
    "deletionGracePeriodSeconds",
    "labels",
    "annotations",
    "ownerReferences",
    "finalizers",
    "managedFields",
)
CONTAINER = _fields(
    "name",
    "image",
    "command",
    "args",
    "workingDir",
    "ports",
    "envFrom",
    "env",
    "resources",
    "resizePolicy",
    "restartPolicy",
    "volumeMounts",
    "volumeDevices",
    "livenessProbe",
    "readinessProbe",
    "startupProbe",
    "lifecycle",
    "terminationMessagePath",
    "terminationMessagePolicy",
    "imagePullPolicy",
    "securityContext",
    "stdin",
    "stdinOnce",
    "tty",
)
POD_SPEC = _fields(
    "volumes",
    "ephemeralContainers",
    "restartPolicy",
    "terminationGracePeriodSeconds",
    "activeDeadlineSeconds",
    "dnsPolicy",
    "nodeSelector",
    "serviceAccountName",
    "serviceAccount",
    "automountServiceAccountToken",
    "nodeName",
    "hostNetwork",
    "hostPID",
    "hostIPC",
    "shareProcessNamespace",
    "securityContext",
    "imagePullSecrets",
    "hostname",
    "subdomain",
    "affinity",
    "schedulerName",
    "tolerations",
    "hostAliases",
    "priorityClassName",
    "priority",
    "dnsConfig",
    "readinessGates",
    "runtimeClassName",
    "enableServiceLinks",
    "preemptionPolicy",
    "overhead",
    "topologySpreadConstraints",
    "setHostnameAsFQDN",
    "os",
    "hostUsers",
    "schedulingGates",
    "resourceClaims",
    "resources",
    containers=[CONTAINER],
    initContainers=[CONTAINER],
)
POD_TEMPLATE = {"metadata": METADATA, "spec": POD_SPEC}

_SPEC_OF: dict[str, Shape | None] = {
    "Namespace": _fields("finalizers"),
    "Node": _fields(
        "podCIDR", "podCIDRs", "providerID", "unschedulable", "taints", "configSource", "externalID"
    ),
    "Pod": POD_SPEC,
    "Service": _fields(
        "ports",
        "selector",
        "clusterIP",
        "clusterIPs",
        "type",
        "externalIPs",
        "sessionAffinity",
        "loadBalancerIP",
        "loadBalancerSourceRanges",
        "externalName",
        "externalTrafficPolicy",
        "healthCheckNodePort",
        "publishNotReadyAddresses",
        "sessionAffinityConfig",
        "ipFamilies",
        "ipFamilyPolicy",
        "allocateLoadBalancerNodePorts",
        "loadBalancerClass",
        "internalTrafficPolicy",
        "trafficDistribution",
    ),
    "PersistentVolumeClaim": _fields(
        "accessModes",
        "selector",
        "resources",
        "volumeName",
        "storageClassName",
        "volumeMode",
        "dataSource",
        "dataSourceRef",
        "volumeAttributesClassName",
    ),
    "Deployment": _fields(
        "replicas",
        "selector",
        "strategy",
        "minReadySeconds",
        "revisionHistoryLimit",
        "paused",
        "progressDeadlineSeconds",
        template=POD_TEMPLATE,
    ),
    "ReplicaSet": _fields("replicas", "minReadySeconds", "selector", template=POD_TEMPLATE),
    "PodDisruptionBudget": _fields(
        "minAvailable", "maxUnavailable", "selector", "unhealthyPodEvictionPolicy"
    ),
}
#: Top-level fields besides apiVersion, kind and metadata.
_TOP_OF: dict[str, tuple[str, ...]] = {
    "Event": (
        "involvedObject",
        "reason",
        "message",
        "source",
        "firstTimestamp",
        "lastTimestamp",
        "count",
        "type",
        "eventTime",
        "series",
        "action",
        "related",
        "reportingComponent",
        "reportingInstance",
    ),
    "ConfigMap": ("data", "binaryData", "immutable"),
    "Secret": ("data", "stringData", "type", "immutable"),
    "ServiceAccount": ("secrets", "imagePullSecrets", "automountServiceAccountToken"),
    "Role": ("rules",),
    "ClusterRole": ("rules", "aggregationRule"),
    "RoleBinding": ("subjects", "roleRef"),
    "ClusterRoleBinding": ("subjects", "roleRef"),
}


def shape_of(kind: str) -> Shape:
    shape: Shape = {"apiVersion": None, "kind": None, "metadata": METADATA}
    shape.update(dict.fromkeys(_TOP_OF.get(kind, ())))
    if kind in _SPEC_OF:
        shape.update(spec=_SPEC_OF[kind], status=None)
    return shape


Step = str | int


def unknown_fields(value: Any, shape: Any, path: tuple[Step, ...] = ()) -> list[tuple[Step, ...]]:
    """Where `value` has fields `shape` does not declare, as paths of keys and list indices."""
    found: list[tuple[Step, ...]] = []
    if isinstance(shape, dict) and isinstance(value, dict):
        for key, item in value.items():
            if key not in shape:
                found.append((*path, key))
            elif shape[key] is not None:
                found.extend(unknown_fields(item, shape[key], (*path, key)))
    elif isinstance(shape, list) and isinstance(value, list):
        for index, item in enumerate(value):
            found.extend(unknown_fields(item, shape[0], (*path, index)))
    return found


def field_path(path: tuple[Step, ...]) -> str:
    """A path written as the API writes it: `spec.template.spec.containers[0].imagee`."""
    text = ""
    for step in path:
        text += f"[{step}]" if isinstance(step, int) else (f".{step}" if text else step)
    return text


def drop_fields(obj: Obj, paths: list[tuple[Step, ...]]) -> None:
    """Remove the fields at `paths` from `obj`, in place."""
    for path in paths:
        parent: Any = obj
        for step in path[:-1]:
            parent = parent[step]
        parent.pop(path[-1], None)
