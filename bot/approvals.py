"""Pending actions: a plan stored with its expiry, shown with Approve/Cancel buttons.

Both the dispatcher (for a new command) and commands (for the one-click rollback offered
after a failed rollout) create them here, so every change goes through the same approval.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlalchemy.exc import IntegrityError
from sqlmodel import col

from bot.context import CommandContext
from bot.i18n import translate
from bot.intents import Language
from bot.messages import Button, Field, Reply
from bot.plans import Plan
from bot.policy import is_protected, required_role
from bot.sequence_plans import steps_of
from bot.store.tables import PendingAction
from bot.work_scope import stable_name


def create_pending(ctx: CommandContext, plan: Plan, text: str) -> PendingAction:
    """Store `plan` as a pending action of `ctx.actor` (not yet bound to a message)."""
    config = ctx.settings.config
    protected = plan.protected or is_protected(
        config,
        cluster=plan.params.get("cluster"),
        namespace=plan.params.get("namespace"),
        team=ctx.team,
    )
    pending = PendingAction(
        # Named by the work it came from when there is one, so a re-run stores no second plan.
        id=stable_name("plan", 16) or secrets.token_urlsafe(12),
        expires_at=datetime.now(UTC) + timedelta(minutes=config.policy.approval_minutes),
        platform=ctx.platform,
        channel=ctx.channel,
        thread=ctx.thread,
        requested_by_id=ctx.actor.id,
        requested_by_name=ctx.actor.name,
        language=ctx.language,
        text=text,
        action=plan.action,
        params=plan.params,
        plan=plan.to_json(),
        target=plan.target,
        protected=protected,
    )
    try:
        with ctx.store.session() as session:
            session.add(pending)
    except IntegrityError:
        with ctx.store.session() as session:
            stored = session.get(PendingAction, pending.id)
        if stored is None:
            raise
        return stored
    return pending


def mark_following(ctx: CommandContext, kind: str, params: dict[str, Any]) -> None:
    """Record that the plan being applied is applied and its effect is being followed, and
    how to go on following it: a replica that takes over after a stop resumes from here."""
    if ctx.action_id is None:
        return
    with ctx.store.session() as session:
        session.execute(
            update(PendingAction)
            .where(col(PendingAction.id) == ctx.action_id)
            .where(col(PendingAction.status).in_(("approved", "applying")))
            .values(
                status="applying",
                follow={"kind": kind, "params": params, "thread": ctx.thread},
                message_ref=ctx.message_ref,
            )
        )


def bind_message(ctx: CommandContext, pending: PendingAction, message_ref: str) -> None:
    with ctx.store.session() as session:
        row = session.get(PendingAction, pending.id)
        if row is not None:
            row.message_ref = message_ref
            session.add(row)


def approval_buttons(
    lang: Language, pending: PendingAction, approve_label: str | None = None
) -> tuple[Button, ...]:
    return (
        Button(
            approve_label or translate(lang, "button_approve"), "approve", pending.id, "primary"
        ),
        Button(translate(lang, "button_cancel"), "cancel", pending.id, "danger"),
    )


def approvers(lang: Language, pending: PendingAction, *, four_eyes: bool) -> str:
    """Who may approve, said on the plan itself, so nobody clicks only to be refused."""
    if not pending.protected:
        needed = [required_role(a) for a, _ in steps_of(pending.action, dict(pending.params))]
        key = "plan_approvers_deployer" if "deployer" in needed else "plan_approvers_operator"
        return translate(lang, key)
    if four_eyes:
        return translate(lang, "plan_approvers_admin", who=pending.requested_by_name)
    return translate(lang, "plan_approvers_admin_any")


def render_plan(
    lang: Language, plan: Plan, pending: PendingAction, *, four_eyes: bool = True
) -> Reply:
    fields = tuple(Field(c.what, f"{c.before} → {c.after}") for c in plan.changes)
    context = [translate(lang, "plan_requested_by", who=pending.requested_by_name)]
    context.append(approvers(lang, pending, four_eyes=four_eyes))
    minutes = max(1, round((pending.expires_at - datetime.now(UTC)).total_seconds() / 60))
    context.append(translate(lang, "plan_expires", minutes=minutes))
    notes = "\n".join(plan.notes)
    return Reply(
        plan.title + ("\n" + notes if notes else ""),
        fields=fields,
        buttons=approval_buttons(lang, pending),
        context=" · ".join(context),
        language=lang,
    )
