"""Which Deployment a command means: app name -> cluster, namespace and Deployment.

The app's own entry in kuber.yaml wins, then the team's defaults, then the cluster's first
context. An app nobody knows gets "no app X; did you mean Y?" with the closest names.
"""

from __future__ import annotations

from dataclasses import dataclass

from bot.context import CommandContext
from bot.errors import UserError
from bot.settings import App
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


def cluster_for(ctx: CommandContext, app: App | None, cluster: str | None) -> str:
    clusters = ctx.services.kubernetes
    if cluster:
        return cluster
    if app and app.cluster:
        return app.cluster
    if ctx.team and ctx.team.default_cluster:
        return ctx.team.default_cluster
    names = clusters.names()
    if not names:
        raise UserError("wl_no_clusters")
    return names[0]


def namespace_for(ctx: CommandContext, app: App | None, namespace: str | None) -> str:
    if namespace:
        return namespace
    if app and app.namespace:
        return app.namespace
    if ctx.team:
        return ctx.team.default_namespace
    return "default"


def resolve(
    ctx: CommandContext, app: str, namespace: str | None = None, cluster: str | None = None
) -> Target:
    """Find the app's Deployment; raise a `UserError` with suggestions when there is none."""
    configured = ctx.settings.config.app(app)
    cluster_name = cluster_for(ctx, configured, cluster)
    namespace_name = namespace_for(ctx, configured, namespace)
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
