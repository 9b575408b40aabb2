"""The shapes sprint math reads: an issue with its status, points and changelog, and a sprint
with its dates.

They are Protocols, so any value with these attributes will do (the Jira integration's
records, a test's, a benchmark's): the domain imports neither a vendor nor an integration.
"""

from __future__ import annotations

from collections.abc import Sequence, Set
from datetime import datetime
from typing import Literal, Protocol

#: Jira's three status categories, as Kuber names them.
Category = Literal["todo", "in_progress", "done"]


class Status(Protocol):
    @property
    def name(self) -> str: ...

    @property
    def category(self) -> Category: ...


class StatusChange(Protocol):
    @property
    def at(self) -> datetime: ...

    @property
    def before(self) -> Status | None: ...

    @property
    def after(self) -> Status: ...


class SprintChange(Protocol):
    """The sprints an issue was in before and after one change of its Sprint field."""

    @property
    def at(self) -> datetime: ...

    @property
    def before(self) -> Set[int]: ...

    @property
    def after(self) -> Set[int]: ...


class PointsChange(Protocol):
    @property
    def at(self) -> datetime: ...

    @property
    def before(self) -> float | None: ...

    @property
    def after(self) -> float | None: ...


class Issue(Protocol):
    @property
    def key(self) -> str: ...

    @property
    def summary(self) -> str: ...

    @property
    def issue_type(self) -> str: ...

    @property
    def status(self) -> Status: ...

    @property
    def points(self) -> float | None: ...

    @property
    def assignee(self) -> str | None: ...

    @property
    def flagged(self) -> bool: ...

    @property
    def created(self) -> datetime: ...

    @property
    def sprint_ids(self) -> Set[int]: ...

    @property
    def status_changes(self) -> Sequence[StatusChange]: ...

    @property
    def sprint_changes(self) -> Sequence[SprintChange]: ...

    @property
    def points_changes(self) -> Sequence[PointsChange]: ...


class Sprint(Protocol):
    @property
    def id(self) -> int: ...

    @property
    def name(self) -> str: ...

    @property
    def goal(self) -> str | None: ...

    @property
    def start(self) -> datetime | None: ...

    @property
    def end(self) -> datetime | None: ...

    @property
    def completed(self) -> datetime | None: ...
