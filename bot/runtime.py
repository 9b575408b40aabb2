"""Wiring: settings -> logging -> store (migrated) -> services -> dispatcher, in that order.

The one place that builds Kuber's object graph, so the console, the server and tests start
the same way.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from bot.audit import set_secrets
from bot.dispatch import Dispatcher
from bot.logs import configure_logging
from bot.services import Services
from bot.settings import Settings, load_settings
from bot.store import Store, open_store


@dataclass
class Runtime:
    settings: Settings
    store: Store
    services: Services
    dispatcher: Dispatcher

    def close(self) -> None:
        self.store.dispose()


def build_runtime(
    environ: Mapping[str, str] | None = None, *, settings: Settings | None = None
) -> Runtime:
    settings = settings or load_settings(environ)
    configure_logging(settings.env.log_level, settings.env.log_format)
    set_secrets(settings.env.secrets())
    store = open_store(settings.env.database_url)
    services = Services(settings)
    return Runtime(settings, store, services, Dispatcher(settings, store, services))
