"""The three PATCH flavours of the Kubernetes API: strategic merge, JSON merge and JSON patch.

Pure functions on JSON-shaped values; they never touch the store and never validate the
result (the API layer does that). A malformed patch raises PatchError (answered with 422).
"""

from __future__ import annotations

import copy
from typing import Any

STRATEGIC = "application/strategic-merge-patch+json"
MERGE = "application/merge-patch+json"
JSON_PATCH = "application/json-patch+json"

#: Lists that strategic merge merges element by element, and the key naming an element.
MERGE_KEYS = {
    "containers": "name",
    "initContainers": "name",
    "ephemeralContainers": "name",
    "volumes": "name",
    "env": "name",
    "imagePullSecrets": "name",
    "ports": "containerPort",  # a container's; a Service's ports merge on "port" (merge_key)
    "volumeMounts": "mountPath",
    "volumeDevices": "devicePath",
    "conditions": "type",
    "ownerReferences": "uid",
    "hostAliases": "ip",
    "topologySpreadConstraints": "topologyKey",
}
#: Lists of scalars that strategic merge unions instead of replacing.
MERGED_SCALAR_LISTS = {"finalizers"}


_CONTAINER_LISTS = {"containers", "initContainers", "ephemeralContainers"}


def merge_key(field: str, parent: str | None) -> str | None:
    """The key strategic merge matches elements of list `field` by, given the field above it."""
    if field == "ports" and parent not in _CONTAINER_LISTS:
        return "port"  # ServiceSpec.ports
    return MERGE_KEYS.get(field)


class PatchError(ValueError):
    """The patch itself is wrong: bad shape, bad path, a failed `test`."""


def patch_kind(content_type: str | None) -> str:
    """`strategic`, `merge` or `json` for a request's Content-Type; PatchError otherwise."""
    media = (content_type or "").split(";")[0].strip().lower()
    kinds = {STRATEGIC: "strategic", MERGE: "merge", JSON_PATCH: "json"}
    if media not in kinds:
        raise PatchError(
            f"the body of the request was in an unknown format - accepted media "
            f"types include: {JSON_PATCH}, {MERGE}, {STRATEGIC}"
        )
    return kinds[media]


def apply_patch(target: dict[str, Any], patch: Any, kind: str) -> dict[str, Any]:
    if kind == "json":
        if not isinstance(patch, list):
            raise PatchError("a JSON patch must be a list of operations")
        return json_patch(target, patch)
    if not isinstance(patch, dict):
        raise PatchError("a merge patch must be a JSON object")
    merged = merge_patch(target, patch) if kind == "merge" else strategic_merge(target, patch)
    if not isinstance(merged, dict):
        raise PatchError("the patch removed the whole object")
    return merged


# -- RFC 7386 -----------------------------------------------------------------------------
def merge_patch(target: Any, patch: Any) -> Any:
    if not isinstance(patch, dict):
        return copy.deepcopy(patch)
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    for key, value in patch.items():
        if value is None:
            result.pop(key, None)
        else:
            result[key] = merge_patch(result.get(key), value)
    return result


# -- strategic merge patch ----------------------------------------------------------------
def strategic_merge(target: Any, patch: dict[str, Any], parent: str | None = None) -> Any:
    """Merge `patch` into `target`; `parent` names the field holding them (for merge keys)."""
    directive = patch.get("$patch")
    if directive == "replace":
        return {k: copy.deepcopy(v) for k, v in patch.items() if not k.startswith("$")}
    if directive == "delete":
        return None
    result = copy.deepcopy(target) if isinstance(target, dict) else {}
    orders: dict[str, list[Any]] = {}
    for key, value in patch.items():
        if key.startswith("$setElementOrder/"):
            orders[key.split("/", 1)[1]] = value
        elif key.startswith("$deleteFromPrimitiveList/"):
            field = key.split("/", 1)[1]
            result[field] = [item for item in result.get(field) or [] if item not in value]
        elif key == "$retainKeys":
            keep = set(value) | {k for k in patch if not k.startswith("$")}
            result = {k: v for k, v in result.items() if k in keep}
        elif key.startswith("$"):
            continue  # other directives carry no data for us
        elif value is None:
            result.pop(key, None)
        elif isinstance(value, dict):
            merged = strategic_merge(result.get(key), value, key)
            if merged is None:
                result.pop(key, None)
            else:
                result[key] = merged
        elif isinstance(value, list) and merge_key(key, parent):
            result[key] = _merge_list(result.get(key) or [], value, key, parent)
        elif isinstance(value, list) and key in MERGED_SCALAR_LISTS:
            existing = list(result.get(key) or [])
            result[key] = existing + [item for item in value if item not in existing]
        else:
            result[key] = copy.deepcopy(value)
    for field, order in orders.items():
        key_name = merge_key(field, parent)
        if key_name and isinstance(result.get(field), list):
            result[field] = _apply_order(result[field], order, key_name)
    return result


def _merge_list(current: list[Any], patch: list[Any], field: str, parent: str | None) -> list[Any]:
    key = merge_key(field, parent)
    assert key is not None
    if any(isinstance(item, dict) and item.get("$patch") == "replace" for item in patch):
        return [copy.deepcopy(i) for i in patch if not (isinstance(i, dict) and "$patch" in i)]
    result = copy.deepcopy(current)
    for item in patch:
        if not isinstance(item, dict) or key not in item:
            raise PatchError(f"map in a merged list lacks its merge key {key!r}")
        index = next((i for i, old in enumerate(result) if old.get(key) == item[key]), None)
        if item.get("$patch") == "delete":
            if index is not None:
                result.pop(index)
        elif index is None:
            result.append({k: v for k, v in item.items() if not k.startswith("$")})
        else:
            result[index] = strategic_merge(result[index], item, field)
    return result


def _apply_order(items: list[Any], order: list[Any], key: str) -> list[Any]:
    """Sort by the patch's `$setElementOrder`; elements it does not name keep their place after."""
    rank = {entry.get(key): i for i, entry in enumerate(order) if isinstance(entry, dict)}
    return sorted(items, key=lambda item: rank.get(item.get(key), len(rank)))


# -- RFC 6902 -----------------------------------------------------------------------------
def _pointer(path: str) -> list[str]:
    if path == "":
        return []
    if not path.startswith("/"):
        raise PatchError(f"invalid JSON pointer {path!r}")
    return [part.replace("~1", "/").replace("~0", "~") for part in path[1:].split("/")]


def _walk(doc: Any, parts: list[str], path: str) -> Any:
    for part in parts:
        if isinstance(doc, dict) and part in doc:
            doc = doc[part]
        elif isinstance(doc, list) and part.isdigit() and int(part) < len(doc):
            doc = doc[int(part)]
        else:
            raise PatchError(f"path {path!r} does not exist")
    return doc


def _add(doc: Any, parts: list[str], value: Any, path: str, replace: bool) -> Any:
    if not parts:
        return copy.deepcopy(value)
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict):
        if replace and last not in parent:
            raise PatchError(f"replace operation does not apply: doc is missing key: {path}")
        parent[last] = copy.deepcopy(value)
    elif isinstance(parent, list):
        if last == "-" and not replace:
            parent.append(copy.deepcopy(value))
        elif last.isdigit() and int(last) <= len(parent) - (1 if replace else 0):
            if replace:
                parent[int(last)] = copy.deepcopy(value)
            else:
                parent.insert(int(last), copy.deepcopy(value))
        else:
            raise PatchError(f"index out of range in {path!r}")
    else:
        raise PatchError(f"path {path!r} does not point into an object or array")
    return doc


def _remove(doc: Any, parts: list[str], path: str) -> Any:
    if not parts:
        raise PatchError("cannot remove the whole document")
    parent = _walk(doc, parts[:-1], path)
    last = parts[-1]
    if isinstance(parent, dict) and last in parent:
        return parent.pop(last)
    if isinstance(parent, list) and last.isdigit() and int(last) < len(parent):
        return parent.pop(int(last))
    raise PatchError(f"remove operation does not apply: doc is missing path: {path}")


def json_patch(target: dict[str, Any], operations: list[Any]) -> dict[str, Any]:
    doc: Any = copy.deepcopy(target)
    for operation in operations:
        if not isinstance(operation, dict) or "op" not in operation or "path" not in operation:
            raise PatchError(f"invalid JSON patch operation: {operation!r}")
        op, path = operation["op"], operation["path"]
        parts = _pointer(path)
        if op in ("add", "replace", "test") and "value" not in operation:
            raise PatchError(f"{op} operation on {path!r} lacks a value")
        if op == "add":
            doc = _add(doc, parts, operation["value"], path, replace=False)
        elif op == "replace":
            doc = _add(doc, parts, operation["value"], path, replace=True)
        elif op == "remove":
            _remove(doc, parts, path)
        elif op == "test":
            if _walk(doc, parts, path) != operation["value"]:
                raise PatchError(f"testing value {path} failed")
        elif op in ("move", "copy"):
            source = _pointer(operation.get("from", ""))
            value = (
                _remove(doc, source, operation["from"])
                if op == "move"
                else copy.deepcopy(_walk(doc, source, operation.get("from", "")))
            )
            doc = _add(doc, parts, value, path, replace=False)
        else:
            raise PatchError(f"unknown JSON patch operation {op!r}")
    if not isinstance(doc, dict):
        raise PatchError("a JSON patch must leave an object")
    return doc
