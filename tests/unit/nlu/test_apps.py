"""App names: exact, case, typos, spaces for hyphens, aliases; far names pass through unchanged."""

from __future__ import annotations

import pytest

from bot.nlu import AppCatalog, AppMatch, parse

APPS = ["payment", "marvel-collection", "cart", "user-api", "order-service", "frontend", "auth"]
CATALOG = AppCatalog.from_names(APPS, aliases={"pay": "payment", "결제": "payment"})


@pytest.mark.parametrize(
    ("word", "name"),
    [
        ("payment", "payment"),
        ("Payment", "payment"),
        ("PAYMENT", "payment"),
        ("paymnet", "payment"),
        ("paymetn", "payment"),
        ("frontned", "frontend"),
        ("crat", "cart"),
        ("user api", "user-api"),
        ("user_api", "user-api"),
        ("userapi", "user-api"),
        ("marvel collection", "marvel-collection"),
        ("marvel-colection", "marvel-collection"),
        ("pay", "payment"),
        ("결제", "payment"),
        ("carts", "cart"),
    ],
)
def test_resolves_to_a_known_app(word: str, name: str) -> None:
    match = CATALOG.resolve(word)
    assert match is not None
    assert (match.name, match.known) == (name, True)


@pytest.mark.parametrize("word", ["checkout", "inventory", "care", "author", "oauth"])
def test_far_names_pass_through(word: str) -> None:
    assert CATALOG.resolve(word) == AppMatch(word, False, CATALOG.resolve(word).score)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "word", ["the", "pods", "app", "instances", "copies", "3", "1.4.2", "x3", "2h"]
)
def test_ordinary_words_are_not_apps(word: str) -> None:
    assert CATALOG.resolve(word) is None


def test_suggest() -> None:
    small = AppCatalog.from_names(["payment", "cart"])
    assert small.suggest("checkout", limit=3) == []  # far from both: no forced guess
    assert small.suggest("carts", limit=3) == ["cart"]
    assert CATALOG.suggest("paymnt", limit=1) == ["payment"]
    assert AppCatalog.from_names([]).suggest("x") == []


def test_names_and_cache() -> None:
    assert CATALOG.names == tuple(APPS)
    assert AppCatalog.from_names(APPS, aliases={"pay": "payment", "결제": "payment"}) is CATALOG


@pytest.mark.parametrize(
    ("text", "app", "known"),
    [
        ("scale paymnet to 3", "payment", True),
        ("restart the user api", "user-api", True),
        ("restart marvel collection pods", "marvel-collection", True),
        ("restart PAYMENT", "payment", True),
        ("restart pay", "payment", True),
        ("결제 재시작", "payment", True),
        ("scale checkout to 3", "checkout", False),
        ("restart the app", None, True),
        ("restart 3 instances", None, True),
        ("restart pods", None, True),
        ("payment 앱 재시작", "payment", True),
        ("파드 재시작", None, True),
    ],
)
def test_app_in_a_command(text: str, app: str | None, known: bool) -> None:
    intent = parse(
        text,
        AppCatalog.from_names(
            ["payment", "cart", "user-api", "marvel-collection"],
            aliases={"pay": "payment", "결제": "payment"},
        ),
    )
    assert (intent.app, intent.app_known) == (app, known)
