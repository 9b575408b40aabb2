"""What an understood command still lacks, and which `nlu_` message asks for it.

The dispatcher asks the question; this module only names the missing slot, so the rule
"scale needs a number" lives next to the grammar that reads numbers.
"""

from __future__ import annotations

from bot.intents import Intent, IntentName

_REQUIRED: dict[IntentName, tuple[str, ...]] = {
    IntentName.SCALE: ("app", "replicas"),
    IntentName.RESTART: ("app",),
    IntentName.ROLLBACK: ("app",),
    IntentName.DEPLOY: ("app", "version"),
    IntentName.BUILD: ("app",),
    IntentName.LOGS: ("app",),
    IntentName.HISTORY: ("app",),
    IntentName.SLO: (),
    IntentName.AUDIT: (),
    IntentName.CREATE_ISSUE: ("summary",),
    IntentName.TRANSITION: ("issue", "status"),
    IntentName.ASSIGN: ("issue", "assignee"),
    IntentName.SILENCE: ("alert", "duration"),
}


def missing_slots(intent: Intent) -> tuple[str, ...]:
    """Slots the command cannot run without, in the order to ask for them.

    For scale, `delta` stands in for `replicas`.
    """
    missing = []
    for slot in _REQUIRED.get(intent.name, ()):
        if slot == "replicas" and intent.delta is not None:
            continue
        if getattr(intent, slot) is None:
            missing.append(slot)
    return tuple(missing)


def question_key(intent: Intent) -> str | None:
    """The `bot.i18n` key of the question for the first missing slot, or None if complete."""
    missing = missing_slots(intent)
    if intent.name is IntentName.UNKNOWN:
        return "nlu_unknown_suggest" if intent.suggestions else "nlu_unknown"
    return f"nlu_ask_{missing[0]}" if missing else None
