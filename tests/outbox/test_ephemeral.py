"""Replies for one person through the outbox to the Slack sandbox, over the real slack_sdk
client: shown by chat.postEphemeral to that person alone, never in the channel's history,
an edit of one arriving as a new ephemeral message, and the crash-recovery rule for them
(sent again after an uncertain try: at least once, since Slack keeps nothing to look for)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from slack_sdk import WebClient
from sqlalchemy import update
from sqlmodel import col, select

from bot.chat.slack_transport import SlackTransport
from bot.messages import Button, Field, Reply
from bot.store.tables import OutboxMessage
from sandbox.slack import SlackSandbox
from tests.outbox.conftest import MakeOutbox, api_calls, texts

HELP = Reply(
    "Here is what you can ask me:",
    fields=(Field("General", "• Show what I can do — `help`"),),
    ephemeral=True,
    audience="U0ALICE",
)


def history(client: WebClient, channel: str) -> list[dict[str, object]]:
    """What anyone reading the channel through the Web API gets back."""
    return list(client.conversations_history(channel=channel, limit=200)["messages"])


def test_a_reply_for_one_person_reaches_only_them_and_stays_out_of_history(
    slack: SlackSandbox, slack_client: WebClient, make_outbox: MakeOutbox
) -> None:
    outbox = make_outbox()
    ref = outbox.conversation("slack", "C0PAY").post(HELP)
    outbox.conversation("slack", "C0PAY").post(Reply("payment has 2 replicas"))
    outbox.start()
    assert outbox.drain(timeout=10)

    (shown,) = slack.ephemeral_seen_by("U0ALICE")
    assert shown["text"].startswith("Here is what you can ask me:")
    assert "Show what I can do" in str(shown["blocks"])
    assert (shown["channel"], shown["seen_by"]) == ("C0PAY", ["U0ALICE"])
    assert slack.ephemeral_seen_by("U0BOB") == []
    assert [m["text"] for m in history(slack_client, "C0PAY")] == ["payment has 2 replicas"]
    (call,) = api_calls(slack, "chat.postEphemeral")
    assert (call["args"]["channel"], call["args"]["user"]) == ("C0PAY", "U0ALICE")
    assert outbox.platform_id(ref) == shown["ts"]


def test_an_edit_of_an_ephemeral_reply_reaches_the_same_person_as_a_new_one(
    slack: SlackSandbox, slack_client: WebClient, make_outbox: MakeOutbox
) -> None:
    outbox = make_outbox()
    conversation = outbox.conversation("slack", "C0PAY")
    plan = Reply(
        "Scale payment to 3?",
        buttons=(Button("Approve", "approve", "p-1", "primary"),),
        ephemeral=True,
        audience="U0ALICE",
    )
    ref = conversation.post(plan)
    assert outbox.drain(timeout=10)
    # The edit itself says nothing of privacy: the message it replaces decides.
    conversation.edit(ref, Reply("Cancelled: scale payment to 3"))
    assert outbox.drain(timeout=10)

    first, second = slack.ephemeral_seen_by("U0ALICE")
    assert first["text"] == "Scale payment to 3?"
    assert second["text"] == "Cancelled: scale payment to 3"
    assert "actions" not in str(second["blocks"])
    assert api_calls(slack, "chat.update") == []
    assert history(slack_client, "C0PAY") == []
    # The post keeps its own id: a later edit finds the same person again.
    assert outbox.platform_id(ref) == first["ts"]
    conversation.edit(ref, Reply("Still cancelled"))
    assert outbox.drain(timeout=10)
    assert [m["text"] for m in slack.ephemeral_seen_by("U0ALICE")][-1] == "Still cancelled"
    assert len(api_calls(slack, "chat.postEphemeral")) == 3


def test_an_edit_of_an_ephemeral_reply_that_failed_stays_private(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    outbox = make_outbox()
    # Bob is not in Alice's direct channel: Slack refuses to show him anything there.
    conversation = outbox.conversation("slack", "D0ALICE")
    ref = conversation.post(Reply("Only for bob", ephemeral=True, audience="U0BOB"))
    assert outbox.drain(timeout=10)
    conversation.edit(ref, Reply("Still only for bob"))
    assert outbox.drain(timeout=10)

    with outbox.store.session() as session:
        rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
    assert [r.status for r in rows] == ["failed", "failed"]
    assert all("user_not_in_channel" in str(r.error) for r in rows)
    # The edit became a post of its own, still for bob alone: never the channel's.
    assert rows[1].kind == "post"
    assert (rows[1].reply["ephemeral"], rows[1].reply["audience"]) == (True, "U0BOB")
    assert texts(slack, "D0ALICE") == []
    assert api_calls(slack, "chat.postMessage") == []


def test_ephemeral_replies_in_threads(
    slack: SlackSandbox, slack_client: WebClient, make_outbox: MakeOutbox
) -> None:
    lonely = slack_client.chat_postMessage(channel="C0OPS", text="@kuber help")["ts"]
    busy = slack_client.chat_postMessage(channel="C0OPS", text="deploy day")["ts"]
    slack_client.chat_postMessage(channel="C0OPS", text="go", thread_ts=busy)
    outbox = make_outbox()
    private = Reply("help text", ephemeral=True, audience="U0CAROL")
    outbox.conversation("slack", "C0OPS", thread=lonely).post(private)
    outbox.conversation("slack", "C0OPS", thread=busy).post(private)
    # A public reply threaded under an ephemeral one goes where that one was shown.
    root = outbox.conversation("slack", "C0OPS").post(private)
    outbox.conversation("slack", "C0OPS", thread=root).post(Reply("for everyone"))
    assert outbox.drain(timeout=10)

    shown = slack.ephemeral_seen_by("U0CAROL")
    # Slack would show nothing in a thread without replies: that one goes to the channel.
    assert [m.get("thread_ts") for m in shown] == [None, busy, None]
    everyone = history(slack_client, "C0OPS")
    assert [m["text"] for m in everyone] == ["for everyone", "deploy day", "@kuber help"]
    assert "thread_ts" not in everyone[0]


def test_an_ephemeral_reply_without_an_audience_is_shown_to_the_channel(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    outbox = make_outbox()
    outbox.conversation("slack", "C0CART").post(Reply("nobody to hide it from", ephemeral=True))
    assert outbox.drain(timeout=10)
    assert texts(slack, "C0CART") == ["nobody to hide it from"]
    assert api_calls(slack, "chat.postEphemeral") == []


#: What a sender that died mid-call leaves on its rows: its claim, expired since.
DEAD_CLAIM = {
    "status": "claimed",
    "owner": "a-replica-that-died",
    "claimed_until": datetime.now(UTC) - timedelta(seconds=1),
    "attempts": 1,
}


def test_after_a_crash_an_ephemeral_reply_is_sent_again_not_looked_for(
    database_url: str, slack: SlackSandbox, transport: SlackTransport, make_outbox: MakeOutbox
) -> None:
    before = make_outbox(database_url)
    private = before.conversation("slack", "C0PAY").post(HELP)
    public = before.conversation("slack", "C0PAY").post(Reply("payment has 2 replicas"))
    # A crash right after Slack took both: Slack has them, the rows are still claimed by the
    # dead sender. The public post carries its key and is found; the ephemeral one cannot
    # be found anywhere, so it is shown again rather than risk never being shown.
    transport.send_ephemeral("C0PAY", "U0ALICE", HELP, None)
    transport.send_post("C0PAY", Reply("payment has 2 replicas"), None, public)
    with before.store.session() as session:
        session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.key).in_([private, public]))
            .values(**DEAD_CLAIM)
        )
    before.store.dispose()

    after = make_outbox(database_url)
    after.start()
    assert after.drain(timeout=10)

    assert [m["text"] for m in slack.ephemeral_seen_by("U0ALICE")] == [HELP.text, HELP.text]
    assert texts(slack, "C0PAY") == ["payment has 2 replicas"]
    assert len(api_calls(slack, "chat.postMessage")) == 1
    # Only the public post was looked for.
    (looked,) = api_calls(slack, "conversations.history")
    assert looked["args"]["channel"] == "C0PAY"
    assert after.platform_id(private) == slack.ephemeral_seen_by("U0ALICE")[1]["ts"]


def test_an_ephemeral_reply_whose_try_failed_midway_is_tried_again(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    # Slack answers 500 once: the message may or may not have been shown; it is sent again.
    slack.inject(r"POST /api/chat\.postEphemeral", 500, times=1)
    outbox = make_outbox()
    outbox.conversation("slack", "C0PAY").post(HELP)
    outbox.start()
    assert outbox.drain(timeout=10)
    assert [m["text"] for m in slack.ephemeral_seen_by("U0ALICE")] == [HELP.text]
    assert len(api_calls(slack, "chat.postEphemeral")) == 2
    assert api_calls(slack, "conversations.history") == []
