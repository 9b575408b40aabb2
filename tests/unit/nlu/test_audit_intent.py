"""Questions about who changed what read as `audit`, never as the change they name; the
commands and reads they resemble keep their own intents."""

from __future__ import annotations

from typing import Any

import pytest

from bot.intents import IntentName
from bot.nlu import AppCatalog, parse

APPS = ["payment", "marvel-collection", "cart", "user-api", "order-service", "frontend", "auth"]
CATALOG = AppCatalog.from_names(APPS)


@pytest.mark.parametrize(
    ("text", "app"),
    [
        ("who changed payment today?", "payment"),
        ("who scaled payment yesterday?", "payment"),
        ("who restarted cart?", "cart"),
        ("who rolled back frontend last night?", "frontend"),
        ("who rolled payment back?", "payment"),
        ("who has deployed user-api this week?", "user-api"),
        ("who's been touching marvel collection?", "marvel-collection"),
        ("did anyone change auth today?", "auth"),
        ("has somebody scaled order-service?", "order-service"),
        ("audit payment", "payment"),
        ("kuber, audit cart please", "cart"),
        ("show the audit log of frontend", "frontend"),
        ("audit trail for auth", "auth"),
        ("payment 변경 이력", "payment"),
        ("payment 변경 이력 보여줘", "payment"),
        ("payment 감사 로그", "payment"),
        ("cart 감사로그 보여줘", "cart"),
        ("payment 변경 내역 알려줘", "payment"),
        ("누가 payment 스케일했어?", "payment"),
        ("payment 누가 바꿨어?", "payment"),
        ("어제 누가 cart 재시작했어?", "cart"),
        ("쿠버야 누가 frontend 배포했지?", "frontend"),
    ],
)
def test_who_changed_an_app_is_an_audit_of_that_app(text: str, app: str) -> None:
    intent = parse(text, CATALOG)
    assert intent.to_json() == {"intent": "audit", "app": app, "lang": intent.language}


@pytest.mark.parametrize(
    "text",
    ["audit log", "show me the audit trail", "who changed things today?", "감사 로그 보여줘"],
)
def test_an_audit_without_an_app_covers_everything(text: str) -> None:
    intent = parse(text, CATALOG)
    assert intent.name is IntentName.AUDIT
    assert intent.app is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scale payment to 3", {"intent": "scale", "app": "payment", "replicas": 3}),
        ("restart cart", {"intent": "restart", "app": "cart"}),
        ("payment 로그 보여줘", {"intent": "logs", "app": "payment"}),
        ("frontend 배포 이력 보여줘", {"intent": "history", "app": "frontend"}),
        ("what changed in payment", {"intent": "history", "app": "payment"}),
        ("rollout history of payment", {"intent": "history", "app": "payment"}),
        ("who won the game last night?", {"intent": "unknown"}),
        ("감사합니다", {"intent": "unknown"}),
        ("PAY-11 완료로 변경해줘", {"intent": "transition", "issue": "PAY-11"}),
        ("누가 담당이야?", {"intent": "unknown"}),
    ],
)
def test_commands_and_reads_that_look_alike_keep_their_intent(
    text: str, expected: dict[str, Any]
) -> None:
    got = parse(text, CATALOG).to_json()
    assert {key: got.get(key) for key in expected} == expected


def test_who_changed_it_takes_the_app_talked_about_last() -> None:
    previous = parse("status of payment", CATALOG)
    intent = parse("who changed it?", CATALOG, previous=previous)
    assert (intent.name, intent.app, intent.used_context) == (IntentName.AUDIT, "payment", True)
    assert parse("who changed anything today?", CATALOG, previous=previous).app is None


def test_an_audit_names_an_unknown_app_as_written() -> None:
    intent = parse("audit billing-v2", CATALOG)
    assert (intent.name, intent.app, intent.app_known) == (IntentName.AUDIT, "billing-v2", False)
