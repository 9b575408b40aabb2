"""Legacy discovery documents: `/api`, `/apis`, `/apis/<group>` and each group version's
APIResourceList, which kubectl reads to resolve `deploy`, `svc`, `pdb` and to learn the verbs.

Everything comes from the kinds table, so a verb appears here only if the sandbox routes it.
"""

from __future__ import annotations

from typing import Any

from .kubernetes_resources import GROUP_VERSIONS, RESOURCES, SUBRESOURCE_VERBS, ResourceKind

Obj = dict[str, Any]


def api_versions(server_address: str) -> Obj:
    return {
        "kind": "APIVersions",
        "versions": ["v1"],
        "serverAddressByClientCIDRs": [
            {"clientCIDR": "0.0.0.0/0", "serverAddress": server_address}
        ],
    }


def groups() -> list[str]:
    """Named groups (not the core group), in discovery order."""
    return [gv.split("/")[0] for gv in GROUP_VERSIONS if "/" in gv]


def _group(name: str) -> Obj:
    version = {"groupVersion": f"{name}/v1", "version": "v1"}
    return {"name": name, "versions": [version], "preferredVersion": version}


def api_group_list() -> Obj:
    return {"kind": "APIGroupList", "apiVersion": "v1", "groups": [_group(g) for g in groups()]}


def api_group(name: str) -> Obj | None:
    if name not in groups():
        return None
    return {"kind": "APIGroup", "apiVersion": "v1", **_group(name)}


def _subresource_entry(res: ResourceKind, sub: str) -> Obj:
    entry: Obj = {
        "name": f"{res.plural}/{sub}",
        "singularName": "",
        "namespaced": res.namespaced,
        "kind": res.kind,
        "verbs": list(SUBRESOURCE_VERBS[sub]),
    }
    if sub == "scale":
        entry.update(kind="Scale", group="autoscaling", version="v1")
    return entry


def resource_list(group_version: str) -> Obj | None:
    """The APIResourceList of one group version, or None when the sandbox does not serve it."""
    if group_version not in GROUP_VERSIONS:
        return None
    entries: list[Obj] = []
    for res in RESOURCES:
        if res.api_version != group_version:
            continue
        entry: Obj = {
            "name": res.plural,
            "singularName": res.singular,
            "namespaced": res.namespaced,
            "kind": res.kind,
            "verbs": sorted(res.verbs),
        }
        if res.short_names:
            entry["shortNames"] = list(res.short_names)
        if res.categories:
            entry["categories"] = list(res.categories)
        entries.append(entry)
        entries.extend(_subresource_entry(res, sub) for sub in res.subresources)
    return {
        "kind": "APIResourceList",
        "apiVersion": "v1",
        "groupVersion": group_version,
        "resources": entries,
    }
