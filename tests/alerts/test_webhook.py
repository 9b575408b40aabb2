"""`POST /alertmanager/webhook` through the real `kuber serve` app: stored, answered, then shown
as one living message in the routed team's channel of the Slack (or Mattermost) sandbox."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx
import sqlalchemy as sa
from sqlalchemy import func
from sqlmodel import col, select

from bot.store.alert_tables import AlertDelivery, AlertGroup
from tests.alerts.conftest import WEBHOOK, Served, alert, basic, bearer, payload
from tests.sandboxes import eventually

STARTS = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def settled(served: Served) -> bool:
    """Every delivery applied, every group rendered, every message sent."""
    with served.kuber.runtime.store.session() as session:
        unapplied = session.exec(
            select(func.count())
            .select_from(AlertDelivery)
            .where(col(AlertDelivery.status).in_(("pending", "claimed")))
        ).one()
        lagging = session.exec(
            select(func.count())
            .select_from(AlertGroup)
            .where(col(AlertGroup.version) != col(AlertGroup.rendered_version))
        ).one()
    return unapplied == 0 and lagging == 0 and served.kuber.outbox.pending_count() == 0


def button(message: dict[str, Any], prefix: str) -> dict[str, Any] | None:
    for block in message.get("blocks") or []:
        for element in block.get("elements") or []:
            if str(element.get("action_id", "")).startswith(prefix):
                return dict(element)
    return None


def whole_text(message: dict[str, Any]) -> str:
    """The text of a Slack message's blocks (fields and context too)."""
    parts = []
    for block in message.get("blocks") or []:
        text = block.get("text") or {}
        parts.append(str(text.get("text", "")))
        parts.extend(str(f.get("text", "")) for f in block.get("fields") or [])
        parts.extend(str(e.get("text", "")) for e in block.get("elements") or [] if "text" in e)
    return "\n".join(parts)


def two_pods_firing() -> dict[str, Any]:
    return payload(
        alert("f1", starts_at=STARTS, labels={"app": "payment", "pod": "payment-7d9-a"}),
        alert("f2", starts_at=STARTS, labels={"app": "payment", "pod": "payment-7d9-b"}),
    )


def test_an_alert_group_appears_once_in_the_routed_teams_slack_channel(served: Served) -> None:
    answer = served.post(two_pods_firing())
    assert answer.status_code == 200
    assert answer.json() == {"status": "stored", "alerts": 2}

    message = eventually(lambda: next(iter(served.slack_messages()), None))
    shown = whole_text(message)
    assert "HighErrorRate" in shown
    assert "2 firing" in shown
    assert "critical" in shown
    # The labels that tell the alerts apart, one line each; what they share said once.
    assert "pod=payment-7d9-a" in shown
    assert "pod=payment-7d9-b" in shown
    assert "app=payment" not in shown
    assert shown.count("payment answers 5xx") == 1
    assert "https://runbooks.example.com/high-error-rate" in shown
    assert "http://prometheus.example.com/graph" in shown
    assert "http://alertmanager.example.com:9093" in shown
    assert "2026-12-01 10:00 UTC" in shown
    for prefix in ("kuber_alert_ack", "kuber_alert_silence"):
        assert button(message, prefix) is not None, prefix

    # The message is enriched once (payment's pods, warnings, last change): an edit.
    eventually(lambda: served.slack_messages()[0].get("edits"))
    eventually(lambda: settled(served))
    enriched = served.slack_messages()[0].get("edits", [])
    thread = served.slack_thread(message["ts"])

    # The same bytes again (a retry), and the same alerts in other bytes (a repeat).
    again = served.post(two_pods_firing())
    assert again.json()["status"] == "duplicate"
    repeat = json.dumps(two_pods_firing(), indent=1).encode()
    assert served.post(repeat).json()["status"] == "stored"
    eventually(lambda: settled(served))
    assert len(served.slack_messages()) == 1
    assert served.slack_messages()[0].get("edits", []) == enriched
    assert served.slack_thread(message["ts"]) == thread
    assert served.mattermost_posts() == []


def test_a_resolve_edits_the_message_and_notes_it_in_the_thread(served: Served) -> None:
    served.post(two_pods_firing())
    message = eventually(lambda: next(iter(served.slack_messages()), None))

    # One pod recovers: the message counts one firing, the thread says which resolved.
    one_resolved = payload(
        alert(
            "f1",
            status="resolved",
            starts_at=STARTS,
            labels={"app": "payment", "pod": "payment-7d9-a"},
        ),
        alert("f2", starts_at=STARTS, labels={"app": "payment", "pod": "payment-7d9-b"}),
    )
    assert served.post(one_resolved).status_code == 200

    def edited_to(text: str) -> dict[str, Any] | None:
        current = next(m for m in served.slack_messages() if m["ts"] == message["ts"])
        return current if text in whole_text(current) else None

    eventually(lambda: edited_to("1 firing"))
    notes = eventually(lambda: served.slack_thread(message["ts"]))
    assert "Resolved: pod=payment-7d9-a" in notes[0]["text"]

    all_resolved = payload(
        alert(
            "f1",
            status="resolved",
            starts_at=STARTS,
            labels={"app": "payment", "pod": "payment-7d9-a"},
        ),
        alert(
            "f2",
            status="resolved",
            starts_at=STARTS,
            labels={"app": "payment", "pod": "payment-7d9-b"},
        ),
    )
    assert served.post(all_resolved).status_code == 200
    resolved = eventually(lambda: edited_to("resolved · fired for 7m"))
    assert button(resolved, "kuber_alert_") is None  # nothing left to press
    eventually(lambda: len(served.slack_thread(message["ts"])) == 2)
    assert "All resolved; fired for 7m" in served.slack_thread(message["ts"])[-1]["text"]
    eventually(lambda: settled(served))
    assert len(served.slack_messages()) == 1


def test_a_group_routed_to_ops_appears_in_the_mattermost_sandbox(served: Served) -> None:
    ops = payload(
        alert("ops1", starts_at=STARTS, labels={"team": "ops", "alertname": "DiskFull"}),
        group_key='{}:{alertname="DiskFull"}',
    )
    assert served.post(ops).status_code == 200
    post = eventually(lambda: next(iter(served.mattermost_posts()), None))
    assert "DiskFull" in post["message"]
    assert "1 firing" in post["message"]
    actions = post["props"]["attachments"][0]["actions"]
    assert [a["id"] for a in actions] == ["alertack0", "alertsilence1", "alertsilence2"]

    resolved = payload(
        alert(
            "ops1",
            status="resolved",
            starts_at=STARTS,
            labels={"team": "ops", "alertname": "DiskFull"},
        ),
        group_key='{}:{alertname="DiskFull"}',
    )
    served.post(resolved)

    def edited() -> dict[str, Any] | None:
        current = next(p for p in served.mattermost.posts("ch-ops") if p["id"] == post["id"])
        return current if "resolved" in current["message"] else None

    assert eventually(edited)["edited_count"] >= 1
    eventually(lambda: settled(served))
    assert len(served.mattermost_posts()) == 1
    assert served.slack_messages() == []


def test_acknowledge_shows_who_on_the_message_and_in_the_thread(served: Served) -> None:
    served.post(two_pods_firing())
    message = eventually(lambda: next(iter(served.slack_messages()), None))
    ack = button(message, "kuber_alert_ack")
    assert ack is not None
    clicked = served.slack.click_button(
        served.url + "/slack/events", ack["action_id"], message_ts=message["ts"], user_id="U0BOB"
    )
    assert clicked.status_code == 200

    def acknowledged() -> dict[str, Any] | None:
        current = next(m for m in served.slack_messages() if m["ts"] == message["ts"])
        return current if "bob at" in whole_text(current) else None

    shown = eventually(acknowledged)
    assert button(shown, "kuber_alert_ack") is None
    notes = eventually(lambda: served.slack_thread(message["ts"]))
    assert "Acknowledged by bob" in notes[-1]["text"]


def test_missing_or_wrong_credentials_are_refused_with_401(served: Served) -> None:
    body = two_pods_firing()
    missing = served.post(body, headers={})
    assert missing.status_code == 401
    assert "missing credentials" in missing.json()["error"]
    wrong = served.post(body, headers=bearer("not-the-token"))
    assert wrong.status_code == 401
    assert wrong.json()["error"] == "wrong credentials"
    assert served.post(body, headers=basic("not-the-token")).status_code == 401
    # Basic auth whose password is the token is as good as the bearer token.
    assert served.post(body, headers=basic()).status_code == 200
    metrics = httpx.get(served.url + "/metrics").text
    assert f'kuber_requests_answered_4xx_total{{route="{WEBHOOK}",status="401"}} 3.0' in metrics


def test_bad_payloads_are_refused_with_400_and_the_reason(served: Served) -> None:
    malformed = served.post(b'{"version": "4", "alerts": [')
    assert malformed.status_code == 400
    assert malformed.json()["error"].startswith("malformed JSON")

    unknown = served.post({**two_pods_firing(), "version": "3"})
    assert unknown.status_code == 400
    assert "unknown payload version '3'" in unknown.json()["error"]

    body = two_pods_firing()
    del body["alerts"][1]["fingerprint"]
    invalid = served.post(body)
    assert invalid.status_code == 400
    assert "alerts[1].fingerprint" in invalid.json()["error"]

    not_an_object = served.post(b"[]")
    assert not_an_object.status_code == 400
    assert "not a JSON object" in not_an_object.json()["error"]
    with served.kuber.runtime.store.session() as session:
        assert session.exec(select(AlertDelivery)).all() == []


def test_a_body_over_one_mebibyte_is_refused_with_413(served: Served) -> None:
    body = two_pods_firing()
    body["alerts"][0]["annotations"]["description"] = "x" * (1024 * 1024)
    response = served.post(body)
    assert response.status_code == 413
    assert "over 1 MiB" in response.json()["error"]


def test_a_delivery_that_cannot_be_stored_is_answered_5xx_and_its_retry_is_shown(
    served: Served,
) -> None:
    store = served.kuber.runtime.store
    with store.engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE alert_delivery RENAME TO alert_delivery_away"))
    refused = served.post(two_pods_firing())
    assert refused.status_code == 503  # Alertmanager sends it again
    with store.engine.begin() as connection:
        connection.execute(sa.text("ALTER TABLE alert_delivery_away RENAME TO alert_delivery"))
    assert served.post(two_pods_firing()).status_code == 200
    eventually(lambda: served.slack_messages())
    eventually(lambda: settled(served))
    assert len(served.slack_messages()) == 1


def test_a_refire_after_the_resolve_opens_a_new_message(served: Served) -> None:
    served.post(payload(alert("f1", starts_at=STARTS)))
    first = eventually(lambda: next(iter(served.slack_messages()), None))
    served.post(payload(alert("f1", status="resolved", starts_at=STARTS)))
    eventually(
        lambda: (
            "resolved"
            in whole_text(next(m for m in served.slack_messages() if m["ts"] == first["ts"]))
        )
    )
    later = STARTS + timedelta(hours=1)
    served.post(payload(alert("f1", starts_at=later)))
    second = eventually(lambda: served.slack_messages()[1:])
    assert "1 firing" in whole_text(second[0])
    assert "2026-12-01 11:00 UTC" in whole_text(second[0])
