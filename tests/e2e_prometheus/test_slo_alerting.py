"""SLO rules against the real tools: promtool checks and unit-tests them, and a real Prometheus
evaluating them on a high error ratio pages through a real Alertmanager to a webhook."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from slo import ALERT_NAME
from tests.e2e_prometheus.conftest import (
    KUBER_YAML,
    PATIENCE,
    ROOT,
    WEBHOOK_TOKEN,
    Stack,
    binary,
    kuber_slo_rules,
    run_tool,
)
from tests.sandboxes import eventually

pytestmark = pytest.mark.e2e

#: The labels of the availability SLO's recorded series (rounded: without a name).
LABELS = '{app="payment", slo="payment-availability"}'
SELECTOR = '{slo="payment-availability"}'


@pytest.fixture
def config(tmp_path: Path) -> Path:
    path = tmp_path / "kuber.yaml"
    path.write_text(KUBER_YAML)
    return path


@pytest.mark.parametrize("scale", ["1", "1/60"])
def test_promtool_accepts_the_generated_rules(config: Path, tmp_path: Path, scale: str) -> None:
    rules = tmp_path / "rules.yml"
    rules.write_text(kuber_slo_rules(config, "--window-scale", scale))
    checked = run_tool(binary("promtool"), "check", "rules", str(rules))
    assert checked.returncode == 0, checked.stdout + checked.stderr
    assert "SUCCESS: 30 rules found" in checked.stdout


def test_the_shipped_configurations_pass_their_checkers() -> None:
    prometheus = run_tool(
        binary("promtool"), "check", "config", str(ROOT / "deploy/prometheus/prometheus.yml")
    )
    assert prometheus.returncode == 0, prometheus.stdout + prometheus.stderr
    assert "slo-rules.yml" in prometheus.stdout  # the example's rules, loaded with it
    alertmanager = run_tool(
        binary("amtool"), "check-config", str(ROOT / "deploy/alertmanager/alertmanager.yml")
    )
    assert alertmanager.returncode == 0, alertmanager.stdout + alertmanager.stderr


def _humanize_percentage(ratio: float) -> str:
    """Go templates' `humanizePercentage`: `%.4g%%` of the ratio times 100."""
    return f"{ratio * 100:.4g}%"


def _expected(rule: dict[str, Any], value: float) -> dict[str, Any]:
    annotations = {
        key: text.replace("{{ $value | humanizePercentage }}", _humanize_percentage(value))
        for key, text in rule["annotations"].items()
    }
    return {"exp_labels": rule["labels"], "exp_annotations": annotations}


def test_promtool_unit_tests_the_burn_rate_alerts(config: Path, tmp_path: Path) -> None:
    """Nominal windows, a minute per sample: 2% of requests fail for 20 minutes, then none.

    At 15m every alert fires (2% is 20x a 0.1% budget). At 35m the 5m window is clean, so the
    fast page has resolved, while 6x over 6h and 30m still pages: the short window is what
    lets an alert end soon after the burn stops.
    """
    rules = tmp_path / "rules.yml"
    rules.write_text(kuber_slo_rules(config))
    alerts = [
        r
        for group in yaml.safe_load(rules.read_text())["groups"]
        if group["name"] == "slo-payment-availability"
        for r in group["rules"]
        if "alert" in r
    ]
    fast_page, slow_page, fast_ticket, slow_ticket = alerts
    # Errors: 2 a minute to minute 20, then none; all requests: 100 a minute.
    errors_at_35m, requests_at_35m = 40, 3500
    at_35m = errors_at_35m / requests_at_35m  # every long window still holds all the errors
    tests = {
        "rule_files": [str(rules)],
        "evaluation_interval": "1m",
        "tests": [
            {
                "interval": "1m",
                "input_series": [
                    {
                        "series": 'http_requests_total{app="payment", code="500"}',
                        "values": "0+2x20 40+0x40",
                    },
                    {
                        "series": 'http_requests_total{app="payment", code="200"}',
                        "values": "0+98x20 2060+100x39",
                    },
                    # The latency SLO's histogram stays empty: its alerts must not fire.
                ],
                "alert_rule_test": [
                    {
                        "eval_time": "15m",
                        "alertname": ALERT_NAME,
                        "exp_alerts": [_expected(a, 0.02) for a in alerts],
                    },
                    {
                        "eval_time": "35m",
                        "alertname": ALERT_NAME,
                        "exp_alerts": [
                            _expected(a, at_35m) for a in (slow_page, fast_ticket, slow_ticket)
                        ],
                    },
                ],
                "promql_expr_test": [
                    {
                        "expr": f"round(slo:sli_error:ratio_rate5m{SELECTOR} * 1000)",
                        "eval_time": "15m",
                        # 2% as per mille
                        "exp_samples": [{"labels": LABELS, "value": 20}],
                    },
                    {
                        "expr": f"round(slo:error_budget_remaining:ratio{SELECTOR})",
                        "eval_time": "15m",
                        # The mean of the 5m ratios so far, 2%, is 20 budgets: 19 overspent.
                        "exp_samples": [{"labels": LABELS, "value": -19}],
                    },
                ],
            }
        ],
    }
    assert fast_page["labels"]["factor"] == "14.4"
    test_file = tmp_path / "rules_test.yml"
    test_file.write_text(yaml.safe_dump(tests, sort_keys=False))
    tested = run_tool(binary("promtool"), "test", "rules", str(test_file))
    assert tested.returncode == 0, tested.stdout + tested.stderr


def test_the_page_alert_fires_through_alertmanager_to_the_webhook(stack: Stack) -> None:
    expected = {
        "alertname": ALERT_NAME,
        "slo": "payment-availability",
        "app": "payment",
        "severity": "page",
        "long_window": "1h",
        "short_window": "5m",
        "factor": "14.4",
    }

    def page_delivered() -> Any:
        return next(
            (
                (delivery, alert)
                for delivery, alert in stack.receiver.alerts()
                if alert["status"] == "firing"
                and {k: alert["labels"].get(k) for k in expected} == expected
            ),
            None,
        )

    delivery, alert = eventually(page_delivered, timeout=PATIENCE)
    assert delivery.headers["Authorization"] == f"Bearer {WEBHOOK_TOKEN}"
    assert delivery.payload["version"] == "4"
    assert delivery.payload["receiver"] == "kuber"
    assert delivery.payload["groupLabels"]["slo"] == "payment-availability"
    assert "14.4x" in alert["annotations"]["summary"]
    assert "payment failed" in alert["annotations"]["description"]
    assert alert["generatorURL"].startswith(stack.prometheus.url)

    # The latency SLO burns too (half the requests are slower than 0.3s): its own group.
    def latency_paged() -> bool:
        return any(
            a["labels"].get("slo") == "payment-latency" and a["labels"]["severity"] == "page"
            for _, a in stack.receiver.alerts()
        )

    assert eventually(latency_paged, timeout=PATIENCE)
