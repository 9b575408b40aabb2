"""The Mattermost sandbox's `POST /api/v4/posts/ephemeral` through the real mattermostdriver:
the post Mattermost answers with, its push to that person's websocket alone (recorded in
`seen_by`), never among the channel's posts, and the errors of a bad request."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from contextlib import ExitStack
from typing import Any

import pytest
from mattermostdriver import Driver
from mattermostdriver.exceptions import InvalidOrMissingParameters, NotEnoughPermissions
from websockets.sync.client import ClientConnection, connect

from sandbox.mattermost import MattermostSandbox

Listen = Callable[[str], ClientConnection]


@pytest.fixture
def listen(mattermost: MattermostSandbox) -> Iterator[Listen]:
    """A person's websocket, logged in with the challenge as the webapp does; hello read."""
    with ExitStack() as opened:

        def open_for(user_id: str) -> ClientConnection:
            ws = opened.enter_context(
                connect(mattermost.url.replace("http://", "ws://") + "/api/v4/websocket")
            )
            token = mattermost.user_token(user_id)
            challenge = {"seq": 1, "action": "authentication_challenge", "data": {"token": token}}
            ws.send(json.dumps(challenge))
            hello = json.loads(ws.recv(timeout=5))
            assert (hello["event"], hello["broadcast"]["user_id"]) == ("hello", user_id)
            assert json.loads(ws.recv(timeout=5)) == {"status": "OK", "seq_reply": 1}
            return ws

        yield open_for


def events(ws: ClientConnection, quiet: float = 0.3) -> list[dict[str, Any]]:
    received = []
    while True:
        try:
            received.append(json.loads(ws.recv(timeout=quiet)))
        except TimeoutError:
            return received


def test_an_ephemeral_post_reaches_only_its_persons_websocket(
    mattermost: MattermostSandbox, driver: Driver, listen: Listen
) -> None:
    alice, bob = listen("u-alice"), listen("u-bob")
    root = driver.posts.create_post({"channel_id": "ch-payments", "message": "deploy day"})
    assert [e["event"] for e in events(alice)] == ["posted"]
    assert [e["event"] for e in events(bob)] == ["posted"]

    answer = driver.posts.create_ephemeral_post(
        {
            "user_id": "u-alice",
            "post": {
                "channel_id": "ch-payments",
                "message": "only you",
                "root_id": root["id"],
                "props": {"attachments": [{"text": "details"}]},
            },
        }
    )
    assert answer["type"] == "system_ephemeral"
    assert (answer["user_id"], answer["channel_id"], answer["root_id"]) == (
        "u-kuber",
        "ch-payments",
        root["id"],
    )
    assert answer["message"] == "only you"
    assert not {"for_user", "seen_by"} & answer.keys()  # the sandbox's notes stay its own

    (event,) = events(alice)
    assert event["event"] == "ephemeral_message"
    assert event["broadcast"]["user_id"] == "u-alice"
    assert event["broadcast"]["channel_id"] == "ch-payments"
    assert json.loads(event["data"]["post"]) == answer
    assert events(bob) == []

    # Mattermost keeps it nowhere: no read of the channel or the thread shows it.
    listed = driver.posts.get_posts_for_channel("ch-payments")
    assert list(listed["order"]) == [root["id"]]
    assert list(driver.posts.get_thread(root["id"])["order"]) == [root["id"]]
    (stored,) = mattermost.state()["ephemeral"]
    assert (stored["for_user"], stored["seen_by"]) == ("u-alice", ["u-alice"])
    assert [p["id"] for p in mattermost.ephemeral_seen_by("u-alice")] == [answer["id"]]
    assert mattermost.ephemeral_seen_by("u-bob") == []


def test_a_person_with_no_client_open_sees_nothing(
    mattermost: MattermostSandbox, driver: Driver
) -> None:
    driver.posts.create_ephemeral_post(
        {"user_id": "u-carol", "post": {"channel_id": "ch-ops", "message": "into the void"}}
    )
    (stored,) = mattermost.state()["ephemeral"]
    assert (stored["for_user"], stored["seen_by"]) == ("u-carol", [])


def test_bad_requests_and_people_without_the_permission(
    mattermost: MattermostSandbox, driver: Driver, make_driver: Callable[..., Driver]
) -> None:
    with pytest.raises(InvalidOrMissingParameters, match="user_id"):
        driver.posts.create_ephemeral_post({"post": {"channel_id": "ch-ops", "message": "x"}})
    with pytest.raises(InvalidOrMissingParameters, match="post"):
        driver.posts.create_ephemeral_post({"user_id": "u-alice"})
    # Posting for someone else's eyes only is the bot's privilege, not a person's.
    person = make_driver(mattermost.user_token("u-bob"))
    assert person.login()["id"] == "u-bob"
    with pytest.raises(NotEnoughPermissions):
        person.posts.create_ephemeral_post(
            {"user_id": "u-alice", "post": {"channel_id": "ch-ops", "message": "boo"}}
        )
    assert mattermost.state()["ephemeral"] == []
