"""The Slack sandbox acting as Slack towards an app: signed slash commands, events and clicks,
received by a real slack-bolt App that answers through the sandbox's Web API."""

from __future__ import annotations

import time
from typing import Any

import httpx
import pytest
from slack_bolt import Ack, App, Respond, Say
from slack_sdk import WebClient
from slack_sdk.signature import SignatureVerifier

from sandbox.http import Request, Response, SandboxServer
from sandbox.slack import SlackSandbox, sign_slack_request

APPROVE_BLOCKS: list[dict[str, Any]] = [
    {"type": "section", "text": {"type": "mrkdwn", "text": "Scale *payment* to 3?"}},
    {
        "type": "actions",
        "block_id": "plan",
        "elements": [
            {
                "type": "button",
                "action_id": "approve",
                "text": {"type": "plain_text", "text": "Approve"},
                "value": "plan-1",
                "style": "primary",
            }
        ],
    },
]


def test_signature_is_what_slack_sdk_verifies() -> None:
    secret, body, now = "s3cret", b"token=x&text=scale+payment", str(int(time.time()))
    stale = str(int(now) - 600)
    signature = sign_slack_request(secret, now, body)
    verifier = SignatureVerifier(secret)
    assert signature.startswith("v0=")
    assert verifier.is_valid(body, now, signature)
    assert not verifier.is_valid(body + b"!", now, signature)
    assert not verifier.is_valid(body, stale, sign_slack_request(secret, stale, body))


def test_url_verification_is_answered_by_bolt(slack: SlackSandbox, bolt_url: str) -> None:
    response = slack.send_url_verification(bolt_url, challenge="abc123")
    assert response.status_code == 200
    assert response.json() == {"challenge": "abc123"}


def test_slash_command_reaches_bolt_and_its_answers_show(
    slack: SlackSandbox, bolt_app: App, bolt_url: str
) -> None:
    seen: dict[str, Any] = {}

    @bolt_app.command("/kuber")
    def kuber(ack: Ack, command: dict[str, Any], respond: Respond) -> None:
        seen.update(command)
        ack(response_type="in_channel", text=f"Working on: {command['text']}")
        respond(text="Only you can see this")

    response = slack.send_slash_command(bolt_url, "scale payment to 3", user_id="U0BOB")

    assert response.status_code == 200
    assert seen["user_id"] == "U0BOB"
    assert seen["user_name"] == "bob"
    assert seen["channel_id"] == "C0PAY"
    assert seen["response_url"].startswith(slack.url)
    assert [m["text"] for m in slack.messages("C0PAY")] == ["Working on: scale payment to 3"]
    state = slack.state_snapshot()
    assert [(e["user"], e["text"]) for e in state["ephemeral"]] == [
        ("U0BOB", "Only you can see this")
    ]
    assert [r["via"] for r in state["responses"]] == ["response_url", "acknowledgement"]


def test_a_stale_or_forged_request_is_refused_by_bolt(
    slack: SlackSandbox, bolt_app: App, bolt_url: str
) -> None:
    @bolt_app.command("/kuber")
    def kuber(ack: Ack) -> None:
        ack()

    stale = slack.send_slash_command(bolt_url, "status", timestamp=int(time.time()) - 600)
    assert stale.status_code == 401
    slack.signing_secret = "not-the-apps-secret"
    assert slack.send_slash_command(bolt_url, "status").status_code == 401


def test_app_mention_is_delivered_and_the_reply_threads(
    slack: SlackSandbox, bolt_app: App, bolt_url: str
) -> None:
    events: list[dict[str, Any]] = []

    @bolt_app.event("app_mention")
    def mention(event: dict[str, Any], body: dict[str, Any], say: Say) -> None:
        events.append(body)
        say(text="Scaling payment to 3", thread_ts=event["ts"])

    response = slack.send_app_mention(bolt_url, "scale payment to 3")

    assert response.status_code == 200
    [body] = events
    assert body["type"] == "event_callback"
    assert body["event_id"].startswith("Ev")
    assert body["event"]["text"] == "<@U0KUBER> scale payment to 3"
    question, answer = slack.messages("C0PAY")
    assert (question["user"], answer["user"]) == ("U0ALICE", "U0KUBER")
    assert answer["thread_ts"] == question["ts"] == body["event"]["ts"]


def test_direct_message_event_is_signed_and_can_be_redelivered(
    slack: SlackSandbox, receiver: SandboxServer
) -> None:
    seen: list[Request] = []

    def events(request: Request) -> Response:
        seen.append(request)
        return Response(200, "")

    receiver.route("POST", "/events", events)
    url = receiver.url + "/events"
    slack.send_message_event(url, "status", user_id="U0CAROL", event_id="Ev0001")
    slack.send_message_event(url, "status", user_id="U0CAROL", event_id="Ev0001", retry_num=1)

    first, retry = seen
    verifier = SignatureVerifier(slack.signing_secret)
    for request in seen:
        assert verifier.is_valid_request(request.body, request.headers)
    assert first.json()["event"]["channel"] == "D0CAROL"
    assert first.json()["event"]["channel_type"] == "im"
    assert first.json()["event_id"] == retry.json()["event_id"] == "Ev0001"
    assert "x-slack-retry-num" not in first.headers
    assert retry.headers["x-slack-retry-num"] == "1"
    assert retry.headers["x-slack-retry-reason"] == "http_timeout"


def test_button_click_reaches_bolt_and_replaces_the_message(
    slack: SlackSandbox, slack_client: WebClient, bolt_app: App, bolt_url: str
) -> None:
    clicks: list[dict[str, Any]] = []

    @bolt_app.action("approve")
    def approve(ack: Ack, body: dict[str, Any], respond: Respond) -> None:
        ack()
        clicks.append(body)
        respond(replace_original=True, text="Approved by <@U0ALICE>")

    posted = slack_client.chat_postMessage(channel="C0PAY", text="Scale?", blocks=APPROVE_BLOCKS)
    response = slack.click_button(bolt_url, "approve")

    assert response.status_code == 200
    [body] = clicks
    assert body["type"] == "block_actions"
    assert body["user"]["id"] == "U0ALICE"
    assert body["container"]["message_ts"] == posted["ts"]
    [action] = body["actions"]
    assert (action["action_id"], action["block_id"], action["value"]) == (
        "approve",
        "plan",
        "plan-1",
    )
    [message] = slack.messages("C0PAY")
    assert message["text"] == "Approved by <@U0ALICE>"
    assert "blocks" not in message
    assert message["edits"][0]["blocks"] == APPROVE_BLOCKS


def test_a_button_no_message_shows_cannot_be_clicked(
    slack: SlackSandbox, slack_client: WebClient, bolt_url: str
) -> None:
    with pytest.raises(LookupError):
        slack.click_button(bolt_url, "approve")
    posted = slack_client.chat_postMessage(channel="C0PAY", text="Scale?", blocks=APPROVE_BLOCKS)
    with pytest.raises(LookupError):
        slack.click_button(bolt_url, "reject", message_ts=posted["ts"])


def test_response_url_is_single_purpose_and_limited(slack: SlackSandbox) -> None:
    url = slack.new_response_url("C0PAY", "U0ALICE")
    for n in range(5):
        assert httpx.post(url, json={"text": f"update {n}"}).status_code == 200
    assert httpx.post(url, json={"text": "one too many"}).json()["error"] == "used_url"
    assert httpx.post(slack.url + "/commands/T0KUBER/1/nope", json={"text": "x"}).status_code == 404
    assert len(slack.state_snapshot()["ephemeral"]) == 5
