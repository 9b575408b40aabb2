"""The rule that a change is produced only when the whole sentence asks for it.

A mutating command survives only if nothing in its sentence says otherwise: a negation turns
it into `unknown` carrying the refused command (`negated`), a question about the past into an
`audit` question, a question about now ("is payment restarting?") into `status`, and words
left over that look like a value (a number, a version, a name, a time no slot took) into
`unknown` carrying the words (`unclear`) and the command (`candidate`) to ask about.
Read-only intents pass unchanged, as a wrong answer to a question harms nothing; `cancel` is
refused when negated too, since "don't cancel" must keep the plan.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from bot.intents import Intent, IntentName
from bot.nlu.app_in_text import AppPick, Span
from bot.nlu.apps import AppCatalog
from bot.nlu.context import APP_INTENTS
from bot.nlu.lexicon import NOT_APP_NAMES
from bot.nlu.normalize import Text, strip_particle

# A number typed as digits, standing alone: not part of a name, a version, a key or a time.
_DIGITS = re.compile(r"(?<![a-z0-9._\-/:#@+])(\d+)(?![0-9.:,]\d|[0-9]|[a-z%])")
# "from 3 to 5", "3개에서 5개로": the starting count of a scale is explained too.
_FROM_COUNT = re.compile(r"(?<![a-z])from\s+(\d+)|(\d+)\s*(?:개|대)?\s*에서")
_DOTTED_VERSION = re.compile(r"(?<![\w.-])(v?\d+(?:\.\d+)+(?:[-+][0-9a-z][a-z0-9_.-]*)?)(?![\w-])")
# A time of day or a day asks for later, and Kuber acts only now: "restart payment at 10:30".
_WHEN = re.compile(
    r"(?<![\w:])(\d{1,2}:\d{2}(?::\d{2})?|\d{1,2}\s*(?:am|pm))(?![\w:])"
    r"|(?<![a-z])(tomorrow|tonight|later|midnight|noon|this\s+(?:afternoon|evening|weekend)|"
    r"next\s+(?:week|hour)|(?:mon|tues|wednes|thurs|fri|satur|sun)day)(?![a-z])"
    r"|(내일|모레|이따가?|나중에|오늘\s*밤|밤에|새벽에|저녁에|주말에|다음\s*주)"
)
# Substrings one of those needs: most commands hold none, and the pattern costs more.
_WHEN_HINTS = (":", "am", "pm", "tom", "ton", "later", "mid", "noon", "this", "next", "day")
_WHEN_HINTS_KO = ("내일", "모레", "이따", "나중", "밤", "새벽", "저녁", "주말", "다음")
_NUMBER_SLOTS: dict[IntentName, tuple[str, ...]] = {
    IntentName.SCALE: ("replicas", "delta"),
    IntentName.ROLLBACK: ("revision",),
}
# Free text, durations and issue keys hold numbers and names of their own.
_OWN_WORDS = frozenset(
    {
        IntentName.CREATE_ISSUE,
        IntentName.TRANSITION,
        IntentName.ASSIGN,
        IntentName.SILENCE,
        IntentName.UNSILENCE,
    }
)
# The parts of hyphenated command words ("re-deploy", "rolling-restart") are not names.
_WORD_PARTS = NOT_APP_NAMES | {"re", "rolling", "scale", "spin", "shut"}
_IDENTIFIER = re.compile(r"[a-z][a-z0-9]*(?:[-_][a-z0-9]+)+|[a-z]+\d+[a-z0-9]*")


def _outside(start: int, spans: Iterable[Span]) -> bool:
    return not any(low <= start < high for low, high in spans)


def _numbers(text: Text, command: Intent, spans: list[Span]) -> list[str]:
    found = [m for m in _DIGITS.finditer(text.low) if _outside(m.start(1), spans)]
    values = [getattr(command, slot) for slot in _NUMBER_SLOTS.get(command.name, ())]
    used = [abs(value) for value in values if value is not None]
    if command.name is IntentName.SCALE:
        used += [int(m.group(m.lastindex or 1)) for m in _FROM_COUNT.finditer(text.low)]
    left = []
    for match in found:
        value = int(match.group(1))
        if value in used:
            used.remove(value)
        else:
            left.append(match.group(1))
    return left


def _times(text: Text, spans: list[Span]) -> list[str]:
    hints = _WHEN_HINTS + _WHEN_HINTS_KO if text.language == "ko" else _WHEN_HINTS
    if not any(hint in text.low for hint in hints):
        return []
    return [
        m.group(m.lastindex or 0)
        for m in _WHEN.finditer(text.low)
        if _outside(m.start(m.lastindex or 0), spans)
    ]


def _versions(text: Text, spans: list[Span]) -> list[str]:
    return [m.group(1) for m in _DOTTED_VERSION.finditer(text.low) if _outside(m.start(1), spans)]


def _names(text: Text, catalog: AppCatalog, pick: AppPick | None, spans: list[Span]) -> list[str]:
    """Other apps, and identifier-like words ("gke-tokyo", "pod7"), no slot took."""
    chosen = pick.match.name if pick is not None else None
    left = []
    for token in text.tokens:
        if not _outside(token.start, spans) or (pick and pick.start <= token.start < pick.end):
            continue
        word = strip_particle(token.text) if token.hangul else token.text.removesuffix("'s")
        match = catalog.resolve(word)
        if match is not None and match.known:
            if match.name != chosen:
                left.append(token.text)
            continue
        if token.hangul or match is None or not _IDENTIFIER.fullmatch(word):
            continue
        if not all(part in _WORD_PARTS for part in re.split(r"[-_]", word)):
            left.append(token.text)
    return left


#: A branch named in words that no valid branch name matched ("from branch -rf").
_BRANCH_WORD = re.compile(r"(?:branch|브랜치)\s*[=:]?\s*[\"'`]?(\S+)", re.IGNORECASE)


def _branches(text: Text, command: Intent) -> list[str]:
    if command.branch is not None:
        return []
    return [m.group(1) for m in _BRANCH_WORD.finditer(text.raw)]


def leftovers(
    text: Text, command: Intent, catalog: AppCatalog, pick: AppPick | None, spans: list[Span]
) -> tuple[str, ...]:
    """Words of `text` that look like a value and that no slot of `command` took."""
    if not command.mutating or command.name in _OWN_WORDS:
        return ()
    words = _numbers(text, command, spans) + _versions(text, spans) + _times(text, spans)
    words += _branches(text, command)
    if command.name in APP_INTENTS or command.name is IntentName.UNDO:
        words += _names(text, catalog, pick, spans)
    return tuple(words)


def _refusable(command: Intent) -> bool:
    # Withdrawing a plan changes nothing outside Kuber, yet "don't cancel" must keep the plan.
    return command.mutating or command.name is IntentName.CANCEL


def refuse(command: Intent) -> Intent:
    """A negated command: `unknown`, carrying what must not be done."""
    return Intent(IntentName.UNKNOWN, language=command.language, negated=command)


def guard(
    command: Intent,
    *,
    negated: bool,
    about_the_past: bool,
    unclear: tuple[str, ...],
    about_now: bool = False,
) -> Intent:
    """`command` itself when it may be acted on, else what the sentence really asks for."""
    if negated and _refusable(command):
        return refuse(command)
    if not command.mutating:
        return command
    if about_now and command.name in APP_INTENTS:
        return Intent(
            IntentName.STATUS,
            language=command.language,
            app=command.app,
            app_known=command.app_known,
            app_guessed_from=command.app_guessed_from,
            namespace=command.namespace,
            cluster=command.cluster,
        )
    if about_the_past:
        return Intent(
            IntentName.AUDIT,
            language=command.language,
            app=command.app,
            app_known=command.app_known,
            app_guessed_from=command.app_guessed_from,
        )
    if unclear:
        return Intent(
            IntentName.UNKNOWN,
            language=command.language,
            unclear=unclear,
            candidate=command,
            suggestions=(command.name,),
        )
    return command
