"""Natural-language understanding: chat text in English, Korean or both -> `bot.intents.Intent`.

A hand-written grammar (patterns and a small tokenizer), not a statistical model: it must
answer in well under a millisecond and say exactly why it understood what it did.
"""

from __future__ import annotations

from bot.nlu.apps import AppCatalog, AppMatch
from bot.nlu.clarify import awaiting_answer, missing_slots, question_key
from bot.nlu.parser import parse
from bot.nlu.suggest import suggest_commands

__all__ = [
    "AppCatalog",
    "AppMatch",
    "awaiting_answer",
    "missing_slots",
    "parse",
    "question_key",
    "suggest_commands",
]
