"""A command acknowledged to the platform is never lost: the inbox stores it first, and a
restart processes what a crash left unfinished, once."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from sqlmodel import select

from bot.chat.console import ConsoleConversation
from bot.dispatch import ActionClick
from bot.inbox import Inbox
from bot.messages import Actor, Incoming
from bot.runtime import build_runtime
from bot.store.tables import InboundEvent
from sandbox.kubernetes import KubernetesSandbox
from tests.sandboxes import eventually, sandbox_env
from tests.scenarios.conftest import deployment

ALICE = Actor("U0ALICE", "alice")


def held(jobs: list[Callable[[], None]]) -> Callable[[Callable[[], None]], None]:
    """A worker pool that takes jobs but never runs them, like a process that died."""
    return jobs.append


def test_a_command_accepted_before_a_crash_runs_after_the_restart(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    env = sandbox_env(tmp_path, clusters)
    first = build_runtime(env)
    conversation = ConsoleConversation(io.StringIO(), as_json=True)
    lost: list[Callable[[], None]] = []
    # The first process claims the command for a short while, then dies with it.
    Inbox(
        first.store, first.dispatcher, lambda *_: conversation, held(lost), claim_ttl=0.2
    ).accept_message(Incoming("slack", "C0PAY", ALICE, "scale payment to 4"))
    assert len(lost) == 1
    assert conversation.replies == []
    first.close()

    second = build_runtime(env)
    inbox = Inbox(second.store, second.dispatcher, lambda *_: conversation, lambda job: job())
    # Nobody renews the dead process's claim: once it runs out, recovery takes the command.
    eventually(lambda: inbox.recover() == 1)
    plan = conversation.replies[0]
    assert plan["text"] == "Scale payment in sandbox/default from 2 to 4 replicas?"
    approve = next(b for b in plan["buttons"] if b["action"] == "approve")
    inbox.accept_click(ActionClick("slack", "C0PAY", ALICE, "approve", approve["value"]))
    assert deployment(clusters["sandbox"], "payment")["spec"]["replicas"] == 4
    assert inbox.recover() == 0  # everything done: nothing runs twice
    with second.store.session() as session:
        statuses = [row.status for row in session.exec(select(InboundEvent))]
    assert statuses == ["done", "done"]
    second.close()


def test_a_click_replayed_after_a_crash_does_not_apply_twice(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    runtime = build_runtime(sandbox_env(tmp_path, clusters))
    conversation = ConsoleConversation(io.StringIO(), as_json=True)
    inbox = Inbox(runtime.store, runtime.dispatcher, lambda *_: conversation, lambda job: job())
    inbox.accept_message(Incoming("slack", "C0PAY", ALICE, "deploy cart 2.0.0"))
    approve = next(b for b in conversation.replies[0]["buttons"] if b["action"] == "approve")
    click = ActionClick("slack", "C0PAY", ALICE, "approve", approve["value"])
    inbox.accept_click(click)
    inbox.accept_click(click)  # the same click again, as a re-run after a crash would be
    texts = [r["text"] for r in conversation.replies]
    assert sum(t.startswith("✅ Done: deploying cart 2.0.0") for t in texts) == 1
    assert texts[-1] == "This plan was already carried out."
    runtime.close()
