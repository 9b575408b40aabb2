"""Durations in English and Korean -> Prometheus form, through the silence command."""

from __future__ import annotations

import pytest

from bot.nlu import AppCatalog, parse
from bot.nlu.durations import find_duration
from bot.nlu.numbers import rewrite_numbers

CATALOG = AppCatalog.from_names(["payment"])


@pytest.mark.parametrize(
    ("text", "duration"),
    [
        ("2 hours", "2h"),
        ("90 minutes", "90m"),
        ("a day", "1d"),
        ("an hour", "1h"),
        ("half an hour", "30m"),
        ("an hour and a half", "1h30m"),
        ("1.5 hours", "90m"),
        ("2h", "2h"),
        ("45m", "45m"),
        ("1h30m", "1h30m"),
        ("1 hour and 30 minutes", "1h30m"),
        ("two weeks", "2w"),
        ("1시간", "1h"),
        ("30분", "30m"),
        ("1시간 30분", "1h30m"),
        ("한 시간", "1h"),
        ("두시간", "2h"),
        ("1시간 반", "1h30m"),
        ("삼십 분", "30m"),
        ("하루", "1d"),
        ("이틀", "2d"),
        ("3 more pods", None),
        ("until further notice", None),
    ],
)
def test_find_duration(text: str, duration: str | None) -> None:
    assert find_duration(rewrite_numbers(text.lower())) == duration


@pytest.mark.parametrize(
    ("text", "alert", "duration"),
    [
        ("silence HighLatency for 2h", "HighLatency", "2h"),
        ("mute PaymentDown for thirty minutes", "PaymentDown", "30m"),
        ("snooze DiskFull for half an hour", "DiskFull", "30m"),
        ("HighErrorRate 알림 1시간 동안 꺼줘", "HighErrorRate", "1h"),
        ("DiskFull 알람 이틀 동안 꺼줘", "DiskFull", "2d"),
        ("silence HighLatency", "HighLatency", None),
    ],
)
def test_silence_duration(text: str, alert: str, duration: str | None) -> None:
    intent = parse(text, CATALOG)
    assert (intent.name, intent.alert, intent.duration) == ("silence", alert, duration)
