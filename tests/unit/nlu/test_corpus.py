"""The shared sample corpus must parse completely, line by line, as `kuber parse` scores it."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from bot.nlu import AppCatalog, parse

CORPUS = Path(__file__).resolve().parents[3].parent / "shared/corpus/commands.sample.jsonl"
DEFAULT_APPS = [
    "payment",
    "marvel-collection",
    "cart",
    "user-api",
    "order-service",
    "frontend",
    "auth",
]
UNIT_SECONDS = {"s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}


def _cases() -> list[dict[str, Any]]:
    if not CORPUS.exists():
        return []
    lines = CORPUS.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _seconds(duration: object) -> int | None:
    if not isinstance(duration, str):
        return None
    return sum(int(n) * UNIT_SECONDS[u] for n, u in re.findall(r"(\d+)([smhdw])", duration))


def _same(key: str, want: Any, got: Any) -> bool:
    # The scorer's rules: durations by seconds, issue types and statuses without case.
    if key == "duration":
        return _seconds(want) == _seconds(got)
    if key in ("issue_type", "status"):
        return isinstance(got, str) and want.lower() == got.lower()
    if key == "summary":
        return isinstance(got, str) and want.strip() == got.strip()
    return bool(want == got)


CASES = _cases()


@pytest.mark.skipif(not CASES, reason=f"sample corpus not found at {CORPUS}")
@pytest.mark.parametrize("case", CASES, ids=[case["text"] for case in CASES])
def test_sample_line(case: dict[str, Any]) -> None:
    catalog = AppCatalog.from_names(case.get("apps", DEFAULT_APPS))
    got = parse(case["text"], catalog, None).to_json()
    wrong = {
        key: got.get(key)
        for key, want in case["expect"].items()
        if not _same(key, want, got.get(key))
    }
    assert not wrong, f"want {case['expect']}, got {got}"
