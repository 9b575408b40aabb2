"""Context that stays true: it is forgotten when old, it points only at apps that exist, and
the answer to a clarifying question fills that question's slot of that command."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.intents import IntentName
from bot.nlu import AppCatalog, awaiting_answer, parse
from bot.nlu.context import CONTEXT_MAX_AGE

CATALOG = AppCatalog.from_names(["payment", "cart", "frontend"])
NOW = datetime(2025, 3, 1, 12, 0, tzinfo=UTC)


def test_fresh_context_is_used_and_old_context_forgotten() -> None:
    scaled = parse("scale payment to 3", CATALOG)
    recent = NOW - timedelta(minutes=1)
    old = NOW - CONTEXT_MAX_AGE - timedelta(seconds=1)
    assert parse("restart it", CATALOG, scaled, previous_at=recent, now=NOW).app == "payment"
    forgotten = parse("restart it", CATALOG, scaled, previous_at=old, now=NOW)
    assert (forgotten.app, forgotten.used_context) == (None, False)
    assert parse("to 5", CATALOG, scaled, previous_at=old, now=NOW).name is IntentName.UNKNOWN


def test_a_follow_up_never_points_at_an_app_that_does_not_exist() -> None:
    gone = parse("scale checkout to 3", CATALOG)  # not an app of this team
    assert (gone.app, gone.app_known) == ("checkout", False)
    assert parse("restart it", CATALOG, gone).app is None
    assert parse("again", CATALOG, gone).name is IntentName.UNKNOWN
    assert parse("to 5", CATALOG, gone).name is IntentName.UNKNOWN
    smaller = AppCatalog.from_names(["cart"])  # payment was removed since
    assert parse("restart it", smaller, parse("scale payment to 3", CATALOG)).app is None


def test_the_answer_to_which_app_fills_the_question_not_an_earlier_command() -> None:
    parse("deploy payment 1.4.2", CATALOG)  # the channel's earlier command
    asked = parse("Roll back to revision 3", CATALOG)
    assert (asked.name, asked.app, asked.revision) == (IntentName.ROLLBACK, None, 3)
    remembered = awaiting_answer(asked)
    assert remembered.awaiting == "app"
    answered = parse("cart", CATALOG, remembered)
    assert (answered.name, answered.app, answered.revision) == (IntentName.ROLLBACK, "cart", 3)
    assert (answered.awaiting, answered.used_context) == (None, True)


def test_answers_fill_other_slots() -> None:
    scale = awaiting_answer(parse("scale payment", CATALOG))
    assert scale.awaiting == "replicas"
    assert parse("4", CATALOG, scale).replicas == 4
    assert parse("4개", CATALOG, scale).replicas == 4
    deploy = awaiting_answer(parse("deploy cart", CATALOG))
    assert parse("v2.0.1", CATALOG, deploy).version == "v2.0.1"
    typo = parse("paymnet", CATALOG, awaiting_answer(parse("restart", CATALOG)))
    assert (typo.app, typo.app_guessed_from) == ("payment", "paymnet")


def test_a_new_command_is_not_taken_for_an_answer() -> None:
    asked = awaiting_answer(parse("Roll back to revision 3", CATALOG))
    other = parse("restart frontend", CATALOG, asked)
    assert (other.name, other.app, other.revision) == (IntentName.RESTART, "frontend", None)
    refused = parse("don't", CATALOG, asked)
    assert not refused.mutating


def test_a_sequence_is_remembered_by_its_last_step() -> None:
    both = parse("scale payment to 3 and restart cart", CATALOG)
    assert both.name is IntentName.SEQUENCE
    assert parse("restart it", CATALOG, both).app == "cart"
