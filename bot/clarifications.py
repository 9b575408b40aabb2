"""Replies to messages that must not become an action as they stand: a command the person
said not to do, words no slot took, and a word that names both a cluster and a namespace.

Each answer changes nothing. Where a likely command is clear, it is offered as a button that
runs it as if typed in full, so the person confirms with one click instead of retyping.
"""

from __future__ import annotations

import json
from typing import Any

from bot.i18n import has, translate
from bot.intents import Intent, Language
from bot.messages import Button, Reply


def describe(lang: Language, intent: Intent) -> str:
    """A command in a few words: "restart payment" / "payment 재시작"."""
    key = f"audit_action_{intent.name.value}"
    verb = translate(lang, key) if has(key) else intent.name.value
    app = intent.app or intent.alert or intent.issue
    if app is None:
        return verb
    return f"{app} {verb}" if lang == "ko" else f"{verb} {app}"


def declined(lang: Language, negated: Intent) -> Reply:
    """ "don't restart payment": said back plainly, nothing done."""
    return Reply(translate(lang, "nlu_declined", what=describe(lang, negated)), language=lang)


def unclear(lang: Language, intent: Intent, asked: str) -> Reply:
    """Words that look like a value no slot took: offer the command the rest asks for."""
    words = ", ".join(f"“{w}”" for w in intent.unclear) or "?"
    buttons: tuple[Button, ...] = ()
    if intent.candidate is not None:
        buttons = (run_button(describe(lang, intent.candidate), intent.candidate, lang, asked),)
    return Reply(translate(lang, "nlu_unclear", words=words), buttons=buttons, language=lang)


def cluster_or_namespace(lang: Language, intent: Intent, asked: str) -> Reply:
    """ "in prod", where prod is a cluster and a namespace: ask which one."""
    word = intent.cluster_or_namespace or "?"
    plain = intent.with_slots(cluster_or_namespace=None)
    buttons = (
        run_button(
            translate(lang, "nlu_button_cluster", word=word),
            plain.with_slots(cluster=word),
            lang,
            asked,
        ),
        run_button(
            translate(lang, "nlu_button_namespace", word=word),
            plain.with_slots(namespace=word),
            lang,
            asked,
        ),
    )
    return Reply(
        translate(lang, "nlu_ask_cluster_or_namespace", word=word), buttons=buttons, language=lang
    )


def run_button(label: str, intent: Intent, lang: Language, asked: str) -> Button:
    """A button that runs `intent` (every check applies to whoever clicks it)."""
    value: dict[str, Any] = {**intent.to_json(), "lang": lang, "text": f"{asked[:200]} → {label}"}
    return Button(label, "fill", json.dumps(value, ensure_ascii=False))
