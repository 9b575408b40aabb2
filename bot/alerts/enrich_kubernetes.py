"""Enrichment from Kubernetes and the audit log: the Deployment an alert names, as an on-call
engineer looks at it first.

Four parts, each on its own: the Deployment's status, its recent warning events, the last log
lines of a failing container, and the app's latest change made through Kuber with a Roll back
button. A part that fails is logged and left out; the others are still shown. The button asks
for the rollback as if typed (a `fill` button, as `diagnose` offers it), so it becomes a plan
with its approval and every check runs for whoever clicks. Nothing here changes anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import TypeVar

from bot.alerts.enrich import Enrichment
from bot.alerts.enrich_target import AlertTarget, alert_target, labels_naming_a_workload
from bot.alerts.markup import Markup
from bot.alerts.render import GroupView, format_duration
from bot.audit_log import Change, recent_changes, target_names
from bot.errors import UserError
from bot.i18n import has, translate
from bot.logs import get_logger
from bot.messages import Button, Field
from bot.settings import KuberConfig
from bot.store import Store
from integrations.kubernetes import (
    DeploymentRef,
    DeploymentState,
    EventInfo,
    KubernetesClusters,
    PodInfo,
)

log = get_logger(__name__)

T = TypeVar("T")

SOURCE = "kubernetes"
#: Log lines shown of a failing container, and the most characters of each.
LOG_LINES = 12
LOG_LINE_WIDTH = 200
#: Warning events shown, and how old one may be to count as recent.
WARNINGS = 3
RECENT_WARNING = timedelta(hours=1)
#: How far back the audit log is read for the app's latest change.
CHANGE_LOOKBACK = timedelta(days=7)
MAX_TEXT = 160
_TROUBLED_EXITS = frozenset({"Error", "OOMKilled", "ContainerCannotRun"})


def best_effort(part: str, group_id: int, read: Callable[[], T]) -> T | None:
    """`read()`, or None when it fails: logged, never raised, so one part never costs another.

    A `UserError` (Kubernetes not configured, no such app or cluster) is what an alert about
    something Kuber does not manage meets: noted, not a warning.
    """
    try:
        return read()
    except UserError as exc:
        log.info("alert enrichment part skipped", part=part, group_id=group_id, reason=str(exc))
    except Exception as exc:
        log.warning("alert enrichment part failed", part=part, group_id=group_id, error=repr(exc))
    return None


def _short(text: str, limit: int = MAX_TEXT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class WorkloadContext:
    """The Deployment an alert group names: status, warnings, logs, the last change."""

    def __init__(
        self,
        config: KuberConfig,
        store: Store,
        clusters: Callable[[], KubernetesClusters],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`clusters` is called when an alert names a Deployment (the client is built on
        first use, and a Kuber without Kubernetes raises `UserError` there)."""
        self.config = config
        self.store = store
        self.clusters = clusters
        self.clock = clock

    def __call__(self, view: GroupView) -> Enrichment | None:
        labels = labels_naming_a_workload(view)
        target = alert_target(labels, self.config) if labels is not None else None
        if target is None:
            return None
        group = view.group_id
        t = view.language
        fields: list[Field] = []
        lines: list[str] = []
        buttons: list[Button] = []
        found = best_effort("status", group, lambda: self._deployment(target))
        where: DeploymentRef | None = None
        if found is not None:
            clusters, ref, state = found
            where = ref
            fields.append(self._status(t, target, state))
            events = best_effort("events", group, lambda: clusters.events(ref, limit=WARNINGS))
            recent = self._recent(events or [])
            if recent:
                fields.append(
                    Field(
                        translate(t, "alert_enrich_field_warnings"),
                        "\n".join(
                            _short(f"{e.reason}: {e.object_name} — {e.message}") for e in recent
                        ),
                    )
                )
            logs = best_effort(
                "logs", group, lambda: self._failing_logs(view, target, clusters, ref)
            )
            if logs:
                lines.append(logs)
        deployment = where.name if where is not None else target.deployment
        change = best_effort("change", group, lambda: self._last_change(target.app, deployment))
        if change is not None:
            fields.append(self._change_field(t, change))
            buttons.append(self._rollback_button(view, target, change, where))
        if not (fields or lines or buttons):
            return None
        return Enrichment(
            SOURCE, text="\n".join(lines) or None, fields=tuple(fields), buttons=tuple(buttons)
        )

    # -- the parts -----------------------------------------------------------------------------
    def _deployment(
        self, target: AlertTarget
    ) -> tuple[KubernetesClusters, DeploymentRef, DeploymentState]:
        clusters = self.clusters()
        names = clusters.names()
        cluster = target.cluster or (names[0] if names else None)
        if cluster is None:
            raise UserError("wl_no_clusters")
        state = clusters.find_deployment(
            cluster, target.namespace, target.app, deployment=target.deployment
        )
        container = target.configured.container_name if target.configured else state.ref.container
        ref = DeploymentRef(cluster, target.namespace, state.ref.name, container)
        if container != state.ref.container:
            state = clusters.get(ref)  # the image shown must be the configured container's
        return clusters, ref, state

    @staticmethod
    def _status(t: str, target: AlertTarget, state: DeploymentState) -> Field:
        ref = state.ref
        value = translate(
            t,
            "alert_enrich_status",
            name=ref.name or target.app,
            where=f"{ref.cluster}/{ref.namespace}",
            ready=state.ready,
            replicas=state.replicas,
            available=state.available,
        )
        if state.image:
            value += f"\n`{state.image.rsplit('/', 1)[-1]}`"
        return Field(translate(t, "alert_enrich_field_deployment"), value)

    def _recent(self, events: list[EventInfo]) -> list[EventInfo]:
        since = self.clock() - RECENT_WARNING
        return [e for e in events if e.last_seen is None or e.last_seen >= since][:WARNINGS]

    def _failing_logs(
        self,
        view: GroupView,
        target: AlertTarget,
        clusters: KubernetesClusters,
        ref: DeploymentRef,
    ) -> str | None:
        """The last lines of the failing container's log (the run that ended, when it
        restarted), under a line saying which pod and why; None when no pod is failing."""
        failing = [p for p in clusters.pods(ref) if _failing(p)]
        if not failing:
            return None
        # The pod the alert names, when it is one of them.
        failing.sort(key=lambda p: p.name != target.pod)
        pod = failing[0]
        entries = clusters.logs(ref, lines=LOG_LINES, pod=pod.name)
        text = entries[0].text if entries else ""
        shown = [line[:LOG_LINE_WIDTH] for line in text.splitlines() if line.strip()][-LOG_LINES:]
        if not shown:
            return None
        reason = pod.reason or pod.last_exit_reason or pod.phase
        why = translate(
            view.language, "alert_enrich_restarts", reason=reason, restarts=pod.restarts
        )
        head = translate(
            view.language, "alert_enrich_logs", pod=Markup(view.platform).bold(pod.name), why=why
        )
        # A ``` in the log would end the block early.
        body = "\n".join(shown).replace("```", "'''")
        return f"{head}\n```\n{body}\n```"

    def _last_change(self, app: str, deployment: str | None) -> Change | None:
        since = self.clock() - CHANGE_LOOKBACK
        changes = recent_changes(
            self.store, since=since, targets=target_names(app, deployment), limit=1
        )
        return changes[0] if changes else None

    def _change_field(self, t: str, change: Change) -> Field:
        outcome_key = f"audit_outcome_{change.outcome}"
        outcome = (
            translate(t, outcome_key, who=change.decided_by or "?")
            if has(outcome_key)
            else change.outcome
        )
        value = translate(
            t,
            "alert_enrich_change",
            who=change.requester,
            text=_short(change.text, 120),
            ago=format_duration(self.clock() - change.at),
            outcome=outcome,
        )
        return Field(translate(t, "alert_enrich_field_change"), value)

    @staticmethod
    def _rollback_button(
        view: GroupView, target: AlertTarget, change: Change, where: DeploymentRef | None
    ) -> Button:
        """`rollback APP` as if typed in the channel, placed where the Deployment was found
        (else where the change was made: its target is cluster/namespace/deployment)."""
        cluster, namespace = target.cluster, target.namespace
        if where is not None:
            cluster, namespace = where.cluster, where.namespace
        else:
            parts = change.target.split("/")
            if len(parts) == 3:
                cluster, namespace = parts[0], parts[1]
        value: dict[str, str] = {
            "intent": "rollback",
            "app": target.app,
            "namespace": namespace,
            "lang": view.language,
            "text": f"rollback {target.app} (from alert {view.name})",
        }
        if cluster:
            value["cluster"] = cluster
        label = translate(view.language, "alert_enrich_button_rollback", app=target.app)
        return Button(label, "fill", json.dumps(value, ensure_ascii=False), style="danger")


def _failing(pod: PodInfo) -> bool:
    """A pod whose app container keeps failing: crash-looping, or restarted after an error."""
    if pod.reason == "CrashLoopBackOff":
        return True
    return pod.restarts > 0 and (not pod.ready or pod.last_exit_reason in _TROUBLED_EXITS)
