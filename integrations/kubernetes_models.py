"""The plain values Kuber's Kubernetes client hands out, and their making from API JSON.

Everything here is a frozen dataclass built from the JSON shape of API objects (camelCase
dicts), so callers never hold a `kubernetes` model. This module must not import the client.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

Json = Mapping[str, Any]

REVISION_ANNOTATION = "deployment.kubernetes.io/revision"
CHANGE_CAUSE_ANNOTATION = "kubernetes.io/change-cause"
RESTARTED_AT_ANNOTATION = "kubectl.kubernetes.io/restartedAt"
POD_TEMPLATE_HASH_LABEL = "pod-template-hash"

_EPOCH = datetime.fromtimestamp(0, UTC)


@dataclass(frozen=True)
class DeploymentRef:
    """Which Deployment: `container` names the app's container when there are several."""

    cluster: str
    namespace: str
    name: str
    container: str | None = None


@dataclass(frozen=True)
class Condition:
    type: str
    status: str
    reason: str | None
    message: str | None


@dataclass(frozen=True)
class DeploymentState:
    ref: DeploymentRef
    replicas: int  # desired (spec.replicas)
    updated: int
    ready: int
    available: int
    unavailable: int
    image: str | None  # of the app container (`ref.container`)
    images: tuple[tuple[str, str], ...]  # (container, image) for every container
    revision: int | None
    generation: int
    observed_generation: int
    paused: bool
    # A dict is not hashable; leaving it out of the hash keeps the state usable as a key.
    labels: Mapping[str, str] = field(hash=False)
    conditions: tuple[Condition, ...]
    progress_deadline_seconds: int | None
    created: datetime
    # status.replicas: pods of every revision, old ones included (kubectl's "replicas").
    total: int = 0

    def condition(self, type_: str) -> Condition | None:
        return next((c for c in self.conditions if c.type == type_), None)


@dataclass(frozen=True)
class PodInfo:
    name: str
    phase: str
    ready: bool
    restarts: int
    age_seconds: float
    # What kubectl shows instead of the phase: CrashLoopBackOff, ImagePullBackOff, OOMKilled, …
    reason: str | None
    image: str | None
    # Why the app container last ended (OOMKilled, Error, …): the cause behind a crash loop.
    last_exit_reason: str | None = None


@dataclass(frozen=True)
class EventInfo:
    type: str
    reason: str
    message: str
    object_name: str  # kind/name as kubectl prints it, e.g. "pod/payment-5d8f-x2k4p"
    count: int
    last_seen: datetime | None


@dataclass(frozen=True)
class RevisionInfo:
    number: int
    images: tuple[str, ...]
    created: datetime | None
    change_cause: str | None
    replicaset: str
    current: bool


@dataclass(frozen=True)
class RolloutProgress:
    """One look at a rollout.

    `reason` is ProgressDeadlineExceeded or CrashLoopBackOff when `failed`; "Timeout" when
    following gave up before the rollout ended (then neither done nor failed: it may still
    finish); "Paused" while the Deployment is paused and so cannot progress.
    """

    done: bool
    failed: bool
    message: str
    reason: str | None
    state: DeploymentState


@dataclass(frozen=True)
class PodLog:
    pod: str
    container: str
    previous: bool  # the log of the container that ran before the last restart
    text: str


# -- JSON -> values ------------------------------------------------------------------------


def parse_time(value: object) -> datetime | None:
    if not isinstance(value, str) or not value:
        return None
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def as_int(value: object) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return None
    return None


def meta(obj: Json) -> Json:
    return obj.get("metadata") or {}


def annotations_of(obj: Json) -> Mapping[str, str]:
    return meta(obj).get("annotations") or {}


def revision_of(obj: Json) -> int | None:
    """The revision a Deployment or ReplicaSet carries in its annotation."""
    return as_int(annotations_of(obj).get(REVISION_ANNOTATION))


def containers_of(template: Json) -> list[Json]:
    return list((template.get("spec") or {}).get("containers") or [])


def app_container(containers: list[Json], preferred: str | None, app: str) -> str | None:
    """The container that is "the app": the one asked for, else the one named as the app,
    else the first one (most Deployments have one container and a sidecar or two)."""
    names = [c.get("name", "") for c in containers]
    for wanted in (preferred, app):
        if wanted and wanted in names:
            return wanted
    return names[0] if names else None


def deployment_state(obj: Json, ref: DeploymentRef) -> DeploymentState:
    spec = obj.get("spec") or {}
    status = obj.get("status") or {}
    metadata = meta(obj)
    containers = containers_of(spec.get("template") or {})
    container = app_container(containers, ref.container, metadata.get("name", ref.name))
    images = tuple((c.get("name", ""), c.get("image", "")) for c in containers)
    replicas = spec.get("replicas")
    conditions = tuple(
        Condition(
            type=str(c.get("type", "")),
            status=str(c.get("status", "")),
            reason=c.get("reason"),
            message=c.get("message"),
        )
        for c in status.get("conditions") or []
    )
    return DeploymentState(
        ref=DeploymentRef(ref.cluster, ref.namespace, metadata.get("name", ref.name), container),
        # The API defaults an omitted spec.replicas to 1.
        replicas=1 if replicas is None else int(replicas),
        updated=int(status.get("updatedReplicas") or 0),
        ready=int(status.get("readyReplicas") or 0),
        available=int(status.get("availableReplicas") or 0),
        unavailable=int(status.get("unavailableReplicas") or 0),
        image=dict(images).get(container) if container else None,
        images=images,
        revision=revision_of(obj),
        generation=int(metadata.get("generation") or 0),
        observed_generation=int(status.get("observedGeneration") or 0),
        paused=bool(spec.get("paused")),
        labels=dict(metadata.get("labels") or {}),
        conditions=conditions,
        progress_deadline_seconds=as_int(spec.get("progressDeadlineSeconds")),
        created=parse_time(metadata.get("creationTimestamp")) or _EPOCH,
        total=int(status.get("replicas") or 0),
    )


def _container_status(pod: Json, container: str | None) -> Json:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    for status in statuses:
        if status.get("name") == container:
            return dict(status)
    return dict(statuses[0]) if statuses else {}


def pod_reason(pod: Json) -> str | None:
    """What kubectl prints in the STATUS column when it is not simply the phase."""
    status = pod.get("status") or {}
    if meta(pod).get("deletionTimestamp"):
        return "Terminating"
    for container in status.get("containerStatuses") or []:
        state = container.get("state") or {}
        waiting = (state.get("waiting") or {}).get("reason")
        if waiting:
            return str(waiting)
        terminated = (state.get("terminated") or {}).get("reason")
        if terminated:
            return str(terminated)
    if status.get("reason"):
        return str(status["reason"])  # Evicted and the like
    for condition in status.get("conditions") or []:
        if condition.get("type") == "PodScheduled" and condition.get("status") == "False":
            return str(condition.get("reason") or "Unschedulable")
    return None


def is_crash_looping(pod: Json, min_restarts: int) -> bool:
    for container in (pod.get("status") or {}).get("containerStatuses") or []:
        waiting = ((container.get("state") or {}).get("waiting") or {}).get("reason")
        if (
            waiting == "CrashLoopBackOff"
            and int(container.get("restartCount") or 0) >= min_restarts
        ):
            return True
    return False


def restarts_of(pod: Json) -> int:
    statuses = (pod.get("status") or {}).get("containerStatuses") or []
    return sum(int(s.get("restartCount") or 0) for s in statuses)


def pod_info(pod: Json, container: str | None, now: datetime) -> PodInfo:
    status = pod.get("status") or {}
    app = _container_status(pod, container)
    created = parse_time(meta(pod).get("creationTimestamp"))
    spec_image = next(
        (c.get("image") for c in containers_of(pod) if c.get("name") == container), None
    )
    last = ((app.get("lastState") or {}).get("terminated") or {}).get("reason")
    ready = any(
        c.get("type") == "Ready" and c.get("status") == "True"
        for c in status.get("conditions") or []
    )
    return PodInfo(
        name=str(meta(pod).get("name", "")),
        phase=str(status.get("phase") or "Unknown"),
        ready=ready,
        restarts=restarts_of(pod),
        age_seconds=max(0.0, (now - created).total_seconds()) if created else 0.0,
        reason=pod_reason(pod),
        image=spec_image or app.get("image"),
        last_exit_reason=str(last) if last else None,
    )


def logs_to_read(pod: Json, container: str) -> list[bool]:
    """Which logs of the container say most, as `previous` flags in order of preference.

    After a crash or restart the run that ended explains it; a container that never started
    (pulling, ImagePullBackOff) has logged nothing at all.
    """
    status = _container_status(pod, container)
    state = status.get("state") or {}
    ended_before = bool((status.get("lastState") or {}).get("terminated"))
    waiting = (state.get("waiting") or {}).get("reason")
    if not ended_before and not state.get("running") and waiting is not None:
        return []
    return [True, False] if ended_before or waiting == "CrashLoopBackOff" else [False]


def log_priority(pod: PodInfo) -> tuple[int, int, float]:
    """Troubled pods first, the most restarted first, then the youngest."""
    troubled = pod.reason is not None or pod.restarts > 0
    return (0 if troubled else 1, -pod.restarts, pod.age_seconds)


def event_info(event: Json) -> EventInfo:
    involved = event.get("involvedObject") or event.get("regarding") or {}
    series = event.get("series") or {}
    last_seen = (
        parse_time(event.get("lastTimestamp"))
        or parse_time(series.get("lastObservedTime"))
        or parse_time(event.get("eventTime"))
        or parse_time(event.get("firstTimestamp"))
        or parse_time(meta(event).get("creationTimestamp"))
    )
    kind = str(involved.get("kind") or "object").lower()
    return EventInfo(
        type=str(event.get("type") or "Normal"),
        reason=str(event.get("reason") or ""),
        message=str(event.get("message") or event.get("note") or "").strip(),
        object_name=f"{kind}/{involved.get('name', '')}",
        count=int(event.get("count") or series.get("count") or 1),
        last_seen=last_seen,
    )


def revision_info(replicaset: Json, current_revision: int | None) -> RevisionInfo | None:
    number = revision_of(replicaset)
    if number is None:
        return None
    template = (replicaset.get("spec") or {}).get("template") or {}
    cause = annotations_of(replicaset).get(CHANGE_CAUSE_ANNOTATION)
    return RevisionInfo(
        number=number,
        images=tuple(str(c.get("image", "")) for c in containers_of(template)),
        created=parse_time(meta(replicaset).get("creationTimestamp")),
        change_cause=cause or None,
        replicaset=str(meta(replicaset).get("name", "")),
        current=number == current_revision,
    )
