"""Applying one Alertmanager delivery to its group: at least once in, exactly once in effect.

Alertmanager re-sends (retries, repeats, restarts), and deliveries may be applied out of order
or twice (a replica died before recording one done). So each alert change is keyed
`fingerprint:startsAt:status` in a unique column, and the merge is monotone: a later `startsAt`
replaces an earlier one, and for the same `startsAt` a resolve beats a firing. Applying the
same changes again, in any order, ends in the same state and changes nothing.
Concurrent deliveries of one group take turns on the group's row.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import delete
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from bot.alerts.payload import WebhookAlert, WebhookPayload
from bot.alerts.routing import Destination
from bot.logs import get_logger
from bot.store import Store
from bot.store.alert_tables import AlertEvent, AlertGroup, AlertInstance
from bot.store.clock import database_now

log = get_logger(__name__)

FIRING, RESOLVED = "firing", "resolved"
#: Attempts at applying a delivery when a concurrent one inserted the same rows first.
ATTEMPTS = 3

Route = Callable[[Mapping[str, str]], Destination | None]


@dataclass(frozen=True)
class Applied:
    group_id: int
    #: Alert changes not seen before (0 for a re-delivery).
    new: int
    #: Whether the group's message has something new to show.
    changed: bool


def group_hash(receiver: str, group_key: str) -> str:
    return hashlib.sha256(f"{receiver}\x00{group_key}".encode()).hexdigest()


def dedupe_key(alert: WebhookAlert) -> str:
    starts = alert.starts_at.astimezone(UTC).isoformat()
    return f"{alert.fingerprint}:{starts}:{alert.status}"


def apply_payload(
    store: Store,
    payload: WebhookPayload,
    route: Route,
    *,
    delivery_id: int | None = None,
    first: Callable[[Session], bool] | None = None,
) -> Applied | None:
    """Apply `payload` to its group (created on first sight, routed then).

    `first` runs at the start of the same transaction (the intake records the delivery done
    there, so the record and the effect commit together); when it returns False nothing is
    applied and the answer is None.
    """
    destination = route(payload.common_labels)
    for attempt in range(1, ATTEMPTS + 1):
        try:
            with store.session() as session:
                if first is not None and not first(session):
                    return None
                return apply_in_session(session, payload, destination, delivery_id)
        except IntegrityError:
            # Another replica applied some of the same changes at the same moment: the next
            # attempt sees them and skips them.
            if attempt == ATTEMPTS:
                raise
            log.info("alert delivery raced another; applying again", attempt=attempt)
    raise AssertionError("unreachable")


def _insert_group(session: Session, values: dict[str, Any]) -> None:
    dialect = session.get_bind().dialect.name
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    statement = (
        insert(AlertGroup).values(**values).on_conflict_do_nothing(index_elements=["key_hash"])
    )
    session.execute(statement)


def apply_in_session(
    session: Session,
    payload: WebhookPayload,
    destination: Destination | None,
    delivery_id: int | None = None,
    *,
    now: datetime | None = None,
) -> Applied:
    """Apply `payload` within the caller's transaction (which may hold several deliveries:
    take them in `group_hash` order, so concurrent transactions lock groups in one order)."""
    now = now or database_now(session)
    key_hash = group_hash(payload.receiver, payload.group_key)
    # A write first: it takes SQLite's write lock before anything is read, and on PostgreSQL
    # the row lock below then serialises deliveries of the same group.
    _insert_group(
        session,
        {
            "key_hash": key_hash,
            "receiver": payload.receiver,
            "group_key": payload.group_key,
            "platform": destination.platform if destination else None,
            "channel": destination.channel if destination else None,
            "group_labels": dict(payload.group_labels),
            "common_labels": dict(payload.common_labels),
            "common_annotations": dict(payload.common_annotations),
            "external_url": payload.external_url or None,
            "version": 0,
            "rendered_version": 0,
            "render_seq": 0,
            "episode": 1,
            "shown": {},
            "enrichment": {},
            "created_at": now,
            "updated_at": now,
        },
    )
    group = session.exec(
        select(AlertGroup).where(col(AlertGroup.key_hash) == key_hash).with_for_update()
    ).one()
    assert group.id is not None
    incoming: dict[str, WebhookAlert] = {}
    for alert in payload.alerts:
        incoming.setdefault(dedupe_key(alert), alert)
    seen = set(
        session.exec(
            select(AlertEvent.dedupe_key)
            .where(col(AlertEvent.group_id) == group.id)
            .where(col(AlertEvent.dedupe_key).in_(list(incoming)))
        ).all()
    )
    fresh = {key: alert for key, alert in incoming.items() if key not in seen}
    if not fresh:
        return Applied(group.id, 0, changed=False)
    fingerprints = sorted({a.fingerprint for a in fresh.values()})
    instances = {
        i.fingerprint: i
        for i in session.exec(
            select(AlertInstance)
            .where(col(AlertInstance.group_id) == group.id)
            .where(col(AlertInstance.fingerprint).in_(fingerprints))
        ).all()
    }
    changed = False
    # Oldest first, so a delivery holding an alert's firing and resolve applies both in order.
    for key, alert in sorted(fresh.items(), key=lambda item: (item[1].starts_at, item[0])):
        session.add(
            AlertEvent(group_id=group.id, dedupe_key=key, delivery_id=delivery_id, received_at=now)
        )
        instance = instances.get(alert.fingerprint)
        if instance is None:
            instance = _new_instance(group.id, alert, now)
            instances[alert.fingerprint] = instance
            session.add(instance)
            changed = True
        elif _merge(instance, alert, now):
            session.add(instance)
            changed = True
    group.group_labels = dict(payload.group_labels)
    group.common_labels = dict(payload.common_labels)
    group.common_annotations = dict(payload.common_annotations)
    group.external_url = payload.external_url or group.external_url
    if group.platform is None and destination is not None:
        group.platform, group.channel = destination.platform, destination.channel
    if changed:
        group.version += 1
    group.updated_at = now
    session.add(group)
    return Applied(group.id, len(fresh), changed)


def _new_instance(group_id: int, alert: WebhookAlert, now: datetime) -> AlertInstance:
    return AlertInstance(
        group_id=group_id,
        fingerprint=alert.fingerprint,
        status=alert.status,
        starts_at=alert.starts_at,
        ends_at=alert.ended_at if alert.status == RESOLVED else None,
        labels=dict(alert.labels),
        annotations=dict(alert.annotations),
        generator_url=alert.generator_url or None,
        resolved_seen_at=now if alert.status == RESOLVED else None,
        updated_at=now,
    )


def _merge(instance: AlertInstance, alert: WebhookAlert, now: datetime) -> bool:
    """Fold one alert change into what is known of that alert; True when it changed."""
    if alert.starts_at > instance.starts_at:
        # A new occurrence (it fired again after a resolve): it replaces the old one.
        instance.status = alert.status
        instance.starts_at = alert.starts_at
        instance.ends_at = alert.ended_at if alert.status == RESOLVED else None
        instance.labels = dict(alert.labels)
        instance.annotations = dict(alert.annotations)
        instance.generator_url = alert.generator_url or instance.generator_url
        instance.resolved_seen_at = now if alert.status == RESOLVED else None
        instance.updated_at = now
        return True
    same = alert.starts_at == instance.starts_at
    if same and alert.status == RESOLVED and instance.status == FIRING:
        instance.status = RESOLVED
        instance.ends_at = alert.ended_at or now
        instance.resolved_seen_at = now
        instance.updated_at = now
        return True
    # An older occurrence, or a firing that arrives after its own resolve: nothing new.
    return False


def prune_groups(store: Store, older_than: timedelta, *, batch: int = 500) -> int:
    """Forget groups with no open message that nothing changed for `older_than`, with their
    alerts and changes; how many groups went. A group that fires again is simply new."""
    with store.session() as session:
        cutoff = database_now(session) - older_than
        ids = [
            group_id
            for group_id in session.exec(
                select(AlertGroup.id)
                .where(col(AlertGroup.message_ref).is_(None))
                .where(col(AlertGroup.updated_at) < cutoff)
                .where(col(AlertGroup.version) == col(AlertGroup.rendered_version))
                .where(col(AlertGroup.render_after).is_(None))
                .limit(batch)
            ).all()
            if group_id is not None
        ]
        if not ids:
            return 0
        session.exec(delete(AlertEvent).where(col(AlertEvent.group_id).in_(ids)))
        session.exec(delete(AlertInstance).where(col(AlertInstance.group_id).in_(ids)))
        session.exec(delete(AlertGroup).where(col(AlertGroup.id).in_(ids)))
        return len(ids)
