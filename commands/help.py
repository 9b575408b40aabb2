"""`help` / `도움말`: what this person may ask Kuber, grouped, in the language they asked in.

Only registered commands are listed, so help never promises something this Kuber cannot do,
and only those the person's role may ask for. It is shown to the asker alone: what
one person may do is theirs to know, and a channel need not scroll past it.
"""

from __future__ import annotations

from bot.context import CommandContext
from bot.intents import MUTATING, IntentName
from bot.messages import Field, Reply
from bot.policy import may_request
from bot.registry import GROUPS, command, load_commands

#: The platform name of `kuber console` (and `kuber demo`).
TERMINAL = "console"


@command(
    IntentName.HELP,
    group="general",
    summary_en="Show what I can do",
    summary_ko="할 수 있는 일 보기",
    examples_en=("help",),
    examples_ko=("도움말",),
)
def show_help(ctx: CommandContext) -> Reply:
    registry = load_commands()
    may_change = ctx.role != "viewer"
    fields: list[Field] = []
    for group in GROUPS:
        lines = []
        for spec in registry.specs():
            if spec.group != group:
                continue
            # Listed only when this person's role may ask for it (an operator is not shown
            # deploy and rollback, a viewer no change at all).
            if not may_request(ctx.role, spec.intent, spec.intent in MUTATING).allowed:
                continue
            examples = spec.examples.get(ctx.language) or spec.examples["en"]
            example = f" — `{examples[0]}`" if examples else ""
            lines.append(f"• {spec.summary[ctx.language]}{example}")
        if lines:
            fields.append(Field(ctx.t(f"help_group_{group}"), "\n".join(lines)))
    context = ctx.t("help_footer_role", role=ctx.role)
    if not may_change:
        context += " " + ctx.t("help_viewer_note")
    # The terminal has no platform user to show it to (its actor is a login name), and only
    # the one person at it reads it anyway: there it stays an ordinary reply.
    audience = None if ctx.platform == TERMINAL else ctx.actor.id
    return Reply(
        ctx.t("help_title"),
        fields=tuple(fields),
        context=context,
        language=ctx.language,
        ephemeral=audience is not None,
        audience=audience,
    )
