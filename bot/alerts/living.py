"""Living messages: one chat message per alert group and episode, edited as the group changes.

Only the leader renders (`render_pending`, called by the pipeline's worker). It takes groups
whose `version` moved past what was rendered (a delivery applied, a click recorded, an
enrichment stored) or whose `render_after` came (a held resolve ended, a silence ran out),
and queues through the outbox: the message the first
time, then an edit of it by its ref plus a note in its thread saying what changed. A resolve is
shown only after `hold_seconds` (a re-fire within them cancels it); when every alert is
resolved the message says so and for how long it fired, and the episode ends: the next firing
opens a new message, enriched afresh. Pictures an enricher draws go in the thread, once each
(an edit cannot carry files). Everything it queues is named after the render (`work_scope`),
so a render repeated after a crash queues nothing twice. It calls no platform itself.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from typing import Any, Protocol

from sqlalchemy import and_, or_, update
from sqlmodel import col, select

from bot.alerts.enrich import Enricher, enrichments_of, run_enrichers
from bot.alerts.render import (
    FIRING,
    RESOLVED,
    AlertView,
    GroupView,
    Shown,
    SilenceView,
    enrichment_images,
    image_digest,
    images_note,
    render_message,
    render_notes,
    reply_digest,
)
from bot.intents import Language
from bot.logs import get_logger
from bot.messages import Reply
from bot.store import Store
from bot.store.alert_tables import AlertGroup, AlertInstance
from bot.store.clock import database_now
from bot.work_scope import work_scope

log = get_logger(__name__)

Submit = Callable[[Callable[[], None]], None]
#: Groups rendered per pass, at most.
BATCH = 50
#: A group whose render failed is left alone this long before it is tried again.
RETRY_AFTER = 30.0


class MessageQueue(Protocol):
    """The part of the outbox the renderer uses: posts and edits, queued by ref."""

    def enqueue_post(
        self, platform: str, channel: str, thread: str | None, reply: Reply
    ) -> str: ...

    def enqueue_edit(self, ref: str, reply: Reply) -> None: ...


def _str_map(data: dict[str, object]) -> dict[str, str]:
    return {str(k): str(v) for k, v in data.items()}


class LivingMessages:
    def __init__(
        self,
        store: Store,
        messages: MessageQueue,
        *,
        hold_seconds: float,
        enrichers: Sequence[Enricher] = (),
        submit: Submit | None = None,
        language: Language = "en",
        refresh_after: Mapping[str, float] | None = None,
    ) -> None:
        """`refresh_after` (seconds, by platform): an open message is edited again after
        that long even when nothing changed, so buttons whose signature ages out (Mattermost
        refuses a button context older than the approval window) are signed anew."""
        self.store = store
        self.messages = messages
        self.hold = timedelta(seconds=hold_seconds)
        self.enrichers = tuple(enrichers)
        self.submit = submit or (lambda work: work())
        self.language: Language = language
        self.refresh_after = {p: timedelta(seconds=s) for p, s in (refresh_after or {}).items()}
        self._failed_until: dict[int, float] = {}

    # -- rendering ---------------------------------------------------------------------------
    def render_pending(self, limit: int = BATCH) -> int:
        """Render the groups that have something new to show; how many were rendered."""
        with self.store.session() as session:
            now = database_now(session)
            ids = session.exec(
                select(AlertGroup.id)
                .where(
                    or_(
                        col(AlertGroup.version) != col(AlertGroup.rendered_version),
                        and_(
                            col(AlertGroup.render_after).is_not(None),
                            col(AlertGroup.render_after) <= now,
                        ),
                    )
                )
                .order_by(col(AlertGroup.id))
                .limit(limit)
            ).all()
        rendered = 0
        for group_id in ids:
            if group_id is None or self._failed_until.get(group_id, 0.0) > time.monotonic():
                continue
            try:
                self.render(group_id)
                self._failed_until.pop(group_id, None)
                rendered += 1
            except Exception:
                log.exception("alert group could not be rendered", group_id=group_id)
                self._failed_until[group_id] = time.monotonic() + RETRY_AFTER
        return rendered

    def render(self, group_id: int) -> None:
        """Bring group `group_id`'s message up to date with the store."""
        with self.store.session() as session:
            now = database_now(session)
            group = session.get(AlertGroup, group_id)
            if group is None:
                return
            instances = list(
                session.exec(select(AlertInstance).where(col(AlertInstance.group_id) == group_id))
            )
        seq, version = group.render_seq, group.version
        if group.platform is None or group.channel is None:
            log.warning("alert group routed nowhere; configure alerts.routes", group_id=group_id)
            self._record(group_id, seq, version, None, {})
            return
        shown = Shown.from_json(group.shown) if group.message_ref else Shown()
        alerts, wake_at = self._alerts_as_shown(instances, shown, now)
        silence = None
        if group.silence_id and group.silenced_until and group.silenced_until > now:
            silence = SilenceView(group.silence_id, group.silenced_by or "?", group.silenced_until)
            wake_at = min(wake_at or group.silenced_until, group.silenced_until)
        refresh = self.refresh_after.get(group.platform)
        if group.message_ref is not None and refresh is not None:
            due = (shown.sent_at or now) + refresh
            wake_at = due if wake_at is None else min(wake_at, due)
        firing = [a for a in alerts if a.state == FIRING]
        started = [a.starts_at for a in firing]
        if group.started_at is not None:
            started.append(group.started_at)
        view = GroupView(
            group_id=group_id,
            platform=group.platform,
            receiver=group.receiver,
            alerts=tuple(alerts),
            group_labels=_str_map(group.group_labels),
            common_labels=_str_map(group.common_labels),
            common_annotations=_str_map(group.common_annotations),
            external_url=group.external_url or "",
            started_at=min(started) if started else None,
            acked_by=group.acked_by,
            acked_at=group.acked_at,
            silence=silence,
            enrichments=enrichments_of(group.enrichment),
            language=self.language,
        )
        values: dict[str, Any] = {}
        if silence is None and (group.silence_id or group.silenced_by):
            values |= {"silence_id": None, "silenced_by": None, "silenced_until": None}
        if group.message_ref is None:
            if firing:
                values |= self._open(group, view, now)
                if refresh is not None:
                    wake_at = now + refresh if wake_at is None else min(wake_at, now + refresh)
                if self.enrichers:
                    self.submit(partial(self._enrich, group_id, group.episode, view))
            self._record(group_id, seq, version, wake_at, values)
            return
        values |= self._update(group, view, shown, now, seq, version)
        self._record(group_id, seq, version, wake_at, values)

    def _enrich(self, group_id: int, episode: int, view: GroupView) -> None:
        run_enrichers(self.store, group_id, view, self.enrichers, episode=episode)

    def _alerts_as_shown(
        self, instances: Sequence[AlertInstance], shown: Shown, now: datetime
    ) -> tuple[list[AlertView], datetime | None]:
        """The episode's alerts, each as it is to be shown now, and when that next changes.

        A resolve of an alert the message shows firing is held back for `hold`; an alert the
        message never showed is left out once resolved (an earlier episode's, or one that came
        and went before it was ever shown).
        """
        views = []
        wake_at: datetime | None = None
        for instance in instances:
            was = shown.alerts.get(instance.fingerprint)
            state = instance.status
            if instance.status == RESOLVED:
                seen = instance.resolved_seen_at or now
                if was == FIRING and now < seen + self.hold:
                    state = FIRING
                    until = seen + self.hold
                    wake_at = until if wake_at is None else min(wake_at, until)
                elif was is None:
                    continue
            views.append(
                AlertView(
                    fingerprint=instance.fingerprint,
                    state=state,
                    labels=_str_map(instance.labels),
                    annotations=_str_map(instance.annotations),
                    starts_at=instance.starts_at,
                    ends_at=instance.ends_at if state == RESOLVED else None,
                    generator_url=instance.generator_url or "",
                )
            )
        return views, wake_at

    def _open(self, group: AlertGroup, view: GroupView, now: datetime) -> dict[str, Any]:
        """Post the episode's message; named after the group and episode, so it is posted
        once however often this runs."""
        assert group.platform is not None
        assert group.channel is not None
        reply = render_message(view, now=now)
        images = enrichment_images(view)
        with work_scope(f"alert-message:{group.id}:{group.episode}"):
            ref = self.messages.enqueue_post(group.platform, group.channel, None, reply)
            if images:
                note = images_note(view, images)
                self.messages.enqueue_post(group.platform, group.channel, ref, note)
        log.info("alert message opened", group_id=group.id, episode=group.episode, ref=ref)
        return {
            "message_ref": ref,
            "opened_at": now,
            "started_at": view.started_at,
            "shown": self._shown(view, reply, now, images=[image_digest(i) for i in images]),
        }

    def _update(
        self,
        group: AlertGroup,
        view: GroupView,
        shown: Shown,
        now: datetime,
        seq: int,
        version: int,
    ) -> dict[str, Any]:
        """Edit the message and note the changes in its thread; end the episode when every
        alert is resolved."""
        assert group.platform is not None
        assert group.channel is not None
        assert group.message_ref is not None
        reply = render_message(view, now=now)
        lifted_by = group.silenced_by if group.silence_id is None else None
        notes = render_notes(view, shown, now=now, silence_lifted_by=lifted_by)
        ref = group.message_ref
        values: dict[str, Any] = {}
        refresh = self.refresh_after.get(group.platform)
        stale = refresh is not None and (shown.sent_at is None or now >= shown.sent_at + refresh)
        edit = stale or reply_digest(reply) != shown.digest
        # Pictures an enricher added since: posted in the thread, as an edit cannot carry them.
        images = [] if view.resolved else enrichment_images(view, shown.images)
        with work_scope(f"alert-render:{group.id}:{seq}:{version}"):
            if edit:
                try:
                    self.messages.enqueue_edit(ref, reply)
                except LookupError:
                    # Its post is gone from the outbox (retention): show the group anew.
                    ref = self.messages.enqueue_post(group.platform, group.channel, None, reply)
                    values["message_ref"] = ref
            if notes:
                note = Reply("\n".join(notes), language=view.language)
                self.messages.enqueue_post(group.platform, group.channel, ref, note)
            if images:
                pictures = images_note(view, images)
                self.messages.enqueue_post(group.platform, group.channel, ref, pictures)
        if view.resolved:
            log.info("alert group resolved", group_id=group.id, episode=group.episode)
            return {
                "message_ref": None,
                "opened_at": None,
                "started_at": None,
                "shown": {},
                "acked_by": None,
                "acked_at": None,
                "episode": group.episode + 1,
                # What was found about this episode would be stale news in the next one.
                "enrichment": {},
            }
        sent_at = now if edit else shown.sent_at
        posted = (*shown.images, *(image_digest(i) for i in images))
        return values | {
            "started_at": view.started_at,
            "shown": self._shown(view, reply, sent_at, images=posted),
        }

    @staticmethod
    def _shown(
        view: GroupView, reply: Reply, sent_at: datetime | None, *, images: Sequence[str] = ()
    ) -> dict[str, object]:
        return Shown(
            alerts={a.fingerprint: a.state for a in view.alerts},
            acked_by=view.acked_by,
            silence_id=view.silence.id if view.silence else None,
            digest=reply_digest(reply),
            sent_at=sent_at,
            images=tuple(images),
        ).to_json()

    def _record(
        self,
        group_id: int,
        seq: int,
        version: int,
        wake_at: datetime | None,
        values: dict[str, Any],
    ) -> None:
        """Record the render, unless another renderer recorded one since (`render_seq`)."""
        with self.store.session() as session:
            recorded = session.exec(
                update(AlertGroup)
                .where(col(AlertGroup.id) == group_id)
                .where(col(AlertGroup.render_seq) == seq)
                .values(
                    rendered_version=version,
                    render_seq=seq + 1,
                    render_after=wake_at,
                    **values,
                )
            )
            if not recorded.rowcount:
                log.warning("alert group rendered elsewhere meanwhile", group_id=group_id)
