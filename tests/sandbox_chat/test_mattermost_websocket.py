"""The Mattermost sandbox's websocket, through mattermostdriver's own client and through the
`websockets` library directly."""

from __future__ import annotations

import asyncio
import json
import threading
import time
from typing import Any

import httpx
import pytest
from mattermostdriver import Driver
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from sandbox.mattermost import MattermostSandbox


def wait_for(condition: Any, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError("timed out waiting")
        time.sleep(0.01)


def ws_url(sandbox: MattermostSandbox) -> str:
    return sandbox.url.replace("http://", "ws://") + "/api/v4/websocket"


def receive(ws: ClientConnection) -> dict[str, Any]:
    message = json.loads(ws.recv(timeout=5))
    assert isinstance(message, dict)
    return message


def test_mattermostdriver_websocket_hears_a_mention(
    mattermost: MattermostSandbox, driver: Driver
) -> None:
    events: list[dict[str, Any]] = []

    async def on_event(message: str) -> None:
        events.append(json.loads(message))

    loop = asyncio.new_event_loop()

    def listen() -> None:
        asyncio.set_event_loop(loop)  # init_websocket runs on the thread's current loop
        driver.init_websocket(on_event)

    thread = threading.Thread(target=listen, daemon=True)
    thread.start()
    try:
        wait_for(lambda: mattermost.state()["websocket_connections"] == 1)
        post = mattermost.user_posts("ch-payments", "u-alice", "@kuber scale payment to 3")
        wait_for(lambda: any(e.get("event") == "posted" for e in events))
    finally:
        # The driver stops after a connection error once told to; an orderly close would
        # make it reconnect.
        driver.websocket.disconnect()
        mattermost.drop_websockets()
        thread.join(5)
        loop.close()
    assert not thread.is_alive()

    hello, ok, posted = events
    assert (hello["event"], hello["seq"]) == ("hello", 0)
    assert ok == {"status": "OK", "seq_reply": 1}
    assert posted["seq"] == 1
    assert posted["broadcast"]["channel_id"] == "ch-payments"
    assert posted["data"]["channel_name"] == "payments"
    assert posted["data"]["sender_name"] == "@alice"
    assert json.loads(posted["data"]["mentions"]) == ["u-kuber"]
    assert json.loads(posted["data"]["post"]) == post


def test_header_authentication_and_events_for_the_bots_own_posts(
    mattermost: MattermostSandbox,
) -> None:
    headers = {"Authorization": f"Bearer {mattermost.bot_token}"}
    api = httpx.Client(base_url=mattermost.url + "/api/v4", headers=headers)
    with api, connect(ws_url(mattermost), additional_headers=headers) as ws:
        hello = receive(ws)
        assert (hello["event"], hello["broadcast"]["user_id"]) == ("hello", "u-kuber")
        post = api.post("/posts", json={"channel_id": "ch-cart", "message": "rolling"}).json()
        api.put(f"/posts/{post['id']}/patch", json={"message": "rolled"})
        posted, edited = receive(ws), receive(ws)
        assert (posted["event"], posted["seq"]) == ("posted", 1)
        assert "mentions" not in posted["data"]
        assert (edited["event"], edited["seq"]) == ("post_edited", 2)
        assert json.loads(edited["data"]["post"])["message"] == "rolled"
        ws.send(json.dumps({"seq": 7, "action": "user_typing", "data": {"channel_id": "ch-cart"}}))
        assert receive(ws) == {"status": "OK", "seq_reply": 7}
        assert mattermost.state()["websocket_connections"] == 1
    wait_for(lambda: mattermost.state()["websocket_connections"] == 0)


def test_a_direct_message_counts_as_a_mention(mattermost: MattermostSandbox) -> None:
    with connect(ws_url(mattermost)) as ws:
        challenge = {"seq": 1, "action": "authentication_challenge"}
        ws.send(json.dumps({**challenge, "data": {"token": mattermost.bot_token}}))
        assert receive(ws)["event"] == "hello"
        assert receive(ws) == {"status": "OK", "seq_reply": 1}
        direct = mattermost.direct_channel("u-bob")
        mattermost.user_posts(direct, "u-bob", "status payment")
        posted = receive(ws)
        assert posted["data"]["channel_type"] == "D"
        assert posted["data"]["channel_name"] == "u-bob__u-kuber"
        assert json.loads(posted["data"]["mentions"]) == ["u-kuber"]


def test_a_wrong_token_closes_the_websocket(mattermost: MattermostSandbox) -> None:
    with connect(ws_url(mattermost)) as ws:
        ws.send(
            json.dumps({"seq": 1, "action": "authentication_challenge", "data": {"token": "x"}})
        )
        with pytest.raises(ConnectionClosed):
            ws.recv(timeout=5)
    mattermost.user_posts("ch-payments", "u-alice", "nobody hears this")
    assert mattermost.state()["websocket_connections"] == 0
