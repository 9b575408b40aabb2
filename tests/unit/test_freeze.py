"""Deploy freeze windows: days, times across midnight, dates, timezones and scopes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import pytest
from pydantic import ValidationError

from bot.freeze import active_freeze
from bot.settings import KuberConfig


def config(*windows: dict[str, Any]) -> KuberConfig:
    return KuberConfig.model_validate(
        {
            "teams": [{"name": "payments"}, {"name": "search"}],
            "clusters": [{"name": "prod"}, {"name": "staging"}],
            "freeze": list(windows),
        }
    )


def frozen(cfg: KuberConfig, at: str, *, team: str = "payments", cluster: str = "prod") -> bool:
    now = datetime.fromisoformat(at).replace(tzinfo=UTC)
    return active_freeze(cfg, team=team, cluster=cluster, now=now) is not None


FRIDAY_EVENING = {"reason": "weekend", "days": "fri", "start": "15:00", "end": "23:59"}


@pytest.mark.parametrize(
    ("at", "expected"),
    [
        ("2026-11-27T14:59:00", False),  # Friday, before
        ("2026-11-27T15:00:00", True),
        ("2026-11-27T23:59:30", True),  # the end minute is included
        ("2026-11-28T00:00:00", False),  # Saturday
        ("2026-11-26T16:00:00", False),  # Thursday
    ],
)
def test_a_weekly_window(at: str, expected: bool) -> None:
    assert frozen(config(FRIDAY_EVENING), at) is expected


def test_a_window_past_midnight_belongs_to_the_day_it_starts() -> None:
    night = config({"reason": "batch", "days": "mon-fri", "start": "22:00", "end": "06:00"})
    assert frozen(night, "2026-11-27T23:00:00")  # Friday night
    assert frozen(night, "2026-11-28T05:00:00")  # ... into Saturday morning
    assert not frozen(night, "2026-11-29T05:00:00")  # Sunday morning: Saturday had none
    assert not frozen(night, "2026-11-27T12:00:00")


def test_dates_timezones_and_scopes() -> None:
    holidays = config(
        {
            "reason": "year end",
            "from_date": "2026-12-24",
            "until_date": "2026-12-26",
            "timezone": "Asia/Seoul",
            "cluster": "prod",
        }
    )
    assert frozen(holidays, "2026-12-23T15:30:00")  # already the 24th in Seoul
    assert not frozen(holidays, "2026-12-23T14:30:00")
    assert not frozen(holidays, "2026-12-25T12:00:00", cluster="staging")
    search_only = config({**FRIDAY_EVENING, "team": "search"})
    assert not frozen(search_only, "2026-11-27T16:00:00", team="payments")
    assert frozen(search_only, "2026-11-27T16:00:00", team="search")


def test_a_wrong_window_stops_start_up_naming_it() -> None:
    with pytest.raises(ValidationError, match=r"freeze\.0\.days"):
        config({"reason": "x", "days": "1-5"})
    with pytest.raises(ValidationError, match=r"freeze\[0\]\.team: no team named 'ops'"):
        config({"reason": "x", "team": "ops"})
