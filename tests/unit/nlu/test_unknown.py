"""Off-topic text is `unknown`, with the likeliest commands when a word looks like one."""

from __future__ import annotations

import pytest

from bot.intents import IntentName
from bot.nlu import AppCatalog, missing_slots, parse, question_key, suggest_commands

CATALOG = AppCatalog.from_names(["payment", "cart", "order-service"])


@pytest.mark.parametrize(
    "text",
    [
        "what's the weather in Seoul?",
        "order me a pizza",
        "점심 뭐 먹지?",
        "오늘 날씨 어때?",
        "tell me a joke",
        "thanks!",
        "good morning",
        "I love pizza",
        "배고파",
        "",
        "   ",
        "🙂",
    ],
)
def test_off_topic(text: str) -> None:
    assert parse(text, CATALOG).name is IntentName.UNKNOWN


def test_suggestions_for_misspelt_commands() -> None:
    assert suggest_commands("restrat")[0] is IntentName.RESTART
    assert suggest_commands("depoly the thing")[0] is IntentName.DEPLOY
    assert suggest_commands("롤백좀")[0] is IntentName.ROLLBACK
    assert suggest_commands("order me a pizza") == ()
    unknown = parse("depolyy thing", CATALOG)
    assert unknown.name is IntentName.UNKNOWN
    assert unknown.suggestions[0] is IntentName.DEPLOY


def test_a_typo_verb_beside_a_known_app_is_understood() -> None:
    intent = parse("restrat payment", CATALOG)
    assert (intent.name, intent.app) == ("restart", "payment")


@pytest.mark.parametrize(
    ("text", "missing", "key"),
    [
        ("scale payment", ("replicas",), "nlu_ask_replicas"),
        ("scale payment to 3", (), None),
        ("add 2 payment pods", (), None),
        ("rollback", ("app",), "nlu_ask_app"),
        ("deploy payment", ("version",), "nlu_ask_version"),
        ("silence HighLatency", ("duration",), "nlu_ask_duration"),
        ("assign PAY-3", ("assignee",), "nlu_ask_assignee"),
        ("status", (), None),
        ("order me a pizza", (), "nlu_unknown"),
    ],
)
def test_missing_slots(text: str, missing: tuple[str, ...], key: str | None) -> None:
    intent = parse(text, CATALOG)
    assert missing_slots(intent) == missing
    assert question_key(intent) == key


def test_question_keys_exist_in_both_languages() -> None:
    from bot.i18n.nlu import MESSAGES

    for slot in (
        "app",
        "replicas",
        "version",
        "summary",
        "issue",
        "status",
        "assignee",
        "alert",
        "duration",
    ):
        assert set(MESSAGES[f"nlu_ask_{slot}"]) == {"en", "ko"}
    assert all(key.startswith("nlu_") for key in MESSAGES)


def test_a_real_word_is_not_a_typo_of_a_command() -> None:
    intent = parse("start payment", CATALOG)
    assert intent.name is IntentName.UNKNOWN
    assert IntentName.RESTART in intent.suggestions


def test_an_app_alone_suggests_what_to_ask_about_it() -> None:
    intent = parse("payment", CATALOG)
    assert intent.name is IntentName.UNKNOWN
    assert intent.suggestions == (IntentName.STATUS, IntentName.LOGS, IntentName.HISTORY)
