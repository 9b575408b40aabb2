"""Stable names for what one stored event produces, so running it again produces nothing new.

An inbox event may be processed twice: its replica died after the work but before recording
it done, and the leader ran it again. Within `work_scope(key)` every plan and every outgoing
message is named by the event and its place in the sequence (the first post, the second
edit, …), and storing a name that exists is a no-op: the second run re-creates the same rows,
not new ones. Outside a scope, names are random as before.
"""

from __future__ import annotations

import hashlib
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field


@dataclass
class _Scope:
    key: str
    counter: Iterator[int] = field(default_factory=itertools.count)


_current: ContextVar[_Scope | None] = ContextVar("kuber_work_scope", default=None)


@contextmanager
def work_scope(key: str) -> Iterator[None]:
    """Name everything produced inside after `key` (an inbox event's stable id)."""
    token = _current.set(_Scope(key))
    try:
        yield
    finally:
        _current.reset(token)


def current_key() -> str | None:
    """The key of the work running now, if any."""
    scope = _current.get()
    return scope.key if scope is not None else None


def stable_name(kind: str, length: int = 32) -> str | None:
    """The next name of `kind` in the current scope, or None outside any scope.

    The same scope key yields the same sequence of names, whatever the kinds asked in
    between, as long as the work asks in the same order (it does: it is the same code on
    the same stored input).
    """
    scope = _current.get()
    if scope is None:
        return None
    digest = hashlib.sha256(f"{scope.key}/{next(scope.counter)}/{kind}".encode()).hexdigest()
    return digest[:length]
