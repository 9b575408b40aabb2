"""`diagnose` ("what's wrong with payment?", "payment 왜 안 돼?"): what an on-call engineer
looks at first, in one answer, with the likely cause named when the evidence is clear.

The cause is read from the pods, the warning events and the rollout history, in the order a
person would rule things out: an image that cannot be pulled, a container killed for memory,
a crash loop (with its last error line), pods that cannot be scheduled, and a deploy in the
last hour followed by trouble. Each cause comes with the button that acts on it.

Beside the evidence from the cluster: the alerts Alertmanager holds for the app and the error
budget of its SLOs from Prometheus. Both are extras: without an Alertmanager or a Prometheus
configured they are left out silently, and one that fails is logged and left out.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.alerts.enrich_target import alert_target
from bot.alerts.render import format_duration
from bot.alerts.silences import alertmanager_for
from bot.context import CommandContext
from bot.intents import IntentName
from bot.logs import get_logger
from bot.messages import Button, ButtonStyle, Field, Reply
from bot.registry import command
from bot.settings_alerting import Slo
from commands.targets import Target, resolve
from integrations.alertmanager import ActiveAlert
from integrations.kubernetes import EventInfo, PodInfo, RevisionInfo
from integrations.prometheus import PrometheusClient, prometheus_for
from slo.burn import burn_rate, time_to_exhaustion
from slo.rules import BUDGET_REMAINING_RECORD, ratio_record

log = get_logger(__name__)

#: A deploy this recent, followed by trouble, is the first suspect.
RECENT_DEPLOY = timedelta(hours=1)
_PULL_FAILURES = frozenset({"ImagePullBackOff", "ErrImagePull", "InvalidImageName"})
_ERROR_LINE = re.compile(r"error|exception|fatal|panic|refused|denied", re.IGNORECASE)
#: Alerts listed at most; the rest are counted.
MAX_ALERTS = 5
#: The window whose burn rate stands for "now" (as `slo APP` tells it).
CURRENT_WINDOW = "1h"


@dataclass(frozen=True)
class Cause:
    #: A message key of `bot.i18n` (`diag_cause_*`) and what it names.
    key: str
    params: dict[str, str]
    #: Offer a rollback (the trouble came with the current revision) and/or the logs.
    rollback: bool = False
    logs: bool = False
    #: The deploy in the last hour the trouble followed, when there was one.
    since: dict[str, str] | None = None


def find_cause(
    pods: list[PodInfo],
    events: list[EventInfo],
    revisions: list[RevisionInfo],
    *,
    now: datetime,
    error_line: str | None = None,
) -> Cause | None:
    """The likely cause of an app's trouble, or None when nothing is wrong enough to name."""
    can_roll_back = len(revisions) > 1
    # Only a change counts as a deploy: the first revision is how the app came to be.
    deployed = _recent_deploy(revisions, now) if can_roll_back else None
    since = _since(deployed, now)
    pulling = [p for p in pods if p.reason in _PULL_FAILURES]
    if pulling:
        image = pulling[0].image or "?"
        return Cause("diag_cause_image_pull", {"image": image}, rollback=can_roll_back, since=since)
    oom = [p for p in pods if "OOMKilled" in (p.reason, p.last_exit_reason)]
    if oom:
        return Cause(
            "diag_cause_oom",
            {"pod": oom[0].name, "restarts": str(oom[0].restarts)},
            rollback=deployed is not None,
            logs=True,
            since=since,
        )
    crashing = [p for p in pods if p.reason == "CrashLoopBackOff"]
    if crashing:
        return Cause(
            "diag_cause_crash_loop",
            {
                "pod": crashing[0].name,
                "restarts": str(crashing[0].restarts),
                "line": error_line or "-",
            },
            rollback=deployed is not None,
            logs=True,
            since=since,
        )
    unschedulable = [e for e in events if e.reason == "FailedScheduling"]
    pending = [p for p in pods if p.phase == "Pending" and not p.ready]
    if unschedulable and pending:
        return Cause("diag_cause_unschedulable", {"message": unschedulable[0].message})
    troubled = [p for p in pods if not p.ready or p.restarts > 0 or p.reason]
    if since is not None and troubled:
        return Cause("diag_cause_recent_deploy", since, rollback=True, logs=True)
    return None


def _since(deployed: tuple[RevisionInfo, datetime] | None, now: datetime) -> dict[str, str] | None:
    """What names the recent deploy in a message: its revision, image and age in minutes."""
    if deployed is None:
        return None
    revision, at = deployed
    minutes = max(1, int((now - at) / timedelta(minutes=1)))
    return {"revision": str(revision.number), "image": _tag(revision), "minutes": str(minutes)}


def _recent_deploy(
    revisions: list[RevisionInfo], now: datetime
) -> tuple[RevisionInfo, datetime] | None:
    current = next((r for r in revisions if r.current), None)
    if current is None or current.created is None:
        return None
    if now - current.created > RECENT_DEPLOY:
        return None
    return current, current.created


def _tag(revision: RevisionInfo) -> str:
    return ", ".join(i.rsplit("/", 1)[-1] for i in revision.images) or "?"


def last_error_line(text: str) -> str | None:
    """The last line of a log that reads like an error (what a person would quote)."""
    for line in reversed(text.splitlines()):
        if _ERROR_LINE.search(line):
            return line.strip()[:300]
    return None


@command(
    IntentName.DIAGNOSE,
    group="workloads",
    summary_en="Find out what is wrong with an app: pods, warnings, logs, the last deploy",
    summary_ko="앱에 무슨 문제가 있는지 찾기: 파드, 경고, 로그, 최근 배포",
    examples_en=("what's wrong with payment?", "why is cart failing"),
    examples_ko=("payment 왜 안 돼?",),
)
def diagnose(
    ctx: CommandContext,
    *,
    app: str,
    namespace: str | None = None,
    cluster: str | None = None,
) -> Reply:
    target = resolve(ctx, app, namespace, cluster)
    clusters = ctx.services.kubernetes
    pods = clusters.pods(target.ref)
    events = clusters.events(target.ref, warnings_only=True, limit=5)
    revisions = clusters.history(target.ref)
    error_line = None
    if any(p.reason == "CrashLoopBackOff" or p.restarts for p in pods):
        entries = clusters.logs(target.ref, lines=30, max_pods=1)
        error_line = last_error_line(entries[0].text) if entries else None
    now = datetime.now(UTC)
    cause = find_cause(pods, events, revisions, now=now, error_line=error_line)
    alerts = firing_alerts(ctx, target)
    extra = [*_alerts_field(ctx, alerts, now), *_budget_field(ctx, target)]
    return _answer(ctx, target, cause, pods, events, extra=extra, alerting=bool(alerts))


# -- what fires and what the budget says --------------------------------------------------------
def alert_is_about(ctx: CommandContext, target: Target, labels: dict[str, str]) -> bool:
    """Does an alert with `labels` concern `target`: it names the app (or its Deployment, or one
    of its pods), and no other namespace or cluster than the target's."""
    named = alert_target(labels, ctx.settings.config)
    if named is None or (target.app != named.app and target.ref.name != named.deployment):
        return False
    if labels.get("namespace") and labels["namespace"] != target.ref.namespace:
        return False
    return not labels.get("cluster") or labels["cluster"] == target.ref.cluster


def firing_alerts(ctx: CommandContext, target: Target) -> list[ActiveAlert]:
    """The alerts Alertmanager holds for the app now (silenced ones too); none when Kuber has
    no Alertmanager or it does not answer."""
    if not ctx.settings.env.alertmanager_url:
        return []
    try:
        active = alertmanager_for(ctx.settings).alerts(active=True, silenced=True)
    except Exception as exc:  # an extra: the diagnosis stands without it
        log.warning("diagnose: alerts left out", app=target.app, error=repr(exc))
        return []
    mine = [a for a in active if alert_is_about(ctx, target, a.labels)]
    rank = {"critical": 0, "page": 0, "error": 1, "warning": 2, "ticket": 2}
    return sorted(mine, key=lambda a: (rank.get(a.labels.get("severity", ""), 3), a.starts_at))


def _alerts_field(ctx: CommandContext, alerts: list[ActiveAlert], now: datetime) -> list[Field]:
    if not alerts:
        return []
    lines = []
    for alert in alerts[:MAX_ALERTS]:
        severity = alert.labels.get("severity")
        summary = alert.annotations.get("summary") or alert.annotations.get("description")
        lines.append(
            ctx.t(
                "diag_alert_line",
                mark="🔕" if alert.silenced_by else "🔥",
                name=alert.name + (f" ({severity})" if severity else ""),
                summary=" ".join((summary or "-").split())[:160],
                since=format_duration(now - alert.starts_at),
            )
        )
    if len(alerts) > MAX_ALERTS:
        lines.append(ctx.t("diag_alerts_more", count=len(alerts) - MAX_ALERTS))
    return [Field(ctx.t("diag_field_alerts", count=len(alerts)), "\n".join(lines))]


def _budget_field(ctx: CommandContext, target: Target) -> list[Field]:
    """The error budget left of each SLO of the app, with the last hour's burn and when the
    budget runs out at it; none without a Prometheus, or when it does not answer."""
    slos = [s for s in ctx.settings.config.slos if s.app == target.app]
    if not slos or not ctx.settings.env.prometheus_url:
        return []
    lines = []
    for slo in slos:
        try:
            lines.append(_budget_line(ctx, prometheus_for(ctx.settings), slo))
        except Exception as exc:  # an extra: the diagnosis stands without it
            log.warning("diagnose: SLO budget left out", slo=slo.name, error=repr(exc))
    return [Field(ctx.t("diag_field_budget"), "\n".join(lines))] if lines else []


def _budget_line(ctx: CommandContext, prometheus: PrometheusClient, slo: Slo) -> str:
    selector = f'{{slo="{slo.name}"}}'

    def value(expr: str) -> float:
        samples = prometheus.query(expr)
        return samples[0].value if samples else math.nan

    left = value(BUDGET_REMAINING_RECORD + selector)
    rate = burn_rate(value(ratio_record(CURRENT_WINDOW) + selector), slo.objective)
    lasts = time_to_exhaustion(left, rate, timedelta(days=slo.period_days))
    if lasts is None:
        when = ctx.t("diag_budget_lasts")
    elif lasts <= timedelta(0):
        when = ctx.t("diag_budget_spent")
    else:
        when = ctx.t("diag_budget_runs_out", duration=format_duration(lasts))
    return ctx.t(
        "diag_budget_line",
        slo=slo.name,
        left="?" if math.isnan(left) else f"{left * 100:.1f}%",
        rate="?" if math.isnan(rate) else f"{rate:.1f}×",
        when=when,
    )


def _answer(
    ctx: CommandContext,
    target: Target,
    cause: Cause | None,
    pods: list[PodInfo],
    events: list[EventInfo],
    *,
    extra: list[Field] | None = None,
    alerting: bool = False,
) -> Reply:
    state = target.state
    fields = [
        Field(
            ctx.t("diag_field_pods"),
            ctx.t(
                "diag_pods", ready=state.ready, replicas=state.replicas, available=state.available
            ),
        )
    ]
    if events:
        fields.append(
            Field(
                ctx.t("wl_field_warnings"),
                "\n".join(f"{e.reason}: {e.object_name} — {e.message}" for e in events[:3]),
            )
        )
    fields.extend(extra or ())
    if cause is None:
        healthy = state.available >= state.replicas and not any(p.reason for p in pods)
        key = "diag_healthy" if healthy else "diag_unclear"
        if healthy and alerting:
            key = "diag_alerting"
        return Reply(
            ctx.t(key, app=target.app, where=target.where),
            fields=tuple(fields),
            language=ctx.language,
        )
    buttons: list[Button] = []
    if cause.rollback:
        buttons.append(
            _run_button(ctx, ctx.t("diag_button_rollback"), "rollback", target, "danger")
        )
    if cause.logs:
        buttons.append(_run_button(ctx, ctx.t("diag_button_logs"), "logs", target, "default"))
    lines = [
        ctx.t("diag_title", app=target.app, where=target.where),
        ctx.t(cause.key, **cause.params),
    ]
    if cause.since is not None and cause.key != "diag_cause_recent_deploy":
        lines.append(ctx.t("diag_since_deploy", **cause.since))
    return Reply(
        "\n".join(lines),
        fields=tuple(fields),
        buttons=tuple(buttons),
        language=ctx.language,
    )


def _run_button(
    ctx: CommandContext, label: str, intent: str, target: Target, style: ButtonStyle
) -> Button:
    """A button that asks for `intent` on this app, as if typed: the rollback still becomes a
    plan with its own approval, and every check runs for whoever clicks."""
    value = {
        "intent": intent,
        "app": target.app,
        "namespace": target.ref.namespace,
        "cluster": target.ref.cluster,
        "lang": ctx.language,
        "text": f"{intent} {target.app} (from diagnose)",
    }
    return Button(label, "fill", json.dumps(value, ensure_ascii=False), style=style)
