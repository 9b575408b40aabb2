"""Rule generation: what `kuber slo rules` prints for the SLOs of kuber.yaml."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml
from pydantic import ValidationError

from bot.cli import main
from bot.settings_alerting import Slo
from slo import ALERT_NAME, rule_groups, rules_yaml
from slo.sli import error_ratio_expr, le_pattern

ROOT = Path(__file__).resolve().parents[2]
EXAMPLE = ROOT / "deploy/examples/kuber.yaml"
COMMITTED_RULES = ROOT / "deploy/prometheus/slo-rules.yml"

AVAILABILITY = Slo(
    name="payment-availability",
    app="payment",
    objective=0.999,
    error_query='http_requests_total{app="payment", code=~"5.."}',
    total_query='http_requests_total{app="payment"}',
)
LATENCY = Slo(
    name="payment-latency",
    app="payment",
    objective=0.99,
    period_days=28,
    latency_query='http_request_duration_seconds{app="payment"}',
    latency_threshold_seconds=0.3,
)


def rules_of(slo: Slo, scale: float = 1.0) -> list[dict[str, Any]]:
    (group,) = rule_groups([slo], window_scale=scale)
    assert group["name"] == f"slo-{slo.name}"
    return list(group["rules"])


def records(slo: Slo, scale: float = 1.0) -> dict[str, str]:
    return {r["record"]: r["expr"] for r in rules_of(slo, scale) if "record" in r}


def alerts(slo: Slo) -> list[dict[str, Any]]:
    return [r for r in rules_of(slo) if "alert" in r]


def test_an_error_ratio_is_recorded_per_window() -> None:
    found = records(AVAILABILITY)
    for window in ("5m", "30m", "1h", "2h", "6h", "1d", "3d"):
        assert found[f"slo:sli_error:ratio_rate{window}"] == (
            f'sum(rate(http_requests_total{{app="payment", code=~"5.."}}[{window}]))\n'
            "/\n"
            f'sum(rate(http_requests_total{{app="payment"}}[{window}]))'
        )


def test_the_budget_is_recorded_for_chat_replies() -> None:
    found = records(AVAILABILITY)
    assert found["slo:objective:ratio"] == "vector(0.999)"
    assert found["slo:error_budget:ratio"] == "vector(0.001)"
    assert found["slo:sli_error:ratio_period"] == (
        'avg_over_time(slo:sli_error:ratio_rate5m{slo="payment-availability"}[30d])'
    )
    assert found["slo:error_budget_remaining:ratio"] == (
        '1 - slo:sli_error:ratio_period{slo="payment-availability"} / 0.001'
    )


def test_every_rule_names_its_slo_and_app() -> None:
    for rule in rules_of(AVAILABILITY):
        assert rule["labels"]["slo"] == "payment-availability"
        assert rule["labels"]["app"] == "payment"


def test_multi_window_multi_burn_rate_alerts() -> None:
    found = alerts(AVAILABILITY)
    assert [
        (a["alert"], a["labels"]["severity"], a["labels"]["long_window"],
         a["labels"]["short_window"], a["labels"]["factor"])
        for a in found
    ] == [
        (ALERT_NAME, "page", "1h", "5m", "14.4"),
        (ALERT_NAME, "page", "6h", "30m", "6"),
        (ALERT_NAME, "ticket", "1d", "2h", "3"),
        (ALERT_NAME, "ticket", "3d", "6h", "1"),
    ]  # fmt: skip
    assert found[0]["expr"] == (
        'slo:sli_error:ratio_rate1h{slo="payment-availability"} > 14.4 * 0.001\n'
        "and\n"
        'slo:sli_error:ratio_rate5m{slo="payment-availability"} > 14.4 * 0.001'
    )
    page = found[0]["annotations"]
    assert "payment-availability" in page["summary"]
    assert "14.4x" in page["summary"]
    assert "{{ $value | humanizePercentage }}" in page["description"]
    assert "2.08 days" in page["description"]  # 30 days / 14.4
    assert "for" not in found[0]  # the short window already makes it quick to resolve


def test_a_latency_sli_counts_the_slower_than_threshold() -> None:
    expr = records(LATENCY)["slo:sli_error:ratio_rate5m"]
    count = 'sum(rate(http_request_duration_seconds_count{app="payment"}[5m]))'
    fast = 'sum(rate(http_request_duration_seconds_bucket{app="payment", le=~"0[.]30*"}[5m]))'
    assert expr == f"(\n  {count}\n  -\n  {fast}\n)\n/\n{count}"
    assert "[28d]" in records(LATENCY)["slo:sli_error:ratio_period"]
    assert "0.01" in alerts(LATENCY)[0]["expr"]


@pytest.mark.parametrize(
    ("threshold", "matches", "misses"),
    [
        (0.3, ["0.3", "0.30", "0.300"], ["0.35", "3", "0.03"]),
        (1.0, ["1", "1.0", "1.00"], ["10", "0.1", "1.5"]),
        (2.5, ["2.5"], ["2.25", "25"]),
    ],
)
def test_the_le_pattern_matches_every_way_of_writing_the_bound(
    threshold: float, matches: list[str], misses: list[str]
) -> None:
    pattern = re.compile(le_pattern(threshold))  # PromQL regexes are anchored: fullmatch
    assert all(pattern.fullmatch(text) for text in matches)
    assert not any(pattern.fullmatch(text) for text in misses)


def test_an_expression_with_the_window_placeholder_is_used_as_written() -> None:
    slo = Slo(
        name="checkout",
        app="cart",
        objective=0.995,
        error_query='sum(rate(a_total{code="500"}[{{window}}])) + sum(rate(b_total[{{window}}]))',
        total_query="requests_total",
    )
    assert error_ratio_expr(slo, "30m") == (
        '(sum(rate(a_total{code="500"}[30m])) + sum(rate(b_total[30m])))\n'
        "/\n"
        "sum(rate(requests_total[30m]))"
    )


def test_a_window_scale_shortens_ranges_but_keeps_names() -> None:
    scaled = records(AVAILABILITY, scale=1 / 60)
    assert "[5s]" in scaled["slo:sli_error:ratio_rate5m"]
    assert "[1m]" in scaled["slo:sli_error:ratio_rate1h"]
    assert "[72m]" in scaled["slo:sli_error:ratio_rate3d"]
    assert "[12h]" in scaled["slo:sli_error:ratio_period"]
    text = rules_yaml([AVAILABILITY], window_scale=1 / 60)
    assert "# Windows scaled by 0.0166667" in text
    with pytest.raises(ValueError, match="window scale"):
        rule_groups([AVAILABILITY], window_scale=2)


def test_the_yaml_reads_back_as_the_rule_groups() -> None:
    text = rules_yaml([AVAILABILITY, LATENCY])
    assert yaml.safe_load(text) == {"groups": rule_groups([AVAILABILITY, LATENCY])}
    assert "&id" not in text  # no anchors: each rule reads on its own
    assert "expr: |-\n" in text  # multi-line PromQL as literal blocks
    assert yaml.safe_load(rules_yaml([])) == {"groups": []}


@pytest.mark.parametrize(
    ("fields", "message"),
    [
        ({}, "give error_query and total_query"),
        ({"error_query": "errors_total"}, "give error_query and total_query"),
        (
            {"error_query": "e", "total_query": "t", "latency_query": "h"},
            "not both",
        ),
        ({"latency_query": "h"}, "go together"),
        (
            {"latency_query": "sum(h)", "latency_threshold_seconds": 0.3},
            "not a histogram's selector",
        ),
        ({"error_query": "sum(rate(e[5m]))", "total_query": "t"}, "error_query: .* neither"),
    ],
)
def test_an_slo_needs_exactly_one_complete_sli(fields: dict[str, Any], message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        Slo(name="x", app="payment", objective=0.99, **fields)


def test_the_committed_rules_are_what_the_command_prints_for_the_example(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUBER_CONFIG", str(EXAMPLE))
    assert main(["slo", "rules"]) == 0
    printed = capsys.readouterr().out
    assert "slo-payment-availability" in printed
    assert printed == COMMITTED_RULES.read_text(encoding="utf-8"), (
        "deploy/prometheus/slo-rules.yml is stale: run "
        "KUBER_CONFIG=deploy/examples/kuber.yaml kuber slo rules > deploy/prometheus/slo-rules.yml"
    )


def test_the_command_takes_a_window_scale(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("KUBER_CONFIG", str(EXAMPLE))
    assert main(["slo", "rules", "--window-scale", "1/60"]) == 0
    groups = yaml.safe_load(capsys.readouterr().out)["groups"]
    first = groups[0]["rules"][0]
    assert first["record"] == "slo:sli_error:ratio_rate5m"
    assert "[5s]" in first["expr"]
    assert main(["slo", "rules", "--window-scale", "3"]) == 2
    assert "--window-scale 3" in capsys.readouterr().err
