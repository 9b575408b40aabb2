"""Rendering and security of the Mattermost adapter: pure functions, no servers."""

from __future__ import annotations

import json
import re
import time
from email.utils import formatdate

import pytest

from bot.chat.mattermost import (
    ContextRefused,
    build_mattermost,
    driver_options,
    has_hangul,
    mention_from_event,
    render_post,
    sign_context,
    strip_mention,
    verify_command_token,
    verify_context,
)
from bot.chat.mattermost_render import ERROR_COLOR, INFO_COLOR
from bot.chat.mattermost_routes import acknowledgement
from bot.chat.mattermost_transport import retry_delay
from bot.errors import ConfigError
from bot.messages import Button, Field, Reply
from tests.mattermost.conftest import env_settings

SECRET = b"render-test-secret"
URL = "https://kuber.example.com/mattermost/actions"

PLAN = Reply(
    "Scale payment in sandbox/default from 2 to 3 replicas?",
    fields=(Field("replicas", "2 → 3"), Field("note", "a long explanation " * 5)),
    buttons=(
        Button("Approve", "approve", "p-123", "primary"),
        Button("Cancel", "cancel", "p-123", "danger"),
    ),
    context="requested by alice · expires in 30 min",
    code="kubectl scale deploy/payment --replicas=3",
)


def test_a_plan_renders_as_markdown_and_one_attachment_with_signed_buttons() -> None:
    post = render_post(PLAN, actions_url=URL, secret=SECRET, channel="ch-payments")
    assert post["message"] == (
        "Scale payment in sandbox/default from 2 to 3 replicas?\n"
        "```\nkubectl scale deploy/payment --replicas=3\n```\n"
        "*requested by alice · expires in 30 min*"
    )
    (attachment,) = post["props"]["attachments"]
    assert attachment["color"] == INFO_COLOR
    assert attachment["fields"] == [
        {"title": "replicas", "value": "2 → 3", "short": True},
        {"title": "note", "value": "a long explanation " * 5, "short": False},
    ]
    approve, cancel = attachment["actions"]
    assert (approve["id"], approve["name"], approve["style"]) == ("approve0", "Approve", "primary")
    assert (cancel["id"], cancel["style"]) == ("cancel1", "danger")
    for action in attachment["actions"]:
        assert re.fullmatch(r"[A-Za-z0-9]+", action["id"])
        assert action["integration"]["url"] == URL
    context = approve["integration"]["context"]
    assert verify_context(context, SECRET) == {
        "action": "approve",
        "value": "p-123",
        "channel": "ch-payments",
        "iat": context["iat"],
    }
    assert abs(context["iat"] - time.time()) < 5


def test_an_error_is_red_with_its_text_inside_the_bar() -> None:
    post = render_post(
        Reply("payment에 리비전 42가 없어요.", is_error=True, language="ko"),
        actions_url=URL,
        secret=SECRET,
    )
    assert post["message"] == ""
    (attachment,) = post["props"]["attachments"]
    assert attachment["color"] == ERROR_COLOR
    assert attachment["text"] == "payment에 리비전 42가 없어요."
    assert "actions" not in attachment


def test_plain_text_has_no_attachment_and_korean_survives() -> None:
    post = render_post(Reply("payment 앱은 3개 실행 중이에요."), actions_url=URL, secret=SECRET)
    assert post == {"message": "payment 앱은 3개 실행 중이에요.", "props": {}}


def test_fill_buttons_get_routable_ids_and_code_fences_cannot_be_closed_early() -> None:
    value = json.dumps({"intent": "scale", "app": "payment", "replicas": 3})
    reply = Reply(
        "Which app?",
        buttons=(Button("payment", "fill", value), Button("cart", "fill_slot!", value)),
        code="```\nnested\n```",
        is_error=True,
    )
    post = render_post(reply, actions_url=URL, secret=SECRET)
    assert "````\n```\nnested\n```\n````" in post["message"]
    ids = [a["id"] for a in post["props"]["attachments"][0]["actions"]]
    assert ids == ["fill0", "fillslot1"]
    assert post["props"]["attachments"][0]["color"] == ERROR_COLOR
    context = post["props"]["attachments"][0]["actions"][0]["integration"]["context"]
    assert verify_context(context, SECRET)["value"] == value


def test_command_tokens_compare_exactly() -> None:
    assert verify_command_token("tok-123", "tok-123")
    assert not verify_command_token("tok-124", "tok-123")
    assert not verify_command_token("", "tok-123")
    assert not verify_command_token(None, "tok-123")
    assert not verify_command_token("tok-123", "")


def test_contexts_are_refused_when_unsigned_tampered_foreign_or_old() -> None:
    signed = sign_context({"action": "approve", "value": "p-1"}, SECRET, now=1_000_000)
    assert verify_context(signed, SECRET, now=1_000_060)["value"] == "p-1"
    # Mattermost adds the chosen option of a menu after we signed: that is no tampering.
    assert verify_context({**signed, "selected_option": "x"}, SECRET, now=1_000_060)

    def reason(context: object, *, secret: bytes = SECRET, now: float = 1_000_060) -> str:
        with pytest.raises(ContextRefused) as refused:
            verify_context(context, secret, now=now)
        return refused.value.reason

    unsigned = {k: v for k, v in signed.items() if k != "sig"}
    assert reason(unsigned) == "unsigned"
    assert reason({**signed, "value": "p-2"}) == "bad signature"
    assert reason({**signed, "extra": "1"}) == "bad signature"
    assert reason({**signed, "iat": signed["iat"] + 1}) == "bad signature"
    assert reason(signed, secret=b"another-secret") == "bad signature"
    assert reason(signed, now=1_000_000 + 25 * 3600) == "expired"
    assert reason(signed, now=1_000_000 - 3600) == "issued in the future"
    assert reason("approve") == "context is not an object"
    assert reason(None) == "context is not an object"
    with pytest.raises(ValueError, match="reserved"):
        sign_context({"sig": "x"}, SECRET)


def test_retry_delays_come_from_the_429s_headers() -> None:
    assert retry_delay({"Retry-After": "7"}) == 7.0
    in_30s = formatdate(time.time() + 30, usegmt=True)
    assert 28 <= retry_delay({"Retry-After": in_30s}) <= 31
    assert retry_delay({"X-Ratelimit-Reset": "3"}) == 3.0
    assert retry_delay({"X-Ratelimit-Reset": str(int(time.time()) + 12)}) == pytest.approx(
        12, abs=1.5
    )
    assert retry_delay({}) == 1.0


def test_driver_options_from_the_server_url() -> None:
    options = driver_options("https://chat.example.com/team-chat/", "t")
    assert (options["scheme"], options["url"], options["port"]) == (
        "https",
        "chat.example.com",
        443,
    )
    assert options["basepath"] == "/team-chat/api/v4"
    assert options["request_timeout"] == 10.0
    options = driver_options("http://[::1]:8065/api/v4", "t", timeout=3)
    assert (options["url"], options["port"], options["basepath"]) == ("[::1]", 8065, "/api/v4")
    with pytest.raises(ConfigError, match="KUBER_MATTERMOST_URL"):
        driver_options("chat.example.com", "t")


@pytest.mark.parametrize(
    "missing",
    [
        "KUBER_MATTERMOST_URL",
        "KUBER_MATTERMOST_TOKEN",
        "KUBER_MATTERMOST_ACTION_SECRET",
        "KUBER_PUBLIC_URL",
    ],
)
def test_building_names_the_missing_variable(missing: str) -> None:
    values = {
        "KUBER_MATTERMOST_URL": "http://127.0.0.1:8065",
        "KUBER_MATTERMOST_TOKEN": "bot-token",
        "KUBER_MATTERMOST_ACTION_SECRET": "secret",
        "KUBER_PUBLIC_URL": "https://kuber.example.com",
    }
    del values[missing]
    with pytest.raises(ConfigError, match=missing):
        build_mattermost(env_settings(values))


def test_acknowledgements_answer_in_the_commands_language() -> None:
    assert acknowledgement("/kuber", "scale payment to 3") == {
        "response_type": "ephemeral",
        "text": "On it: `/kuber scale payment to 3`",
    }
    korean = acknowledgement("/kuber", "payment 앱을 3개 실행해줘")
    assert korean["text"].startswith("확인했어요")
    assert has_hangul("쿠버야")
    assert not has_hangul("kuber")


def _event(message: str, user_id: str = "u-alice", **data: object) -> dict[str, object]:
    post = {
        "id": "p1",
        "user_id": user_id,
        "channel_id": "ch-ops",
        "root_id": "",
        "message": message,
        "type": "",
        "props": {},
    }
    return {"post": json.dumps(post), "sender_name": "@alice", "channel_type": "O", **data}


def test_mentions_become_incoming_and_everything_else_is_ignored() -> None:
    def hear(data: dict[str, object]) -> str | None:
        incoming = mention_from_event(data, bot_user_id="u-kuber", bot_username="kuber")
        return incoming.text if incoming else None

    mentioned = _event("@kuber: scale payment to 3", mentions=json.dumps(["u-kuber"]))
    incoming = mention_from_event(mentioned, bot_user_id="u-kuber", bot_username="kuber")
    assert incoming is not None
    assert (incoming.channel, incoming.actor.id, incoming.actor.name) == (
        "ch-ops",
        "u-alice",
        "alice",
    )
    assert (incoming.text, incoming.thread, incoming.message_id) == (
        "scale payment to 3",
        None,
        "p1",
    )
    assert hear(_event("hey @kuber, status please.")) == "hey status please."
    assert hear(_event("@kuber")) == "help"
    assert hear(_event("status payment", channel_type="D")) == "status payment"
    assert hear(_event("ask @kuberctl or mail me@kuber.io")) is None
    assert hear(_event("@kuber status", user_id="u-kuber")) is None
    assert hear(_event("@channel lunch?", mentions=json.dumps(["u-kuber"]))) is None
    bot = {"user_id": "u-bob", "message": "@kuber hi", "props": {"from_bot": "true"}}
    webhook = json.dumps(bot)
    assert hear({"post": webhook}) is None
    unnamed = mention_from_event(mentioned, bot_user_id="u-kuber", bot_username=None)
    assert unnamed is not None
    assert unnamed.text == "@kuber: scale payment to 3"
    assert strip_mention("@Kuber  restart   cart", "kuber") == "restart cart"
