"""The alert tables: Alertmanager deliveries as received, and the groups and alerts they build.

A delivery is stored before Alertmanager gets its 2xx and processed afterwards (`bot.alerts`),
so these rows are the only copy once it was answered. Dedupe keys are unique columns: an exact
re-delivery finds its `digest` taken, and an alert change already seen finds its
`fingerprint + startsAt + status` taken, on whichever replica it lands.
Migration `0007` creates them; `bot.store.tables` imports this module so the migrations and
the metadata see them.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel


def _utcnow() -> datetime:
    return datetime.now(UTC)


class AlertDelivery(SQLModel, table=True):
    """One webhook request from Alertmanager, kept until it is applied to its group."""

    __tablename__ = "alert_delivery"

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(default_factory=_utcnow, index=True)
    receiver: str = Field(sa_column=Column(Text, nullable=False))
    group_key: str = Field(sa_column=Column(Text, nullable=False))
    #: SHA-256 (hex) of the body: Alertmanager re-sends the same bytes on retries and repeats.
    digest: str = Field(max_length=64, unique=True)
    payload: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: pending, claimed (a replica is applying it), done, failed
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    owner: str | None = Field(default=None, max_length=128)
    epoch: int = 0
    claimed_until: datetime | None = None
    finished_at: datetime | None = None


class AlertGroup(SQLModel, table=True):
    """An Alertmanager group `(receiver, groupKey)` and its living message.

    `version` grows with every change to show; the leader renders a group whose
    `rendered_version` lags behind, or whose `render_after` (a held resolve ending, a silence
    running out) has come. An episode runs from the first firing alert to the resolve shown;
    each episode has one message (`message_ref`, an outbox ref).
    """

    __tablename__ = "alert_group"

    id: int | None = Field(default=None, primary_key=True)
    #: SHA-256 (hex) of receiver and groupKey: group keys are long, and this one is unique.
    key_hash: str = Field(max_length=64, unique=True)
    receiver: str = Field(sa_column=Column(Text, nullable=False))
    group_key: str = Field(sa_column=Column(Text, nullable=False))
    #: Where its messages go, chosen when the group is first seen; None: nowhere routes it.
    platform: str | None = Field(default=None, max_length=32)
    channel: str | None = Field(default=None, max_length=128)
    group_labels: dict[str, object] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    common_labels: dict[str, object] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    common_annotations: dict[str, object] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    external_url: str | None = Field(default=None, sa_column=Column(Text))
    version: int = 0
    rendered_version: int = 0
    #: Counts renders: names what each render queues, so a render run twice queues it once.
    render_seq: int = 0
    render_after: datetime | None = Field(default=None, index=True)
    episode: int = 1
    message_ref: str | None = Field(default=None, max_length=64)
    opened_at: datetime | None = None
    started_at: datetime | None = None
    #: What the message showed last (alert statuses, acknowledgement, silence), for the notes
    #: in its thread that say what changed.
    shown: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    acked_by: str | None = Field(default=None, max_length=128)
    acked_at: datetime | None = None
    silence_id: str | None = Field(default=None, max_length=64)
    silenced_by: str | None = Field(default=None, max_length=128)
    silenced_until: datetime | None = None
    #: Blocks an enricher added (deployment status, logs, a graph): see `bot.alerts.enrich`.
    enrichment: dict[str, object] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    created_at: datetime = Field(default_factory=_utcnow)
    updated_at: datetime = Field(default_factory=_utcnow)


class AlertInstance(SQLModel, table=True):
    """One alert (a fingerprint) of a group, as its latest occurrence stands."""

    __tablename__ = "alert_instance"
    __table_args__ = (UniqueConstraint("group_id", "fingerprint"),)

    id: int | None = Field(default=None, primary_key=True)
    group_id: int = Field(index=True)
    fingerprint: str = Field(max_length=64)
    #: firing or resolved
    status: str = Field(max_length=16)
    starts_at: datetime
    ends_at: datetime | None = None
    labels: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    annotations: dict[str, object] = Field(
        default_factory=dict, sa_column=Column(JSON, nullable=False)
    )
    generator_url: str | None = Field(default=None, sa_column=Column(Text))
    #: When Kuber learnt of the resolve (the database's clock): the hold counts from here.
    resolved_seen_at: datetime | None = None
    updated_at: datetime = Field(default_factory=_utcnow)


class AlertEvent(SQLModel, table=True):
    """A change of one alert Kuber has applied: `fingerprint:startsAt:status`, once per group."""

    __tablename__ = "alert_event"
    __table_args__ = (
        UniqueConstraint("group_id", "dedupe_key"),
        Index("ix_alert_event_group_received", "group_id", "received_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    group_id: int
    dedupe_key: str = Field(max_length=160)
    delivery_id: int | None = None
    received_at: datetime = Field(default_factory=_utcnow)
