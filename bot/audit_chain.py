"""The audit log as a hash chain: each `command_record` row carries the hash of the row before.

A row's hash is SHA-256 over a canonical JSON of its content and `prev_hash`, so an edit, a
deleted row or two rows swapped break the chain where they happened. Appending reads the
chain's head and inserts the new row in one transaction under a lock (PostgreSQL advisory
lock, SQLite `BEGIN IMMEDIATE`), so concurrent writers, threads or processes, never fork it.
It must not change how existing rows hash: `HASHED_FIELDS` and `canonical` are a contract
with every row already written (migration 0006 keeps its own frozen copy).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import text
from sqlmodel import Session, col, select

from bot.store import Store
from bot.store.tables import CommandRecord

#: The `prev_hash` of the first row ever written.
GENESIS = "0" * 64

#: The PostgreSQL advisory lock every writer of the chain takes ("audit" in ASCII).
CHAIN_LOCK = 0x6175646974

#: The columns a row's hash covers, besides `prev_hash`: everything but `id` and `hash`.
#: The order of rows is covered by the links themselves.
HASHED_FIELDS: tuple[str, ...] = (
    "at",
    "actor_id",
    "actor_name",
    "platform",
    "channel",
    "text",
    "intent",
    "target",
    "decision",
    "result",
    "duration_ms",
    "error",
    "pending_action_id",
)

_BATCH = 1000


def timestamp(at: datetime) -> str:
    """`at` as the chain writes it: UTC, ISO 8601, microseconds, `Z`."""
    if at.utcoffset() is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(record: CommandRecord) -> bytes:
    """The bytes a row's hash is taken over: sorted keys, no whitespace, explicit nulls."""
    content: dict[str, object] = {name: getattr(record, name) for name in HASHED_FIELDS}
    content["at"] = timestamp(record.at)
    content["prev_hash"] = record.prev_hash
    return json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode(
        "utf-8"
    )


def row_hash(record: CommandRecord) -> str:
    return hashlib.sha256(canonical(record)).hexdigest()


def append(store: Store, record: CommandRecord) -> CommandRecord:
    """Link `record` to the chain's head and insert it, in one locked transaction."""
    with store.session() as session:
        lock_chain(session)
        record.prev_hash = chain_head(session) or GENESIS
        record.hash = row_hash(record)
        session.add(record)
    return record


def lock_chain(session: Session) -> None:
    """Take the chain's write lock for the rest of the session's transaction.

    It must come first in the transaction: on SQLite the head read afterwards must see the
    newest row, which only a transaction that holds the write lock from its start is sure to.
    """
    connection = session.connection()
    dialect = connection.dialect.name
    if dialect == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": CHAIN_LOCK})
    elif dialect == "sqlite":
        # The driver has not begun a transaction yet (it does so only before a write): begin
        # one that holds the write lock now, waiting on the busy timeout for other writers.
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    else:  # pragma: no cover - Kuber supports SQLite and PostgreSQL only
        raise RuntimeError(f"the audit chain cannot lock a {dialect} database")


def chain_head(session: Session) -> str | None:
    """The hash of the newest chained row, or None for an empty log."""
    return session.exec(
        select(CommandRecord.hash)
        .where(col(CommandRecord.hash).is_not(None))
        .order_by(col(CommandRecord.id).desc())
        .limit(1)
    ).first()


# -- verification ----------------------------------------------------------------------------
@dataclass(frozen=True)
class ChainCheck:
    """What walking the chain found; `broken_at` is the id of the first row that does not fit."""

    rows: int
    first_id: int | None = None
    last_id: int | None = None
    head: str | None = None
    #: The first row links to a row that is gone, as after retention removed the oldest rows.
    starts_after_pruning: bool = False
    broken_at: int | None = None
    problem: str | None = None

    @property
    def intact(self) -> bool:
        return self.broken_at is None and self.problem is None

    def summary(self) -> str:
        """One line for people: what was checked and whether it holds."""
        if self.broken_at is not None:
            return f"audit log broken at row {self.broken_at}: {self.problem}"
        if self.problem is not None:
            return f"audit log broken: {self.problem}"
        if self.rows == 0:
            return "audit log intact: no rows yet"
        pruned = " (older rows were removed by retention)" if self.starts_after_pruning else ""
        return (
            f"audit log intact: {self.rows} rows, ids {self.first_id}..{self.last_id}{pruned}; "
            f"head {self.head}"
        )


def verify(store: Store, *, pruning_allowed: bool = False, expect: str | None = None) -> ChainCheck:
    """Walk the chain in id order and report the first row that does not match.

    `pruning_allowed` accepts a first row that links to a missing row (retention removes the
    oldest rows); without it, that row is reported, since something deleted the rows before it.
    `expect` is a head recorded earlier: it must still be in the chain, or rows were removed
    from the end (the one deletion a chain cannot show by itself).
    """
    rows = 0
    first_id = last_id = None
    previous_id: int | None = None
    previous_hash: str | None = None
    pruned = False
    seen_expected = expect is None
    for record in _in_id_order(store):
        assert record.id is not None
        rows += 1
        if record.hash is None or record.prev_hash is None:
            return _broken(rows, record.id, "it has no hash (written outside the audit chain)")
        if row_hash(record) != record.hash:
            return _broken(rows, record.id, "its content does not match its hash (it was edited)")
        if previous_hash is None:
            first_id = record.id
            if record.prev_hash != GENESIS:
                if not pruning_allowed:
                    return _broken(
                        rows,
                        record.id,
                        "the rows before it are missing (deleted, and no retention is set)",
                    )
                pruned = True
        elif record.prev_hash != previous_hash:
            return _broken(
                rows,
                record.id,
                f"it does not follow row {previous_id}: a row between them was deleted, "
                "or rows were reordered",
            )
        previous_id, previous_hash, last_id = record.id, record.hash, record.id
        seen_expected = seen_expected or record.hash == expect
    if not seen_expected:
        return ChainCheck(
            rows,
            first_id,
            last_id,
            previous_hash,
            pruned,
            problem=f"the recorded head {expect} is no longer in the log "
            "(rows were removed from its end)",
        )
    return ChainCheck(rows, first_id, last_id, previous_hash, pruned)


def _broken(rows: int, row_id: int, problem: str) -> ChainCheck:
    return ChainCheck(rows, broken_at=row_id, problem=problem)


def _in_id_order(store: Store) -> Iterator[CommandRecord]:
    """Every row, oldest id first, a batch per transaction so a long log is never held at once."""
    after = None
    while True:
        query = select(CommandRecord).order_by(col(CommandRecord.id)).limit(_BATCH)
        if after is not None:
            query = query.where(col(CommandRecord.id) > after)
        with store.session() as session:
            batch = list(session.exec(query))
        yield from batch
        if len(batch) < _BATCH:
            return
        after = batch[-1].id
