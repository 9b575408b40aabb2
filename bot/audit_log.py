"""Reading the audit log: records by time, person and app, and the changes made to apps.

It only reads; writing goes through `bot.audit` (and the chain in `bot.audit_chain`). Both
`kuber audit` and the chat's `audit` command ask here, so they agree on what "a change to
payment" means: a record whose target is the app's Deployment (its plans and their decisions).
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import ColumnElement, false, func, or_
from sqlmodel import col, select

from bot.store import Store
from bot.store.tables import CommandRecord

_SINCE = re.compile(r"(\d+)([smhdw])")
_UNIT = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}

#: Decisions that end a plan, and what they say about it (the first found, newest first, wins).
FINAL_DECISIONS = ("executed", "failed", "cancelled", "expired")

#: The columns `kuber audit` prints, in order (its JSON and CSV add the rest).
COLUMNS: tuple[str, ...] = (
    "time",
    "person",
    "platform",
    "channel",
    "command",
    "intent",
    "target",
    "decision",
    "result",
)


def parse_since(value: str) -> timedelta:
    """`30m`, `24h`, `7d`, `2w`, `1h30m` -> a timedelta; ValueError for anything else."""
    compact = value.strip().lower().replace(" ", "")
    parts = _SINCE.findall(compact)
    if not parts or "".join(n + u for n, u in parts) != compact:
        raise ValueError(f"{value!r} is not a duration such as 30m, 24h or 7d")
    return timedelta(seconds=sum(int(n) * _UNIT[u] for n, u in parts))


def target_names(app: str, deployment: str | None = None) -> tuple[str, ...]:
    """The last part of the targets that mean `app` (cluster/namespace/deployment)."""
    return tuple(dict.fromkeys(name for name in (app, deployment) if name))


def _about(names: Iterable[str]) -> ColumnElement[bool]:
    target = col(CommandRecord.target)
    clauses: list[ColumnElement[bool]] = [false()]  # no names: nothing matches
    for name in names:
        escaped = name.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        clauses.append(target == name)
        clauses.append(target.like(f"%/{escaped}", escape="\\"))
    return or_(*clauses)


def find_records(
    store: Store,
    *,
    since: datetime | None = None,
    person: str | None = None,
    targets: Collection[str] | None = None,
) -> list[CommandRecord]:
    """Records matching every filter given, oldest first (in chain order).

    `person` is a platform user id or a display name (case ignored); `targets` are the names
    `target_names` gives for an app.
    """
    query = select(CommandRecord)
    if since is not None:
        query = query.where(col(CommandRecord.at) >= since)
    if person:
        query = query.where(
            or_(
                col(CommandRecord.actor_id) == person,
                func.lower(col(CommandRecord.actor_name)) == person.lower(),
            )
        )
    if targets is not None:
        query = query.where(_about(targets))
    with store.session() as session:
        return list(session.exec(query.order_by(col(CommandRecord.id))))


#: The keys of `kuber audit --json`/`--csv` rows, in order.
ROW_FIELDS: tuple[str, ...] = (
    "id",
    "time",
    "person",
    "person_id",
    "platform",
    "channel",
    "command",
    "intent",
    "target",
    "decision",
    "result",
    "error",
    "duration_ms",
    "pending_action_id",
    "hash",
)


def as_row(record: CommandRecord) -> dict[str, Any]:
    """One record as `kuber audit --json`/`--csv` prints it."""
    return {
        "id": record.id,
        "time": record.at.isoformat(),
        "person": record.actor_name,
        "person_id": record.actor_id,
        "platform": record.platform,
        "channel": record.channel,
        "command": record.text,
        "intent": record.intent,
        "target": record.target,
        "decision": record.decision,
        "result": record.result,
        "error": record.error,
        "duration_ms": record.duration_ms,
        "pending_action_id": record.pending_action_id,
        "hash": record.hash,
    }


# -- changes, as the chat command tells them ------------------------------------------------
@dataclass(frozen=True)
class Change:
    """One change asked for: who asked, what for, when, and how it ended."""

    at: datetime
    requester: str
    intent: str
    target: str
    text: str
    #: planned (still waiting), approved (being applied), or one of `FINAL_DECISIONS`.
    outcome: str
    #: Who approved, cancelled or let it run (the actor of the deciding record), if anyone.
    decided_by: str | None = None


def recent_changes(
    store: Store,
    *,
    since: datetime,
    targets: Collection[str] | None = None,
    limit: int = 10,
) -> list[Change]:
    """The latest changes asked for since `since`, newest first: one per plan, its records
    folded together. `targets` (app names, see `target_names`) limits them to those apps."""
    query = (
        select(CommandRecord)
        .where(col(CommandRecord.at) >= since)
        .where(col(CommandRecord.target).is_not(None))
        .order_by(col(CommandRecord.id))
    )
    if targets is not None:
        query = query.where(_about(targets))
    with store.session() as session:
        records = list(session.exec(query))
    plans: dict[str, list[CommandRecord]] = {}
    for record in records:
        key = record.pending_action_id or f"record:{record.id}"
        plans.setdefault(key, []).append(record)
    changes = [c for c in map(_change, plans.values()) if c is not None]
    changes.sort(key=lambda c: c.at, reverse=True)
    return changes[:limit]


def _change(group: list[CommandRecord]) -> Change | None:
    asked = next((r for r in group if r.decision == "planned"), None)
    if asked is None:
        # The plan was asked for before `since`; only its decision falls in the window.
        asked = group[0]
    final = next((r for r in reversed(group) if r.decision in FINAL_DECISIONS), None)
    approved = next((r for r in reversed(group) if r.decision == "approved"), None)
    decider = final or approved
    if decider is None and asked.decision != "planned":
        return None  # a refused click or similar, not a change
    return Change(
        at=asked.at,
        requester=asked.actor_name,
        intent=asked.intent,
        target=asked.target or "",
        text=asked.text,
        outcome=decider.decision if decider else "planned",
        decided_by=decider.actor_name if decider else None,
    )
