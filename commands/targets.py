"""Which Deployment a command means: app name -> cluster, namespace and Deployment.

The app's own entry in kuber.yaml wins, then its team's defaults (the channel's team's, for an
app kuber.yaml does not list), then the cluster's first
context. An app nobody knows gets "no app X; did you mean Y?" with the closest names. Whether
the person may touch the target is decided here, before the cluster is asked anything, so a
refusal tells nobody whether another team's app exists.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import CommandContext
from bot.errors import NotAllowed, UserError
from bot.policy import may_act_on
from bot.settings import App, Team
from integrations.kubernetes import DeploymentRef, DeploymentState, KubernetesClusters
from integrations.kubernetes_errors import AppNotFound

DEFAULT_MAX_REPLICAS = 50


@dataclass(frozen=True)
class Target:
    app: str
    ref: DeploymentRef
    state: DeploymentState
    max_replicas: int

    @property
    def key(self) -> str:
        return f"{self.ref.cluster}/{self.ref.namespace}/{self.ref.name}"

    @property
    def where(self) -> str:
        return f"{self.ref.cluster}/{self.ref.namespace}"


def _home_team(ctx: CommandContext, app: App | None) -> Team | None:
    """The team whose defaults place `app`: its own team, else the channel's."""
    owner = ctx.settings.config.team(app.team) if app and app.team else None
    return owner or ctx.team


def cluster_for(ctx: CommandContext, app: App | None, cluster: str | None) -> str:
    clusters = ctx.services.kubernetes
    if cluster:
        return cluster
    if app and app.cluster:
        return app.cluster
    team = _home_team(ctx, app)
    if team and team.default_cluster:
        return team.default_cluster
    names = clusters.names()
    if not names:
        raise UserError("wl_no_clusters")
    return names[0]


def namespace_for(ctx: CommandContext, app: App | None, namespace: str | None) -> str:
    if namespace:
        return namespace
    if app and app.namespace:
        return app.namespace
    team = _home_team(ctx, app)
    if team:
        return team.default_namespace
    return "default"


def check_scope(ctx: CommandContext, app: str | None, cluster: str, namespace: str) -> None:
    """Raise `NotAllowed` unless the person holds `ctx.needs` at this target."""
    decision = may_act_on(
        ctx.settings.config, ctx.person, ctx.needs, app=app, cluster=cluster, namespace=namespace
    )
    if not decision.allowed:
        raise NotAllowed(decision.reason or "policy_refused", **decision.params)


def resolve(
    ctx: CommandContext, app: str, namespace: str | None = None, cluster: str | None = None
) -> Target:
    """Find the app's Deployment; raise a `UserError` with suggestions when there is none."""
    configured = ctx.settings.config.app(app)
    cluster_name = cluster_for(ctx, configured, cluster)
    namespace_name = namespace_for(ctx, configured, namespace)
    check_scope(ctx, app, cluster_name, namespace_name)
    clusters: KubernetesClusters = ctx.services.kubernetes
    try:
        state = clusters.find_deployment(
            cluster_name,
            namespace_name,
            app,
            deployment=configured.deployment if configured else None,
        )
    except AppNotFound:
        suggestions = ctx.apps.suggest(app, limit=3) if ctx.apps else []
        suggestions = [s for s in suggestions if s != app]
        key = "app_unknown_suggest" if suggestions else "app_unknown"
        raise UserError(
            key,
            choices=suggestions,
            slot="app",
            app=app,
            where=f"{cluster_name}/{namespace_name}",
            suggestions=", ".join(suggestions),
        ) from None
    container = configured.container_name if configured else app
    ref = DeploymentRef(cluster_name, namespace_name, state.ref.name, container)
    if container != app:
        state = clusters.get(ref)  # the image shown must be the configured container's
    max_replicas = configured.max_replicas if configured else DEFAULT_MAX_REPLICAS
    return Target(app=app, ref=ref, state=state, max_replicas=max_replicas)
