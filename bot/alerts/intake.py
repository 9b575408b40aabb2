"""The alert inbox: every accepted Alertmanager delivery is a row before it is answered 2xx.

Alertmanager never sends a delivery again after a 2xx, so the row is the only copy: the
replica that took the request applies it soon after under a claim (`owner`, `epoch`,
`claimed_until`), and the leader's recovery takes what nobody holds (handed back at shutdown,
or left by a replica that died). Applying twice is harmless (`bot.alerts.grouping`), and an
exact re-delivery is refused at the door by its digest, on any replica.

Both sides work in batches: deliveries that arrive together are stored in one transaction,
and due deliveries are applied several to a transaction, so a storm costs few commits (on
SQLite, each is a sync to disk). It renders nothing: a changed group is left for
`LivingMessages`.
"""

from __future__ import annotations

import hashlib
import threading
from collections import deque
from collections.abc import Callable, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import and_, delete, insert, or_, update
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.alerts.grouping import Applied, Route, apply_in_session, group_hash
from bot.alerts.payload import WebhookPayload, read_payload
from bot.logs import get_logger
from bot.store import Store
from bot.store.alert_tables import AlertDelivery
from bot.store.clock import database_now

log = get_logger(__name__)

#: A delivery claimed this many times without being applied is set aside, not tried forever.
MAX_ATTEMPTS = 3
#: Deliveries applied in one transaction, at most.
APPLY_BATCH = 20
#: Attempts at a batch when a concurrent replica inserted some of the same rows first.
BATCH_ATTEMPTS = 3
PENDING, CLAIMED, DONE, FAILED = "pending", "claimed", "done", "failed"

#: (payload as JSON, digest of the body)
Delivery = tuple[dict[str, Any], str]


def _now() -> datetime:
    return datetime.now(UTC)


def body_digest(body: bytes) -> str:
    return hashlib.sha256(body).hexdigest()


class AlertIntake:
    def __init__(
        self,
        store: Store,
        route: Route,
        *,
        on_applied: Callable[[Applied], None] | None = None,
        owner: str = "local",
        claim_ttl: float = 30.0,
    ) -> None:
        self.store = store
        self.route = route
        self.on_applied = on_applied
        self.owner = owner
        self.claim_ttl = timedelta(seconds=claim_ttl)
        #: Deliveries this replica claimed and has yet to apply: (id, epoch), oldest first.
        self._due: deque[tuple[int, int]] = deque()
        self._due_lock = threading.Lock()

    # -- storing -----------------------------------------------------------------------------
    def accept(self, payload: dict[str, Any], digest: str) -> bool:
        """Store one checked payload; False for a re-delivery of stored bytes."""
        return self.store_deliveries([(payload, digest)])[0]

    def store_deliveries(self, deliveries: Sequence[Delivery]) -> list[bool]:
        """Store checked payloads in one transaction, claimed by this replica and due here;
        for each, False when it is a re-delivery of bytes stored before (or earlier in the
        same batch). Raises when they cannot be stored: the route answers 5xx and
        Alertmanager sends them again."""
        fresh: dict[str, Delivery] = {}
        for payload, digest in deliveries:
            fresh.setdefault(digest, (payload, digest))
        try:
            stored = self._insert(list(fresh.values()))
        except IntegrityError:
            # Some were stored before (or by another replica just now): leave those out.
            known = self._known(list(fresh))
            stored = self._insert([d for key, d in fresh.items() if key not in known])
        answers: list[bool] = []
        for _payload, digest in deliveries:
            answers.append(digest in stored)
            stored.discard(digest)  # a second copy in the same batch is a re-delivery
        return answers

    def _insert(self, deliveries: Sequence[Delivery]) -> set[str]:
        if not deliveries:
            return set()
        with self.store.session() as session:
            now = database_now(session)
            # Core, not the ORM: one multi-row INSERT … RETURNING, the answer's whole cost.
            rows = session.execute(
                insert(AlertDelivery).returning(col(AlertDelivery.id), col(AlertDelivery.digest)),
                [
                    {
                        "receiver": str(payload.get("receiver", "")),
                        "group_key": str(payload.get("groupKey", "")),
                        "digest": digest,
                        "payload": payload,
                        "status": CLAIMED,
                        "owner": self.owner,
                        "epoch": 1,
                        "attempts": 1,
                        "claimed_until": now + self.claim_ttl,
                        "received_at": now,
                    }
                    for payload, digest in deliveries
                ],
            ).all()
        with self._due_lock:
            self._due.extend((row_id, 1) for row_id, _ in sorted(rows))
        return {digest for _, digest in rows}

    def _known(self, digests: Sequence[str]) -> set[str]:
        with self.store.session() as session:
            found = session.exec(
                select(AlertDelivery.digest).where(col(AlertDelivery.digest).in_(digests))
            )
            return set(found.all())

    # -- claiming ----------------------------------------------------------------------------
    def recover(self, limit: int = 200) -> int:
        """Claim deliveries nobody is applying and make them due here. Run by the leader."""
        with self.store.session() as session:
            now = database_now(session)
            rows = session.exec(
                select(AlertDelivery)
                .where(
                    or_(
                        col(AlertDelivery.status) == PENDING,
                        and_(
                            col(AlertDelivery.status) == CLAIMED,
                            col(AlertDelivery.claimed_until) < now,
                        ),
                    )
                )
                .order_by(col(AlertDelivery.id))
                .limit(limit)
                .with_for_update(skip_locked=True)
            ).all()
            taken = []
            for row in rows:
                row.status = CLAIMED
                row.owner = self.owner
                row.epoch += 1
                # Counted at the claim: a delivery that kills its applier every time is
                # still set aside after MAX_ATTEMPTS claims.
                row.attempts += 1
                row.claimed_until = now + self.claim_ttl
                session.add(row)
                if row.id is not None:
                    taken.append((row.id, row.epoch))
        with self._due_lock:
            self._due.extend(taken)
        if taken:
            log.info("resuming alert deliveries left unapplied", count=len(taken))
        return len(taken)

    def renew(self) -> int:
        """Push this replica's claims `claim_ttl` on: a backlog of due deliveries is still
        this replica's work, not abandoned work (the heartbeat does so for the inbox)."""
        with self.store.session() as session:
            result = session.exec(
                update(AlertDelivery)
                .where(col(AlertDelivery.owner) == self.owner)
                .where(col(AlertDelivery.status) == CLAIMED)
                .values(claimed_until=database_now(session) + self.claim_ttl)
            )
            return int(result.rowcount)

    def hand_back(self) -> int:
        """Release this replica's claims (at shutdown), so the leader takes them at once."""
        with self._due_lock:
            self._due.clear()
        with self.store.session() as session:
            result = session.exec(
                update(AlertDelivery)
                .where(col(AlertDelivery.owner) == self.owner)
                .where(col(AlertDelivery.status) == CLAIMED)
                # Handed back unapplied is no failed attempt: the next claim counts anew.
                .values(
                    status=PENDING,
                    owner=None,
                    claimed_until=None,
                    attempts=AlertDelivery.attempts - 1,
                )
            )
            return int(result.rowcount)

    # -- applying ----------------------------------------------------------------------------
    def has_due(self) -> bool:
        with self._due_lock:
            return bool(self._due)

    def apply_due(self, limit: int = APPLY_BATCH) -> list[Applied]:
        """Apply up to `limit` due deliveries in one transaction, each recorded done in it.

        A batch that fails for another reason than a race is applied again one delivery at
        a time, so one bad delivery cannot hold up the others.
        """
        with self._due_lock:
            batch = [self._due.popleft() for _ in range(min(limit, len(self._due)))]
        if not batch:
            return []
        loaded = self._load(batch)
        try:
            applied = self._apply_batch(loaded)
        except Exception:
            if len(loaded) == 1:
                log.exception("alert delivery could not be applied", id=loaded[0][0])
                return []
            log.warning("alert batch failed; applying its deliveries one by one", size=len(batch))
            applied = []
            for one in loaded:
                try:
                    applied += self._apply_batch([one])
                except Exception:
                    # Left claimed: once the claim runs out, recovery tries it again.
                    log.exception("alert delivery could not be applied", id=one[0])
        for result in applied:
            if self.on_applied is not None:
                self.on_applied(result)
        return applied

    def _load(self, batch: Sequence[tuple[int, int]]) -> list[tuple[int, int, WebhookPayload]]:
        """The payloads of the deliveries still claimed by this replica under that epoch."""
        epochs = dict(batch)
        with self.store.session() as session:
            rows = session.exec(
                select(AlertDelivery).where(col(AlertDelivery.id).in_(list(epochs)))
            ).all()
        loaded = []
        for row in rows:
            if row.id is None or not self._ours(row, epochs[row.id]):
                continue
            if row.attempts > MAX_ATTEMPTS:
                log.error("alert delivery set aside after repeated failures", id=row.id)
                self._finish(row.id, row.epoch, FAILED)
                continue
            try:
                payload = read_payload(dict(row.payload))
            except ValueError:
                log.exception("stored alert delivery is unreadable", id=row.id)
                self._finish(row.id, row.epoch, FAILED)
                continue
            loaded.append((row.id, row.epoch, payload))
        # Groups in one order in every transaction: two replicas' batches cannot deadlock.
        loaded.sort(key=lambda item: (group_hash(item[2].receiver, item[2].group_key), item[0]))
        return loaded

    def _apply_batch(self, loaded: Sequence[tuple[int, int, WebhookPayload]]) -> list[Applied]:
        routes = {id(p): self.route(p.common_labels) for _, _, p in loaded}
        for attempt in range(1, BATCH_ATTEMPTS + 1):
            try:
                with self.store.session() as session:
                    now = database_now(session)
                    applied = []
                    for delivery_id, epoch, payload in loaded:
                        if not self._record_done(session, delivery_id, epoch):
                            log.warning("alert delivery claim lost before it was applied")
                            continue
                        applied.append(
                            apply_in_session(
                                session, payload, routes[id(payload)], delivery_id, now=now
                            )
                        )
                    return applied
            except IntegrityError:
                # Another replica applied some of the same changes at the same moment: the
                # next attempt sees them and skips them.
                if attempt == BATCH_ATTEMPTS:
                    raise
        raise AssertionError("unreachable")

    def _record_done(self, session: Session, delivery_id: int, epoch: int) -> bool:
        done = session.exec(
            update(AlertDelivery)
            .where(col(AlertDelivery.id) == delivery_id)
            .where(col(AlertDelivery.owner) == self.owner)
            .where(col(AlertDelivery.epoch) == epoch)
            .where(col(AlertDelivery.status) == CLAIMED)
            .values(status=DONE, owner=None, claimed_until=None, finished_at=_now())
        )
        return bool(done.rowcount)

    def _ours(self, row: AlertDelivery, epoch: int) -> bool:
        return row.status == CLAIMED and row.owner == self.owner and row.epoch == epoch

    def _finish(self, delivery_id: int, epoch: int, status: str) -> None:
        with self.store.session() as session:
            session.exec(
                update(AlertDelivery)
                .where(col(AlertDelivery.id) == delivery_id)
                .where(col(AlertDelivery.owner) == self.owner)
                .where(col(AlertDelivery.epoch) == epoch)
                .where(col(AlertDelivery.status) == CLAIMED)
                .values(status=status, owner=None, claimed_until=None, finished_at=_now())
            )

    def prune(self, older_than: timedelta) -> int:
        """Delete applied deliveries older than `older_than`: their effect is in the groups."""
        with self.store.session() as session:
            cutoff = database_now(session) - older_than
            result = session.exec(
                delete(AlertDelivery)
                .where(col(AlertDelivery.status).in_((DONE, FAILED)))
                .where(col(AlertDelivery.received_at) < cutoff)
            )
            return int(result.rowcount)
