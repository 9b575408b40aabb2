"""Korean particles, endings and politeness never leak into slot values."""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu import AppCatalog, parse
from bot.nlu.normalize import strip_particle

CATALOG = AppCatalog.from_names(["payment", "cart", "user-api"], aliases={"결제": "payment"})


@pytest.mark.parametrize(
    ("word", "stem"),
    [
        ("결제를", "결제"),
        ("결제는", "결제"),
        ("스테이징에서", "스테이징"),
        ("결제", "결제"),
        ("를", "를"),
    ],
)
def test_strip_particle(word: str, stem: str) -> None:
    assert strip_particle(word) == stem


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("payment를 재시작해줘", {"intent": "restart", "app": "payment"}),
        ("payment을 재시작 해 줘", {"intent": "restart", "app": "payment"}),
        ("cart의 로그 보여줘", {"intent": "logs", "app": "cart"}),
        ("cart는 상태 어때?", {"intent": "status", "app": "cart"}),
        ("payment가 괜찮아?", {"intent": "status", "app": "payment"}),
        ("결제를 재시작 부탁해", {"intent": "restart", "app": "payment"}),
        ("결제 앱 좀 재기동 해주세요", {"intent": "restart", "app": "payment"}),
        (
            "staging에서 cart 재시작해줘",
            {"intent": "restart", "app": "cart", "namespace": "staging"},
        ),
        (
            "staging 네임스페이스에 payment 3개 띄워줘",
            {"intent": "scale", "app": "payment", "replicas": 3, "namespace": "staging"},
        ),
        (
            "prod 클러스터에서 cart 재시작",
            {"intent": "restart", "app": "cart", "cluster": "prod"},
        ),
        (
            "스테이징 환경에 payment 1.2.0 배포해줘",
            {"intent": "deploy", "app": "payment", "version": "1.2.0", "namespace": "staging"},
        ),
        ("user-api로 로그 50줄 보여줘", {"intent": "logs", "app": "user-api", "lines": 50}),
        ("cart를 5개로 늘려 주세요", {"intent": "scale", "app": "cart", "replicas": 5}),
    ],
)
def test_particles_do_not_break_slots(text: str, expected: dict[str, Any]) -> None:
    got = parse(text, CATALOG).to_json()
    assert {key: got.get(key) for key in expected} == expected


@pytest.mark.parametrize(
    ("text", "language"),
    [("scale payment to 3", "en"), ("payment 3개로", "ko"), ("도움말", "ko"), ("help", "en")],
)
def test_language(text: str, language: str) -> None:
    assert parse(text, CATALOG).language == language
