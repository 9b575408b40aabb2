"""A plan: what a mutating command will change, shown before anything changes.

A handler returns a `Plan` instead of acting; the dispatcher stores it as a pending action,
shows it with Approve/Cancel, and on approval calls the applier named by `action` with
`params`. Params are JSON so a plan survives a restart between the question and the click.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class Change:
    what: str
    before: str
    after: str


@dataclass(frozen=True)
class Plan:
    action: str
    params: dict[str, Any]
    #: One line: "Scale payment in prod/default from 2 to 3 replicas".
    title: str
    #: "cluster/namespace/app": the unit one operation at a time is allowed on.
    target: str
    changes: tuple[Change, ...] = ()
    notes: tuple[str, ...] = ()
    #: Set by a command when the target is protected regardless of policy (e.g. prod cluster).
    protected: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "target": self.target,
            "changes": [
                {"what": c.what, "before": c.before, "after": c.after} for c in self.changes
            ],
            "notes": list(self.notes),
        }
