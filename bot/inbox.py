"""The inbox: every verified message and button click is stored before it is acknowledged.

After a platform gets its 200 it never sends that request again, so a crash between the
acknowledgement and the work would lose the command. Adapters call `accept_*` (a quick
insert) before answering; workers process rows from here; a restart re-runs the rows a crash
left pending. Processing is at least once: approvals are decided at most once by the
dispatcher, so running a click twice cannot apply a plan twice.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict
from datetime import UTC, datetime
from functools import partial
from typing import Any, Protocol

from sqlmodel import col, select

from bot.conversation import Conversation
from bot.dispatch import ActionClick, Dispatcher
from bot.logs import get_logger
from bot.messages import Actor, Incoming
from bot.store import Store
from bot.store.tables import InboundEvent

log = get_logger(__name__)

Conversations = Callable[[str, str, str | None], Conversation]
Submit = Callable[[Callable[[], None]], None]

#: A row that crashed the process this many times is set aside instead of crashing it again.
MAX_ATTEMPTS = 3


class Receiver(Protocol):
    """What a chat adapter hands verified input to (blocking: call it off the event loop)."""

    def accept_message(self, incoming: Incoming) -> None: ...

    def accept_click(self, click: ActionClick) -> None: ...


class Inbox:
    def __init__(
        self,
        store: Store,
        dispatcher: Dispatcher,
        conversations: Conversations,
        submit: Submit,
        submit_click: Submit | None = None,
    ) -> None:
        """`submit_click` runs clicks apart from messages: an approval follows its rollout
        for minutes, and a pool full of rollouts must not hold up a Cancel or a question."""
        self.store = store
        self.dispatcher = dispatcher
        self.conversations = conversations
        self.submit = submit
        self.submit_click = submit_click or submit

    def accept_message(self, incoming: Incoming) -> None:
        self._accept(incoming.platform, "message", asdict(incoming))

    def accept_click(self, click: ActionClick) -> None:
        self._accept(click.platform, "click", asdict(click))

    def recover(self) -> int:
        """Process what a previous run accepted but did not finish; return how many."""
        with self.store.session() as session:
            rows = session.exec(
                select(InboundEvent.id, InboundEvent.kind)
                .where(col(InboundEvent.status) == "pending")
                .order_by(col(InboundEvent.id))
            ).all()
        for event_id, kind in rows:
            if event_id is not None:
                self._schedule(event_id, kind)
        if rows:
            log.info("resuming commands left unfinished", count=len(rows))
        return len(rows)

    def _accept(self, platform: str, kind: str, payload: dict[str, Any]) -> None:
        row = InboundEvent(platform=platform, kind=kind, payload=payload)
        with self.store.session() as session:
            session.add(row)
            session.flush()
            event_id = row.id
        assert event_id is not None
        self._schedule(event_id, kind)

    def _schedule(self, event_id: int, kind: str) -> None:
        submit = self.submit_click if kind == "click" else self.submit
        submit(partial(self.process, event_id))

    def process(self, event_id: int) -> None:
        """Run one stored event through the dispatcher and mark it done."""
        with self.store.session() as session:
            row = session.get(InboundEvent, event_id)
            if row is None or row.status != "pending":
                return
            if row.attempts >= MAX_ATTEMPTS:
                row.status = "failed"
                row.finished_at = datetime.now(UTC)
                session.add(row)
                log.error("command set aside after repeated crashes", event_id=event_id)
                return
            # Counted before the work: a crash mid-way still counts as an attempt.
            row.attempts += 1
            session.add(row)
            kind = row.kind
            payload: dict[str, Any] = dict(row.payload)
        try:
            if kind == "message":
                incoming = Incoming(**{**payload, "actor": Actor(**payload["actor"])})
                conversation = self.conversations(
                    incoming.platform, incoming.channel, incoming.thread
                )
                self.dispatcher.handle_message(incoming, conversation)
            else:
                click = ActionClick(**{**payload, "actor": Actor(**payload["actor"])})
                conversation = self.conversations(click.platform, click.channel, click.thread)
                self.dispatcher.handle_action(click, conversation)
            status = "done"
        except Exception:
            log.exception("command processing failed", event_id=event_id)
            status = "failed"
        with self.store.session() as session:
            row = session.get(InboundEvent, event_id)
            if row is not None:
                row.status = status
                row.finished_at = datetime.now(UTC)
                session.add(row)
