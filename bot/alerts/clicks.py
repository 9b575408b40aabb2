"""The buttons of an alert message: Acknowledge, Silence 1h / 4h, Unsilence.

Clicks arrive as every click does (verified by the chat adapter, stored by the inbox, run by a
worker) and the dispatcher hands those named `alert_*` here. A click records what it did on
the group and bumps its version; the leader's renderer then edits the message and notes the
change in its thread. Silences are Alertmanager's own, made and expired through its API.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any, Protocol

from sqlalchemy import update
from sqlmodel import col, select

from bot.alerts.render import ACK, SILENCE, SILENCE_CHOICES, UNSILENCE, format_clock
from bot.alerts.silences import (
    SilenceApi,
    alertmanager_for,
    label_matchers,
    make_silence,
    parse_duration,
)
from bot.audit import Attempt
from bot.conversation import Conversation
from bot.errors import KuberError, UserError
from bot.i18n import translate
from bot.logs import get_logger
from bot.messages import Reply
from bot.settings import KuberConfig, Person, Settings
from bot.store import Store
from bot.store.alert_tables import AlertGroup, AlertInstance
from bot.store.tables import OutboxMessage
from bot.work_scope import current_key

if TYPE_CHECKING:
    from bot.dispatch import ActionClick

log = get_logger(__name__)

PREFIX = "alert_"
#: How the audit log names each button's action.
AUDIT_INTENTS = {ACK: "acknowledge", SILENCE: "silence", UNSILENCE: "unsilence"}
#: The least role, in the team whose channel shows the alert, that may silence it.
SILENCER_ROLES = ("operator", "deployer", "admin")


class AlertClickDeps(Protocol):
    """What a click needs of the running Kuber: the dispatcher has both."""

    @property
    def settings(self) -> Settings: ...

    @property
    def store(self) -> Store: ...


def handle_alert_click(
    deps: AlertClickDeps,
    click: ActionClick,
    conversation: Conversation,
    *,
    alertmanager: SilenceApi | None = None,
) -> bool:
    """Handle an `alert_*` button; False for any other click (left to the dispatcher).

    Every click is written to the audit log, like every command: who silenced what, when.
    """
    if not click.action.startswith(PREFIX):
        return False
    settings, store = deps.settings, deps.store
    group_part, _, argument = click.value.partition(":")
    group = _group(store, group_part)
    attempt = Attempt(
        click.platform,
        click.channel,
        click.actor,
        f"{click.action}: {click.value}",
        intent=AUDIT_INTENTS.get(click.action, "unknown"),
        target=_target(group) if group is not None else None,
    )
    if group is None or group.id is None:
        _answer(conversation, click, "alert_click_unknown")
        attempt.finish(store, "invalid", error="unknown alert group")
        return True
    if (click.platform, click.channel) != (group.platform, group.channel):
        # A button value replayed from elsewhere decides nothing.
        _answer(conversation, click, "alert_click_other_channel")
        attempt.finish(store, "refused", error="clicked from another channel")
        return True
    if group.message_ref is None or (
        click.message_ref is not None and click.message_ref != group.message_ref
    ):
        _answer(conversation, click, "alert_click_resolved")
        attempt.finish(store, "answered", result="resolved already")
        return True
    config = settings.config
    person = config.person(click.platform, click.actor.id, click.actor.name)
    who = person.name if person else click.actor.name
    try:
        if click.action == ACK:
            decision = _acknowledge(store, conversation, click, group, who)
        elif click.action in (SILENCE, UNSILENCE):
            if not _may_silence(config, group, person, conversation, click):
                attempt.finish(store, "refused", error="needs operator")
                return True
            api = alertmanager or alertmanager_for(settings)
            if click.action == SILENCE:
                decision = _silence(settings, store, api, conversation, click, group, who, argument)
            else:
                decision = _unsilence(store, api, conversation, click, group, who)
        else:
            conversation.post(
                _private(click, translate("en", "unknown_action", action=click.action))
            )
            decision = "invalid"
    except KuberError as exc:
        log.warning("alert button failed", action=click.action, error=str(exc))
        _answer(conversation, click, exc.key, **exc.params)
        attempt.finish(store, "invalid" if isinstance(exc, UserError) else "failed", error=str(exc))
        return True
    attempt.finish(store, decision)
    return True


# -- the buttons -----------------------------------------------------------------------------
def _acknowledge(
    store: Store, conversation: Conversation, click: ActionClick, group: AlertGroup, who: str
) -> str:
    if group.acked_by:
        if group.acked_by != who:
            _answer(conversation, click, "alert_ack_already", who=group.acked_by)
        return "answered"
    now = datetime.now(UTC)
    recorded = _record(
        store,
        group,
        {"acked_by": who, "acked_at": now},
        only_if={"acked_by": None},
    )
    if not recorded:
        again = _group(store, str(group.id))
        if again is not None and again.acked_by and again.acked_by != who:
            _answer(conversation, click, "alert_ack_already", who=again.acked_by)
        return "answered"
    log.info("alert group acknowledged", group_id=group.id, by=who)
    return "executed"


def _silence(
    settings: Settings,
    store: Store,
    api: SilenceApi,
    conversation: Conversation,
    click: ActionClick,
    group: AlertGroup,
    who: str,
    argument: str,
) -> str:
    duration = parse_duration(argument or SILENCE_CHOICES[0])
    now = datetime.now(UTC)
    if group.silence_id and group.silenced_until and group.silenced_until > now:
        if group.silenced_by != who:
            _answer(
                conversation,
                click,
                "alert_silenced_already",
                who=group.silenced_by or "?",
                until=format_clock(group.silenced_until),
            )
        return "answered"
    matchers = label_matchers(_str_map(group.common_labels)) or label_matchers(
        _shared_labels(store, group)
    )
    link = message_link(settings, store, group)
    comment = translate("en", "alert_silence_comment", who=who, link=link)
    made = make_silence(
        api, matchers, duration=duration, created_by=who, comment=comment, marker=current_key()
    )
    _record(store, group, {"silence_id": made.id, "silenced_by": who, "silenced_until": made.until})
    log.info("alert group silenced", group_id=group.id, by=who, silence=made.id)
    return "executed"


def _unsilence(
    store: Store,
    api: SilenceApi,
    conversation: Conversation,
    click: ActionClick,
    group: AlertGroup,
    who: str,
) -> str:
    if not group.silence_id:
        if group.silenced_by != who:  # not this very click, run again after a crash
            _answer(conversation, click, "alert_not_silenced")
        return "answered"
    api.expire_silence(group.silence_id)
    _record(
        store,
        group,
        {"silence_id": None, "silenced_until": None, "silenced_by": who},
        only_if={"silence_id": group.silence_id},
    )
    log.info("alert group unsilenced", group_id=group.id, by=who, silence=group.silence_id)
    return "executed"


def _target(group: AlertGroup) -> str:
    name = _str_map(group.common_labels).get("alertname") or group.group_key
    return f"alerts:{group.receiver}/{name}"[:256]


# -- who may ---------------------------------------------------------------------------------
def _may_silence(
    config: KuberConfig,
    group: AlertGroup,
    person: Person | None,
    conversation: Conversation,
    click: ActionClick,
) -> bool:
    """An operator (or more) of the team whose channel shows the alert, or an admin."""
    if person is None:
        _answer(conversation, click, "alert_unknown_person")
        return False
    memberships = config.memberships(person.name)
    if any(role == "admin" for _, role in memberships):
        return True
    team = config.team_for_channel(group.platform or "", group.channel or "")
    roles = [role for t, role in memberships if team is None or t.name == team.name]
    # Someone the team does not list has the default role (a demo's "deployer", say).
    held = roles or [config.policy.default_role]
    if any(role in SILENCER_ROLES for role in held):
        return True
    team_name = team.name if team else "-"
    role = held[0]
    _answer(conversation, click, "alert_needs_role", team=team_name, needed="operator", role=role)
    return False


# -- plumbing --------------------------------------------------------------------------------
def _group(store: Store, group_part: str) -> AlertGroup | None:
    try:
        group_id = int(group_part)
    except ValueError:
        return None
    with store.session() as session:
        return session.get(AlertGroup, group_id)


def _record(
    store: Store,
    group: AlertGroup,
    values: Mapping[str, Any],
    only_if: Mapping[str, Any] | None = None,
) -> bool:
    """Write `values` on the group and have its message re-rendered; with `only_if`, only
    while those columns still hold those values (double clicks lose)."""
    statement = update(AlertGroup).where(col(AlertGroup.id) == group.id)
    for name, expected in (only_if or {}).items():
        column = col(getattr(AlertGroup, name))
        statement = statement.where(column.is_(None) if expected is None else column == expected)
    with store.session() as session:
        result = session.exec(
            statement.values(
                version=AlertGroup.version + 1, updated_at=datetime.now(UTC), **dict(values)
            )
        )
        return bool(result.rowcount)


def _str_map(data: Mapping[str, object]) -> dict[str, str]:
    return {str(k): str(v) for k, v in data.items()}


def _shared_labels(store: Store, group: AlertGroup) -> dict[str, str]:
    """The labels every firing alert of the group carries with the same value."""
    with store.session() as session:
        instances = session.exec(
            select(AlertInstance)
            .where(col(AlertInstance.group_id) == group.id)
            .where(col(AlertInstance.status) == "firing")
        ).all()
    if not instances:
        return {}
    first = _str_map(instances[0].labels)
    return {
        name: value
        for name, value in first.items()
        if all(_str_map(i.labels).get(name) == value for i in instances[1:])
    }


def message_link(settings: Settings, store: Store, group: AlertGroup) -> str:
    """A link to the group's message (for a silence's comment), or where it is when the
    platform has not given it an id yet."""
    platform_id = None
    if group.message_ref:
        with store.session() as session:
            platform_id = session.exec(
                select(OutboxMessage.platform_id)
                .where(OutboxMessage.key == group.message_ref)
                .where(OutboxMessage.kind == "post")
            ).first()
    if platform_id and group.platform == "slack":
        return f"https://slack.com/archives/{group.channel}/p{platform_id.replace('.', '')}"
    mattermost = settings.env.mattermost_url
    if platform_id and group.platform == "mattermost" and mattermost:
        return f"{mattermost.rstrip('/')}/_redirect/pl/{platform_id}"
    return f"{group.platform} channel {group.channel}"


def _private(click: ActionClick, text: str) -> Reply:
    reply = Reply(text, is_error=True)
    if click.platform == "console":
        return reply
    return replace(reply, ephemeral=True, audience=click.actor.id)


def _answer(conversation: Conversation, click: ActionClick, key: str, **params: object) -> None:
    """Tell the person who clicked (only them) why nothing happened."""
    conversation.post(_private(click, translate("en", key, **params)))
