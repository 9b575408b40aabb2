"""core/v1 Events for the Kubernetes sandbox, recorded the way controllers and the kubelet do.

Repeats of the same reason and message on one object bump `count` and `lastTimestamp` instead
of piling up, as the API's event correlator does. Events never drive behaviour.
"""

from __future__ import annotations

import itertools
from typing import Any

from .kubernetes_store import ObjectStore, rfc3339

#: Keep at most this many events per namespace; the API server expires them after an hour.
MAX_EVENTS_PER_NAMESPACE = 1000


class EventRecorder:
    def __init__(self, store: ObjectStore) -> None:
        self._store = store
        self._serial = itertools.count()
        self._names: dict[tuple[str, str, str, str], str] = {}  # (ns, uid, reason, message)
        self.enabled = True

    def record(
        self,
        obj: dict[str, Any],
        *,
        type_: str,
        reason: str,
        message: str,
        component: str,
        now: float,
        field_path: str | None = None,
    ) -> None:
        if not self.enabled:
            return
        meta = obj["metadata"]
        namespace = meta.get("namespace", "default")
        key = (namespace, meta.get("uid", ""), reason, message)
        with self._store.changed:
            name = self._names.get(key)
            existing = self._store.get("Event", namespace, name) if name else None
            if existing is not None:
                existing["count"] = existing.get("count", 1) + 1
                existing["lastTimestamp"] = rfc3339(now)
                self._store.update("Event", existing)
                return
            # The API names events <object>.<hex nanoseconds>; the serial keeps bursts apart.
            name = f"{meta['name']}.{int(now * 1e9) + next(self._serial):x}"
            involved: dict[str, Any] = {
                "kind": obj.get("kind"),
                "namespace": namespace,
                "name": meta["name"],
                "uid": meta.get("uid"),
                "apiVersion": obj.get("apiVersion"),
                "resourceVersion": meta.get("resourceVersion"),
            }
            if field_path:
                involved["fieldPath"] = field_path
            event: dict[str, Any] = {
                "kind": "Event",
                "apiVersion": "v1",
                "metadata": {"name": name, "namespace": namespace},
                "involvedObject": involved,
                "reason": reason,
                "message": message,
                "source": {"component": component},
                "firstTimestamp": rfc3339(now),
                "lastTimestamp": rfc3339(now),
                "count": 1,
                "type": type_,
                "eventTime": None,
                "reportingComponent": component,
                "reportingInstance": "",
            }
            if component == "kubelet":
                host = (obj.get("spec") or {}).get("nodeName", "")
                event["source"] = {"component": component, "host": host}
                event["reportingInstance"] = host
            self._store.create("Event", event, created_at=now)
            self._names[key] = name
            self._prune(namespace)

    def _prune(self, namespace: str) -> None:
        if self._store.count("Event", namespace) <= MAX_EVENTS_PER_NAMESPACE:
            return
        events = self._store.select("Event", namespace)
        events.sort(key=lambda e: int(e["metadata"]["resourceVersion"]))
        for event in events[: len(events) - MAX_EVENTS_PER_NAMESPACE]:
            self._store.delete("Event", namespace, event["metadata"]["name"])
