"""A leader lease in the database: of several replicas, one holds it and does the work only
one may do (the outbox sender, scheduled stand-ups). The holder renews it; if the holder
dies, the lease runs out and another replica takes over.
"""

from __future__ import annotations

import socket
import threading
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from sqlalchemy import or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.logs import get_logger
from bot.store import Store
from bot.store.tables import LeaderLease

log = get_logger(__name__)


def replica_id() -> str:
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


class Leadership:
    """Campaigns for lease `name`; calls `on_elected` / `on_deposed` as it wins or loses it."""

    def __init__(
        self,
        store: Store,
        name: str,
        *,
        on_elected: Callable[[], None],
        on_deposed: Callable[[], None],
        ttl: float = 30.0,
        holder: str | None = None,
    ) -> None:
        self.store = store
        self.name = name
        self.holder = holder or replica_id()
        self.ttl = timedelta(seconds=ttl)
        self.on_elected = on_elected
        self.on_deposed = on_deposed
        self.leading = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def try_acquire(self) -> bool:
        """Take or renew the lease; True while this replica holds it."""
        now = datetime.now(UTC)
        expires = now + self.ttl
        try:
            with self.store.session() as session:
                taken = session.execute(
                    update(LeaderLease)
                    .where(col(LeaderLease.name) == self.name)
                    .where(
                        or_(
                            col(LeaderLease.holder) == self.holder,
                            col(LeaderLease.expires_at) < now,
                        )
                    )
                    .values(holder=self.holder, expires_at=expires)
                )
                if getattr(taken, "rowcount", 0):
                    return True
                if session.get(LeaderLease, self.name) is not None:
                    return False
            with self.store.session() as session:
                session.add(LeaderLease(name=self.name, holder=self.holder, expires_at=expires))
            return True
        except IntegrityError:
            return False  # another replica created it in the same instant

    def release(self) -> None:
        with self.store.session() as session:
            lease = session.get(LeaderLease, self.name)
            if lease is not None and lease.holder == self.holder:
                session.delete(lease)

    def campaign_once(self) -> None:
        try:
            holds = self.try_acquire()
        except Exception:
            log.exception("leader lease check failed", lease=self.name)
            holds = False  # cannot prove the lease: stop acting as leader
        if holds and not self.leading:
            self.leading = True
            log.info("leading", lease=self.name, holder=self.holder)
            self.on_elected()
        elif not holds and self.leading:
            self.leading = False
            log.warning("no longer leading", lease=self.name, holder=self.holder)
            self.on_deposed()

    def start(self) -> None:
        self.campaign_once()
        self._thread = threading.Thread(target=self._run, name=f"lease-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        if self.leading:
            self.leading = False
            self.on_deposed()
            self.release()

    def _run(self) -> None:
        # Renew well before expiry, so a slow database does not cost the lease.
        while not self._stop.wait(self.ttl.total_seconds() / 3):
            self.campaign_once()
