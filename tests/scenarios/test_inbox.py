"""A command acknowledged to the platform is never lost: the inbox stores it first, and a
restart processes what a crash left unfinished, once."""

from __future__ import annotations

import io
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import select

from bot.chat.console import ConsoleConversation
from bot.dispatch import ActionClick
from bot.inbox import Inbox
from bot.messages import Actor, Incoming
from bot.outbox import Outbox
from bot.runtime import build_runtime
from bot.store.tables import InboundEvent, OutboxMessage, PendingAction
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


def test_a_command_run_again_after_its_replica_died_adds_no_second_plan_or_message(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    runtime = build_runtime(sandbox_env(tmp_path, clusters))
    outbox = Outbox(runtime.store, transports={})
    first = Inbox(runtime.store, runtime.dispatcher, outbox.conversation, run_now, owner="a")
    first.accept_message(Incoming("slack", "C0PAY", ALICE, "scale payment to 4"))
    # Replica "a" did the work but died before recording it done: the row still carries its
    # claim, which nobody renews any more.
    with runtime.store.session() as session:
        session.exec(
            update(InboundEvent).values(
                status="claimed", owner="a", claimed_until=datetime.now(UTC) - timedelta(seconds=1)
            )
        )
    second = Inbox(runtime.store, runtime.dispatcher, outbox.conversation, run_now, owner="b")
    assert second.recover() == 1
    with runtime.store.session() as session:
        plans = session.exec(select(PendingAction)).all()
        posts = session.exec(select(OutboxMessage)).all()
        event = session.exec(select(InboundEvent)).one()
    assert [p.text for p in plans] == ["scale payment to 4"]
    assert len(posts) == 1
    assert str(posts[0].reply["text"]).startswith("Scale payment in sandbox/default")
    assert (event.status, event.epoch) == ("done", 2)
    runtime.close()


def test_a_replica_whose_claim_was_taken_over_cannot_record_the_outcome(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    runtime = build_runtime(sandbox_env(tmp_path, clusters))
    conversation = ConsoleConversation(io.StringIO(), as_json=True)
    stalled: list[Callable[[], None]] = []
    slow = Inbox(
        runtime.store, runtime.dispatcher, lambda *_: conversation, stalled.append, owner="slow"
    )
    slow.accept_message(Incoming("slack", "C0PAY", ALICE, "status of payment"))
    with runtime.store.session() as session:  # its claim ran out while it was stalled
        session.exec(update(InboundEvent).values(claimed_until=datetime.now(UTC)))
    leader = Inbox(runtime.store, runtime.dispatcher, lambda *_: conversation, run_now, owner="b")
    assert leader.recover() == 1
    assert len(conversation.replies) == 1
    [late] = stalled
    late()  # the stalled replica wakes up: the event is not its own any more
    assert len(conversation.replies) == 1
    with runtime.store.session() as session:
        event = session.exec(select(InboundEvent)).one()
    assert (event.status, event.owner, event.epoch) == ("done", None, 2)
    runtime.close()


def run_now(job: Callable[[], None]) -> None:
    job()
