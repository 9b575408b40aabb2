"""The channel's previous command as context: "scale it to 5", "그거 재시작", "what about cart?".

It fills only what the new text left out and marks `used_context`; it never overrides a slot
the text gave, and it answers nothing on its own when there was no previous command. Context
is forgotten after `CONTEXT_MAX_AGE`, and an app carried over must still be a known app.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from bot.intents import Intent, IntentName
from bot.nlu.app_in_text import AppPick
from bot.nlu.apps import AppCatalog
from bot.nlu.lexicon import NOT_APP_NAMES, PRONOUN_PHRASES_EN, PRONOUNS_EN, PRONOUNS_KO
from bot.nlu.normalize import Text, strip_particle
from bot.nlu.slots import ENVIRONMENTS, Found

#: How long a channel's previous command stays context; older, "restart it" points nowhere.
CONTEXT_MAX_AGE = timedelta(minutes=15)

#: Intents that act on one app, and so can take the app from the previous command.
APP_INTENTS: frozenset[IntentName] = frozenset(
    {
        IntentName.SCALE,
        IntentName.RESTART,
        IntentName.ROLLBACK,
        IntentName.DEPLOY,
        IntentName.BUILD,
        IntentName.STATUS,
        IntentName.LOGS,
        IntentName.HISTORY,
        IntentName.SLO,
        IntentName.BUILDS,
        IntentName.DIAGNOSE,
    }
)

_AGAIN = re.compile(
    r"(?<![a-z])(?:again|one\s+more\s+time|once\s+more|same\s+again|repeat\s+that)(?![a-z])"
    r"|다시\s*(?:해|한\s*번|실행)|한\s*번\s*더|또\s*해"
)
_PHRASES = re.compile(r"(?<![a-z])(?:" + "|".join(PRONOUN_PHRASES_EN) + r")(?![a-z])")


def refers_back(text: Text) -> bool:
    """Whether the text points at something said before ("it", "that app", "그거")."""
    for token in text.tokens:
        if token.hangul:
            if token.text in PRONOUNS_KO or strip_particle(token.text) in PRONOUNS_KO:
                return True
        elif token.text in PRONOUNS_EN:
            return True
    return bool(_PHRASES.search(text.low))


def recall(
    previous: Intent | None,
    saved_at: datetime | None,
    now: datetime | None = None,
    max_age: timedelta = CONTEXT_MAX_AGE,
) -> Intent | None:
    """`previous` while it is still context: None once it is older than `max_age`.

    A sequence is remembered by its last step ("restart payment and cart", then "scale it").
    """
    if previous is None:
        return None
    if saved_at is not None:
        moment = now or datetime.now(UTC)
        if saved_at.tzinfo is None:  # a naive time is UTC, as the store writes it
            saved_at = saved_at.replace(tzinfo=UTC)
        if moment - saved_at > max_age:
            return None
    if previous.name is IntentName.SEQUENCE:
        return previous.steps[-1] if previous.steps else None
    return previous


def _known_app(previous: Intent, catalog: AppCatalog) -> bool:
    return previous.app is not None and previous.app_known and catalog.is_known(previous.app)


def fill_from_previous(
    intent: Intent, previous: Intent | None, *, back: bool, catalog: AppCatalog
) -> Intent:
    """`intent` with the slots it lacks taken from `previous`, where the text allows it.

    An app comes over when the text points back ("restart it") or repeats the same command
    without naming one ("now scale to 5" after a scale), and only if it is a known app.
    """
    if previous is None:
        return intent
    changes: dict[str, object] = {}
    same_command = intent.name == previous.name
    if (
        intent.name in APP_INTENTS
        and intent.app is None
        and _known_app(previous, catalog)
        and (back or same_command)
    ):
        changes.update(app=previous.app, app_known=previous.app_known)
        if intent.namespace is None and previous.namespace is not None:
            changes["namespace"] = previous.namespace
        if intent.cluster is None and previous.cluster is not None:
            changes["cluster"] = previous.cluster
    if (
        intent.name is IntentName.AUDIT
        and intent.app is None
        and back
        and _known_app(previous, catalog)
    ):
        # "who changed it?": the app talked about last.
        changes.update(app=previous.app, app_known=previous.app_known)
    silencing = (IntentName.SILENCE, IntentName.UNSILENCE)
    if intent.name in silencing and intent.alert is None and previous.alert and back:
        changes["alert"] = previous.alert
    if (
        intent.name in (IntentName.TRANSITION, IntentName.ASSIGN)
        and intent.issue is None
        and previous.issue
        and back
    ):
        changes["issue"] = previous.issue
    if not changes:
        return intent
    return replace(intent, used_context=True, **changes)  # type: ignore[arg-type]


def _unexplained_words(text: Text, explained: set[str]) -> int:
    # A follow-up is short and made of filler: "what about cart?", "to 5", "5개로".
    return sum(
        1
        for token in text.tokens
        if not token.hangul
        and token.text not in explained
        and token.text not in NOT_APP_NAMES
        and not token.text.isdigit()
    )


def follow_up(
    text: Text,
    previous: Intent | None,
    *,
    catalog: AppCatalog,
    replicas: int | None,
    delta: int | None,
    pick: AppPick | None,
    namespace: Found | None,
    version: Found | None,
) -> Intent | None:
    """A message with no command word read as a change to the previous command, or None."""
    if previous is None or previous.name in (IntentName.UNKNOWN, IntentName.SEQUENCE):
        return None
    language = text.language
    if previous.app is not None and not _known_app(previous, catalog):
        return None  # the app talked about is gone (or never existed): nothing to follow
    if _AGAIN.search(text.low) and len(text.tokens) <= 6:
        return replace(previous, language=language, used_context=True, suggestions=())
    if previous.name not in APP_INTENTS:
        return None
    app = pick.match if pick is not None else None
    explained = set(pick.words) if pick is not None and pick.match.known else set()
    if namespace is not None:
        explained.add(namespace.value)
    if version is not None:
        explained.add(version.value.lower())
    if _unexplained_words(text, explained) or len(text.tokens) > 8:
        return None
    known_app = app if app is not None and app.known else None
    ns = namespace.value if namespace is not None and namespace.value in ENVIRONMENTS else None
    if replicas is not None or delta is not None:
        target = known_app.name if known_app else previous.app
        if target is None:
            return None
        return Intent(
            IntentName.SCALE,
            language=language,
            app=target,
            replicas=replicas,
            delta=delta,
            namespace=ns or previous.namespace,
            cluster=previous.cluster,
            app_known=known_app.known if known_app else previous.app_known,
            app_guessed_from=pick.guessed_from(text) if pick and known_app else None,
            used_context=True,
        )
    if previous.name is IntentName.DEPLOY and version is not None:
        return replace(previous, language=language, version=version.value, used_context=True)
    if known_app is not None:
        return replace(
            previous,
            language=language,
            app=known_app.name,
            app_known=True,
            app_guessed_from=pick.guessed_from(text) if pick else None,
            namespace=ns or previous.namespace,
            used_context=True,
        )
    if ns is not None:
        return replace(previous, language=language, namespace=ns, used_context=True)
    return None
