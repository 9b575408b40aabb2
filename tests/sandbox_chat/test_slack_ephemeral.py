"""The Slack sandbox's chat.postEphemeral through the real slack_sdk client: Slack's answer and
errors, shown to one person (recorded in `seen_by`), never in any history, and Slack's rule
that an ephemeral message in a thread shows only once the thread has replies."""

from __future__ import annotations

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from sandbox.slack import SlackSandbox


def test_the_answer_is_only_ok_and_message_ts(slack: SlackSandbox, slack_client: WebClient) -> None:
    sent = slack_client.chat_postEphemeral(channel="C0PAY", user="U0ALICE", text="only you")
    assert sent.data == {"ok": True, "message_ts": sent["message_ts"]}
    (shown,) = slack.ephemeral_seen_by("U0ALICE")
    assert (shown["ts"], shown["channel"], shown["text"]) == (
        sent["message_ts"],
        "C0PAY",
        "only you",
    )
    assert shown["seen_by"] == ["U0ALICE"]
    assert slack.ephemeral_seen_by("U0BOB") == []


@pytest.mark.parametrize(
    ("channel", "user", "error"),
    [
        ("C0NOPE", "U0ALICE", "channel_not_found"),
        ("D0ALICE", "U0BOB", "user_not_in_channel"),  # Alice's direct channel with the bot
        ("C0PAY", "U0NOBODY", "user_not_found"),
    ],
)
def test_errors(
    slack: SlackSandbox, slack_client: WebClient, channel: str, user: str, error: str
) -> None:
    with pytest.raises(SlackApiError) as raised:
        slack_client.chat_postEphemeral(channel=channel, user=user, text="x")
    assert raised.value.response.data == {"ok": False, "error": error}
    assert slack.state()["ephemeral"] == []


def test_no_text_nor_blocks_is_refused(slack_client: WebClient) -> None:
    with pytest.raises(SlackApiError) as raised:
        slack_client.api_call("chat.postEphemeral", json={"channel": "C0PAY", "user": "U0ALICE"})
    assert raised.value.response["error"] == "no_text"


def test_it_is_in_no_history_and_no_thread(slack: SlackSandbox, slack_client: WebClient) -> None:
    root = slack_client.chat_postMessage(channel="C0PAY", text="deploy day")["ts"]
    slack_client.chat_postMessage(channel="C0PAY", text="go", thread_ts=root)
    blocks = [{"type": "section", "text": {"type": "mrkdwn", "text": "*only* you"}}]
    top = slack_client.chat_postEphemeral(
        channel="C0PAY", user="U0ALICE", text="only you", blocks=blocks
    )["message_ts"]
    threaded = slack_client.chat_postEphemeral(
        channel="C0PAY", user="U0ALICE", text="in the thread", thread_ts=root
    )["message_ts"]

    history = slack_client.conversations_history(channel="C0PAY", include_all_metadata=True)
    assert [m["text"] for m in history["messages"]] == ["deploy day"]
    replies = slack_client.conversations_replies(channel="C0PAY", ts=root)
    assert [m["text"] for m in replies["messages"]] == ["deploy day", "go"]
    with pytest.raises(SlackApiError) as raised:
        slack_client.chat_update(channel="C0PAY", ts=top, text="edited")
    assert raised.value.response["error"] == "message_not_found"  # nothing kept to edit

    shown = slack.ephemeral_seen_by("U0ALICE")
    assert [(m["ts"], m.get("thread_ts"), m["blocks"]) for m in shown] == [
        (top, None, blocks),
        (threaded, root, None),
    ]
    assert slack.state()["channels"]["C0PAY"]["messages"][0]["text"] == "deploy day"


def test_in_a_thread_without_replies_it_is_shown_to_nobody(
    slack: SlackSandbox, slack_client: WebClient
) -> None:
    lonely = slack_client.chat_postMessage(channel="C0OPS", text="@kuber help")["ts"]
    sent = slack_client.chat_postEphemeral(
        channel="C0OPS", user="U0CAROL", text="lost", thread_ts=lonely
    )
    assert sent["ok"]  # Slack takes it all the same
    (record,) = slack.state()["ephemeral"]
    assert (record["user"], record["thread_ts"], record["seen_by"]) == ("U0CAROL", lonely, [])
    assert slack.ephemeral_seen_by("U0CAROL") == []
