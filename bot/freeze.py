"""Deploy freezes: whether a change asked for now falls in one of kuber.yaml's `freeze:`
windows. A frozen change is not refused; it needs an admin's approval, and its plan says why.
"""

from __future__ import annotations

import zoneinfo
from datetime import datetime, time

from bot.settings import Freeze, KuberConfig

_DAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def active_freeze(
    config: KuberConfig, *, team: str | None, cluster: str | None, now: datetime
) -> Freeze | None:
    """The first window covering a change to `cluster` by or for `team` at `now` (aware)."""
    for window in config.freeze:
        if window.team is not None and window.team != team:
            continue
        if window.cluster is not None and window.cluster != cluster:
            continue
        if _covers(window, now):
            return window
    return None


def _covers(window: Freeze, now: datetime) -> bool:
    local = now.astimezone(zoneinfo.ZoneInfo(window.timezone))
    start, end = _clock(window.start), _clock(window.end, inclusive=True)
    # A window past midnight belongs to the day it started on.
    overnight = end < start
    day = local.date()
    if overnight and local.time() <= end:
        day = day.fromordinal(day.toordinal() - 1)
    if window.from_date is not None and day < window.from_date:
        return False
    if window.until_date is not None and day > window.until_date:
        return False
    if _DAYS[day.weekday()] not in _day_set(window.days):
        return False
    moment = local.time()
    if overnight:
        return moment >= start or moment <= end
    return start <= moment <= end


def _clock(value: str, *, inclusive: bool = False) -> time:
    """ "09:30" as a time; an end includes its whole minute ("until 17:59" covers 17:59:30)."""
    hours, minutes = value.split(":")
    return time(int(hours), int(minutes), 59 if inclusive else 0, 999999 if inclusive else 0)


def _day_set(days: str) -> set[str]:
    chosen: set[str] = set()
    for part in days.split(","):
        first, _, last = part.strip().partition("-")
        if not last:
            chosen.add(first)
            continue
        start, stop = _DAYS.index(first), _DAYS.index(last)
        span = range(start, stop + 1) if start <= stop else [*range(start, 7), *range(stop + 1)]
        chosen.update(_DAYS[i] for i in span)
    return chosen
