"""`MattermostListener` against the sandbox's websocket: mentions in, replies out, the bot's own
posts ignored, reconnecting after the server drops it, and a clean stop."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator

import pytest

from bot.chat.mattermost import MattermostListener
from bot.messages import Incoming
from sandbox.mattermost import MattermostSandbox
from tests.mattermost.conftest import Kuber, wait_for


@pytest.fixture
def heard() -> list[Incoming]:
    return []


@pytest.fixture
def listener(
    kuber: Kuber, mattermost: MattermostSandbox, heard: list[Incoming]
) -> Iterator[MattermostListener]:
    def on_mention(incoming: Incoming) -> None:
        heard.append(incoming)
        conversation = kuber.conversation("mattermost", incoming.channel, incoming.thread)
        kuber.runtime.dispatcher.handle_message(incoming, conversation)

    built = kuber.parts.listener_factory(on_mention)
    # Short pauses so the reconnect test does not wait for production backoff.
    built.first_delay = 0.05
    built.start()
    assert built.wait_connected(5)
    yield built
    built.stop()


def bot_posts(mattermost: MattermostSandbox, channel: str) -> list[dict[str, object]]:
    return [p for p in mattermost.posts(channel) if p["user_id"] == "u-kuber"]


def settle(condition: Callable[[], object], seconds: float = 0.3) -> None:
    """Give an event that should be ignored the time to arrive, then check nothing happened."""
    time.sleep(seconds)
    assert condition()


def test_a_mention_is_handled_and_the_bots_own_reply_is_ignored(
    listener: MattermostListener, mattermost: MattermostSandbox, heard: list[Incoming]
) -> None:
    assert (listener.bot_user_id, listener.bot_username) == ("u-kuber", "kuber")
    post = mattermost.user_posts("ch-payments", "u-alice", "@kuber status")
    wait_for(lambda: bot_posts(mattermost, "ch-payments"), what="the bot's reply")
    (incoming,) = heard
    assert incoming == Incoming(
        platform="mattermost",
        channel="ch-payments",
        actor=incoming.actor,
        text="status",
        thread=None,
        message_id=post["id"],
    )
    assert (incoming.actor.id, incoming.actor.name) == ("u-alice", "alice")
    (reply,) = bot_posts(mattermost, "ch-payments")
    assert "payment" in str(reply["message"]) + str(reply["props"])
    # The reply came back over the websocket too; it must not be taken as a command.
    settle(lambda: len(heard) == 1)
    mattermost.user_posts("ch-payments", "u-bob", "lunch anyone?")
    settle(lambda: len(heard) == 1)


def test_thread_replies_and_direct_messages(
    listener: MattermostListener, mattermost: MattermostSandbox, heard: list[Incoming]
) -> None:
    root = mattermost.user_posts("ch-ops", "u-alice", "deploy day")
    mattermost.user_posts("ch-ops", "u-alice", "@kuber help", root_id=root["id"])
    # Help is for the asker alone: an ephemeral post in the thread, none in the channel.
    wait_for(lambda: mattermost.state()["ephemeral"], what="a reply in the thread")
    assert heard[0].thread == root["id"]
    (reply,) = mattermost.state()["ephemeral"]
    assert (reply["for_user"], reply["root_id"]) == ("u-alice", root["id"])
    assert str(reply["message"]).startswith("Here is what you can ask me:")
    assert bot_posts(mattermost, "ch-ops") == []

    direct = mattermost.direct_channel("u-bob")
    mattermost.user_posts(direct, "u-bob", "status payment")
    wait_for(lambda: len(heard) == 2, what="the direct message")
    assert (heard[1].channel, heard[1].actor.name, heard[1].text) == (
        direct,
        "bob",
        "status payment",
    )


def test_it_reconnects_after_a_drop_and_stops_cleanly(
    listener: MattermostListener, mattermost: MattermostSandbox, heard: list[Incoming]
) -> None:
    assert listener.sessions == 1
    mattermost.drop_websockets()
    wait_for(lambda: listener.sessions == 2 and listener.connected, what="a second session")
    assert mattermost.state()["websocket_connections"] == 1
    mattermost.user_posts("ch-cart", "u-carol", "@kuber status cart")
    wait_for(lambda: heard, what="a mention after reconnecting")
    assert heard[0].text == "status cart"

    listener.stop()
    assert not listener.connected
    wait_for(lambda: mattermost.state()["websocket_connections"] == 0, what="the socket closed")
    assert not any(t.name == "mattermost-listener" for t in threading.enumerate())
    mattermost.user_posts("ch-cart", "u-carol", "@kuber status")
    settle(lambda: len(heard) == 1)


def test_a_refused_login_keeps_retrying_until_stopped(
    kuber: Kuber, mattermost: MattermostSandbox
) -> None:
    listener = MattermostListener(
        kuber.parts.driver, lambda _incoming: None, "u-kuber", bot_username="kuber"
    )
    listener.first_delay = 0.02
    kuber.parts.driver.client.token = "wrong"  # the sandbox closes the socket: 1008
    listener.start()
    try:
        settle(lambda: not listener.connected, 0.5)
        assert listener.sessions == 0
    finally:
        started = time.monotonic()
        listener.stop()
        assert time.monotonic() - started < 3
