"""The inbox: every verified message and button click is stored before it is acknowledged.

After a platform gets its 200 it never sends that request again, so a crash between the
acknowledgement and the work would lose the command. Adapters call `accept_*` (a quick
insert) before answering; the replica that took the request processes it under a claim
(`owner`, `epoch`, `claimed_until`) that its heartbeat keeps renewing. The leader's recovery
takes only rows nobody claims and claims that expired (their replica died), and a replica
whose claim was taken over cannot record an outcome. A row may so be processed twice; the
second run names its plans and messages as the first did (`work_scope`), so it adds nothing.
Platform event ids are unique keys, so a redelivery is refused on any replica.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import asdict, replace
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, Protocol

from sqlalchemy import and_, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col, select

from bot.conversation import Conversation
from bot.dispatch import ActionClick, Dispatcher
from bot.logs import get_logger
from bot.messages import Actor, Incoming
from bot.store import Store
from bot.store.clock import database_now
from bot.store.tables import InboundEvent
from bot.work_scope import work_scope

log = get_logger(__name__)

Conversations = Callable[[str, str, str | None], Conversation]
Submit = Callable[[Callable[[], None]], None]
#: Display name of a platform's user id, looked up when the work runs (not before the ack).
NameLookup = Callable[[str], str]

#: A row that crashed the process this many times is set aside instead of crashing it again.
MAX_ATTEMPTS = 3
PENDING, CLAIMED, DONE, FAILED = "pending", "claimed", "done", "failed"


class Receiver(Protocol):
    """What a chat adapter hands verified input to (blocking: call it off the event loop)."""

    def accept_message(self, incoming: Incoming, *, dedupe_key: str | None = None) -> bool: ...

    def accept_click(self, click: ActionClick) -> bool: ...


class Inbox:
    def __init__(
        self,
        store: Store,
        dispatcher: Dispatcher,
        conversations: Conversations,
        submit: Submit,
        submit_click: Submit | None = None,
        *,
        owner: str = "local",
        claim_ttl: float = 30.0,
        names: Mapping[str, NameLookup] | None = None,
    ) -> None:
        """`submit_click` runs clicks apart from messages: an approval follows its rollout
        for minutes, and a pool full of rollouts must not hold up a Cancel or a question."""
        self.store = store
        self.dispatcher = dispatcher
        self.conversations = conversations
        self.submit = submit
        self.submit_click = submit_click or submit
        self.owner = owner
        self.claim_ttl = timedelta(seconds=claim_ttl)
        self.names = dict(names or {})

    def accept_message(self, incoming: Incoming, *, dedupe_key: str | None = None) -> bool:
        """Store and schedule; False when `dedupe_key` (by default the platform's id of the
        message) was taken already: a redelivery, to whichever replica it came."""
        key = dedupe_key or incoming.message_id
        return self._accept(incoming.platform, "message", asdict(incoming), key)

    def accept_click(self, click: ActionClick) -> bool:
        return self._accept(click.platform, "click", asdict(click), None)

    def recover(self, limit: int = 200) -> int:
        """Claim and schedule what nobody is working on: rows handed back, and rows whose
        replica died (its claim expired). Run by the leader, again and again."""
        with self.store.session() as session:
            now = database_now(session)
            rows = session.exec(
                select(InboundEvent)
                .where(
                    or_(
                        col(InboundEvent.status) == PENDING,
                        and_(
                            col(InboundEvent.status) == CLAIMED,
                            col(InboundEvent.claimed_until) < now,
                        ),
                    )
                )
                .order_by(col(InboundEvent.id))
                .limit(limit)
                # Replicas recovering at once skip each other's rows instead of waiting.
                .with_for_update(skip_locked=True)
            ).all()
            taken = []
            for row in rows:
                row.status = CLAIMED
                row.owner = self.owner
                row.epoch += 1
                row.claimed_until = now + self.claim_ttl
                session.add(row)
                taken.append((row.id, row.kind, row.epoch))
        for event_id, kind, epoch in taken:
            if event_id is not None:
                self._schedule(event_id, kind, epoch)
        if taken:
            log.info("resuming commands left unfinished", count=len(taken))
        return len(taken)

    def hand_back(self) -> int:
        """Release this replica's claims (at shutdown), so the leader takes them at once."""
        with self.store.session() as session:
            result = session.exec(
                update(InboundEvent)
                .where(col(InboundEvent.owner) == self.owner)
                .where(col(InboundEvent.status) == CLAIMED)
                .values(status=PENDING, owner=None, claimed_until=None)
            )
            return int(result.rowcount)

    def _accept(
        self, platform: str, kind: str, payload: dict[str, Any], dedupe_key: str | None
    ) -> bool:
        try:
            with self.store.session() as session:
                now = database_now(session)
                row = InboundEvent(
                    platform=platform,
                    kind=kind,
                    payload=payload,
                    dedupe_key=f"{platform}:{dedupe_key}" if dedupe_key else None,
                    status=CLAIMED,
                    owner=self.owner,
                    epoch=1,
                    claimed_until=now + self.claim_ttl,
                )
                session.add(row)
                session.flush()
                event_id = row.id
        except IntegrityError:
            if dedupe_key is None:
                raise
            log.info("redelivery ignored", platform=platform, event_id=dedupe_key)
            return False
        assert event_id is not None
        self._schedule(event_id, kind, 1)
        return True

    def _schedule(self, event_id: int, kind: str, epoch: int) -> None:
        submit = self.submit_click if kind == "click" else self.submit
        submit(partial(self.process, event_id, epoch))

    def process(self, event_id: int, epoch: int) -> None:
        """Run one stored event through the dispatcher and record how it ended."""
        with self.store.session() as session:
            row = session.get(InboundEvent, event_id)
            if row is None or not self._ours(row, epoch):
                return
            if row.attempts >= MAX_ATTEMPTS:
                log.error("command set aside after repeated crashes", event_id=event_id)
                self._finish(event_id, epoch, FAILED)
                return
            # Counted before the work: a crash mid-way still counts as an attempt.
            row.attempts += 1
            session.add(row)
            kind = row.kind
            payload: dict[str, Any] = dict(row.payload)
        try:
            with work_scope(f"inbound-{event_id}"):
                self._run(kind, payload)
            status = DONE
        except Exception:
            log.exception("command processing failed", event_id=event_id)
            status = FAILED
        self._finish(event_id, epoch, status)

    def _ours(self, row: InboundEvent, epoch: int) -> bool:
        return row.status == CLAIMED and row.owner == self.owner and row.epoch == epoch

    def _run(self, kind: str, payload: dict[str, Any]) -> None:
        actor = self._named(payload["platform"], Actor(**payload["actor"]))
        if kind == "message":
            incoming = Incoming(**{**payload, "actor": actor})
            conversation = self.conversations(incoming.platform, incoming.channel, incoming.thread)
            self.dispatcher.handle_message(incoming, conversation)
        else:
            click = ActionClick(**{**payload, "actor": actor})
            conversation = self.conversations(click.platform, click.channel, click.thread)
            self.dispatcher.handle_action(click, conversation)

    def _named(self, platform: str, actor: Actor) -> Actor:
        """Fill in a display name the adapter left as the bare id (it acknowledged first)."""
        lookup = self.names.get(platform)
        if lookup is None or actor.name != actor.id:
            return actor
        return replace(actor, name=lookup(actor.id))

    def _finish(self, event_id: int, epoch: int, status: str) -> None:
        with self.store.session() as session:
            finished = session.exec(
                update(InboundEvent)
                .where(col(InboundEvent.id) == event_id)
                .where(col(InboundEvent.owner) == self.owner)
                .where(col(InboundEvent.epoch) == epoch)
                .where(col(InboundEvent.status) == CLAIMED)
                .values(
                    status=status, owner=None, claimed_until=None, finished_at=datetime.now(UTC)
                )
            )
            if not finished.rowcount:
                log.warning("inbox claim lost before the outcome was recorded", event_id=event_id)
