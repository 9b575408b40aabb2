"""Alertmanager's side and Slack's side of the server benchmarks: webhook v4 bodies as
Alertmanager 0.25 builds them, a Slack sandbox with the channels alert groups are routed to,
the kuber.yaml and environment that route them there, and the messages read back.

It builds and reads; it starts no Kuber and times nothing.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import yaml

from sandbox.launcher import kuber_yaml
from sandbox.slack import SlackSandbox

WEBHOOK = "/alertmanager/webhook"
ZERO_TIME = "0001-01-01T00:00:00Z"
STARTS = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)
#: Slack's special tier: about one chat.postMessage or chat.update per channel per second.
SLACK_RATE_PER_CHANNEL = 1.0
#: The `event_type` Kuber stamps on every post's metadata, with the outbox key inside.
METADATA_KEY = "key"


def wire_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def fingerprint(labels: dict[str, str]) -> str:
    canonical = json.dumps(labels, sort_keys=True).encode()
    return hashlib.sha256(canonical).hexdigest()[:16]


def alert(group: str, shard: str, pod: str, starts: datetime) -> dict[str, Any]:
    """A firing alert of `group` on `pod`; `shard` is the label the routes send by."""
    labels = {
        "alertname": group,
        "severity": "critical",
        "namespace": "default",
        "shard": shard,
        "pod": pod,
    }
    return {
        "status": "firing",
        "labels": labels,
        "annotations": {
            "summary": f"{group}: pods answer 5xx",
            "description": "More than 5% of the requests fail.",
            "runbook_url": "https://runbooks.example.com/storm",
        },
        "startsAt": wire_time(starts),
        "endsAt": ZERO_TIME,
        "generatorURL": "http://prometheus.example.com/graph?g0.expr=rate%28errors%5B5m%5D%29",
        "fingerprint": fingerprint(labels),
    }


def payload(group: str, alerts: Sequence[dict[str, Any]]) -> dict[str, Any]:
    """A webhook v4 body as Alertmanager 0.25 builds it (common labels computed the same way)."""
    shared = dict(alerts[0]["labels"])
    for item in alerts[1:]:
        shared = {k: v for k, v in shared.items() if item["labels"].get(k) == v}
    return {
        "receiver": "kuber",
        "status": "firing",
        "alerts": list(alerts),
        "groupLabels": {"alertname": group},
        "commonLabels": shared,
        "commonAnnotations": dict(alerts[0]["annotations"]),
        "externalURL": "http://alertmanager.example.com:9093",
        "version": "4",
        "groupKey": f'{{}}:{{alertname="{group}"}}',
        "truncatedAlerts": 0,
    }


def shard(index: int) -> str:
    return f"s{index:02d}"


@contextmanager
def slack_sandbox(channels: Sequence[str]) -> Iterator[SlackSandbox]:
    """A Slack sandbox holding `channels`, pacing posts per channel as Slack does."""
    with SlackSandbox(
        bot_token=f"xoxb-bench-{secrets.token_hex(8)}",
        signing_secret=secrets.token_hex(16),
        rate_per_channel=SLACK_RATE_PER_CHANNEL,
    ) as slack:
        for channel in channels:
            slack.add_channel(channel, channel.lower())
        yield slack


def write_config(path: Path, channels: Sequence[str]) -> None:
    """The sandbox's kuber.yaml with a route per shard label: `shard(n)` to `channels[n]`."""
    config = kuber_yaml(standup=False)  # no digest among the storm's messages
    config["alerts"] = {
        "routes": [
            {
                "match": {"shard": shard(n)},
                "channel": {"platform": "slack", "channel": channel},
            }
            for n, channel in enumerate(channels)
        ],
        "resolve_hold_seconds": 0,
    }
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")


def kuber_env(
    config: Path, database_url: str, slack: SlackSandbox, webhook_token: str
) -> dict[str, str]:
    return {
        "KUBER_CONFIG": str(config),
        "KUBER_DATABASE_URL": database_url,
        "KUBER_SLACK_BOT_TOKEN": slack.bot_token,
        "KUBER_SLACK_SIGNING_SECRET": slack.signing_secret,
        "KUBER_SLACK_API_URL": slack.url + "/api/",
        "KUBER_WEBHOOK_TOKEN": webhook_token,
        "KUBER_LOG_LEVEL": "warning",
    }


def message_text(message: dict[str, Any]) -> str:
    """A Slack message's text with its blocks' (sections, fields, context)."""
    parts = [str(message.get("text") or "")]
    for block in message.get("blocks") or []:
        text = block.get("text") or {}
        parts.append(str(text.get("text", "")) if isinstance(text, dict) else str(text))
        parts.extend(str(f.get("text", "")) for f in block.get("fields") or [])
        parts.extend(str(e.get("text", "")) for e in block.get("elements") or [] if "text" in e)
    return "\n".join(parts)


def top_level_posts(slack: SlackSandbox, channel: str) -> list[dict[str, Any]]:
    """Kuber's messages in `channel` that are not notes in a thread."""
    return [
        m
        for m in slack.messages(channel)
        if m.get("bot_id") and (not m.get("thread_ts") or m.get("thread_ts") == m.get("ts"))
    ]


def outbox_key(message: dict[str, Any]) -> str | None:
    """The outbox row a post came from, as Kuber stamps it in the message's metadata."""
    payload_ = (message.get("metadata") or {}).get("event_payload") or {}
    key = payload_.get(METADATA_KEY)
    return str(key) if key else None
