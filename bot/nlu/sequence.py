"""Two or more commands in one message -> their steps, in order ("scale payment to 3 and restart
cart", "payment 4개로 늘리고 cart 재시작해줘").

A message is cut where a joining word stands (and, then, a comma, a full stop, -고, 한 다음,
그리고) and kept cut only if every piece is a command, or names just an app (with a count, a
version or a place) for its neighbour's command ("restart payment and cart in prod").
Otherwise it stays one sentence: "1 hour and 30 minutes" and "logs, last 30 lines" are one
command each. A negation covers the pieces that borrow its command, and reaches over "and"
(English: forward, Korean: backward) but not over a comma or "then": "don't scale payment
and restart cart" refuses both, "don't restart payment, restart cart instead" only the first.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from typing import Literal

from bot.intents import Intent, IntentName
from bot.nlu import markers, safety, slots
from bot.nlu.apps import AppCatalog
from bot.nlu.clause import Reading, read_clause
from bot.nlu.context import APP_INTENTS
from bot.nlu.grammar import create_issue_match
from bot.nlu.lexicon import NOT_APP_NAMES
from bot.nlu.normalize import Text, prepare
from bot.nlu.targets import Targets, read_targets

#: How a piece joins the one before it: "and" (and, &, -고, 그리고, 랑), "list" (a comma), "then".
Join = Literal["and", "list", "then"]

_JOINS = re.compile(
    r"(?P<then>\s*;\s*|\s*,?\s+(?:and\s+)?(?:then|after\s+that|afterwards)\s+"
    r"|(?<=[a-z0-9가-힣)])[.!?]+\s+(?:(?:and\s+)?then\s+|그리고\s+)?"
    r"|(?<=[가-힣]고)\s+나서\s+|\s+(?:그\s*다음에?|그러고\s*나서|그\s*후에?|그\s*뒤에?)\s+"
    r"|(?<=[가-힣])\s+(?:후에?|뒤에?)\s+|(?P<adnominal>(?<=[가-힣]))\s+다음에?\s+)"
    r"|(?P<list>\s*,(?!\s*\d)\s*(?:and\s+)?)"
    r"|(?P<and>\s+and\s+(?:also\s+)?|\s*&\s*|\s+그리고\s+"
    r"|(?<=[가-힣]고)\s+|(?<=빌드해서)\s+|(?<=[a-z0-9])\s*(?:이랑|랑|하고|와|과)\s+)"
)
# Substrings one of the joins needs: a cheap test before the costly pattern, as most messages
# hold one command.
_JOIN_HINTS = (
    ",",
    ";",
    "&",
    "and",
    "then",
    "after",
    ". ",
    "! ",
    "? ",
    "고 ",
    "해서 ",
    "그",
    "다음",
    "후",
    "뒤",
    "랑",
    "하고",
    "와 ",
    "과 ",
)
# "재시작하고 있어?" is one question, not "restart" and "있어".
_PROGRESSIVE = re.compile(r"고\s*있")
_MAX_BORROWING_TOKENS = 6
_N_FINAL = 4  # the jongseong index of ㄴ: 한, 시킨, 늘린 (the form before 다음)
_VERSIONED = (IntentName.DEPLOY, IntentName.ROLLBACK)


@dataclass(frozen=True, slots=True)
class _Piece:
    text: Text
    join: Join | None  # how it joins the piece before it


def _ends_in_n(low: str, end: int) -> bool:
    code = ord(low[end - 1]) - 0xAC00 if end else -1
    return 0 <= code < 11172 and code % 28 == _N_FINAL


def _kind(match: re.Match[str]) -> Join:
    if match.group("then") is not None:
        return "then"
    return "list" if match.group("list") is not None else "and"


def _cut(text: Text) -> list[_Piece]:
    pieces: list[_Piece] = []
    start, join = 0, None
    for match in _JOINS.finditer(text.low):
        if match.group("adnominal") is not None and not _ends_in_n(text.low, match.start()):
            continue  # "payment 다음 버전": 다음 means "next" here
        chunk = text.raw[start : match.start()]
        if chunk.strip():
            pieces.append(_Piece(prepare(chunk), join))
            join = _kind(match)
        start = match.end()
    pieces.append(_Piece(prepare(text.raw[start:]), join))
    return pieces


@dataclass(frozen=True, slots=True)
class _Borrowing:
    """A piece without a command word: the app it names, and its count, version and place."""

    reading: Reading
    targets: Targets
    version: slots.Found | None


def _borrowing(text: Text, reading: Reading, catalog: AppCatalog) -> _Borrowing | None:
    """The piece as "cart", "cart to 5", "cart 1.3.0", "cart in prod", "payment하고"; else None."""
    pick = reading.pick
    if pick is None or not pick.match.known or len(text.tokens) > _MAX_BORROWING_TOKENS:
        return None
    targets = read_targets(text, catalog)
    version = slots.version(text.raw)
    places = [*targets.spans(), *([(version.start, version.end)] if version else [])]
    for token in text.tokens:
        if token.hangul or token.text in pick.words or token.text in NOT_APP_NAMES:
            continue
        if token.text.isdigit() or any(a <= token.start < b for a, b in places):
            continue
        return None
    return _Borrowing(reading, targets, version)


def _lend(donor: Intent, piece: Text, borrowing: _Borrowing) -> Intent | None:
    """The donor's command for the piece's app, count, version and place; None if it does
    not fit (a version for a command that takes none)."""
    pick = borrowing.reading.pick
    assert pick is not None
    changes: dict[str, object] = {
        "app": pick.match.name,
        "app_known": True,
        "app_guessed_from": pick.guessed_from(piece),
        "used_context": False,
    }
    if borrowing.version is not None:
        if donor.name not in _VERSIONED:
            return None
        changes.update(version=borrowing.version.value, revision=None)
    if donor.name is IntentName.SCALE:
        replicas, delta = slots.scale_numbers(piece.num)
        if replicas is not None or delta is not None:
            changes.update(replicas=replicas, delta=delta)
    for slot in ("cluster", "namespace"):
        found = getattr(borrowing.targets, slot)
        if found is not None:
            changes[slot] = found.value
    return replace(donor, **changes)  # type: ignore[arg-type]


def _share_back(donor: Intent, borrowed: Intent) -> Intent:
    """ "scale payment and cart to 3", "restart payment and cart in prod": what the borrowing
    piece adds at the end counts for the command it borrowed, where that said nothing."""
    changes: dict[str, object] = {}
    if donor.name is IntentName.SCALE and donor.replicas is None and donor.delta is None:
        changes.update(replicas=borrowed.replicas, delta=borrowed.delta)
    if donor.cluster is None and donor.namespace is None:
        changes.update(cluster=borrowed.cluster, namespace=borrowed.namespace)
    return replace(donor, **changes) if changes else donor  # type: ignore[arg-type]


def _merge(first: Intent, second: Intent) -> Intent | None:
    """One command when both pieces say parts of it ("to 5 replicas, scale payment")."""
    if first.name is not second.name:
        return None
    a, b = first.slots(), second.slots()
    if any(a[key] != b[key] for key in a.keys() & b.keys()):
        return None
    if "app" in b:
        b.update(app_known=second.app_known, app_guessed_from=second.app_guessed_from)
    return replace(first, **b)


def _negation_scope(pieces: list[_Piece], negated: list[bool]) -> list[bool]:
    """Which pieces a negation covers: its own, and those it reaches over "and" — forward
    from an English negation ("don't X and Y"), backward from a Korean one ("X하고 Y하지 마")."""
    scoped = list(negated)
    for index, own in enumerate(negated):
        if not own:
            continue
        if pieces[index].text.language == "en":
            after = index + 1
            while after < len(pieces) and pieces[after].join == "and":
                scoped[after] = True
                after += 1
        else:
            before = index
            while before > 0 and pieces[before].join == "and":
                scoped[before - 1] = True
                before -= 1
    return scoped


def _fill_apps(commands: list[Intent]) -> list[Intent]:
    """A command without an app takes the one of the step before it, else after it."""
    filled = list(commands)
    for index, command in enumerate(filled):
        if command.name not in APP_INTENTS or command.app is not None:
            continue
        around = [*filled[index - 1 :: -1], *filled[index + 1 :]] if index else filled[1:]
        donor = next((c for c in around if c.app), None)
        if donor is not None:
            filled[index] = replace(command, app=donor.app, app_known=donor.app_known)
    return filled


def _read_pieces(
    pieces: list[_Piece], catalog: AppCatalog, previous: Intent | None
) -> list[tuple[Reading, _Borrowing | None]] | None:
    read: list[tuple[Reading, _Borrowing | None]] = []
    before = previous
    for piece in pieces:
        reading = read_clause(piece.text, catalog, before)
        if reading.verb:
            read.append((reading, None))
            before = reading.command
            continue
        borrowing = _borrowing(piece.text, reading, catalog)
        if borrowing is None:
            return None
        read.append((reading, borrowing))
    return read if any(reading.verb for reading, _ in read) else None


def _commands(
    pieces: list[_Piece], read: list[tuple[Reading, _Borrowing | None]]
) -> tuple[list[Intent], list[bool]] | None:
    """Each piece's command, and whether it holds a negation (its own or its donor's)."""
    commands = [reading.command for reading, _ in read]
    negated = [reading.negated for reading, _ in read]
    verbs = [i for i, (reading, _) in enumerate(read) if reading.verb]
    for index, (_reading, borrowing) in enumerate(read):
        if borrowing is None:
            continue
        earlier = [i for i in verbs if i < index]
        later = [i for i in verbs if i > index]
        # Korean puts the verb last ("payment하고 cart 재시작해줘"): borrow from after.
        prefer_later = pieces[index].text.language == "ko" or not earlier
        source = later[0] if prefer_later and later else earlier[-1]
        lent = _lend(read[source][0].command, pieces[index].text, borrowing)
        if lent is None:
            return None
        commands[index] = lent
        commands[source] = _share_back(commands[source], lent)
        negated[index] = negated[index] or read[source][0].negated
    return _fill_apps(commands), negated


def read_steps(text: Text, catalog: AppCatalog, previous: Intent | None) -> tuple[Intent, ...]:
    """The steps of a message of two or more commands; empty when it is one command."""
    low = text.low
    if not any(hint in low for hint in _JOIN_HINTS):
        return ()
    if not _JOINS.search(low) or create_issue_match(low, text.language):
        return ()
    if markers.asks_about_the_past(low) or _PROGRESSIVE.search(low):
        return ()  # "who scaled payment and restarted cart?" is one question
    pieces = _cut(text)
    read = _read_pieces(pieces, catalog, previous) if len(pieces) > 1 else None
    found = _commands(pieces, read) if read is not None else None
    if read is None or found is None:
        return ()
    commands, own_negation = found
    merged: list[tuple[int, Intent]] = []
    for index, command in enumerate(commands):
        joined = _merge(merged[-1][1], command) if merged else None
        if joined is not None:
            merged[-1] = (merged[-1][0], joined)
        else:
            merged.append((index, command))
    if len(merged) < 2:
        return ()
    negated = _negation_scope(pieces, own_negation)
    steps = []
    for index, command in merged:
        # Each step is judged again as filled in: its own leftovers, the negation over it.
        reading, borrowing = read[index]
        unclear = reading.intent.unclear if borrowing is None else ()
        step = replace(command, language=text.language)
        steps.append(
            safety.guard(step, negated=negated[index], about_the_past=False, unclear=unclear)
        )
    return tuple(steps)
