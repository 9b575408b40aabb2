"""This replica's heartbeat: it keeps renewing every claim the replica holds.

Claims are short (tens of seconds) so that a replica that dies is noticed quickly, while its
work (a command, a plan being applied, a rollout being followed, the lock on its target) may
take minutes. One periodic statement per table renews them all; when the process dies, the
renewals stop and the claims run out, and the leader takes the work over.
"""

from __future__ import annotations

import threading
from datetime import timedelta

from sqlalchemy import update
from sqlmodel import col

from bot.logs import get_logger
from bot.store import Store
from bot.store.clock import database_now
from bot.store.tables import InboundEvent, OperationLock, PendingAction

log = get_logger(__name__)


class Heartbeat:
    def __init__(self, store: Store, owner: str, *, ttl: float = 30.0) -> None:
        self.store = store
        self.owner = owner
        self.ttl = timedelta(seconds=ttl)
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def beat(self) -> None:
        """Push every claim of this replica `ttl` past the database's now."""
        with self.store.session() as session:
            until = database_now(session) + self.ttl
            session.exec(
                update(InboundEvent)
                .where(col(InboundEvent.owner) == self.owner)
                .where(col(InboundEvent.status) == "claimed")
                .values(claimed_until=until)
            )
            session.exec(
                update(PendingAction)
                .where(col(PendingAction.owner) == self.owner)
                .where(col(PendingAction.status).in_(("approved", "applying")))
                .values(claimed_until=until)
            )
            session.exec(
                update(OperationLock)
                .where(col(OperationLock.owner) == self.owner)
                .values(expires_at=until)
            )

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name="heartbeat", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None

    def _run(self) -> None:
        # A third of the TTL: two beats may fail before any claim is at risk.
        while not self._stop.wait(self.ttl.total_seconds() / 3):
            try:
                self.beat()
            except Exception as exc:
                log.warning("heartbeat failed", owner=self.owner, error=repr(exc))
