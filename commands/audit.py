"""`audit`: who changed an app (or anything), when, and how it ended, from the audit log.

Read-only: it reads `command_record` and changes nothing, so it never becomes a plan. Who may
read it is decided in `readable_targets` alone, for admins and the owning team's members.
"""

from __future__ import annotations

import zoneinfo
from collections.abc import Collection
from datetime import UTC, datetime, timedelta

from bot.audit_log import Change, recent_changes, target_names
from bot.context import CommandContext
from bot.errors import NotAllowed
from bot.i18n import has
from bot.intents import IntentName
from bot.messages import Reply
from bot.registry import command

#: How far back the chat answer looks, and how many changes it lists.
WINDOW_DAYS = 30
MAX_CHANGES = 10
#: A change's words are quoted, up to this many characters.
MAX_TEXT = 80


@command(
    IntentName.AUDIT,
    group="general",
    summary_en="Show who changed an app, when, and how it ended (the audit log)",
    summary_ko="앱을 누가 언제 바꿨고 어떻게 끝났는지 보기 (감사 로그)",
    examples_en=("who changed payment today?", "audit payment"),
    examples_ko=("payment 변경 이력",),
)
def audit(ctx: CommandContext, *, app: str | None = None) -> Reply:
    targets = readable_targets(ctx, app)
    since = datetime.now(UTC) - timedelta(days=WINDOW_DAYS)
    changes = recent_changes(ctx.store, since=since, targets=targets, limit=MAX_CHANGES)
    if not changes:
        key = "audit_none_app" if app else "audit_none_all"
        return Reply(ctx.t(key, app=app, days=WINDOW_DAYS), language=ctx.language)
    title = ctx.t("audit_changes_app", app=app) if app else ctx.t("audit_changes_all")
    lines = [f"• {_line(ctx, change)}" for change in changes]
    return Reply(
        "\n".join([title, *lines]),
        context=ctx.t("audit_footer", days=WINDOW_DAYS),
        language=ctx.language,
    )


def readable_targets(ctx: CommandContext, app: str | None) -> Collection[str] | None:
    """The apps (as `target_names`) whose changes the asker may read; None means every one.

    Admins read everything; a team's members read the changes to their team's apps; nobody
    else reads any. A refusal names what is missing.
    """
    config = ctx.settings.config
    owner = config.app(app) if app else None
    memberships = config.memberships(ctx.person.name) if ctx.person else []
    if any(role == "admin" for _, role in memberships):
        if app is None:
            return None
        return target_names(app, owner.deployment_name if owner else None)
    teams = {team.name for team, _ in memberships}
    if app is None:
        if not teams:
            raise NotAllowed("policy_audit_members_only")
        own = [a for a in config.apps if a.team in teams]
        return [name for a in own for name in target_names(a.name, a.deployment_name)]
    if owner is None or owner.team is None:
        raise NotAllowed("policy_audit_admins_only", app=app)
    if owner.team not in teams:
        raise NotAllowed("policy_audit_not_your_app", app=app, team=owner.team)
    return target_names(app, owner.deployment_name)


def _line(ctx: CommandContext, change: Change) -> str:
    action_key = f"audit_action_{change.intent}"
    action = ctx.t(action_key) if has(action_key) else change.intent
    text = " ".join(change.text.split())
    if len(text) > MAX_TEXT:
        text = text[: MAX_TEXT - 1] + "…"
    return ctx.t(
        "audit_line",
        when=_when(ctx, change.at),
        who=change.requester,
        action=action,
        target=change.target,
        text=text,
        outcome=ctx.t(f"audit_outcome_{change.outcome}", who=change.decided_by or "?"),
    )


def _when(ctx: CommandContext, at: datetime) -> str:
    """The time in the channel's team's timezone (its stand-up's), else UTC."""
    standup = ctx.team.standup if ctx.team else None
    zone = zoneinfo.ZoneInfo(standup.timezone) if standup else UTC
    local = at.astimezone(zone)
    return f"{local:%Y-%m-%d %H:%M} {local.tzname()}"
