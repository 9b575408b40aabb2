"""The Mattermost endpoints: verified, acknowledged at once, worked on by the real dispatcher.

Everything runs against uvicorn on loopback: refusals are sent with httpx (Starlette's
TestClient is deprecated with httpx), the whole flow by the Mattermost sandbox, which sends the
slash command and clicks the button as Mattermost does.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import httpx
import pytest
from sqlmodel import select
from structlog.testing import capture_logs

from bot.chat.mattermost import mattermost_routes, sign_context
from bot.errors import ConfigError
from bot.inbox import Inbox
from bot.store.tables import PendingAction
from sandbox.kubernetes import KubernetesSandbox
from sandbox.mattermost import MattermostSandbox
from tests.mattermost.conftest import ACTION_SECRET, Kuber, LiveServer, env_settings, wait_for

FORM = {"Content-Type": "application/x-www-form-urlencoded"}


def replicas(server: KubernetesSandbox, name: str) -> int:
    url = f"{server.url}/apis/apps/v1/namespaces/default/deployments/{name}"
    return int(httpx.get(url).json()["spec"]["replicas"])


def bot_posts(mattermost: MattermostSandbox, channel: str) -> list[dict[str, Any]]:
    return [p for p in mattermost.posts(channel) if p["user_id"] == "u-kuber"]


def command_form(mattermost: MattermostSandbox, **overrides: str) -> str:
    form = {
        "token": mattermost.command_token,
        "text": "status",
        "user_id": "u-alice",
        "user_name": "alice",
        "channel_id": "ch-payments",
        "command": "/kuber",
    }
    form.update(overrides)
    return urlencode({k: v for k, v in form.items() if v != "-"})


@pytest.fixture
def client(live: LiveServer) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=live.url, timeout=10) as http:
        yield http


def pending_statuses(kuber: Kuber) -> list[str]:
    with kuber.runtime.store.session() as session:
        return [p.status for p in session.exec(select(PendingAction)).all()]


# -- slash commands --------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("token", "reason"), [("wrong-token", "wrong token"), ("-", "missing token")]
)
def test_a_command_without_the_right_token_is_401_and_runs_nothing(
    client: httpx.Client, kuber: Kuber, mattermost: MattermostSandbox, token: str, reason: str
) -> None:
    with capture_logs() as logs:
        response = client.post(
            "/mattermost/command",
            content=command_form(mattermost, token=token, text="scale payment to 3"),
            headers=FORM,
        )
    assert response.status_code == 401
    assert response.json() == {"error": reason}
    assert kuber.worker.futures == []
    assert pending_statuses(kuber) == []
    (warning,) = [e for e in logs if e["log_level"] == "warning"]
    assert warning["event"] == "mattermost command refused"
    assert warning["reason"] == reason
    assert "wrong-token" not in str(logs)
    assert mattermost.command_token not in str(logs)


@pytest.mark.parametrize(
    ("form", "reason"),
    [
        ({"text": "-"}, "missing text"),
        ({"user_id": "-", "channel_id": "-"}, "missing user_id, channel_id"),
        ({"channel_id": ""}, "missing user_id or channel_id"),
    ],
)
def test_a_malformed_command_is_400_with_the_reason(
    client: httpx.Client,
    kuber: Kuber,
    mattermost: MattermostSandbox,
    form: dict[str, str],
    reason: str,
) -> None:
    response = client.post(
        "/mattermost/command", content=command_form(mattermost, **form), headers=FORM
    )
    assert (response.status_code, response.json()) == (400, {"error": reason})
    not_a_form = client.post("/mattermost/command", json={"token": mattermost.command_token})
    assert not_a_form.status_code == 400
    huge = client.post("/mattermost/command", content="text=" + "x" * 70_000, headers=FORM)
    assert huge.status_code == 413
    assert kuber.worker.futures == []


def test_routes_need_their_secrets(kuber: Kuber, mattermost: MattermostSandbox) -> None:
    with pytest.raises(ConfigError, match="KUBER_MATTERMOST_COMMAND_TOKEN"):
        mattermost_routes(
            settings=env_settings({"KUBER_MATTERMOST_ACTION_SECRET": "s"}),
            receiver=Inbox(
                kuber.runtime.store,
                kuber.runtime.dispatcher,
                kuber.conversation,
                kuber.worker.submit,
            ),
        )
    with pytest.raises(ConfigError, match="KUBER_MATTERMOST_ACTION_SECRET"):
        mattermost_routes(
            settings=env_settings({"KUBER_MATTERMOST_COMMAND_TOKEN": "t"}),
            receiver=Inbox(
                kuber.runtime.store,
                kuber.runtime.dispatcher,
                kuber.conversation,
                kuber.worker.submit,
            ),
        )


# -- button clicks ---------------------------------------------------------------------------
def plan_in_channel(client: httpx.Client, kuber: Kuber, mattermost: MattermostSandbox) -> str:
    response = client.post(
        "/mattermost/command",
        content=command_form(mattermost, text="scale payment to 3"),
        headers=FORM,
    )
    assert response.status_code == 200
    kuber.worker.drain()
    (plan,) = bot_posts(mattermost, "ch-payments")
    return str(plan["id"])


def test_clicks_with_bad_contexts_are_401_and_run_nothing(
    client: httpx.Client,
    kuber: Kuber,
    mattermost: MattermostSandbox,
    clusters: dict[str, KubernetesSandbox],
) -> None:
    post_id = plan_in_channel(client, kuber, mattermost)
    (plan,) = mattermost.posts("ch-payments")
    approve = plan["props"]["attachments"][0]["actions"][0]["integration"]["context"]
    work_before = len(kuber.worker.futures)
    forged = sign_context({"action": "approve", "value": approve["value"]}, b"guessed-secret")
    old = sign_context(
        {"action": "approve", "value": approve["value"]},
        ACTION_SECRET.encode(),
        now=time.time() - 25 * 3600,
    )
    cases = {
        "unsigned": {"action": "approve", "value": approve["value"]},
        "bad signature": {**approve, "value": "someone-elses-plan"},
        "expired": old,
        "channel mismatch": approve,
    }
    for reason, context in cases.items():
        channel = "ch-cart" if reason == "channel mismatch" else "ch-payments"
        payload = {"user_id": "u-alice", "channel_id": channel, "post_id": post_id}
        with capture_logs() as logs:
            response = client.post("/mattermost/actions", json={**payload, "context": context})
        assert response.status_code == 401, reason
        assert response.json() == {"error": f"context refused: {reason}"}
        assert [e["reason"] for e in logs if e["log_level"] == "warning"] == [reason]
    assert (
        client.post(
            "/mattermost/actions", json={"context": forged, "user_id": "u-alice"}
        ).status_code
        == 401
    )
    assert client.post("/mattermost/actions", content=b"{not json").status_code == 400
    assert client.post("/mattermost/actions", json=["a list"]).status_code == 400
    no_user = {"channel_id": "ch-payments", "context": approve}
    assert client.post("/mattermost/actions", json=no_user).status_code == 400
    assert len(kuber.worker.futures) == work_before
    assert pending_statuses(kuber) == ["pending"]
    assert replicas(clusters["sandbox"], "payment") == 2


def test_a_click_is_believed_only_as_the_server_confirms_it(
    client: httpx.Client,
    kuber: Kuber,
    mattermost: MattermostSandbox,
    clusters: dict[str, KubernetesSandbox],
) -> None:
    """The click body is unsigned: a valid context with a forged `user_id` of someone outside
    the channel, or lifted onto a post it was not made for, is refused and runs nothing."""
    post_id = plan_in_channel(client, kuber, mattermost)
    (plan,) = mattermost.posts("ch-payments")
    approve = plan["props"]["attachments"][0]["actions"][0]["integration"]["context"]
    with mattermost.lock:  # eve has an account, but is not in the payments channel
        mattermost.team.add_user("u-eve", "eve", "Eve", "", "UTC")
        mattermost.team.channels["ch-payments"].members.discard("u-eve")
    someone_elses = mattermost.user_posts("ch-payments", "u-bob", "a message of bob's")["id"]
    work_before = len(kuber.worker.futures)
    cases = {
        "not a member of the channel": ("u-eve", post_id),
        "not Kuber's post in this channel": ("u-alice", someone_elses),
        "post not found": ("u-alice", "no-such-post-id-000000000"),
    }
    for reason, (user_id, post) in cases.items():
        payload = {"user_id": user_id, "channel_id": "ch-payments", "post_id": post}
        response = client.post("/mattermost/actions", json={**payload, "context": approve})
        assert response.status_code == 403, reason
        assert response.json() == {"error": f"click refused: {reason}"}
    # A context made for one of Kuber's posts, replayed on another of Kuber's posts.
    client.post(
        "/mattermost/command",
        content=command_form(mattermost, text="scale cart to 3"),
        headers=FORM,
    )
    kuber.worker.drain()
    other_plan = next(p for p in bot_posts(mattermost, "ch-payments") if p["id"] != post_id)
    payload = {"user_id": "u-alice", "channel_id": "ch-payments", "post_id": other_plan["id"]}
    lifted = client.post("/mattermost/actions", json={**payload, "context": approve})
    assert lifted.json() == {"error": "click refused: the button belongs to another post"}
    assert len(kuber.worker.futures) == work_before + 1  # only the second command ran
    assert replicas(clusters["sandbox"], "payment") == 2
    # The same click from alice, a member, on the post it was made for, is taken.
    payload = {"user_id": "u-alice", "channel_id": "ch-payments", "post_id": post_id}
    assert (
        client.post("/mattermost/actions", json={**payload, "context": approve}).status_code == 200
    )
    kuber.worker.drain()
    assert replicas(clusters["sandbox"], "payment") == 3


# -- the whole flow over HTTP ------------------------------------------------------------------
def test_a_slash_command_is_acknowledged_at_once_and_approve_scales(
    kuber: Kuber,
    live: LiveServer,
    mattermost: MattermostSandbox,
    clusters: dict[str, KubernetesSandbox],
) -> None:
    command_url = live.url + "/mattermost/command"
    mattermost.send_slash_command(command_url, "help")  # warm the connection pool
    kuber.worker.drain()

    started = time.monotonic()
    response = mattermost.send_slash_command(command_url, "scale payment to 3")
    time.monotonic() - started
    assert response.status_code == 200
    assert response.json() == {
        "response_type": "ephemeral",
        "text": "On it: `/kuber scale payment to 3`",
    }
    ephemeral = mattermost.state()["ephemeral"][-1]
    assert (ephemeral["for_user"], ephemeral["message"]) == ("u-alice", response.json()["text"])

    kuber.worker.drain()
    plan = bot_posts(mattermost, "ch-payments")[-1]
    assert plan["message"].startswith("Scale payment in sandbox/default from 2 to 3 replicas?")
    actions = plan["props"]["attachments"][0]["actions"]
    assert [(a["id"], a["name"], a["style"]) for a in actions] == [
        ("approve0", "Approve", "primary"),
        ("cancel1", "Cancel", "danger"),
    ]
    assert replicas(clusters["sandbox"], "payment") == 2

    click = mattermost.click_post_action(plan["id"], "approve0", user_id="u-alice")
    assert (click.status_code, click.json()) == (200, {})
    kuber.worker.drain()
    wait_for(lambda: replicas(clusters["sandbox"], "payment") == 3, what="3 replicas")

    (edited,) = [p for p in mattermost.posts("ch-payments") if p["id"] == plan["id"]]
    assert edited["message"].startswith("✅ Done: scaling payment from 2 to 3.")
    assert edited["edits"][1]["message"].startswith("alice approved: Scale payment")
    assert "actions" not in str(edited["props"])  # the buttons went with the first edit
    assert edited["props"]["kuber_outbox_key"]  # and the key stayed through every edit
    assert [d["status"] for d in mattermost.state()["deliveries"]] == [200, 200, 200]


def test_a_korean_command_is_answered_in_korean_and_cancel_edits_the_plan(
    kuber: Kuber,
    live: LiveServer,
    mattermost: MattermostSandbox,
    clusters: dict[str, KubernetesSandbox],
) -> None:
    response = mattermost.send_slash_command(
        live.url + "/mattermost/command", "payment 앱을 4개로 늘려줘", user_id="u-bob"
    )
    assert response.json()["text"].startswith("확인했어요")
    kuber.worker.drain()
    (plan,) = bot_posts(mattermost, "ch-payments")
    assert has_hangul_text(plan["message"])
    mattermost.click_post_action(plan["id"], "cancel1", user_id="u-bob")
    kuber.worker.drain()
    (cancelled,) = bot_posts(mattermost, "ch-payments")
    assert "bob" in cancelled["message"]
    assert cancelled["props"].get("attachments") in (None, [])
    assert replicas(clusters["sandbox"], "payment") == 2


def test_a_tampered_click_through_mattermost_is_401(
    kuber: Kuber,
    live: LiveServer,
    mattermost: MattermostSandbox,
    clusters: dict[str, KubernetesSandbox],
) -> None:
    mattermost.send_slash_command(live.url + "/mattermost/command", "scale payment to 5")
    kuber.worker.drain()
    (plan,) = bot_posts(mattermost, "ch-payments")
    context = plan["props"]["attachments"][0]["actions"][0]["integration"]["context"]
    response = mattermost.click_button(
        live.url + "/mattermost/actions",
        {**context, "action": "approve", "sig": "0" * 64},
        user_id="u-alice",
        post_id=plan["id"],
    )
    assert response.status_code == 401
    kuber.worker.drain()
    assert pending_statuses(kuber) == ["pending"]
    assert replicas(clusters["sandbox"], "payment") == 2
    assert mattermost.posts("ch-payments")[0]["edited_count"] == 0


def has_hangul_text(text: str) -> bool:
    return any("\uac00" <= ch <= "\ud7a3" for ch in text)
