"""Retention: deleting finished inbox, outbox and audit rows once they are older than
kuber.yaml's `retention:` allows, so these tables stop growing forever.

The leader calls `prune` every `PRUNE_INTERVAL`. It must never delete a row that work still
depends on: an unfinished inbox or outbox row, or a post that a kept row still needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Final

from sqlalchemy import and_, delete, func, or_
from sqlalchemy.orm import aliased
from sqlmodel import col, select

from bot.logs import get_logger
from bot.settings import Retention
from bot.store import Store
from bot.store.tables import CommandRecord, InboundEvent, OutboxMessage, PendingAction

log = get_logger(__name__)

#: How often the leader prunes: the limits are counted in days, so an hour late costs nothing.
PRUNE_INTERVAL: Final = timedelta(hours=1)
#: Rows deleted per statement, each in its own transaction (see `prune`).
BATCH_SIZE: Final = 500

# Final states only. A state these modules add later (a new kind of claim, say) is kept until
# it is listed here: retention errs on the side of keeping.
INBOX_FINISHED: Final = ("done", "failed")
OUTBOX_FINISHED: Final = ("sent", "failed")
#: A plan in any other state may still edit the message that shows it.
PLAN_SETTLED: Final = ("cancelled", "expired", "done", "failed")


@dataclass(frozen=True)
class PruneCounts:
    """How many rows one `prune` deleted from each table."""

    inbox: int = 0
    outbox: int = 0
    audit: int = 0

    @property
    def total(self) -> int:
        return self.inbox + self.outbox + self.audit


def prune(
    store: Store,
    retention: Retention,
    *,
    now: datetime | None = None,
    batch_size: int = BATCH_SIZE,
) -> PruneCounts:
    """Delete finished rows older than `retention`'s limits; return how many went.

    Rows go in batches of `batch_size`, each batch its own short transaction: one DELETE of
    a month of rows would hold its locks (on SQLite, the whole database) for as long as it
    runs, stalling the outbox sender and every inbox write meanwhile; between batches they
    get their turn. Each batch commits, so an interrupted prune keeps what it did and the
    next one carries on.

    - inbox: `done`/`failed` rows, aged by `finished_at` (else `received_at`). Their dedupe
      keys go with them, which is safe: platforms redeliver within minutes, not days.
    - outbox: `sent`/`failed` rows, aged by `sent_at` (else `created_at`), except a post
      another row still refers to (see `_prune_outbox`).
    - audit: only when `audit_days` is set, and only the oldest rows as one unbroken run
      (see `_prune_audit`).
    """
    now = datetime.now(UTC) if now is None else now
    if now.utcoffset() is None:
        raise ValueError("now must be timezone-aware")
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    counts = PruneCounts(
        inbox=_prune_inbox(store, now - timedelta(days=retention.inbox_days), batch_size),
        outbox=_prune_outbox(store, now - timedelta(days=retention.outbox_days), now, batch_size),
        audit=(
            _prune_audit(store, now - timedelta(days=retention.audit_days), batch_size)
            if retention.audit_days is not None
            else 0
        ),
    )
    if counts.total:
        log.info("retention_pruned", inbox=counts.inbox, outbox=counts.outbox, audit=counts.audit)
    return counts


def _prune_inbox(store: Store, cutoff: datetime, batch_size: int) -> int:
    finished = col(InboundEvent.status).in_(INBOX_FINISHED)
    old = and_(
        func.coalesce(col(InboundEvent.finished_at), col(InboundEvent.received_at)) < cutoff,
        # Implied (a row finishes after it arrives) but indexed: the scan starts narrow.
        col(InboundEvent.received_at) < cutoff,
    )
    total = 0
    while True:
        batch = select(col(InboundEvent.id)).where(finished, old).limit(batch_size)
        with store.session() as session:
            # The state is checked again on the rows themselves: the batch is only a choice.
            deleted = session.exec(
                delete(InboundEvent).where(col(InboundEvent.id).in_(batch), finished)
            ).rowcount
        total += deleted
        if deleted < batch_size:
            return total


def _prune_outbox(store: Store, cutoff: datetime, now: datetime, batch_size: int) -> int:
    """Delete finished outbox rows older than `cutoff`, keeping posts still referred to.

    The sender resolves an edit against its post (`ref` is the post's key) and a thread reply
    against its root (`thread` holds the root's key), every time it sends one, and again for
    an edit of a reply (its buttons name the thread). A missing post turns an edit into a new
    post and sends a reply to the channel instead of the thread. So a post goes only when no
    other row names it: a kept edit or reply keeps its post, and the post then keeps its own
    root. Once a batch has taken the rows that named a post, a later batch may take the post:
    the loop runs until a batch deletes nothing.

    A plan still waiting for its click (or being applied) also keeps its post: the click
    edits the message that shows the plan.

    An edit or reply enqueued while its old post is being deleted finds the post gone; the
    sender then does what it does for a post that never arrived. With limits in days this
    needs a message edited again after a week of silence, and then costs a fresh post.
    """
    finished = col(OutboxMessage.status).in_(OUTBOX_FINISHED)
    # Anti-joins rather than NOT EXISTS: `thread` has no index, and SQLite runs a correlated
    # subquery as a scan of the table per row, but builds an index for a join once.
    naming_by_ref = aliased(OutboxMessage)
    naming_as_thread = aliased(OutboxMessage)
    live_plan = or_(
        and_(col(PendingAction.status) == "pending", col(PendingAction.expires_at) > now),
        col(PendingAction.status).not_in((*PLAN_SETTLED, "pending")),
    )
    total = 0
    while True:
        batch = (
            select(col(OutboxMessage.id))
            .outerjoin(
                naming_by_ref,
                and_(
                    col(naming_by_ref.ref) == col(OutboxMessage.key),
                    # A post's own ref is its key: only another row's counts.
                    col(naming_by_ref.id) != col(OutboxMessage.id),
                ),
            )
            .outerjoin(naming_as_thread, col(naming_as_thread.thread) == col(OutboxMessage.key))
            .outerjoin(
                PendingAction,
                and_(col(PendingAction.message_ref) == col(OutboxMessage.key), live_plan),
            )
            .where(
                finished,
                func.coalesce(col(OutboxMessage.sent_at), col(OutboxMessage.created_at)) < cutoff,
                col(naming_by_ref.id).is_(None),
                col(naming_as_thread.id).is_(None),
                col(PendingAction.id).is_(None),
            )
            .limit(batch_size)
        )
        with store.session() as session:
            deleted = session.exec(
                delete(OutboxMessage).where(col(OutboxMessage.id).in_(batch), finished)
            ).rowcount
        total += deleted
        if deleted == 0:
            return total


def _prune_audit(store: Store, cutoff: datetime, batch_size: int) -> int:
    """Delete the audit log's oldest rows, up to the first row at or after `cutoff`.

    Only an unbroken run from the start goes, never a row that follows a kept one (clocks
    and concurrent writers can order `at` slightly differently from `id`): the audit log is
    meant to be a hash chain checked link by link, and a chain that lost its oldest links
    can still be checked from its new first row, while one with holes cannot.
    """
    with store.session() as session:
        first_kept = session.exec(
            select(func.min(col(CommandRecord.id))).where(col(CommandRecord.at) >= cutoff)
        ).one()
    old = col(CommandRecord.at) < cutoff
    if first_kept is not None:
        old = and_(old, col(CommandRecord.id) < first_kept)
    total = 0
    while True:
        # Oldest first: a prune interrupted between batches still leaves an unbroken log.
        batch = (
            select(col(CommandRecord.id))
            .where(old)
            .order_by(col(CommandRecord.id))
            .limit(batch_size)
        )
        with store.session() as session:
            deleted = session.exec(
                delete(CommandRecord).where(col(CommandRecord.id).in_(batch))
            ).rowcount
        total += deleted
        if deleted < batch_size:
            return total
