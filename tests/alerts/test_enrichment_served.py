"""Enrichment end to end through `kuber serve`: an alert posted to the webhook opens its
message, and what an on-call engineer looks at first is edited in after: from the Kubernetes
sandbox the Deployment's status, warnings and a crashed container's last log lines, from the
audit log the last change with a Roll back button; from a real Prometheus evaluating the
generated SLO rules the burn rate, the budget left and when it runs out, and a graph of the
alert's expression in the message's thread."""

from __future__ import annotations

import copy
import io
import re
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from typing import Any

import httpx
import yaml

from bot.alerts.enrich_slo import SloBudget
from bot.alerts.render import AlertView, GroupView
from bot.chat.console import Console
from bot.messages import Actor
from bot.runtime import build_runtime
from bot.settings import KuberConfig
from integrations.prometheus import PrometheusClient
from sandbox.kubernetes import KubernetesSandbox
from sandbox.mattermost import MattermostSandbox
from sandbox.slack import SlackSandbox
from tests.alerts.conftest import (
    OPS_CHANNEL,
    Served,
    alert,
    alerting_config,
    payload,
    write_config,
)
from tests.alerts.test_webhook import button, whole_text
from tests.e2e_prometheus.conftest import KUBER_YAML, PATIENCE, Delivery, Stack, stack
from tests.sandboxes import eventually
from tests.scenarios.serving import running_server

__all__ = ["stack"]  # the real Prometheus and Alertmanager of tests/e2e_prometheus

CRASH_LOOP = '{}:{alertname="KubePodCrashLooping"}'
STARTS = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
#: `100.0× over 1h` (or `1h 동안 100.0×`): a burn rate and its window.
BURN = re.compile(r"(\d+\.\d)×")


@contextmanager
def serving(
    env: dict[str, str], slack: SlackSandbox, mattermost: MattermostSandbox
) -> Iterator[Served]:
    """`kuber serve` as it runs, with the enrichers it gives its alert messages."""
    runtime = build_runtime(env)
    with running_server(runtime, int(env["KUBER_LISTEN_PORT"])) as (kuber, url):
        assert kuber.alerts.living.enrichers
        yield Served(kuber, url, slack, mattermost)
    runtime.close()


def pods_say(server: KubernetesSandbox, app: str, reason: str) -> bool:
    pods = httpx.get(
        f"{server.url}/api/v1/namespaces/default/pods", params={"labelSelector": f"app={app}"}
    )
    return any(
        (status["state"].get("waiting") or {}).get("reason") == reason
        for pod in pods.json()["items"]
        for status in pod["status"].get("containerStatuses", [])
    )


def fields_of(message: dict[str, Any]) -> dict[str, str]:
    """A Slack message's fields, label to value (`*label*\\nvalue` in Block Kit)."""
    found = {}
    for block in message.get("blocks") or []:
        for item in block.get("fields") or []:
            label, _, value = str(item["text"]).partition("\n")
            found[label.strip("*")] = value
    return found


def test_an_alert_on_a_crash_looping_deployment_gets_status_warnings_logs_and_a_roll_back(
    alerting_env: dict[str, str],
    slack: SlackSandbox,
    mattermost: MattermostSandbox,
    clusters: dict[str, KubernetesSandbox],
) -> None:
    with serving(alerting_env, slack, mattermost) as served:
        # A bad deploy made through Kuber: the audit log has it, the pods crash.
        runtime = served.kuber.runtime
        alice = Console(
            runtime.dispatcher, Actor("alice", "alice"), out=io.StringIO(), auto_approve=True
        )
        alice.say("deploy frontend 2.0.0-crash")
        eventually(lambda: pods_say(clusters["sandbox"], "frontend", "CrashLoopBackOff"))

        crashing = alert(
            "crash1",
            labels={"alertname": "KubePodCrashLooping", "app": "frontend", "namespace": "default"},
            annotations={"summary": "frontend keeps restarting"},
        )
        assert served.post(payload(crashing, group_key=CRASH_LOOP)).status_code == 200

        def enriched() -> dict[str, Any] | None:
            message = next(iter(served.slack_messages()), None)
            return message if message and button(message, "kuber_fill") else None

        message = eventually(enriched)
        shown = whole_text(message)
        fields = fields_of(message)
        assert shown.startswith("🔥 *KubePodCrashLooping* · 1 firing")
        assert fields["Deployment"].startswith("frontend in sandbox/default: ")
        assert " ready, " in fields["Deployment"]
        assert "frontend:2.0.0-crash" in fields["Deployment"]
        assert "BackOff: pod/frontend-" in fields["Recent warnings"]
        # The crashed container's last lines, under the pod they came from.
        assert "Last log lines of *frontend-" in shown
        assert "CrashLoopBackOff, restarted" in shown
        assert "ConnectionError: cannot reach frontend-db:5432: connection refused" in shown
        assert "alice asked “deploy frontend 2.0.0-crash”" in fields["Last change through Kuber"]

        # Roll back asks for the rollback as typed: a plan, for whoever clicked to approve.
        rollback = button(message, "kuber_fill")
        assert rollback is not None
        assert rollback["text"]["text"] == "Roll back frontend"
        clicked = slack.click_button(
            served.url + "/slack/events", rollback["action_id"], message_ts=message["ts"]
        )
        assert clicked.status_code == 200

        def planned() -> dict[str, Any] | None:
            return next(
                (
                    m
                    for m in slack.messages("C0PAY")
                    if button(m, "kuber_approve") and "frontend" in m.get("text", "")
                ),
                None,
            )

        plan = eventually(planned)
        assert "back" in plan["text"].lower()


# -- SLO burns from a real Prometheus and Alertmanager ----------------------------------------
def slo_page(stack: Stack) -> Delivery:
    """The real Alertmanager's webhook delivery of the availability SLO's fast page."""

    def delivered() -> Delivery | None:
        for delivery, item in stack.receiver.alerts():
            labels = item["labels"]
            if (
                item["status"] == "firing"
                and labels.get("slo") == "payment-availability"
                and labels.get("factor") == "14.4"
            ):
                return delivery
        return None

    found: Delivery = eventually(delivered, timeout=PATIENCE)
    return found


def slo_config() -> dict[str, Any]:
    config = alerting_config()
    config["slos"] = yaml.safe_load(KUBER_YAML)["slos"]
    return config


def test_an_slo_burn_shows_burn_rate_budget_left_exhaustion_and_a_graph(
    stack: Stack,
    alerting_env: dict[str, str],
    slack: SlackSandbox,
    mattermost: MattermostSandbox,
) -> None:
    write_config(alerting_env, slo_config())
    alerting_env["KUBER_PROMETHEUS_URL"] = stack.prometheus.url
    delivery = slo_page(stack)
    with serving(alerting_env, slack, mattermost) as served:
        # What Alertmanager sent its receiver, sent on to Kuber as it would be.
        assert served.post(delivery.payload).status_code == 200

        def enriched() -> dict[str, Any] | None:
            message = next(iter(served.slack_messages()), None)
            return message if message and "Budget runs out" in fields_of(message) else None

        message = eventually(enriched, timeout=PATIENCE)
        fields = fields_of(message)
        # 10% of requests fail against a 0.1% budget: a burn of about 100x over both windows.
        burn = fields["Burn rate"]
        assert re.fullmatch(r"\S+ over 1h · \S+ over 5m \(alerts above 14\.4×\)", burn), burn
        assert all(90 < float(rate) < 110 for rate in BURN.findall(burn)[:2])
        assert fields["Error budget left"].startswith("-")
        assert fields["Error budget left"].endswith("% of the 30-day budget")
        assert fields["Budget runs out"] == "already spent"

        # The graph of the alert's expression, in the message's thread.
        def graphed() -> list[dict[str, Any]]:
            return [m for m in served.slack_thread(message["ts"]) if m.get("files")]

        [picture] = eventually(graphed, timeout=PATIENCE)
        # Slack shares a file as a message of its own, after the note that names it.
        notes = [m["text"] for m in served.slack_thread(message["ts"]) if not m.get("files")]
        assert any(n.startswith("📈 SloErrorBudgetBurn: ") for n in notes), notes
        files = {f["id"]: f for f in slack.state()["files"]}
        [shared] = [files[i] for i in picture["files"]]
        assert shared["name"].endswith(".png")
        assert shared["bytes"] > 1000

        # Routed to Mattermost (the ops channel), the graph is a file of a thread reply there.
        elsewhere = copy.deepcopy(delivery.payload)
        elsewhere["groupKey"] += ":ops"
        elsewhere["commonLabels"]["team"] = "ops"
        assert served.post(elsewhere).status_code == 200
        root = eventually(lambda: next(iter(served.mattermost_posts()), None))

        def attached() -> list[dict[str, Any]]:
            return [
                p
                for p in mattermost.posts(OPS_CHANNEL)
                if p.get("root_id") == root["id"] and p.get("file_ids")
            ]

        [reply] = eventually(attached, timeout=PATIENCE)
        assert reply["message"].startswith("📈 SloErrorBudgetBurn: ")


def test_an_slo_burn_reads_in_korean(stack: Stack) -> None:
    delivery = slo_page(stack)
    item = next(a for a in delivery.payload["alerts"] if a["labels"].get("factor") == "14.4")
    view = GroupView(
        group_id=1,
        platform="slack",
        receiver="kuber",
        alerts=(
            AlertView(
                fingerprint=item["fingerprint"],
                state="firing",
                labels=item["labels"],
                annotations=item["annotations"],
                starts_at=STARTS,
            ),
        ),
        common_labels=delivery.payload["commonLabels"],
        language="ko",
    )
    config = KuberConfig.model_validate(slo_config())
    with PrometheusClient(stack.prometheus.url) as prometheus:
        found = SloBudget(config, lambda: prometheus)(view)
    assert found is not None
    fields = {f.label: f.value for f in found.fields}
    burn = fields["소진 속도"]
    assert re.fullmatch(r"1h 동안 \S+ · 5m 동안 \S+ \(14\.4× 넘으면 알림\)", burn), burn
    assert all(90 < float(rate) < 110 for rate in BURN.findall(burn)[:2])
    assert fields["남은 에러 버짓"].startswith("30일 버짓의 -")
    assert fields["버짓 소진"] == "이미 다 썼어요"
