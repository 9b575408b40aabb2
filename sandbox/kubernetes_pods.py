"""Simulated pods: what the kubelet would report for a pod, and what its containers would log.

A pod's status is a pure function of its spec and the time since it was created, so tests see
the same story every run: Pending, then Running and Ready, or a CrashLoopBackOff for an
image whose tag says `crash`. Logs too: a healthy container logs a request every two seconds
for as long as it runs, rotated as the kubelet rotates them. Nothing here writes to the
store; the controller does.
"""

from __future__ import annotations

import copy
import hashlib
from dataclasses import dataclass
from typing import Any

from .kubernetes_mounts import Blocker
from .kubernetes_store import rfc3339
from .kubernetes_workloads import image_tag

#: The sandbox's nodes: name -> (zone, internal IP). Pods are spread over them.
NODES = {
    "sandbox-node-1": ("sandbox-a", "10.0.0.10"),
    "sandbox-node-2": ("sandbox-b", "10.0.0.11"),
}
NODE_NAME = next(iter(NODES))
#: The kubelet's crash back-off doubles from 10 s up to 5 min; the sandbox scales it down.
MAX_BACKOFF_STEPS = 5


def behaviour_of(image: str) -> str:
    """`healthy`, `crash`, `oom` or `nopull`, from words in the image tag."""
    tag = image_tag(image).lower()
    for word in ("nopull", "oom", "crash"):
        if word in tag:
            return word
    return "healthy"


@dataclass
class PodClock:
    """When a pod was created (wall clock) and how fast its containers start and crash."""

    created: float
    start_delay: float
    pod_ip: str
    #: Until when the kubelet could not start the containers (a Secret missing, say).
    held_until: float = 0.0

    @property
    def started(self) -> float:
        return max(self.created, self.held_until) + self.start_delay

    @property
    def backoff(self) -> float:
        return max(self.start_delay, 0.2) * 2

    def crash_times(self, now: float) -> list[float]:
        """Moments the container has crashed so far: right after start, then backing off."""
        times: list[float] = []
        at, step = self.started, self.backoff
        while at <= now and len(times) < 1000:
            times.append(at)
            at += step
            step = min(step * 2, self.backoff * 2**MAX_BACKOFF_STEPS)
        return times


def _container_id(pod_uid: str, name: str, restart: int) -> str:
    digest = hashlib.sha256(f"{pod_uid}/{name}/{restart}".encode()).hexdigest()
    return f"containerd://{digest}"


def _image_id(image: str) -> str:
    repository = image.rsplit(":", 1)[0] if ":" in image.rsplit("/", 1)[-1] else image
    return f"{repository}@sha256:{hashlib.sha256(image.encode()).hexdigest()}"


def new_pod(
    replica_set: dict[str, Any], name: str, uid: str, node: str = NODE_NAME
) -> dict[str, Any]:
    template = copy.deepcopy(replica_set["spec"]["template"])
    meta = replica_set["metadata"]
    pod_meta = template.get("metadata") or {}
    spec = template.get("spec") or {}
    spec.update(
        nodeName=node,
        serviceAccountName=spec.get("serviceAccountName", "default"),
        serviceAccount=spec.get("serviceAccountName", "default"),
        enableServiceLinks=True,
        preemptionPolicy="PreemptLowerPriority",
        priority=0,
    )
    metadata: dict[str, Any] = {
        "name": name,
        "generateName": f"{meta['name']}-",
        "namespace": meta["namespace"],
        "uid": uid,
        "labels": dict(pod_meta.get("labels") or {}),
        "ownerReferences": [
            {
                "apiVersion": "apps/v1",
                "kind": "ReplicaSet",
                "name": meta["name"],
                "uid": meta["uid"],
                "controller": True,
                "blockOwnerDeletion": True,
            }
        ],
    }
    if pod_meta.get("annotations"):
        metadata["annotations"] = dict(pod_meta["annotations"])
    return {
        "kind": "Pod",
        "apiVersion": "v1",
        "metadata": metadata,
        "spec": spec,
        "status": {"phase": "Pending", "qosClass": "BestEffort"},
    }


def _condition(kind: str, ok: bool, at: float, reason: str | None = None) -> dict[str, Any]:
    condition: dict[str, Any] = {
        "type": kind,
        "status": "True" if ok else "False",
        "lastProbeTime": None,
        "lastTransitionTime": rfc3339(at),
    }
    if reason:
        condition["reason"] = reason
    return condition


def container_status(
    pod: dict[str, Any], container: dict[str, Any], clock: PodClock, now: float
) -> dict[str, Any]:
    name, image = container["name"], container["image"]
    uid = pod["metadata"]["uid"]
    behaviour = behaviour_of(image)
    status: dict[str, Any] = {
        "name": name,
        "image": image,
        "imageID": "",
        "ready": False,
        "restartCount": 0,
        "started": False,
        "state": {"waiting": {"reason": "ContainerCreating"}},
        "lastState": {},
    }
    if now < clock.started:
        return status
    if behaviour == "nopull":
        status["state"] = {
            "waiting": {
                "reason": "ImagePullBackOff",
                "message": f'Back-off pulling image "{image}"',
            }
        }
        return status
    status["imageID"] = _image_id(image)
    if behaviour == "healthy":
        status.update(
            ready=True,
            started=True,
            containerID=_container_id(uid, name, 0),
            state={"running": {"startedAt": rfc3339(clock.started)}},
        )
        return status
    crashes = clock.crash_times(now)
    last = crashes[-1]
    lived = min(clock.backoff / 4, 5.0)
    reason, code = ("OOMKilled", 137) if behaviour == "oom" else ("Error", 1)
    backoff = int(min(10 * 2 ** (len(crashes) - 1), 300))
    pod_ref = f"{pod['metadata']['name']}_{pod['metadata']['namespace']}({uid})"
    status.update(
        restartCount=len(crashes),
        containerID=_container_id(uid, name, len(crashes)),
        state={
            "waiting": {
                "reason": "CrashLoopBackOff",
                "message": f"back-off {backoff}s restarting failed container={name} pod={pod_ref}",
            }
        },
        lastState={
            "terminated": {
                "exitCode": code,
                "reason": reason,
                "startedAt": rfc3339(last - lived),
                "finishedAt": rfc3339(last),
                "containerID": _container_id(uid, name, len(crashes) - 1),
            }
        },
    )
    return status


def _blocked(status: dict[str, Any], blocker: Blocker) -> dict[str, Any]:
    waiting: dict[str, Any] = {"reason": blocker.waiting_reason}
    if blocker.message:
        waiting["message"] = blocker.message
    return {**status, "ready": False, "started": False, "state": {"waiting": waiting}}


def pod_status(
    pod: dict[str, Any], clock: PodClock, now: float, blocker: Blocker | None = None
) -> dict[str, Any]:
    containers = pod["spec"].get("containers") or []
    statuses = [container_status(pod, c, clock, now) for c in containers]
    if blocker is not None:
        statuses = [_blocked(s, blocker) for s in statuses]
    scheduled = clock.created
    node_ip = NODES.get(pod["spec"].get("nodeName", ""), ("", NODES[NODE_NAME][1]))[1]
    ever_started = all(s["imageID"] for s in statuses)
    ready = bool(statuses) and all(s["ready"] for s in statuses)
    waiting = "ContainersNotReady"
    status: dict[str, Any] = {
        "phase": "Running" if ever_started else "Pending",
        "conditions": [
            _condition("PodReadyToStartContainers", now >= clock.started, clock.started),
            _condition("Initialized", True, scheduled),
            _condition("Ready", ready, clock.started, None if ready else waiting),
            _condition("ContainersReady", ready, clock.started, None if ready else waiting),
            _condition("PodScheduled", True, scheduled),
        ],
        "hostIP": node_ip,
        "hostIPs": [{"ip": node_ip}],
        "podIP": clock.pod_ip,
        "podIPs": [{"ip": clock.pod_ip}],
        "startTime": rfc3339(scheduled),
        "containerStatuses": statuses,
        "qosClass": "BestEffort",
    }
    return status


# -- logs ---------------------------------------------------------------------------------
class LogUnavailable(Exception):
    """The kubelet has no such log (yet); the API answers 400 with this message."""


#: A healthy container logs a request this often, for as long as it runs.
REQUEST_EVERY = 2.0
#: The kubelet rotates container logs; `logs` shows the current file: about this many lines.
KEPT_LINES = 500
_REQUESTS = (
    ("GET", "/healthz", 200, 1),
    ("GET", "/api/v1/{app}", 200, 14),
    ("POST", "/api/v1/{app}", 201, 38),
    ("GET", "/readyz", 200, 1),
    ("GET", "/api/v1/{app}/7f3a", 200, 9),
    ("GET", "/api/v1/{app}/unknown", 404, 3),
    ("PUT", "/api/v1/{app}/7f3a", 200, 22),
    ("GET", "/metrics", 200, 4),
)


def _lines_healthy(
    app: str, version: str, start: float, now: float
) -> tuple[list[tuple[float, str]], float]:
    """The lines written by `now` that rotation kept, and when the next one will be written."""
    module = app.replace("-", "_")
    startup = [
        (start, f"INFO  {app} {version} starting (pid 1)"),
        (start + 0.2, f"INFO  loaded configuration from /etc/{app}/config.yaml"),
        (start + 0.4, f"INFO  connected to postgres at {app}-db:5432 (pool size 10)"),
        (start + 0.5, f"INFO  {module}.server: {app} started on :8080"),
    ]
    first = start + 1
    served = 0 if now < first else int((now - first) // REQUEST_EVERY) + 1
    lines = [line for line in startup if line[0] <= now]
    for i in range(max(0, served - KEPT_LINES), served):
        method, path, code, millis = _REQUESTS[i % len(_REQUESTS)]
        text = f'INFO  {method} {path.format(app=app)} {code} {millis}ms "10.244.0.1"'
        lines.append((first + REQUEST_EVERY * i, text))
    upcoming = [at for at, _text in startup if at > now]
    return lines[-KEPT_LINES:], upcoming[0] if upcoming else first + REQUEST_EVERY * served


def _lines_crash(app: str, version: str, start: float, oom: bool) -> list[tuple[float, str]]:
    module = app.replace("-", "_")
    lines = [
        (start, f"INFO  {app} {version} starting (pid 1)"),
        (start + 0.1, f"INFO  loaded configuration from /etc/{app}/config.yaml"),
    ]
    if oom:
        lines += [
            (start + 0.2, f"INFO  warming {module} cache: 1843200 entries"),
            (start + 0.3, "WARN  heap usage 498Mi of 512Mi limit"),
        ]
        return lines
    trace = [
        f"ERROR unhandled exception during start-up of {app} {version}",
        "Traceback (most recent call last):",
        f'  File "/app/{module}/main.py", line 57, in <module>',
        "    server = build_server(settings)",
        f'  File "/app/{module}/server.py", line 112, in build_server',
        "    pool = connect(settings.database_url, timeout=5)",
        f'  File "/app/{module}/db.py", line 31, in connect',
        '    raise ConnectionError(f"cannot reach {host}: connection refused")',
        f"ConnectionError: cannot reach {app}-db:5432: connection refused",
    ]
    return lines + [(start + 0.2, line) for line in trace]


@dataclass(frozen=True)
class ContainerLog:
    """The lines one container instance has written so far, with when."""

    lines: list[tuple[float, str]]
    #: When it writes its next line; None once it has stopped writing.
    next_at: float | None
    #: Which instance (restart count) wrote it: when it changes, the followed one has ended.
    instance: int


def container_log(
    pod: dict[str, Any], clock: PodClock, now: float, *, container: str | None, previous: bool
) -> ContainerLog:
    containers = pod["spec"].get("containers") or []
    names = [c["name"] for c in containers]
    pod_name = pod["metadata"]["name"]
    if container is None:
        if len(names) != 1:
            raise LogUnavailable(
                f"a container name must be specified for pod {pod_name}, "
                f"choose one of: [{' '.join(names)}]"
            )
        container = names[0]
    if container not in names:
        raise LogUnavailable(f"container {container} is not valid for pod {pod_name}")
    spec = containers[names.index(container)]
    status = container_status(pod, spec, clock, now)
    waiting = status["state"].get("waiting", {})
    app = pod["metadata"].get("labels", {}).get("app") or container
    version = image_tag(spec["image"])
    behaviour = behaviour_of(spec["image"])
    if previous:
        if status["restartCount"] < 1:
            raise LogUnavailable(
                f'previous terminated container "{container}" in pod "{pod_name}" not found'
            )
    elif not status["imageID"]:
        raise LogUnavailable(
            f'container "{container}" in pod "{pod_name}" is waiting to start: '
            f"{waiting.get('reason', 'ContainerCreating')}"
        )
    if behaviour == "healthy" and not previous:
        lines, next_at = _lines_healthy(app, version, clock.started, now)
        return ContainerLog(lines, next_at, status["restartCount"])
    crashes = clock.crash_times(now)
    start = crashes[-2] if previous and len(crashes) > 1 else crashes[-1]
    lines = _lines_crash(app, version, start - 0.5, behaviour == "oom")
    # A crashed container writes no more: its log is complete.
    return ContainerLog([line for line in lines if line[0] <= now], None, status["restartCount"])


def render_log(
    lines: list[tuple[float, str]],
    *,
    after: float | None,
    until: float,
    tail_lines: int | None = None,
    timestamps: bool = False,
) -> str:
    """The lines written in (after, until], as the kubelet hands them out."""
    shown = [
        f"{rfc3339(at)} {text}" if timestamps else text
        for at, text in lines
        if at <= until and (after is None or at > after)
    ]
    if tail_lines is not None and tail_lines >= 0:
        shown = shown[-tail_lines:] if tail_lines else []
    return "".join(line + "\n" for line in shown)


def pod_log(
    pod: dict[str, Any],
    clock: PodClock,
    now: float,
    *,
    container: str | None,
    previous: bool,
    tail_lines: int | None,
    timestamps: bool,
    since: float | None = None,
) -> str:
    log = container_log(pod, clock, now, container=container, previous=previous)
    # sinceSeconds counts back from now; a line exactly at the boundary is still shown.
    after = since - 1e-9 if since is not None else None
    return render_log(
        log.lines, after=after, until=now, tail_lines=tail_lines, timestamps=timestamps
    )
