"""`alerts`, `silence ALERT for DURATION` and `unsilence ALERT`: Alertmanager from chat.

A silence is made (and ended) through Alertmanager's own API, with the person's name as
`createdBy` and where it was asked in the comment, so Alertmanager's UI tells the same story.
Silencing changes no cluster, so it is done at once for operators, without a plan.
"""

from __future__ import annotations

from bot.alerts.listing import alerts_command
from bot.alerts.silences import silence_command, unsilence_command
from bot.context import CommandContext
from bot.intents import IntentName
from bot.messages import Reply
from bot.registry import command


def _who(ctx: CommandContext) -> str:
    return ctx.person.name if ctx.person else ctx.actor.name


@command(
    IntentName.ALERTS,
    group="alerts",
    summary_en="Show the firing alerts (your team's first)",
    summary_ko="울리고 있는 알림 보기 (우리 팀 것 먼저)",
    examples_en=("alerts", "what's firing?"),
    examples_ko=("지금 알림 뭐 있어?",),
)
def alerts(ctx: CommandContext) -> Reply:
    team = ctx.team.name if ctx.team else None
    return alerts_command(ctx.settings, team=team, language=ctx.language)


@command(
    IntentName.SILENCE,
    group="alerts",
    summary_en="Silence an alert for a while (in Alertmanager)",
    summary_ko="알림을 잠시 끄기 (Alertmanager 사일런스)",
    examples_en=("silence HighLatency for 2h",),
    examples_ko=("HighLatency 알림 2시간 꺼줘",),
)
def silence(ctx: CommandContext, *, alert: str, duration: str) -> Reply:
    where = f"{ctx.platform} channel {ctx.channel}"
    return silence_command(
        ctx.settings,
        alert=alert,
        duration=duration,
        created_by=_who(ctx),
        where=where,
        language=ctx.language,
    )


@command(
    IntentName.UNSILENCE,
    group="alerts",
    summary_en="End an alert's silences",
    summary_ko="알림 사일런스 끝내기",
    examples_en=("unsilence HighLatency",),
    examples_ko=("HighLatency 알림 다시 켜줘",),
)
def unsilence(ctx: CommandContext, *, alert: str) -> Reply:
    return unsilence_command(ctx.settings, alert=alert, language=ctx.language)
