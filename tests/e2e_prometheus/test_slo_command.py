"""`slo payment` against a real Prometheus evaluating the generated rules: the budget left,
the burn rate per window and a budget chart, as the person asking reads them."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from bot.runtime import build_runtime
from tests.e2e_prometheus.conftest import KUBER_YAML, PATIENCE, Stack
from tests.sandboxes import eventually
from tests.scenarios.conftest import Chat

pytestmark = pytest.mark.e2e


@pytest.fixture
def chat(tmp_path: Path, stack: Stack) -> Iterator[Chat]:
    config = tmp_path / "kuber.yaml"
    config.write_text(KUBER_YAML)
    env = {
        "KUBER_CONFIG": str(config),
        "KUBER_DATABASE_URL": f"sqlite:///{tmp_path / 'kuber.db'}",
        "KUBER_PROMETHEUS_URL": stack.prometheus.url,
        "KUBER_LOG_LEVEL": "warning",
    }
    runtime = build_runtime(env)
    yield Chat(runtime, env)
    runtime.close()


def field(reply: dict[str, Any], label: str) -> str:
    return str(next(f["value"] for f in reply["fields"] if f["label"] == label))


def test_slo_shows_budget_burn_rates_and_a_chart(chat: Chat) -> None:
    def answered() -> dict[str, Any] | None:
        reply = chat.say("slo payment")[-1]
        shown = field(reply, "payment-availability")
        return reply if "Burn rate: 5m 100.0×" in shown and reply["attachments"] else None

    reply = eventually(answered, timeout=PATIENCE)
    assert reply["text"] == "📈 Service level objectives of payment:"
    availability = field(reply, "payment-availability").splitlines()
    assert availability[0] == "Objective: 99.90% over 30 days"
    # 10% of requests fail against a 0.1% budget: the budget is overspent at once.
    assert availability[1].startswith("Error budget left: -")
    assert availability[2] == "At the last hour's burn: spent in 0.0 h"
    assert "payment-latency" in [f["label"] for f in reply["fields"]]
    assert reply["attachments"][0]["type"] == "image"


def test_slo_in_korean(chat: Chat) -> None:
    def answered() -> dict[str, Any] | None:
        reply = chat.say("payment SLO 어때?")[-1]
        return reply if "남은 에러 버짓: -" in field(reply, "payment-availability") else None

    reply = eventually(answered, timeout=PATIENCE)
    assert reply["text"] == "📈 payment의 서비스 수준 목표(SLO):"


def test_an_app_without_an_slo_is_told_where_to_add_one(chat: Chat) -> None:
    assert chat.say("slo cart")[-1]["text"] == (
        "No SLO is defined for cart; add one under slos: in kuber.yaml."
    )
