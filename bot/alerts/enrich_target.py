"""Which Deployment an alert group is about, read from its labels, and the labels it reads.

Alerts say what they are about in labels: `deployment`, `app` or `pod`, with `namespace` and
`cluster`. An app kuber.yaml knows (by name, alias or Deployment) brings its Deployment,
namespace and cluster, placed as the chat commands place it; a `pod` alone leads to its
Deployment by the name Kubernetes gives a Deployment's pods (`<deployment>-<hash>-<id>`).
Pure: labels and settings in, a target out; nothing is asked of a cluster here.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from urllib.parse import parse_qs, urlsplit

from bot.alerts.render import GroupView
from bot.settings import App, KuberConfig

#: A pod of a Deployment: `<deployment>-<pod-template-hash>-<5 characters>`.
_DEPLOYMENT_POD = re.compile(
    r"^(?P<deployment>[a-z0-9]([-a-z0-9]*[a-z0-9])?)-[a-z0-9]{6,10}-[a-z0-9]{5}$"
)
_NAME = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")


@dataclass(frozen=True)
class AlertTarget:
    """The Deployment an alert names, as far as its labels and kuber.yaml tell."""

    #: The name the chat commands know it by: kuber.yaml's app, else the Deployment's name.
    app: str
    #: The Deployment's name; None when only an `app` label names it (found by that label).
    deployment: str | None
    namespace: str
    #: None: the first cluster Kuber knows (as the commands default).
    cluster: str | None
    pod: str | None = None
    #: kuber.yaml lists the app (its container, Deployment and team are known).
    configured: App | None = None


def labels_naming_a_workload(view: GroupView) -> Mapping[str, str] | None:
    """The labels to read: the group's common labels when they name a workload, else those of
    its first firing alert that does (alerts of one group may differ in pod)."""
    common = {**view.group_labels, **view.common_labels}
    if _names_workload(common):
        return common
    for alert in view.firing or view.alerts:
        if _names_workload(alert.labels):
            return {**common, **alert.labels}
    return None


def _names_workload(labels: Mapping[str, str]) -> bool:
    return any(labels.get(key) for key in ("deployment", "app", "pod"))


def deployment_of_pod(pod: str) -> str | None:
    """`payment-7d9f8c6b5-x2k4p` -> `payment`; None for a name no Deployment gives its pods."""
    match = _DEPLOYMENT_POD.match(pod)
    return match.group("deployment") if match else None


def configured_app(config: KuberConfig, name: str) -> App | None:
    """kuber.yaml's app called `name`, by its name, an alias or its Deployment's name."""
    found = config.app(name)
    if found is not None:
        return found
    lowered = name.lower()
    for app in config.apps:
        if lowered in (a.lower() for a in app.aliases) or app.deployment_name == name:
            return app
    return None


def alert_target(labels: Mapping[str, str], config: KuberConfig) -> AlertTarget | None:
    """The Deployment `labels` name, placed with kuber.yaml's defaults; None when they name
    none (or name one in a way no Kubernetes name can be)."""
    deployment = labels.get("deployment") or None
    app_label = labels.get("app") or None
    pod = labels.get("pod") or None
    configured = None
    if deployment:
        configured = configured_app(config, deployment)
    if configured is None and app_label:
        configured = configured_app(config, app_label)
    if deployment is None and configured is not None:
        deployment = configured.deployment_name
    if deployment is None and app_label is None and pod:
        deployment = deployment_of_pod(pod)
        configured = configured_app(config, deployment) if deployment else None
    name = configured.name if configured else (deployment or app_label)
    if not name or not _NAME.match(name) or (deployment and not _NAME.match(deployment)):
        return None
    team = config.team(configured.team) if configured and configured.team else None
    namespace = (
        labels.get("namespace")
        or (configured.namespace if configured else None)
        or (team.default_namespace if team else None)
        or "default"
    )
    cluster = (
        labels.get("cluster")
        or (configured.cluster if configured else None)
        or (team.default_cluster if team else None)
    )
    return AlertTarget(
        app=name,
        deployment=deployment,
        namespace=namespace,
        cluster=cluster,
        pod=pod,
        configured=configured,
    )


def alert_expression(view: GroupView) -> str | None:
    """The PromQL of the group's alert, from the first firing alert's `generatorURL`
    (Prometheus links its graph page with the expression as `g0.expr`); of SLO burns, the
    fastest burn's."""
    alerts = sorted(view.firing or view.alerts, key=lambda a: -_factor(a.labels.get("factor")))
    for alert in alerts:
        if not alert.generator_url:
            continue
        query = parse_qs(urlsplit(alert.generator_url).query)
        expressions = [e.strip() for e in query.get("g0.expr", []) if e.strip()]
        if expressions:
            return expressions[0]
    return None


def slo_labels(view: GroupView) -> Mapping[str, str] | None:
    """The labels of an SLO burn alert (`kuber slo rules` sets `slo`, the windows and the
    factor); of several burning at once, the fastest burn's."""
    common = {**view.group_labels, **view.common_labels}
    burning = [a for a in view.firing or view.alerts if a.labels.get("slo") or common.get("slo")]
    if not burning:
        return None
    fastest = max(burning, key=lambda a: _factor(a.labels.get("factor")))
    labels = {**common, **fastest.labels}
    return labels if labels.get("slo") else None


def _factor(text: str | None) -> float:
    try:
        return float(text) if text else 0.0
    except ValueError:
        return 0.0
