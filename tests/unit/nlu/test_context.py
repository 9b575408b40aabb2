"""The channel's previous command fills what a follow-up leaves out, and says so."""

from __future__ import annotations

import pytest

from bot.intents import IntentName
from bot.nlu import AppCatalog, parse

CATALOG = AppCatalog.from_names(["payment", "cart", "frontend"])
SCALED = parse("scale payment to 3", CATALOG)
DEPLOYED = parse("deploy payment 1.4.2 to staging", CATALOG)


@pytest.mark.parametrize(
    ("text", "name", "replicas", "delta"),
    [
        ("now scale it to 5", "scale", 5, None),
        ("그거 5개로", "scale", 5, None),
        ("5개로", "scale", 5, None),
        ("to 5", "scale", 5, None),
        ("make it 4", "scale", 4, None),
        ("하나 더", "scale", None, 1),
        ("2 more", "scale", None, 2),
        ("scale to 6", "scale", 6, None),
        ("restart it", "restart", None, None),
        ("그거 재시작해줘", "restart", None, None),
        ("same app logs", "logs", None, None),
        ("that app 롤백", "rollback", None, None),
        ("is it healthy?", "status", None, None),
    ],
)
def test_follow_ups_act_on_the_previous_app(
    text: str, name: str, replicas: int | None, delta: int | None
) -> None:
    intent = parse(text, CATALOG, previous=SCALED)
    assert (intent.name, intent.app, intent.replicas, intent.delta) == (
        name,
        "payment",
        replicas,
        delta,
    )
    assert intent.used_context


def test_what_about_another_app_repeats_the_command() -> None:
    intent = parse("what about cart?", CATALOG, previous=SCALED)
    assert (intent.name, intent.app, intent.replicas, intent.used_context) == (
        "scale",
        "cart",
        3,
        True,
    )


def test_context_keeps_the_namespace() -> None:
    intent = parse("restart it", CATALOG, previous=DEPLOYED)
    assert (intent.app, intent.namespace, intent.used_context) == ("payment", "staging", True)


def test_a_named_app_wins_over_context() -> None:
    intent = parse("restart cart", CATALOG, previous=SCALED)
    assert (intent.app, intent.used_context) == ("cart", False)


def test_without_previous_nothing_is_invented() -> None:
    intent = parse("restart it", CATALOG)
    assert (intent.name, intent.app, intent.used_context) == ("restart", None, False)
    assert parse("to 5", CATALOG).name is IntentName.UNKNOWN


def test_a_different_command_without_pointer_does_not_borrow_the_app() -> None:
    intent = parse("rollback", CATALOG, previous=SCALED)
    assert (intent.name, intent.app, intent.used_context) == ("rollback", None, False)


def test_off_topic_follow_up_stays_unknown() -> None:
    assert parse("I have 2 kids", CATALOG, previous=SCALED).name is IntentName.UNKNOWN
    assert parse("order me a pizza", CATALOG, previous=SCALED).name is IntentName.UNKNOWN


def test_silence_and_issue_pointers() -> None:
    silenced = parse("silence HighLatency for 1h", CATALOG)
    again = parse("mute it for 2h", CATALOG, previous=silenced)
    assert (again.alert, again.duration, again.used_context) == ("HighLatency", "2h", True)
    assigned = parse("assign PAY-3 to bob", CATALOG)
    moved = parse("move it to done", CATALOG, previous=assigned)
    assert (moved.name, moved.issue, moved.status) == ("transition", "PAY-3", "Done")


def test_again_repeats() -> None:
    intent = parse("again", CATALOG, previous=SCALED)
    assert (intent.name, intent.app, intent.replicas, intent.used_context) == (
        "scale",
        "payment",
        3,
        True,
    )
