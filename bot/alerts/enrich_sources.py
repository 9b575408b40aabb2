"""The enrichers a served Kuber runs on every alert group message it opens, in order.

The quick ones first (Kubernetes and the audit log, then the SLO's numbers), the graph last:
each block is shown as soon as it is found. Clients are taken when an alert first needs them,
so a Kuber without Kubernetes or Prometheus simply adds no such block.
"""

from __future__ import annotations

from bot.alerts.enrich import Enricher
from bot.alerts.enrich_graph import ExpressionGraph
from bot.alerts.enrich_kubernetes import WorkloadContext
from bot.alerts.enrich_slo import SloBudget
from bot.services import Services
from bot.settings import Settings
from bot.store import Store
from integrations.prometheus import PrometheusClient, prometheus_for


def alert_enrichers(settings: Settings, store: Store, services: Services) -> tuple[Enricher, ...]:
    """What `LivingMessages(enrichers=...)` should run for a Kuber built from `settings`."""

    def prometheus() -> PrometheusClient | None:
        return prometheus_for(settings) if settings.env.prometheus_url else None

    return (
        WorkloadContext(settings.config, store, lambda: services.kubernetes),
        SloBudget(settings.config, prometheus),
        ExpressionGraph(prometheus),
    )
