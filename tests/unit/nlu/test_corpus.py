"""The shared sample corpus must parse completely, line by line, as `kuber parse` scores it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from bot.nlu import AppCatalog, parse
from tests.unit.nlu.scoring import DEFAULT_APPS, read_cases, wrong_keys

CORPUS = Path(__file__).resolve().parents[3].parent / "shared/corpus/commands.sample.jsonl"
CASES = read_cases(CORPUS) if CORPUS.exists() else []


@pytest.mark.skipif(not CASES, reason=f"sample corpus not found at {CORPUS}")
@pytest.mark.parametrize("case", CASES, ids=[case["text"] for case in CASES])
def test_sample_line(case: dict[str, Any]) -> None:
    catalog = AppCatalog.from_names(case.get("apps", DEFAULT_APPS))
    got = parse(case["text"], catalog, None).to_json()
    assert not wrong_keys(case["expect"], got), f"want {case['expect']}, got {got}"
