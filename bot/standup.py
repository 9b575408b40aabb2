"""The stand-up digest: a team's day in one message, the sprint beside the operations.

`build_digest(settings, store, services, team=...)` returns one `Reply` (fields and the
burndown chart) for the chat command `standup` and for a scheduler to post. It is assembled
from sections: the core's own are read from Kuber's records (the changes made through Kuber
in the last day, from the audit log; the team's alerts fired and resolved; the error budgets
of its SLOs, best effort); the sprint's is registered by the agile command module with
`@digest_section`, since the core may not import the `sprint` domain. A section that fails
says so in its field; the digest is still built. Nothing here posts or schedules.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from sqlalchemy import and_, or_
from sqlmodel import col, select

from bot.alerts.enrich_slo import BUDGET_REMAINING_RECORD, percent
from bot.audit_log import Change, recent_changes, target_names
from bot.errors import KuberError, UserError
from bot.i18n import translate
from bot.intents import Language
from bot.logs import get_logger
from bot.messages import Field, Image, Reply
from bot.registry import load_commands
from bot.services import Services
from bot.settings import Settings, Team
from bot.store import Store
from bot.store.alert_tables import AlertGroup, AlertInstance
from integrations.prometheus import prometheus_for

log = get_logger(__name__)

#: How far back a digest looks when not told since when (the last digest).
DEFAULT_SPAN = timedelta(hours=24)
#: Lines one field lists before "… and N more": a chat section holds about 3,000 characters.
MAX_LINES = 12
MAX_FIELD_CHARS = 2800
#: How each change ended, as the audit log says, and the mark it is shown with.
OUTCOME_MARKS = {
    "executed": "✅",
    "failed": "❌",
    "cancelled": "⏹",
    "expired": "⌛",
    "approved": "▶️",
    "planned": "⏳",
}


@dataclass(frozen=True)
class DigestRequest:
    """What a section is asked for: one team's digest, looking back to `since`."""

    settings: Settings
    store: Store
    services: Services
    team: Team
    since: datetime
    now: datetime
    language: Language

    def t(self, key: str, /, **params: object) -> str:
        return translate(self.language, key, **params)

    @property
    def zone(self) -> ZoneInfo:
        standup = self.team.standup
        return ZoneInfo(standup.timezone if standup else "UTC")

    def clock(self, moment: datetime) -> str:
        """`09:12`, or `Mon 18:40` for a moment before today, in the team's time zone."""
        local = moment.astimezone(self.zone)
        if local.date() == self.now.astimezone(self.zone).date():
            return local.strftime("%H:%M")
        return local.strftime("%a %H:%M")


@dataclass(frozen=True)
class DigestPart:
    """What a section adds: fields, pictures, and lines under the digest's title."""

    fields: tuple[Field, ...] = ()
    images: tuple[Image, ...] = ()
    headline: tuple[str, ...] = ()


DigestSection = Callable[[DigestRequest], DigestPart | None]


@dataclass(frozen=True)
class _Section:
    name: str
    order: int
    #: The message key of the section's title, for the field that says it failed.
    title: str
    build: DigestSection


_sections: dict[str, _Section] = {}


def digest_section(
    name: str, *, order: int, title: str
) -> Callable[[DigestSection], DigestSection]:
    """Register a section of the digest; sections are shown by `order` (the sprint 10,
    operations 50, alerts 60, SLOs 70). `title` is the message key of its title."""

    def register(build: DigestSection) -> DigestSection:
        known = _sections.get(name)
        if known is not None and known.build is not build:
            raise ValueError(f"a digest section {name!r} is registered already")
        _sections[name] = _Section(name, order, title, build)
        return build

    return register


def build_digest(
    settings: Settings,
    store: Store,
    services: Services,
    *,
    team: str,
    now: datetime | None = None,
    since: datetime | None = None,
    language: Language = "en",
) -> Reply:
    """The digest of `team` for the moment `now`, covering what happened since `since`
    (default: the last 24 hours)."""
    load_commands()  # the sprint's section comes with the agile command module
    found = settings.config.team(team)
    if found is None:
        names = ", ".join(t.name for t in settings.config.teams) or "-"
        raise UserError("standup_team_unknown", team=team, teams=names)
    now = now or datetime.now(UTC)
    request = DigestRequest(
        settings=settings,
        store=store,
        services=services,
        team=found,
        since=since or now - DEFAULT_SPAN,
        now=now,
        language=language,
    )
    fields: list[Field] = []
    images: list[Image] = []
    headline: list[str] = []
    for section in sorted(_sections.values(), key=lambda s: (s.order, s.name)):
        part = _run(section, request)
        if part is None:
            continue
        fields.extend(part.fields)
        images.extend(part.images)
        headline.extend(part.headline)
    local = now.astimezone(request.zone)
    title = request.t("standup_title", team=found.name, date=local.strftime("%a %Y-%m-%d"))
    return Reply(
        "\n".join([title, *headline]),
        fields=tuple(fields),
        images=tuple(images),
        context=request.t("standup_context", since=request.clock(request.since)),
        language=language,
        extra={
            "digest": {
                "team": found.name,
                "since": request.since.isoformat(),
                "now": now.isoformat(),
                "sections": [f.label for f in fields],
            }
        },
    )


def _run(section: _Section, request: DigestRequest) -> DigestPart | None:
    try:
        return section.build(request)
    except KuberError as exc:
        log.warning("a digest section failed", section=section.name, error=str(exc))
        reason = request.t(exc.key, **exc.params)
    except Exception:  # a bug of ours: the rest of the digest still goes out
        log.exception("a digest section crashed", section=section.name)
        reason = request.t("standup_section_crashed")
    return DigestPart(fields=(Field(request.t(section.title), reason),))


def bounded(lines: Sequence[str], request: DigestRequest, limit: int = MAX_LINES) -> str:
    """Lines for one field: at most `limit`, then "… and N more", within a chat's limits."""
    shown = list(lines[:limit])
    if len(lines) > limit:
        shown.append(request.t("standup_more", count=len(lines) - limit))
    text = "\n".join(shown)
    return text if len(text) <= MAX_FIELD_CHARS else text[: MAX_FIELD_CHARS - 1] + "…"


# -- operations: the changes made through Kuber ----------------------------------------------
def team_targets(settings: Settings, team: Team) -> list[str]:
    """What the audit log's targets end with for the team's apps: their Deployments and the
    Jenkins jobs that build and deploy them."""
    names: list[str] = []
    for app in settings.config.apps:
        if app.team != team.name:
            continue
        names.extend(target_names(app.name, app.deployment_name))
        # `deploy_job` came later than `jenkins_job`; read it where the settings have it.
        for job in (app.jenkins_job, getattr(app, "deploy_job", None)):
            if job:
                names.append(str(job))
    return list(dict.fromkeys(names))


@digest_section("operations", order=50, title="standup_ops")
def operations(request: DigestRequest) -> DigestPart:
    targets = team_targets(request.settings, request.team)
    changes = recent_changes(request.store, since=request.since, targets=targets, limit=50)
    title = request.t("standup_ops")
    if not changes:
        return DigestPart(fields=(Field(title, request.t("standup_ops_none")),))
    done = sum(1 for c in changes if c.outcome == "executed")
    failed = sum(1 for c in changes if c.outcome == "failed")
    summary = request.t("standup_ops_summary", count=len(changes), done=done, failed=failed)
    lines = [summary, *(_change_line(c, request) for c in reversed(changes))]
    return DigestPart(fields=(Field(title, bounded(lines, request, MAX_LINES + 1)),))


def _change_line(change: Change, request: DigestRequest) -> str:
    mark = OUTCOME_MARKS.get(change.outcome, "•")
    outcome = request.t(f"standup_outcome_{change.outcome}")
    if outcome.startswith("standup_outcome_"):
        outcome = change.outcome
    who = change.requester
    if change.decided_by and change.decided_by != change.requester:
        who = request.t("standup_ops_approved_by", requester=who, approver=change.decided_by)
    return f"{mark} {request.clock(change.at)} {change.intent} {change.target} · {who} · {outcome}"


# -- alerts: fired and resolved ----------------------------------------------------------------
@digest_section("alerts", order=60, title="standup_alerts")
def alerts(request: DigestRequest) -> DigestPart:
    since = request.since
    channels = [
        and_(col(AlertGroup.platform) == platform, col(AlertGroup.channel) == channel)
        for platform in ("slack", "mattermost")
        if (channel := getattr(request.team.channels, platform))
    ]
    instances: list[AlertInstance] = []
    if channels:
        with request.store.session() as session:
            instances = list(
                session.exec(
                    select(AlertInstance)
                    .join(AlertGroup, col(AlertGroup.id) == col(AlertInstance.group_id))
                    .where(or_(*channels))
                    .where(
                        or_(
                            col(AlertInstance.starts_at) >= since,
                            col(AlertInstance.status) == "firing",
                            col(AlertInstance.ends_at) >= since,
                        )
                    )
                    .order_by(col(AlertInstance.starts_at))
                )
            )
    title = request.t("standup_alerts")
    fired = [i for i in instances if _aware(i.starts_at) >= since]
    resolved = [i for i in instances if i.status == "resolved" and _ends(i) >= since]
    firing = [i for i in instances if i.status == "firing"]
    if not fired and not resolved and not firing:
        return DigestPart(fields=(Field(title, request.t("standup_alerts_none")),))
    summary = request.t(
        "standup_alerts_summary", fired=len(fired), resolved=len(resolved), firing=len(firing)
    )
    lines = [summary, *(_alert_line(i, request) for i in instances)]
    return DigestPart(fields=(Field(title, bounded(lines, request, MAX_LINES + 1)),))


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _ends(instance: AlertInstance) -> datetime:
    return _aware(instance.ends_at) if instance.ends_at else datetime.min.replace(tzinfo=UTC)


def _alert_line(instance: AlertInstance, request: DigestRequest) -> str:
    labels = instance.labels
    name = str(labels.get("alertname") or "?")
    about = next(
        (str(labels[k]) for k in ("app", "service", "deployment", "job") if labels.get(k)), None
    )
    shown = f"{name} · {about}" if about else name
    started = request.clock(_aware(instance.starts_at))
    if instance.status == "firing":
        return "🔴 " + request.t("standup_alert_firing", alert=shown, since=started)
    ended = request.clock(_ends(instance))
    return "✅ " + request.t("standup_alert_resolved", alert=shown, start=started, end=ended)


# -- SLOs: error budgets, best effort ------------------------------------------------------
@digest_section("slo", order=70, title="standup_slo")
def error_budgets(request: DigestRequest) -> DigestPart | None:
    config = request.settings.config
    slos = [
        slo
        for slo in config.slos
        if (app := config.app(slo.app)) is not None and app.team == request.team.name
    ]
    if not slos:
        return None
    title = request.t("standup_slo")
    if not request.settings.env.prometheus_url:
        return DigestPart(fields=(Field(title, request.t("standup_slo_no_prometheus")),))
    client = prometheus_for(request.settings)
    lines = []
    for slo in slos:
        escaped = slo.name.replace("\\", "\\\\").replace('"', '\\"')
        try:
            samples = client.query(f'{BUDGET_REMAINING_RECORD}{{slo="{escaped}"}}')
        except KuberError as exc:
            reason = request.t(exc.key, **exc.params)
            lines.append(request.t("standup_slo_unreadable", slo=slo.name, reason=reason))
            break
        left = samples[0].value if samples else math.nan
        if math.isnan(left):
            lines.append(request.t("standup_slo_no_data", slo=slo.name))
            continue
        mark = "🔴" if left <= 0 else "🟡" if left < 0.25 else "🟢"
        lines.append(
            f"{mark} "
            + request.t("standup_slo_left", slo=slo.name, left=percent(left), days=slo.period_days)
        )
    return DigestPart(fields=(Field(title, bounded(lines, request)),))
