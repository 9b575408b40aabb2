"""The alert pipeline as `kuber serve` runs it: intake on every replica, messages on the leader.

One worker thread per replica does every write: it stores the deliveries whose requests are
waiting for an answer (all of them in one transaction, a group commit), applies stored ones a
batch at a time, and on the leader renders changed groups a few at a time and takes up what
nobody holds. One thread because SQLite has one writer: requests and appliers queueing on its
lock would each wait out its busy handler's sleeps, and Alertmanager's answers would be the
slower for it. Waiting deliveries always come first, and while they keep coming the rest
holds back (ack first, work later), so an answer waits for at most one small step.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from typing import Any

from starlette.routing import Route

from bot.alerts.enrich import Enricher
from bot.alerts.grouping import Applied, prune_groups
from bot.alerts.intake import AlertIntake, Delivery
from bot.alerts.living import LivingMessages, MessageQueue
from bot.alerts.routing import Destination, route_for
from bot.alerts.webhook import Refused, alertmanager_routes
from bot.logs import get_logger
from bot.settings import Settings
from bot.store import Store

log = get_logger(__name__)

Submit = Callable[[Callable[[], None]], None]
#: How often old applied deliveries and quiet groups are deleted (their limits are days).
PRUNE_EVERY = 3600.0
#: How often the leader looks for changes made elsewhere (clicks, other replicas' deliveries).
POLL = 0.5
#: Groups rendered per step: an answer to Alertmanager waits at most one step.
RENDER_STEP = 4
#: Deliveries applied per step: more at a time in a quiet moment, fewer in a storm.
APPLY_BATCH = 20
APPLY_IN_A_STORM = 2
#: Applying and rendering wait until no delivery came for this long (seconds) ...
QUIET = 0.02
#: ... but never longer than this between two steps, however long a storm lasts.
MAX_DEFER = 0.25
#: Longest a request waits for its delivery to be stored before it is answered 503.
STORE_TIMEOUT = 10.0


class NotStored(RuntimeError):
    """The delivery was not stored in time (the replica is stopping, or the database is slow)."""


@dataclass
class _Ticket:
    delivery: Delivery
    done: threading.Event = field(default_factory=threading.Event)
    stored: bool = False
    error: BaseException | None = None


class AlertPipeline:
    def __init__(
        self,
        store: Store,
        settings: Settings,
        messages: MessageQueue,
        submit: Submit,
        *,
        platforms: Collection[str],
        owner: str = "local",
        claim_ttl: float = 30.0,
        enrichers: Sequence[Enricher] = (),
    ) -> None:
        self.store = store
        self.settings = settings
        config = settings.config
        served = tuple(platforms)

        def route(labels: Mapping[str, str]) -> Destination | None:
            return route_for(config, labels, served)

        self.living = LivingMessages(
            store,
            messages,
            hold_seconds=config.alerts.resolve_hold_seconds,
            enrichers=enrichers,
            submit=submit,
            # Mattermost refuses a button context older than the approval window (plus a few
            # minutes of skew): open alert messages are re-signed well within it.
            refresh_after={"mattermost": max(60.0, config.policy.approval_minutes * 60 / 2)},
        )
        self.intake = AlertIntake(
            store, route, on_applied=self._applied, owner=owner, claim_ttl=claim_ttl
        )
        self._tickets: list[_Ticket] = []
        self._lock = threading.Lock()
        self._wake = threading.Event()
        self._stopping = threading.Event()
        self._thread: threading.Thread | None = None
        self._leading = False
        self._render_wanted = False
        self._recover_wanted = False
        self._next_poll = 0.0
        self._next_renew = 0.0
        self._last_ticket_at = 0.0
        self._last_work_at = 0.0
        self._next_prune = time.monotonic()

    def routes(self, *, refused: Refused, accepted: Callable[[], None]) -> list[Route]:
        token = self.settings.env.webhook_token
        return alertmanager_routes(
            token=token.get_secret_value() if token else None,
            accept=self.accept,
            refused=refused,
            accepted=accepted,
        )

    # -- what the server calls ---------------------------------------------------------------
    def accept(self, payload: dict[str, Any], digest: str) -> bool:
        """Store a checked delivery (blocking, from a request thread); False for a re-delivery.

        Raises when it was not stored: the route answers 5xx and Alertmanager retries.
        """
        ticket = _Ticket((payload, digest))
        with self._lock:
            if self._stopping.is_set():
                raise NotStored("this replica is stopping")
            self._tickets.append(ticket)
        self._ensure_running()
        self._wake.set()
        if not ticket.done.wait(STORE_TIMEOUT):
            raise NotStored(f"not stored within {STORE_TIMEOUT:.0f} seconds")
        if ticket.error is not None:
            raise ticket.error
        return ticket.stored

    def lead(self) -> None:
        self._leading = True
        self._render_wanted = True
        self._ensure_running()
        self._wake.set()

    def follow(self) -> None:
        self._leading = False

    def recover(self) -> int:
        """Ask the worker to take up deliveries nobody holds (the leader calls this often)."""
        self._recover_wanted = True
        self._ensure_running()
        self._wake.set()
        return 0

    def hand_back(self) -> int:
        """At shutdown: stop the worker (after the step it is on), release every claim."""
        with self._lock:
            self._stopping.set()
            waiting, self._tickets = self._tickets, []
        for ticket in waiting:
            ticket.error = NotStored("this replica is stopping")
            ticket.done.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout=5)
            self._thread = None
        return self.intake.hand_back()

    # -- the worker --------------------------------------------------------------------------
    def _ensure_running(self) -> None:
        with self._lock:
            if self._stopping.is_set():
                return
            if self._thread is None or not self._thread.is_alive():
                self._thread = threading.Thread(target=self._run, name="alerts", daemon=True)
                self._thread.start()

    def _applied(self, applied: Applied) -> None:
        if applied.changed:
            self._render_wanted = True

    def _run(self) -> None:
        while not self._stopping.is_set():
            self._wake.clear()
            try:
                wait = self._step()
            except Exception:
                # The database may be away for a moment; what is stored stays stored.
                log.exception("alert worker step failed")
                wait = POLL
            if wait > 0:
                self._wake.wait(wait)

    def _step(self) -> float:
        """One unit of work, the most urgent first: 0 when it did some, else how long there
        is nothing to do.

        While deliveries keep arriving, applying and rendering wait: the answers come first,
        and the work catches up in the first quiet moment (or a little at a time, when a
        storm leaves none).
        """
        with self._lock:
            tickets, self._tickets = self._tickets, []
        if tickets:
            self._store(tickets)
            self._last_ticket_at = time.monotonic()
            return 0.0
        now = time.monotonic()
        quiet_in = self._last_ticket_at + QUIET - now
        overdue_in = self._last_work_at + MAX_DEFER - now
        if quiet_in > 0 and overdue_in > 0:
            return min(quiet_in, overdue_in)
        self._last_work_at = now
        if now >= self._next_renew:
            # A third of the claim's life: two renewals may fail before a claim is at risk.
            self._next_renew = now + self.intake.claim_ttl.total_seconds() / 3
            if self.intake.has_due():
                self.intake.renew()
                return 0.0
        if self.intake.has_due():
            self.intake.apply_due(APPLY_BATCH if quiet_in <= 0 else APPLY_IN_A_STORM)
            return 0.0
        if not self._leading:
            return POLL * 4
        if self._recover_wanted:
            self._recover_wanted = False
            self.intake.recover()
            self._prune()
            return 0.0
        if self._render_wanted or now >= self._next_poll:
            self._render_wanted = False
            self._next_poll = now + POLL
            step = RENDER_STEP if quiet_in <= 0 else 1
            rendered = self.living.render_pending(limit=step)
            if rendered >= step:
                self._render_wanted = True
                return 0.0
        return max(0.001, min(POLL, self._next_poll - time.monotonic()))

    def _store(self, tickets: Sequence[_Ticket]) -> None:
        try:
            answers = self.intake.store_deliveries([t.delivery for t in tickets])
        except Exception as exc:
            log.exception("alert deliveries could not be stored", count=len(tickets))
            for ticket in tickets:
                ticket.error = exc
                ticket.done.set()
            return
        for ticket, stored in zip(tickets, answers, strict=True):
            ticket.stored = stored
            ticket.done.set()

    def _prune(self) -> None:
        if time.monotonic() < self._next_prune:
            return
        self._next_prune = time.monotonic() + PRUNE_EVERY
        retention = self.settings.config.retention
        deliveries = self.intake.prune(timedelta(days=retention.inbox_days))
        # A group outlives its message's outbox row by no more than this.
        days = max(retention.inbox_days, retention.outbox_days)
        groups = prune_groups(self.store, timedelta(days=days))
        if deliveries or groups:
            log.info("old alert deliveries and groups pruned", deliveries=deliveries, groups=groups)
