"""End to end with a real Alertmanager (Debian's `prometheus-alertmanager`) on loopback: alerts
posted to it reach `kuber serve` through its webhook receiver and become one living message;
Silence and Unsilence on that message make and expire a real silence."""

from __future__ import annotations

import os
import shutil
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.alerts.listing import alerts_command
from bot.alerts.silences import alertmanager_for, silence_command, unsilence_command
from tests.alerts.conftest import WEBHOOK, WEBHOOK_TOKEN, Served, wire_time
from tests.alerts.test_webhook import button, settled, whole_text
from tests.sandboxes import eventually
from tests.scenarios.serving import free_port

pytestmark = pytest.mark.e2e

BINARY = "prometheus-alertmanager"


def alertmanager_binary() -> str:
    found = shutil.which(BINARY) or (
        f"/usr/bin/{BINARY}" if Path(f"/usr/bin/{BINARY}").exists() else None
    )
    if found is None:
        if os.environ.get("CI"):
            pytest.fail(f"{BINARY} is not installed; the repository's set-up installs it")
        pytest.skip(f"{BINARY} is not installed (apt-get install prometheus-alertmanager)")
    return found


@dataclass
class Alertmanager:
    url: str
    process: subprocess.Popen[bytes]
    log: Path

    def post_alerts(self, *alerts: dict[str, Any]) -> None:
        response = httpx.post(self.url + "/api/v2/alerts", json=list(alerts), timeout=10)
        assert response.status_code == 200, response.text

    def silences(self) -> list[dict[str, Any]]:
        response = httpx.get(self.url + "/api/v2/silences", timeout=10)
        response.raise_for_status()
        return list(response.json())


@pytest.fixture
def alertmanager(tmp_path: Path, alerting_env: dict[str, str]) -> Iterator[Alertmanager]:
    binary = alertmanager_binary()
    kuber = f"http://127.0.0.1:{alerting_env['KUBER_LISTEN_PORT']}{WEBHOOK}"
    config = {
        "route": {
            "receiver": "kuber",
            "group_by": ["alertname"],
            "group_wait": "1s",
            "group_interval": "1s",
            # Repeats come every few seconds: each must add nothing.
            "repeat_interval": "2s",
        },
        "receivers": [
            {
                "name": "kuber",
                "webhook_configs": [
                    {
                        "url": kuber,
                        "send_resolved": True,
                        "http_config": {"authorization": {"credentials": WEBHOOK_TOKEN}},
                    }
                ],
            }
        ],
    }
    folder = tmp_path / "alertmanager"
    folder.mkdir()
    (folder / "alertmanager.yml").write_text(yaml.safe_dump(config), encoding="utf-8")
    port = free_port()
    log = folder / "alertmanager.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            [
                binary,
                f"--config.file={folder / 'alertmanager.yml'}",
                f"--storage.path={folder / 'data'}",
                f"--web.listen-address=127.0.0.1:{port}",
                "--cluster.listen-address=",
                "--log.level=info",
            ],
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    running = Alertmanager(f"http://127.0.0.1:{port}", process, log)

    def ready() -> bool:
        if process.poll() is not None:
            raise AssertionError("alertmanager exited:\n" + log.read_text(errors="replace"))
        try:
            return httpx.get(running.url + "/-/ready", timeout=2).status_code == 200
        except httpx.TransportError:
            return False

    eventually(ready)
    # Read when Kuber's runtime is built, which comes after this fixture.
    alerting_env["KUBER_ALERTMANAGER_URL"] = running.url
    try:
        yield running
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def am_alert(name: str, *, ends_at: datetime | None = None, **labels: str) -> dict[str, Any]:
    now = datetime.now(UTC)
    body: dict[str, Any] = {
        "labels": {"alertname": name, "severity": "critical", **labels},
        "annotations": {
            "summary": f"{name} on {labels.get('pod', '?')}",
            "runbook_url": "https://runbooks.example.com/" + name,
        },
        "generatorURL": "http://prometheus.example.com/graph?g0.expr=up",
        "startsAt": wire_time(now - timedelta(minutes=1)),
    }
    if ends_at is not None:
        body["endsAt"] = wire_time(ends_at)
    return body


def webhooks_accepted(served: Served) -> float:
    for line in httpx.get(served.url + "/metrics", timeout=5).text.splitlines():
        if line.startswith(f'kuber_requests_accepted_total{{route="{WEBHOOK}"}}'):
            return float(line.rsplit(" ", 1)[1])
    return 0.0


@pytest.fixture
def served_with_alertmanager(
    alertmanager: Alertmanager, served: Served
) -> tuple[Served, Alertmanager]:
    """Kuber serving, with Alertmanager (started first) as its KUBER_ALERTMANAGER_URL."""
    return served, alertmanager


def test_alerts_from_a_real_alertmanager_become_one_message_silenced_and_resolved(
    served_with_alertmanager: tuple[Served, Alertmanager],
) -> None:
    served, alertmanager = served_with_alertmanager
    alertmanager.post_alerts(
        am_alert("KuberE2EErrors", app="payment", pod="payment-1"),
        am_alert("KuberE2EErrors", app="payment", pod="payment-2"),
    )
    message = eventually(lambda: next(iter(served.slack_messages()), None), timeout=30)
    eventually(lambda: "2 firing" in whole_text(served.slack_messages()[0]), timeout=30)
    # Alertmanager repeats the group every couple of seconds: the repeats add nothing.
    accepted = webhooks_accepted(served)
    eventually(lambda: webhooks_accepted(served) >= accepted + 2, timeout=30)
    eventually(lambda: settled(served))
    assert len(served.slack_messages()) == 1

    silence = button(served.slack_messages()[0], "kuber_alert_silence")
    assert silence is not None
    assert silence["value"].endswith(":1h")
    clicked = served.slack.click_button(
        served.url + "/slack/events", silence["action_id"], message_ts=message["ts"]
    )
    assert clicked.status_code == 200

    def active_silence() -> dict[str, Any] | None:
        return next((s for s in alertmanager.silences() if s["status"]["state"] == "active"), None)

    made = eventually(active_silence)
    assert made["createdBy"] == "alice"
    matchers = {m["name"]: m["value"] for m in made["matchers"]}
    assert matchers == {"alertname": "KuberE2EErrors", "app": "payment", "severity": "critical"}
    assert f"https://slack.com/archives/C0PAY/p{message['ts'].replace('.', '')}" in made["comment"]
    starts = datetime.fromisoformat(made["startsAt"].replace("Z", "+00:00"))
    ends = datetime.fromisoformat(made["endsAt"].replace("Z", "+00:00"))
    assert abs((ends - starts) - timedelta(hours=1)) < timedelta(minutes=1)  # "Silence 1h"

    def silenced_message() -> dict[str, Any] | None:
        current = served.slack_messages()[0]
        return current if button(current, "kuber_alert_unsilence") else None

    shown = eventually(silenced_message)
    assert "by alice until" in whole_text(shown)
    unsilence = button(shown, "kuber_alert_unsilence")
    assert unsilence is not None
    served.slack.click_button(
        served.url + "/slack/events", unsilence["action_id"], message_ts=message["ts"]
    )
    expired = eventually(
        lambda: next(
            (
                s
                for s in alertmanager.silences()
                if s["id"] == made["id"] and s["status"]["state"] == "expired"
            ),
            None,
        )
    )
    assert expired["createdBy"] == "alice"

    def thread_text() -> str:
        return "\n".join(n["text"] for n in served.slack_thread(message["ts"]))

    eventually(lambda: "Silence lifted by alice" in thread_text())
    assert "Silenced by alice until" in thread_text()

    # Resolved at Alertmanager: the same message says so.
    past = datetime.now(UTC) - timedelta(seconds=1)
    alertmanager.post_alerts(
        am_alert("KuberE2EErrors", ends_at=past, app="payment", pod="payment-1"),
        am_alert("KuberE2EErrors", ends_at=past, app="payment", pod="payment-2"),
    )
    eventually(lambda: "resolved" in whole_text(served.slack_messages()[0]), timeout=30)
    eventually(lambda: settled(served))
    assert len(served.slack_messages()) == 1


def test_a_group_routed_elsewhere_reaches_the_mattermost_sandbox(
    served_with_alertmanager: tuple[Served, Alertmanager],
) -> None:
    served, alertmanager = served_with_alertmanager
    alertmanager.post_alerts(am_alert("KuberE2EDisk", team="ops", pod="node-exporter-1"))
    post = eventually(lambda: next(iter(served.mattermost_posts()), None), timeout=30)
    assert "KuberE2EDisk" in post["message"]
    accepted = webhooks_accepted(served)
    eventually(lambda: webhooks_accepted(served) >= accepted + 2, timeout=30)
    eventually(lambda: settled(served))
    assert len(served.mattermost_posts()) == 1
    assert served.slack_messages() == []


def test_the_functions_behind_the_commands_silence_list_and_unsilence(
    served_with_alertmanager: tuple[Served, Alertmanager],
) -> None:
    served, alertmanager = served_with_alertmanager
    settings = served.kuber.runtime.settings
    alertmanager.post_alerts(
        am_alert("KuberE2ELatency", app="payment", pod="payment-1"),
        am_alert("KuberE2EDisk", team="ops", pod="node-exporter-1"),
    )

    def listed() -> str:
        return alerts_command(settings, team="payments").text

    eventually(lambda: "2 active" in listed())
    lines = listed().splitlines()
    assert "KuberE2ELatency" in lines[1]  # the team's own alert first
    assert "KuberE2EDisk" in lines[2]

    made = silence_command(
        settings, alert="KuberE2ELatency", duration="2h", created_by="bob", where="slack C0PAY"
    )
    assert made.text.startswith('🔕 Silenced alertname="KuberE2ELatency" until')
    [silence] = [s for s in alertmanager.silences() if s["status"]["state"] == "active"]
    assert silence["createdBy"] == "bob"
    assert silence["comment"] == "Silenced from Kuber by bob: slack C0PAY"
    eventually(lambda: "🔕 KuberE2ELatency" in listed())

    ended = unsilence_command(settings, alert="KuberE2ELatency")
    assert ended.text == "🔔 Ended 1 silence(s) of KuberE2ELatency."
    assert [s["status"]["state"] for s in alertmanager.silences()] == ["expired"]
    again = unsilence_command(settings, alert="KuberE2ELatency")
    assert again.text == "No active silence matches KuberE2ELatency."
    # An unknown silence id: Alertmanager 0.25 answers 500; it counts as already gone.
    assert not alertmanager_for(settings).expire_silence("00000000-0000-0000-0000-000000000000")
