"""An alert group as its living message, and its changes as notes for the message's thread.

Pure functions of a `GroupView` (what the store holds, with each alert's status as it is to be
shown, resolves held back already): no database, no clock of its own, no platform call.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta

from bot.alerts.enrich import Enrichment
from bot.alerts.markup import Markup
from bot.i18n import translate
from bot.intents import Language
from bot.messages import Button, Field, Image, Reply

FIRING, RESOLVED = "firing", "resolved"
#: Lines shown in the message; a storm of alerts in one group is summed up after these.
MAX_LINES = 25
#: Labels that differ across a group's alerts shown on each alert's line, at most.
MAX_LABELS = 4
MAX_TEXT = 300
SEVERITY_ORDER = ("critical", "error", "high", "warning", "medium", "low", "info", "none")
SILENCE_CHOICES = ("1h", "4h")
ACK, SILENCE, UNSILENCE = "alert_ack", "alert_silence", "alert_unsilence"


@dataclass(frozen=True)
class AlertView:
    fingerprint: str
    #: As shown: a resolve still held back is shown firing.
    state: str
    labels: Mapping[str, str]
    annotations: Mapping[str, str]
    starts_at: datetime
    ends_at: datetime | None = None
    generator_url: str = ""


@dataclass(frozen=True)
class SilenceView:
    id: str
    by: str
    until: datetime


@dataclass(frozen=True)
class GroupView:
    group_id: int
    platform: str
    receiver: str
    alerts: tuple[AlertView, ...]
    group_labels: Mapping[str, str] = field(default_factory=dict)
    common_labels: Mapping[str, str] = field(default_factory=dict)
    common_annotations: Mapping[str, str] = field(default_factory=dict)
    external_url: str = ""
    started_at: datetime | None = None
    acked_by: str | None = None
    acked_at: datetime | None = None
    silence: SilenceView | None = None
    enrichments: tuple[Enrichment, ...] = ()
    language: Language = "en"

    @property
    def firing(self) -> tuple[AlertView, ...]:
        return tuple(a for a in self.alerts if a.state == FIRING)

    @property
    def resolved(self) -> bool:
        return not self.firing

    @property
    def name(self) -> str:
        """The alert's name: the group's common `alertname`, else the names it holds."""
        common = self.common_labels.get("alertname") or self.group_labels.get("alertname")
        if common:
            return common
        names = sorted({a.labels.get("alertname", "?") for a in self.alerts})
        shown = ", ".join(names[:3])
        return shown + (f" +{len(names) - 3}" if len(names) > 3 else "") if names else "?"

    @property
    def severity(self) -> str | None:
        common = self.common_labels.get("severity")
        if common:
            return common
        found = {a.labels["severity"] for a in self.alerts if a.labels.get("severity")}
        if not found:
            return None
        return min(found, key=lambda s: SEVERITY_ORDER.index(s) if s in SEVERITY_ORDER else 99)


# -- small formats ---------------------------------------------------------------------------
def format_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC")


def format_clock(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%H:%M UTC")


def format_duration(span: timedelta) -> str:
    """`45s`, `12m 5s`, `2h 5m`, `3d 4h`: two units at most, never negative."""
    seconds = max(0, int(span.total_seconds()))
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, secs = divmod(rest, 60)
    units = [(days, "d"), (hours, "h"), (minutes, "m"), (secs, "s")]
    shown = [f"{n}{u}" for n, u in units if n]
    return " ".join(shown[:2]) or "0s"


def _short(text: str, limit: int = MAX_TEXT) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def differing_labels(alerts: Sequence[AlertView]) -> list[str]:
    """Label names whose values are not the same on every alert: what tells them apart."""
    if len(alerts) < 2:
        return []
    names = sorted({name for a in alerts for name in a.labels})
    differing = [n for n in names if len({a.labels.get(n) for a in alerts}) > 1]
    # The alert name first when it differs: it says the most.
    differing.sort(key=lambda n: (n != "alertname", n))
    return differing[:MAX_LABELS]


def alert_line(
    view: GroupView,
    alert: AlertView,
    markup: Markup,
    labels: Sequence[str],
    link: bool,
    *,
    mark_resolved: bool = True,
) -> str:
    """`pod=payment-1 — summary — description [Prometheus]` for one alert."""
    parts = []
    tags = " ".join(f"{n}={alert.labels[n]}" for n in labels if n in alert.labels)
    if tags:
        parts.append(tags)
    # What every alert of the group says is shown once, under the title, not on each line.
    common = view.common_annotations if len(view.alerts) > 1 else {}
    summary = alert.annotations.get("summary") or alert.annotations.get("message")
    description = alert.annotations.get("description")
    if summary and summary != common.get("summary"):
        parts.append(_short(summary))
    if description and description != common.get("description"):
        parts.append(_short(description))
    if not parts:
        parts.append(alert.labels.get("alertname", alert.fingerprint))
    text = " — ".join(parts)
    if link and alert.generator_url:
        text += " " + markup.link(alert.generator_url, "Prometheus")
    if mark_resolved and alert.state == RESOLVED:
        text = "✅ " + text + " " + translate(view.language, "alert_line_resolved")
    return text


def _ordered(alerts: Sequence[AlertView]) -> list[AlertView]:
    return sorted(alerts, key=lambda a: (a.state != FIRING, a.starts_at, a.fingerprint))


def _links(view: GroupView, markup: Markup, per_line_graphs: bool) -> str:
    t = view.language
    links = []
    runbooks = sorted(
        {a.annotations["runbook_url"] for a in view.alerts if a.annotations.get("runbook_url")}
        | (
            {view.common_annotations["runbook_url"]}
            if view.common_annotations.get("runbook_url")
            else set()
        )
    )
    for url in runbooks[:3]:
        links.append(markup.link(url, translate(t, "alert_link_runbook")))
    graphs = {a.generator_url for a in view.alerts if a.generator_url}
    if not per_line_graphs and graphs:
        links.append(markup.link(next(iter(graphs)), "Prometheus"))
    if view.external_url:
        links.append(markup.link(view.external_url.rstrip("/") + "/#/alerts", "Alertmanager"))
    return " · ".join(links)


def render_message(view: GroupView, *, now: datetime) -> Reply:
    """The group's message as it stands: firing with buttons, or resolved without."""
    t = view.language
    markup = Markup(view.platform)
    alerts = _ordered(view.alerts)
    labels = differing_labels(alerts)
    per_line_graphs = len({a.generator_url for a in alerts if a.generator_url}) > 1
    firing = view.firing
    if view.resolved:
        ends = [a.ends_at for a in alerts if a.ends_at is not None]
        end = max(ends) if ends else now
        duration = format_duration(end - view.started_at) if view.started_at else "?"
        head = translate(t, "alert_title_resolved", name=markup.bold(view.name), duration=duration)
    else:
        head = translate(t, "alert_title_firing", name=markup.bold(view.name), count=len(firing))
    if view.severity:
        head += f" · {view.severity}"
    lines = [head]
    if len(alerts) > 1:
        for key in ("summary", "description"):
            if view.common_annotations.get(key):
                lines.append(_short(view.common_annotations[key]))
    for alert in alerts[:MAX_LINES]:
        lines.append("• " + alert_line(view, alert, markup, labels, per_line_graphs))
    if len(alerts) > MAX_LINES:
        lines.append(translate(t, "alert_more", count=len(alerts) - MAX_LINES))
    for block in view.enrichments:
        if block.text:
            lines.append(block.text)

    fields = []
    if view.severity:
        fields.append(Field(translate(t, "alert_field_severity"), view.severity))
    fields.append(
        Field(
            translate(t, "alert_field_firing"),
            translate(t, "alert_firing_of", firing=len(firing), total=len(alerts)),
        )
    )
    if view.started_at is not None:
        fields.append(Field(translate(t, "alert_field_started"), format_time(view.started_at)))
    if view.resolved:
        ends = [a.ends_at for a in alerts if a.ends_at is not None]
        fields.append(
            Field(translate(t, "alert_field_resolved"), format_time(max(ends, default=now)))
        )
    if view.acked_by:
        when = format_clock(view.acked_at) if view.acked_at else "?"
        fields.append(
            Field(
                translate(t, "alert_field_acked"),
                translate(t, "alert_acked_value", who=view.acked_by, when=when),
            )
        )
    if view.silence is not None and not view.resolved:
        fields.append(
            Field(
                translate(t, "alert_field_silenced"),
                translate(
                    t,
                    "alert_silenced_value",
                    who=view.silence.by,
                    until=format_clock(view.silence.until),
                ),
            )
        )
    buttons: list[Button] = []
    for block in view.enrichments:
        fields.extend(block.fields)
        if not view.resolved:
            buttons.extend(block.buttons)
    if not view.resolved:
        buttons = _buttons(view) + buttons
    # Pictures are not part of the message: an edit cannot add files on either platform, and
    # enrichment arrives by edits. `enrichment_images` gives them to post in the thread.
    return Reply(
        text="\n".join(lines),
        fields=tuple(fields),
        buttons=tuple(buttons),
        context=_links(view, markup, per_line_graphs) or None,
        language=t,
        extra={"alert_group": view.group_id},
    )


def _buttons(view: GroupView) -> list[Button]:
    t = view.language
    group = str(view.group_id)
    buttons = []
    if not view.acked_by:
        buttons.append(Button(translate(t, "alert_button_ack"), ACK, group, "primary"))
    if view.silence is None:
        for duration in SILENCE_CHOICES:
            label = translate(t, "alert_button_silence", duration=duration)
            buttons.append(Button(label, SILENCE, f"{group}:{duration}"))
    else:
        buttons.append(Button(translate(t, "alert_button_unsilence"), UNSILENCE, group, "danger"))
    return buttons


def image_digest(image: Image) -> str:
    return hashlib.sha256(image.png).hexdigest()


def enrichment_images(view: GroupView, shown: Collection[str] = ()) -> list[Image]:
    """The enrichments' pictures not posted yet (`shown` holds the digests of those that were)."""
    found: dict[str, Image] = {}
    for block in view.enrichments:
        for image in block.images:
            digest = image_digest(image)
            if digest not in shown:
                found.setdefault(digest, image)
    return list(found.values())


def images_note(view: GroupView, images: Sequence[Image]) -> Reply:
    """A reply for the message's thread carrying `images` (charts an enricher drew)."""
    titles = ", ".join(image.title for image in images)
    text = translate(view.language, "alert_images_note", titles=titles)
    return Reply(text, images=tuple(images), language=view.language)


def reply_digest(reply: Reply) -> str:
    """A fingerprint of what a reply shows, to skip edits that would change nothing."""
    shown = reply.to_json()
    shown["images"] = [hashlib.sha256(i.png).hexdigest() for i in reply.images]
    canonical = json.dumps(shown, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


# -- notes for the thread --------------------------------------------------------------------
@dataclass(frozen=True)
class Shown:
    """What the message showed last, as kept on the group (`AlertGroup.shown`)."""

    alerts: Mapping[str, str] = field(default_factory=dict)
    acked_by: str | None = None
    silence_id: str | None = None
    digest: str | None = None
    #: When the message was last posted or edited (its buttons signed, on Mattermost).
    sent_at: datetime | None = None
    #: Digests of the pictures posted in the message's thread (`image_digest`).
    images: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Mapping[str, object]) -> Shown:
        alerts = data.get("alerts")
        acked, silence, digest = data.get("acked_by"), data.get("silence_id"), data.get("digest")
        sent = data.get("sent_at")
        images = data.get("images")
        return cls(
            alerts={str(k): str(v) for k, v in alerts.items()} if isinstance(alerts, dict) else {},
            acked_by=acked if isinstance(acked, str) else None,
            silence_id=silence if isinstance(silence, str) else None,
            digest=digest if isinstance(digest, str) else None,
            sent_at=datetime.fromisoformat(sent) if isinstance(sent, str) else None,
            images=tuple(str(i) for i in images) if isinstance(images, list) else (),
        )

    def to_json(self) -> dict[str, object]:
        return {
            "alerts": dict(self.alerts),
            "acked_by": self.acked_by,
            "silence_id": self.silence_id,
            "digest": self.digest,
            "sent_at": self.sent_at.isoformat() if self.sent_at else None,
            "images": list(self.images),
        }


def render_notes(
    view: GroupView, before: Shown, *, now: datetime, silence_lifted_by: str | None = None
) -> list[str]:
    """What changed since the message was last shown, one line per change."""
    t = view.language
    markup = Markup(view.platform)
    alerts = _ordered(view.alerts)
    labels = differing_labels(alerts)
    notes = []
    for alert in alerts:
        was = before.alerts.get(alert.fingerprint)
        line = alert_line(view, alert, markup, labels, link=False, mark_resolved=False)
        if alert.state == FIRING and was is None:
            notes.append(translate(t, "alert_note_new", line=line))
        elif alert.state == FIRING and was == RESOLVED:
            notes.append(translate(t, "alert_note_again", line=line))
        elif alert.state == RESOLVED and was == FIRING and not view.resolved:
            notes.append(translate(t, "alert_note_resolved", line=line))
    if view.acked_by and view.acked_by != before.acked_by:
        notes.append(translate(t, "alert_note_acked", who=view.acked_by))
    current = view.silence.id if view.silence else None
    if current and current != before.silence_id and view.silence is not None:
        until = format_clock(view.silence.until)
        notes.append(translate(t, "alert_note_silenced", who=view.silence.by, until=until))
    elif before.silence_id and not current:
        if silence_lifted_by:
            notes.append(translate(t, "alert_note_unsilenced", who=silence_lifted_by))
        else:
            notes.append(translate(t, "alert_note_silence_ended"))
    if view.resolved and any(v == FIRING for v in before.alerts.values()):
        ends = [a.ends_at for a in alerts if a.ends_at is not None]
        end = max(ends) if ends else now
        duration = format_duration(end - view.started_at) if view.started_at else "?"
        notes.append(translate(t, "alert_note_all_resolved", duration=duration))
    return notes
