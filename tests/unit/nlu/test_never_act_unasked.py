"""No change is ever produced from a sentence that forbids it or asks about it.

For every mutating command of the shared corpus: with a negation before it ("don't ..."), the
Korean prohibition after it ("... 하지 마", "... 하면 안 돼") or turned into a question about the
past ("who ...?", "did someone ...?", "누가 ...?", "언제 ...?"), the parse is never mutating,
and no step of a sequence is. Two commands joined by "and" behind one "don't" are both refused.
"""

from __future__ import annotations

import itertools
import json
import re
from pathlib import Path

import pytest

from bot.intents import Intent, IntentName
from bot.nlu import AppCatalog, parse

CORPUS = Path(__file__).resolve().parents[3].parent / "shared/corpus/commands.sample.jsonl"
APPS = ["payment", "marvel-collection", "cart", "user-api", "order-service", "frontend", "auth"]
CATALOG = AppCatalog.from_names(APPS, clusters=["prod", "sandbox"])
_REQUEST_ENDING = re.compile(r"\s*(?:해\s*주세요|해\s*줘|해)\s*$")
_GIVING_ENDING = re.compile(r"\s*(?:주세요|줘)\s*$")


def _mutating_commands() -> list[str]:
    if not CORPUS.exists():
        return []
    texts = []
    for line in CORPUS.read_text(encoding="utf-8").splitlines():
        if line.strip():
            text = json.loads(line)["text"]
            if parse(text, CATALOG).mutating:
                texts.append(text)
    return texts


def _korean_prohibition(text: str, *, ending: str) -> str:
    """ "payment 재시작해줘" -> "payment 재시작하지 마"; "cart 늘려줘" -> "cart 늘려주지 마"."""
    bare = text.rstrip(" !.?~")
    if _REQUEST_ENDING.search(bare):
        return _REQUEST_ENDING.sub("", bare) + "하" + ending
    if _GIVING_ENDING.search(bare):
        return _GIVING_ENDING.sub("", bare) + " 주" + ending
    return bare + " 하" + ending


def _forbidden(text: str) -> list[str]:
    return [
        f"don't {text}",
        f"do not {text}",
        f"never {text}",
        _korean_prohibition(text, ending="지 마"),
        _korean_prohibition(text, ending="지 말아줘"),
        _korean_prohibition(text, ending="면 안 돼"),
    ]


def _asked(text: str) -> list[str]:
    bare = text.rstrip(" !.?~")
    return [f"who {bare}?", f"did someone {bare}?", f"누가 {bare}?", f"언제 {bare}?"]


COMMANDS = _mutating_commands()
FORBIDDEN = [variant for text in COMMANDS for variant in _forbidden(text)]
ASKED = [variant for text in COMMANDS for variant in _asked(text)]


def _changes(intent: Intent) -> list[str]:
    """The steps that would change something (`mutating` of a sequence looks at its steps)."""
    steps = intent.steps if intent.name is IntentName.SEQUENCE else (intent,)
    return [step.name.value for step in steps if step.mutating]


def test_the_corpus_has_commands_to_try() -> None:
    assert len(COMMANDS) >= 20 or not CORPUS.exists()


@pytest.mark.skipif(not COMMANDS, reason=f"sample corpus not found at {CORPUS}")
@pytest.mark.parametrize("text", FORBIDDEN)
def test_a_forbidden_command_is_never_a_change(text: str) -> None:
    intent = parse(text, CATALOG)
    assert not _changes(intent), f"{text!r} -> {intent.to_json()}"


@pytest.mark.skipif(not COMMANDS, reason=f"sample corpus not found at {CORPUS}")
@pytest.mark.parametrize("text", [f"don't {text}" for text in COMMANDS])
def test_a_refusal_names_what_will_not_be_done(text: str) -> None:
    intent = parse(text, CATALOG)
    refused = intent.steps if intent.name is IntentName.SEQUENCE else (intent,)
    assert all(step.negated is not None and step.negated.mutating for step in refused)


@pytest.mark.skipif(not COMMANDS, reason=f"sample corpus not found at {CORPUS}")
@pytest.mark.parametrize("text", ASKED)
def test_a_question_about_the_past_is_never_a_change(text: str) -> None:
    intent = parse(text, CATALOG)
    assert not _changes(intent), f"{text!r} -> {intent.to_json()}"


PAIRS = [(a, b) for a, b in itertools.pairwise(COMMANDS) if not re.search("[가-힣]", a)]


@pytest.mark.skipif(not PAIRS, reason=f"sample corpus not found at {CORPUS}")
@pytest.mark.parametrize(("first", "second"), PAIRS)
def test_one_negation_before_two_commands_refuses_both(first: str, second: str) -> None:
    for text in (f"don't {first} and {second}", f"who {first} and {second}?"):
        intent = parse(text, CATALOG)
        assert not _changes(intent), f"{text!r} -> {intent.to_json()}"
