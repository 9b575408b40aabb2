"""Error-budget arithmetic: the numbers a chat reply about an SLO shows."""

from __future__ import annotations

import math
from datetime import timedelta

import pytest

from slo import (
    BURN_ALERTS,
    BudgetStatus,
    budget_left,
    burn_rate,
    burn_rates,
    burning,
    error_budget,
    time_to_exhaustion,
)

MONTH = timedelta(days=30)
SECOND = timedelta(seconds=1)


def test_the_error_budget_is_what_the_objective_leaves() -> None:
    assert error_budget(0.999) == pytest.approx(0.001)
    assert error_budget(0.99) == pytest.approx(0.01)
    with pytest.raises(ValueError, match="objective"):
        error_budget(1.0)


def test_burn_rate_is_the_error_ratio_in_budgets() -> None:
    assert burn_rate(0.001, 0.999) == pytest.approx(1.0)
    assert burn_rate(0.0144, 0.999) == pytest.approx(14.4)
    assert burn_rate(0.0, 0.999) == 0.0
    assert math.isnan(burn_rate(math.nan, 0.999))


def test_budget_left_over_the_period() -> None:
    assert budget_left(0.0, 0.999) == pytest.approx(1.0)
    assert budget_left(0.0005, 0.999) == pytest.approx(0.5)
    assert budget_left(0.001, 0.999) == pytest.approx(0.0)
    assert budget_left(0.003, 0.999) == pytest.approx(-2.0)  # overspent three times


def test_time_to_exhaustion() -> None:
    # 14.4x spends a whole 30-day budget in 50 hours; half of it in 25.
    assert time_to_exhaustion(1.0, 14.4, MONTH) == pytest.approx(timedelta(hours=50), abs=SECOND)
    assert time_to_exhaustion(0.5, 14.4, MONTH) == pytest.approx(timedelta(hours=25), abs=SECOND)
    assert time_to_exhaustion(0.5, 1.0, MONTH) == timedelta(days=15)
    assert time_to_exhaustion(0.0, 2.0, MONTH) == timedelta(0)
    assert time_to_exhaustion(-1.0, 2.0, MONTH) == timedelta(0)
    assert time_to_exhaustion(0.5, 0.0, MONTH) is None  # nothing burns: it lasts
    assert time_to_exhaustion(math.nan, 2.0, MONTH) is None
    assert time_to_exhaustion(0.5, math.nan, MONTH) is None  # no traffic: cannot be told


def test_burn_rates_per_window() -> None:
    rates = burn_rates({"5m": 0.02, "1h": 0.005, "3d": 0.0}, 0.999)
    assert rates == pytest.approx({"5m": 20.0, "1h": 5.0, "3d": 0.0})


@pytest.mark.parametrize(
    ("ratios", "expected"),
    [
        # A fast, short burn: the 1h and 5m windows both above 14.4x; 6h only at 2x.
        ({"5m": 0.02, "30m": 0.02, "1h": 0.015, "6h": 0.002}, [("page", "1h", "5m")]),
        # The burn stopped: 1h still high but 5m clean, so the page resolves.
        ({"5m": 0.0, "1h": 0.015}, []),
        # A slow leak: 1x over 3d and 6h is a ticket, and so is 3x over 1d and 2h.
        (
            {"2h": 0.004, "6h": 0.004, "1d": 0.0035, "3d": 0.002},
            [("ticket", "1d", "2h"), ("ticket", "3d", "6h")],
        ),
        # Exactly at the factor is not above it; NaN (no traffic) never burns.
        ({"1h": 0.0144, "5m": 0.0144}, []),
        ({"1h": math.nan, "5m": 1.0}, []),
    ],
)
def test_burning_alerts_need_both_windows_above_the_factor(
    ratios: dict[str, float], expected: list[tuple[str, str, str]]
) -> None:
    found = burning(ratios, 0.999)
    assert [(a.severity, a.long.name, a.short.name) for a in found] == expected


def test_the_alert_windows_are_the_workbooks() -> None:
    assert [(a.severity, a.long.name, a.short.name, a.factor) for a in BURN_ALERTS] == [
        ("page", "1h", "5m", 14.4),
        ("page", "6h", "30m", 6.0),
        ("ticket", "1d", "2h", 3.0),
        ("ticket", "3d", "6h", 1.0),
    ]


def test_budget_status_reads_as_a_reply_would() -> None:
    status = BudgetStatus(
        objective=0.999, period=MONTH, period_error_ratio=0.0004, current_burn_rate=3.0
    )
    assert status.budget_left == pytest.approx(0.6)
    # 60% of a month's budget at 3x: 0.6 * 30 days / 3 = 6 days.
    assert status.time_to_exhaustion == pytest.approx(timedelta(days=6), abs=SECOND)
