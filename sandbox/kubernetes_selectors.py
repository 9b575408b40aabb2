"""Label and field selectors as the Kubernetes API parses them from query strings and specs.

Only matching lives here; the store and the HTTP layer decide what to match against.
A selector that does not parse raises ValueError, which the API answers with 400.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

_REQUIREMENT = re.compile(
    r"^\s*(?P<neg>!)?\s*(?P<key>[A-Za-z0-9._/-]+)\s*"
    r"(?:(?P<op>==|=|!=)\s*(?P<value>[A-Za-z0-9._-]*)"
    r"|\s(?P<setop>in|notin)\s*\((?P<values>[^)]*)\))?\s*$"
)


@dataclass(frozen=True)
class Requirement:
    key: str
    op: str  # =, !=, in, notin, exists, !exists
    values: tuple[str, ...] = ()

    def matches(self, labels: dict[str, str]) -> bool:
        present = self.key in labels
        value = labels.get(self.key)
        if self.op == "exists":
            return present
        if self.op == "!exists":
            return not present
        if self.op in ("=", "in"):
            return present and value in self.values
        # != and notin also match objects without the label, as in the API
        return value not in self.values


@dataclass(frozen=True)
class LabelSelector:
    requirements: tuple[Requirement, ...] = ()

    def matches(self, labels: dict[str, str] | None) -> bool:
        return all(req.matches(labels or {}) for req in self.requirements)

    @property
    def empty(self) -> bool:
        return not self.requirements


def _split_top_level(text: str) -> list[str]:
    """Split on commas that are not inside `in (a,b)` parentheses."""
    parts: list[str] = []
    current: list[str] = []
    depth = 0
    for char in text:
        if char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
        if char == "," and depth == 0:
            parts.append("".join(current))
            current = []
        else:
            current.append(char)
    parts.append("".join(current))
    return [part for part in parts if part.strip()]


def parse_label_selector(text: str | None) -> LabelSelector:
    if not text:
        return LabelSelector()
    requirements = []
    for part in _split_top_level(text):
        match = _REQUIREMENT.match(part)
        if not match:
            raise ValueError(f"unable to parse requirement: {part.strip()!r}")
        key = match["key"]
        if match["neg"]:
            if match["op"] or match["setop"]:
                raise ValueError(f"unable to parse requirement: {part.strip()!r}")
            requirements.append(Requirement(key, "!exists"))
        elif match["op"]:
            op = "!=" if match["op"] == "!=" else "="
            requirements.append(Requirement(key, op, (match["value"],)))
        elif match["setop"]:
            values = tuple(v.strip() for v in match["values"].split(",") if v.strip())
            requirements.append(Requirement(key, match["setop"], values))
        else:
            requirements.append(Requirement(key, "exists"))
    return LabelSelector(tuple(requirements))


_SPEC_OPERATORS = {"In": "in", "NotIn": "notin", "Exists": "exists", "DoesNotExist": "!exists"}


def selector_from_spec(spec: dict[str, Any] | None) -> LabelSelector:
    """A metav1.LabelSelector (matchLabels + matchExpressions) as a LabelSelector."""
    spec = spec or {}
    requirements = [
        Requirement(key, "=", (value,)) for key, value in (spec.get("matchLabels") or {}).items()
    ]
    for expression in spec.get("matchExpressions") or []:
        op = _SPEC_OPERATORS.get(expression.get("operator", ""))
        if op is None:
            raise ValueError(f"unsupported selector operator {expression.get('operator')!r}")
        values = tuple(expression.get("values") or ())
        requirements.append(Requirement(expression["key"], op, values))
    return LabelSelector(tuple(requirements))


def selector_to_string(spec: dict[str, Any] | None) -> str:
    """The query-string form kubectl prints and Scale.status.selector carries."""
    parts = []
    for req in selector_from_spec(spec).requirements:
        if req.op == "=":
            parts.append(f"{req.key}={req.values[0]}")
        elif req.op in ("in", "notin"):
            parts.append(f"{req.key} {req.op} ({','.join(req.values)})")
        elif req.op == "exists":
            parts.append(req.key)
        else:
            parts.append(f"!{req.key}")
    return ",".join(parts)


@dataclass(frozen=True)
class FieldSelector:
    terms: tuple[tuple[str, bool, str], ...] = ()  # (dotted path, equal?, value)

    def matches(self, obj: dict[str, Any]) -> bool:
        for path, equal, value in self.terms:
            found: Any = obj
            for step in path.split("."):
                found = found.get(step) if isinstance(found, dict) else None
            actual = "" if found is None else str(found)
            if (actual == value) != equal:
                return False
        return True


def parse_field_selector(text: str | None) -> FieldSelector:
    """`metadata.name=x,involvedObject.kind!=Pod`: any dotted path of the object works."""
    if not text:
        return FieldSelector()
    terms = []
    for part in _split_top_level(text):
        match = re.match(r"^\s*([A-Za-z0-9_.]+)\s*(==|=|!=)\s*(.*?)\s*$", part)
        if not match:
            raise ValueError(f"invalid field selector: {part.strip()!r}")
        terms.append((match[1], match[2] != "!=", match[3]))
    return FieldSelector(tuple(terms))
