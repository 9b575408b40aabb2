"""Limits on changes: a freeze makes a change an admin's call and says why; a person asking
for too many changes in a minute is asked to wait."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import yaml

from bot.chat.console import ConsoleConversation
from bot.dispatch import ActionClick
from bot.messages import Actor, Incoming
from bot.runtime import build_runtime
from sandbox.kubernetes import KubernetesSandbox
from tests.sandboxes import sandbox_env
from tests.scenarios.conftest import deployment

BOB = Actor("U0BOB", "bob")  # a deployer of the payments team
ALICE = Actor("U0ALICE", "alice")  # its admin


def env_with(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], **config: Any
) -> dict[str, str]:
    env = sandbox_env(tmp_path, clusters)
    path = Path(env["KUBER_CONFIG"])
    kuber_yaml = yaml.safe_load(path.read_text(encoding="utf-8"))
    for key, value in config.items():
        if isinstance(value, dict):
            kuber_yaml.setdefault(key, {}).update(value)
        else:
            kuber_yaml[key] = value
    path.write_text(yaml.safe_dump(kuber_yaml, allow_unicode=True), encoding="utf-8")
    return env


def approve(replies: list[dict[str, Any]]) -> str:
    return str(next(b["value"] for b in replies[-1]["buttons"] if b["action"] == "approve"))


def test_during_a_freeze_a_change_needs_an_admin_and_the_plan_says_why(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    always = {"reason": "year-end freeze", "days": "mon-sun", "start": "00:00", "end": "23:59"}
    runtime = build_runtime(env_with(tmp_path, clusters, freeze=[always]))
    chat = ConsoleConversation(io.StringIO(), as_json=True)
    runtime.dispatcher.handle_message(Incoming("slack", "C0PAY", BOB, "scale cart to 3"), chat)
    plan = chat.replies[-1]
    assert "Deploy freeze: year-end freeze. An admin must approve this change." in plan["text"]
    value = approve(chat.replies)
    runtime.dispatcher.handle_action(ActionClick("slack", "C0PAY", BOB, "approve", value), chat)
    assert chat.replies[-1]["text"] == "This target is protected: only an admin may approve."
    assert deployment(clusters["sandbox"], "cart")["spec"]["replicas"] == 2
    runtime.dispatcher.handle_action(ActionClick("slack", "C0PAY", ALICE, "approve", value), chat)
    assert deployment(clusters["sandbox"], "cart")["spec"]["replicas"] == 3
    runtime.close()


def test_a_person_asking_for_too_many_changes_in_a_minute_is_asked_to_wait(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    runtime = build_runtime(env_with(tmp_path, clusters, policy={"changes_per_minute": 2}))
    chat = ConsoleConversation(io.StringIO(), as_json=True)
    for text in ("scale cart to 3", "scale auth to 3", "scale frontend to 3"):
        runtime.dispatcher.handle_message(Incoming("slack", "C0PAY", BOB, text), chat)
    texts = [r["text"] for r in chat.replies]
    assert texts[-1] == (
        "You have asked for 2 changes in the last minute; "
        "please wait a moment before asking for more."
    )
    assert sum("replicas?" in t for t in texts) == 2
    # Someone else is not held back by bob's count, and questions are never limited.
    runtime.dispatcher.handle_message(Incoming("slack", "C0PAY", ALICE, "scale auth to 4"), chat)
    runtime.dispatcher.handle_message(Incoming("slack", "C0PAY", BOB, "status of cart"), chat)
    assert "replicas?" in chat.replies[-2]["text"]
    assert "cart in sandbox/default" in chat.replies[-1]["text"]
    runtime.close()
