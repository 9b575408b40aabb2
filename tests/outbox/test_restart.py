"""Exactly once across restarts, on SQLite and on the real PostgreSQL: what was queued when the
process died is delivered by the next one, and a post Slack took just before the crash is
recognised by its stamped key instead of being posted again."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update
from sqlmodel import col

from bot.chat.slack_transport import SlackTransport
from bot.messages import Reply
from bot.outbox import Outbox
from bot.store import open_store
from bot.store.tables import OutboxMessage
from sandbox.slack import SlackSandbox
from tests.outbox.conftest import MakeOutbox, api_calls, texts

ROOT = Path(__file__).resolve().parents[2]


def test_messages_queued_by_a_killed_process_are_delivered_once_after_restart(
    database_url: str, slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    # A separate process queues (with no transport: it never sends) and dies without cleanup.
    script = textwrap.dedent(
        f"""
        import os
        from bot.messages import Reply
        from bot.outbox import Outbox
        from bot.store import open_store

        outbox = Outbox(open_store({database_url!r}), transports={{}})
        root = outbox.conversation("slack", "C0PAY").post(Reply(text="scaling payment"))
        thread = outbox.conversation("slack", "C0PAY", thread=root)
        for step in range(1, 4):
            thread.post(Reply(text=f"step {{step}}"))
        outbox.conversation("slack", "C0PAY").edit(root, Reply(text="scaled payment"))
        for n in range(5):
            outbox.conversation("slack", "C0CART").post(Reply(text=f"cart {{n}}"))
        print(root, flush=True)
        os._exit(0)
        """
    )
    done = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    root = done.stdout.strip().splitlines()[-1]
    assert slack.state_snapshot()["calls"] == []

    outbox = make_outbox(database_url)
    assert outbox.pending_count() == 10
    outbox.start()
    assert outbox.drain(timeout=20)

    root_ts = outbox.platform_id(root)
    messages = slack.messages("C0PAY")
    assert [(m["text"], m.get("thread_ts")) for m in messages] == [
        ("scaled payment", None),
        ("step 1", root_ts),
        ("step 2", root_ts),
        ("step 3", root_ts),
    ]
    assert texts(slack, "C0CART") == [f"cart {n}" for n in range(5)]

    # A third start finds nothing left to do.
    again = make_outbox(database_url)
    again.start()
    assert again.drain(timeout=5)
    assert len(api_calls(slack, "chat.postMessage")) == 9


def test_a_store_disposed_with_messages_pending_loses_none(
    sqlite_url: str, slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    store = open_store(sqlite_url)
    first = Outbox(store, transports={})
    for n in range(5):
        first.conversation("slack", "C0OPS").post(Reply(text=f"alert {n}"))
    store.dispose()  # the server went away before sending anything

    outbox = make_outbox()
    outbox.start()
    assert outbox.drain(timeout=10)
    assert texts(slack, "C0OPS") == [f"alert {n}" for n in range(5)]


#: What a sender that died mid-call leaves on its rows: its claim, expired since.
DEAD_CLAIM = {
    "status": "claimed",
    "owner": "a-replica-that-died",
    "claimed_until": datetime.now(UTC) - timedelta(seconds=1),
}


def test_a_post_slack_took_before_the_crash_is_not_posted_again(
    database_url: str, slack: SlackSandbox, transport: SlackTransport, make_outbox: MakeOutbox
) -> None:
    before = make_outbox(database_url)
    arrived = before.conversation("slack", "C0PAY").post(Reply(text="rolled back payment"))
    root = before.conversation("slack", "C0OPS").post(Reply(text="paging on-call"))
    lost = before.conversation("slack", "C0OPS", thread=root).post(Reply(text="acknowledged"))
    before.conversation("slack", "C0PAY").post(Reply(text="after the crash"))

    # What a crash right after Slack's answer leaves behind: Slack has the posts (stamped with
    # the rows' keys), the rows still claimed by the dead sender, the claims since expired. One
    # is a thread reply, which Slack's channel history does not show: it must be found among
    # the thread's replies.
    ts = transport.send_post("C0PAY", Reply(text="rolled back payment"), None, arrived)
    root_ts = transport.send_post("C0OPS", Reply(text="paging on-call"), None, root)
    thread_ts = transport.send_post("C0OPS", Reply(text="acknowledged"), root_ts, lost)
    with before.store.session() as session:
        session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.key).in_([arrived, root, lost]))
            .values(**DEAD_CLAIM, attempts=1)
        )
    before.store.dispose()

    after = make_outbox(database_url)
    after.start()
    assert after.drain(timeout=10)

    assert texts(slack, "C0PAY") == ["rolled back payment", "after the crash"]
    assert [m["text"] for m in slack.messages("C0OPS")] == ["paging on-call", "acknowledged"]
    assert after.platform_id(arrived) == ts
    assert after.platform_id(root) == root_ts
    assert after.platform_id(lost) == thread_ts
    assert len(api_calls(slack, "chat.postMessage")) == 4


def test_a_post_left_claimed_that_never_arrived_is_sent_after_restart(
    sqlite_url: str, slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    before = make_outbox()
    ref = before.conversation("slack", "C0PAY").post(Reply(text="never left"))
    edit_target = before.conversation("slack", "C0CART").post(Reply(text="v1"))
    assert before.drain(timeout=10)
    before.conversation("slack", "C0CART").edit(edit_target, Reply(text="v2"))
    with before.store.session() as session:
        session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.key) == ref)
            .values(**DEAD_CLAIM, platform_id=None, sent_at=None)
        )
        session.exec(
            update(OutboxMessage)
            .where(col(OutboxMessage.ref) == edit_target)
            .where(col(OutboxMessage.kind) == "edit")
            .values(**DEAD_CLAIM)
        )
    # Slack never got the first post: drop it from the sandbox as if it never arrived.
    [posted] = slack.messages("C0PAY")
    with slack.lock:
        slack.workspace.delete_message(slack.workspace.channels["C0PAY"], posted["ts"])

    after = make_outbox()
    after.start()
    assert after.drain(timeout=10)
    assert texts(slack, "C0PAY") == ["never left"]
    assert after.platform_id(ref) == slack.messages("C0PAY")[0]["ts"]
    # An edit left claimed is simply sent again: edits are idempotent.
    assert texts(slack, "C0CART") == ["v2"]
