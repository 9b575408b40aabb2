"""The stand-up digest's own work on a board of 2,000 issues, network excluded: progress,
burndown, blocked items, carry-over risk, what got done, who works on what, and the burndown
chart, from issues already fetched. Records `digest_2000_issues_s` (target under 1 s).

Run from the repository root: `.venv/bin/python bench/bench_digest.py`.
"""

from __future__ import annotations

import random
import statistics
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.results import background_load, note_run, record, result
from integrations.jira import (
    IssueInfo,
    PointsChange,
    SprintChange,
    SprintInfo,
    Status,
    StatusChange,
)
from sprint.activity import done_since, in_progress_by_person
from sprint.burndown import burndown, burndown_png
from sprint.progress import blocked_issues, sprint_progress
from sprint.velocity import carry_over_risk, velocity

ISSUES = 2000
ROUNDS = 5
START = datetime(2026, 11, 16, 0, 0, tzinfo=UTC)
NOW = START + timedelta(days=9, hours=3)
TODO, DOING, DONE = (
    Status("To Do", "todo"),
    Status("In Progress", "in_progress"),
    Status("Done", "done"),
)


def board(seed: int = 7) -> tuple[SprintInfo, list[IssueInfo]]:
    """An active two-week sprint whose issues moved along day by day, with a changelog each."""
    rng = random.Random(seed)
    sprint = SprintInfo(
        42, "PAY Sprint 42", "active", "ship it", START, START + timedelta(days=14), None
    )
    issues = []
    for number in range(ISSUES):
        created = START - timedelta(days=rng.randint(0, 20))
        joined = START if rng.random() < 0.9 else START + timedelta(days=rng.randint(1, 8))
        started = joined + timedelta(hours=rng.randint(1, 150))
        finished = started + timedelta(hours=rng.randint(4, 120))
        changes = [StatusChange(started, TODO, DOING)] if started < NOW else []
        if finished < NOW:
            changes.append(StatusChange(finished, DOING, DONE))
        status = changes[-1].after if changes else TODO
        points = float(rng.choice((1, 2, 3, 5, 8)))
        issues.append(
            IssueInfo(
                key=f"PAY-{number + 1}",
                summary=f"Issue {number + 1}",
                issue_type=rng.choice(("Story", "Bug", "Task")),
                status=status,
                points=points,
                assignee=rng.choice(("Alice Kim", "Bob Park", "Carol Choi", "Dan Lee", None)),
                assignee_user=None,
                flagged=rng.random() < 0.02,
                created=created,
                url=f"https://jira.example.com/browse/PAY-{number + 1}",
                sprint_ids=frozenset({sprint.id}),
                status_changes=tuple(changes),
                sprint_changes=(SprintChange(joined, frozenset(), frozenset({sprint.id})),),
                points_changes=(PointsChange(created, None, points),),
            )
        )
    return sprint, issues


def digest_once(sprint: SprintInfo, issues: list[IssueInfo]) -> bytes:
    progress = sprint_progress(sprint, issues, now=NOW)
    chart = burndown(sprint, issues, now=NOW)
    pace = velocity([], [])
    carry_over_risk(progress.remaining_points, pace, end=sprint.end, now=NOW)
    blocked_issues(issues)
    done_since(issues, NOW - timedelta(days=1))
    in_progress_by_person(issues, nobody="nobody")
    assert chart is not None
    return burndown_png(
        chart,
        title="PAY Sprint 42",
        ideal_label="ideal",
        remaining_label="remaining",
        y_label="points",
    )


def main() -> int:
    busy = background_load()
    sprint, issues = board()
    digest_once(sprint, issues)  # fonts and imports warm
    times = []
    for _ in range(ROUNDS):
        began = time.perf_counter()
        digest_once(sprint, issues)
        times.append(time.perf_counter() - began)
    median = statistics.median(times)
    note_run("bench_digest.py", {"issues": ISSUES, "rounds": ROUNDS, "busy_before": busy})
    outcome = result(
        "digest_2000_issues_s",
        round(median, 3),
        "s",
        target="< 1",
        note=f"median of {ROUNDS} digests of {ISSUES} issues with changelogs, chart included",
    )
    record(outcome)
    return 0 if outcome.meets else 1


if __name__ == "__main__":
    sys.exit(main())
