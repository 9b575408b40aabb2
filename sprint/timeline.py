"""An issue as it stood at a moment, read back from its changelog: in the sprint or not, done
or not, and its estimate then.

The rule for each field is the same: the value after the last change at or before the moment;
before the first change, that change's "before"; with no change at all, the value now. An
issue did not exist before it was created.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime
from typing import Protocol, TypeVar

from sprint.model import Category, Issue

_V = TypeVar("_V")


class _Change(Protocol):
    @property
    def at(self) -> datetime: ...


_C = TypeVar("_C", bound=_Change)


def _value_at(
    changes: Sequence[_C],
    moment: datetime,
    now: _V,
    before: Callable[[_C], _V],
    after: Callable[[_C], _V],
) -> _V:
    last = None
    for change in changes:
        if change.at <= moment:
            last = change
        else:
            break
    if last is not None:
        return after(last)
    if changes:
        return before(changes[0])
    return now


def category_at(issue: Issue, moment: datetime) -> Category:
    return _value_at(
        issue.status_changes,
        moment,
        issue.status.category,
        lambda c: c.before.category if c.before is not None else "todo",
        lambda c: c.after.category,
    )


def points_at(issue: Issue, moment: datetime) -> float:
    value = _value_at(
        issue.points_changes, moment, issue.points, lambda c: c.before, lambda c: c.after
    )
    return value or 0.0


def in_sprint_at(issue: Issue, sprint_id: int, moment: datetime) -> bool:
    """Was the issue in the sprint at `moment`? With no Sprint change recorded, it was in
    whatever sprints it names now (or, naming none, the one it was fetched for) once it
    existed."""
    if issue.created > moment:
        return False
    if not issue.sprint_changes:
        return not issue.sprint_ids or sprint_id in issue.sprint_ids
    return _value_at(
        issue.sprint_changes,
        moment,
        sprint_id in issue.sprint_ids,
        lambda c: sprint_id in c.before,
        lambda c: sprint_id in c.after,
    )


def joined_at(issue: Issue, sprint_id: int) -> datetime | None:
    """When the issue last came into the sprint (None: never by a recorded change)."""
    joined = None
    for change in issue.sprint_changes:
        if sprint_id in change.after and sprint_id not in change.before:
            joined = change.at
    return joined
