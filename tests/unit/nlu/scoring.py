"""How a parse is scored against an expectation, as `shared/corpus/score_parse.py` scores it:
only the keys the expectation names are compared, steps in order and each by its own keys,
durations by seconds, issue types and statuses without case."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

#: The apps a case is parsed with when it names none (the sample team's).
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


def read_cases(path: Path) -> list[dict[str, Any]]:
    lines = path.read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines if line.strip()]


def _seconds(duration: object) -> int | None:
    if not isinstance(duration, str):
        return None
    return sum(int(n) * UNIT_SECONDS[u] for n, u in re.findall(r"(\d+)([smhdw])", duration))


def same(key: str, want: Any, got: Any) -> bool:
    if key == "steps":
        return (
            isinstance(got, list)
            and len(got) == len(want)
            and all(
                isinstance(g, dict) and all(same(k, v, g.get(k)) for k, v in w.items())
                for w, g in zip(want, got, strict=True)
            )
        )
    if key == "duration":
        return _seconds(want) == _seconds(got)
    if key in ("issue_type", "status"):
        return isinstance(got, str) and want.lower() == got.lower()
    if key == "summary":
        return isinstance(got, str) and want.strip() == got.strip()
    return bool(want == got)


def wrong_keys(expect: dict[str, Any], got: dict[str, Any]) -> dict[str, Any]:
    """The expected keys the parse got wrong, with what it gave instead."""
    return {key: got.get(key) for key, want in expect.items() if not same(key, want, got.get(key))}
