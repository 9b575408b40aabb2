"""`MattermostTransport` against the Mattermost sandbox, through the real mattermostdriver."""

from __future__ import annotations

import logging

import pytest

from bot.chat.mattermost import MattermostTransport, build_mattermost, verify_context
from bot.chat.transport import DeliveryFailed, DeliveryRefused, RateLimited
from bot.messages import Button, Field, Image, Reply
from sandbox.mattermost import MattermostSandbox
from tests.mattermost.conftest import ACTION_SECRET, env_settings, mattermost_env

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PLAN = Reply(
    "Scale payment to 3?",
    fields=(Field("replicas", "2 → 3"),),
    buttons=(Button("Approve", "approve", "p-9", "primary"),),
)


def test_posts_threads_and_stamps_the_outbox_key(
    mattermost: MattermostSandbox, transport: MattermostTransport
) -> None:
    root = transport.send_post("ch-payments", PLAN, None, "key-1")
    answer = transport.send_post("ch-payments", Reply("done"), root, "key-2")
    root_post, answer_post = mattermost.posts("ch-payments")
    assert (root_post["id"], answer_post["id"]) == (root, answer)
    assert root_post["user_id"] == "u-kuber"
    assert answer_post["root_id"] == root
    assert root_post["props"]["kuber_outbox_key"] == "key-1"
    (action,) = root_post["props"]["attachments"][0]["actions"]
    context = verify_context(action["integration"]["context"], ACTION_SECRET.encode())
    assert (context["action"], context["value"], context["channel"]) == (
        "approve",
        "p-9",
        "ch-payments",
    )
    assert transport.platform == "mattermost"


def test_edit_patches_the_post_and_keeps_its_key(
    mattermost: MattermostSandbox, transport: MattermostTransport
) -> None:
    post_id = transport.send_post("ch-payments", PLAN, None, "key-e")
    transport.send_edit("ch-payments", post_id, Reply("alice approved: scaling payment…"))
    (post,) = mattermost.posts("ch-payments")
    assert post["message"] == "alice approved: scaling payment…"
    assert post["props"] == {"kuber_outbox_key": "key-e"}  # the buttons are gone
    assert post["edited_count"] == 1
    assert transport.find_sent("ch-payments", "key-e") == post_id


def test_images_are_uploaded_then_attached(
    mattermost: MattermostSandbox, transport: MattermostTransport
) -> None:
    reply = Reply("Burndown", images=(Image("Sprint 12 burndown", PNG, "burndown chart"),))
    post_id = transport.send_post("ch-ops", reply, None, "key-img")
    (post,) = mattermost.posts("ch-ops")
    assert post["id"] == post_id
    (file_id,) = post["file_ids"]
    (info,) = mattermost.state()["files"]
    assert (info["id"], info["name"], info["mime_type"]) == (
        file_id,
        "Sprint-12-burndown.png",
        "image/png",
    )
    assert info["size"] == len(PNG)


def test_find_sent_recognises_only_the_bots_post_with_that_key(
    mattermost: MattermostSandbox, transport: MattermostTransport
) -> None:
    assert transport.find_sent("ch-cart", "key-x") is None
    mattermost.user_posts("ch-cart", "u-bob", "a forgery", props={"kuber_outbox_key": "key-x"})
    transport.driver.login()  # the bot's id is known once logged in
    assert transport.find_sent("ch-cart", "key-x") is None
    sent = transport.send_post("ch-cart", Reply("hello"), None, "key-x")
    transport.send_post("ch-cart", Reply("later"), None, "key-y")
    assert transport.find_sent("ch-cart", "key-x") == sent


def test_429_is_rate_limited_with_the_servers_delay(
    mattermost: MattermostSandbox, transport: MattermostTransport
) -> None:
    mattermost.inject("POST /api/v4/posts", 429, times=1, headers={"Retry-After": "3"})
    with pytest.raises(RateLimited) as limited:
        transport.send_post("ch-payments", Reply("hi"), None, "k")
    assert limited.value.delay == 3.0
    mattermost.inject(
        "PUT /api/v4/posts/.*/patch", 429, times=1, headers={"X-Ratelimit-Reset": "2"}
    )
    post_id = transport.send_post("ch-payments", Reply("hi"), None, "k")
    with pytest.raises(RateLimited) as limited:
        transport.send_edit("ch-payments", post_id, Reply("edited"))
    assert limited.value.delay == 2.0


@pytest.mark.parametrize("status", [500, 502, 503])
def test_5xx_fails_for_now(
    mattermost: MattermostSandbox, transport: MattermostTransport, status: int
) -> None:
    mattermost.inject("POST /api/v4/posts", status, times=1)
    with pytest.raises(DeliveryFailed, match=f"HTTP {status}"):
        transport.send_post("ch-payments", Reply("hi"), None, "k")
    assert transport.send_post("ch-payments", Reply("hi"), None, "k")  # it passed


def test_4xx_is_refused(mattermost: MattermostSandbox, transport: MattermostTransport) -> None:
    with pytest.raises(DeliveryRefused, match="permissions"):
        transport.send_post("no-such-channel", Reply("hi"), None, "k")
    mattermost.inject("POST /api/v4/files", 413, times=1)
    with pytest.raises(DeliveryRefused, match="upload image"):
        transport.send_post("ch-ops", Reply("x", images=(Image("c", PNG),)), None, "k")
    with pytest.raises(DeliveryRefused, match="edit post"):
        transport.send_edit("ch-ops", "no-such-post", Reply("x"))
    # A status the driver has no exception for still counts as the request's own fault.
    mattermost.inject("POST /api/v4/posts", 409, times=1)
    with pytest.raises(DeliveryRefused, match="HTTP 409"):
        transport.send_post("ch-ops", Reply("x"), None, "k")


def test_timeouts_and_dead_servers_fail_for_now(mattermost: MattermostSandbox) -> None:
    transport = build_mattermost(env_settings(mattermost_env(mattermost)), timeout=0.3).transport
    mattermost.inject("POST /api/v4/posts", 200, times=1, delay=1.0)
    with pytest.raises(DeliveryFailed, match="timed out"):
        transport.send_post("ch-payments", Reply("slow"), None, "k")
    mattermost.stop()
    with pytest.raises(DeliveryFailed, match="ConnectionError"):
        transport.find_sent("ch-payments", "k")


def test_a_bad_token_is_refused_and_never_shown(
    mattermost: MattermostSandbox, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    values = {**mattermost_env(mattermost), "KUBER_MATTERMOST_TOKEN": "not-the-token-4242"}
    transport = build_mattermost(env_settings(values)).transport
    with pytest.raises(DeliveryRefused) as refused:
        transport.send_post("ch-payments", Reply("hi"), None, "k")
    assert "not-the-token-4242" not in str(refused.value)
    assert "not-the-token-4242" not in caplog.text
    assert caplog.text  # the driver did log the refusal, without the token
