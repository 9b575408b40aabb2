"""Velocity (the points the team finished in its recent sprints) and the risk that work of the
running sprint carries over: the points left against what the team finishes at that pace in
the days left."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Literal

from sprint.model import Issue, Sprint
from sprint.timeline import category_at, in_sprint_at, points_at

Risk = Literal["low", "medium", "high", "unknown"]
#: Remaining points up to this share of the expected capacity are a medium risk.
MEDIUM_UP_TO = 1.5


@dataclass(frozen=True)
class Velocity:
    #: (sprint name, points finished in it), newest first.
    sprints: tuple[tuple[str, float], ...]
    #: The usual sprint length of those sprints, in days.
    days: float | None

    @property
    def average(self) -> float | None:
        if not self.sprints:
            return None
        return sum(points for _, points in self.sprints) / len(self.sprints)

    @property
    def per_day(self) -> float | None:
        average = self.average
        if average is None or not self.days:
            return None
        return average / self.days


def completed_points(sprint: Sprint, issues: Sequence[Issue]) -> float:
    """The points of the issues that were in the sprint and done when it completed (its end
    when it has no completion date), at their estimates then: what Jira counts."""
    moment = sprint.completed or sprint.end
    if moment is None:
        return 0.0
    return sum(
        (
            points_at(issue, moment)
            for issue in issues
            if in_sprint_at(issue, sprint.id, moment) and category_at(issue, moment) == "done"
        ),
        0.0,
    )


def velocity(closed: Sequence[Sprint], issues: Sequence[Issue]) -> Velocity:
    """`closed` sprints (newest first) and every issue that was in any of them."""
    finished = []
    lengths = []
    for sprint in closed:
        members = [i for i in issues if not i.sprint_ids or sprint.id in i.sprint_ids]
        finished.append((sprint.name, completed_points(sprint, members)))
        if sprint.start is not None and sprint.end is not None:
            lengths.append((sprint.end - sprint.start) / timedelta(days=1))
    days = sum(lengths) / len(lengths) if lengths else None
    return Velocity(tuple(finished), days)


@dataclass(frozen=True)
class CarryOver:
    remaining: float
    #: The points the team is likely to finish before the end, at its recent pace.
    expected: float | None
    risk: Risk


def carry_over_risk(
    remaining: float, velocity: Velocity, *, end: datetime | None, now: datetime
) -> CarryOver:
    """How likely the sprint ends with work left, from the points left and the recent pace."""
    if remaining <= 0:
        return CarryOver(0.0, None, "low")
    pace = velocity.per_day
    if pace is None or end is None:
        return CarryOver(remaining, None, "unknown")
    days_left = max(0.0, (end - now) / timedelta(days=1))
    expected = pace * days_left
    if expected <= 0:
        return CarryOver(remaining, 0.0, "high")
    ratio = remaining / expected
    risk: Risk = "low" if ratio <= 1.0 else "medium" if ratio <= MEDIUM_UP_TO else "high"
    return CarryOver(remaining, expected, risk)
