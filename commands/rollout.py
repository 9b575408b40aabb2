"""Following a rollout after a change: edit the message as it goes, report how it ended.

A failed rollout (crash loop, progress deadline) offers a one-click rollback: the rollback
is stored as a pending action at once, so its button goes through the same approval rules.
"""

from __future__ import annotations

from bot.approvals import approval_buttons, create_pending, mark_following
from bot.context import CommandContext
from bot.messages import Button, Field, Reply
from bot.plans import Change, Plan
from bot.registry import resumes
from integrations.kubernetes import DeploymentRef, DeploymentState, PodInfo, RolloutProgress


def follow(ctx: CommandContext, ref: DeploymentRef, title: str) -> Reply:
    """Watch the rollout of `ref` until done, failed or timed out; return the final reply.

    The plan being applied is marked as following first, so that if this replica stops
    before the rollout ends, the next leader goes on following it (`resume_rollout`).
    """
    mark_following(
        ctx,
        "rollout",
        {
            "cluster": ref.cluster,
            "namespace": ref.namespace,
            "deployment": ref.name,
            "container": ref.container,
            "title": title,
        },
    )
    clusters = ctx.services.kubernetes
    shown: list[str] = []

    def progress(step: RolloutProgress) -> None:
        if ctx.message_ref is None or (shown and shown[-1] == step.message):
            return
        shown.append(step.message)
        ctx.conversation.edit(
            ctx.message_ref,
            Reply(
                ctx.t("wl_rollout_progress", title=title),
                fields=_counts(ctx, step),
                context=step.message,
                language=ctx.language,
            ),
        )

    result = clusters.follow_rollout(
        ref,
        timeout=ctx.settings.env.rollout_timeout,
        on_progress=progress,
        interrupt=ctx.interrupt,
    )
    if result.done:
        return Reply(
            ctx.t("wl_rollout_done", title=title),
            fields=_counts(ctx, result),
            context=result.message,
            language=ctx.language,
        )
    if result.reason == "Paused":
        return Reply(
            ctx.t("wl_rollout_paused", title=title),
            fields=_counts(ctx, result),
            context=result.message,
            language=ctx.language,
            is_error=True,
        )
    if result.reason == "Timeout":
        return Reply(
            ctx.t("wl_rollout_timeout", title=title, seconds=int(ctx.settings.env.rollout_timeout)),
            fields=_counts(ctx, result),
            context=result.message,
            language=ctx.language,
            is_error=True,
        )
    return _failed(ctx, ref, title, result)


@resumes("rollout")
def resume_rollout(
    ctx: CommandContext,
    *,
    cluster: str,
    namespace: str,
    deployment: str,
    container: str | None,
    title: str,
) -> Reply:
    """Go on following a rollout that a stopped replica was following."""
    return follow(ctx, DeploymentRef(cluster, namespace, deployment, container), title)


def _failed(ctx: CommandContext, ref: DeploymentRef, title: str, result: RolloutProgress) -> Reply:
    clusters = ctx.services.kubernetes
    pods = [p for p in clusters.pods(ref) if p.reason]
    fields = list(_counts(ctx, result))
    if pods:
        fields.append(
            Field(ctx.t("wl_field_failing_pods"), "\n".join(_pod_line(p) for p in pods[:5]))
        )
    buttons: tuple[Button, ...] = ()
    history = clusters.history(ref)
    previous = [r for r in history if not r.current]
    if previous:
        back_to = previous[-1]
        plan = Plan(
            action="rollback",
            params={
                "cluster": ref.cluster,
                "namespace": ref.namespace,
                "deployment": ref.name,
                "container": ref.container,
                "revision": back_to.number,
                "before": result.state.revision,
            },
            title=ctx.t(
                "wl_plan_rollback",
                app=ref.name,
                revision=back_to.number,
                where=f"{ref.cluster}/{ref.namespace}",
            ),
            target=f"{ref.cluster}/{ref.namespace}/{ref.name}",
            changes=(
                Change(
                    ctx.t("wl_field_image"), result.state.image or "?", ", ".join(back_to.images)
                ),
            ),
        )
        pending = create_pending(ctx, plan, f"rollback {ref.name} to revision {back_to.number}")
        label = ctx.t("wl_button_rollback", revision=back_to.number)
        buttons = approval_buttons(ctx.language, pending, approve_label=label)
    return Reply(
        ctx.t("wl_rollout_failed", title=title, reason=result.reason or "?"),
        fields=tuple(fields),
        buttons=buttons,
        context=result.message,
        language=ctx.language,
        is_error=True,
    )


def _counts(ctx: CommandContext, step: RolloutProgress) -> tuple[Field, ...]:
    return state_fields(ctx, step.state)


def state_fields(ctx: CommandContext, state: DeploymentState) -> tuple[Field, ...]:
    """Replicas and image, as every workload reply shows them."""
    return (
        Field(
            ctx.t("wl_field_replicas"),
            ctx.t(
                "wl_replica_counts",
                desired=state.replicas,
                updated=state.updated,
                ready=state.ready,
                available=state.available,
            ),
        ),
        Field(ctx.t("wl_field_image"), state.image or "?"),
    )


def _pod_line(pod: PodInfo) -> str:
    cause = (
        f" ({pod.last_exit_reason})"
        if pod.last_exit_reason and pod.last_exit_reason != pod.reason
        else ""
    )
    return f"{pod.name}: {pod.reason}{cause}, restarts {pod.restarts}"
