"""The sprint domain on small hand-made boards: an issue's state read back from its changelog,
progress and scope added, the burndown's ideal and actual lines, velocity, the carry-over
risk, blocked work and what a stand-up lists."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest

from sprint.activity import created_since, done_since, in_progress_by_person
from sprint.burndown import burndown, burndown_png
from sprint.model import Category
from sprint.progress import blocked_issues, sprint_progress
from sprint.timeline import category_at, in_sprint_at, points_at
from sprint.velocity import Velocity, carry_over_risk, completed_points, velocity

START = datetime(2026, 3, 2, 1, 0, tzinfo=UTC)  # Monday 10:00 in Seoul
BEFORE = START - timedelta(days=10)
END = START + timedelta(days=10)


def day(n: float) -> datetime:
    return START + timedelta(days=n)


@dataclass(frozen=True)
class St:
    name: str
    category: Category


TODO, DOING, DONE, BLOCKED = (
    St("To Do", "todo"),
    St("In Progress", "in_progress"),
    St("Done", "done"),
    St("Blocked", "in_progress"),
)


@dataclass(frozen=True)
class Moved:
    at: datetime
    before: St | None
    after: St


@dataclass(frozen=True)
class Joined:
    at: datetime
    before: frozenset[int]
    after: frozenset[int]


@dataclass(frozen=True)
class Estimated:
    at: datetime
    before: float | None
    after: float | None


@dataclass(frozen=True)
class It:
    key: str
    points: float | None
    status: St = TODO
    issue_type: str = "Story"
    summary: str = "work"
    assignee: str | None = None
    flagged: bool = False
    created: datetime = BEFORE
    sprint_ids: frozenset[int] = frozenset({1})
    status_changes: tuple[Moved, ...] = ()
    sprint_changes: tuple[Joined, ...] = ()
    points_changes: tuple[Estimated, ...] = ()


@dataclass(frozen=True)
class Sp:
    id: int = 1
    name: str = "Sprint 1"
    goal: str | None = "Ship it"
    start: datetime | None = START
    end: datetime | None = END
    completed: datetime | None = None


def done_on(n: float) -> tuple[Moved, ...]:
    return (Moved(day(n - 0.5), TODO, DOING), Moved(day(n), DOING, DONE))


def board() -> list[It]:
    return [
        It("A-1", 5, DONE, status_changes=done_on(1.2), assignee="alice"),
        It("A-2", 3, DONE, status_changes=done_on(3.5), assignee="bob"),
        It(
            "A-3",
            5,
            DOING,
            status_changes=(Moved(day(1), TODO, DOING),),
            points_changes=(Estimated(day(2), 2, 5),),
            assignee="bob",
        ),
        It("A-4", 2, BLOCKED, status_changes=(Moved(day(2), TODO, BLOCKED),), assignee="carol"),
        It("A-5", 1, DOING, flagged=True, status_changes=(Moved(day(1), TODO, DOING),)),
        # Joined on day 3 (from the backlog).
        It(
            "A-6",
            3,
            TODO,
            issue_type="Bug",
            created=day(2.5),
            sprint_changes=(Joined(day(3), frozenset(), frozenset({1})),),
        ),
        It("A-7", None, TODO),
    ]


def test_state_is_read_back_from_the_changelog() -> None:
    a3 = board()[2]
    assert category_at(a3, day(0.5)) == "todo"
    assert category_at(a3, day(1.5)) == "in_progress"
    assert points_at(a3, day(1)) == 2
    assert points_at(a3, day(4)) == 5
    a6 = board()[5]
    assert not in_sprint_at(a6, 1, day(2))
    assert in_sprint_at(a6, 1, day(3.1))
    assert in_sprint_at(board()[6], 1, day(0))  # no Sprint change: in it since created


def test_progress_counts_categories_scope_and_days() -> None:
    progress = sprint_progress(Sp(), board(), now=day(4.25))
    assert progress.total.issues == 7
    assert progress.total.points == 19
    assert progress.done.points == 8
    assert progress.by_category["in_progress"].issues == 3
    assert progress.unestimated == 1
    assert progress.added == ("A-6",)
    assert progress.added_points == 3
    assert progress.reestimated_points == 3  # 2 -> 5
    assert (progress.day, progress.days, progress.days_left) == (5, 10, 6)
    assert progress.remaining_points == 11
    assert progress.done_ratio == pytest.approx(8 / 19)


def test_burndown_ideal_and_actual_lines() -> None:
    chart = burndown(Sp(), board(), now=day(4.25))
    assert chart is not None
    # At the start: A-1 5, A-2 3, A-3 2 (estimated 2 then), A-4 2, A-5 1; A-6 not yet there.
    assert chart.committed == 13
    assert chart.ideal == ((START, 13), (day(10), 0.0))
    assert [v for _, v in chart.remaining] == [13, 13, 11, 14, 11, 11]
    assert chart.remaining[-1][0] == day(4.25)
    assert chart.remaining_now == 11
    png = burndown_png(
        chart, title="Sprint 1 번다운", ideal_label="Ideal", remaining_label="남은", y_label="pts"
    )
    assert png.startswith(b"\x89PNG\r\n\x1a\n")
    assert burndown(Sp(start=None), board(), now=day(1)) is None


def test_velocity_counts_what_was_done_when_each_sprint_closed() -> None:
    first = Sp(id=7, name="Sprint 7", start=day(-28), end=day(-14), completed=day(-14))
    second = Sp(id=8, name="Sprint 8", start=day(-14), end=day(0), completed=day(0))
    issues = [
        It(
            "B-1", 8, DONE, created=day(-30), sprint_ids=frozenset({7}), status_changes=done_on(-20)
        ),
        It("B-2", 5, DONE, sprint_ids=frozenset({8}), status_changes=done_on(-5)),
        # Done after sprint 8 closed: carried over, so it counts for neither.
        It(
            "B-3",
            3,
            DONE,
            sprint_ids=frozenset({8, 1}),
            status_changes=done_on(2),
            sprint_changes=(
                Joined(day(-14), frozenset(), frozenset({8})),
                Joined(day(0.01), frozenset({8}), frozenset({8, 1})),
            ),
        ),
        It("B-4", 13, DONE, sprint_ids=frozenset({8}), status_changes=done_on(-3)),
    ]
    assert completed_points(second, issues) == 18
    pace = velocity([second, first], issues)
    assert pace.sprints == (("Sprint 8", 18.0), ("Sprint 7", 8.0))
    assert pace.average == 13
    assert pace.per_day == pytest.approx(13 / 14)


@pytest.mark.parametrize(
    ("remaining", "risk"),
    [(0.0, "low"), (9.0, "low"), (13.0, "medium"), (16.0, "high")],
)
def test_carry_over_risk_against_the_recent_pace(remaining: float, risk: str) -> None:
    pace = Velocity((("S", 14.0),), days=14.0)  # a point a day
    outcome = carry_over_risk(remaining, pace, end=day(10), now=day(0))
    assert outcome.risk == risk
    if remaining:
        assert outcome.expected == pytest.approx(10.0)


def test_carry_over_risk_without_a_pace_is_unknown() -> None:
    assert carry_over_risk(5, Velocity((), None), end=day(10), now=day(0)).risk == "unknown"
    ended = carry_over_risk(5, Velocity((("S", 14.0),), 14.0), end=day(0), now=day(1))
    assert ended.risk == "high"


def test_blocked_done_since_and_work_in_progress() -> None:
    issues = board()
    assert [i.key for i in blocked_issues(issues)] == ["A-4", "A-5"]
    assert [i.key for i in done_since(issues, day(3))] == ["A-2"]
    assert {
        k: [i.key for i in v] for k, v in in_progress_by_person(issues, nobody="-").items()
    } == {"bob": ["A-3"]}
    assert [i.key for i in created_since(issues, day(2), issue_type="bug")] == ["A-6"]


def test_a_large_board_is_quick_enough() -> None:
    """The digest's math for a board of 2,000 issues (the network excluded) is far under a
    second; this only guards against a quadratic slip, not the clock."""
    issues = [
        It(f"L-{n}", float(n % 8), DONE if n % 3 == 0 else DOING, status_changes=done_on(n % 9))
        for n in range(2000)
    ]
    chart = burndown(Sp(), issues, now=day(9))
    progress = sprint_progress(Sp(), issues, now=day(9))
    assert chart is not None
    assert progress.total.issues == 2000
