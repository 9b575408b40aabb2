"""`alerts`, `silence ALERT for DURATION` and `unsilence ALERT` typed in chat, against a real
Alertmanager: the silence is Alertmanager's own, made in the person's name."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from bot.runtime import build_runtime
from tests.alerts.test_alertmanager_e2e import Alertmanager, alertmanager, am_alert
from tests.sandboxes import eventually
from tests.scenarios.conftest import Chat

__all__ = ["alertmanager"]  # the fixture, used by name below

pytestmark = pytest.mark.e2e


@pytest.fixture
def chat_with_alertmanager(
    alertmanager: Alertmanager, alerting_env: dict[str, str]
) -> Iterator[Chat]:
    runtime = build_runtime(alerting_env)
    yield Chat(runtime, alerting_env)
    runtime.close()


def active(alertmanager: Alertmanager) -> list[dict[str, Any]]:
    return [s for s in alertmanager.silences() if s["status"]["state"] == "active"]


def test_silence_and_unsilence_as_typed_by_an_operator(
    alertmanager: Alertmanager, chat_with_alertmanager: Chat
) -> None:
    chat = chat_with_alertmanager
    alertmanager.post_alerts(am_alert("KuberChatLatency", app="payment"))
    eventually(lambda: "KuberChatLatency" in chat.say("alerts", user="carol")[-1]["text"])

    made = chat.say("silence KuberChatLatency for 2h", user="bob")[-1]
    assert made["text"].startswith('🔕 Silenced alertname="KuberChatLatency" until')
    [silence] = active(alertmanager)
    assert silence["createdBy"] == "bob"
    assert silence["comment"] == "Silenced from Kuber by bob: console channel console"

    ended = chat.say("KuberChatLatency 알림 다시 켜줘", user="bob")[-1]
    assert "KuberChatLatency" in ended["text"]
    assert active(alertmanager) == []


def test_a_viewer_may_list_alerts_but_not_silence_them(
    alertmanager: Alertmanager, chat_with_alertmanager: Chat
) -> None:
    chat = chat_with_alertmanager
    refused = chat.say("silence KuberChatLatency for 2h", user="carol")[-1]
    assert refused["text"] == (
        "Your role here is viewer; this change needs the operator role. Ask a team admin to "
        "give it to you in kuber.yaml."
    )
    # The positive signal: an operator's silence does appear.
    chat.say("silence KuberChatLatency for 1h", user="bob")
    assert [s["createdBy"] for s in active(alertmanager)] == ["bob"]
