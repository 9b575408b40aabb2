"""The stand-up digest on each team's timetable (`standup:` in kuber.yaml: day names, a time
and the team's timezone), posted to every channel the team has on a platform Kuber serves.

The leader's `Timetable` runs it (`bot.schedule`): once when due, once more only if a new
leader finds it missed within its grace, and then the outbox stores the same posts once.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime, timedelta

from apscheduler.triggers.cron import CronTrigger

from bot.messages import Reply
from bot.runtime import Runtime
from bot.schedule import Job
from bot.settings import Team
from bot.standup import build_digest

#: A digest more than this late (a Kuber down all morning) is not posted: the next one is.
GRACE = timedelta(hours=2)

Post = Callable[[str, str, str | None, Reply], str]


def standup_trigger(team: Team) -> CronTrigger | None:
    if team.standup is None:
        return None
    hour, minute = (int(part) for part in team.standup.time.split(":"))
    return CronTrigger(
        day_of_week=team.standup.days, hour=hour, minute=minute, timezone=team.standup.timezone
    )


def post_digest(
    runtime: Runtime, post: Post, platforms: Sequence[str], team: Team, now: datetime
) -> int:
    """Build `team`'s digest as of `now` and post it to its channels; the number of posts."""
    reply = build_digest(runtime.settings, runtime.store, runtime.services, team=team.name, now=now)
    posted = 0
    for platform in platforms:
        channel = getattr(team.channels, platform, None)
        if channel:
            post(platform, channel, None, reply)
            posted += 1
    return posted


def standup_jobs(runtime: Runtime, post: Post, platforms: Sequence[str]) -> list[Job]:
    jobs = []
    for team in runtime.settings.config.teams:
        trigger = standup_trigger(team)
        if trigger is None:
            continue

        def run(due: datetime, team: Team = team) -> None:
            post_digest(runtime, post, platforms, team, due)

        jobs.append(Job(f"standup/{team.name}", trigger, run, grace=GRACE))
    return jobs
