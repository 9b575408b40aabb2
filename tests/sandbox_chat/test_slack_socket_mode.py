"""The Slack sandbox's Socket Mode, through slack_sdk's own built-in SocketModeClient: tickets
from `apps.connections.open`, hello, envelopes, acknowledgements, pings, redelivery and
reconnection."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.socket_mode.builtin import SocketModeClient
from slack_sdk.socket_mode.request import SocketModeRequest
from slack_sdk.socket_mode.response import SocketModeResponse
from websockets.exceptions import InvalidStatus
from websockets.sync.client import connect

from sandbox.slack import SlackSandbox


def wait_for(condition: Callable[[], Any], timeout: float = 5.0) -> Any:
    deadline = time.monotonic() + timeout
    while not (value := condition()):
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)
    return value


class App:
    """Stands in for an app on the link: records what arrives, acknowledges unless told not to."""

    def __init__(self) -> None:
        self.raw: list[dict[str, Any]] = []
        self.requests: list[SocketModeRequest] = []
        self.ignore = 0  # how many of the next requests go unanswered
        self.answer: dict[str, Any] | None = None

    def on_message(self, text: str) -> None:
        self.raw.append(json.loads(text))

    def on_request(self, client: SocketModeClient, request: SocketModeRequest) -> None:
        self.requests.append(request)
        if self.ignore:
            self.ignore -= 1
            return
        client.send_socket_mode_response(SocketModeResponse(request.envelope_id, self.answer))


#: What tests of timeouts give an acknowledgement, instead of Slack's 3 seconds.
SHORT_ACK_TIMEOUT = 0.5


@pytest.fixture
def quick_slack() -> Iterator[SlackSandbox]:
    """A Slack sandbox that retries an unacknowledged event at once, twice."""
    with SlackSandbox(event_retry_delays=(0.0, 0.0)) as sandbox:
        yield sandbox


def socket_client(slack: SlackSandbox, app: App, token: str | None = None) -> SocketModeClient:
    client = SocketModeClient(
        app_token=token or slack.app_token,
        web_client=WebClient(token=slack.bot_token, base_url=slack.url + "/api/"),
        on_message_listeners=[app.on_message],
    )
    client.socket_mode_request_listeners.append(app.on_request)
    return client


@pytest.fixture
def app() -> App:
    return App()


@pytest.fixture
def linked(quick_slack: SlackSandbox, app: App) -> Iterator[SocketModeClient]:
    client = socket_client(quick_slack, app)
    client.connect()
    quick_slack.wait_socket_connected()
    yield client
    client.close()


def test_the_client_is_greeted_and_its_pings_answered(
    quick_slack: SlackSandbox, app: App, linked: SocketModeClient
) -> None:
    hello = wait_for(lambda: app.raw)[0]
    assert hello["type"] == "hello"
    assert hello["num_connections"] == 1
    assert hello["connection_info"] == {"app_id": "A0KUBER"}
    # slack_sdk pings on connecting and reads its own payload back from the pong.
    session = linked.current_session
    assert session is not None
    wait_for(lambda: session.last_ping_pong_time is not None)
    (connection,) = quick_slack.state()["socket_mode"]["connections"]
    assert connection["pings"] >= 1
    opened = [c for c in quick_slack.state_snapshot()["calls"] if c.get("api_method")]
    assert [c["api_method"] for c in opened] == ["apps.connections.open"]


def test_a_slash_command_envelope_and_its_acknowledgement(
    quick_slack: SlackSandbox, app: App, linked: SocketModeClient
) -> None:
    app.answer = {"response_type": "ephemeral", "text": "On it"}
    envelope_id = quick_slack.socket_slash_command("scale payment to 3")
    acknowledged = quick_slack.wait_acked(envelope_id)
    assert quick_slack.acked(envelope_id)
    (request,) = app.requests
    assert request.envelope_id == envelope_id
    assert request.type == "slash_commands"
    assert request.accepts_response_payload is True
    assert request.retry_attempt is None  # only events carry retry fields
    assert request.payload["command"] == "/kuber"
    assert request.payload["text"] == "scale payment to 3"
    assert request.payload["channel_id"] == "C0PAY"
    assert request.payload["user_id"] == "U0ALICE"
    assert acknowledged["response"] == app.answer
    # Shown to the person as a command's answer is: ephemeral.
    (shown,) = quick_slack.state()["ephemeral"]
    assert (shown["user"], shown["text"]) == ("U0ALICE", "On it")


def test_mention_and_click_envelopes(
    quick_slack: SlackSandbox, app: App, linked: SocketModeClient
) -> None:
    mention = quick_slack.socket_app_mention("status of cart")
    quick_slack.wait_acked(mention)
    request = app.requests[-1]
    assert request.type == "events_api"
    assert (request.retry_attempt, request.retry_reason) == (0, "")
    assert request.payload["type"] == "event_callback"
    assert request.payload["event"]["type"] == "app_mention"
    assert request.payload["event"]["text"] == "<@U0KUBER> status of cart"

    quick_slack.workspace.add_message(
        quick_slack.workspace.channels["C0PAY"],
        user="U0KUBER",
        text="Approve?",
        blocks=[
            {
                "type": "actions",
                "block_id": "b1",
                "elements": [
                    {
                        "type": "button",
                        "action_id": "kuber_approve:1",
                        "text": {"type": "plain_text", "text": "Approve"},
                        "value": "1",
                    }
                ],
            }
        ],
    )
    click = quick_slack.socket_click_button("kuber_approve:1")
    quick_slack.wait_acked(click)
    request = app.requests[-1]
    assert (request.type, request.accepts_response_payload) == ("interactive", False)
    assert request.payload["type"] == "block_actions"
    assert request.payload["actions"][0]["action_id"] == "kuber_approve:1"


def test_an_unacknowledged_event_is_sent_again(
    quick_slack: SlackSandbox, app: App, linked: SocketModeClient
) -> None:
    quick_slack.ack_timeout = SHORT_ACK_TIMEOUT
    app.ignore = 1
    first = quick_slack.socket_app_mention("status of cart", event_id="Ev0RETRY")
    quick_slack.wait_acked(first, timeout=3)
    attempts = quick_slack.envelopes(first)
    assert [(a["attempt"], a["outcome"]) for a in attempts] == [(0, "timed_out"), (1, "acked")]
    assert attempts[1]["envelope_id"] != first
    retried = app.requests[1]
    assert (retried.retry_attempt, retried.retry_reason) == (1, "timeout")
    assert retried.payload["event_id"] == app.requests[0].payload["event_id"] == "Ev0RETRY"


def test_an_event_never_acknowledged_is_given_up(
    quick_slack: SlackSandbox, app: App, linked: SocketModeClient
) -> None:
    quick_slack.ack_timeout = SHORT_ACK_TIMEOUT
    app.ignore = 3
    first = quick_slack.socket_app_mention("status of cart")
    wait_for(lambda: len(quick_slack.envelopes(first)) == 3, timeout=3)
    wait_for(lambda: quick_slack.envelopes(first)[-1]["outcome"] == "timed_out", timeout=3)
    time.sleep(SHORT_ACK_TIMEOUT + 0.2)
    assert len(app.requests) == 3
    assert not quick_slack.acked(first)


def test_an_unanswered_command_fails_in_front_of_the_person(
    quick_slack: SlackSandbox, app: App, linked: SocketModeClient
) -> None:
    quick_slack.ack_timeout = SHORT_ACK_TIMEOUT
    app.ignore = 1
    envelope_id = quick_slack.socket_slash_command("scale payment to 3")
    wait_for(lambda: quick_slack.state()["ephemeral"], timeout=3)
    (shown,) = quick_slack.state()["ephemeral"]
    assert shown["text"] == '/kuber failed with the error "operation_timeout"'
    assert [a["outcome"] for a in quick_slack.envelopes(envelope_id)] == ["timed_out"]
    assert len(app.requests) == 1  # commands are not sent again
    assert not quick_slack.acked(envelope_id)


def test_a_late_acknowledgement_does_not_count(
    quick_slack: SlackSandbox, app: App, linked: SocketModeClient
) -> None:
    quick_slack.ack_timeout = SHORT_ACK_TIMEOUT
    app.ignore = 1
    envelope_id = quick_slack.socket_slash_command("status")
    wait_for(lambda: quick_slack.envelopes(envelope_id)[0]["outcome"] == "timed_out", timeout=3)
    linked.send_socket_mode_response(SocketModeResponse(envelope_id))
    wait_for(lambda: quick_slack.envelopes(envelope_id)[0]["outcome"] == "late")
    assert not quick_slack.acked(envelope_id)


def test_the_client_moves_to_a_new_link_when_asked(
    quick_slack: SlackSandbox, app: App, linked: SocketModeClient
) -> None:
    assert quick_slack.socket_disconnect("refresh_requested") == 1
    wait_for(lambda: quick_slack.state()["socket_mode"]["tickets_issued"] == 2)
    wait_for(lambda: linked.is_connected() and quick_slack.socket_connections() == 1)
    envelope_id = quick_slack.socket_slash_command("status")
    quick_slack.wait_acked(envelope_id)


def test_tokens_and_tickets(quick_slack: SlackSandbox) -> None:
    web = WebClient(base_url=quick_slack.url + "/api/")
    url = web.apps_connections_open(app_token=quick_slack.app_token)["url"]
    assert url.startswith(quick_slack.url.replace("http://", "ws://") + "/link/?ticket=")
    with connect(url) as first:
        assert json.loads(first.recv(timeout=5))["type"] == "hello"
        with pytest.raises(InvalidStatus) as refused:
            connect(url)  # a ticket opens one link only
        assert refused.value.response.status_code == 401
    for token, error in [
        ("xapp-1-wrong", "invalid_auth"),
        (quick_slack.bot_token, "not_allowed_token_type"),
    ]:
        with pytest.raises(SlackApiError) as failed:
            web.apps_connections_open(app_token=token)
        assert failed.value.response["error"] == error
    with pytest.raises(SlackApiError) as failed:
        WebClient(token=quick_slack.app_token, base_url=quick_slack.url + "/api/").auth_test()
    assert failed.value.response["error"] == "not_allowed_token_type"


def test_nothing_is_delivered_without_a_link(quick_slack: SlackSandbox) -> None:
    with pytest.raises(ConnectionError):
        quick_slack.socket_slash_command("status")
