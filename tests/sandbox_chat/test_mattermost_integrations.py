"""Button integrations stay on the Mattermost sandbox, as on a real server: no post a client
reads over REST or hears over the websocket shows an action's URL or context, yet clicking a
button still posts the stored context to the integration."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from mattermostdriver import Driver
from websockets.sync.client import ClientConnection, connect

from sandbox.http import Request, Response, SandboxServer
from sandbox.mattermost import MattermostSandbox


def buttons(url: str, plan: str) -> dict[str, Any]:
    """Props with Approve and Cancel buttons whose context names `plan`, as Kuber sends them."""
    return {
        "attachments": [
            {
                "text": f"Scale payment to 3? ({plan})",
                "actions": [
                    {
                        "id": action,
                        "name": action.title(),
                        "integration": {"url": url, "context": {"plan": plan, "do": action}},
                    }
                    for action in ("approve", "cancel")
                ],
            }
        ]
    }


def integrations_in(value: Any) -> list[Any]:
    """Every `integration` anywhere in a JSON value, looking inside JSON-encoded strings too
    (websocket events carry their post as a string)."""
    if isinstance(value, dict):
        found = [v for k, v in value.items() if k == "integration"]
        return found + [i for v in value.values() for i in integrations_in(v)]
    if isinstance(value, list):
        return [i for v in value for i in integrations_in(v)]
    if isinstance(value, str) and value[:1] in "{[":
        try:
            return integrations_in(json.loads(value))
        except ValueError:
            return []
    return []


def action_ids(post: dict[str, Any]) -> list[str]:
    return [
        action["id"]
        for attachment in post["props"].get("attachments") or []
        for action in attachment.get("actions") or []
    ]


def stored_contexts(sandbox: MattermostSandbox, channel: str, post_id: str) -> list[Any]:
    """What the server itself keeps, through its inspection view (not a Mattermost client)."""
    [post] = [p for p in sandbox.posts(channel) if p["id"] == post_id]
    return [i["context"] for i in integrations_in(post["props"])]


class Integration:
    """A stand-in for Kuber's action and command routes that records what Mattermost sent."""

    def __init__(self, receiver: SandboxServer) -> None:
        self.clicks: list[dict[str, Any]] = []
        self.answer: dict[str, Any] = {}
        self.actions_url = receiver.url + "/mattermost/actions"
        self.command_url = receiver.url + "/mattermost/command"
        receiver.route("POST", "/mattermost/actions", self._action)
        receiver.route("POST", "/mattermost/command", self._command)

    def _action(self, request: Request) -> Response:
        self.clicks.append(request.json())
        return Response(body=self.answer)

    def _command(self, _request: Request) -> Response:
        # Answered in the channel with buttons: Mattermost posts it as the person who ran it.
        answer = {
            "response_type": "in_channel",
            "text": "Plan",
            **buttons(self.actions_url, "p-cmd"),
        }
        return Response(body=answer)


@pytest.fixture
def integration(receiver: SandboxServer) -> Integration:
    return Integration(receiver)


@pytest.fixture
def websocket(mattermost: MattermostSandbox) -> Iterator[ClientConnection]:
    headers = {"Authorization": f"Bearer {mattermost.bot_token}"}
    url = mattermost.url.replace("http://", "ws://") + "/api/v4/websocket"
    with connect(url, additional_headers=headers) as ws:
        assert next_event(ws)["event"] == "hello"
        yield ws


def next_event(ws: ClientConnection) -> dict[str, Any]:
    message = json.loads(ws.recv(timeout=5))
    assert isinstance(message, dict)
    return message


def test_no_rest_read_of_a_post_shows_its_buttons_integration(
    mattermost: MattermostSandbox, driver: Driver, integration: Integration
) -> None:
    url = integration.actions_url
    plan = driver.posts.create_post(
        {"channel_id": "ch-payments", "message": "plan", "props": buttons(url, "p-1")}
    )
    reply = driver.posts.create_post(
        {
            "channel_id": "ch-payments",
            "message": "in the thread",
            "root_id": plan["id"],
            "props": buttons(url, "p-2"),
        }
    )
    patched = driver.posts.patch_post(reply["id"], {"props": buttons(url, "p-3")})
    updated = driver.posts.update_post(
        plan["id"], {"id": plan["id"], "message": "plan, again", "props": buttons(url, "p-4")}
    )
    ephemeral = driver.posts.create_ephemeral_post(
        {
            "user_id": "u-alice",
            "post": {
                "channel_id": "ch-payments",
                "message": "only you",
                "props": buttons(url, "p-5"),
            },
        }
    )
    answers = {
        "create_post": plan,
        "patch_post": patched,
        "update_post": updated,
        "create_ephemeral_post": ephemeral,
        "get_post": driver.posts.get_post(plan["id"]),
        "get_posts_for_channel": driver.posts.get_posts_for_channel("ch-payments"),
        "get_posts_for_channel since": driver.posts.get_posts_for_channel(
            "ch-payments", params={"since": plan["create_at"]}
        ),
        "get_thread": driver.posts.get_thread(reply["id"]),
    }

    shown = {name: integrations_in(answer) for name, answer in answers.items()}
    assert shown == {name: [] for name in answers}
    # The buttons themselves are shown; only where they post, and with what, is not.
    assert action_ids(answers["get_post"]) == ["approve", "cancel"]
    listed = answers["get_posts_for_channel"]["posts"]
    assert action_ids(listed[reply["id"]]) == ["approve", "cancel"]
    # The server keeps each post's latest integrations for the clicks to come.
    assert stored_contexts(mattermost, "ch-payments", plan["id"]) == [
        {"plan": "p-4", "do": "approve"},
        {"plan": "p-4", "do": "cancel"},
    ]
    assert stored_contexts(mattermost, "ch-payments", reply["id"])[0]["plan"] == "p-3"


def test_no_websocket_event_shows_a_buttons_integration(
    mattermost: MattermostSandbox,
    driver: Driver,
    integration: Integration,
    websocket: ClientConnection,
) -> None:
    url = integration.actions_url
    # The bot posts and edits a plan; a person's slash command is answered with buttons in the
    # channel; the person clicks, and the answer replaces the buttons; the bot deletes a post.
    plan = driver.posts.create_post(
        {"channel_id": "ch-payments", "message": "plan", "props": buttons(url, "p-1")}
    )
    driver.posts.patch_post(plan["id"], {"props": buttons(url, "p-2")})
    mattermost.send_slash_command(integration.command_url, "scale payment to 3")
    integration.answer = {"update": {"message": "Approved", "props": buttons(url, "p-next")}}
    mattermost.click_post_action(plan["id"], "approve", user_id="u-alice")
    driver.posts.delete_post(plan["id"])

    events = [next_event(websocket) for _ in range(5)]

    assert [e["event"] for e in events] == [
        "posted",
        "post_edited",
        "posted",
        "post_edited",
        "post_deleted",
    ]
    posts = [json.loads(e["data"]["post"]) for e in events]
    assert [action_ids(p) for p in posts[:4]] == [["approve", "cancel"]] * 4
    assert posts[2]["user_id"] == "u-alice"
    assert [integrations_in(e) for e in events] == [[]] * 5


def test_a_click_still_posts_the_stored_context_after_clients_read_the_post(
    mattermost: MattermostSandbox, driver: Driver, integration: Integration
) -> None:
    url = integration.actions_url
    plan = driver.posts.create_post(
        {"channel_id": "ch-cart", "message": "plan", "props": buttons(url, "p-1")}
    )
    # Everything a client can learn of the post, the bot included, lacks the integration.
    assert integrations_in(driver.posts.get_post(plan["id"])) == []

    mattermost.click_post_action(plan["id"], "cancel", user_id="u-bob")
    driver.posts.patch_post(plan["id"], {"props": buttons(url, "p-2")})
    mattermost.click_post_action(plan["id"], "approve", user_id="u-alice")

    assert [(c["context"], c["user_id"], c["post_id"]) for c in integration.clicks] == [
        ({"plan": "p-1", "do": "cancel"}, "u-bob", plan["id"]),
        ({"plan": "p-2", "do": "approve"}, "u-alice", plan["id"]),
    ]


def test_buttons_an_action_answer_puts_on_the_post_click_through_too(
    mattermost: MattermostSandbox, driver: Driver, integration: Integration
) -> None:
    url = integration.actions_url
    plan = driver.posts.create_post(
        {"channel_id": "ch-ops", "message": "plan", "props": buttons(url, "p-1")}
    )
    integration.answer = {"update": {"message": "Sure?", "props": buttons(url, "p-confirm")}}
    mattermost.click_post_action(plan["id"], "approve")
    assert integrations_in(driver.posts.get_post(plan["id"])) == []

    integration.answer = {}
    mattermost.click_post_action(plan["id"], "approve")

    assert [c["context"]["plan"] for c in integration.clicks] == ["p-1", "p-confirm"]


def test_the_raw_api_answer_carries_no_integration_either(
    mattermost: MattermostSandbox, integration: Integration
) -> None:
    """Not only what mattermostdriver hands back: the bytes on the wire."""
    headers = {"Authorization": f"Bearer {mattermost.bot_token}"}
    with httpx.Client(base_url=mattermost.url + "/api/v4", headers=headers) as api:
        created = api.post(
            "/posts",
            json={
                "channel_id": "ch-payments",
                "message": "plan",
                "props": buttons(integration.actions_url, "p-1"),
            },
        )
        read = api.get(f"/posts/{created.json()['id']}")
    for answer in (created, read):
        assert b"integration" not in answer.content
        assert integration.actions_url.encode() not in answer.content
