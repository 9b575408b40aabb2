"""What a stand-up tells about the board: what got done since the last one, who is working on
what, and the bugs filed since."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import TypeVar

from sprint.model import Issue
from sprint.progress import is_blocked

_I = TypeVar("_I", bound=Issue)


def done_since(issues: Sequence[_I], since: datetime) -> list[_I]:
    """Issues done now that moved into a done status at or after `since`."""
    return [
        issue
        for issue in issues
        if issue.status.category == "done"
        and any(c.at >= since and c.after.category == "done" for c in issue.status_changes)
    ]


def in_progress_by_person(issues: Sequence[_I], *, nobody: str) -> dict[str, list[_I]]:
    """Work in progress (not blocked), by assignee; unassigned work under `nobody`, last."""
    people: dict[str, list[_I]] = {}
    for issue in issues:
        if issue.status.category != "in_progress" or is_blocked(issue):
            continue
        people.setdefault(issue.assignee or "", []).append(issue)
    ordered = {name: people[name] for name in sorted(people) if name}
    if "" in people:
        ordered[nobody] = people[""]
    return ordered


def created_since(issues: Sequence[_I], since: datetime, *, issue_type: str) -> list[_I]:
    return [
        issue
        for issue in issues
        if issue.created >= since and issue.issue_type.lower() == issue_type.lower()
    ]
