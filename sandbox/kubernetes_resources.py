"""The kinds the Kubernetes sandbox serves: one row per resource, read by every other part.

Routes, discovery, the OpenAPI documents and RBAC-shaped faults are all derived from this
table, so what the sandbox advertises is by construction what it answers. Declarative data
only: no behaviour of objects lives here.
"""

from __future__ import annotations

from dataclasses import dataclass

#: kubectl's dispatcher runs kubectl.1.<minor> for the minor the server reports: stay on its own.
SERVER_VERSION = {
    "major": "1",
    "minor": "32",
    "emulationMajor": "1",
    "emulationMinor": "32",
    "gitVersion": "v1.32.4",
    "gitCommit": "59526cd4867447956156ae3a602fcbac10e2c3ae",
    "gitTreeState": "clean",
    "buildDate": "2025-04-22T16:02:27Z",
    "goVersion": "go1.23.6",
    "compiler": "gc",
    "platform": "linux/amd64",
}

ALL_VERBS = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")
#: Verbs of each subresource the sandbox serves.
SUBRESOURCE_VERBS = {
    "status": ("get", "patch", "update"),
    "scale": ("get", "patch", "update"),
    "log": ("get",),
}


@dataclass(frozen=True)
class ResourceKind:
    kind: str
    plural: str
    singular: str
    group: str
    version: str
    namespaced: bool
    verbs: tuple[str, ...] = ALL_VERBS
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    subresources: tuple[str, ...] = ()
    #: Whether spec changes bump metadata.generation (controllers report observedGeneration).
    generation: bool = False
    #: Whether DELETE answers with the deleted object, not a Status (ReturnDeletedObject).
    returns_deleted: bool = False

    @property
    def api_version(self) -> str:
        return f"{self.group}/{self.version}" if self.group else self.version

    @property
    def qualified(self) -> str:
        """`deployments.apps`, `pods`: how API messages name the resource."""
        return f"{self.plural}.{self.group}" if self.group else self.plural

    @property
    def list_kind(self) -> str:
        return f"{self.kind}List"

    @property
    def has_status(self) -> bool:
        """A status only controllers write: the main resource keeps it on every update."""
        return "status" in self.subresources


_RBAC = "rbac.authorization.k8s.io"

NAMESPACES = ResourceKind(
    "Namespace",
    "namespaces",
    "namespace",
    "",
    "v1",
    False,
    ("create", "delete", "get", "list", "patch", "update", "watch"),
    ("ns",),
    subresources=("status",),
)
NODES = ResourceKind(
    "Node", "nodes", "node", "", "v1", False, short_names=("no",), subresources=("status",)
)
PODS = ResourceKind(
    "Pod",
    "pods",
    "pod",
    "",
    "v1",
    True,
    # Pods come from ReplicaSets here; `kubectl run` sends protobuf, which the sandbox refuses.
    ("delete", "deletecollection", "get", "list", "patch", "update", "watch"),
    ("po",),
    ("all",),
    ("status", "log"),
    returns_deleted=True,
)
EVENTS = ResourceKind("Event", "events", "event", "", "v1", True, short_names=("ev",))
SERVICES = ResourceKind(
    "Service",
    "services",
    "service",
    "",
    "v1",
    True,
    short_names=("svc",),
    categories=("all",),
    subresources=("status",),
    returns_deleted=True,
)
CONFIGMAPS = ResourceKind(
    "ConfigMap", "configmaps", "configmap", "", "v1", True, short_names=("cm",)
)
SECRETS = ResourceKind("Secret", "secrets", "secret", "", "v1", True)
SERVICEACCOUNTS = ResourceKind(
    "ServiceAccount",
    "serviceaccounts",
    "serviceaccount",
    "",
    "v1",
    True,
    short_names=("sa",),
    returns_deleted=True,
)
PERSISTENTVOLUMECLAIMS = ResourceKind(
    "PersistentVolumeClaim",
    "persistentvolumeclaims",
    "persistentvolumeclaim",
    "",
    "v1",
    True,
    short_names=("pvc",),
    subresources=("status",),
    returns_deleted=True,
)
DEPLOYMENTS = ResourceKind(
    "Deployment",
    "deployments",
    "deployment",
    "apps",
    "v1",
    True,
    short_names=("deploy",),
    categories=("all",),
    subresources=("status", "scale"),
    generation=True,
)
REPLICASETS = ResourceKind(
    "ReplicaSet",
    "replicasets",
    "replicaset",
    "apps",
    "v1",
    True,
    short_names=("rs",),
    categories=("all",),
    subresources=("status", "scale"),
    generation=True,
)
PODDISRUPTIONBUDGETS = ResourceKind(
    "PodDisruptionBudget",
    "poddisruptionbudgets",
    "poddisruptionbudget",
    "policy",
    "v1",
    True,
    short_names=("pdb",),
    subresources=("status",),
    generation=True,
)
ROLES = ResourceKind("Role", "roles", "role", _RBAC, "v1", True)
CLUSTERROLES = ResourceKind("ClusterRole", "clusterroles", "clusterrole", _RBAC, "v1", False)
ROLEBINDINGS = ResourceKind("RoleBinding", "rolebindings", "rolebinding", _RBAC, "v1", True)
CLUSTERROLEBINDINGS = ResourceKind(
    "ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", _RBAC, "v1", False
)

RESOURCES = (
    NAMESPACES,
    NODES,
    PODS,
    EVENTS,
    SERVICES,
    CONFIGMAPS,
    SECRETS,
    SERVICEACCOUNTS,
    PERSISTENTVOLUMECLAIMS,
    DEPLOYMENTS,
    REPLICASETS,
    PODDISRUPTIONBUDGETS,
    ROLES,
    CLUSTERROLES,
    ROLEBINDINGS,
    CLUSTERROLEBINDINGS,
)
BY_PLURAL = {res.plural: res for res in RESOURCES}
BY_KIND = {res.kind: res for res in RESOURCES}
#: Group versions in the order discovery lists them; "v1" is the core (legacy) group.
GROUP_VERSIONS = tuple(dict.fromkeys(res.api_version for res in RESOURCES))
