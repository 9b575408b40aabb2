"""The Mattermost sandbox's v4 REST API, driven by mattermostdriver over HTTP."""

from __future__ import annotations

import json
from collections.abc import Callable

import httpx
import pytest
from mattermostdriver import Driver
from mattermostdriver.exceptions import (
    InvalidOrMissingParameters,
    NoAccessTokenProvided,
    NotEnoughPermissions,
    ResourceNotFound,
)

from sandbox.mattermost import MattermostSandbox

APPROVE = {
    "attachments": [
        {
            "text": "Scale payment to 3?",
            "actions": [
                {
                    "id": "approve",
                    "name": "Approve",
                    "integration": {
                        "url": "http://127.0.0.1:9/mattermost/actions",
                        "context": {"plan": "p-1", "sig": "abc"},
                    },
                },
                {"name": "Cancel", "integration": {"url": "http://127.0.0.1:9/x", "context": {}}},
            ],
        }
    ]
}


def test_login_reads_the_bot_user(driver: Driver) -> None:
    assert driver.client.userid == "u-kuber"
    assert driver.client.username == "kuber"
    me = driver.users.get_user("me")
    assert me["is_bot"] is True


def test_a_wrong_token_gets_mattermosts_401(
    mattermost: MattermostSandbox, make_driver: Callable[..., Driver]
) -> None:
    with pytest.raises(NoAccessTokenProvided):
        make_driver("wrong-token").login()
    raw = httpx.get(f"{mattermost.url}/api/v4/users/me", headers={"Authorization": "Bearer x"})
    assert raw.status_code == 401
    body = raw.json()
    assert body["id"] == "api.context.session_expired.app_error"
    assert body["message"] == "Invalid or expired session, please login again."
    assert body["status_code"] == 401


def test_users_by_id_and_by_name(driver: Driver) -> None:
    alice = driver.users.get_user("u-alice")
    assert (alice["username"], alice["first_name"]) == ("alice", "Alice")
    assert driver.users.get_user_by_username("bob")["id"] == "u-bob"
    with pytest.raises(ResourceNotFound):
        driver.users.get_user("u-nobody")
    with pytest.raises(ResourceNotFound):
        driver.users.get_user_by_username("nobody")


def test_create_post_threads_and_hides_action_integrations(
    mattermost: MattermostSandbox, driver: Driver
) -> None:
    root = driver.posts.create_post(
        {"channel_id": "ch-payments", "message": "plan", "props": APPROVE}
    )
    reply = driver.posts.create_post(
        {"channel_id": "ch-payments", "message": "done", "root_id": root["id"]}
    )
    assert len(root["id"]) == 26
    assert reply["root_id"] == root["id"]
    assert root["user_id"] == "u-kuber"
    approve, cancel = root["props"]["attachments"][0]["actions"]
    # Clients never see where a button posts or what it carries; the server keeps both.
    assert "integration" not in approve
    assert approve["id"] == "approve"
    assert cancel["id"].isalnum()
    stored = mattermost.posts("ch-payments")[0]["props"]["attachments"][0]["actions"][0]
    assert stored["integration"]["context"] == {"plan": "p-1", "sig": "abc"}


def test_create_post_refuses_what_mattermost_refuses(driver: Driver) -> None:
    with pytest.raises(NotEnoughPermissions):
        driver.posts.create_post({"channel_id": "ch-nowhere", "message": "x"})
    with pytest.raises(InvalidOrMissingParameters):
        driver.posts.create_post({"channel_id": "ch-cart", "message": "x", "root_id": "nope"})
    with pytest.raises(InvalidOrMissingParameters):
        driver.posts.create_post({"channel_id": "ch-cart", "message": "x" * 16384})


def test_update_and_patch_edit_in_place(mattermost: MattermostSandbox, driver: Driver) -> None:
    post = driver.posts.create_post({"channel_id": "ch-cart", "message": "rolling 1/3"})
    patched = driver.posts.patch_post(post["id"], {"message": "rolling 2/3"})
    assert patched["edit_at"] > 0
    assert patched["props"] == {}
    updated = driver.posts.update_post(
        post["id"], {"id": post["id"], "message": "done", "props": {"attachments": []}}
    )
    assert updated["message"] == "done"
    with pytest.raises(InvalidOrMissingParameters):
        driver.posts.update_post(post["id"], {"message": "no id in the body"})

    [stored] = mattermost.posts("ch-cart")
    assert [e["message"] for e in stored["edits"]] == ["rolling 1/3", "rolling 2/3"]
    assert stored["edited_count"] == 2


def test_the_bot_cannot_edit_a_persons_post(mattermost: MattermostSandbox, driver: Driver) -> None:
    post = mattermost.user_posts("ch-cart", "u-alice", "hello")
    with pytest.raises(NotEnoughPermissions):
        driver.posts.patch_post(post["id"], {"message": "rewritten"})


def test_get_post_and_channel_posts_newest_first(driver: Driver) -> None:
    ids = [
        driver.posts.create_post({"channel_id": "ch-payments", "message": f"m{n}"})["id"]
        for n in range(3)
    ]
    assert driver.posts.get_post(ids[1])["message"] == "m1"
    listing = driver.posts.get_posts_for_channel("ch-payments")
    assert listing["order"] == list(reversed(ids))
    assert set(listing["posts"]) == set(ids)
    first_page = driver.posts.get_posts_for_channel("ch-payments", params={"per_page": 2})
    assert first_page["order"] == [ids[2], ids[1]]
    assert first_page["has_next"] is True
    with pytest.raises(ResourceNotFound):
        driver.posts.get_post("missing")


def test_channels_by_id_and_name(driver: Driver) -> None:
    channel = driver.channels.get_channel("ch-payments")
    assert (channel["name"], channel["display_name"], channel["type"]) == (
        "payments",
        "Payments",
        "O",
    )
    assert driver.channels.get_channel_by_name("t-kuber", "cart")["id"] == "ch-cart"
    with pytest.raises(NotEnoughPermissions):
        driver.channels.get_channel("ch-nowhere")


def test_upload_file_then_attach_it(mattermost: MattermostSandbox, driver: Driver) -> None:
    data = b"\x89PNG\r\n\x1a\n" + bytes(range(256))
    uploaded = driver.files.upload_file("ch-cart", {"files": ("burndown.png", data)})
    [info] = uploaded["file_infos"]
    assert (info["name"], info["size"], info["mime_type"]) == (
        "burndown.png",
        len(data),
        "image/png",
    )
    post = driver.posts.create_post(
        {"channel_id": "ch-cart", "message": "chart", "file_ids": [info["id"]]}
    )
    assert post["file_ids"] == [info["id"]]
    assert driver.files.get_file(info["id"]).content == data
    assert mattermost.state_snapshot()["files"][0]["post_id"] == post["id"]


def test_journal_names_endpoints_and_never_holds_the_token(
    mattermost: MattermostSandbox, driver: Driver
) -> None:
    driver.posts.create_post({"channel_id": "ch-cart", "message": "hi"})
    driver.files.upload_file("ch-cart", {"files": ("a.txt", b"abc")})
    state = httpx.get(f"{mattermost.url}/_sandbox/state").json()
    endpoints = [c["endpoint"] for c in state["calls"]]
    assert endpoints == ["get_user_me", "create_post", "upload_file"]
    assert state["calls"][1]["body"] == {"channel_id": "ch-cart", "message": "hi"}
    assert state["calls"][2]["files"] == [{"name": "a.txt", "bytes": 3}]
    assert mattermost.bot_token not in json.dumps(state)


def test_injected_faults_use_mattermosts_error_shape(
    mattermost: MattermostSandbox, driver: Driver
) -> None:
    mattermost.inject(r"POST /api/v4/posts$", 503, times=1)
    response = httpx.post(
        f"{mattermost.url}/api/v4/posts",
        headers={"Authorization": f"Bearer {mattermost.bot_token}"},
        json={"channel_id": "ch-cart", "message": "x"},
    )
    assert response.status_code == 503
    assert response.json()["status_code"] == 503
    assert driver.posts.create_post({"channel_id": "ch-cart", "message": "x"})["id"]
