"""The tables. Timestamps are timezone-aware UTC everywhere (sqlmodel rejects naive ones).

Changing a table means adding an Alembic migration in `bot/store/migrations/versions/`;
`tests/unit/test_store.py` fails when the models and the migrations disagree.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import JSON, Column, Index, Text
from sqlmodel import Field, SQLModel

import bot.store.alert_tables  # noqa: F401  (the alert tables, on the same metadata)


def utcnow() -> datetime:
    return datetime.now(UTC)


class CommandRecord(SQLModel, table=True):
    """One attempt at a command, allowed or not: the audit trail and the stand-up's source.

    Rows form a hash chain (`bot.audit_chain`): write them only through `bot.audit_chain.append`,
    which links each to the one before in the same transaction. A row added any other way has
    no hash, and `kuber audit verify` reports it.
    """

    __tablename__ = "command_record"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, index=True)
    actor_id: str = Field(max_length=128)
    actor_name: str = Field(max_length=128)
    platform: str = Field(max_length=32)
    channel: str = Field(max_length=128, index=True)
    text: str = Field(sa_column=Column(Text, nullable=False))
    intent: str = Field(max_length=32, index=True)
    target: str | None = Field(default=None, max_length=256)
    #: planned, executed, refused, invalid, approved, cancelled, expired, failed, answered
    decision: str = Field(max_length=32)
    result: str | None = Field(default=None, sa_column=Column(Text))
    duration_ms: int = 0
    error: str | None = Field(default=None, sa_column=Column(Text))
    pending_action_id: str | None = Field(default=None, max_length=64, index=True)
    #: The `hash` of the row before in the chain (`GENESIS` for the first); unique, so two
    #: writers can never both extend the same row, even one that bypassed the chain lock.
    prev_hash: str | None = Field(default=None, max_length=64, unique=True, index=True)
    #: SHA-256 (hex) of this row's canonical JSON, `prev_hash` included.
    hash: str | None = Field(default=None, max_length=64)


class PendingAction(SQLModel, table=True):
    """A plan waiting for Approve or Cancel; decided at most once, then kept for the audit."""

    __tablename__ = "pending_action"

    id: str = Field(primary_key=True, max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    expires_at: datetime
    platform: str = Field(max_length=32)
    channel: str = Field(max_length=128)
    thread: str | None = Field(default=None, max_length=128)
    message_ref: str | None = Field(default=None, max_length=128)
    requested_by_id: str = Field(max_length=128)
    requested_by_name: str = Field(max_length=128)
    language: str = Field(default="en", max_length=8)
    text: str = Field(sa_column=Column(Text, nullable=False))
    action: str = Field(max_length=64)
    params: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    plan: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    target: str = Field(max_length=256)
    protected: bool = False
    #: pending, approved (being applied), applying (applied, its rollout being followed),
    #: cancelled, expired, done, failed
    status: str = Field(default="pending", max_length=16, index=True)
    decided_by_id: str | None = Field(default=None, max_length=128)
    decided_by_name: str | None = Field(default=None, max_length=128)
    decided_at: datetime | None = None
    #: The stored click that decided it: when that click is run again after a crash, it
    #: finds its own decision and stays quiet instead of saying "already approved".
    decided_by_event: str | None = Field(default=None, max_length=64)
    #: The replica applying the plan or following its rollout, while its claim is renewed;
    #: a claim left to expire is taken over by the leader (resume, or report the interruption).
    owner: str | None = Field(default=None, max_length=128)
    claimed_until: datetime | None = None
    #: What to go on following after a restart (kind and its parameters), once applied.
    follow: dict[str, object] | None = Field(default=None, sa_column=Column(JSON, nullable=True))


class OperationLock(SQLModel, table=True):
    """One mutating operation per target at a time ("payment is rolling out, started by X")."""

    __tablename__ = "operation_lock"

    target: str = Field(primary_key=True, max_length=256)
    action_id: str = Field(max_length=64)
    holder_name: str = Field(max_length=128)
    operation: str = Field(max_length=64)
    acquired_at: datetime = Field(default_factory=utcnow)
    #: Short, and renewed by the owner's heartbeat: a lock outlives a crashed holder briefly.
    expires_at: datetime
    owner: str | None = Field(default=None, max_length=128)


class ChannelContext(SQLModel, table=True):
    """The last understood command per channel, so "scale it to 5" knows what "it" is."""

    __tablename__ = "channel_context"

    platform: str = Field(primary_key=True, max_length=32)
    channel: str = Field(primary_key=True, max_length=128)
    intent: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    updated_at: datetime = Field(default_factory=utcnow)


class OutboxMessage(SQLModel, table=True):
    """One outgoing chat post or edit, kept until the platform has it or has refused it.

    `key` is this row's own id, stamped on the post so a restart can ask the platform whether
    it arrived; `ref` names the message (for a post, its own key; for an edit, the post's).
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        # Reverse look-up of a platform id (a button clicked on a message Kuber posted).
        Index("ix_outbox_message_platform_id", "platform", "channel", "platform_id"),
        # The sender's scan: the oldest unfinished row of each channel.
        Index("ix_outbox_message_queue", "status", "platform", "channel", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=64, unique=True)
    ref: str = Field(max_length=64, index=True)
    #: post, edit
    kind: str = Field(max_length=8)
    platform: str = Field(max_length=32)
    channel: str = Field(max_length=128)
    #: The platform's thread id, or the ref of a post of ours still waiting to be sent.
    thread: str | None = Field(default=None, max_length=128)
    reply: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: pending, claimed (a sender is on it), sent, failed
    status: str = Field(default="pending", max_length=16)
    attempts: int = 0
    #: The leader replica sending it, the lease epoch it sent under, and until when the claim
    #: holds; an expired claim may have reached the platform, so it is looked for first.
    owner: str | None = Field(default=None, max_length=128)
    epoch: int | None = None
    claimed_until: datetime | None = None
    #: A try failed in a way that may still have reached the platform: look before re-posting.
    maybe_sent: bool = False
    not_before: datetime | None = None
    platform_id: str | None = Field(default=None, max_length=128)
    created_at: datetime = Field(default_factory=utcnow)
    sent_at: datetime | None = None
    error: str | None = Field(default=None, sa_column=Column(Text))


class InboundEvent(SQLModel, table=True):
    """A verified message or click, stored before it is acknowledged to the platform.

    Once the platform has its 200 it will not send again, so this row is the only copy: it is
    processed from here, and a restart processes what a crash left unfinished.
    """

    __tablename__ = "inbound_event"

    id: int | None = Field(default=None, primary_key=True)
    received_at: datetime = Field(default_factory=utcnow, index=True)
    platform: str = Field(max_length=32)
    #: message or click
    kind: str = Field(max_length=16)
    payload: dict[str, object] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    #: The platform's own id of the event (Slack event id, Mattermost post id): a redelivery
    #: finds it taken, on whichever replica it lands.
    dedupe_key: str | None = Field(default=None, max_length=160, unique=True)
    #: pending, claimed (a replica is processing it), done, failed
    status: str = Field(default="pending", max_length=16, index=True)
    attempts: int = 0
    #: The replica processing it; `epoch` counts claims, so a replica whose claim was taken
    #: over cannot record the outcome; `claimed_until` is renewed by the owner's heartbeat.
    owner: str | None = Field(default=None, max_length=128)
    epoch: int = 0
    claimed_until: datetime | None = None
    finished_at: datetime | None = None


class LeaderLease(SQLModel, table=True):
    """Who does the work only one replica may do (sending the outbox, scheduled jobs)."""

    __tablename__ = "leader_lease"

    name: str = Field(primary_key=True, max_length=64)
    holder: str = Field(max_length=128)
    #: Counts changes of holder: a fencing token that writes made under leadership check.
    epoch: int = 0
    #: Set from the database's clock, so replicas with skewed clocks agree on it.
    expires_at: datetime
