"""The `alerts` command's answer: what Alertmanager holds active now, the asking team's first.

Asked of Alertmanager itself, not of Kuber's groups: it is the truth about what fires, whether
or not a webhook ever reached Kuber. A team's alerts are those that route to its channel.
"""

from __future__ import annotations

from collections.abc import Collection, Sequence
from datetime import UTC, datetime

from bot.alerts.render import format_duration
from bot.alerts.routing import PLATFORMS, route_for
from bot.alerts.silences import alertmanager_for
from bot.i18n import translate
from bot.intents import Language
from bot.messages import Reply
from bot.settings import KuberConfig, Settings
from integrations.alertmanager import ActiveAlert

#: Alerts listed in one answer; the count says how many there are in all.
MAX_LISTED = 30
#: Labels that tell alerts of one name apart, shown when an alert has them.
TELLING_LABELS = ("namespace", "app", "deployment", "pod", "instance", "service", "job")


def team_first(
    alerts: Sequence[ActiveAlert],
    config: KuberConfig,
    team: str | None,
    platforms: Collection[str] = PLATFORMS,
) -> list[ActiveAlert]:
    """`alerts` with those routed to `team` first, each part by severity, then oldest first."""

    def key(alert: ActiveAlert) -> tuple[int, int, datetime]:
        destination = route_for(config, alert.labels, platforms)
        mine = team is not None and destination is not None and destination.team == team
        severity = alert.labels.get("severity", "")
        rank = {"critical": 0, "error": 1, "warning": 2}.get(severity, 3)
        return (0 if mine else 1, rank, alert.starts_at)

    return sorted(alerts, key=key)


def alerts_reply(
    alerts: Sequence[ActiveAlert], *, language: Language = "en", now: datetime | None = None
) -> Reply:
    if not alerts:
        return Reply(translate(language, "alert_list_none"), language=language)
    now = now or datetime.now(UTC)
    lines = [translate(language, "alert_list_header", count=len(alerts))]
    for alert in alerts[:MAX_LISTED]:
        labels = " ".join(f"{n}={alert.labels[n]}" for n in TELLING_LABELS if n in alert.labels)
        summary = alert.annotations.get("summary") or alert.annotations.get("description") or "-"
        mark = "🔕" if alert.silenced_by else ("🔥" if alert.labels.get("severity") else "•")
        lines.append(
            translate(
                language,
                "alert_list_line",
                mark=mark,
                name=alert.name,
                labels=labels,
                summary=summary,
                since=format_duration(now - alert.starts_at),
            ).replace("  ", " ")
        )
    if len(alerts) > MAX_LISTED:
        lines.append(translate(language, "alert_more", count=len(alerts) - MAX_LISTED))
    return Reply("\n".join(lines), language=language)


def alerts_command(settings: Settings, *, team: str | None, language: Language = "en") -> Reply:
    """`alerts`, whole: the active alerts (silenced ones too, marked), the team's first."""
    client = alertmanager_for(settings)
    active = client.alerts(active=True, silenced=True, inhibited=False)
    return alerts_reply(team_first(active, settings.config, team), language=language)
