"""Numbers in words and digits, English and Korean; targets versus changes for scale."""

from __future__ import annotations

import pytest

from bot.nlu import AppCatalog, parse
from bot.nlu.numbers import parse_int, rewrite_numbers

CATALOG = AppCatalog.from_names(["payment", "cart", "frontend"])


@pytest.mark.parametrize(
    ("word", "value"),
    [
        ("zero", 0),
        ("one", 1),
        ("seven", 7),
        ("twelve", 12),
        ("twenty", 20),
        ("twenty-five", 25),
        ("thirty one", 31),
        ("하나", 1),
        ("둘", 2),
        ("다섯", 5),
        ("열", 10),
        ("열다섯", 15),
        ("42", 42),
        ("banana", None),
    ],
)
def test_parse_int(word: str, value: int | None) -> None:
    assert parse_int(word) == value


@pytest.mark.parametrize(
    ("text", "rewritten"),
    [
        ("run three copies", "run 3 copies"),
        ("a couple more", "2 more"),
        ("두 개 더", "2 개 더"),
        ("한 개", "1 개"),
        ("세 개로", "3 개로"),
        ("네 개", "4 개"),
        ("스무 개", "20 개"),
        ("한시간", "1시간"),
        ("삼십 분", "30 분"),
        # 네 is also "yes" and 이 a particle: without a counter they stay words.
        ("네 알겠어요", "네 알겠어요"),
        ("이 앱", "이 앱"),
        ("someone", "someone"),
    ],
)
def test_rewrite_numbers(text: str, rewritten: str) -> None:
    assert rewrite_numbers(text) == rewritten


@pytest.mark.parametrize(
    ("text", "replicas", "delta"),
    [
        ("run payment app ×3", 3, None),
        ("scale payment x3", 3, None),
        ("scale payment *3", 3, None),
        ("scale payment 3x", 3, None),
        ("scale payment to 4", 4, None),
        ("scale payment to zero", 0, None),
        ("run three copies of cart", 3, None),
        ("scale cart to twenty", 20, None),
        ("add 2 more payment pods", None, 2),
        ("add 2 payment pods", None, 2),
        ("a couple more cart pods", None, 2),
        ("scale up payment by 2", None, 2),
        ("scale down payment by 1", None, -1),
        ("2 fewer cart pods", None, -2),
        ("payment 하나 줄여줘", None, -1),
        ("payment 두 개 더 띄워줘", None, 2),
        ("payment 하나 더", None, 1),
        ("payment 5개로 늘려줘", 5, None),
        ("payment 5개로 줄여줘", 5, None),
        ("payment 3개 추가해줘", None, 3),
        ("payment 2대", 2, None),
        ("payment 파드1개 실행", 1, None),
        ("payment 열 개로", 10, None),
        ("stop payment", 0, None),
        ("payment 중지해줘", 0, None),
        ("payment 내려줘", 0, None),
    ],
)
def test_scale_numbers(text: str, replicas: int | None, delta: int | None) -> None:
    intent = parse(text, CATALOG)
    assert (intent.name, intent.app, intent.replicas, intent.delta) == (
        "scale",
        "payment" if "payment" in text else "cart",
        replicas,
        delta,
    )


def test_scale_without_number_keeps_the_slots_found() -> None:
    intent = parse("scale payment", CATALOG)
    assert (intent.name, intent.app, intent.replicas, intent.delta) == (
        "scale",
        "payment",
        None,
        None,
    )


@pytest.mark.parametrize(
    ("text", "revision"),
    [
        ("roll back cart to revision 4", 4),
        ("rollback cart rev 3", 3),
        ("cart 리비전 2로 되돌려줘", 2),
        ("cart 4번 리비전으로 롤백", 4),
        ("rollback cart", None),
    ],
)
def test_revisions(text: str, revision: int | None) -> None:
    assert parse(text, CATALOG).revision == revision


@pytest.mark.parametrize(
    ("text", "lines"),
    [
        ("last 100 lines of cart logs", 100),
        ("tail 20 cart", 20),
        ("cart 로그 50줄", 50),
        ("cart logs for the last 5 minutes", None),
        ("logs cart", None),
    ],
)
def test_log_lines(text: str, lines: int | None) -> None:
    intent = parse(text, CATALOG)
    assert (intent.name, intent.lines) == ("logs", lines)
