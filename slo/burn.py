"""Error-budget arithmetic for chat replies: burn rate, budget left, time to exhaustion.

Pure functions of numbers read elsewhere (Prometheus, through an integration); nothing here
fetches. A ratio that is NaN (no traffic in the window) gives NaN or None, never a guess.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from slo.windows import BURN_ALERTS, BurnAlert


def error_budget(objective: float) -> float:
    """The share of events allowed to fail: 0.001 for a 99.9% objective."""
    if not 0 < objective < 1:
        raise ValueError(f"objective must be between 0 and 1, not {objective}")
    return 1 - objective


def burn_rate(error_ratio: float, objective: float) -> float:
    """How fast the budget burns: 1 spends it exactly over the period, 14.4 in about 2 days."""
    return error_ratio / error_budget(objective)


def budget_left(period_error_ratio: float, objective: float) -> float:
    """The share of the period's budget not yet spent, given the error ratio over the period
    so far: 1 is untouched, 0 spent, below 0 overspent."""
    return 1 - burn_rate(period_error_ratio, objective)


def time_to_exhaustion(left: float, rate: float, period: timedelta) -> timedelta | None:
    """How long the `left` share of the budget lasts at burn rate `rate`; None when it does
    not run out (no burn) or cannot be told (NaN). Already spent: zero."""
    if math.isnan(left) or math.isnan(rate):
        return None
    if left <= 0:
        return timedelta(0)
    if rate <= 0:
        return None
    # At burn rate 1 the whole budget lasts one period; `left` of it lasts `left` periods.
    return period * (left / rate)


def burn_rates(error_ratios: Mapping[str, float], objective: float) -> dict[str, float]:
    """The burn rate per window, from the error ratio per window (`{"5m": 0.02, …}`)."""
    return {window: burn_rate(ratio, objective) for window, ratio in error_ratios.items()}


def burning(
    error_ratios: Mapping[str, float],
    objective: float,
    alerts: tuple[BurnAlert, ...] = BURN_ALERTS,
) -> list[BurnAlert]:
    """The burn alerts whose two windows both burn above their factor, as the rules decide;
    a window missing from `error_ratios` does not burn."""
    budget = error_budget(objective)

    def above(window: str, factor: float) -> bool:
        ratio = error_ratios.get(window, math.nan)
        return not math.isnan(ratio) and ratio > factor * budget

    return [a for a in alerts if above(a.long.name, a.factor) and above(a.short.name, a.factor)]


@dataclass(frozen=True)
class BudgetStatus:
    """An SLO's budget at a moment: what a chat reply about the SLO shows."""

    objective: float
    period: timedelta
    #: The error ratio over the period so far.
    period_error_ratio: float
    #: The burn rate now, usually over the shortest alerting window (5m or 1h).
    current_burn_rate: float

    @property
    def budget_left(self) -> float:
        return budget_left(self.period_error_ratio, self.objective)

    @property
    def time_to_exhaustion(self) -> timedelta | None:
        return time_to_exhaustion(self.budget_left, self.current_burn_rate, self.period)
