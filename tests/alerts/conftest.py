"""Alert fixtures: Alertmanager webhook payloads as version 4 sends them, and `kuber serve`
answering Slack and Mattermost sandboxes with a webhook token and alert routes configured."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.runtime import build_runtime
from bot.server import KuberServer
from sandbox.kubernetes import KubernetesSandbox
from sandbox.launcher import kuber_yaml
from sandbox.mattermost import MattermostSandbox
from sandbox.slack import SlackSandbox
from tests.sandboxes import mattermost_settings, sandbox_env, slack_settings
from tests.scenarios.serving import free_port, running_server

WEBHOOK_TOKEN = "alertmanager-webhook-token-for-tests"
WEBHOOK = "/alertmanager/webhook"
ZERO_TIME = "0001-01-01T00:00:00Z"
#: Where alerts labelled `team: ops` go (a Mattermost channel no team owns).
OPS_CHANNEL = "ch-ops"


def wire_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def alert(
    fingerprint: str,
    *,
    status: str = "firing",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
    labels: dict[str, str] | None = None,
    annotations: dict[str, str] | None = None,
) -> dict[str, Any]:
    starts = starts_at or datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
    ends = ends_at or (starts + timedelta(minutes=7) if status == "resolved" else None)
    return {
        "status": status,
        "labels": {"alertname": "HighErrorRate", "severity": "critical", **(labels or {})},
        "annotations": annotations
        if annotations is not None
        else {
            "summary": "payment answers 5xx",
            "description": "More than 5% of payment's requests fail.",
            "runbook_url": "https://runbooks.example.com/high-error-rate",
        },
        "startsAt": wire_time(starts),
        "endsAt": wire_time(ends) if ends else ZERO_TIME,
        "generatorURL": "http://prometheus.example.com/graph?g0.expr=rate%28errors%5B5m%5D%29",
        "fingerprint": fingerprint,
    }


def payload(
    *alerts: dict[str, Any],
    receiver: str = "kuber",
    group_key: str = '{}:{alertname="HighErrorRate"}',
    group_labels: dict[str, str] | None = None,
) -> dict[str, Any]:
    """A webhook body as Alertmanager 0.25 builds it (common labels computed the same way)."""
    shared = dict(alerts[0]["labels"]) if alerts else {}
    for item in alerts[1:]:
        shared = {k: v for k, v in shared.items() if item["labels"].get(k) == v}
    annotations = dict(alerts[0]["annotations"]) if alerts else {}
    for item in alerts[1:]:
        annotations = {k: v for k, v in annotations.items() if item["annotations"].get(k) == v}
    firing = any(a["status"] == "firing" for a in alerts)
    return {
        "receiver": receiver,
        "status": "firing" if firing else "resolved",
        "alerts": list(alerts),
        "groupLabels": group_labels or {"alertname": shared.get("alertname", "")},
        "commonLabels": shared,
        "commonAnnotations": annotations,
        "externalURL": "http://alertmanager.example.com:9093",
        "version": "4",
        "groupKey": group_key,
        "truncatedAlerts": 0,
    }


def bearer(token: str = WEBHOOK_TOKEN) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def basic(password: str = WEBHOOK_TOKEN, user: str = "alertmanager") -> dict[str, str]:
    encoded = base64.b64encode(f"{user}:{password}".encode()).decode()
    return {"Authorization": f"Basic {encoded}"}


def alerting_config(**alerts: Any) -> dict[str, Any]:
    """The sandbox's kuber.yaml with alert routing: `team: ops` to Mattermost's ops channel."""
    config = kuber_yaml(standup=False)  # no digest in the test's channel
    config["alerts"] = {
        "routes": [
            {
                "match": {"team": "ops"},
                "channel": {"platform": "mattermost", "channel": OPS_CHANNEL},
            }
        ],
        "resolve_hold_seconds": 0,
        **alerts,
    }
    return config


def write_config(env: dict[str, str], config: dict[str, Any]) -> None:
    Path(env["KUBER_CONFIG"]).write_text(
        yaml.safe_dump(config, allow_unicode=True), encoding="utf-8"
    )


@dataclass
class Served:
    kuber: KuberServer
    url: str
    slack: SlackSandbox
    mattermost: MattermostSandbox

    def post(
        self, body: dict[str, Any] | bytes, headers: dict[str, str] | None = None
    ) -> httpx.Response:
        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.post(
            self.url + WEBHOOK,
            content=content,
            headers={
                "Content-Type": "application/json",
                **(bearer() if headers is None else headers),
            },
            timeout=10,
        )

    def slack_messages(self, channel: str = "C0PAY") -> list[dict[str, Any]]:
        """Kuber's top-level messages in a Slack channel (not thread replies)."""
        return [
            m
            for m in self.slack.messages(channel)
            if not m.get("thread_ts") or m.get("thread_ts") == m.get("ts")
        ]

    def slack_thread(self, ts: str, channel: str = "C0PAY") -> list[dict[str, Any]]:
        return [
            m
            for m in self.slack.messages(channel)
            if m.get("thread_ts") == ts and m.get("ts") != ts
        ]

    def mattermost_posts(self, channel: str = OPS_CHANNEL) -> list[dict[str, Any]]:
        return [
            p
            for p in self.mattermost.posts(channel)
            if p["user_id"] == "u-kuber" and not p.get("root_id")
        ]


@pytest.fixture
def slack() -> Iterator[SlackSandbox]:
    with SlackSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def mattermost() -> Iterator[MattermostSandbox]:
    with MattermostSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def alerting_env(
    tmp_path: Path,
    clusters: dict[str, KubernetesSandbox],
    slack: SlackSandbox,
    mattermost: MattermostSandbox,
) -> dict[str, str]:
    """KUBER_* for a Kuber serving both sandboxes, with the webhook token and alert routes."""
    port = free_port()
    env = sandbox_env(
        tmp_path,
        clusters,
        **slack_settings(slack),
        **mattermost_settings(mattermost, f"http://127.0.0.1:{port}"),
        KUBER_WEBHOOK_TOKEN=WEBHOOK_TOKEN,
        KUBER_LISTEN_PORT=str(port),
    )
    write_config(env, alerting_config())
    return env


@pytest.fixture
def served(
    alerting_env: dict[str, str], slack: SlackSandbox, mattermost: MattermostSandbox
) -> Iterator[Served]:
    runtime = build_runtime(alerting_env)
    with running_server(runtime, int(alerting_env["KUBER_LISTEN_PORT"])) as (kuber, url):
        yield Served(kuber, url, slack, mattermost)
    runtime.close()
