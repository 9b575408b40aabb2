"""Applies a plan of several steps (`bot.sequence_plans`) in the order they were asked.

Each step is applied by its own applier and followed to the end before the next begins; a
step that fails stops the sequence, and the message says which steps ran.
"""

from __future__ import annotations

from typing import Any

from bot.approvals import bind_message, create_pending, render_plan
from bot.context import CommandContext
from bot.errors import KuberError, UserError
from bot.messages import Field, Reply
from bot.plans import Plan
from bot.policy import required_role
from bot.registry import applies, load_commands
from bot.sequence_plans import DEPLOY_BUILT
from commands.workloads import deploy


@applies("sequence")
def apply_sequence(ctx: CommandContext, *, steps: list[dict[str, Any]]) -> Reply:
    registry = load_commands()
    done: list[str] = []
    total = len(steps)
    last: Reply | None = None
    for index, step in enumerate(steps, 1):
        title = str(step.get("title", step.get("action")))
        if step.get("action") == DEPLOY_BUILT:
            try:
                done.append(
                    f"✅ {index}. " + _propose_deploy(ctx, dict(step.get("params") or {}), last)
                )
            except KuberError as exc:
                return _stopped(ctx, index, total, title, ctx.t(exc.key, **exc.params), done)
            continue
        applier = registry.applier(str(step.get("action")))
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
        last = reply
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


def _propose_deploy(ctx: CommandContext, params: dict[str, Any], built: Reply | None) -> str:
    """After a green build, the deploy of the tag it produced, as a plan of its own: the same
    approval as any deploy, shown in the thread. Returns the step's line for the summary."""
    build = built.extra.get("build") if built is not None else None
    tag = build.get("image_tag") if isinstance(build, dict) else None
    app = str(params.get("app"))
    if not tag:
        raise UserError("seq_no_image_tag", app=app)
    ctx.needs = required_role("deploy")
    where = {"namespace": params.get("namespace"), "cluster": params.get("cluster")}
    planned = deploy(ctx, app=app, version=str(tag), **where)
    if not isinstance(planned, Plan):
        return planned.text
    pending = create_pending(ctx, planned, f"deploy {app} {tag} (built)")
    four_eyes = ctx.settings.config.policy.four_eyes
    ref = ctx.conversation.post(render_plan(ctx.language, planned, pending, four_eyes=four_eyes))
    bind_message(ctx, pending, ref)
    return ctx.t("seq_deploy_proposed", app=app, tag=tag)
