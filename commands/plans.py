"""`cancel` ("never mind", "취소해줘") and `undo` ("undo the last change", "방금 거 되돌려줘"):
commands about the plans of this channel rather than about an app.

`cancel` withdraws the asker's own pending plan here, as its Cancel button would. `undo`
turns the last change applied from this channel into the change that reverses it, shown as
an ordinary plan: it needs the same approval, and the role of the change it makes.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import update
from sqlmodel import col, select

from bot.context import CommandContext
from bot.errors import UserError
from bot.intents import IntentName
from bot.messages import Reply
from bot.plans import Plan
from bot.policy import required_role
from bot.registry import command
from bot.store.tables import PendingAction
from commands.workloads import rollback, scale

#: What `undo` can reverse: a scale (back to the replicas before), a deploy or a rollback
#: (back to the revision that ran before).
UNDOABLE = ("scale", "deploy", "rollback")


def _title(pending: PendingAction) -> str:
    return str(pending.plan.get("title", pending.action))


@command(
    IntentName.CANCEL,
    group="general",
    summary_en="Withdraw your plan waiting for approval in this channel",
    summary_ko="이 채널에서 승인을 기다리는 내 계획 취소",
    examples_en=("never mind", "cancel that"),
    examples_ko=("취소해줘",),
)
def cancel(ctx: CommandContext) -> Reply:
    now = datetime.now(UTC)
    with ctx.store.session() as session:
        waiting = session.exec(
            select(PendingAction)
            .where(col(PendingAction.platform) == ctx.platform)
            .where(col(PendingAction.channel) == ctx.channel)
            .where(col(PendingAction.status) == "pending")
            .where(col(PendingAction.expires_at) > now)
            .order_by(col(PendingAction.created_at).desc())
        ).all()
    own = [p for p in waiting if p.requested_by_id == ctx.actor.id]
    if not own:
        if waiting:
            theirs = waiting[0]
            key, who = "plan_cancel_not_yours", theirs.requested_by_name
            return Reply(ctx.t(key, who=who, title=_title(theirs)), language=ctx.language)
        return Reply(ctx.t("plan_cancel_nothing"), language=ctx.language)
    pending = own[0]
    with ctx.store.session() as session:
        result = session.execute(
            update(PendingAction)
            .where(col(PendingAction.id) == pending.id)
            .where(col(PendingAction.status) == "pending")
            .values(
                status="cancelled",
                decided_by_id=ctx.actor.id,
                decided_by_name=ctx.actor.name,
                decided_at=now,
            )
        )
    if getattr(result, "rowcount", 0) != 1:  # decided by someone else in the meantime
        return Reply(ctx.t("plan_cancel_nothing"), language=ctx.language)
    cancelled = Reply(
        ctx.t("plan_cancelled", who=ctx.actor.name, title=_title(pending)), language=ctx.language
    )
    if pending.message_ref is not None:
        ctx.conversation.edit(pending.message_ref, cancelled)
    return cancelled


@command(
    IntentName.UNDO,
    group="workloads",
    summary_en="Undo the last change made from this channel (as a plan to approve)",
    summary_ko="이 채널에서 마지막으로 한 변경 되돌리기 (승인할 계획으로)",
    examples_en=("undo the last change",),
    examples_ko=("방금 거 되돌려줘",),
)
def undo(ctx: CommandContext) -> Reply | Plan:
    with ctx.store.session() as session:
        last = session.exec(
            select(PendingAction)
            .where(col(PendingAction.platform) == ctx.platform)
            .where(col(PendingAction.channel) == ctx.channel)
            .where(col(PendingAction.status) == "done")
            .order_by(col(PendingAction.decided_at).desc(), col(PendingAction.created_at).desc())
            .limit(1)
        ).first()
    if last is None:
        return Reply(ctx.t("undo_nothing"), language=ctx.language)
    if last.action not in UNDOABLE:
        raise UserError("undo_cannot", title=_title(last))
    plan = _reverse(ctx, last.action, dict(last.params))
    if not isinstance(plan, Plan):
        return plan  # already as it was before
    note = ctx.t("undo_note", title=_title(last), who=last.decided_by_name or "?")
    return replace(plan, notes=(note, *plan.notes))


def _reverse(ctx: CommandContext, action: str, params: dict[str, Any]) -> Reply | Plan:
    """The plan that takes the target back to how it was before `action` with `params`."""
    where: dict[str, Any] = {
        "app": str(params.get("app") or params.get("deployment")),
        "namespace": params.get("namespace"),
        "cluster": params.get("cluster"),
    }
    before = params.get("before")
    if before is None:
        raise UserError("undo_cannot", title=action)
    if action == "scale":
        ctx.needs = required_role("scale")
        return scale(ctx, replicas=int(before), **where)
    ctx.needs = required_role("rollback")
    if action == "deploy":
        version = str(before).rsplit("/", 1)[-1].partition(":")[2]
        return rollback(ctx, version=version or None, **where)
    return rollback(ctx, revision=int(before), **where)
