"""Kuber's only door to Kubernetes: Deployments, their pods, events, logs and rollouts.

One ApiClient per cluster, each built from its own kubeconfig context into a fresh
Configuration, never the process-wide default, so two clusters can never be mixed up. What
leaves here is a plain value of `kubernetes_models` or an error of `kubernetes_errors`: no
`kubernetes` model or exception passes this module.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Mapping
from contextlib import closing
from dataclasses import replace
from datetime import UTC, datetime

import urllib3

from bot.errors import Interrupted, UserError
from integrations.kubernetes_api import (
    JSON_PATCH,
    STRATEGIC_MERGE,
    ClusterApi,
    WatchExpired,
    connect,
)
from integrations.kubernetes_errors import (
    AppNotFound,
    ClusterRefused,
    Conflict,
    Forbidden,
    InvalidInput,
    ObjectNotFound,
    Rejected,
    RevisionNotFound,
    RolloutRefused,
    Unauthorized,
    Unavailable,
    UnknownCluster,
    check_image,
    check_label,
    check_name,
    check_replicas,
    retag,
    retrying,
)
from integrations.kubernetes_models import (
    CHANGE_CAUSE_ANNOTATION,
    RESTARTED_AT_ANNOTATION,
    Condition,
    DeploymentRef,
    DeploymentState,
    EventInfo,
    Json,
    PodInfo,
    PodLog,
    RevisionInfo,
    RolloutProgress,
    containers_of,
    deployment_state,
    event_info,
    log_priority,
    logs_to_read,
    meta,
    pod_info,
    revision_info,
    revision_of,
)
from integrations.kubernetes_rollout import (
    crash_verdict,
    judge,
    label_selector,
    new_replicaset,
    owned_by,
    pods_of,
    progress,
    rollback_patch,
    same_template,
    timed_out,
)

__all__ = [
    "AppNotFound",
    "ClusterRefused",
    "Condition",
    "Conflict",
    "DeploymentRef",
    "DeploymentState",
    "EventInfo",
    "Forbidden",
    "InvalidInput",
    "KubernetesClusters",
    "ObjectNotFound",
    "PodInfo",
    "PodLog",
    "Rejected",
    "RevisionInfo",
    "RevisionNotFound",
    "RolloutProgress",
    "RolloutRefused",
    "Unauthorized",
    "Unavailable",
    "UnknownCluster",
    "retag",
]

_MAX_LOG_LINES = 5000


class KubernetesClusters:
    """One ApiClient per cluster (a kubeconfig context), never the global default configuration.

    Every method is blocking and thread-safe: call it from a worker thread, never the loop.
    """

    def __init__(
        self,
        *,
        kubeconfig: str | None,
        contexts: Mapping[str, str] | None = None,
        in_cluster: bool = False,
        request_timeout: float = 10.0,
    ) -> None:
        self._clusters = connect(kubeconfig, contexts, in_cluster, request_timeout)

    def close(self) -> None:
        for cluster in self._clusters.values():
            cluster.close()

    def __enter__(self) -> KubernetesClusters:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def names(self) -> tuple[str, ...]:
        return tuple(self._clusters)

    # -- reading ---------------------------------------------------------------------------
    def list_deployments(self, cluster: str, namespace: str | None = None) -> list[DeploymentState]:
        """Deployments of one namespace, or of every namespace when `namespace` is None."""
        c = self._cluster(cluster)
        if namespace is not None:
            check_label(namespace, "namespace")
        items = retrying(lambda: c.list("deployments", namespace))
        states = [
            deployment_state(item, DeploymentRef(c.name, meta(item).get("namespace", ""), ""))
            for item in items
        ]
        return sorted(states, key=lambda s: (s.ref.namespace, s.ref.name))

    def find_deployment(
        self, cluster: str, namespace: str, app: str, deployment: str | None = None
    ) -> DeploymentState:
        """The app's Deployment: by name (`deployment`, else `app`), else by label app=<app>."""
        c = self._cluster(cluster)
        check_label(namespace, "namespace")
        check_name(app, "app")
        name = check_name(deployment, "deployment") if deployment else app
        ref = DeploymentRef(c.name, namespace, name)
        try:
            return _as_app(retrying(lambda: self._read(c, ref)), ref, app)
        except ObjectNotFound:
            if deployment:
                raise AppNotFound(
                    "k8s_app_not_found", app=deployment, namespace=namespace, cluster=c.name
                ) from None
        for key in ("app", "app.kubernetes.io/name"):

            def labelled(selector: str = f"{key}={app}") -> list[Json]:
                return c.list("deployments", namespace, label_selector=selector)

            found = retrying(labelled)
            if len(found) == 1:
                return _as_app(found[0], DeploymentRef(c.name, namespace, ""), app)
            if found:
                names = sorted(meta(item)["name"] for item in found)
                raise UserError(
                    "k8s_app_ambiguous",
                    choices=names,
                    slot="app",  # each choice is a Deployment name, which finds it directly
                    app=app,
                    namespace=namespace,
                    names=", ".join(names),
                )
        everything = retrying(lambda: c.list("deployments", namespace))
        known = sorted(meta(item)["name"] for item in everything)
        raise AppNotFound(
            "k8s_app_not_found", choices=known[:10], app=app, namespace=namespace, cluster=c.name
        )

    def get(self, ref: DeploymentRef) -> DeploymentState:
        c = self._checked(ref)
        return deployment_state(retrying(lambda: self._read(c, ref)), ref)

    def history(self, ref: DeploymentRef) -> list[RevisionInfo]:
        """The Deployment's revisions, oldest first: ReplicaSets it controls (uid + controller)."""
        c = self._checked(ref)

        def read() -> list[RevisionInfo]:
            deployment = self._read(c, ref)
            current = revision_of(deployment)
            infos = (revision_info(rs, current) for rs in self._replicasets(c, ref, deployment))
            return sorted((i for i in infos if i is not None), key=lambda i: i.number)

        return retrying(read)

    def pods(self, ref: DeploymentRef) -> list[PodInfo]:
        c = self._checked(ref)

        def read() -> list[PodInfo]:
            deployment = self._read(c, ref)
            container = deployment_state(deployment, ref).ref.container
            now = datetime.now(UTC)
            pods = self._pods(c, ref, deployment)
            return sorted((pod_info(p, container, now) for p in pods), key=lambda p: p.name)

        return retrying(read)

    def events(
        self, ref: DeploymentRef, *, warnings_only: bool = True, limit: int = 10
    ) -> list[EventInfo]:
        """Recent events of the Deployment, its ReplicaSets and their pods, newest first."""
        c = self._checked(ref)

        def read() -> list[EventInfo]:
            deployment = self._read(c, ref)
            replicasets = [meta(rs)["name"] for rs in self._replicasets(c, ref, deployment)]
            pods = {meta(p)["name"] for p in self._pods(c, ref, deployment)}
            selector = "type=Warning" if warnings_only else None
            events = c.list("events", ref.namespace, field_selector=selector)
            mine = []
            for event in events:
                involved = event.get("involvedObject") or {}
                kind, name = involved.get("kind"), str(involved.get("name", ""))
                # Pods already replaced still explain a crash: match them by their RS prefix.
                if (
                    (kind == "Deployment" and name == ref.name)
                    or (kind == "ReplicaSet" and name in replicasets)
                    or (kind == "Pod" and (name in pods or name.startswith(_prefixes(replicasets))))
                ) and (not warnings_only or event.get("type") == "Warning"):
                    mine.append(event_info(event))
            oldest = datetime.fromtimestamp(0, UTC)
            mine.sort(key=lambda e: e.last_seen or oldest, reverse=True)
            return mine[: max(0, limit)]

        return retrying(read)

    def logs(
        self, ref: DeploymentRef, *, lines: int = 50, pod: str | None = None, max_pods: int = 3
    ) -> list[PodLog]:
        """The app container's last `lines` lines, troubled pods first.

        A container that crashed or restarted shows the log of the run that ended: the one
        that says why. Pods whose container never started have no log and are left out.
        """
        c = self._checked(ref)
        if pod is not None:
            check_name(pod, "pod")
        tail = min(max(1, int(lines)), _MAX_LOG_LINES)
        deployment = retrying(lambda: self._read(c, ref))
        container = deployment_state(deployment, ref).ref.container or ""
        pods = retrying(lambda: self._pods(c, ref, deployment))
        if pod is not None:
            pods = [p for p in pods if meta(p).get("name") == pod]
            if not pods:
                raise ObjectNotFound(
                    "k8s_not_found", kind="pod", name=pod, namespace=ref.namespace, cluster=c.name
                )
        else:
            now = datetime.now(UTC)
            infos = {meta(p)["name"]: pod_info(p, container, now) for p in pods}
            pods.sort(key=lambda p: log_priority(infos[meta(p)["name"]]))
            pods = pods[:max_pods]
        logs = []
        for item in pods:
            log = self._pod_log(c, ref, item, container, tail)
            if log is not None:
                logs.append(log)
        return logs

    def rollout_status(self, ref: DeploymentRef, *, crashloop_restarts: int = 2) -> RolloutProgress:
        """One look at the rollout with kubectl's rules, plus crash-looping new pods as failure."""
        c = self._checked(ref)
        return retrying(lambda: self._evaluate(c, ref, self._read(c, ref), crashloop_restarts))

    def follow_rollout(
        self,
        ref: DeploymentRef,
        *,
        timeout: float,
        on_progress: Callable[[RolloutProgress], None] | None = None,
        crashloop_restarts: int = 2,
        check_every: float = 2.0,
        interrupt: threading.Event | None = None,
    ) -> RolloutProgress:
        """Watch the rollout until it is done, fails, is paused or `timeout` seconds pass.

        `on_progress` hears each new message. Pods are looked at every `check_every` seconds
        too, because a crash loop changes pods, not the Deployment the watch follows.
        Setting `interrupt` ends the watch within one window with `Interrupted`: the process
        is stopping, and the rollout is left for another replica to follow.
        """
        c = self._checked(ref)
        deadline = time.monotonic() + timeout
        looks: list[RolloutProgress] = []

        def look(deployment: Json, *, pods: bool) -> RolloutProgress | None:
            restarts = crashloop_restarts if pods else None
            current = retrying(lambda: self._evaluate(c, ref, deployment, restarts))
            if on_progress is not None and (not looks or looks[-1].message != current.message):
                on_progress(current)
            looks.append(current)
            finished = current.done or current.failed or current.reason == "Paused"
            return current if finished else None

        deployment, version = retrying(lambda: c.list_deployment(ref.namespace, ref.name))
        failures = 0
        while True:
            # Pods are looked at once per window, not per event: events come in bursts, and a
            # crash loop shows in pods, which change the Deployment not at all.
            if (result := look(deployment, pods=True)) is not None:
                return result
            if interrupt is not None and interrupt.is_set():
                raise Interrupted(f"stopped following {ref.name}")
            now = time.monotonic()
            if now >= deadline:
                return timed_out(looks[-1], timeout)
            window_end = min(deadline, now + check_every)
            events = c.watch_deployment(ref.namespace, ref.name, version, window_end - now)
            try:
                with closing(events):
                    for kind, obj in events:
                        failures = 0
                        version = meta(obj).get("resourceVersion") or version
                        if kind == "DELETED":
                            raise ObjectNotFound(
                                "k8s_not_found",
                                kind="deployment",
                                name=ref.name,
                                namespace=ref.namespace,
                                cluster=c.name,
                            )
                        deployment = obj
                        if (result := look(deployment, pods=False)) is not None:
                            return result
                        if time.monotonic() >= window_end:
                            break
            except WatchExpired:
                deployment, version = retrying(lambda: c.list_deployment(ref.namespace, ref.name))
            except Unavailable as exc:
                if isinstance(exc.__cause__, urllib3.exceptions.ReadTimeoutError):
                    continue  # a quiet watch whose server did not end it: just watch again
                # A dropped watch is normal (load balancers cut long requests); start again
                # from a fresh list, and give up only when the API stays away.
                failures += 1
                if failures >= 3:
                    raise
                time.sleep(min(0.2 * 2**failures, 2.0, max(0.0, deadline - time.monotonic())))
                deployment, version = retrying(lambda: c.list_deployment(ref.namespace, ref.name))

    # -- changing --------------------------------------------------------------------------
    def scale(self, ref: DeploymentRef, replicas: int) -> DeploymentState:
        """Set the desired replicas through the scale subresource (an absolute number)."""
        c = self._checked(ref)
        check_replicas(replicas)

        def attempt() -> DeploymentState:
            c.patch_scale(ref.namespace, ref.name, replicas)
            return deployment_state(self._read(c, ref), ref)

        return retrying(attempt)

    def restart(self, ref: DeploymentRef, at: datetime) -> DeploymentState:
        """Roll every pod, as `kubectl rollout restart` does, by stamping the pod template."""
        c = self._checked(ref)
        if at.tzinfo is None:
            raise ValueError("restart needs an aware datetime")
        stamp = at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
        body = {
            "spec": {"template": {"metadata": {"annotations": {RESTARTED_AT_ANNOTATION: stamp}}}}
        }

        def attempt() -> DeploymentState:
            if deployment_state(self._read(c, ref), ref).paused:
                raise RolloutRefused("k8s_paused", name=ref.name, namespace=ref.namespace)
            # The same stamp twice is one change, so a retry cannot restart twice.
            return deployment_state(
                c.patch_deployment(ref.namespace, ref.name, body, STRATEGIC_MERGE), ref
            )

        return retrying(attempt)

    def set_image(
        self, ref: DeploymentRef, container: str, image: str, change_cause: str | None = None
    ) -> DeploymentState:
        """Point one container at `image`; the change cause labels the new revision."""
        c = self._checked(ref)
        check_label(container, "container")
        check_image(image)
        cause = change_cause or f"set image {container}={image}"
        body = {
            "metadata": {"annotations": {CHANGE_CAUSE_ANNOTATION: cause}},
            "spec": {"template": {"spec": {"containers": [{"name": container, "image": image}]}}},
        }

        def attempt() -> DeploymentState:
            deployment = self._read(c, ref)
            template = (deployment.get("spec") or {}).get("template") or {}
            names = [str(x.get("name")) for x in containers_of(template)]
            if container not in names:
                raise InvalidInput(
                    "k8s_no_container",
                    choices=names,
                    name=ref.name,
                    container=container,
                    containers=", ".join(names),
                )
            return deployment_state(
                c.patch_deployment(ref.namespace, ref.name, body, STRATEGIC_MERGE), ref
            )

        return retrying(attempt)

    def rollback(self, ref: DeploymentRef, revision: int | None = None) -> RevisionInfo:
        """Put an earlier revision's pod template back, client-side as kubectl does.

        `None` means the revision before the current one. Returns that revision as the
        history listed it; the controller then renumbers it as the newest revision.
        """
        c = self._checked(ref)
        sent: list[bool] = []

        def attempt() -> RevisionInfo:
            deployment = self._read(c, ref)
            if (deployment.get("spec") or {}).get("paused"):
                raise RolloutRefused("k8s_paused", name=ref.name, namespace=ref.namespace)
            current = revision_of(deployment)
            by_number = {
                number: rs
                for rs in self._replicasets(c, ref, deployment)
                if (number := revision_of(rs)) is not None
            }
            numbers = sorted(by_number)
            available = ", ".join(map(str, numbers)) or "-"
            wanted = revision
            if wanted is None:
                earlier = [n for n in numbers if n != current]
                if not earlier:
                    raise RevisionNotFound(
                        "k8s_no_previous_revision", name=ref.name, available=available
                    )
                wanted = max(earlier)
            if wanted not in by_number:
                raise RevisionNotFound(
                    "k8s_revision_not_found",
                    choices=[str(n) for n in numbers if n != current],
                    name=ref.name,
                    revision=wanted,
                    available=available,
                )
            replicaset = by_number[wanted]
            template = (replicaset.get("spec") or {}).get("template") or {}
            info = revision_info(replicaset, current)
            assert info is not None  # by_number holds only numbered ReplicaSets
            if same_template(template, (deployment.get("spec") or {}).get("template") or {}):
                if sent:  # our earlier attempt landed before its answer was lost
                    return replace(info, current=True)
                raise RolloutRefused("k8s_already_at_revision", name=ref.name, revision=wanted)
            sent.append(True)
            c.patch_deployment(
                ref.namespace, ref.name, rollback_patch(deployment, replicaset), JSON_PATCH
            )
            return replace(info, current=True)

        return retrying(attempt)

    # -- internals -------------------------------------------------------------------------
    def _cluster(self, name: str) -> ClusterApi:
        cluster = self._clusters.get(name)
        if cluster is None:
            known = self.names()
            raise UnknownCluster(
                "k8s_unknown_cluster", choices=known, cluster=name, known=", ".join(known)
            )
        return cluster

    def _checked(self, ref: DeploymentRef) -> ClusterApi:
        cluster = self._cluster(ref.cluster)
        check_label(ref.namespace, "namespace")
        check_name(ref.name, "deployment")
        if ref.container is not None:
            check_label(ref.container, "container")
        return cluster

    def _read(self, c: ClusterApi, ref: DeploymentRef) -> Json:
        return c.read_deployment(ref.namespace, ref.name)

    def _selector(self, deployment: Json) -> str:
        return label_selector((deployment.get("spec") or {}).get("selector") or {})

    def _replicasets(self, c: ClusterApi, ref: DeploymentRef, deployment: Json) -> list[Json]:
        uid = str(meta(deployment).get("uid", ""))
        found = c.list("replicasets", ref.namespace, label_selector=self._selector(deployment))
        return [rs for rs in found if owned_by(rs, uid)]

    def _pods(self, c: ClusterApi, ref: DeploymentRef, deployment: Json) -> list[Json]:
        return c.list("pods", ref.namespace, label_selector=self._selector(deployment))

    def _evaluate(
        self, c: ClusterApi, ref: DeploymentRef, deployment: Json, crashloop_restarts: int | None
    ) -> RolloutProgress:
        """Judge the rollout; with `crashloop_restarts`, crash-looping new pods fail it too."""
        state = deployment_state(deployment, ref)
        verdict = judge(state)
        # Only pods of the new revision count, and only once the controller has seen the
        # spec: before that the "new" ReplicaSet may still be the old, crashing one.
        looking = not verdict.done and not verdict.failed and state.updated > 0
        observed = state.observed_generation >= state.generation
        if looking and observed and crashloop_restarts is not None:
            new = new_replicaset(self._replicasets(c, ref, deployment), deployment)
            if new is not None:
                crash = crash_verdict(
                    pods_of(self._pods(c, ref, deployment), new), crashloop_restarts
                )
                verdict = crash or verdict
        return progress(state, verdict)

    def _pod_log(
        self, c: ClusterApi, ref: DeploymentRef, pod: Json, container: str, tail: int
    ) -> PodLog | None:
        name = str(meta(pod)["name"])
        attempts = logs_to_read(pod, container)
        for previous in attempts:

            def read(previous: bool = previous) -> str:
                return c.read_log(ref.namespace, name, container, tail, previous)

            try:
                text = retrying(read)
            except Rejected:
                continue  # kubelet has no such log (yet): try the other one
            return PodLog(pod=name, container=container, previous=previous, text=text)
        return None


def _as_app(deployment: Json, ref: DeploymentRef, app: str) -> DeploymentState:
    # The container named as the app is the app, even when the Deployment is named otherwise.
    containers = containers_of((deployment.get("spec") or {}).get("template") or {})
    named = any(x.get("name") == app for x in containers)
    return deployment_state(deployment, replace(ref, container=app if named else None))


def _prefixes(replicasets: list[str]) -> tuple[str, ...]:
    return tuple(f"{name}-" for name in replicasets)
