"""Reliability domain, pure logic: SLO indicators as PromQL, Prometheus rule generation and
error-budget arithmetic. Nothing here talks to Prometheus; `integrations.prometheus` does."""

from slo.burn import (
    BudgetStatus,
    budget_left,
    burn_rate,
    burn_rates,
    burning,
    error_budget,
    time_to_exhaustion,
)
from slo.rules import (
    ALERT_NAME,
    BUDGET_REMAINING_RECORD,
    ERROR_BUDGET_RECORD,
    OBJECTIVE_RECORD,
    PERIOD_RATIO_RECORD,
    ratio_record,
    rule_groups,
    rules_yaml,
)
from slo.windows import BURN_ALERTS, RATIO_WINDOWS, BurnAlert, Window

__all__ = [
    "ALERT_NAME",
    "BUDGET_REMAINING_RECORD",
    "BURN_ALERTS",
    "ERROR_BUDGET_RECORD",
    "OBJECTIVE_RECORD",
    "PERIOD_RATIO_RECORD",
    "RATIO_WINDOWS",
    "BudgetStatus",
    "BurnAlert",
    "Window",
    "budget_left",
    "burn_rate",
    "burn_rates",
    "burning",
    "error_budget",
    "ratio_record",
    "rule_groups",
    "rules_yaml",
    "time_to_exhaustion",
]
