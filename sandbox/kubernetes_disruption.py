"""The disruption controller: each PodDisruptionBudget's status says how many of its pods are
healthy and how many may be evicted now, which `kubectl get pdb` and drains read.

Counts follow the real controller: expected pods are those the selector matches,
percentages of minAvailable round up and of maxUnavailable round down.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from typing import Any

from .kubernetes_selectors import selector_from_spec
from .kubernetes_store import ObjectStore, rfc3339

Obj = dict[str, Any]


def _count(value: Any, total: int, *, round_up: bool) -> int:
    text = str(value)
    if text.endswith("%") and text[:-1].isdigit():
        share = int(text[:-1]) * total / 100
        return math.ceil(share) if round_up else math.floor(share)
    return int(text) if text.isdigit() else 0


def sync_budgets(store: ObjectStore, ready: Callable[[Obj], bool], now: float) -> None:
    for budget in store.select("PodDisruptionBudget"):
        meta, spec = budget["metadata"], budget.get("spec") or {}
        selector = selector_from_spec(spec.get("selector"))
        pods = [
            pod
            for pod in store.select("Pod", meta["namespace"])
            if selector.matches(pod["metadata"].get("labels"))
        ]
        expected = len(pods)
        healthy = sum(1 for pod in pods if ready(pod))
        if "maxUnavailable" in spec:
            desired = expected - _count(spec["maxUnavailable"], expected, round_up=False)
        else:
            desired = _count(spec.get("minAvailable", 1), expected, round_up=True)
        desired = max(desired, 0)
        allowed = max(healthy - desired, 0)
        old = budget.get("status") or {}
        condition = {
            "type": "DisruptionAllowed",
            "status": "True" if allowed else "False",
            "reason": "SufficientPods" if allowed else "InsufficientPods",
            "message": "",
            "observedGeneration": meta.get("generation", 1),
        }
        before: Obj = next(
            (c for c in old.get("conditions") or [] if c["type"] == condition["type"]), {}
        )
        same = {k: v for k, v in before.items() if k != "lastTransitionTime"} == condition
        condition["lastTransitionTime"] = before.get("lastTransitionTime") if same else rfc3339(now)
        status = {
            "observedGeneration": meta.get("generation", 1),
            "disruptionsAllowed": allowed,
            "currentHealthy": healthy,
            "desiredHealthy": desired,
            "expectedPods": expected,
            "conditions": [condition],
        }
        if status != old:
            budget["status"] = status
            store.update("PodDisruptionBudget", budget)
