"""Applies a plan of several steps (`bot.sequence_plans`) in the order they were asked.

Each step is applied by its own applier and followed to the end before the next begins; a
step that fails stops the sequence, and the message says which steps ran.
"""

from __future__ import annotations

from typing import Any

from bot.context import CommandContext
from bot.errors import KuberError
from bot.messages import Field, Reply
from bot.registry import applies, load_commands


@applies("sequence")
def apply_sequence(ctx: CommandContext, *, steps: list[dict[str, Any]]) -> Reply:
    registry = load_commands()
    done: list[str] = []
    total = len(steps)
    for index, step in enumerate(steps, 1):
        applier = registry.applier(str(step.get("action")))
        title = str(step.get("title", step.get("action")))
        if applier is None:
            return _stopped(
                ctx, index, total, title, ctx.t("not_available", intent=step.get("action")), done
            )
        try:
            reply = applier.call(ctx, dict(step.get("params") or {}))
        except KuberError as exc:
            return _stopped(ctx, index, total, title, ctx.t(exc.key, **exc.params), done)
        if reply.is_error:
            return _stopped(ctx, index, total, title, reply.text, done)
        done.append(f"✅ {index}. {title}")
    return Reply(
        ctx.t("seq_done", count=total),
        fields=(Field(ctx.t("seq_field_steps"), "\n".join(done)),),
        language=ctx.language,
    )


def _stopped(
    ctx: CommandContext, index: int, total: int, title: str, why: str, done: list[str]
) -> Reply:
    lines = [*done, f"❌ {index}. {title}: {why}"]
    return Reply(
        ctx.t("seq_stopped", index=index, total=total),
        fields=(Field(ctx.t("seq_field_steps"), "\n".join(lines)),),
        language=ctx.language,
        is_error=True,
    )
