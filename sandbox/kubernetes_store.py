"""In-memory object store of the Kubernetes sandbox: resourceVersions, uids and the watch log.

It knows nothing of what objects mean (no defaults, no controllers, no HTTP); callers pass
JSON-shaped dicts and always get copies back, so nobody mutates stored state by accident.
"""

from __future__ import annotations

import random
import threading
import time
import uuid
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, TypeVar, cast

#: Kubernetes names generated suffixes from this alphabet (no vowels, no look-alike digits).
NAME_ALPHABET = "bcdfghjklmnpqrstvwxz2456789"

Obj = dict[str, Any]
_T = TypeVar("_T")


def clone(value: _T) -> _T:
    """A deep copy of JSON-shaped data, several times faster than copy.deepcopy."""
    if isinstance(value, dict):
        return cast(_T, {key: clone(item) for key, item in value.items()})
    if isinstance(value, list):
        return cast(_T, [clone(item) for item in value])
    return value


def rfc3339(at: float | None = None) -> str:
    """A timestamp as the API writes it: seconds precision, always UTC."""
    moment = datetime.fromtimestamp(time.time() if at is None else at, UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def parse_rfc3339(value: str) -> float:
    return datetime.strptime(value, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=UTC).timestamp()


@dataclass(frozen=True)
class WatchEvent:
    resource_version: int
    type: str  # ADDED, MODIFIED or DELETED
    kind: str
    namespace: str
    object: Obj
    #: The object as it was before this event (None for ADDED): lets a list be served as of
    #: an older resourceVersion, which paged lists need to stay consistent.
    previous: Obj | None = None


def _without_version(obj: Obj) -> Obj:
    meta = {k: v for k, v in obj.get("metadata", {}).items() if k != "resourceVersion"}
    return {**obj, "metadata": meta}


class ObjectStore:
    """Objects by kind, then (namespace, name); "" is the namespace of cluster-scoped kinds."""

    def __init__(self, seed: str = "sandbox", history: int = 50_000) -> None:
        # One condition for everything: writers notify it, watchers wait on it.
        self.changed = threading.Condition(threading.RLock())
        self._objects: dict[str, dict[tuple[str, str], Obj]] = {}
        self._log: deque[WatchEvent] = deque(maxlen=history)
        self._version = 0
        # Deterministic uids and names for a given seed; nothing here needs to be secret.
        self._random = random.Random(seed)  # noqa: S311
        self.closed = False

    # -- identity --------------------------------------------------------------------------
    @property
    def resource_version(self) -> int:
        with self.changed:
            return self._version

    def new_uid(self) -> str:
        with self.changed:
            return str(uuid.UUID(int=self._random.getrandbits(128), version=4))

    def random_suffix(self, length: int = 5) -> str:
        with self.changed:
            return "".join(self._random.choice(NAME_ALPHABET) for _ in range(length))

    # -- reads -----------------------------------------------------------------------------
    def get(self, kind: str, namespace: str, name: str) -> Obj | None:
        with self.changed:
            obj = self._objects.get(kind, {}).get((namespace, name))
            return clone(obj) if obj is not None else None

    def select(
        self,
        kind: str,
        namespace: str | None = None,
        where: Callable[[Obj], bool] | None = None,
    ) -> list[Obj]:
        """Objects of `kind`, by namespace and name; `where` filters before anything is copied."""
        with self.changed:
            return [
                clone(obj)
                for (ns, _name), obj in sorted(self._objects.get(kind, {}).items())
                if (namespace is None or ns == namespace) and (where is None or where(obj))
            ]

    def peek(
        self,
        kind: str,
        namespace: str | None = None,
        where: Callable[[Obj], bool] | None = None,
    ) -> list[Obj]:
        """Like select, but the stored objects themselves: for readers that only count or
        compare, while they hold the lock. Copying is most of a controller pass otherwise."""
        with self.changed:
            return [
                obj
                for (ns, _name), obj in sorted(self._objects.get(kind, {}).items())
                if (namespace is None or ns == namespace) and (where is None or where(obj))
            ]

    def select_at(self, kind: str, version: int, namespace: str | None = None) -> list[Obj] | None:
        """Objects of `kind` as they were at `version`; None once the log no longer reaches back.

        Undoes the logged events newer than `version`, newest first, as a compacted etcd
        would let a paged list do until compaction passes its revision.
        """
        with self.changed:
            if version >= self._version:
                return self.select(kind, namespace)
            events = self.events_after(version)
            if events is None:
                return None
            objects = dict(self._objects.get(kind, {}))
            for event in reversed(events):
                if event.kind != kind:
                    continue
                key = (event.namespace, event.object["metadata"]["name"])
                if event.previous is None:
                    objects.pop(key, None)
                else:
                    objects[key] = event.previous
            return [
                clone(obj)
                for (ns, _name), obj in sorted(objects.items())
                if namespace is None or ns == namespace
            ]

    def count(self, kind: str, namespace: str) -> int:
        with self.changed:
            return sum(1 for ns, _name in self._objects.get(kind, {}) if ns == namespace)

    # -- writes ----------------------------------------------------------------------------
    def create(self, kind: str, obj: Obj, *, created_at: float | None = None) -> Obj:
        meta = obj.setdefault("metadata", {})
        key = (meta.get("namespace", ""), meta["name"])
        with self.changed:
            bucket = self._objects.setdefault(kind, {})
            if key in bucket:
                raise KeyError(f"{kind} {key} exists")
            meta.setdefault("uid", self.new_uid())
            meta.setdefault("creationTimestamp", rfc3339(created_at))
            self._commit(kind, key, obj, "ADDED")
            return clone(obj)

    def update(self, kind: str, obj: Obj) -> Obj:
        """Store `obj` in place of the object of its name; unchanged objects keep their version."""
        meta = obj["metadata"]
        key = (meta.get("namespace", ""), meta["name"])
        with self.changed:
            current = self._objects.get(kind, {}).get(key)
            if current is None:
                raise KeyError(f"{kind} {key} is gone")
            # Controllers rewrite status every tick; only real changes may wake watchers.
            if _without_version(current) == _without_version(obj):
                return clone(current)
            # `current` leaves the store here and is never changed again: the log may keep it.
            self._commit(kind, key, clone(obj), "MODIFIED", previous=current)
            return clone(self._objects[kind][key])

    def delete(self, kind: str, namespace: str, name: str) -> Obj | None:
        with self.changed:
            obj = self._objects.get(kind, {}).pop((namespace, name), None)
            if obj is None:
                return None
            previous = clone(obj)
            self._version += 1
            obj["metadata"]["resourceVersion"] = str(self._version)
            self._log.append(WatchEvent(self._version, "DELETED", kind, namespace, obj, previous))
            self.changed.notify_all()
            return clone(obj)

    def _commit(
        self, kind: str, key: tuple[str, str], obj: Obj, event: str, previous: Obj | None = None
    ) -> None:
        self._version += 1
        obj["metadata"]["resourceVersion"] = str(self._version)
        self._objects[kind][key] = obj
        self._log.append(WatchEvent(self._version, event, kind, key[0], clone(obj), previous))
        self.changed.notify_all()

    # -- watching --------------------------------------------------------------------------
    def events_after(self, version: int) -> list[WatchEvent] | None:
        """Events newer than `version`, or None when the log no longer reaches back that far."""
        with self.changed:
            # The log drops its oldest entries when full; then old versions cannot be replayed.
            full = len(self._log) == self._log.maxlen
            if full and self._log[0].resource_version > version + 1:
                return None
            return [event for event in self._log if event.resource_version > version]

    def wait(self, timeout: float) -> None:
        with self.changed:
            if not self.closed:
                self.changed.wait(timeout)

    def close(self) -> None:
        with self.changed:
            self.closed = True
            self.changed.notify_all()
