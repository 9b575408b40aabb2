"""The sandbox's control loop: deployment, replicaset and garbage-collection controllers plus a
pretend kubelet, all in one background thread that reconciles every `tick` seconds.

It changes objects only through the store, so every change reaches watchers, and it never
answers HTTP. Rolling updates follow the real controller's maxSurge/maxUnavailable arithmetic.
"""

from __future__ import annotations

import copy
import logging
import threading
import time
from typing import Any

from .kubernetes_disruption import sync_budgets
from .kubernetes_events import EventRecorder
from .kubernetes_mounts import missing_references
from .kubernetes_namespaces import sync_namespaces
from .kubernetes_pods import NODE_NAME, NODES, PodClock, new_pod, pod_status
from .kubernetes_store import ObjectStore, parse_rfc3339, rfc3339
from .kubernetes_volumes import sync_claims
from .kubernetes_workloads import (
    NOT_COPIED,
    REVISION,
    REVISION_HISTORY,
    TEMPLATE_HASH,
    resolve_int_or_percent,
    revision_of,
    template_hash,
    template_key,
)

log = logging.getLogger(__name__)
Obj = dict[str, Any]


def owner_uid(obj: Obj) -> str | None:
    for ref in obj["metadata"].get("ownerReferences") or []:
        if ref.get("controller"):
            return str(ref.get("uid"))
    return None


def pod_ready(pod: Obj) -> bool:
    conditions = pod.get("status", {}).get("conditions") or []
    return any(c["type"] == "Ready" and c["status"] == "True" for c in conditions)


def _set_condition(conditions: list[Obj], new: Obj, now: float) -> list[Obj]:
    """Replace the condition of `new`'s type, keeping timestamps when nothing really changed."""
    old = next((c for c in conditions if c["type"] == new["type"]), None)
    stamp = rfc3339(now)
    new = {**new, "lastUpdateTime": stamp, "lastTransitionTime": stamp}
    if old is not None:
        if old["status"] == new["status"]:
            new["lastTransitionTime"] = old["lastTransitionTime"]
        if (old["status"], old.get("reason"), old.get("message")) == (
            new["status"],
            new.get("reason"),
            new.get("message"),
        ):
            new["lastUpdateTime"] = old["lastUpdateTime"]
    others = [c for c in conditions if c["type"] != new["type"]]
    return [*others, new]


class ClusterController:
    def __init__(self, store: ObjectStore, *, pod_start_delay: float, tick: float) -> None:
        self.store = store
        self.pod_start_delay = pod_start_delay
        self.tick = tick
        self.events = EventRecorder(store)
        self._clocks: dict[str, PodClock] = {}
        self._blocked: dict[str, str] = {}  # pod uid -> the event of what it waits for
        self._progress: dict[str, tuple[tuple[Any, ...], float]] = {}
        self._next_ip = 0
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    # -- life ------------------------------------------------------------------------------
    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="kube-controller", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def _run(self) -> None:
        while not self._stop.wait(self.tick):
            try:
                self.reconcile()
            except Exception:  # one bad object must not stop the whole cluster
                log.exception("sandbox controller pass failed")

    def reconcile(self, now: float | None = None) -> None:
        now = time.time() if now is None else now
        with self.store.changed:  # one consistent pass; API writes wait for it
            sync_namespaces(self.store, now)
            sync_claims(self.store)
            self._collect_garbage()
            for deployment in self.store.select("Deployment"):
                self._sync_deployment(deployment, now)
            # These only read what they are given and store changed copies: no copies needed.
            for replica_set in self.store.peek("ReplicaSet"):
                self._sync_replica_set(replica_set, now)
            for pod in self.store.peek("Pod"):
                self._sync_pod(pod, now)
            for deployment in self.store.peek("Deployment"):
                self._sync_deployment_status(deployment, now)
            sync_budgets(self.store, pod_ready, now)

    def settle(self, now: float, passes: int = 100) -> None:
        """Reconcile at a fixed moment until nothing changes (used to build seeded history)."""
        for _ in range(passes):
            version = self.store.resource_version
            self.reconcile(now)
            if self.store.resource_version == version:
                return

    # -- garbage collection ----------------------------------------------------------------
    def _collect_garbage(self) -> None:
        deployments = {d["metadata"]["uid"] for d in self.store.peek("Deployment")}
        for rs in self.store.peek("ReplicaSet"):
            owner = owner_uid(rs)
            if owner is not None and owner not in deployments:
                self.store.delete("ReplicaSet", rs["metadata"]["namespace"], rs["metadata"]["name"])
        replica_sets = {rs["metadata"]["uid"] for rs in self.store.peek("ReplicaSet")}
        live = set()
        for pod in self.store.peek("Pod"):
            owner = owner_uid(pod)
            meta = pod["metadata"]
            if owner is not None and owner not in replica_sets:
                self.store.delete("Pod", meta["namespace"], meta["name"])
            else:
                live.add(meta["uid"])
        for uid in set(self._clocks) - live:
            del self._clocks[uid]
        for uid in set(self._blocked) - live:
            del self._blocked[uid]

    # -- deployments -----------------------------------------------------------------------
    def _owned(self, kind: str, namespace: str, uid: str, *, copies: bool = True) -> list[Obj]:
        """What `uid` controls; without copies only to read, within this pass."""
        read = self.store.select if copies else self.store.peek
        return read(kind, namespace, lambda obj: owner_uid(obj) == uid)

    def _available(self, replica_set: Obj) -> int:
        meta = replica_set["metadata"]
        pods = self._owned("Pod", meta["namespace"], meta["uid"], copies=False)
        return sum(1 for pod in pods if pod_ready(pod))

    def _new_replica_set(self, deployment: Obj, owned: list[Obj], now: float) -> Obj:
        """Find or create the ReplicaSet of the current template and give it the top revision."""
        meta, spec = deployment["metadata"], deployment["spec"]
        key = template_key(spec["template"])
        current = next((rs for rs in owned if template_key(rs["spec"]["template"]) == key), None)
        top = max((revision_of(rs) for rs in owned), default=0)
        copied = {k: v for k, v in (meta.get("annotations") or {}).items() if k not in NOT_COPIED}
        if current is None:
            pod_hash = template_hash(spec["template"])
            template = copy.deepcopy(spec["template"])
            template.setdefault("metadata", {}).setdefault("labels", {})[TEMPLATE_HASH] = pod_hash
            selector = copy.deepcopy(spec["selector"])
            selector.setdefault("matchLabels", {})[TEMPLATE_HASH] = pod_hash
            replicas = spec["replicas"]
            replica_set: Obj = {
                "kind": "ReplicaSet",
                "apiVersion": "apps/v1",
                "metadata": {
                    "name": f"{meta['name']}-{pod_hash}",
                    "namespace": meta["namespace"],
                    "generation": 1,
                    "labels": dict(template["metadata"]["labels"]),
                    "annotations": {
                        **copied,
                        "deployment.kubernetes.io/desired-replicas": str(replicas),
                        "deployment.kubernetes.io/max-replicas": str(
                            replicas + self._max_surge(deployment)
                        ),
                        REVISION: str(top + 1),
                    },
                    "ownerReferences": [
                        {
                            "apiVersion": "apps/v1",
                            "kind": "Deployment",
                            "name": meta["name"],
                            "uid": meta["uid"],
                            "controller": True,
                            "blockOwnerDeletion": True,
                        }
                    ],
                },
                "spec": {"replicas": 0, "selector": selector, "template": template},
                "status": {"replicas": 0},
            }
            return self.store.create("ReplicaSet", replica_set, created_at=now)
        annotations = dict(current["metadata"].get("annotations") or {})
        revision = revision_of(current)
        if revision < top:
            # A rollback revives an old ReplicaSet: it takes the next number, its old one is gone.
            history = [h for h in annotations.get(REVISION_HISTORY, "").split(",") if h]
            annotations[REVISION_HISTORY] = ",".join([*history, str(revision)])
            annotations[REVISION] = str(top + 1)
        for key_, value in copied.items():
            annotations[key_] = value
        if annotations != (current["metadata"].get("annotations") or {}):
            current["metadata"]["annotations"] = annotations
            current = self.store.update("ReplicaSet", current)
        return current

    def _max_surge(self, deployment: Obj) -> int:
        spec = deployment["spec"]
        rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}
        return resolve_int_or_percent(
            rolling.get("maxSurge", "25%"), spec["replicas"], round_up=True
        )

    def _scale(self, deployment: Obj, replica_set: Obj, replicas: int, now: float) -> Obj:
        old = replica_set["spec"]["replicas"]
        if old == replicas:
            return replica_set
        replica_set["spec"]["replicas"] = replicas
        meta = replica_set["metadata"]
        meta["generation"] = meta.get("generation", 1) + 1
        meta.setdefault("annotations", {})["deployment.kubernetes.io/desired-replicas"] = str(
            deployment["spec"]["replicas"]
        )
        direction = "up" if replicas > old else "down"
        self.events.record(
            deployment,
            type_="Normal",
            reason="ScalingReplicaSet",
            message=f"Scaled {direction} replica set {meta['name']} from {old} to {replicas}",
            component="deployment-controller",
            now=now,
        )
        return self.store.update("ReplicaSet", replica_set)

    def _sync_deployment(self, deployment: Obj, now: float) -> None:
        meta, spec = deployment["metadata"], deployment["spec"]
        owned = self._owned("ReplicaSet", meta["namespace"], meta["uid"])
        if spec.get("paused"):
            return
        new = self._new_replica_set(deployment, owned, now)
        annotations = meta.setdefault("annotations", {})
        if annotations.get(REVISION) != new["metadata"]["annotations"][REVISION]:
            annotations[REVISION] = new["metadata"]["annotations"][REVISION]
            self.store.update("Deployment", deployment)
        olds = sorted(
            (
                rs
                for rs in self._owned("ReplicaSet", meta["namespace"], meta["uid"])
                if rs["metadata"]["uid"] != new["metadata"]["uid"]
            ),
            key=revision_of,
        )
        desired = spec["replicas"]
        strategy = (spec.get("strategy") or {}).get("type", "RollingUpdate")
        if strategy == "Recreate":
            self._recreate(deployment, new, olds, desired, now)
        else:
            self._roll(deployment, new, olds, desired, now)
        self._prune_history(deployment, olds)

    def _recreate(
        self, deployment: Obj, new: Obj, olds: list[Obj], desired: int, now: float
    ) -> None:
        for rs in olds:
            self._scale(deployment, rs, 0, now)
        namespace = deployment["metadata"]["namespace"]
        if any(self._owned("Pod", namespace, rs["metadata"]["uid"], copies=False) for rs in olds):
            return  # Recreate waits until every old pod is gone
        self._scale(deployment, new, desired, now)

    def _roll(self, deployment: Obj, new: Obj, olds: list[Obj], desired: int, now: float) -> None:
        rolling = (deployment["spec"].get("strategy") or {}).get("rollingUpdate") or {}
        surge = self._max_surge(deployment)
        unavailable = resolve_int_or_percent(
            rolling.get("maxUnavailable", "25%"), desired, round_up=False
        )
        if surge == 0 and unavailable == 0:
            unavailable = 1
        every = [new, *olds]
        total = sum(rs["spec"]["replicas"] for rs in every)
        current = new["spec"]["replicas"]
        if current > desired:
            target = desired
        elif current < desired:
            target = min(desired, current + max(0, desired + surge - total))
        else:
            target = current
        new = self._scale(deployment, new, target, now)
        total += target - current
        min_available = desired - unavailable
        new_unavailable = max(0, target - self._available(new))
        # First drop old replicas that are not available anyway, then healthy ones as allowed.
        cleanup = total - min_available - new_unavailable
        for i, rs in enumerate(olds):
            if cleanup <= 0:
                break
            unhealthy = rs["spec"]["replicas"] - self._available(rs)
            if unhealthy <= 0:
                continue
            step = min(cleanup, unhealthy)
            olds[i] = self._scale(deployment, rs, rs["spec"]["replicas"] - step, now)
            cleanup -= step
        available = sum(min(self._available(rs), rs["spec"]["replicas"]) for rs in [new, *olds])
        scale_down = available - min_available - new_unavailable
        for i, rs in enumerate(olds):
            if scale_down <= 0:
                break
            step = min(rs["spec"]["replicas"], scale_down)
            if step:
                olds[i] = self._scale(deployment, rs, rs["spec"]["replicas"] - step, now)
                scale_down -= step

    def _prune_history(self, deployment: Obj, olds: list[Obj]) -> None:
        limit = deployment["spec"].get("revisionHistoryLimit", 10)
        namespace = deployment["metadata"]["namespace"]
        idle = [
            rs
            for rs in olds
            if rs["spec"]["replicas"] == 0
            and not self._owned("Pod", namespace, rs["metadata"]["uid"], copies=False)
        ]
        for rs in idle[: max(0, len(idle) - limit)]:
            self.store.delete("ReplicaSet", namespace, rs["metadata"]["name"])

    # -- replica sets ----------------------------------------------------------------------
    def _sync_replica_set(self, replica_set: Obj, now: float) -> None:
        meta = replica_set["metadata"]
        pods = self._owned("Pod", meta["namespace"], meta["uid"], copies=False)
        missing = replica_set["spec"]["replicas"] - len(pods)
        for _ in range(missing):
            pods.append(self._create_pod(replica_set, now))
        if missing < 0:
            # Like the real controller: not-ready pods go first, then the youngest.
            pods.sort(key=lambda p: (pod_ready(p), p["metadata"]["creationTimestamp"]))
            for pod in pods[:-missing]:
                self.store.delete("Pod", meta["namespace"], pod["metadata"]["name"])
                self.events.record(
                    replica_set,
                    type_="Normal",
                    reason="SuccessfulDelete",
                    message=f"Deleted pod: {pod['metadata']['name']}",
                    component="replicaset-controller",
                    now=now,
                )
            pods = pods[-missing:]
        ready = sum(1 for pod in pods if pod_ready(pod))
        status: Obj = {"replicas": len(pods)}
        if pods:
            status["fullyLabeledReplicas"] = len(pods)
        if ready:
            status.update(readyReplicas=ready, availableReplicas=ready)
        status["observedGeneration"] = meta.get("generation", 1)
        if replica_set.get("status") != status:
            self.store.update("ReplicaSet", {**replica_set, "status": status})

    def _node_for(self, replica_set: Obj) -> str:
        """Spread a ReplicaSet's pods over the nodes, as the scheduler's spreading scores do."""
        nodes = [
            n["metadata"]["name"]
            for n in self.store.peek("Node")
            if not (n.get("spec") or {}).get("unschedulable")
        ]
        if not nodes:
            return NODE_NAME
        namespace, uid = replica_set["metadata"]["namespace"], replica_set["metadata"]["uid"]
        siblings = [
            p["spec"].get("nodeName") for p in self._owned("Pod", namespace, uid, copies=False)
        ]
        everyone = [p["spec"].get("nodeName") for p in self.store.peek("Pod")]
        return str(min(nodes, key=lambda n: (siblings.count(n), everyone.count(n), n)))

    def _create_pod(self, replica_set: Obj, now: float) -> Obj:
        meta = replica_set["metadata"]
        name = f"{meta['name']}-{self.store.random_suffix()}"
        node = self._node_for(replica_set)
        pod = new_pod(replica_set, name, self.store.new_uid(), node)
        self._next_ip += 1
        # Each node hands out addresses from its own pod CIDR, 10.244.<node index>.0/24.
        subnet = list(NODES).index(node) if node in NODES else len(NODES)
        ip = f"10.244.{subnet}.{self._next_ip % 250 + 2}"
        self._clocks[pod["metadata"]["uid"]] = PodClock(now, self.pod_start_delay, ip)
        pod["status"] = pod_status(pod, self._clocks[pod["metadata"]["uid"]], now)
        pod = self.store.create("Pod", pod, created_at=now)
        self.events.record(
            replica_set,
            type_="Normal",
            reason="SuccessfulCreate",
            message=f"Created pod: {name}",
            component="replicaset-controller",
            now=now,
        )
        self.events.record(
            pod,
            type_="Normal",
            reason="Scheduled",
            message=f"Successfully assigned {meta['namespace']}/{name} to {node}",
            component="default-scheduler",
            now=now,
        )
        return pod

    # -- the pretend kubelet ---------------------------------------------------------------
    def clock_of(self, pod: Obj) -> PodClock:
        """When `pod` was created and how it starts; pods made elsewhere start from their stamp."""
        uid = pod["metadata"]["uid"]
        with self.store.changed:
            clock = self._clocks.get(uid)
            if clock is None:
                self._next_ip += 1
                created = parse_rfc3339(pod["metadata"]["creationTimestamp"])
                ip = f"10.244.9.{self._next_ip % 250 + 2}"
                clock = self._clocks[uid] = PodClock(created, self.pod_start_delay, ip)
            return clock

    def _sync_pod(self, pod: Obj, now: float) -> None:
        clock = self.clock_of(pod)
        before = {s["name"]: s for s in pod.get("status", {}).get("containerStatuses") or []}
        blocker = None
        # Only containers that never started wait for their ConfigMaps and Secrets.
        if not any(s.get("imageID") for s in before.values()):
            namespace = pod["metadata"]["namespace"]
            blocker = missing_references(
                pod, lambda kind, name: self.store.get(kind, namespace, name)
            )
        uid = pod["metadata"]["uid"]
        if blocker is not None:
            clock.held_until = now
            # The kubelet retries with a back-off; one event per new reason is enough here.
            if self._blocked.get(uid) != blocker.event_message:
                self._blocked[uid] = blocker.event_message
                self.events.record(
                    pod,
                    type_="Warning",
                    reason=blocker.event_reason,
                    message=blocker.event_message,
                    component="kubelet",
                    now=now,
                )
        else:
            self._blocked.pop(uid, None)
        status = pod_status(pod, clock, now, blocker)
        for after in status["containerStatuses"]:
            self._container_events(pod, before.get(after["name"]), after, now)
        if pod.get("status") != status:
            self.store.update("Pod", {**pod, "status": status})

    def _container_events(self, pod: Obj, before: Obj | None, after: Obj, now: float) -> None:
        name, image = after["name"], after["image"]
        field_path = f"spec.containers{{{name}}}"

        def emit(type_: str, reason: str, message: str) -> None:
            self.events.record(
                pod,
                type_=type_,
                reason=reason,
                message=message,
                component="kubelet",
                now=now,
                field_path=field_path,
            )

        was_waiting = (before or {}).get("state", {}).get("waiting", {}).get("reason")
        waiting = after["state"].get("waiting", {}).get("reason")
        if after["imageID"] and not (before or {}).get("imageID"):
            emit("Normal", "Pulling", f'Pulling image "{image}"')
            emit(
                "Normal",
                "Pulled",
                f'Successfully pulled image "{image}" in 1.2s (1.2s including '
                "waiting). Image size: 48213571 bytes.",
            )
            emit("Normal", "Created", f"Created container: {name}")
            emit("Normal", "Started", f"Started container {name}")
        if waiting == "ImagePullBackOff" and was_waiting != "ImagePullBackOff":
            emit("Normal", "Pulling", f'Pulling image "{image}"')
            emit(
                "Warning",
                "Failed",
                f'Failed to pull image "{image}": rpc error: code = '
                f'NotFound desc = failed to pull and unpack image "{image}": not found',
            )
            emit("Warning", "Failed", "Error: ErrImagePull")
            emit("Normal", "BackOff", f'Back-off pulling image "{image}"')
            emit("Warning", "Failed", "Error: ImagePullBackOff")
        if after["restartCount"] > (before or {}).get("restartCount", 0):
            meta = pod["metadata"]
            emit(
                "Warning",
                "BackOff",
                f"Back-off restarting failed container {name} in pod "
                f"{meta['name']}_{meta['namespace']}({meta['uid']})",
            )

    # -- deployment status -----------------------------------------------------------------
    def _sync_deployment_status(self, deployment: Obj, now: float) -> None:
        meta, spec = deployment["metadata"], deployment["spec"]
        owned = self._owned("ReplicaSet", meta["namespace"], meta["uid"], copies=False)
        key = template_key(spec["template"])
        new = next((rs for rs in owned if template_key(rs["spec"]["template"]) == key), None)
        pods_by_rs = {
            rs["metadata"]["uid"]: self._owned(
                "Pod", meta["namespace"], rs["metadata"]["uid"], copies=False
            )
            for rs in owned
        }
        every = [pod for pods in pods_by_rs.values() for pod in pods]
        updated = len(pods_by_rs[new["metadata"]["uid"]]) if new else 0
        ready = sum(1 for pod in every if pod_ready(pod))
        desired = spec["replicas"]
        counts = {
            "replicas": len(every),
            "updatedReplicas": updated,
            "readyReplicas": ready,
            "availableReplicas": ready,
            "unavailableReplicas": max(0, desired - ready),
        }
        old_status = deployment.get("status") or {}
        status: Obj = {"observedGeneration": meta.get("generation", 1)}
        status.update({k: v for k, v in counts.items() if v})  # the API omits zero counts
        rolling = (spec.get("strategy") or {}).get("rollingUpdate") or {}
        max_unavailable = resolve_int_or_percent(
            rolling.get("maxUnavailable", "25%"), desired, round_up=False
        )
        conditions = list(old_status.get("conditions") or [])
        if ready >= desired - max_unavailable:
            available = {
                "type": "Available",
                "status": "True",
                "reason": "MinimumReplicasAvailable",
                "message": "Deployment has minimum availability.",
            }
        else:
            available = {
                "type": "Available",
                "status": "False",
                "reason": "MinimumReplicasUnavailable",
                "message": "Deployment does not have minimum availability.",
            }
        conditions = _set_condition(conditions, available, now)
        conditions = _set_condition(
            conditions, self._progressing(deployment, new, counts, now), now
        )
        order = {"Available": 0, "Progressing": 1}
        status["conditions"] = sorted(conditions, key=lambda c: order.get(c["type"], 9))
        if old_status != status:
            self.store.update("Deployment", {**deployment, "status": status})

    def _progressing(
        self, deployment: Obj, new: Obj | None, counts: dict[str, int], now: float
    ) -> Obj:
        meta, spec = deployment["metadata"], deployment["spec"]
        name = new["metadata"]["name"] if new else meta["name"]
        if spec.get("paused"):
            return {
                "type": "Progressing",
                "status": "Unknown",
                "reason": "DeploymentPaused",
                "message": "Deployment is paused",
            }
        desired = spec["replicas"]
        complete = (
            counts["updatedReplicas"] == desired
            and counts["replicas"] == desired
            and counts["availableReplicas"] >= desired
        )
        if complete:
            self._progress.pop(meta["uid"], None)
            return {
                "type": "Progressing",
                "status": "True",
                "reason": "NewReplicaSetAvailable",
                "message": f'ReplicaSet "{name}" has successfully progressed.',
            }
        # Any movement in the counts is progress and restarts the deadline, as in the API.
        marker = (name, meta.get("generation"), *sorted(counts.items()))
        seen = self._progress.get(meta["uid"])
        if seen is None or seen[0] != marker:
            self._progress[meta["uid"]] = seen = (marker, now)
        if now - seen[1] > spec.get("progressDeadlineSeconds", 600):
            return {
                "type": "Progressing",
                "status": "False",
                "reason": "ProgressDeadlineExceeded",
                "message": f'ReplicaSet "{name}" has timed out progressing.',
            }
        return {
            "type": "Progressing",
            "status": "True",
            "reason": "ReplicaSetUpdated",
            "message": f'ReplicaSet "{name}" is progressing.',
        }
