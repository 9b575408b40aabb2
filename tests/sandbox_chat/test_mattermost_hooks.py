"""The Mattermost sandbox acting as Mattermost towards an integration: slash commands, button
clicks and command response URLs, received by a small stand-in for Kuber's endpoints."""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs

import httpx
import pytest

from sandbox.http import Request, Response, SandboxServer
from sandbox.mattermost import MattermostSandbox


def approve_props(url: str) -> dict[str, Any]:
    action = {
        "id": "approve",
        "name": "Approve",
        "integration": {"url": url, "context": {"plan": "p-1", "sig": "abc"}},
    }
    return {"attachments": [{"text": "Scale payment to 3?", "actions": [action]}]}


def test_slash_command_form_and_in_channel_answer(
    mattermost: MattermostSandbox, receiver: SandboxServer
) -> None:
    forms: list[dict[str, str]] = []

    def command(request: Request) -> Response:
        form = {k: v[0] for k, v in parse_qs(request.body.decode()).items()}
        forms.append(form)
        return Response(
            body={
                "response_type": "in_channel",
                "text": f"Working on: {form['text']}",
                "attachments": [{"text": "plan", "actions": []}],
            }
        )

    receiver.route("POST", "/mattermost/command", command)
    response = mattermost.send_slash_command(
        receiver.url + "/mattermost/command", "scale payment to 3", "u-bob", "ch-cart"
    )

    assert response.status_code == 200
    [form] = forms
    assert form["token"] == mattermost.command_token
    assert form["command"] == "/kuber"
    assert (form["user_id"], form["user_name"]) == ("u-bob", "bob")
    assert (form["channel_id"], form["channel_name"]) == ("ch-cart", "cart")
    assert (form["team_id"], form["team_domain"]) == ("t-kuber", "kuber")
    assert form["trigger_id"]
    assert form["response_url"].startswith(mattermost.url + "/hooks/commands/")
    [post] = mattermost.posts("ch-cart")
    # Mattermost posts the answer as the person who ran the command.
    assert (post["user_id"], post["message"]) == ("u-bob", "Working on: scale payment to 3")
    assert post["props"]["from_webhook"] == "true"
    assert post["props"]["attachments"][0]["text"] == "plan"


def test_ephemeral_answer_and_response_url(
    mattermost: MattermostSandbox, receiver: SandboxServer
) -> None:
    forms: list[dict[str, str]] = []

    def command(request: Request) -> Response:
        forms.append({k: v[0] for k, v in parse_qs(request.body.decode()).items()})
        return Response(body={"text": "Checking…"})

    receiver.route("POST", "/mattermost/command", command)
    mattermost.send_slash_command(receiver.url + "/mattermost/command", "status", token="wrong")
    response_url = forms[0]["response_url"]
    later = httpx.post(response_url, json={"response_type": "in_channel", "text": "All green"})

    assert later.status_code == 200
    assert forms[0]["token"] == "wrong"
    state = mattermost.state_snapshot()
    assert [(e["for_user"], e["message"]) for e in state["ephemeral"]] == [("u-alice", "Checking…")]
    assert [p["message"] for p in state["channels"]["ch-payments"]["posts"]] == ["All green"]
    for _ in range(4):
        httpx.post(response_url, json={"text": "again"})
    assert httpx.post(response_url, json={"text": "too many"}).status_code == 404


def test_button_click_carries_context_and_applies_the_update(
    mattermost: MattermostSandbox, receiver: SandboxServer
) -> None:
    clicks: list[dict[str, Any]] = []

    def actions(request: Request) -> Response:
        clicks.append(request.json())
        return Response(
            body={
                "update": {"message": "Approved by @alice", "props": {}},
                "ephemeral_text": "Done",
            }
        )

    receiver.route("POST", "/mattermost/actions", actions)
    url = receiver.url + "/mattermost/actions"
    with httpx.Client(headers={"Authorization": f"Bearer {mattermost.bot_token}"}) as api:
        post = api.post(
            mattermost.url + "/api/v4/posts",
            json={"channel_id": "ch-payments", "message": "plan", "props": approve_props(url)},
        ).json()

    response = mattermost.click_button(url, {"plan": "p-1"}, "u-alice", post["id"])

    assert response.status_code == 200
    [click] = clicks
    assert click["context"] == {"plan": "p-1"}
    assert (click["user_id"], click["post_id"], click["channel_id"]) == (
        "u-alice",
        post["id"],
        "ch-payments",
    )
    assert click["team_id"] == "t-kuber"
    [stored] = mattermost.posts("ch-payments")
    assert stored["message"] == "Approved by @alice"
    assert stored["props"] == {}
    assert stored["edits"][0]["message"] == "plan"
    assert mattermost.state_snapshot()["ephemeral"][0]["message"] == "Done"


def test_click_post_action_finds_the_hidden_url_and_context(
    mattermost: MattermostSandbox, receiver: SandboxServer
) -> None:
    contexts: list[dict[str, Any]] = []

    def actions(request: Request) -> Response:
        contexts.append(request.json()["context"])
        return Response(body={})

    receiver.route("POST", "/mattermost/actions", actions)
    with httpx.Client(headers={"Authorization": f"Bearer {mattermost.bot_token}"}) as api:
        post = api.post(
            mattermost.url + "/api/v4/posts",
            json={
                "channel_id": "ch-cart",
                "message": "plan",
                "props": approve_props(receiver.url + "/mattermost/actions"),
            },
        ).json()

    mattermost.click_post_action(post["id"], "approve", user_id="u-carol")

    assert contexts == [{"plan": "p-1", "sig": "abc"}]
    with pytest.raises(LookupError, match="letters and digits"):
        mattermost.click_post_action(post["id"], "approve_plan")
    with pytest.raises(LookupError):
        mattermost.click_post_action(post["id"], "reject")
