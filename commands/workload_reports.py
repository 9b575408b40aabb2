"""Looking at workloads: status, logs and rollout history. Read-only, so no plan."""

from __future__ import annotations

from collections.abc import Sequence

from bot.context import CommandContext
from bot.intents import IntentName
from bot.messages import Field, Reply
from bot.registry import command
from commands.rollout import state_fields
from commands.targets import check_scope, cluster_for, namespace_for, resolve
from integrations.kubernetes import PodInfo

#: Chat messages have a size limit; logs beyond this are cut from the top (oldest lines).
MAX_LOG_CHARS = 3500
MAX_LOG_LINES = 1000


@command(
    IntentName.STATUS,
    group="workloads",
    summary_en="Show an app's replicas, pods and recent warnings (or every app)",
    summary_ko="앱의 레플리카, 파드, 최근 경고 보기 (앱을 빼면 전체)",
    examples_en=("status of payment", "status"),
    examples_ko=("marvel-collection 상태 알려줘",),
)
def status(
    ctx: CommandContext,
    *,
    app: str | None = None,
    namespace: str | None = None,
    cluster: str | None = None,
) -> Reply:
    if app is None:
        return _overview(ctx, namespace, cluster)
    target = resolve(ctx, app, namespace, cluster)
    clusters = ctx.services.kubernetes
    state = target.state
    pods = clusters.pods(target.ref)
    events = clusters.events(target.ref, warnings_only=True, limit=5)
    healthy = state.available >= state.replicas and not any(p.reason for p in pods)
    fields = [
        *state_fields(ctx, state),
        Field(ctx.t("wl_field_revision"), str(state.revision or "?")),
    ]
    if events:
        fields.append(
            Field(
                ctx.t("wl_field_warnings"),
                "\n".join(f"{e.reason}: {e.object_name} — {e.message}" for e in events),
            )
        )
    key = "wl_status_healthy" if healthy else "wl_status_unhealthy"
    return Reply(
        ctx.t(key, app=app, where=target.where),
        fields=tuple(fields),
        code=_pod_table(pods) if pods else None,
        language=ctx.language,
    )


def _overview(ctx: CommandContext, namespace: str | None, cluster: str | None) -> Reply:
    cluster_name = cluster_for(ctx, None, cluster)
    namespace_name = namespace_for(ctx, None, namespace)
    check_scope(ctx, None, cluster_name, namespace_name)
    states = ctx.services.kubernetes.list_deployments(cluster_name, namespace_name)
    rows: list[tuple[str, ...]] = [("APP", "READY", "UP-TO-DATE", "AVAILABLE", "IMAGE")]
    for state in states:
        image = (state.image or "?").rsplit("/", 1)[-1]
        rows.append(
            (
                state.ref.name,
                f"{state.ready}/{state.replicas}",
                str(state.updated),
                str(state.available),
                image,
            )
        )
    unhealthy = [s.ref.name for s in states if s.available < s.replicas]
    key = "wl_overview_unhealthy" if unhealthy else "wl_overview"
    return Reply(
        ctx.t(
            key,
            where=f"{cluster_name}/{namespace_name}",
            count=len(states),
            apps=", ".join(unhealthy),
        ),
        code=_table(rows),
        language=ctx.language,
    )


@command(
    IntentName.LOGS,
    group="workloads",
    summary_en="Show an app's latest log lines (the crashed container's, if it crashed)",
    summary_ko="앱의 최근 로그 보기 (죽은 컨테이너가 있으면 그 로그)",
    examples_en=("logs payment", "show me the last 100 lines of cart logs"),
    examples_ko=("user-api 로그 50줄 보여줘",),
)
def logs(
    ctx: CommandContext,
    *,
    app: str,
    lines: int | None = None,
    namespace: str | None = None,
    cluster: str | None = None,
) -> Reply:
    count = max(1, min(lines or 50, MAX_LOG_LINES))
    target = resolve(ctx, app, namespace, cluster)
    entries = ctx.services.kubernetes.logs(target.ref, lines=count)
    if not entries:
        return Reply(ctx.t("wl_logs_none", app=app, where=target.where), language=ctx.language)
    entry = entries[0]
    text = entry.text
    if len(text) > MAX_LOG_CHARS:
        text = "…\n" + text[-MAX_LOG_CHARS:].split("\n", 1)[-1]
    key = "wl_logs_previous" if entry.previous else "wl_logs"
    return Reply(
        ctx.t(key, app=app, pod=entry.pod, lines=count),
        code=text or ctx.t("wl_logs_empty"),
        language=ctx.language,
    )


@command(
    IntentName.HISTORY,
    group="workloads",
    summary_en="Show an app's rollout history (revisions, images, causes)",
    summary_ko="앱의 배포 이력 보기 (리비전, 이미지, 변경 사유)",
    examples_en=("rollout history of payment",),
    examples_ko=("frontend 배포 이력 보여줘",),
)
def history(
    ctx: CommandContext, *, app: str, namespace: str | None = None, cluster: str | None = None
) -> Reply:
    target = resolve(ctx, app, namespace, cluster)
    revisions = ctx.services.kubernetes.history(target.ref)
    rows: list[tuple[str, ...]] = [("REVISION", "IMAGE", "CREATED", "CHANGE-CAUSE")]
    for revision in reversed(revisions):
        marker = " *" if revision.current else ""
        created = revision.created.strftime("%Y-%m-%d %H:%M") if revision.created else "-"
        rows.append(
            (
                f"{revision.number}{marker}",
                ", ".join(i.rsplit("/", 1)[-1] for i in revision.images),
                created,
                revision.change_cause or "-",
            )
        )
    return Reply(
        ctx.t("wl_history", app=app, where=target.where, count=len(revisions)),
        code=_table(rows),
        context=ctx.t("wl_history_current"),
        language=ctx.language,
    )


def _pod_table(pods: list[PodInfo]) -> str:
    rows: list[tuple[str, ...]] = [("POD", "STATUS", "READY", "RESTARTS", "AGE")]
    for pod in pods:
        rows.append(
            (
                pod.name,
                pod.reason or pod.phase,
                "yes" if pod.ready else "no",
                str(pod.restarts),
                _age(pod.age_seconds),
            )
        )
    return _table(rows)


def _table(rows: Sequence[tuple[str, ...]]) -> str:
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(row, widths, strict=True)).rstrip()
        for row in rows
    )


def _age(seconds: float) -> str:
    seconds = int(seconds)
    if seconds < 120:
        return f"{seconds}s"
    if seconds < 7200:
        return f"{seconds // 60}m"
    if seconds < 172800:
        return f"{seconds // 3600}h"
    return f"{seconds // 86400}d"
