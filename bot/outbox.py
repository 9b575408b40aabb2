"""The durable outbox: every outgoing chat message is a database row first, a platform call later.

Callers get a ref at once and never wait on the network. One sender thread delivers rows in
order per channel, paced per channel and per workspace, retries what may pass and records what
will not. A row is committed as `sending` before the call and as `sent` after it, and posts
carry their row's key, so after a crash the platform itself tells whether a post arrived:
nothing is lost and nothing is posted twice. It renders nothing (transports do, at send time)
and knows no vendor. One replica sends (the leader): each row it sends is claimed with its
owner, the lease epoch and an expiry, in a transaction that checks the lease is still its own,
so a deposed leader cannot send, and a claim left by a dead one is looked for before re-posting.

A reply meant for one person (`Reply.private_to`) goes out through the transport's ephemeral
call. No platform keeps such a message, so it can be neither looked for nor edited: it is
delivered at least once rather than exactly once, and an edit of it reaches the same person as
a new ephemeral message (see `_deliver_head`).
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, exists, func, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.chat.transport import ChatTransport, DeliveryFailed, DeliveryRefused, RateLimited
from bot.logs import get_logger
from bot.messages import Reply
from bot.outbox_json import reply_from_json, reply_to_json
from bot.outbox_pacing import Pacer
from bot.store.clock import database_now
from bot.store.engine import Store
from bot.store.tables import LeaderLease, OutboxMessage
from bot.work_scope import stable_name

log = get_logger(__name__)

#: Every ref the outbox hands out starts so; no platform id does (Slack ts are digits,
#: Mattermost ids are 26 letters and digits), so a thread given as one of ours is recognised.
REF_PREFIX = "outbox-"

PENDING, CLAIMED, SENT, FAILED = "pending", "claimed", "sent", "failed"
OPEN = (PENDING, CLAIMED)
POST, EDIT = "post", "edit"


@dataclass(frozen=True)
class Fence:
    """The lease a sender sends under: claims are taken only while it holds `epoch` of it."""

    lease: str
    holder: str
    epoch: int


def is_outbox_ref(value: str | None) -> bool:
    return value is not None and value.startswith(REF_PREFIX)


def _now() -> datetime:
    return datetime.now(UTC)


def _private_to(payload: Mapping[str, object]) -> str | None:
    """The person a queued reply is shown to alone (as `Reply.private_to`), read from its row."""
    audience = payload.get("audience")
    return str(audience) if payload.get("ephemeral") and audience else None


@dataclass(frozen=True)
class _EditTarget:
    """The post an edit applies to: its platform id once sent, and for an ephemeral post the
    person it was shown to."""

    platform_id: str | None
    settled: bool = False
    thread: str | None = None
    audience: str | None = None


@dataclass
class _Pass:
    """What one sender pass did: rows settled, and how long until something may be ready."""

    settled: int = 0
    wait: float = float("inf")

    def later(self, seconds: float) -> None:
        self.wait = min(self.wait, max(seconds, 0.0))


class OutboxConversation:
    """A channel (or a thread in it) as a `Conversation` whose messages go through the outbox."""

    def __init__(self, outbox: Outbox, platform: str, channel: str, thread: str | None) -> None:
        self.outbox = outbox
        self.platform = platform
        self.channel = channel
        self.thread = thread

    def post(self, reply: Reply) -> str:
        # A reply that names its own thread knows better than the conversation it came from.
        return self.outbox.enqueue_post(
            self.platform, self.channel, reply.thread or self.thread, reply
        )

    def edit(self, ref: str, reply: Reply) -> None:
        self.outbox.enqueue_edit(ref, reply)


class Outbox:
    def __init__(
        self,
        store: Store,
        transports: Mapping[str, ChatTransport],
        channel_interval: float = 1.0,
        workspace_per_second: float = 20.0,
        max_attempts: int = 8,
        *,
        retry_initial: float = 1.0,
        retry_max: float = 300.0,
        idle_poll: float = 2.0,
        owner: str = "local",
        claim_ttl: float = 60.0,
    ) -> None:
        """`retry_initial`/`retry_max` shape the backoff after a failed try (seconds);
        `idle_poll` bounds how long the sender sleeps when nothing wakes it (rows written by
        another process, a backoff that ended)."""
        if max_attempts < 1:
            raise ValueError("max_attempts must be at least 1")
        self.store = store
        self.transports = dict(transports)
        self.max_attempts = max_attempts
        self.idle_poll = idle_poll
        self.owner = owner
        self.claim_ttl = timedelta(seconds=claim_ttl)
        #: Set while sending under a leader lease; None in a lone process (console, tools).
        self.fence: Fence | None = None
        self._pacer = Pacer(
            channel_interval=channel_interval,
            workspace_per_second=workspace_per_second,
            retry_initial=retry_initial,
            retry_max=retry_max,
        )
        # One pass at a time: the sender thread and a caller of deliver_once()/drain() must not
        # send the same channel's rows side by side, and the pacer is not thread-safe.
        self._pass_lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._unconfigured_logged: set[str] = set()

    # -- what callers use --------------------------------------------------------------------
    def conversation(
        self, platform: str, channel: str, thread: str | None = None
    ) -> OutboxConversation:
        return OutboxConversation(self, platform, channel, thread)

    def enqueue_post(self, platform: str, channel: str, thread: str | None, reply: Reply) -> str:
        """Queue a new message; return its ref (usable as `thread` before it is even sent)."""
        key = REF_PREFIX + (stable_name("post") or uuid.uuid4().hex)
        row = OutboxMessage(
            key=key,
            ref=key,
            kind=POST,
            platform=platform,
            channel=channel,
            thread=thread,
            reply=reply_to_json(reply),
        )
        try:
            with self.store.session() as session:
                session.add(row)
        except IntegrityError:
            # The same work ran before (a re-run after a crash): its post is queued already.
            if not self._exists(key):
                raise
        self._wake.set()
        return key

    def _exists(self, key: str) -> bool:
        with self.store.session() as session:
            found = session.exec(select(OutboxMessage.id).where(OutboxMessage.key == key))
            return found.first() is not None

    def enqueue_edit(self, ref: str, reply: Reply) -> None:
        """Queue a replacement of message `ref`; an edit of it still waiting takes the new text."""
        payload = reply_to_json(reply)
        name = stable_name("edit")
        key = REF_PREFIX + (name or uuid.uuid4().hex)
        if name is not None and self._exists(key):
            return  # a re-run of work whose edit is queued (or sent) already
        with self.store.session() as session:
            # The write comes first: on SQLite a transaction that read before writing can be
            # refused outright when another connection wrote in between.
            merged = session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.ref) == ref)
                .where(col(OutboxMessage.kind) == EDIT)
                .where(col(OutboxMessage.status) == PENDING)
                .values(reply=payload)
            )
            if merged.rowcount == 0:
                post = session.exec(
                    select(OutboxMessage)
                    .where(OutboxMessage.key == ref)
                    .where(OutboxMessage.kind == POST)
                ).first()
                if post is None:
                    raise LookupError(f"the outbox has no message {ref!r} to edit")
                session.add(
                    OutboxMessage(
                        key=key,
                        ref=ref,
                        kind=EDIT,
                        platform=post.platform,
                        channel=post.channel,
                        reply=payload,
                    )
                )
        self._wake.set()

    def platform_id(self, ref: str) -> str | None:
        """The platform's id of message `ref` (Slack ts) once it is posted, else None."""
        if not is_outbox_ref(ref):
            return None
        with self.store.session() as session:
            return session.exec(
                select(OutboxMessage.platform_id)
                .where(OutboxMessage.key == ref)
                .where(OutboxMessage.kind == POST)
            ).first()

    def ref_for(self, platform: str, channel: str, platform_id: str) -> str | None:
        """The ref of the message Kuber posted as `platform_id` in `channel`, if it was ours."""
        with self.store.session() as session:
            return session.exec(
                select(OutboxMessage.key)
                .where(OutboxMessage.platform == platform)
                .where(OutboxMessage.channel == channel)
                .where(OutboxMessage.platform_id == platform_id)
                .where(OutboxMessage.kind == POST)
            ).first()

    def pending_count(self) -> int:
        """Rows not yet delivered nor given up on, of every platform."""
        return self._count_open(None)

    # -- the sender --------------------------------------------------------------------------
    def start(self, fence: Fence | None = None) -> None:
        """Send from a thread of its own; under `fence`, only while that lease term holds."""
        self.fence = fence
        if self._thread is not None and self._thread.is_alive():
            return
        self._stopping.clear()
        # A daemon: a platform call hanging at exit must not keep the process alive; every
        # row is in the database and the next start finishes the job.
        self._thread = threading.Thread(target=self._run, name="outbox-sender", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 10) -> bool:
        """Stop sending; False when a call was still in flight after `timeout` seconds.

        A row in flight stays claimed by this replica: whoever sends next waits for the
        claim to end and then asks the platform whether the post arrived before posting it.
        """
        self._stopping.set()
        self._wake.set()
        thread, self._thread = self._thread, None
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("outbox_sender_still_in_flight", seconds=timeout)
                return False
        return True

    def drain(self, timeout: float = 30) -> bool:
        """Wait until every row of a configured platform is sent or failed; False on timeout.

        Rows of platforms without a transport are not waited for: nothing here can send them.
        """
        deadline = time.monotonic() + timeout
        while True:
            if self._count_open(tuple(self.transports)) == 0:
                return True
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return False
            if self._thread is not None and self._thread.is_alive():
                self._wake.set()
                time.sleep(min(0.02, remaining))
                continue
            done = self._deliver_pass()
            if not done.settled:
                time.sleep(min(done.wait, self.idle_poll, remaining))

    def deliver_once(self) -> int:
        """One pass over the queue; the number of rows that left it (sent, or failed for good).

        A pass sends at most one row per channel, so channels take turns.
        """
        return self._deliver_pass().settled

    def _run(self) -> None:
        while not self._stopping.is_set():
            # Cleared before the pass, so an enqueue during the pass still wakes the next one.
            self._wake.clear()
            try:
                done = self._deliver_pass()
            except Exception:
                # The database may be away for a moment; the rows are safe, try again soon.
                log.exception("outbox_pass_failed")
                done = _Pass(wait=self.idle_poll)
            if done.settled:
                continue
            self._wake.wait(min(done.wait, self.idle_poll))

    def _deliver_pass(self) -> _Pass:
        done = _Pass()
        with self._pass_lock:
            for head in self._heads():
                transport = self.transports.get(head.platform)
                if transport is None:
                    if head.platform not in self._unconfigured_logged:
                        self._unconfigured_logged.add(head.platform)
                        log.warning("outbox_platform_not_configured", platform=head.platform)
                    continue
                try:
                    self._deliver_head(head, transport, done)
                except Exception:
                    # One channel's trouble (a database hiccup while recording) must not hold
                    # up the others; its row is still in the table for the next pass.
                    log.exception("outbox_row_failed", key=head.key, channel=head.channel)
                    done.later(self.idle_poll)
        return done

    def _heads(self) -> list[OutboxMessage]:
        """The oldest unfinished row of each channel, oldest first: only these may go now."""
        with self.store.session() as session:
            first = (
                select(
                    OutboxMessage.platform,
                    OutboxMessage.channel,
                    func.min(OutboxMessage.id).label("head_id"),
                )
                .where(col(OutboxMessage.status).in_(OPEN))
                .group_by(col(OutboxMessage.platform), col(OutboxMessage.channel))
                .subquery()
            )
            rows = session.exec(
                select(OutboxMessage)
                .join(first, col(OutboxMessage.id) == first.c.head_id)
                .order_by(col(OutboxMessage.id))
            )
            return list(rows)

    def _count_open(self, platforms: tuple[str, ...] | None) -> int:
        query = select(func.count()).where(col(OutboxMessage.status).in_(OPEN))
        if platforms is not None:
            query = query.where(col(OutboxMessage.platform).in_(platforms))
        with self.store.session() as session:
            return int(session.exec(query).one())

    # -- one row -----------------------------------------------------------------------------
    def _deliver_head(self, row: OutboxMessage, transport: ChatTransport, done: _Pass) -> None:
        if row.not_before is not None:
            wait = (row.not_before - _now()).total_seconds()
            if wait > 0:
                done.later(wait)
                return
        paused = self._pacer.paused_for(row.platform, row.channel)
        if paused > 0:
            done.later(paused)
            return

        if row.status == CLAIMED and row.claimed_until is not None:
            # Another sender (or an earlier one of ours) has it: wait for that claim to end.
            wait = (row.claimed_until - _now()).total_seconds()
            if wait > 0:
                done.later(min(wait, self.idle_poll))
                return

        target = _EditTarget(None)
        thread: str | None = None
        if row.kind == EDIT:
            target = self._edit_target(row)
            thread = target.thread
            if target.platform_id is None:
                if target.settled:
                    done.settled += 1
                else:
                    done.later(self.idle_poll)
                return
        else:
            ready, thread = self._thread_for(row)
            if not ready:
                done.later(self.idle_poll)
                return

        wait = self._pacer.take(row.platform, row.channel)
        if wait > 0:
            done.later(wait)
            return
        claimed = self._claim(row.id)
        if claimed is None:
            return  # settled or claimed elsewhere since the scan, or the lease is gone
        # The last try (or a sender that died mid-call) may have reached the platform: ask
        # before posting again.
        maybe_there = row.status == CLAIMED or row.maybe_sent
        # An ephemeral post is never looked for: no platform keeps one (it is in no history),
        # so there is nothing to find. After an uncertain try it is sent again, not dropped:
        # a second copy is seen by that one person only and is gone at their next reload,
        # while a dropped one leaves them without the answer they asked for (their help, a
        # refusal). Ephemeral posts are therefore delivered at least once, not exactly once.
        ephemeral = claimed.kind == POST and _private_to(claimed.reply) is not None
        looked = claimed.kind == POST and maybe_there and not ephemeral
        if looked and self._look_for_post(claimed, transport, thread, done):
            return
        try:
            # Decoded inside the try: a row that cannot be read fails like any bad try would.
            reply = reply_from_json(dict(claimed.reply))
            platform_id = self._send(claimed, transport, reply, target, thread)
        except RateLimited as exc:
            self._rate_limited(claimed, exc)
            done.later(exc.delay or 1.0)
        except DeliveryRefused as exc:
            self._fail(claimed, str(exc))
            done.settled += 1
        except Exception as exc:  # DeliveryFailed, and anything a transport did not map
            if not isinstance(exc, DeliveryFailed):
                log.exception("outbox_transport_error", platform=claimed.platform)
            if self._retry_later(claimed, exc):
                done.settled += 1
            done.later(0.0)
        else:
            self._mark_sent(claimed, platform_id)
            done.settled += 1

    def _send(
        self,
        row: OutboxMessage,
        transport: ChatTransport,
        reply: Reply,
        target: _EditTarget,
        thread: str | None,
    ) -> str:
        """Make the platform call for a claimed row; the platform id to record for it."""
        if row.kind == EDIT:
            assert target.platform_id is not None
            if target.audience is None:
                transport.send_edit(row.channel, target.platform_id, reply, thread)
                return target.platform_id
            # Neither platform can edit an ephemeral message (it keeps none to edit): the
            # new version reaches the same person as a new one, never the whole channel.
            private = replace(reply, ephemeral=True, audience=target.audience)
            return transport.send_ephemeral(row.channel, target.audience, private, thread)
        audience = reply.private_to
        if audience is not None:
            return transport.send_ephemeral(row.channel, audience, reply, thread)
        return transport.send_post(row.channel, reply, thread, row.key)

    def _edit_target(self, row: OutboxMessage) -> _EditTarget:
        """The post an edit applies to (its platform id stays None until it is sent).

        An edit of a post that never made it becomes a post of its own: it carries the
        latest word on the command (often its result), which must not be lost with the post.
        """
        with self.store.session() as session:
            post = session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.key == row.ref)
                .where(OutboxMessage.kind == POST)
            ).first()
        audience = _private_to(post.reply) if post is not None else None
        if post is not None and post.platform_id is not None:
            return _EditTarget(post.platform_id, False, self._thread_for(post)[1], audience)
        if post is None or post.status == FAILED:
            with self.store.session() as session:
                orphan = session.get(OutboxMessage, row.id)
                if orphan is not None:
                    orphan.kind = POST
                    orphan.thread = post.thread if post is not None else None
                    if audience is not None:
                        # Still for that person alone: an edit never makes a reply public.
                        orphan.reply = {**orphan.reply, "ephemeral": True, "audience": audience}
                    session.add(orphan)
            log.warning("outbox_edit_posted_instead", key=row.key, ref=row.ref)
            return _EditTarget(None, settled=True)
        return _EditTarget(None)

    def _thread_for(self, row: OutboxMessage) -> tuple[bool, str | None]:
        """(ready, platform thread id): a thread given as our ref waits for its root's id."""
        if not is_outbox_ref(row.thread):
            return True, row.thread
        with self.store.session() as session:
            root = session.exec(
                select(OutboxMessage)
                .where(OutboxMessage.key == row.thread)
                .where(OutboxMessage.kind == POST)
            ).first()
        if root is not None and _private_to(root.reply) is not None:
            # No platform threads under an ephemeral message (nobody else sees it, and it is
            # not kept): a reply to one goes where that message was shown.
            return self._thread_for(root)
        if root is not None and root.platform_id is not None:
            return True, root.platform_id
        if root is None or root.status == FAILED:
            # Better in the channel than nowhere: the reply still says what happened.
            log.warning("outbox_thread_root_missing", key=row.key, root=row.thread)
            return True, None
        return False, None

    def _look_for_post(
        self, row: OutboxMessage, transport: ChatTransport, thread: str | None, done: _Pass
    ) -> bool:
        """True when the question is settled for this pass (found, or it must wait)."""
        try:
            found = transport.find_sent(row.channel, row.key, thread)
        except RateLimited as exc:
            self._pause(row, exc)
            self._release(row, attempts=max(0, row.attempts - 1))
            done.later(exc.delay or 1.0)
            return True
        except DeliveryRefused as exc:
            # Without a way to look (a missing scope, say), a duplicate beats a lost message.
            log.warning("outbox_cannot_look_for_post", key=row.key, error=str(exc))
            found = None
        except Exception as exc:
            if not isinstance(exc, DeliveryFailed):
                log.exception("outbox_transport_error", platform=row.platform)
            # Looking counts as a try (the claim counted it), or a platform that never
            # answers would be asked forever.
            if self._retry_later(row, exc):
                done.settled += 1
            done.later(0.0)
            return True
        if found is not None:
            log.info("outbox_found_delivered", key=row.key, platform_id=found)
            self._mark_sent(row, found)
            done.settled += 1
            return True
        # Not there: recorded, so a retry of this post does not ask again.
        self._update(row, maybe_sent=False)
        return False

    # -- recording ---------------------------------------------------------------------------
    def _claim(self, row_id: int | None) -> OutboxMessage | None:
        """Claim the row for this sender (committed) and read it back as it is now.

        Only a pending row or an expired claim is taken, and only while the lease term this
        sender runs under is still the current one: the check and the claim are one statement.
        Reading after the write matters: an edit merged into this row a moment ago must be
        the content sent, since later merges go to a new row once this one is claimed.
        """
        fence = self.fence
        with self.store.session() as session:
            now = database_now(session)
            claim = (
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row_id)
                .where(
                    or_(
                        col(OutboxMessage.status) == PENDING,
                        and_(
                            col(OutboxMessage.status) == CLAIMED,
                            col(OutboxMessage.claimed_until) < now,
                        ),
                    )
                )
                .values(
                    status=CLAIMED,
                    owner=self.owner,
                    epoch=fence.epoch if fence else None,
                    claimed_until=now + self.claim_ttl,
                    attempts=OutboxMessage.attempts + 1,
                )
            )
            if fence is not None:
                claim = claim.where(
                    exists()
                    .where(col(LeaderLease.name) == fence.lease)
                    .where(col(LeaderLease.holder) == fence.holder)
                    .where(col(LeaderLease.epoch) == fence.epoch)
                    .where(col(LeaderLease.expires_at) >= now)
                )
            claimed = session.exec(claim)
            if claimed.rowcount != 1:
                return None
            return session.get(OutboxMessage, row_id, populate_existing=True)

    def _mark_sent(self, row: OutboxMessage, platform_id: str) -> None:
        if not self._update(
            row,
            status=SENT,
            platform_id=platform_id,
            sent_at=_now(),
            maybe_sent=False,
            not_before=None,
            error=None,
        ):
            # Our claim ran out during the call and another sender took the row over: it will
            # find this post by its key instead of posting again.
            log.warning("outbox_claim_lost", key=row.key, platform_id=platform_id)

    def _release(self, row: OutboxMessage, **values: Any) -> bool:
        """Hand the claimed row back as pending (to be tried again)."""
        return self._update(row, status=PENDING, owner=None, claimed_until=None, **values)

    def _update(self, row: OutboxMessage, **values: Any) -> bool:
        """Record on a row this sender claimed; False when the claim is no longer ours."""
        with self.store.session() as session:
            result = session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.id) == row.id)
                .where(col(OutboxMessage.owner) == self.owner)
                .where(col(OutboxMessage.status) == CLAIMED)
                .where(
                    col(OutboxMessage.epoch).is_(None)
                    if row.epoch is None
                    else col(OutboxMessage.epoch) == row.epoch
                )
                .values(**values)
            )
            return bool(result.rowcount)

    def hand_back(self) -> int:
        """Release every claim of this sender (at shutdown): the rows are pending again and
        marked as possibly sent, so the next sender looks for them before posting."""
        with self.store.session() as session:
            result = session.exec(
                update(OutboxMessage)
                .where(col(OutboxMessage.owner) == self.owner)
                .where(col(OutboxMessage.status) == CLAIMED)
                .values(status=PENDING, owner=None, claimed_until=None, maybe_sent=True)
            )
            return int(result.rowcount)

    def _pause(self, row: OutboxMessage, exc: RateLimited) -> None:
        seconds = exc.delay if exc.delay is not None else 1.0
        if exc.scope == "workspace":
            self._pacer.pause_platform(row.platform, seconds)
        else:
            self._pacer.pause_channel(row.platform, row.channel, seconds)
        log.info("outbox_rate_limited", platform=row.platform, channel=row.channel, seconds=seconds)

    def _rate_limited(self, row: OutboxMessage, exc: RateLimited) -> None:
        # The platform turned the call away unread: it neither counts as a try nor may have
        # arrived, so the row simply waits its turn again.
        self._pause(row, exc)
        self._release(row, attempts=max(0, row.attempts - 1))

    def _retry_later(self, row: OutboxMessage, exc: Exception) -> bool:
        """Schedule another try, or give up after `max_attempts`; True when it gave up."""
        if row.attempts >= self.max_attempts:
            self._fail(row, f"gave up after {row.attempts} tries: {exc}", attempts=row.attempts)
            return True
        delay = self._pacer.backoff(row.attempts)
        if isinstance(exc, DeliveryFailed) and exc.delay:
            delay = max(delay, exc.delay)
        log.warning(
            "outbox_retry",
            key=row.key,
            platform=row.platform,
            channel=row.channel,
            attempt=row.attempts,
            in_seconds=round(delay, 2),
            error=str(exc),
        )
        self._release(
            row,
            # A post whose call failed midway may have arrived all the same.
            maybe_sent=row.kind == POST,
            not_before=_now() + timedelta(seconds=delay),
            error=str(exc),
        )
        return False

    def _fail(self, row: OutboxMessage, error: str, **values: Any) -> None:
        log.error(
            "outbox_delivery_failed",
            key=row.key,
            kind=row.kind,
            platform=row.platform,
            channel=row.channel,
            attempts=row.attempts,
            error=error,
        )
        self._update(
            row,
            status=FAILED,
            owner=None,
            claimed_until=None,
            error=error,
            not_before=None,
            **values,
        )
