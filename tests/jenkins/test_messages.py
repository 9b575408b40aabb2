"""Every message key the build code names is in the catalog, in English and Korean (the
catalog-wide checks of `tests/unit/test_i18n.py` cover the placeholders)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from bot.i18n import CATALOG

ROOT = Path(__file__).resolve().parents[2]
KEY = re.compile(r"^(jenkins|build|builds)_[a-z0-9_]+$")


def test_every_build_message_key_is_in_both_languages() -> None:
    named: set[str] = set()
    for path in ("commands/builds.py", "integrations/jenkins.py"):
        tree = ast.parse((ROOT / path).read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            value = node.value if isinstance(node, ast.Constant) else None
            if isinstance(value, str) and KEY.match(value):
                named.add(value)
    assert len(named) > 40
    missing = sorted(key for key in named if key not in CATALOG)
    assert missing == []
    assert all(CATALOG[key].get("ko") for key in named)
