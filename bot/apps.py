"""The apps Kuber knows: those in kuber.yaml plus the Deployments found in the clusters.

Discovery is best-effort and cached for a few minutes: a cluster that is down must not stop
Kuber from understanding a command about an app kuber.yaml already names.
"""

from __future__ import annotations

import threading
import time

from bot.errors import KuberError
from bot.logs import get_logger
from bot.nlu import AppCatalog
from bot.services import Services
from bot.settings import Settings

log = get_logger(__name__)


class AppDirectory:
    def __init__(self, settings: Settings, services: Services, *, ttl: float = 300.0) -> None:
        self.settings = settings
        self.services = services
        self.ttl = ttl
        self._discovered: tuple[str, ...] = ()
        self._checked_at = float("-inf")
        self._lock = threading.Lock()
        self._catalog = self._build()

    def catalog(self) -> AppCatalog:
        if time.monotonic() - self._checked_at > self.ttl and self._can_discover():
            with self._lock:
                if time.monotonic() - self._checked_at > self.ttl:
                    self._checked_at = time.monotonic()
                    self._discover()
        return self._catalog

    def _can_discover(self) -> bool:
        env = self.settings.env
        return bool(env.kubeconfig or env.kubernetes_in_cluster)

    def _discover(self) -> None:
        found: set[str] = set()
        try:
            clusters = self.services.kubernetes
            for cluster in clusters.names():
                for deployment in clusters.list_deployments(cluster):
                    found.add(deployment.labels.get("app") or deployment.ref.name)
        except (KuberError, OSError) as exc:
            log.warning("app discovery failed; using kuber.yaml apps", error=str(exc))
            return
        discovered = tuple(sorted(found))
        if discovered != self._discovered:
            self._discovered = discovered
            self._catalog = self._build()

    def _build(self) -> AppCatalog:
        config = self.settings.config
        names = [app.name for app in config.apps]
        names += [name for name in self._discovered if name not in names]
        aliases = {alias: app.name for app in config.apps for alias in app.aliases}
        # Target words the parser may read as such: "in prod" is the cluster prod.
        clusters = {c.name for c in config.clusters} | set(self._cluster_names())
        namespaces = {n for t in config.teams for n in t.namespaces}
        namespaces |= {a.namespace for a in config.apps if a.namespace}
        return AppCatalog.from_names(
            names, aliases=aliases, clusters=clusters, namespaces=namespaces
        )

    def _cluster_names(self) -> list[str]:
        if not self._can_discover():
            return []
        try:
            return list(self.services.kubernetes.names())
        except (KuberError, OSError):
            return []
