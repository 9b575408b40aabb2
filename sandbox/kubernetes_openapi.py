"""OpenAPI v3 documents, just enough for kubectl to hand validation to the server.

kubectl (1.27+) validates `apply` and `create` by asking: does the PATCH operation of this
kind take a `fieldValidation` query parameter? If so it sends `fieldValidation=Strict` and
lets the server reject unknown fields (kubernetes_schema does that). The documents therefore
list every path and verb the sandbox routes, each tagged with its group-version-kind, and
no schemas: without schemas kubectl computes apply patches from its built-in types.
"""

from __future__ import annotations

import hashlib
import json
from functools import cache
from typing import Any

from .kubernetes_resources import RESOURCES, SERVER_VERSION, SUBRESOURCE_VERBS, ResourceKind

Obj = dict[str, Any]

_PATCH_TYPES = (
    "application/json-patch+json",
    "application/merge-patch+json",
    "application/strategic-merge-patch+json",
    "application/apply-patch+yaml",
)
_ACTION_OF_VERB = {
    "get": ("get", "read"),
    "list": ("get", "list"),
    "create": ("post", "create"),
    "update": ("put", "replace"),
    "patch": ("patch", "patch"),
    "delete": ("delete", "delete"),
    "deletecollection": ("delete", "deletecollection"),
}
_ITEM_VERBS = ("get", "update", "patch", "delete")
_COLLECTION_VERBS = ("list", "create", "deletecollection")


def _query(name: str, description: str) -> Obj:
    return {"name": name, "in": "query", "description": description, "schema": {"type": "string"}}


_WRITE_PARAMETERS = [
    _query("dryRun", "When present, modifications are not persisted."),
    _query("fieldManager", "A name of the actor making these changes."),
    _query(
        "fieldValidation",
        "How the server treats unknown fields in the body: Ignore, Warn or Strict.",
    ),
]


def _path_prefix(group_version: str) -> str:
    return "/api/v1" if group_version == "v1" else f"/apis/{group_version}"


def _operation_group(res: ResourceKind) -> str:
    """`AppsV1`, `CoreV1`, `RbacAuthorizationV1`: the middle of an operationId."""
    words = (res.group or "core").removesuffix(".k8s.io").split(".")
    return "".join(word.capitalize() for word in words) + res.version.capitalize()


def _operation(res: ResourceKind, verb: str, gvk: Obj, *, scope: str, suffix: str = "") -> Obj:
    action = _ACTION_OF_VERB[verb][1]
    operation: Obj = {
        "operationId": f"{action}{_operation_group(res)}{scope}{gvk['kind']}{suffix}",
        "x-kubernetes-action": "deletecollection" if verb == "deletecollection" else verb,
        "x-kubernetes-group-version-kind": gvk,
        "responses": {"200": {"description": "OK"}},
    }
    if verb in ("create", "update", "patch"):
        operation["parameters"] = list(_WRITE_PARAMETERS)
        types = _PATCH_TYPES if verb == "patch" else ("application/json",)
        operation["requestBody"] = {
            "required": True,
            "content": {media: {"schema": {"type": "object"}} for media in types},
        }
    if verb == "list":
        operation["parameters"] = [
            _query("labelSelector", "Restrict the list by labels."),
            _query("fieldSelector", "Restrict the list by fields."),
            _query("limit", "The most items to return; see continue."),
            _query("continue", "The token of the next page of a limited list."),
            _query("watch", "Stream changes instead of listing."),
        ]
    return operation


def _paths(group_version: str) -> Obj:
    paths: Obj = {}
    prefix = _path_prefix(group_version)
    for res in RESOURCES:
        if res.api_version != group_version:
            continue
        gvk = {"group": res.group, "version": res.version, "kind": res.kind}
        scope = "Namespaced" if res.namespaced else ""
        base = (
            f"{prefix}/namespaces/{{namespace}}/{res.plural}"
            if res.namespaced
            else (f"{prefix}/{res.plural}")
        )
        collection = {
            _ACTION_OF_VERB[verb][0]: _operation(res, verb, gvk, scope=scope)
            for verb in _COLLECTION_VERBS
            if verb in res.verbs
        }
        item = {
            _ACTION_OF_VERB[verb][0]: _operation(res, verb, gvk, scope=scope)
            for verb in _ITEM_VERBS
            if verb in res.verbs
        }
        paths[base] = collection
        paths[f"{base}/{{name}}"] = item
        if res.namespaced and "list" in res.verbs:
            everywhere = _operation(res, "list", gvk, scope="", suffix="ForAllNamespaces")
            paths[f"{prefix}/{res.plural}"] = {"get": everywhere}
        for sub in res.subresources:
            sub_gvk = gvk
            if sub == "scale":
                sub_gvk = {"group": "autoscaling", "version": "v1", "kind": "Scale"}
            verbs = SUBRESOURCE_VERBS[sub]
            paths[f"{base}/{{name}}/{sub}"] = {
                _ACTION_OF_VERB[verb][0]: _operation(
                    res, verb, sub_gvk, scope=scope, suffix=sub.capitalize()
                )
                for verb in verbs
            }
    return paths


@cache
def group_version_document(group_version: str) -> bytes:
    """The OpenAPI v3 document of one group version, as served (and hashed)."""
    document = {
        "openapi": "3.0.0",
        "info": {"title": "Kubernetes", "version": SERVER_VERSION["gitVersion"]},
        "paths": _paths(group_version),
        # Present but empty: kubectl then builds apply patches from its own types.
        "components": {"schemas": {}},
    }
    return json.dumps(document, sort_keys=True).encode()


def _hash(content: bytes) -> str:
    return hashlib.sha512(content).hexdigest().upper()


def index(group_versions: tuple[str, ...]) -> Obj:
    """`/openapi/v3`: where each group version's document is, with a hash for caching."""
    paths: Obj = {}
    for group_version in group_versions:
        relative = _path_prefix(group_version).lstrip("/")
        digest = _hash(group_version_document(group_version))
        paths[relative] = {"serverRelativeURL": f"/openapi/v3/{relative}?hash={digest}"}
    return {"paths": paths}


def group_version_of(path: str) -> str | None:
    """`/openapi/v3/apis/apps/v1` -> `apps/v1`, `/openapi/v3/api/v1` -> `v1`."""
    rest = path.removeprefix("/openapi/v3/")
    if rest == "api/v1":
        return "v1"
    if rest.startswith("apis/") and rest.count("/") == 2:
        return rest.removeprefix("apis/")
    return None
