"""Impersonation as the sandbox sees it: who a request acts as, and the RBAC-shaped refusals
a test sets up for a user or a group.

A real API server first checks that the caller may impersonate, then authorizes the
impersonated user; the sandbox trusts the headers and only knows what it was told to refuse.
Only shapes and rules live here; the server decides when to ask.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from .http import Request
from .kubernetes_errors import ApiError

IMPERSONATE_USER = "Impersonate-User"
IMPERSONATE_GROUP = "Impersonate-Group"


@dataclass(frozen=True)
class Impersonation:
    """The user and groups a request asks to act as (`Impersonate-User`, `Impersonate-Group`)."""

    user: str
    groups: tuple[str, ...] = ()


def _header_values(request: Request, name: str) -> list[str]:
    # The journal's header dict keeps one value per name; a header may repeat (one group each).
    if request.handler is not None:
        return [str(v) for v in request.handler.headers.get_all(name) or []]
    value = request.headers.get(name.lower())
    return [value] if value is not None else []


def impersonation_headers(request: Request) -> dict[str, Any] | None:
    """What the request's impersonation headers say, as the journal shows it; None if none."""
    users = _header_values(request, IMPERSONATE_USER)
    groups = _header_values(request, IMPERSONATE_GROUP)
    if not users and not groups:
        return None
    return {"user": users[0] if len(users) == 1 else (users or None), "groups": groups}


def impersonation_of(request: Request) -> Impersonation | None:
    """Who `request` acts as, or None for the caller itself; groups without a user are an
    error, as the API server answers them."""
    users = _header_values(request, IMPERSONATE_USER)
    groups = tuple(_header_values(request, IMPERSONATE_GROUP))
    if not users:
        if groups:
            requested = " ".join(f"{{Group  {g}  authentication.k8s.io/v1  }}" for g in groups)
            raise ApiError(
                500,
                "InternalError",
                f"Internal error occurred: requested [{requested}] without impersonating a user",
            )
        return None
    if len(users) > 1:
        raise ApiError(
            500, "InternalError", "Internal error occurred: only one user may be impersonated"
        )
    return Impersonation(users[0], groups)


@dataclass(frozen=True)
class Refusal:
    """RBAC that does not allow `user` (or members of `group`) some verbs on some resources.

    None means every verb, resource or namespace. Resources are named as RBAC names them
    (`deployments`, `deployments/scale`, `pods/log`).
    """

    user: str | None = None
    group: str | None = None
    verbs: tuple[str, ...] | None = None
    resources: tuple[str, ...] | None = None
    namespace: str | None = None

    def __post_init__(self) -> None:
        if (self.user is None) == (self.group is None):
            raise ValueError("a refusal names either a user or a group")

    @classmethod
    def from_json(cls, spec: Mapping[str, Any]) -> Refusal:
        unknown = set(spec) - {"user", "group", "verbs", "resources", "namespace"}
        if unknown:
            raise ValueError(f"unknown keys {sorted(unknown)}")
        return cls(
            user=_text(spec.get("user")),
            group=_text(spec.get("group")),
            verbs=_texts(spec.get("verbs")),
            resources=_texts(spec.get("resources")),
            namespace=_text(spec.get("namespace")),
        )

    def applies(
        self, user: str, groups: Sequence[str], verb: str, resource: str, namespace: str | None
    ) -> bool:
        if self.user is not None and self.user != user:
            return False
        if self.group is not None and self.group not in groups:
            return False
        if self.verbs is not None and verb not in self.verbs:
            return False
        if self.resources is not None and resource not in self.resources:
            return False
        return self.namespace is None or self.namespace == namespace

    def describe(self) -> dict[str, Any]:
        return {
            "user": self.user,
            "group": self.group,
            "verbs": list(self.verbs) if self.verbs is not None else None,
            "resources": list(self.resources) if self.resources is not None else None,
            "namespace": self.namespace,
        }


def _text(value: Any) -> str | None:
    if value is not None and not isinstance(value, str):
        raise ValueError(f"{value!r} is not a string")
    return value


def _texts(value: Any) -> tuple[str, ...] | None:
    if value is None:
        return None
    if isinstance(value, str) or not isinstance(value, list | tuple):
        raise ValueError(f"{value!r} is not a list of strings")
    return tuple(str(_text(v)) for v in value)
