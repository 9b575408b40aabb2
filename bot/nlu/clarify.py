"""What an understood command still lacks, which `nlu_` message asks for it, and the answer.

The dispatcher asks the question; this module names the missing slot, so the rule
"scale needs a number" lives next to the grammar that reads numbers. When the dispatcher
remembers the asking command with `awaiting` set (`awaiting_answer`), the next message is
read as the answer to that question first (`answer`): "cart" after "Which app?" fills the
app of that command, and of no other.
"""

from __future__ import annotations

import re
from dataclasses import replace

from bot.intents import Intent, IntentName
from bot.nlu import slots
from bot.nlu.app_in_text import pick_app
from bot.nlu.apps import AppCatalog
from bot.nlu.lexicon import NOT_APP_NAMES
from bot.nlu.normalize import Text

_REQUIRED: dict[IntentName, tuple[str, ...]] = {
    IntentName.SCALE: ("app", "replicas"),
    IntentName.RESTART: ("app",),
    IntentName.ROLLBACK: ("app",),
    IntentName.DEPLOY: ("app", "version"),
    IntentName.BUILD: ("app",),
    IntentName.BUILDS: ("app",),
    IntentName.DIAGNOSE: ("app",),
    IntentName.LOGS: ("app",),
    IntentName.HISTORY: ("app",),
    IntentName.SLO: (),
    IntentName.AUDIT: (),
    IntentName.CREATE_ISSUE: ("summary",),
    IntentName.TRANSITION: ("issue", "status"),
    IntentName.ASSIGN: ("issue", "assignee"),
    IntentName.SILENCE: ("alert", "duration"),
    IntentName.UNSILENCE: ("alert",),
}
_CLUSTER_WORD = re.compile(r"(?<![a-z])(?:cluster|context)(?![a-z])|클러스터")
_NAMESPACE_WORD = re.compile(r"(?<![a-z])(?:namespace|ns)(?![a-z])|네임스페이스")


def missing_slots(intent: Intent) -> tuple[str, ...]:
    """Slots the command cannot run without, in the order to ask for them.

    For scale, `delta` stands in for `replicas`. A word that names both a cluster and a
    namespace is asked about as `cluster_or_namespace`.
    """
    missing = []
    for slot in _REQUIRED.get(intent.name, ()):
        if slot == "replicas" and intent.delta is not None:
            continue
        if getattr(intent, slot) is None:
            missing.append(slot)
    if intent.cluster_or_namespace is not None:
        missing.append("cluster_or_namespace")
    return tuple(missing)


def question_key(intent: Intent) -> str | None:
    """The `bot.i18n` key of the question for the first missing slot, or None if complete."""
    missing = missing_slots(intent)
    if intent.name is IntentName.UNKNOWN:
        return "nlu_unknown_suggest" if intent.suggestions else "nlu_unknown"
    return f"nlu_ask_{missing[0]}" if missing else None


def awaiting_answer(intent: Intent) -> Intent:
    """`intent` marked as waiting for its first missing slot: what to remember when asking."""
    missing = missing_slots(intent)
    return replace(intent, awaiting=missing[0] if missing else None)


def _only_filler(text: Text, explained: set[str]) -> bool:
    return all(
        token.hangul or token.text in explained or token.text in NOT_APP_NAMES
        for token in text.tokens
    )


def _value(slot: str, text: Text, catalog: AppCatalog, asked: Intent) -> dict[str, object] | None:
    """The slot values the text gives as an answer for `slot`, or None if it gives none."""
    if slot == "app":
        pick = pick_app(text, catalog, [])
        if pick is None or not _only_filler(text, set(pick.words)):
            return None
        return {
            "app": pick.match.name,
            "app_known": pick.match.known,
            "app_guessed_from": pick.guessed_from(text),
        }
    if slot == "replicas":
        replicas, delta = slots.scale_numbers(text.num)
        if replicas is None and delta is None:
            return None
        return {"replicas": replicas, "delta": delta}
    if slot == "cluster_or_namespace":
        word = asked.cluster_or_namespace
        if _CLUSTER_WORD.search(text.low):
            return {"cluster": word, "cluster_or_namespace": None}
        if _NAMESPACE_WORD.search(text.low):
            return {"namespace": word, "cluster_or_namespace": None}
        return None
    readers = {
        "version": lambda: _found(slots.version(text.raw)),
        "alert": lambda: _found(slots.alert(text.raw)) or _one_word(text),
        "duration": lambda: slots.duration(text.num),
        "issue": lambda: _found(slots.issue_key(text.raw, lenient=True)),
        "status": lambda: slots.transition_status(text.raw, text.low, None),
        "assignee": lambda: _one_word(text),
        "summary": lambda: text.raw.strip() or None,
    }
    reader = readers.get(slot)
    value = reader() if reader is not None else _one_word(text)
    return {slot: value} if value is not None else None


def _found(found: slots.Found | None) -> str | None:
    return found.value if found is not None else None


def _one_word(text: Text) -> str | None:
    words = text.raw.strip().strip(".!?").split()
    return words[0] if len(words) == 1 else None


def answer(text: Text, asked: Intent, catalog: AppCatalog) -> Intent | None:
    """`asked` with its `awaiting` slot filled from `text`, or None when `text` is no answer.

    The caller tries this only when the text is not a command of its own.
    """
    slot = asked.awaiting
    if slot is None:
        return None
    values = _value(slot, text, catalog, asked)
    if values is None:
        return None
    filled = replace(asked, awaiting=None, used_context=True, **values)  # type: ignore[arg-type]
    return replace(filled, language=text.language) if text.tokens else filled
