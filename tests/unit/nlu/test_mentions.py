"""The bot's own name, in every form people type it, is not part of the command."""

from __future__ import annotations

import pytest

from bot.nlu import AppCatalog, parse
from bot.nlu.normalize import strip_bot_name

CATALOG = AppCatalog.from_names(["payment", "cart"])


@pytest.mark.parametrize(
    "text",
    [
        "kuber restart cart",
        "Kuber restart cart",
        "kuber, restart cart",
        "KUBER: restart cart",
        "@kuber restart cart",
        "<@U012ABC> restart cart",
        "<@U012ABC|kuber> restart cart",
        "/kuber restart cart",
        "hey kuber, restart cart",
        "쿠버야 cart 재시작해줘",
        "쿠버 cart 재시작해줘",
        "쿠버님 cart 재시작해줘",
        "restart cart kuber",
    ],
)
def test_bot_name_is_ignored(text: str) -> None:
    intent = parse(text, CATALOG)
    assert (intent.name, intent.app, intent.app_known) == ("restart", "cart", True)


def test_a_later_mention_is_a_person() -> None:
    intent = parse("<@U012ABC> assign PAY-3 to <@U999XYZ>", CATALOG)
    assert (intent.name, intent.issue, intent.assignee) == ("assign", "PAY-3", "<@U999XYZ>")


@pytest.mark.parametrize(
    ("text", "rest"),
    [("kuber, help", "help"), ("쿠버야 도움말", "도움말"), ("/kuber status", "status")],
)
def test_strip_bot_name(text: str, rest: str) -> None:
    assert strip_bot_name(text) == rest
