"""Which channel an alert group goes to, from its labels and kuber.yaml's `alerts:`.

In order: the first route whose `match` labels all equal the group's; a `team` label naming a
team; the one team owning the `app` (or `namespace`) label; `alerts.default_channel`; the first
team's channel. A team's channel is on a platform this Kuber serves, Slack before Mattermost.
Pure: it reads settings and labels, nothing else.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass

from bot.settings import KuberConfig, Team
from bot.settings_alerting import AlertChannel, AlertRoute

PLATFORMS = ("slack", "mattermost")


@dataclass(frozen=True)
class Destination:
    platform: str
    channel: str
    #: The team whose channel it is, when a team's channel was chosen.
    team: str | None = None


def matches(route: AlertRoute, labels: Mapping[str, str]) -> bool:
    """Every label the route names has that value (a route naming none matches all)."""
    return all(labels.get(name) == value for name, value in route.match.items())


def team_channel(team: Team, platforms: Collection[str]) -> Destination | None:
    """The team's channel on a platform Kuber serves; failing that, any channel it names."""
    named = [(p, getattr(team.channels, p)) for p in PLATFORMS if getattr(team.channels, p)]
    for platform, channel in named:
        if platform in platforms:
            return Destination(platform, channel, team.name)
    if named:
        platform, channel = named[0]
        return Destination(platform, channel, team.name)
    return None


def _explicit(channel: AlertChannel, config: KuberConfig) -> Destination:
    team = config.team_for_channel(channel.platform, channel.channel)
    return Destination(channel.platform, channel.channel, team.name if team else None)


def route_for(
    config: KuberConfig, labels: Mapping[str, str], platforms: Collection[str] = PLATFORMS
) -> Destination | None:
    """Where a group with `labels` (its common labels) goes; None when nowhere is configured."""
    for route in config.alerts.routes:
        if not matches(route, labels):
            continue
        if route.channel is not None:
            return _explicit(route.channel, config)
        team = config.team(route.team) if route.team else None
        found = team_channel(team, platforms) if team else None
        if found is not None:
            return found
    named = config.team(labels["team"]) if labels.get("team") else None
    if named is not None and (found := team_channel(named, platforms)) is not None:
        return found
    owners = config.owners(
        app=labels.get("app"), cluster=labels.get("cluster"), namespace=labels.get("namespace")
    )
    # A namespace many teams list says nothing about whose alert it is.
    if len(owners) == 1 and (found := team_channel(owners[0], platforms)) is not None:
        return found
    if config.alerts.default_channel is not None:
        return _explicit(config.alerts.default_channel, config)
    for team in config.teams:
        if (found := team_channel(team, platforms)) is not None:
            return found
    return None
