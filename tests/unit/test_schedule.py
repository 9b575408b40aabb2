"""The timetable: a job runs once at its due time, once when a new leader finds it missed
within its grace, and never when the due time is older than that."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.schedule import Job, Timetable, latest_due
from bot.work_scope import current_key

SEOUL_STANDUP = CronTrigger(day_of_week="mon-fri", hour=9, minute=30, timezone="Asia/Seoul")
# Friday 2026-11-27 09:30 in Seoul is 00:30 UTC.
FRIDAY_DUE = datetime(2026, 11, 27, 0, 30, tzinfo=UTC)


class Clock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now


def recording_job(runs: list[tuple[datetime, str | None]], grace: timedelta) -> Job:
    return Job(
        "standup/payments", SEOUL_STANDUP, lambda due: runs.append((due, current_key())), grace
    )


def test_the_latest_due_time_follows_day_names_and_the_timezone() -> None:
    saturday_noon = datetime(2026, 11, 28, 3, 0, tzinfo=UTC)
    assert latest_due(SEOUL_STANDUP, saturday_noon) == FRIDAY_DUE
    assert latest_due(SEOUL_STANDUP, FRIDAY_DUE) == FRIDAY_DUE
    assert latest_due(SEOUL_STANDUP, FRIDAY_DUE - timedelta(seconds=1)) == FRIDAY_DUE - timedelta(
        days=1
    )


def test_a_due_job_runs_once_and_again_only_at_its_next_due_time() -> None:
    runs: list[tuple[datetime, str | None]] = []
    clock = Clock(FRIDAY_DUE + timedelta(seconds=1))
    timetable = Timetable([recording_job(runs, timedelta(hours=1))], clock=clock)
    assert timetable.tick() == 1
    clock.now += timedelta(minutes=5)
    assert timetable.tick() == 0
    clock.now = FRIDAY_DUE + timedelta(days=3)  # Monday 09:30 in Seoul
    assert timetable.tick() == 1
    assert [due for due, _ in runs] == [FRIDAY_DUE, FRIDAY_DUE + timedelta(days=3)]
    # The work is named by the job and its due time, so a repeat stores nothing new.
    assert runs[0][1] == "schedule/standup/payments/2026-11-27T00:30:00+00:00"


def test_a_new_leader_runs_a_due_time_missed_within_its_grace() -> None:
    runs: list[tuple[datetime, str | None]] = []
    clock = Clock(FRIDAY_DUE + timedelta(minutes=20))
    timetable = Timetable([recording_job(runs, timedelta(hours=1))], clock=clock)
    timetable.lead()
    assert timetable.tick() == 1
    assert [due for due, _ in runs] == [FRIDAY_DUE]


def test_a_due_time_older_than_the_grace_is_skipped() -> None:
    runs: list[tuple[datetime, str | None]] = []
    clock = Clock(FRIDAY_DUE + timedelta(hours=2))
    timetable = Timetable([recording_job(runs, timedelta(hours=1))], clock=clock)
    assert timetable.tick() == 0
    clock.now = FRIDAY_DUE + timedelta(days=3, seconds=5)
    assert timetable.tick() == 1  # the next one still runs
    assert [due for due, _ in runs] == [FRIDAY_DUE + timedelta(days=3)]


def test_a_failing_job_is_not_retried_until_its_next_due_time() -> None:
    calls: list[datetime] = []

    def failing(due: datetime) -> None:
        calls.append(due)
        raise RuntimeError("jira is down")

    clock = Clock(FRIDAY_DUE + timedelta(seconds=1))
    timetable = Timetable([Job("standup/payments", SEOUL_STANDUP, failing)], clock=clock)
    assert timetable.tick() == 0
    assert timetable.tick() == 0
    assert calls == [FRIDAY_DUE]
