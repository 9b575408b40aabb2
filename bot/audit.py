"""The audit log: every command attempt, allowed or not, written as one `CommandRecord`.

It must never hold a secret: texts pass through `redact` before they are stored, and so
before they are hashed into the chain (`bot.audit_chain`), which every row joins.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from bot.audit_chain import append
from bot.messages import Actor
from bot.store import Store
from bot.store.tables import CommandRecord

_redactions: list[str] = []


def set_secrets(secrets: list[str]) -> None:
    """Secrets to blank out of anything the audit log or the logs keep."""
    _redactions[:] = sorted((s for s in secrets if len(s) >= 4), key=len, reverse=True)


def redact(text: str) -> str:
    for secret in _redactions:
        if secret in text:
            text = text.replace(secret, "[redacted]")
    return text


@dataclass
class Attempt:
    """A command attempt being timed; `finish` writes it."""

    platform: str
    channel: str
    actor: Actor
    text: str
    intent: str = "unknown"
    target: str | None = None
    pending_action_id: str | None = None
    started: float = field(default_factory=time.monotonic)

    def finish(
        self,
        store: Store,
        decision: str,
        *,
        result: str | None = None,
        error: str | None = None,
    ) -> None:
        record = CommandRecord(
            actor_id=self.actor.id,
            actor_name=self.actor.name,
            platform=self.platform,
            channel=self.channel,
            text=redact(self.text),
            intent=self.intent,
            target=self.target,
            decision=decision,
            result=redact(result)[:4000] if result else None,
            duration_ms=int((time.monotonic() - self.started) * 1000),
            error=redact(error)[:4000] if error else None,
            pending_action_id=self.pending_action_id,
        )
        append(store, record)
