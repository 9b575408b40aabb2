"""Where a sprint stands: issues and points by status category, the scope added since it
started, the days left, and what is blocked."""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import TypeVar

from sprint.model import Category, Issue, Sprint
from sprint.timeline import joined_at, points_at

#: Status names that mean "cannot go on" in the workflows teams use.
BLOCKED_STATUSES = frozenset({"blocked", "on hold", "impeded", "차단됨"})
CATEGORIES: tuple[Category, ...] = ("todo", "in_progress", "done")
DAY = timedelta(days=1)
_I = TypeVar("_I", bound=Issue)


@dataclass(frozen=True)
class Tally:
    issues: int = 0
    points: float = 0.0

    def plus(self, points: float | None) -> Tally:
        return Tally(self.issues + 1, self.points + (points or 0.0))


@dataclass(frozen=True)
class Progress:
    by_category: Mapping[Category, Tally]
    total: Tally
    #: Issues with no estimate: their work is not in the points.
    unestimated: int
    #: Issues that joined after the sprint started, and their points now.
    added: tuple[str, ...]
    added_points: float
    #: How the estimates of the issues there from the start changed since (+ grew).
    reestimated_points: float
    #: The sprint's day now (1 on its first day), its length and the days left, in days.
    day: int
    days: int
    days_left: int

    @property
    def done(self) -> Tally:
        return self.by_category.get("done", Tally())

    @property
    def remaining_points(self) -> float:
        return self.total.points - self.done.points

    @property
    def done_ratio(self) -> float:
        """Done by points; by issues when nothing is estimated."""
        if self.total.points > 0:
            return self.done.points / self.total.points
        return self.done.issues / self.total.issues if self.total.issues else 0.0


def sprint_progress(sprint: Sprint, issues: Sequence[Issue], *, now: datetime) -> Progress:
    """`issues` are the sprint's issues now."""
    tallies: dict[Category, Tally] = dict.fromkeys(CATEGORIES, Tally())
    total = Tally()
    unestimated = 0
    added: list[str] = []
    added_points = 0.0
    reestimated = 0.0
    for issue in issues:
        category = issue.status.category
        tallies[category] = tallies[category].plus(issue.points)
        total = total.plus(issue.points)
        if issue.points is None:
            unestimated += 1
        if sprint.start is None:
            continue
        joined = joined_at(issue, sprint.id)
        came_late = joined > sprint.start if joined is not None else issue.created > sprint.start
        if came_late:
            added.append(issue.key)
            added_points += issue.points or 0.0
        else:
            reestimated += (issue.points or 0.0) - points_at(issue, sprint.start)
    day, days, days_left = _days(sprint, now)
    return Progress(
        by_category=tallies,
        total=total,
        unestimated=unestimated,
        added=tuple(added),
        added_points=added_points,
        reestimated_points=reestimated,
        day=day,
        days=days,
        days_left=days_left,
    )


def _days(sprint: Sprint, now: datetime) -> tuple[int, int, int]:
    if sprint.start is None or sprint.end is None:
        return 0, 0, 0
    days = max(1, math.ceil((sprint.end - sprint.start) / DAY))
    day = min(days, max(1, math.floor((now - sprint.start) / DAY) + 1))
    left = max(0, math.ceil((sprint.end - now) / DAY))
    return day, days, left


def is_blocked(issue: Issue) -> bool:
    """Flagged as an impediment, or in a Blocked status; done work is never blocked."""
    if issue.status.category == "done":
        return False
    return issue.flagged or issue.status.name.strip().lower() in BLOCKED_STATUSES


def blocked_issues(issues: Sequence[_I]) -> list[_I]:
    return [issue for issue in issues if is_blocked(issue)]
