"""Enrichment of an SLO burn alert: how fast the error budget burns over the alert's windows,
how much of it is left, and when it runs out at that pace, read from Prometheus.

The numbers come from the recording rules `kuber slo rules` writes (`slo.rules`), by name:
the core sits below the `slo` domain and may not import it, so the names are repeated here
and a test holds them equal. The arithmetic is the SRE workbook's (as `slo.burn` does it):
burn rate = error ratio / error budget; the budget left lasts `period x left / burn rate`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from datetime import timedelta
from functools import partial
from typing import Protocol

from bot.alerts.enrich import Enrichment
from bot.alerts.enrich_kubernetes import best_effort
from bot.alerts.enrich_target import slo_labels
from bot.alerts.render import GroupView, format_duration
from bot.i18n import translate
from bot.messages import Field
from bot.settings import KuberConfig
from integrations.prometheus import Sample

SOURCE = "slo"
#: `slo.rules.ratio_record(window)`: the error ratio over a window.
RATIO_RECORD = "slo:sli_error:ratio_rate{window}"
#: `slo.rules.ERROR_BUDGET_RECORD`: 1 - objective.
ERROR_BUDGET_RECORD = "slo:error_budget:ratio"
#: `slo.rules.BUDGET_REMAINING_RECORD`: 1 untouched, 0 spent, below 0 overspent.
BUDGET_REMAINING_RECORD = "slo:error_budget_remaining:ratio"
#: The period an SLO kuber.yaml does not describe is taken to have (kuber.yaml's default).
DEFAULT_PERIOD_DAYS = 30


class InstantQueries(Protocol):
    """What this needs of Prometheus (`integrations.prometheus.PrometheusClient`)."""

    def query(self, expr: str) -> list[Sample]: ...


def _selector(slo: str) -> str:
    escaped = slo.replace("\\", "\\\\").replace('"', '\\"')
    return f'{{slo="{escaped}"}}'


def _value(client: InstantQueries, expr: str) -> float:
    samples = client.query(expr)
    return samples[0].value if samples else math.nan


def burn_rate(error_ratio: float, budget: float) -> float:
    return error_ratio / budget if budget > 0 else math.nan


def time_to_exhaustion(left: float, rate: float, period: timedelta) -> timedelta | None:
    """How long the `left` share of the budget lasts at burn rate `rate`: zero when it is
    spent, None when it does not run out (no burn) or cannot be told (NaN)."""
    if math.isnan(left) or math.isnan(rate):
        return None
    if left <= 0:
        return timedelta(0)
    if rate <= 0:
        return None
    return period * (left / rate)


def percent(ratio: float) -> str:
    return "?" if math.isnan(ratio) else f"{ratio * 100:.1f}%"


def times(rate: float) -> str:
    return "?" if math.isnan(rate) else f"{rate:.1f}×"


class SloBudget:
    """Burn rate, budget left and time to exhaustion for an SLO burn alert."""

    def __init__(
        self, config: KuberConfig, prometheus: Callable[[], InstantQueries | None]
    ) -> None:
        self.config = config
        self.prometheus = prometheus

    def __call__(self, view: GroupView) -> Enrichment | None:
        labels = slo_labels(view)
        if labels is None:
            return None
        client = best_effort("prometheus", view.group_id, self.prometheus)
        if client is None:
            return None
        slo = labels["slo"]
        group, t = view.group_id, view.language
        selector = _selector(slo)
        configured = next((s for s in self.config.slos if s.name == slo), None)
        budget = best_effort(
            "slo budget", group, lambda: _value(client, ERROR_BUDGET_RECORD + selector)
        )
        if (budget is None or math.isnan(budget)) and configured is not None:
            budget = 1 - configured.objective
        fields: list[Field] = []
        rates = self._rates(client, labels, selector, budget, group)
        if rates:
            shown = " · ".join(
                translate(t, "alert_slo_burn_window", rate=times(rate), window=window)
                for window, rate in rates.items()
            )
            if labels.get("factor"):
                shown += " " + translate(t, "alert_slo_burn_factor", factor=labels["factor"])
            fields.append(Field(translate(t, "alert_slo_field_burn"), shown))
        left = best_effort(
            "slo budget left", group, lambda: _value(client, BUDGET_REMAINING_RECORD + selector)
        )
        days = configured.period_days if configured else DEFAULT_PERIOD_DAYS
        if left is not None and not math.isnan(left):
            fields.append(
                Field(
                    translate(t, "alert_slo_field_left"),
                    translate(t, "alert_slo_left", left=percent(left), days=days),
                )
            )
            # At the pace of the long window: the one that makes the alert significant.
            window, rate = next(iter(rates.items()), ("", math.nan))
            if not math.isnan(rate):
                lasts = time_to_exhaustion(left, rate, timedelta(days=days))
                fields.append(
                    Field(translate(t, "alert_slo_field_exhaustion"), _lasts(t, lasts, window))
                )
        if not fields:
            return None
        return Enrichment(SOURCE, fields=tuple(fields))

    @staticmethod
    def _rates(
        client: InstantQueries,
        labels: Mapping[str, str],
        selector: str,
        budget: float | None,
        group: int,
    ) -> dict[str, float]:
        """The burn rate over the alert's long and short windows (those it was read over)."""
        if budget is None or math.isnan(budget):
            return {}
        rates: dict[str, float] = {}
        for key in ("long_window", "short_window"):
            window = labels.get(key)
            if not window or window in rates:
                continue
            expr = RATIO_RECORD.format(window=window) + selector
            ratio = best_effort(f"slo burn {window}", group, partial(_value, client, expr))
            if ratio is not None and not math.isnan(ratio):
                rates[window] = burn_rate(ratio, budget)
        return rates


def _lasts(t: str, lasts: timedelta | None, window: str) -> str:
    if lasts is None:
        return translate(t, "alert_slo_lasts", window=window)
    if lasts <= timedelta(0):
        return translate(t, "alert_slo_spent")
    return translate(t, "alert_slo_runs_out", duration=format_duration(lasts), window=window)
