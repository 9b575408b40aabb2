"""A fenced leader lease in the database: of several replicas, one runs the background work
only one may run (the outbox sender, the listeners, recovery, scheduled jobs).

The lease carries an epoch that grows with each change of holder; writes made under
leadership check it in their own transaction, so a deposed leader that has not noticed yet
cannot act. Expiry is stamped by the database's clock. The holder renews every third of the
TTL and tolerates failed renewals until the lease could really have run out: it counts its
own validity from the moment it *asked* for the renewal, on its monotonic clock, so it always
stops believing it leads before any other replica can take over.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable
from datetime import timedelta

from sqlalchemy import delete, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.logs import get_logger
from bot.store import Store
from bot.store.clock import database_now
from bot.store.tables import LeaderLease

log = get_logger(__name__)


def replica_id() -> str:
    """This process among the replicas: the host (the pod's name) and a random suffix."""
    return f"{socket.gethostname()}-{uuid.uuid4().hex[:8]}"


class Leadership:
    """Campaigns for lease `name`; calls `on_elected(epoch)` / `on_deposed()` as it wins or
    loses it. `epoch` is the fencing token of the current term while `leading`."""

    def __init__(
        self,
        store: Store,
        name: str,
        *,
        on_elected: Callable[[int], None],
        on_deposed: Callable[[], None],
        ttl: float = 15.0,
        holder: str | None = None,
    ) -> None:
        self.store = store
        self.name = name
        self.holder = holder or replica_id()
        self.ttl = ttl
        self.on_elected = on_elected
        self.on_deposed = on_deposed
        self.epoch: int | None = None
        # Monotonic time until which this replica may act as leader without renewing.
        self._valid_until = 0.0
        self._leading = False
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._transition = threading.Lock()

    @property
    def leading(self) -> bool:
        """True while the lease is held and not past the validity proven by the last renewal."""
        return self._leading and time.monotonic() < self._valid_until

    def try_acquire(self) -> int | None:
        """Take or renew the lease; the epoch of the term while this replica holds it."""
        asked_at = time.monotonic()
        try:
            with self.store.session() as session:
                now = database_now(session)
                expires = now + timedelta(seconds=self.ttl)
                renewed = session.execute(
                    update(LeaderLease)
                    .where(col(LeaderLease.name) == self.name)
                    .where(col(LeaderLease.holder) == self.holder)
                    .where(col(LeaderLease.expires_at) >= now)
                    .values(expires_at=expires)
                )
                if not getattr(renewed, "rowcount", 0):
                    # Free, expired, or ours but lapsed: a new term either way.
                    taken = session.execute(
                        update(LeaderLease)
                        .where(col(LeaderLease.name) == self.name)
                        .where(col(LeaderLease.expires_at) < now)
                        .values(holder=self.holder, expires_at=expires, epoch=LeaderLease.epoch + 1)
                    )
                    if not getattr(taken, "rowcount", 0):
                        if session.get(LeaderLease, self.name) is not None:
                            return None
                        session.add(
                            LeaderLease(
                                name=self.name, holder=self.holder, epoch=1, expires_at=expires
                            )
                        )
                        session.flush()
                lease = session.get(LeaderLease, self.name, populate_existing=True)
                epoch = lease.epoch if lease is not None and lease.holder == self.holder else None
        except IntegrityError:
            return None  # another replica created it in the same instant
        if epoch is not None:
            self._valid_until = asked_at + self.ttl * 0.9
        return epoch

    def release(self) -> None:
        """Give the lease up at once, so the next leader need not wait for it to expire."""
        with self.store.session() as session:
            session.execute(
                delete(LeaderLease)
                .where(col(LeaderLease.name) == self.name)
                .where(col(LeaderLease.holder) == self.holder)
            )

    def campaign_once(self) -> None:
        try:
            epoch = self.try_acquire()
        except Exception as exc:
            # A database hiccup: the lease is still ours until the validity runs out.
            log.warning("leader lease renewal failed", lease=self.name, error=repr(exc))
            epoch = self.epoch if self.leading else None
        with self._transition:
            if epoch is not None and (not self._leading or epoch != self.epoch):
                if self._leading:  # a lapsed term renewed as a new one: start it afresh
                    self._step_down()
                self._leading = True
                self.epoch = epoch
                log.info("leading", lease=self.name, holder=self.holder, epoch=epoch)
                self.on_elected(epoch)
            elif epoch is None and self._leading:
                self._step_down()

    def _step_down(self) -> None:
        log.warning("no longer leading", lease=self.name, holder=self.holder, epoch=self.epoch)
        self._leading = False
        self.epoch = None
        self.on_deposed()

    def start(self) -> None:
        self.campaign_once()
        self._thread = threading.Thread(target=self._run, name=f"lease-{self.name}", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
        with self._transition:
            if self._leading:
                self._step_down()
        try:
            self.release()
        except Exception as exc:  # it will expire on its own
            log.warning("leader lease not released", lease=self.name, error=repr(exc))

    def _run(self) -> None:
        # Renew every third of the TTL: two renewals may fail before the lease is at risk.
        period = self.ttl / 3
        while not self._stop.wait(period):
            self.campaign_once()
            if self._leading and not self.leading:
                with self._transition:  # the validity ran out between renewals
                    if self._leading and not self.leading:
                        self._step_down()
