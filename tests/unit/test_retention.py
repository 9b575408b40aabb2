"""Retention on SQLite and on the real PostgreSQL: which finished rows go, and which must stay."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from sqlalchemy import event
from sqlmodel import SQLModel, col, select

from bot.retention import PRUNE_INTERVAL, PruneCounts, prune
from bot.settings import Retention
from bot.store import Store, open_store
from bot.store.tables import CommandRecord, InboundEvent, OutboxMessage, PendingAction

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
OLD = NOW - 10 * DAY  # older than the default 7 days
RECENT = NOW - DAY


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.dispose()


def add(store: Store, *rows: SQLModel) -> None:
    with store.session() as session:
        for row in rows:
            session.add(row)


def inbound(
    status: str, received_at: datetime, finished_at: datetime | None = None
) -> InboundEvent:
    return InboundEvent(
        platform="slack",
        kind="message",
        payload={"text": f"{status} {received_at:%d}"},
        status=status,
        received_at=received_at,
        finished_at=finished_at,
    )


def outbox_post(
    status: str = "sent",
    created_at: datetime = OLD,
    sent_at: datetime | None = OLD,
    thread: str | None = None,
) -> OutboxMessage:
    key = f"outbox-{uuid.uuid4().hex}"
    return OutboxMessage(
        key=key,
        ref=key,
        kind="post",
        platform="mattermost",
        channel="ch-payments",
        thread=thread,
        # What makes old rows worth deleting: replies may carry chart images.
        reply={"text": "rolled out", "images": ["iVBORw0KGgo..."]},
        status=status,
        created_at=created_at,
        sent_at=sent_at if status == "sent" else None,
        platform_id=uuid.uuid4().hex[:26] if status == "sent" else None,
    )


def outbox_edit(
    post: OutboxMessage,
    status: str = "sent",
    created_at: datetime = OLD,
    sent_at: datetime | None = OLD,
) -> OutboxMessage:
    return OutboxMessage(
        key=f"outbox-{uuid.uuid4().hex}",
        ref=post.key,
        kind="edit",
        platform=post.platform,
        channel=post.channel,
        reply={"text": "done"},
        status=status,
        created_at=created_at,
        sent_at=sent_at if status == "sent" else None,
    )


def plan(message_ref: str, status: str, expires_at: datetime) -> PendingAction:
    return PendingAction(
        id=uuid.uuid4().hex,
        created_at=expires_at - timedelta(minutes=30),
        expires_at=expires_at,
        platform="mattermost",
        channel="ch-payments",
        message_ref=message_ref,
        requested_by_id="u-alice",
        requested_by_name="alice",
        text="scale payment to 3",
        action="scale",
        target="sandbox/default/payment",
        status=status,
    )


def audit(at: datetime, text: str) -> CommandRecord:
    return CommandRecord(
        at=at,
        actor_id="u-alice",
        actor_name="alice",
        platform="mattermost",
        channel="ch-payments",
        text=text,
        intent="scale",
        decision="executed",
    )


def inbox_left(store: Store) -> list[str]:
    with store.session() as session:
        rows = session.exec(select(InboundEvent).order_by(col(InboundEvent.id))).all()
    return [str(row.payload["text"]) for row in rows]


def outbox_keys(store: Store) -> set[str]:
    with store.session() as session:
        return set(session.exec(select(OutboxMessage.key)).all())


def audit_left(store: Store) -> list[str]:
    with store.session() as session:
        return list(session.exec(select(CommandRecord.text).order_by(col(CommandRecord.id))))


def test_only_finished_inbox_rows_older_than_the_limit_go(store: Store) -> None:
    add(
        store,
        inbound("done", OLD, OLD + timedelta(seconds=2)),
        inbound("failed", OLD),  # set aside without a finish time: its arrival counts
        inbound("pending", OLD),  # never processed: a restart still owes it an answer
        inbound("claimed", OLD),  # a replica is on it right now
        inbound("done", OLD, RECENT),  # finished only yesterday
        inbound("done", RECENT, RECENT),
    )

    counts = prune(store, Retention(), now=NOW)

    assert counts == PruneCounts(inbox=2, outbox=0, audit=0)
    assert inbox_left(store) == ["pending 18", "claimed 18", "done 18", "done 27"]
    assert prune(store, Retention(), now=NOW).total == 0


def test_the_inbox_limit_comes_from_the_settings(store: Store) -> None:
    add(store, inbound("done", NOW - 3 * DAY, NOW - 3 * DAY))
    assert prune(store, Retention(), now=NOW).inbox == 0
    assert prune(store, Retention(inbox_days=2), now=NOW).inbox == 1
    assert inbox_left(store) == []


def test_only_finished_outbox_rows_older_than_the_limit_go(store: Store) -> None:
    sent = outbox_post("sent")
    refused = outbox_post("failed", sent_at=None)
    waiting = [outbox_post(status) for status in ("pending", "sending", "claimed")]
    sent_yesterday = outbox_post("sent", created_at=OLD, sent_at=RECENT)  # after long retries
    recent = outbox_post("sent", created_at=RECENT, sent_at=RECENT)
    add(store, sent, refused, *waiting, sent_yesterday, recent)

    counts = prune(store, Retention(), now=NOW)

    assert counts == PruneCounts(outbox=2)
    assert outbox_keys(store) == {r.key for r in (*waiting, sent_yesterday, recent)}


def test_a_post_stays_while_a_kept_edit_or_thread_reply_names_it(store: Store) -> None:
    # An edit still to be sent resolves its post's platform id when it goes.
    edited_later = outbox_post()
    pending_edit = outbox_edit(edited_later, "pending", created_at=RECENT)
    # A recent edit is kept, so its post is too (an edit of a missing post becomes a post).
    edited_recently = outbox_post()
    recent_edit = outbox_edit(edited_recently, created_at=RECENT, sent_at=RECENT)
    # A reply waiting to go needs its root's id for the thread.
    root_of_waiting_reply = outbox_post()
    waiting_reply = outbox_post("pending", created_at=RECENT, thread=root_of_waiting_reply.key)
    # Kept through two links: an edit keeps its post (an old reply), which keeps its root.
    root = outbox_post()
    old_reply = outbox_post(thread=root.key)
    edit_of_reply = outbox_edit(old_reply, created_at=RECENT, sent_at=RECENT)
    # Everything old and finished goes, posts and what referred to them alike.
    old_post, old_root = outbox_post(), outbox_post()
    old_edit = outbox_edit(old_post)
    old_thread_reply = outbox_post("failed", sent_at=None, thread=old_root.key)
    gone = {old_post.key, old_edit.key, old_root.key, old_thread_reply.key}
    kept = {
        edited_later.key,
        pending_edit.key,
        edited_recently.key,
        recent_edit.key,
        root_of_waiting_reply.key,
        waiting_reply.key,
        root.key,
        old_reply.key,
        edit_of_reply.key,
    }
    # Edits and replies are inserted after their posts, as the outbox writes them.
    add(
        store,
        edited_later,
        pending_edit,
        edited_recently,
        recent_edit,
        root_of_waiting_reply,
        waiting_reply,
        root,
        old_reply,
        edit_of_reply,
        old_post,
        old_root,
        old_edit,
        old_thread_reply,
    )

    counts = prune(store, Retention(), now=NOW)

    assert outbox_keys(store) == kept
    assert counts.outbox == len(gone)


@pytest.mark.parametrize("batch_size", [1, 2, 500])
def test_a_chain_of_old_rows_goes_whole_whatever_the_batch_size(
    store: Store, batch_size: int
) -> None:
    """A post named by an edit waits for a later batch, but within the same prune."""
    root = outbox_post()
    reply = outbox_post(thread=root.key)
    edits = [outbox_edit(reply), outbox_edit(root)]
    add(store, root, reply, *edits)

    counts = prune(store, Retention(), now=NOW, batch_size=batch_size)

    assert counts.outbox == 4
    assert outbox_keys(store) == set()


def test_a_plan_still_open_keeps_the_post_that_shows_it(store: Store) -> None:
    waiting = outbox_post()
    applying = outbox_post()
    expired_unclicked = outbox_post()  # nobody clicked: still `pending`, but past its expiry
    done = outbox_post()
    add(
        store,
        waiting,
        applying,
        expired_unclicked,
        done,
        plan(waiting.key, "pending", NOW + timedelta(minutes=5)),
        plan(applying.key, "applying", OLD + timedelta(minutes=30)),
        plan(expired_unclicked.key, "pending", OLD + timedelta(minutes=30)),
        plan(done.key, "done", OLD + timedelta(minutes=30)),
    )

    prune(store, Retention(), now=NOW)

    assert outbox_keys(store) == {waiting.key, applying.key}


def test_the_audit_log_is_kept_until_a_limit_is_configured(store: Store) -> None:
    add(store, audit(NOW - 4000 * DAY, "years ago"), audit(RECENT, "yesterday"))

    assert prune(store, Retention(), now=NOW).audit == 0
    assert audit_left(store) == ["years ago", "yesterday"]

    assert prune(store, Retention(audit_days=30), now=NOW) == PruneCounts(audit=1)
    assert audit_left(store) == ["yesterday"]


def test_the_audit_log_loses_only_its_oldest_unbroken_run(store: Store) -> None:
    # Inserted in this order; the fourth row's time is old but it follows a kept row, and
    # deleting it would leave a hole in the chain.
    add(
        store,
        audit(NOW - 40 * DAY, "first"),
        audit(NOW - 35 * DAY, "second"),
        audit(NOW - 29 * DAY, "third"),
        audit(NOW - 31 * DAY, "late writer"),
        audit(RECENT, "fifth"),
    )

    assert prune(store, Retention(audit_days=30), now=NOW, batch_size=1).audit == 2
    assert audit_left(store) == ["third", "late writer", "fifth"]


def test_everything_old_goes_when_nothing_in_the_log_is_recent(store: Store) -> None:
    add(store, *(audit(NOW - (40 - n) * DAY, f"r{n}") for n in range(5)))
    assert prune(store, Retention(audit_days=30), now=NOW, batch_size=2).audit == 5
    assert audit_left(store) == []


def test_rows_go_in_bounded_batches_each_committed_on_its_own(store: Store) -> None:
    add(store, *(inbound("done", OLD, OLD) for _ in range(5)))
    seen: list[str] = []

    def after_execute(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if statement.lstrip().upper().startswith("DELETE FROM INBOUND_EVENT"):
            seen.append("delete")

    def on_commit(_conn: Any) -> None:
        seen.append("commit")

    event.listen(store.engine, "after_cursor_execute", after_execute)
    event.listen(store.engine, "commit", on_commit)
    try:
        counts = prune(store, Retention(), now=NOW, batch_size=2)
    finally:
        event.remove(store.engine, "after_cursor_execute", after_execute)
        event.remove(store.engine, "commit", on_commit)

    assert counts == PruneCounts(inbox=5)
    # Two, two, then one row: a short batch ends the inbox's turn. The inbox goes first,
    # and each DELETE is committed before the next one runs.
    assert seen.count("delete") == 3
    assert seen[:6] == ["delete", "commit"] * 3
    assert inbox_left(store) == []


def test_now_must_be_timezone_aware(store: Store) -> None:
    with pytest.raises(ValueError, match="timezone-aware"):
        prune(store, Retention(), now=datetime(2026, 11, 28, 12))


def test_the_interval_is_far_shorter_than_the_shortest_limit() -> None:
    assert timedelta(minutes=5) <= PRUNE_INTERVAL <= DAY / 4
