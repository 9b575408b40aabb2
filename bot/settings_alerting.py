"""kuber.yaml sections for alerting: where alerts go (`alerts:`) and the SLOs (`slos:`).

Kept apart from `bot.settings` so alert routing and SLO definitions grow without touching
the rest of the configuration; `KuberConfig` holds both.
"""

from __future__ import annotations

import re

from pydantic import BaseModel, ConfigDict, Field, model_validator

#: `{{window}}` in an SLI query stands for the range of each window (`5m`, `1h`, …).
WINDOW_PLACEHOLDER = "{{window}}"
#: A PromQL vector selector: a metric name, label matchers or both (`errors_total{code="500"}`).
SELECTOR = re.compile(r"^\s*(?:[a-zA-Z_:][a-zA-Z0-9_:]*\s*(?:\{[^{}]*\})?|\{[^{}]*\})\s*$")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class AlertChannel(_Strict):
    """A chat channel: one platform and its channel id."""

    platform: str = Field(pattern=r"^(slack|mattermost)$")
    channel: str = Field(min_length=1)


class AlertRoute(_Strict):
    """Alerts whose labels all match `match` go to `team`'s channel (or to `channel`)."""

    match: dict[str, str] = Field(default_factory=dict)
    team: str | None = None
    channel: AlertChannel | None = None


class Alerts(_Strict):
    routes: list[AlertRoute] = Field(default_factory=list)
    #: Where alerts no route matches go; None: the first team's channel.
    default_channel: AlertChannel | None = None
    #: Seconds a resolve is held before it is shown, to absorb flapping.
    resolve_hold_seconds: float = Field(default=5.0, ge=0, le=3600)


class Slo(_Strict):
    """A service level objective for an app, with its SLI as Prometheus queries."""

    name: str = Field(pattern=r"^[a-z0-9]([-a-z0-9_]*[a-z0-9])?$")
    app: str
    #: The target ratio of good events, e.g. 0.999.
    objective: float = Field(gt=0, lt=1)
    period_days: int = Field(default=30, ge=1, le=365)
    #: PromQL selecting the bad and the total events (counters), or a latency threshold.
    error_query: str | None = None
    total_query: str | None = None
    latency_query: str | None = None
    latency_threshold_seconds: float | None = Field(default=None, gt=0)

    @model_validator(mode="after")
    def _one_sli(self) -> Slo:
        """Exactly one SLI, complete: error and total counters, or a latency histogram and its
        threshold. A counter query is a selector (rated per window) or an expression with
        `{{window}}`; a latency query is a histogram's selector, without `_bucket`."""
        ratio = (self.error_query, self.total_query)
        latency = (self.latency_query, self.latency_threshold_seconds)
        if any(v is not None for v in ratio) and any(v is not None for v in latency):
            raise ValueError("give error_query and total_query, or a latency SLI, not both")
        if any(v is not None for v in latency):
            if self.latency_query is None or self.latency_threshold_seconds is None:
                raise ValueError("latency_query and latency_threshold_seconds go together")
            if not SELECTOR.match(self.latency_query) or self.latency_query.strip()[0] == "{":
                raise ValueError(
                    f"latency_query: {self.latency_query!r} is not a histogram's selector "
                    '(e.g. http_request_duration_seconds{app="payment"})'
                )
            return self
        if self.error_query is None or self.total_query is None:
            raise ValueError("give error_query and total_query, or latency_query")
        for field, query in (("error_query", self.error_query), ("total_query", self.total_query)):
            if WINDOW_PLACEHOLDER not in query and not SELECTOR.match(query):
                raise ValueError(
                    f"{field}: {query!r} is neither a counter's selector nor an expression "
                    f"with {WINDOW_PLACEHOLDER}"
                )
        return self


def check_references(alerts: Alerts, slos: list[Slo], teams: set[str], apps: set[str]) -> None:
    """Raise ValueError naming the path of a route or SLO that names an unknown team or app."""
    for index, route in enumerate(alerts.routes):
        if route.team is not None and route.team not in teams:
            raise ValueError(f"alerts.routes[{index}].team: no team named {route.team!r}")
        if route.team is None and route.channel is None:
            raise ValueError(f"alerts.routes[{index}]: name a team or a channel")
    seen: set[str] = set()
    for index, slo in enumerate(slos):
        if slo.app not in apps:
            raise ValueError(f"slos[{index}].app: no app named {slo.app!r}")
        if slo.name in seen:
            raise ValueError(f"slos[{index}].name: {slo.name!r} is defined twice")
        seen.add(slo.name)
