"""Replies for one person through the outbox to the Mattermost sandbox, over the real
mattermostdriver: an ephemeral post pushed to that person's websocket alone, never among the
channel's posts; an edit of one arriving as a new ephemeral post; and after a crash, sent
again rather than looked for (Mattermost keeps ephemeral posts nowhere)."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import update
from sqlmodel import col
from websockets.sync.client import ClientConnection, connect

from bot.chat.mattermost_transport import MattermostTransport
from bot.messages import Button, Reply
from bot.outbox import Outbox
from bot.store import open_store
from bot.store.tables import OutboxMessage
from sandbox.mattermost import MattermostSandbox

HELP = Reply("Here is what you can ask me:", ephemeral=True, audience="u-alice")

Listen = Callable[[str], ClientConnection]


@pytest.fixture
def make_outbox(sqlite_url: str, transport: MattermostTransport) -> Iterator[Callable[[], Outbox]]:
    made: list[Outbox] = []

    def make() -> Outbox:
        outbox = Outbox(
            open_store(sqlite_url),
            {"mattermost": transport},
            channel_interval=0.02,
            retry_initial=0.05,
            retry_max=0.5,
            idle_poll=0.2,
        )
        made.append(outbox)
        return outbox

    yield make
    for outbox in made:
        outbox.stop(timeout=5)
        outbox.store.dispose()


@pytest.fixture
def listen(mattermost: MattermostSandbox) -> Iterator[Listen]:
    """Open a person's websocket (as their Mattermost client does), hello already read."""
    with ExitStack() as opened:

        def open_for(user_id: str) -> ClientConnection:
            bot = user_id == "u-kuber"
            token = mattermost.bot_token if bot else mattermost.user_token(user_id)
            ws = opened.enter_context(
                connect(
                    mattermost.url.replace("http://", "ws://") + "/api/v4/websocket",
                    additional_headers={"Authorization": f"Bearer {token}"},
                )
            )
            hello = json.loads(ws.recv(timeout=5))
            assert (hello["event"], hello["broadcast"]["user_id"]) == ("hello", user_id)
            return ws

        yield open_for


def events(ws: ClientConnection, quiet: float = 0.3) -> list[dict[str, Any]]:
    """Every event the connection has received, until it has been quiet for `quiet` seconds."""
    received = []
    while True:
        try:
            received.append(json.loads(ws.recv(timeout=quiet)))
        except TimeoutError:
            return received


def ephemeral_posts(received: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [json.loads(e["data"]["post"]) for e in received if e["event"] == "ephemeral_message"]


def test_a_reply_for_one_person_reaches_only_their_websocket(
    mattermost: MattermostSandbox, make_outbox: Callable[[], Outbox], listen: Listen
) -> None:
    alice, bob, bot = listen("u-alice"), listen("u-bob"), listen("u-kuber")
    outbox = make_outbox()
    ref = outbox.conversation("mattermost", "ch-payments").post(HELP)
    outbox.conversation("mattermost", "ch-payments").post(Reply("payment has 2 replicas"))
    assert outbox.drain(timeout=10)

    seen_by_alice = events(alice)
    (shown,) = ephemeral_posts(seen_by_alice)
    assert (shown["type"], shown["channel_id"], shown["user_id"]) == (
        "system_ephemeral",
        "ch-payments",
        "u-kuber",
    )
    assert shown["message"] == "Here is what you can ask me:"
    assert "for_user" not in shown  # the sandbox's own notes never reach a client
    (event,) = [e for e in seen_by_alice if e["event"] == "ephemeral_message"]
    assert event["broadcast"]["user_id"] == "u-alice"
    # Bob and the bot hear the public post, and nothing of Alice's.
    for other in (events(bob), events(bot)):
        assert ephemeral_posts(other) == []
        assert [e["event"] for e in other] == ["posted"]

    assert [p["message"] for p in mattermost.posts("ch-payments")] == ["payment has 2 replicas"]
    (stored,) = mattermost.state()["ephemeral"]
    assert (stored["for_user"], stored["seen_by"]) == ("u-alice", ["u-alice"])
    assert mattermost.ephemeral_seen_by("u-bob") == []
    assert outbox.platform_id(ref) == shown["id"]
    calls = [
        c for c in mattermost.state_snapshot()["calls"] if c["endpoint"] == "create_ephemeral_post"
    ]
    assert calls[0]["body"]["user_id"] == "u-alice"
    assert calls[0]["body"]["post"]["channel_id"] == "ch-payments"


def test_an_edit_of_an_ephemeral_reply_arrives_as_a_new_one(
    mattermost: MattermostSandbox, make_outbox: Callable[[], Outbox], listen: Listen
) -> None:
    alice = listen("u-alice")
    outbox = make_outbox()
    conversation = outbox.conversation("mattermost", "ch-ops")
    plan = Reply(
        "Restart cart?",
        buttons=(Button("Approve", "approve", "p-1", "primary"),),
        ephemeral=True,
        audience="u-alice",
    )
    ref = conversation.post(plan)
    assert outbox.drain(timeout=10)
    conversation.edit(ref, Reply("Cancelled: restart cart"))
    assert outbox.drain(timeout=10)

    first, second = ephemeral_posts(events(alice))
    assert first["message"] == "Restart cart?"
    assert first["props"]["attachments"][0]["actions"][0]["name"] == "Approve"
    assert second["message"] == "Cancelled: restart cart"
    assert second["id"] != first["id"]
    assert mattermost.posts("ch-ops") == []
    endpoints = [c["endpoint"] for c in mattermost.state_snapshot()["calls"]]
    assert "patch_post" not in endpoints
    assert endpoints.count("create_ephemeral_post") == 2


def test_after_a_crash_an_ephemeral_reply_is_sent_again_not_looked_for(
    mattermost: MattermostSandbox,
    make_outbox: Callable[[], Outbox],
    transport: MattermostTransport,
    listen: Listen,
) -> None:
    alice = listen("u-alice")
    before = make_outbox()
    ref = before.conversation("mattermost", "ch-payments").post(HELP)
    # Mattermost showed it, then the sender died before recording that it had.
    transport.send_ephemeral("ch-payments", "u-alice", HELP, None)
    with before.store.session() as session:
        session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.key) == ref)
            .values(
                status="claimed",
                owner="a-replica-that-died",
                claimed_until=datetime.now(UTC) - timedelta(seconds=1),
                attempts=1,
            )
        )

    after = make_outbox()
    after.start()
    assert after.drain(timeout=10)
    # Shown twice to one person rather than maybe never: nothing to look it up by.
    assert [p["message"] for p in ephemeral_posts(events(alice))] == [HELP.text, HELP.text]
    endpoints = [c["endpoint"] for c in mattermost.state_snapshot()["calls"]]
    assert "get_posts_for_channel" not in endpoints
    assert mattermost.posts("ch-payments") == []
