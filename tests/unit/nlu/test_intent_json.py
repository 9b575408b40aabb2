"""The JSON form of an intent is one contract: `kuber parse` prints it, and the dispatcher
stores and reads it back (`Intent.from_json`), nested steps and refusals included."""

from __future__ import annotations

import pytest

from bot.intents import MUTATING, Intent, IntentName
from bot.nlu import AppCatalog, parse

CATALOG = AppCatalog.from_names(["payment", "cart"], clusters=["prod"])


@pytest.mark.parametrize(
    "text",
    [
        "scale payment to 3 and restart cart",
        "don't restart payment",
        "restart payment 3",
        "roll back payment to 1.0.0 in prod",
        "scale paymnet to 4",
        "payment 4개로 늘리고 cart 재시작하지 마",
        "undo the last change",
        "cancel that",
    ],
)
def test_round_trip(text: str) -> None:
    intent = parse(text, CATALOG)
    back = Intent.from_json(intent.to_json())
    assert back.to_json() == intent.to_json()
    assert back.mutating == intent.mutating


def test_nested_intents_carry_no_language_of_their_own() -> None:
    data = parse("scale payment to 3 and restart cart", CATALOG).to_json()
    assert data == {
        "intent": "sequence",
        "steps": [
            {"intent": "scale", "app": "payment", "replicas": 3},
            {"intent": "restart", "app": "cart"},
        ],
        "lang": "en",
    }


def test_a_sequence_is_mutating_when_a_step_is() -> None:
    assert parse("scale payment to 3 and restart cart", CATALOG).mutating
    assert not parse("show payment logs and cart status", CATALOG).mutating
    assert IntentName.SEQUENCE not in MUTATING


def test_new_intents_and_their_categories() -> None:
    assert {IntentName.UNDO, IntentName.UNSILENCE} <= MUTATING
    for name in (IntentName.CANCEL, IntentName.BUILDS, IntentName.DIAGNOSE):
        assert name not in MUTATING
    refused = parse("don't restart payment", CATALOG)
    assert (refused.name, refused.mutating) == (IntentName.UNKNOWN, False)
    assert refused.negated is not None
    assert refused.negated.mutating
