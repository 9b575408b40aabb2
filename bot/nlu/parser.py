"""`parse`: one chat message (and the channel's previous command) -> an `Intent`.

It wires the steps together: forget stale context, read an answer to a pending question,
cut a message of several commands into steps, else read it as one clause. It calls nothing
outside the process, so the same input always gives the same intent.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from bot.intents import Intent, IntentName
from bot.nlu.apps import AppCatalog
from bot.nlu.clarify import answer
from bot.nlu.clause import read_clause
from bot.nlu.context import recall
from bot.nlu.normalize import prepare
from bot.nlu.sequence import read_steps


def parse(
    text: str,
    catalog: AppCatalog,
    previous: Intent | None = None,
    *,
    previous_at: datetime | None = None,
    now: datetime | None = None,
) -> Intent:
    """The command `text` asks for.

    `previous` is the channel's last understood command and `previous_at` when it was
    said; context older than `bot.nlu.context.CONTEXT_MAX_AGE` is not used.
    """
    prepared = prepare(text)
    previous = recall(previous, previous_at, now)
    if not prepared.tokens:
        return Intent(IntentName.UNKNOWN, language=prepared.language)
    if previous is not None and previous.awaiting is not None:
        own = read_clause(prepared, catalog, None)
        answered = None if own.verb or own.negated else answer(prepared, previous, catalog)
        if answered is not None:
            return answered
        previous = replace(previous, awaiting=None)
    steps = read_steps(prepared, catalog, previous)
    if steps:
        return Intent(IntentName.SEQUENCE, language=prepared.language, steps=steps)
    return read_clause(prepared, catalog, previous).intent
