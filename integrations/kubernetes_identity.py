"""Whom Kuber acts as in Kubernetes: the person's user and groups, for the cluster's own RBAC.

The dispatcher opens an `acting_as(...)` scope around the work it does for a person; every
API request made inside it carries `Impersonate-User` and one `Impersonate-Group` per group.
Outside a scope Kuber calls as itself. The scope is a context variable: a thread started
inside it does not inherit it (hand it over with `contextvars.copy_context().run`), or its
calls would go out as Kuber. Imports no vendor client, so the core may use it freely.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Protocol

IMPERSONATE_USER = "Impersonate-User"
IMPERSONATE_GROUP = "Impersonate-Group"


class Subject(Protocol):
    """A person's Kubernetes identity as configuration holds it (kuber.yaml's `kubernetes:`)."""

    @property
    def user(self) -> str | None: ...

    @property
    def groups(self) -> Sequence[str]: ...


@dataclass(frozen=True)
class Identity:
    """A user, and the groups it is asserted to be in, as the API server impersonates them."""

    user: str
    groups: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        # The API server refuses groups without a user; so does this, before any call.
        if not self.user:
            raise ValueError("impersonating groups needs a user")

    def headers(self) -> list[tuple[str, str]]:
        """The request headers, one `Impersonate-Group` per group (a header may repeat)."""
        return [(IMPERSONATE_USER, self.user)] + [(IMPERSONATE_GROUP, g) for g in self.groups]


_acting_as: ContextVar[Identity | None] = ContextVar("kuber_kubernetes_identity", default=None)


def identity_of(subject: Subject | None) -> Identity | None:
    """The identity to impersonate for `subject`; None when it names nobody (Kuber itself)."""
    if subject is None or (not subject.user and not subject.groups):
        return None
    return Identity(subject.user or "", tuple(subject.groups))


@contextmanager
def acting_as(subject: Subject | Identity | None) -> Iterator[Identity | None]:
    """Make Kubernetes calls inside the block as `subject`; None calls as Kuber's own account,
    also inside an outer scope. The previous identity is restored on leaving."""
    identity = subject if isinstance(subject, Identity) else identity_of(subject)
    token = _acting_as.set(identity)
    try:
        yield identity
    finally:
        _acting_as.reset(token)


def current_identity() -> Identity | None:
    """Whom calls made now act as; None for Kuber's own account."""
    return _acting_as.get()


def impersonation_headers() -> list[tuple[str, str]]:
    identity = _acting_as.get()
    return identity.headers() if identity is not None else []
