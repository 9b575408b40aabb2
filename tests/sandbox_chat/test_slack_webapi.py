"""The Slack sandbox's Web API, driven by slack_sdk's WebClient and slack-bolt over HTTP."""

from __future__ import annotations

import json
import time
from typing import Any

import httpx
import pytest
from slack_bolt import App
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack import SlackSandbox

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "*payment* scaled"}}


def test_auth_test_names_the_bot(slack: SlackSandbox, slack_client: WebClient) -> None:
    identity = slack_client.auth_test()
    assert identity["user_id"] == "U0KUBER"
    assert identity["bot_id"] == "B0KUBER"
    assert identity["team"] == "Kuber Sandbox"
    assert identity["url"] == slack.url + "/"


@pytest.mark.parametrize(("token", "error"), [("xoxb-wrong", "invalid_auth"), (None, "not_authed")])
def test_a_wrong_or_missing_token_is_refused(
    slack: SlackSandbox, token: str | None, error: str
) -> None:
    client = WebClient(token=token, base_url=slack.url + "/api/")
    with pytest.raises(SlackApiError) as raised:
        client.chat_postMessage(channel="C0PAY", text="hi")
    assert raised.value.response["error"] == error
    assert slack.messages("C0PAY") == []


def test_post_message_gives_increasing_timestamps_and_threads(
    slack: SlackSandbox, slack_client: WebClient
) -> None:
    first = slack_client.chat_postMessage(channel="C0PAY", text="scaling", blocks=[SECTION])
    reply = slack_client.chat_postMessage(channel="#payments", text="done", thread_ts=first["ts"])
    assert first["channel"] == reply["channel"] == "C0PAY"
    assert float(reply["ts"]) > float(first["ts"])
    assert first["message"]["blocks"] == [SECTION]
    assert reply["message"]["thread_ts"] == first["ts"]

    messages = slack.messages("C0PAY")
    assert [(m["text"], m.get("thread_ts"), m["user"]) for m in messages] == [
        ("scaling", None, "U0KUBER"),
        ("done", first["ts"], "U0KUBER"),
    ]


def test_post_message_errors_as_slack_does(slack_client: WebClient) -> None:
    cases: list[tuple[dict[str, Any], str]] = [
        ({"channel": "C0NOPE", "text": "x"}, "channel_not_found"),
        ({"channel": "C0PAY"}, "no_text"),
        ({"channel": "C0PAY", "text": "x", "thread_ts": "1.000001"}, "thread_not_found"),
        ({"channel": "C0PAY", "text": "x", "blocks": [{"type": "section"}]}, "invalid_blocks"),
        ({"channel": "C0PAY", "text": "x", "blocks": [SECTION] * 51}, "invalid_blocks"),
    ]
    for arguments, expected in cases:
        # api_call skips slack_sdk's own warning about a missing text, so Slack's answer shows.
        with pytest.raises(SlackApiError) as raised:
            slack_client.api_call("chat.postMessage", json=arguments)
        assert raised.value.response["error"] == expected, arguments


def test_update_keeps_a_history_of_edits(slack: SlackSandbox, slack_client: WebClient) -> None:
    posted = slack_client.chat_postMessage(
        channel="C0PAY", text="rolling out 1/3", blocks=[SECTION]
    )
    slack_client.chat_update(channel="C0PAY", ts=posted["ts"], text="rolling out 2/3")
    updated = slack_client.chat_update(channel="C0PAY", ts=posted["ts"], text="done", blocks=[])

    assert updated["ts"] == posted["ts"]
    assert updated["message"]["text"] == "done"
    [message] = slack.messages("C0PAY")
    assert message["text"] == "done"
    assert "blocks" not in message
    assert [e["text"] for e in message["edits"]] == ["rolling out 1/3", "rolling out 2/3"]
    state = slack.state_snapshot()
    assert state["channels"]["C0PAY"]["messages"][0]["edited_count"] == 2


def test_update_of_an_unknown_message_fails(slack_client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        slack_client.chat_update(channel="C0PAY", ts="1700000000.000100", text="x")
    assert raised.value.response["error"] == "message_not_found"


def test_ephemeral_messages_are_kept_apart(slack: SlackSandbox, slack_client: WebClient) -> None:
    sent = slack_client.chat_postEphemeral(channel="C0PAY", user="U0BOB", text="only you")
    assert sent["message_ts"]
    with pytest.raises(SlackApiError) as raised:
        slack_client.chat_postEphemeral(channel="C0PAY", user="U0NOBODY", text="x")
    assert raised.value.response["error"] == "user_not_found"

    state = slack.state_snapshot()
    assert state["channels"]["C0PAY"]["messages"] == []
    assert [(e["user"], e["text"]) for e in state["ephemeral"]] == [("U0BOB", "only you")]


def test_users_info_and_conversations_info(slack_client: WebClient) -> None:
    alice = slack_client.users_info(user="U0ALICE")["user"]
    assert alice["name"] == "alice"
    assert alice["real_name"] == "Alice Kim"
    assert alice["profile"]["display_name"] == "alice"
    assert alice["tz"] == "Asia/Seoul"
    assert alice["tz_offset"] == 9 * 3600
    with pytest.raises(SlackApiError) as raised:
        slack_client.users_info(user="U0NOBODY")
    assert raised.value.response["error"] == "user_not_found"

    channel = slack_client.conversations_info(channel="C0CART")["channel"]
    assert (channel["name"], channel["is_member"]) == ("cart", True)


def test_files_upload_v2_stores_the_bytes_and_shares_them(
    slack: SlackSandbox, slack_client: WebClient
) -> None:
    parent = slack_client.chat_postMessage(channel="C0CART", text="burndown")
    content = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    uploaded = slack_client.files_upload_v2(
        channel="C0CART",
        content=content,
        filename="burndown.png",
        title="Sprint 12 burndown",
        initial_comment="Here is the chart",
        thread_ts=parent["ts"],
    )
    assert uploaded["file"]["title"] == "Sprint 12 burndown"
    assert uploaded["file"]["size"] == len(content)

    state = slack.state_snapshot()
    [stored] = state["files"]
    assert (stored["name"], stored["bytes"], stored["channels"]) == (
        "burndown.png",
        len(content),
        ["C0CART"],
    )
    share = slack.messages("C0CART")[-1]
    assert share["text"] == "Here is the chart"
    assert share["thread_ts"] == parent["ts"]
    assert share["files"] == [stored["id"]]
    methods = [c.get("api_method") for c in state["calls"] if "api_method" in c]
    assert methods[-2:] == ["files.getUploadURLExternal", "files.completeUploadExternal"]


def test_the_journal_names_methods_and_never_holds_the_token(
    slack: SlackSandbox, slack_client: WebClient
) -> None:
    slack_client.chat_postMessage(channel="C0PAY", text="hello")
    # A form-encoded call with the token in the body must not leak it either.
    httpx.post(f"{slack.url}/api/auth.test", data={"token": slack.bot_token})

    state = httpx.get(f"{slack.url}/_sandbox/state").json()
    call = state["calls"][0]
    assert call["api_method"] == "chat.postMessage"
    assert call["args"] == {"channel": "C0PAY", "text": "hello"}
    assert state["calls"][1]["api_method"] == "auth.test"
    assert slack.bot_token not in json.dumps(state)


def test_per_channel_rate_limit_answers_429_with_retry_after() -> None:
    with SlackSandbox(rate_per_channel=1.0) as limited:
        client = WebClient(token=limited.bot_token, base_url=limited.url + "/api/")
        client.chat_postMessage(channel="C0PAY", text="one")
        with pytest.raises(SlackApiError) as raised:
            client.chat_postMessage(channel="C0PAY", text="two")
        response = raised.value.response
        assert response.status_code == 429
        assert response["error"] == "ratelimited"
        assert int(response.headers["Retry-After"]) >= 1
        # Other channels have their own allowance.
        client.chat_postMessage(channel="C0CART", text="elsewhere")
        time.sleep(float(response.headers["Retry-After"]))
        client.chat_postMessage(channel="C0PAY", text="two, later")
        assert [m["text"] for m in limited.messages("C0PAY")] == ["one", "two, later"]


def test_injected_rate_limit_surfaces_in_slack_sdk(
    slack: SlackSandbox, slack_client: WebClient
) -> None:
    slack.inject(
        r"POST /api/chat\.",
        429,
        for_seconds=5,
        headers={"Retry-After": "1"},
        body={"ok": False, "error": "ratelimited"},
    )
    with pytest.raises(SlackApiError) as raised:
        slack_client.chat_postMessage(channel="C0PAY", text="x")
    assert raised.value.response.status_code == 429
    assert raised.value.response.headers["Retry-After"] == "1"
    assert slack_client.users_info(user="U0BOB")["ok"]  # other methods are unaffected


def test_faults_without_a_body_use_slack_error_shapes(
    slack: SlackSandbox, slack_client: WebClient
) -> None:
    httpx.post(
        f"{slack.url}/_sandbox/faults",
        json={"match": r"chat\.postMessage", "status": 503, "times": 1},
    ).raise_for_status()
    slack.inject(r"chat\.update", 429, times=1)
    with pytest.raises(SlackApiError) as unavailable:
        slack_client.chat_postMessage(channel="C0PAY", text="x")
    assert unavailable.value.response.status_code == 503
    assert unavailable.value.response.data == {"ok": False, "error": "service_unavailable"}
    with pytest.raises(SlackApiError) as limited:
        slack_client.chat_update(channel="C0PAY", ts="1.000001", text="x")
    assert limited.value.response.data == {"ok": False, "error": "ratelimited"}
    assert limited.value.response.headers["Retry-After"] == "1"
    assert slack_client.chat_postMessage(channel="C0PAY", text="x")["ok"]


def test_bolt_app_builds_against_the_sandbox(slack: SlackSandbox, slack_client: WebClient) -> None:
    app = App(token=slack.bot_token, signing_secret=slack.signing_secret, client=slack_client)
    assert app.client.base_url == slack.url + "/api/"
    assert [c["api_method"] for c in slack.state_snapshot()["calls"]] == ["auth.test"]
