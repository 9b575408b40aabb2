"""Windows: names are durations, and a scale shortens the PromQL ranges they stand for."""

from __future__ import annotations

import pytest

from slo import RATIO_WINDOWS, Window
from slo.windows import duration_seconds, prometheus_duration


def test_the_recorded_windows() -> None:
    assert [w.name for w in RATIO_WINDOWS] == ["5m", "30m", "1h", "2h", "6h", "1d", "3d"]
    assert [w.seconds for w in RATIO_WINDOWS] == [300, 1800, 3600, 7200, 21600, 86400, 259200]


@pytest.mark.parametrize(
    ("seconds", "text"),
    [(300, "5m"), (90, "90s"), (7200, "2h"), (259200, "3d"), (0.25, "250ms"), (1e-6, "1ms")],
)
def test_prometheus_durations_in_the_largest_exact_unit(seconds: float, text: str) -> None:
    assert prometheus_duration(seconds) == text


def test_a_scale_shortens_the_range_and_keeps_the_name() -> None:
    hour = Window("1h")
    assert hour.range() == "1h"
    assert hour.range(1 / 60) == "1m"
    assert Window("5m").range(1 / 60) == "5s"
    assert Window("3d").range(1 / 60) == "72m"
    assert hour.name == "1h"


@pytest.mark.parametrize("scale", [0, -1, 1.5])
def test_a_scale_must_shrink(scale: float) -> None:
    with pytest.raises(ValueError, match="window scale"):
        Window("1h").range(scale)


def test_a_bad_duration_is_named() -> None:
    with pytest.raises(ValueError, match="'1 hour'"):
        duration_seconds("1 hour")
