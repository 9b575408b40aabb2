"""Jenkins' `tree` query parameter: `jobs[name,url],builds[number,result]{0,10}` picks fields
out of a JSON answer, recursively, with an optional `{from,to}` slice of each list.

Clients (python-jenkins' `get_all_jobs`, Kuber's build list) ask for exactly what they read;
Jenkins keeps `_class` on every object whatever the tree says, and so does this.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class TreeNode:
    name: str
    children: list[TreeNode] = field(default_factory=list)
    #: `{from,to}` of a list field: Python slice bounds, either may be open.
    start: int | None = None
    stop: int | None = None


class TreeError(ValueError):
    """A malformed tree expression (Jenkins answers 400)."""


def parse_tree(text: str) -> list[TreeNode]:
    nodes, rest = _parse_list(text.replace(" ", ""), 0)
    if rest != len(text.replace(" ", "")):
        raise TreeError(f"unexpected {text[rest:]!r} in tree")
    return nodes


def _parse_list(text: str, at: int) -> tuple[list[TreeNode], int]:
    nodes: list[TreeNode] = []
    while at < len(text):
        end = at
        while end < len(text) and text[end] not in ",[]{}":
            end += 1
        if end == at:
            raise TreeError(f"a field name is missing at {at} in tree")
        node = TreeNode(text[at:end])
        at = end
        if at < len(text) and text[at] == "[":
            node.children, at = _parse_list(text, at + 1)
            if at >= len(text) or text[at] != "]":
                raise TreeError("unbalanced [ in tree")
            at += 1
        if at < len(text) and text[at] == "{":
            close = text.find("}", at)
            if close < 0:
                raise TreeError("unbalanced { in tree")
            node.start, node.stop = _range(text[at + 1 : close])
            at = close + 1
        nodes.append(node)
        if at < len(text) and text[at] == ",":
            at += 1
            continue
        break
    return nodes, at


def _range(spec: str) -> tuple[int | None, int | None]:
    """`{M,N}`, `{M,}`, `{,N}` or `{M}` (the one element M)."""
    try:
        if "," not in spec:
            index = int(spec)
            return index, index + 1
        low, high = spec.split(",", 1)
        return (int(low) if low else None), (int(high) if high else None)
    except ValueError as exc:
        raise TreeError(f"bad range {{{spec}}} in tree") from exc


def apply_tree(value: Any, nodes: list[TreeNode]) -> Any:
    """`value` with only the fields `nodes` name (and `_class`)."""
    if isinstance(value, list):
        return [apply_tree(item, nodes) for item in value]
    if not isinstance(value, dict):
        return value
    picked: dict[str, Any] = {}
    if "_class" in value:
        picked["_class"] = value["_class"]
    for node in nodes:
        if node.name not in value:
            continue
        item = value[node.name]
        if isinstance(item, list) and (node.start is not None or node.stop is not None):
            item = item[node.start : node.stop]
        picked[node.name] = apply_tree(item, node.children) if node.children else _leaf(item)
    return picked


def _leaf(value: Any) -> Any:
    """A field named without sub-fields: a value as it is, an object as its `_class` alone
    (so `jobs[name,jobs]` shows the deepest folders' children as `{"_class": …}`)."""
    if isinstance(value, dict):
        return {"_class": value["_class"]} if "_class" in value else {}
    if isinstance(value, list):
        return [_leaf(item) for item in value]
    return value
