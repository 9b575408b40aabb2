"""Work on a timetable (the stand-up digest at 09:30 Monday to Friday in Seoul), run by the
leader alone: once when due, once if it was missed within its grace time, never twice.

The cron arithmetic is APScheduler's (`CronTrigger`, with day names and the team's
timezone). The leader looks every few seconds for a job whose latest due time has passed
within its grace and that it has not run; a new leader after a crash or a restart looks too,
so a due time the old leader missed still runs. A job's work is named by the job and its due
time (`bot.work_scope`), so a run repeated by a new leader re-creates the same outgoing
messages, which the outbox stores once: a digest is never posted twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.logs import get_logger
from bot.work_scope import work_scope

log = get_logger(__name__)

#: How far back a due time is looked for: longer than any job's period (a week).
LOOK_BACK = timedelta(days=8)


@dataclass
class Job:
    """`run(due)` at every fire time of `trigger`; a due time older than `grace` is skipped."""

    name: str
    trigger: CronTrigger
    run: Callable[[datetime], None]
    grace: timedelta = timedelta(hours=1)


def latest_due(trigger: CronTrigger, now: datetime) -> datetime | None:
    """The last fire time of `trigger` at or before `now`, within `LOOK_BACK`."""
    latest = None
    moment = trigger.get_next_fire_time(None, now - LOOK_BACK)
    while moment is not None and moment <= now:
        latest = moment
        moment = trigger.get_next_fire_time(moment, moment + timedelta(seconds=1))
    return latest


@dataclass
class Timetable:
    """The jobs a leader runs; `tick` is called by the leader's background loop."""

    jobs: list[Job]
    clock: Callable[[], datetime] = lambda: datetime.now(UTC)
    #: The due times run (or found missed) since this replica became leader.
    _seen: set[tuple[str, datetime]] = field(default_factory=set)

    def lead(self) -> None:
        """A new leadership: every job's latest due time is looked at again."""
        self._seen.clear()

    def tick(self) -> int:
        """Run each job whose latest due time has come and not been run here; return how many
        ran. A failing job is logged and not retried until its next due time."""
        now = self.clock()
        ran = 0
        for job in self.jobs:
            due = latest_due(job.trigger, now)
            if due is None or (job.name, due) in self._seen:
                continue
            self._seen.add((job.name, due))
            if now - due > job.grace:
                continue  # missed long ago: the next one will do
            try:
                with work_scope(f"schedule/{job.name}/{due.astimezone(UTC).isoformat()}"):
                    job.run(due)
            except Exception:
                log.exception("scheduled job failed", job=job.name, due=due.isoformat())
            else:
                log.info("scheduled job ran", job=job.name, due=due.isoformat())
                ran += 1
        return ran
