"""What the Kubernetes sandbox serves: resource kinds, discovery documents and Status errors.

Declarative data plus the API's error shape; no behaviour of objects lives here, so the
HTTP layer and the controller can agree on names without depending on each other.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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


@dataclass(frozen=True)
class ResourceKind:
    kind: str
    plural: str
    singular: str
    group: str
    version: str
    namespaced: bool
    verbs: tuple[str, ...]
    short_names: tuple[str, ...] = ()

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


_READ = ("get", "list", "watch")
_ALL = ("create", "delete", "deletecollection", "get", "list", "patch", "update", "watch")

NAMESPACES = ResourceKind(
    "Namespace", "namespaces", "namespace", "", "v1", False, ("create", "delete", *_READ), ("ns",)
)
PODS = ResourceKind("Pod", "pods", "pod", "", "v1", True, _ALL, ("po",))
EVENTS = ResourceKind("Event", "events", "event", "", "v1", True, _ALL, ("ev",))
DEPLOYMENTS = ResourceKind(
    "Deployment", "deployments", "deployment", "apps", "v1", True, _ALL, ("deploy",)
)
REPLICASETS = ResourceKind(
    "ReplicaSet", "replicasets", "replicaset", "apps", "v1", True, _ALL, ("rs",)
)
RESOURCES = (NAMESPACES, PODS, EVENTS, DEPLOYMENTS, REPLICASETS)
BY_PLURAL = {res.plural: res for res in RESOURCES}

#: Subresources: (parent plural, name) -> (kind, group, version, verbs).
SUBRESOURCES = {
    ("pods", "log"): ("Pod", "", "v1", ("get",)),
    ("pods", "status"): ("Pod", "", "v1", ("get", "patch", "update")),
    ("deployments", "scale"): ("Scale", "autoscaling", "v1", ("get", "patch", "update")),
    ("deployments", "status"): ("Deployment", "", "", ("get", "patch", "update")),
    ("replicasets", "scale"): ("Scale", "autoscaling", "v1", ("get", "patch", "update")),
    ("replicasets", "status"): ("ReplicaSet", "", "", ("get", "patch", "update")),
}


def api_versions(server_address: str) -> dict[str, Any]:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def api_group_list() -> dict[str, Any]:
    version = {"groupVersion": "apps/v1", "version": "v1"}
    return {
        "kind": "APIGroupList",
        "apiVersion": "v1",
        "groups": [{"name": "apps", "versions": [version], "preferredVersion": version}],
    }


def api_group(name: str) -> dict[str, Any]:
    version = {"groupVersion": f"{name}/v1", "version": "v1"}
    return {
        "kind": "APIGroup",
        "apiVersion": "v1",
        "name": name,
        "versions": [version],
        "preferredVersion": version,
    }


def resource_list(group_version: str) -> dict[str, Any]:
    """The APIResourceList of `v1` or `apps/v1`: kubectl resolves `deploy`, `po` from it."""
    entries: list[dict[str, Any]] = []
    for res in RESOURCES:
        if res.api_version != group_version:
            continue
        entry: dict[str, Any] = {
            "name": res.plural,
            "singularName": res.singular,
            "namespaced": res.namespaced,
            "kind": res.kind,
            "verbs": list(res.verbs),
        }
        if res.short_names:
            entry["shortNames"] = list(res.short_names)
        if res in (DEPLOYMENTS, REPLICASETS, PODS):
            entry["categories"] = ["all"]
        entries.append(entry)
        for (parent, sub), (kind, group, version, verbs) in SUBRESOURCES.items():
            if parent != res.plural:
                continue
            sub_entry: dict[str, Any] = {
                "name": f"{parent}/{sub}",
                "singularName": "",
                "namespaced": res.namespaced,
                "kind": kind,
                "verbs": list(verbs),
            }
            if group:
                sub_entry.update(group=group, version=version)
            entries.append(sub_entry)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": entries,
    }


# -- errors in the API's Status shape -----------------------------------------------------
class ApiError(Exception):
    """An answer that is not a success; `status()` is the body the API sends for it."""

    def __init__(
        self, code: int, reason: str, message: str, details: dict[str, Any] | None = None
    ) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message
        self.details = details

    def status(self) -> dict[str, Any]:
        return status_failure(self.code, self.reason, self.message, self.details)


def status_failure(
    code: int, reason: str, message: str, details: dict[str, Any] | None = None
) -> dict[str, Any]:
    body: dict[str, Any] = {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Failure",
        "message": message,
        "reason": reason,
        "code": code,
    }
    if details is not None:
        body["details"] = details
    return body


def status_success(res: ResourceKind, name: str, uid: str) -> dict[str, Any]:
    return {
        "kind": "Status",
        "apiVersion": "v1",
        "metadata": {},
        "status": "Success",
        "details": {"name": name, "group": res.group, "kind": res.plural, "uid": uid},
    }


def _details(res: ResourceKind, name: str | None) -> dict[str, Any]:
    details: dict[str, Any] = {"kind": res.plural}
    if name:
        details["name"] = name
    if res.group:
        details["group"] = res.group
    return details


def not_found(res: ResourceKind, name: str) -> ApiError:
    message = f'{res.qualified} "{name}" not found'
    return ApiError(404, "NotFound", message, _details(res, name))


def already_exists(res: ResourceKind, name: str) -> ApiError:
    message = f'{res.qualified} "{name}" already exists'
    return ApiError(409, "AlreadyExists", message, _details(res, name))


def conflict(res: ResourceKind, name: str) -> ApiError:
    message = (
        f'Operation cannot be fulfilled on {res.qualified} "{name}": the object has been '
        "modified; please apply your changes to the latest version and try again"
    )
    return ApiError(409, "Conflict", message, _details(res, name))


def invalid(res: ResourceKind, name: str, causes: list[tuple[str, Any, str]]) -> ApiError:
    """422 for (field, value, what is wrong) causes, worded like the API's field errors."""
    texts = [f"{field}: Invalid value: {value!r}: {detail}" for field, value, detail in causes]
    texts = [text.replace("'", '"') for text in texts]
    if len(texts) == 1:
        message = f'{res.kind}.{res.group or "core"} "{name}" is invalid: {texts[0]}'
    else:
        message = f'{res.kind}.{res.group or "core"} "{name}" is invalid: [{", ".join(texts)}]'
    if not res.group:
        message = message.replace(".core", "", 1)
    details = _details(res, name)
    details["kind"] = res.kind
    details["causes"] = [
        {"reason": "FieldValueInvalid", "message": text.split(": ", 1)[1], "field": field}
        for (field, _value, _detail), text in zip(causes, texts, strict=True)
    ]
    return ApiError(422, "Invalid", message, details)


def bad_request(message: str) -> ApiError:
    return ApiError(400, "BadRequest", message)


def forbidden(
    res: ResourceKind | None,
    *,
    verb: str,
    user: str,
    resource: str,
    group: str,
    namespace: str | None,
    name: str | None,
) -> dict[str, Any]:
    """The body RBAC answers with, e.g. for a patch the user's role does not allow."""
    subject = res.qualified if res else resource
    subject = f'{subject} "{name}"' if name else subject
    where = f' in the namespace "{namespace}"' if namespace else " at the cluster scope"
    message = (
        f'{subject} is forbidden: User "{user}" cannot {verb} resource "{resource}" '
        f'in API group "{group}"{where}'
    )
    details = _details(res, name) if res else {"kind": resource}
    return status_failure(403, "Forbidden", message, details)


#: Reasons of the API's Status for the codes a fault may inject.
STATUS_REASONS = {
    400: "BadRequest",
    401: "Unauthorized",
    403: "Forbidden",
    404: "NotFound",
    405: "MethodNotAllowed",
    409: "Conflict",
    410: "Expired",
    422: "Invalid",
    429: "TooManyRequests",
    500: "InternalError",
    503: "ServiceUnavailable",
    504: "Timeout",
}
