"""The burndown of a sprint: the ideal line from the points committed at the start to zero at
the end, and the points that actually remained each day, read back from the changelog (work
done, estimates changed, issues added or taken out), with its chart."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from bot.charts import burndown_chart
from sprint.model import Issue, Sprint
from sprint.timeline import category_at, in_sprint_at, points_at

DAY = timedelta(days=1)


@dataclass(frozen=True)
class Burndown:
    start: datetime
    end: datetime
    #: The points in the sprint when it started.
    committed: float
    ideal: tuple[tuple[datetime, float], ...]
    #: Points not done, at the start of each day so far and now.
    remaining: tuple[tuple[datetime, float], ...]

    @property
    def remaining_now(self) -> float:
        return self.remaining[-1][1] if self.remaining else self.committed


def remaining_at(sprint_id: int, issues: Sequence[Issue], moment: datetime) -> float:
    return sum(
        (
            points_at(issue, moment)
            for issue in issues
            if in_sprint_at(issue, sprint_id, moment) and category_at(issue, moment) != "done"
        ),
        0.0,
    )


def burndown(sprint: Sprint, issues: Sequence[Issue], *, now: datetime) -> Burndown | None:
    """None for a sprint without dates. `issues` are those in the sprint now (an issue taken
    out is not among them, so its points never show: as Jira's own report, closely enough)."""
    if sprint.start is None or sprint.end is None:
        return None
    start, end = sprint.start, sprint.end
    committed = remaining_at(sprint.id, issues, start)
    ideal = ((start, committed), (end, 0.0))
    moments = []
    moment = start
    last = min(now, end)
    while moment < last:
        moments.append(moment)
        moment += DAY
    moments.append(last)
    remaining = tuple((m, remaining_at(sprint.id, issues, m)) for m in moments)
    return Burndown(start, end, committed, ideal, remaining)


def burndown_png(
    chart: Burndown, *, title: str, ideal_label: str, remaining_label: str, y_label: str
) -> bytes:
    return burndown_chart(
        chart.ideal,
        chart.remaining,
        title=title,
        ideal_label=ideal_label,
        remaining_label=remaining_label,
        y_label=y_label,
    )
