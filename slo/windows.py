"""The windows of multi-window, multi-burn-rate alerting (Google SRE workbook, chapter 5), as
data: which error ratios are recorded, and which pairs of them page or open a ticket.

A `window_scale` below 1 shrinks every range so a test sees in seconds what takes hours; the
names (`1h`) stay, so rule names, labels and whatever reads them are the same at any scale.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_UNITS = {"d": 86_400_000, "h": 3_600_000, "m": 60_000, "s": 1_000, "ms": 1}
_DURATION = re.compile(r"^(\d+)(ms|s|m|h|d)$")


def duration_seconds(text: str) -> float:
    """`5m` -> 300.0: one number and one unit (ms, s, m, h, d), as in the window names."""
    match = _DURATION.match(text)
    if match is None:
        raise ValueError(f"not a duration: {text!r} (e.g. 5m, 1h, 3d)")
    return int(match.group(1)) * _UNITS[match.group(2)] / 1000


def prometheus_duration(seconds: float) -> str:
    """A PromQL range for `seconds`, in the largest unit that says it exactly (`90s`, `2m`).

    Rounded to whole milliseconds, the finest unit Prometheus reads; never below 1ms.
    """
    millis = max(1, round(seconds * 1000))
    for unit, size in _UNITS.items():
        if millis % size == 0:
            return f"{millis // size}{unit}"
    raise AssertionError("unreachable: every whole number of ms has a unit")


def check_scale(window_scale: float) -> float:
    if not 0 < window_scale <= 1:
        raise ValueError(f"window scale must be above 0 and at most 1, not {window_scale}")
    return window_scale


@dataclass(frozen=True)
class Window:
    """A named span of time, `1h`; `range(scale)` is the PromQL range it stands for."""

    name: str

    @property
    def seconds(self) -> float:
        return duration_seconds(self.name)

    def range(self, window_scale: float = 1.0) -> str:
        return prometheus_duration(self.seconds * check_scale(window_scale))


@dataclass(frozen=True)
class BurnAlert:
    """Alert when the error ratio over both windows exceeds `factor` times the error budget.

    The long window makes the alert significant, the short one lets it resolve soon after
    the burn stops.
    """

    severity: str
    long: Window
    short: Window
    factor: float


#: The windows whose error ratios are recorded: every window an alert or a chat reply reads.
RATIO_WINDOWS: tuple[Window, ...] = tuple(
    Window(name) for name in ("5m", "30m", "1h", "2h", "6h", "1d", "3d")
)

#: 14.4x over 1h spends 2% of a 30-day budget; 6x over 6h 5%; 3x over 1d 10%; 1x over 3d 10%.
BURN_ALERTS: tuple[BurnAlert, ...] = (
    BurnAlert("page", Window("1h"), Window("5m"), 14.4),
    BurnAlert("page", Window("6h"), Window("30m"), 6.0),
    BurnAlert("ticket", Window("1d"), Window("2h"), 3.0),
    BurnAlert("ticket", Window("3d"), Window("6h"), 1.0),
)
