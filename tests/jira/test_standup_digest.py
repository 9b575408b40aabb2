"""The stand-up digest: the sprint with its chart, what got done, who works on what, what is
blocked and the new bugs, beside the last day of operations from Kuber's own records (the
changes made through chat, from the audit log; alerts fired and resolved; error budgets), in
English and Korean; for a scheduler as for the chat; and still sent when Jira is down."""

from __future__ import annotations

import urllib.parse
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from bot.alerts.grouping import apply_payload
from bot.alerts.payload import read_payload
from bot.alerts.routing import route_for
from bot.standup import build_digest
from sandbox.http import Request, Response, SandboxServer
from sandbox.jira import JiraSandbox
from tests.alerts.conftest import alert, payload
from tests.jira.conftest import ChatFactory, closed_port_url
from tests.scenarios.conftest import Chat

PAYMENT_SLO = {
    "name": "payment-availability",
    "app": "payment",
    "objective": 0.999,
    "error_query": 'http_requests_total{app="payment", code=~"5.."}',
    "total_query": 'http_requests_total{app="payment"}',
}


def field(reply: dict[str, Any], label: str) -> str:
    return str(next(f["value"] for f in reply["fields"] if f["label"] == label))


def labels_of(reply: dict[str, Any]) -> list[str]:
    return [f["label"] for f in reply["fields"]]


def fire_alerts(chat: Chat) -> None:
    """One alert of the payments team resolved, one still firing, routed as the webhook would."""
    config = chat.runtime.settings.config
    now = datetime.now(UTC)
    body = payload(
        alert(
            "fp-5xx",
            status="resolved",
            starts_at=now - timedelta(hours=3),
            labels={"app": "payment"},
        ),
        alert(
            "fp-lat",
            starts_at=now - timedelta(minutes=20),
            labels={"app": "payment", "alertname": "HighLatency"},
        ),
    )
    apply_payload(chat.runtime.store, read_payload(body), lambda labels: route_for(config, labels))


def test_the_digest_joins_the_sprint_and_the_days_operations(chat: Chat) -> None:
    chat.say("scale payment to 3", user="alice")  # approved at once: executed
    chat.auto_approve = False
    chat.say("restart cart", user="bob")  # left waiting for approval
    fire_alerts(chat)
    [digest] = chat.say("standup")
    assert digest["text"].startswith("☀️ Stand-up · payments · ")
    assert "PAY Sprint 12, day 7 of 14: 18 of 46 points done (39%)" in digest["text"]
    assert labels_of(digest)[:5] == [
        "Sprint",
        next(label for label in labels_of(digest) if label.startswith("Done since ")),
        "In progress",
        "Blocked",
        next(label for label in labels_of(digest) if label.startswith("New bugs since ")),
    ]
    sprint = field(digest, "Sprint")
    assert sprint.startswith("Goal: Checkout v2 works on Safari")
    assert "Medium: 28 points left" in sprint
    done = next(f["value"] for f in digest["fields"] if f["label"].startswith("Done since"))
    assert done.splitlines() == [
        "✅ PAY-23 Webhook signature check for PG callbacks (Bob Park)",
        "✅ PAY-34 Dashboard for refund latency (Dan Lee)",
    ]
    assert field(digest, "In progress") == (
        "Bob Park: PAY-12 Retry card authorisation on gateway timeout, "
        "PAY-30 Split the payment-service DB pool, PAY-44 Refund double-charged on retry"
    )
    assert "PAY-24 3-D Secure challenge in WebView (Dan Lee) — flagged" in field(digest, "Blocked")
    bugs = next(f["value"] for f in digest["fields"] if f["label"].startswith("New bugs"))
    assert bugs == "🐞 PAY-45 Login fails on Safari 17 with saved cards"
    operations = field(digest, "Changes through Kuber (24 h)").splitlines()
    assert operations[0] == "2 in all: 1 done, 0 failed"
    assert operations[1].startswith("✅ ")
    assert operations[1].endswith(" scale sandbox/default/payment · alice · done")
    assert operations[2].startswith("⏳ ")
    assert operations[2].endswith(" restart sandbox/default/cart · bob · waiting for approval")
    alerts = field(digest, "Alerts (24 h)").splitlines()
    assert alerts[0] == "2 fired, 1 resolved, 1 still firing"
    assert alerts[1].startswith("✅ HighErrorRate · payment — ")
    assert alerts[2].startswith("🔴 HighLatency · payment — firing since ")
    [chart] = digest["attachments"]
    assert chart["title"] == "PAY Sprint 12 burndown"


def test_the_digest_in_korean(chat: Chat) -> None:
    [digest] = chat.say("스탠드업")
    assert digest["text"].startswith("☀️ 스탠드업 · payments · ")
    assert "46포인트 중 18포인트 완료" in digest["text"]
    assert "진행 중" in labels_of(digest)
    assert field(digest, "Kuber로 한 변경 (24시간)") == "변경 없음."
    assert field(digest, "알림 (24시간)") == "알림 없음."


def test_a_scheduler_builds_it_for_a_team_and_a_window(chat: Chat) -> None:
    runtime = chat.runtime
    now = datetime.now(UTC)
    reply = build_digest(
        runtime.settings,
        runtime.store,
        runtime.services,
        team="payments",
        now=now,
        since=now - timedelta(days=3),
    )
    assert reply.extra["digest"]["team"] == "payments"
    assert reply.images
    assert reply.images[0].png.startswith(b"\x89PNG")
    done = next(f.value for f in reply.fields if f.label.startswith("Done since"))
    # Three days back: PAY-21 (done on day 4.5) too.
    assert [line.split()[1] for line in done.splitlines()] == ["PAY-21", "PAY-23", "PAY-34"]
    with pytest.raises(Exception, match="no team nobody"):
        build_digest(runtime.settings, runtime.store, runtime.services, team="nobody")


def test_the_digest_goes_out_when_jira_is_down(make_chat: ChatFactory) -> None:
    chat = make_chat(KUBER_JIRA_URL=closed_port_url())
    chat.say("scale payment to 3")
    [digest] = chat.say("standup")
    assert not digest["error"]
    assert field(digest, "Sprint").startswith("Jira at http://127.0.0.1:")
    assert "is not answering" in field(digest, "Sprint")
    assert field(digest, "Changes through Kuber (24 h)").startswith("1 in all: 1 done")
    assert digest["attachments"] == []


@pytest.fixture
def prometheus() -> Iterator[SandboxServer]:
    """A stand-in for Prometheus' query API, answering the budget of one SLO."""
    server = SandboxServer()

    def query(request: Request) -> Response:
        form = urllib.parse.parse_qs(request.body.decode())
        expr = form["query"][0]
        result = []
        if expr == 'slo:error_budget_remaining:ratio{slo="payment-availability"}':
            result = [{"metric": {"slo": "payment-availability"}, "value": [1, "0.725"]}]
        return Response(
            body={"status": "success", "data": {"resultType": "vector", "result": result}}
        )

    server.route("POST", "/api/v1/query", query)
    with server:
        yield server


def with_slos(config: dict[str, Any]) -> None:
    config["slos"] = [PAYMENT_SLO, {**PAYMENT_SLO, "name": "payment-errors"}]


def test_error_budgets_are_shown_best_effort(
    make_chat: ChatFactory, prometheus: SandboxServer
) -> None:
    chat = make_chat(edit=with_slos, KUBER_PROMETHEUS_URL=prometheus.url)
    [digest] = chat.say("standup")
    assert field(digest, "Error budgets").splitlines() == [
        "🟢 payment-availability: 72.5% of the 30-day budget left",
        "payment-errors: no data (are the rules of `kuber slo rules` loaded?)",
    ]
    unset = make_chat(edit=with_slos)
    [quiet] = unset.say("standup")
    assert field(quiet, "Error budgets") == "Not shown: KUBER_PROMETHEUS_URL is not set."
    down = make_chat(edit=with_slos, KUBER_PROMETHEUS_URL=closed_port_url())
    [unreadable] = down.say("standup")
    assert field(unreadable, "Error budgets").startswith(
        "payment-availability and the rest: could not be read"
    )


def test_a_team_without_a_board_gets_the_operations_alone(
    jira: JiraSandbox, make_chat: ChatFactory
) -> None:
    def no_board(config: dict[str, Any]) -> None:
        del config["teams"][0]["jira"]

    chat = make_chat(edit=no_board)
    [digest] = chat.say("standup")
    assert labels_of(digest) == ["Changes through Kuber (24 h)", "Alerts (24 h)"]
    assert [c for c in jira.calls if c["path"].startswith("/rest/")] == []
