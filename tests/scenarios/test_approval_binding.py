"""A plan is decided where it was shown: a button value replayed into another channel or onto
another platform decides nothing, and four-eyes holds across a person's accounts."""

from __future__ import annotations

import io
from pathlib import Path

from bot.chat.console import ConsoleConversation
from bot.dispatch import ActionClick
from bot.messages import Actor, Incoming
from bot.runtime import build_runtime
from sandbox.kubernetes import KubernetesSandbox
from tests.sandboxes import sandbox_env
from tests.scenarios.conftest import deployment

BOB = Actor("U0BOB", "bob")
ALICE_ON_SLACK = Actor("U0ALICE", "alice")
ALICE_ON_MATTERMOST = Actor("u-alice", "alice")


def approve_value(replies: list[dict[str, object]]) -> str:
    buttons = replies[-1]["buttons"]
    assert isinstance(buttons, list)
    return str(next(b["value"] for b in buttons if b["action"] == "approve"))


def test_a_click_replayed_in_another_channel_or_platform_is_refused(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    runtime = build_runtime(sandbox_env(tmp_path, clusters))
    conversation = ConsoleConversation(io.StringIO(), as_json=True)
    dispatcher = runtime.dispatcher
    dispatcher.handle_message(Incoming("slack", "C0PAY", BOB, "scale payment to 3"), conversation)
    value = approve_value(conversation.replies)

    for platform, channel, actor in (
        ("slack", "C0CART", BOB),
        ("mattermost", "ch-payments", ALICE_ON_MATTERMOST),
    ):
        dispatcher.handle_action(
            ActionClick(platform, channel, actor, "approve", value), conversation
        )
        assert conversation.replies[-1]["text"] == (
            "A plan can only be approved or cancelled where it was shown."
        )
    assert deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 2

    dispatcher.handle_action(ActionClick("slack", "C0PAY", BOB, "approve", value), conversation)
    assert deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 3
    runtime.close()


def test_a_protected_plan_shows_who_may_approve_and_refuses_its_requester_on_any_account(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    runtime = build_runtime(sandbox_env(tmp_path, clusters))
    conversation = ConsoleConversation(io.StringIO(), as_json=True)
    dispatcher = runtime.dispatcher
    dispatcher.handle_message(
        Incoming("slack", "C0PAY", ALICE_ON_SLACK, "scale payment to 3 on cluster prod"),
        conversation,
    )
    plan = conversation.replies[-1]
    assert "an admin other than alice must approve" in str(plan["context"])
    dispatcher.handle_action(
        ActionClick("slack", "C0PAY", ALICE_ON_SLACK, "approve", approve_value([plan])),
        conversation,
    )
    assert "someone other than the requester must approve" in conversation.replies[-1]["text"]
    assert deployment(clusters["prod"], "payment")["spec"]["replicas"] == 2
    runtime.close()
