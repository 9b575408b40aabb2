"""The pure pieces of the alert pipeline: credentials, payload checks, routing, durations and
the message itself."""

from __future__ import annotations

import base64
import json
from datetime import UTC, datetime, timedelta

import pytest

from bot.alerts.payload import PayloadRefused, parse_payload
from bot.alerts.render import (
    AlertView,
    GroupView,
    Shown,
    SilenceView,
    differing_labels,
    format_duration,
    render_message,
    render_notes,
)
from bot.alerts.routing import Destination, route_for
from bot.alerts.silences import parse_duration
from bot.alerts.webhook import given_token, token_matches
from bot.errors import UserError
from bot.settings import KuberConfig
from integrations.alertmanager import Matcher
from tests.alerts.conftest import alert, alerting_config, payload

NOW = datetime(2026, 12, 1, 10, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("header", "token"),
    [
        ("Bearer s3cret", "s3cret"),
        ("bearer   s3cret ", "s3cret"),
        ("Basic " + base64.b64encode(b"am:s3cret").decode(), "s3cret"),
        ("Basic " + base64.b64encode(b"am:pass:with:colons").decode(), "pass:with:colons"),
        ("Basic not-base64!", None),
        ("Basic " + base64.b64encode(b"no-colon").decode(), None),
        ("Token s3cret", None),
        ("Bearer", None),
        ("", None),
        (None, None),
    ],
)
def test_the_token_is_read_from_bearer_or_basic_auth(header: str | None, token: str | None) -> None:
    assert given_token(header) == token


def test_tokens_compare_whole() -> None:
    assert token_matches("s3cret", "s3cret")
    assert not token_matches("s3cre", "s3cret")
    assert not token_matches("s3cret ", "s3cret")


def test_a_version_4_payload_parses_with_firing_alerts_ending_at_the_zero_time() -> None:
    body = payload(alert("f1"), alert("f2", status="resolved"))
    parsed, data = parse_payload(json.dumps(body).encode())
    assert data == body
    assert parsed.group_key == body["groupKey"]
    assert parsed.alerts[0].ended_at is None
    assert parsed.alerts[1].ended_at == datetime(2026, 12, 1, 10, 7, tzinfo=UTC)


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xff\xfe", "the body is not UTF-8"),
        (b"{", "malformed JSON"),
        (b'"text"', "not a JSON object"),
        (b"{}", "unknown payload version None"),
        (b'{"version": 4}', "unknown payload version 4"),
        (b'{"version": "4"}', "invalid payload: receiver: Field required"),
    ],
)
def test_what_is_not_a_version_4_payload_is_refused_with_a_reason(body: bytes, reason: str) -> None:
    with pytest.raises(PayloadRefused) as refused:
        parse_payload(body)
    assert reason in refused.value.reason


def test_a_bad_alert_is_named_by_its_place() -> None:
    body = payload(alert("f1"), alert("f2"))
    body["alerts"][1]["status"] = "pending"
    with pytest.raises(PayloadRefused) as refused:
        parse_payload(json.dumps(body).encode())
    assert "alerts[1].status" in refused.value.reason


def routing(**alerts: object) -> KuberConfig:
    config = alerting_config(**alerts)
    config["teams"].append({"name": "ops", "channels": {"mattermost": "ch-ops-team"}})
    return KuberConfig.model_validate(config)


def test_routes_match_first_then_team_label_then_owner_then_default() -> None:
    config = routing(
        default_channel={"platform": "slack", "channel": "C0OPS"},
        routes=[
            {"match": {"namespace": "kube-system"}, "team": "ops"},
            {
                "match": {"team": "ops", "severity": "info"},
                "channel": {"platform": "slack", "channel": "C0CART"},
            },
        ],
    )
    both = ("slack", "mattermost")
    assert route_for(config, {"namespace": "kube-system"}, both) == Destination(
        "mattermost", "ch-ops-team", "ops"
    )
    assert route_for(config, {"team": "ops", "severity": "info"}, both) == Destination(
        "slack", "C0CART", None
    )
    assert route_for(config, {"team": "ops"}, both) == Destination(
        "mattermost", "ch-ops-team", "ops"
    )
    # The app's team (payments), on the platform Kuber serves.
    assert route_for(config, {"app": "payment"}, ("mattermost",)) == Destination(
        "mattermost", "ch-payments", "payments"
    )
    assert route_for(config, {"app": "payment"}, both) == Destination("slack", "C0PAY", "payments")
    assert route_for(config, {"alertname": "Watchdog"}, both) == Destination("slack", "C0OPS", None)


def test_without_routes_or_default_the_first_team_takes_it() -> None:
    config = KuberConfig.model_validate({**alerting_config(), "alerts": {}})
    assert route_for(config, {}, ("slack",)) == Destination("slack", "C0PAY", "payments")
    assert route_for(KuberConfig(), {}, ("slack",)) is None


@pytest.mark.parametrize(
    ("text", "span"),
    [
        ("30m", timedelta(minutes=30)),
        ("2h", timedelta(hours=2)),
        ("1d", timedelta(days=1)),
        ("1h30m", timedelta(hours=1, minutes=30)),
        (" 90s ", timedelta(seconds=90)),
        ("1w", timedelta(weeks=1)),
    ],
)
def test_prometheus_durations_are_read(text: str, span: timedelta) -> None:
    assert parse_duration(text) == span


@pytest.mark.parametrize("text", ["", "h", "1x", "0m", "30m1h", "-1h", "forever"])
def test_what_is_not_a_duration_is_refused(text: str) -> None:
    with pytest.raises(UserError) as refused:
        parse_duration(text)
    assert refused.value.key == "alert_bad_duration"


def test_a_silence_longer_than_a_month_is_refused() -> None:
    with pytest.raises(UserError) as refused:
        parse_duration("1y")
    assert refused.value.key == "alert_duration_too_long"


def test_durations_show_two_units_at_most() -> None:
    assert format_duration(timedelta(seconds=45)) == "45s"
    assert format_duration(timedelta(minutes=12, seconds=5)) == "12m 5s"
    assert format_duration(timedelta(days=3, hours=4, minutes=5)) == "3d 4h"
    assert format_duration(timedelta(seconds=-5)) == "0s"


def test_matchers_print_as_alertmanager_reads_them() -> None:
    assert str(Matcher("alertname", 'say "hi"')) == 'alertname="say \\"hi\\""'
    assert str(Matcher("pod", "pay.*", is_regex=True, is_equal=False)) == 'pod!~"pay.*"'


def view(*alerts: AlertView, **extra: object) -> GroupView:
    defaults: dict[str, object] = {
        "group_id": 7,
        "platform": "mattermost",
        "receiver": "kuber",
        "alerts": alerts,
        "common_labels": {"alertname": "HighErrorRate", "severity": "critical"},
        "external_url": "http://am:9093",
        "started_at": datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
    }
    return GroupView(**{**defaults, **extra})  # type: ignore[arg-type]


def pod(name: str, state: str = "firing", **labels: str) -> AlertView:
    return AlertView(
        fingerprint=name,
        state=state,
        labels={"alertname": "HighErrorRate", "severity": "critical", "pod": name, **labels},
        annotations={"summary": f"{name} fails"},
        starts_at=datetime(2026, 12, 1, 10, 0, tzinfo=UTC),
        ends_at=datetime(2026, 12, 1, 10, 20, tzinfo=UTC) if state == "resolved" else None,
        generator_url="http://prom:9090/graph",
    )


def test_only_the_labels_that_differ_tell_alerts_apart() -> None:
    assert differing_labels([pod("a"), pod("b", zone="z1")]) == ["pod", "zone"]
    assert differing_labels([pod("a")]) == []


def test_a_firing_group_shows_counts_lines_links_and_buttons_in_mattermost_markdown() -> None:
    reply = render_message(view(pod("a"), pod("b", "resolved")), now=NOW)
    assert reply.text.splitlines() == [
        "🔥 **HighErrorRate** · 1 firing · critical",
        "• pod=a — a fails",
        "• ✅ pod=b — b fails (resolved)",
    ]
    assert [(f.label, f.value) for f in reply.fields] == [
        ("Severity", "critical"),
        ("Firing", "1 of 2"),
        ("Started", "2026-12-01 10:00 UTC"),
    ]
    assert (
        reply.context
        == "[Prometheus](http://prom:9090/graph) · [Alertmanager](http://am:9093/#/alerts)"
    )
    assert [(b.action, b.value) for b in reply.buttons] == [
        ("alert_ack", "7"),
        ("alert_silence", "7:1h"),
        ("alert_silence", "7:4h"),
    ]


def test_an_acknowledged_silenced_group_offers_unsilence_only() -> None:
    until = datetime(2026, 12, 1, 11, 30, tzinfo=UTC)
    reply = render_message(
        view(
            pod("a"),
            acked_by="bob",
            acked_at=NOW,
            silence=SilenceView("s1", "alice", until),
            platform="slack",
        ),
        now=NOW,
    )
    assert reply.text.startswith("🔥 *HighErrorRate* · 1 firing")
    fields = {f.label: f.value for f in reply.fields}
    assert fields["Acknowledged"] == "bob at 10:30 UTC"
    assert fields["Silenced"] == "by alice until 11:30 UTC"
    assert [b.action for b in reply.buttons] == ["alert_unsilence"]


def test_a_resolved_group_says_for_how_long_it_fired_and_offers_nothing() -> None:
    reply = render_message(view(pod("a", "resolved")), now=NOW)
    assert reply.text.startswith("✅ **HighErrorRate** resolved · fired for 20m")
    assert reply.buttons == ()


def test_notes_say_what_changed_since_the_message_was_shown() -> None:
    before = Shown(alerts={"a": "firing", "b": "firing"}, silence_id="s1")
    now_view = view(pod("a", "resolved"), pod("b"), pod("c"), acked_by="bob")
    notes = render_notes(now_view, before, now=NOW, silence_lifted_by="carol")
    assert notes == [
        "🔥 Firing: pod=c — c fails",
        "✅ Resolved: pod=a — a fails",
        "👀 Acknowledged by bob.",
        "🔔 Silence lifted by carol.",
    ]
    all_done = view(pod("a", "resolved"), pod("b", "resolved"))
    assert render_notes(all_done, before, now=NOW)[-1] == "✅ All resolved; fired for 20m."
