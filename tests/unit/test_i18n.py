"""Every message Kuber can say exists in English and Korean, and every key the code names is
in the catalog: a missing one would show a raw key to a person."""

from __future__ import annotations

import ast
import re
import string
from pathlib import Path

import pytest

from bot.i18n import CATALOG, translate
from bot.registry import GROUPS

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(
    r"^(wl|k8s|nlu|plan|policy|chat|help|button|app|target|not|internal|try|ask|diag|seq|undo|prom|slo)_[a-z0-9_]+$"
)


def keys_named_in_code() -> set[str]:
    found: set[str] = set()
    for folder in ("bot", "commands", "integrations"):
        for path in (ROOT / folder).rglob("*.py"):
            if "sandbox" in path.parts or "migrations" in path.parts:
                continue
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                # Mapping look-ups and event names are not messages ("app_mention").
                func = getattr(node, "func", None)
                if isinstance(func, ast.Attribute) and func.attr in ("get", "event", "pop"):
                    continue
                if isinstance(node, ast.Call):
                    for arg in node.args[:2]:
                        text = arg.value if isinstance(arg, ast.Constant) else None
                        if isinstance(text, str) and KEY.match(text):
                            found.add(text)
    return found


def test_every_key_the_code_names_is_in_the_catalog() -> None:
    named = keys_named_in_code()
    assert len(named) > 50
    assert sorted(named - CATALOG.keys()) == []


@pytest.mark.parametrize("key", sorted(CATALOG))
def test_every_message_reads_in_both_languages_with_the_same_placeholders(key: str) -> None:
    entry = CATALOG[key]
    assert entry.get("en"), f"{key} has no English"
    assert entry.get("ko"), f"{key} has no Korean"

    def fields(text: str) -> set[str]:
        return {name for _, name, _, _ in string.Formatter().parse(text) if name}

    assert fields(entry["en"]) == fields(entry["ko"])


@pytest.mark.parametrize("status", ["approved", "cancelled", "expired", "done", "failed"])
def test_every_plan_status_has_an_answer(status: str) -> None:
    assert f"plan_already_{status}" in CATALOG


@pytest.mark.parametrize("group", GROUPS)
def test_every_help_group_has_a_title(group: str) -> None:
    assert f"help_group_{group}" in CATALOG


def test_a_missing_placeholder_value_shows_its_name_rather_than_failing() -> None:
    assert translate("en", "wl_plan_scale", app="payment").startswith("Scale payment in {where}")
