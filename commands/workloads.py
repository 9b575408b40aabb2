"""Changing workloads: scale, restart, roll back and deploy an app's Deployment.

Each handler reads the current state and returns a `Plan` (before -> after); nothing changes
until someone approves. Each applier makes the change and follows the rollout.
"""

from __future__ import annotations

from datetime import UTC, datetime

from bot.context import CommandContext
from bot.errors import UserError
from bot.intents import IntentName
from bot.messages import Reply
from bot.plans import Change, Plan
from bot.registry import applies, command
from commands.rollout import follow
from commands.targets import Target, resolve
from integrations.kubernetes import DeploymentRef, RevisionInfo
from integrations.kubernetes_errors import check_tag, retag


def _params(target: Target, **extra: object) -> dict[str, object]:
    return {
        "app": target.app,
        "cluster": target.ref.cluster,
        "namespace": target.ref.namespace,
        "deployment": target.ref.name,
        "container": target.ref.container,
        **extra,
    }


def _unchanged(ctx: CommandContext, app: str, planned: object, now: object) -> None:
    """Refuse to apply a plan whose "before" is no longer true: the person approved a change
    from that state, not from whatever someone else left since."""
    if planned is not None and planned != now:
        raise UserError("wl_changed_since_plan", app=app, planned=planned, now=now)


def _ref(cluster: str, namespace: str, deployment: str, container: str | None) -> DeploymentRef:
    return DeploymentRef(cluster, namespace, deployment, container)


# -- scale ---------------------------------------------------------------------------------
@command(
    IntentName.SCALE,
    group="workloads",
    summary_en="Scale an app (absolute or by a step; stop = 0)",
    summary_ko="앱 개수 조정 (개수 지정, 늘리기·줄이기, 중지 = 0)",
    examples_en=("run payment app ×3", "add 2 more cart pods", "stop order-service"),
    examples_ko=("payment 앱을 3개 실행해줘", "cart 파드 두 개 더 띄워줘"),
)
def scale(
    ctx: CommandContext,
    *,
    app: str,
    replicas: int | None = None,
    delta: int | None = None,
    namespace: str | None = None,
    cluster: str | None = None,
) -> Reply | Plan:
    if replicas is None and delta is None:
        raise UserError("wl_ask_replicas", app=app)
    target = resolve(ctx, app, namespace, cluster)
    current = target.state.replicas
    desired = replicas if replicas is not None else current + (delta or 0)
    if desired < 0:
        raise UserError("wl_replicas_negative", app=app, current=current, desired=desired)
    if desired > target.max_replicas:
        raise UserError(
            "wl_replicas_too_many", app=app, desired=desired, maximum=target.max_replicas
        )
    if desired == current:
        return Reply(
            ctx.t("wl_scale_nothing", app=app, replicas=current, where=target.where),
            language=ctx.language,
        )
    key = "wl_plan_stop" if desired == 0 else "wl_plan_scale"
    return Plan(
        action="scale",
        params=_params(target, replicas=desired, before=current),
        title=ctx.t(key, app=app, where=target.where, before=current, after=desired),
        target=target.key,
        changes=(Change(ctx.t("wl_field_replicas"), str(current), str(desired)),),
    )


@applies("scale")
def apply_scale(
    ctx: CommandContext,
    *,
    app: str,
    cluster: str,
    namespace: str,
    deployment: str,
    container: str | None,
    replicas: int,
    before: int | None = None,
) -> Reply:
    ref = _ref(cluster, namespace, deployment, container)
    now = ctx.services.kubernetes.get(ref).replicas
    _unchanged(ctx, app, before, now)
    ctx.services.kubernetes.scale(ref, replicas)
    title = ctx.t("wl_title_scale", app=app, before=now, after=replicas)
    return follow(ctx, ref, title)


# -- restart -------------------------------------------------------------------------------
@command(
    IntentName.RESTART,
    group="workloads",
    summary_en="Restart an app's pods, one by one",
    summary_ko="앱의 파드를 차례로 재시작",
    examples_en=("restart auth",),
    examples_ko=("user-api 재시작해줘",),
)
def restart(
    ctx: CommandContext, *, app: str, namespace: str | None = None, cluster: str | None = None
) -> Plan:
    target = resolve(ctx, app, namespace, cluster)
    return Plan(
        action="restart",
        params=_params(target),
        title=ctx.t("wl_plan_restart", app=app, where=target.where, replicas=target.state.replicas),
        target=target.key,
        changes=(
            Change(ctx.t("wl_field_pods"), ctx.t("wl_pods_running"), ctx.t("wl_pods_replaced")),
        ),
    )


@applies("restart")
def apply_restart(
    ctx: CommandContext,
    *,
    app: str,
    cluster: str,
    namespace: str,
    deployment: str,
    container: str | None,
) -> Reply:
    ref = _ref(cluster, namespace, deployment, container)
    ctx.services.kubernetes.restart(ref, datetime.now(UTC))
    return follow(ctx, ref, ctx.t("wl_title_restart", app=app))


# -- rollback ------------------------------------------------------------------------------
@command(
    IntentName.ROLLBACK,
    group="workloads",
    summary_en="Roll an app back (to the previous revision, to revision N or to a version)",
    summary_ko="앱을 이전 버전(또는 N번 리비전, 특정 버전)으로 롤백",
    examples_en=("rollback payment", "roll back cart to revision 4", "roll back payment to 1.0.0"),
    examples_ko=("payment 이전 버전으로 롤백해줘", "auth 리비전 2로 되돌려줘"),
)
def rollback(
    ctx: CommandContext,
    *,
    app: str,
    revision: int | None = None,
    version: str | None = None,
    namespace: str | None = None,
    cluster: str | None = None,
) -> Plan:
    target = resolve(ctx, app, namespace, cluster)
    history = ctx.services.kubernetes.history(target.ref)
    numbers = [r.number for r in history]
    current = next((r for r in history if r.current), None)
    if version is not None and revision is None:
        revision = _revision_running(ctx, app, history, version)
    if revision is None:
        older = [r for r in history if not r.current]
        if not older:
            raise UserError("wl_no_previous_revision", app=app)
        wanted = older[-1]
    else:
        found = next((r for r in history if r.number == revision), None)
        if found is None:
            raise UserError(
                "wl_revision_missing",
                app=app,
                revision=revision,
                available=", ".join(str(n) for n in numbers) or "-",
            )
        if found.current:
            raise UserError("wl_revision_is_current", app=app, revision=revision)
        wanted = found
    before = ", ".join(current.images) if current else (target.state.image or "?")
    return Plan(
        action="rollback",
        params=_params(target, revision=wanted.number, before=current.number if current else None),
        title=ctx.t("wl_plan_rollback", app=app, revision=wanted.number, where=target.where),
        target=target.key,
        changes=(
            Change(ctx.t("wl_field_image"), before, ", ".join(wanted.images)),
            Change(
                ctx.t("wl_field_revision"),
                str(current.number if current else "?"),
                ctx.t("wl_revision_revived", revision=wanted.number),
            ),
        ),
        notes=(ctx.t("wl_change_cause", cause=wanted.change_cause),) if wanted.change_cause else (),
    )


def _revision_running(
    ctx: CommandContext, app: str, history: list[RevisionInfo], version: str
) -> int:
    """The newest revision whose image has tag `version` ("roll back payment to 1.0.0")."""
    tagged = [r for r in history if any(_tag_of(image) == version for image in r.images)]
    if not tagged:
        tags = sorted({_tag_of(i) for r in history for i in r.images} - {""})
        raise UserError(
            "wl_version_missing",
            choices=tags[-5:],
            slot="version",
            app=app,
            version=version,
            available=", ".join(tags) or "-",
        )
    return tagged[-1].number


def _tag_of(image: str) -> str:
    name = image.rsplit("/", 1)[-1]
    return name.split(":", 1)[1] if ":" in name else ""


@applies("rollback")
def apply_rollback(
    ctx: CommandContext,
    *,
    cluster: str,
    namespace: str,
    deployment: str,
    container: str | None,
    revision: int,
    app: str | None = None,
    before: int | None = None,
) -> Reply:
    ref = _ref(cluster, namespace, deployment, container)
    _unchanged(ctx, app or deployment, before, ctx.services.kubernetes.get(ref).revision)
    ctx.services.kubernetes.rollback(ref, revision)
    return follow(ctx, ref, ctx.t("wl_title_rollback", app=app or deployment, revision=revision))


# -- deploy --------------------------------------------------------------------------------
@command(
    IntentName.DEPLOY,
    group="workloads",
    summary_en="Deploy a version (set the image tag of the app's container)",
    summary_ko="새 버전 배포 (앱 컨테이너의 이미지 태그 변경)",
    examples_en=("deploy payment 1.4.2", "deploy cart v2.0.1 to staging"),
    examples_ko=("frontend 2.3.0 버전 배포해줘",),
)
def deploy(
    ctx: CommandContext,
    *,
    app: str,
    version: str,
    namespace: str | None = None,
    cluster: str | None = None,
) -> Reply | Plan:
    check_tag(version)  # a bad tag is refused before any call to the cluster
    target = resolve(ctx, app, namespace, cluster)
    image = target.state.image
    if not image:
        raise UserError("wl_no_container", app=app, container=target.ref.container or app)
    new_image = retag(image, version)
    if new_image == image:
        return Reply(ctx.t("wl_deploy_nothing", app=app, image=image), language=ctx.language)
    return Plan(
        action="deploy",
        params=_params(target, image=new_image, version=version, before=image),
        title=ctx.t("wl_plan_deploy", app=app, version=version, where=target.where),
        target=target.key,
        changes=(Change(ctx.t("wl_field_image"), image, new_image),),
    )


@applies("deploy")
def apply_deploy(
    ctx: CommandContext,
    *,
    app: str,
    cluster: str,
    namespace: str,
    deployment: str,
    container: str | None,
    image: str,
    version: str,
    before: str | None = None,
) -> Reply:
    ref = _ref(cluster, namespace, deployment, container)
    _unchanged(ctx, app, before, ctx.services.kubernetes.get(ref).image)
    cause = f"kuber: deploy {version} by {ctx.actor.name}"
    ctx.services.kubernetes.set_image(ref, container or app, image, change_cause=cause)
    return follow(ctx, ref, ctx.t("wl_title_deploy", app=app, version=version))
