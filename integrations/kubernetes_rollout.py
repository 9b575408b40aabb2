"""Rollout rules as kubectl applies them, and the client-side rollback patch, as pure functions.

Inputs are API objects in their JSON shape; nothing here talks to a cluster, so the rules can
be read and tested on their own. The client (`integrations/kubernetes.py`) feeds them.
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from integrations.kubernetes_models import (
    POD_TEMPLATE_HASH_LABEL,
    REVISION_ANNOTATION,
    DeploymentState,
    Json,
    RolloutProgress,
    annotations_of,
    is_crash_looping,
    meta,
    revision_of,
)

# Annotations that describe a ReplicaSet's bookkeeping rather than the revision itself: a
# rollback keeps the Deployment's own values for these and takes the rest from the revision.
_DEPLOYMENT_OWNED_ANNOTATIONS = frozenset(
    {
        "kubectl.kubernetes.io/last-applied-configuration",
        REVISION_ANNOTATION,
        "deployment.kubernetes.io/revision-history",
        "deployment.kubernetes.io/desired-replicas",
        "deployment.kubernetes.io/max-replicas",
        "deprecated.deployment.rollback.to",
    }
)


@dataclass(frozen=True)
class Verdict:
    done: bool
    failed: bool
    detail: str  # the part after 'Waiting for deployment "x" rollout to finish: '
    reason: str | None

    def message(self, name: str) -> str:
        if self.done:
            return f'deployment "{name}" successfully rolled out'
        if self.failed:
            return f'deployment "{name}" rollout failed: {self.detail}'
        if self.reason == "Paused":
            return f'deployment "{name}" is paused: {self.detail}'
        return f'Waiting for deployment "{name}" rollout to finish: {self.detail}...'


def judge(state: DeploymentState) -> Verdict:
    """kubectl's `rollout status` rules on one look at the Deployment."""
    if state.observed_generation < state.generation:
        return Verdict(False, False, "waiting for the spec update to be observed", None)
    progressing = state.condition("Progressing")
    if progressing is not None and progressing.reason == "ProgressDeadlineExceeded":
        return Verdict(False, True, "it exceeded its progress deadline", "ProgressDeadlineExceeded")
    verdict: Verdict
    if state.updated < state.replicas:
        detail = f"{state.updated} out of {state.replicas} new replicas have been updated"
        verdict = Verdict(False, False, detail, None)
    elif state.total > state.updated:
        detail = f"{state.total - state.updated} old replicas are pending termination"
        verdict = Verdict(False, False, detail, None)
    elif state.available < state.updated:
        detail = f"{state.available} of {state.updated} updated replicas are available"
        verdict = Verdict(False, False, detail, None)
    else:
        return Verdict(True, False, "", None)
    if state.paused:
        # A paused Deployment does not move; waiting for it would only wait out the timeout.
        return Verdict(False, False, f"{verdict.detail}; resume it to continue", "Paused")
    return verdict


def crash_verdict(pods: Iterable[Json], min_restarts: int) -> Verdict | None:
    for pod in pods:
        if is_crash_looping(pod, min_restarts):
            statuses = (pod.get("status") or {}).get("containerStatuses") or []
            restarts = max((int(s.get("restartCount") or 0) for s in statuses), default=0)
            detail = f"pod {meta(pod).get('name')} is in CrashLoopBackOff ({restarts} restarts)"
            return Verdict(False, True, detail, "CrashLoopBackOff")
    return None


def progress(state: DeploymentState, verdict: Verdict) -> RolloutProgress:
    return RolloutProgress(
        done=verdict.done,
        failed=verdict.failed,
        message=verdict.message(state.ref.name),
        reason=verdict.reason,
        state=state,
    )


def timed_out(last: RolloutProgress, timeout: float) -> RolloutProgress:
    waiting = last.message.rstrip(".")
    if waiting.startswith("Waiting "):
        waiting = "waiting " + waiting.removeprefix("Waiting ")
    return RolloutProgress(
        done=False,
        failed=False,
        message=f"timed out after {timeout:g}s {waiting}",
        reason="Timeout",
        state=last.state,
    )


# -- ownership and revisions ---------------------------------------------------------------


def owned_by(obj: Json, owner_uid: str) -> bool:
    """Controlled by the owner: kubectl counts only these as the Deployment's history."""
    return any(
        ref.get("uid") == owner_uid and ref.get("controller") is True
        for ref in meta(obj).get("ownerReferences") or []
    )


def new_replicaset(replicasets: Iterable[Json], deployment: Json) -> Json | None:
    """The ReplicaSet of the Deployment's current revision."""
    wanted = revision_of(deployment)
    if wanted is None:
        return None
    return next((rs for rs in replicasets if revision_of(rs) == wanted), None)


def pods_of(pods: Iterable[Json], replicaset: Json) -> list[Json]:
    name = meta(replicaset).get("name")
    hash_ = (meta(replicaset).get("labels") or {}).get(POD_TEMPLATE_HASH_LABEL)
    selected = []
    for pod in pods:
        owners = {r.get("name") for r in meta(pod).get("ownerReferences") or []}
        labels = meta(pod).get("labels") or {}
        if name in owners or (hash_ and labels.get(POD_TEMPLATE_HASH_LABEL) == hash_):
            selected.append(pod)
    return selected


def label_selector(selector: Json) -> str:
    """A LabelSelector object in the query-string form `labelSelector=` takes."""
    parts = [f"{k}={v}" for k, v in sorted((selector.get("matchLabels") or {}).items())]
    for expression in selector.get("matchExpressions") or []:
        key, operator = expression.get("key"), expression.get("operator")
        values = ",".join(expression.get("values") or [])
        if operator == "In":
            parts.append(f"{key} in ({values})")
        elif operator == "NotIn":
            parts.append(f"{key} notin ({values})")
        elif operator == "Exists":
            parts.append(str(key))
        elif operator == "DoesNotExist":
            parts.append(f"!{key}")
    return ",".join(parts)


def _pruned(value: Any) -> Any:
    """Drop nulls and empty collections: the API and the controller treat them alike."""
    if isinstance(value, Mapping):
        pruned = {k: _pruned(v) for k, v in value.items()}
        return {k: v for k, v in pruned.items() if v not in (None, {}, [], "")}
    if isinstance(value, list):
        return [_pruned(v) for v in value]
    return value


def template_without_hash(template: Json) -> dict[str, Any]:
    """The pod template as the revision meant it, without the label the controller added."""
    copied = copy.deepcopy(dict(template))
    metadata = dict(copied.get("metadata") or {})
    labels = dict(metadata.get("labels") or {})
    labels.pop(POD_TEMPLATE_HASH_LABEL, None)
    metadata["labels"] = labels
    copied["metadata"] = metadata
    return copied


def same_template(a: Json, b: Json) -> bool:
    return bool(_pruned(template_without_hash(a)) == _pruned(template_without_hash(b)))


def rollback_patch(deployment: Json, replicaset: Json) -> list[dict[str, Any]]:
    """A json-patch that puts the revision's pod template back into the Deployment.

    A fixed template and a fixed set of annotations: applying it twice changes nothing, so a
    retried rollback is safe.
    """
    owned = _DEPLOYMENT_OWNED_ANNOTATIONS
    kept = {k: v for k, v in annotations_of(deployment).items() if k in owned}
    taken = {k: v for k, v in annotations_of(replicaset).items() if k not in owned}
    template = template_without_hash((replicaset.get("spec") or {}).get("template") or {})
    return [
        {"op": "replace", "path": "/spec/template", "value": template},
        {"op": "replace", "path": "/metadata/annotations", "value": {**kept, **taken}},
    ]
