"""Two small builders the grammar modules share: whole English words, and alternatives.

Kept apart so `grammar`, `questions`, `undoing` and `markers` can each compile their own
patterns without importing one another.
"""

from __future__ import annotations

import re


def en_words(*words: str) -> str:
    """Whole English words: no Latin letter or digit may touch either side."""
    return r"(?<![a-z0-9])(?:" + "|".join(words) + r")(?![a-z0-9])"


def any_of(*parts: str) -> re.Pattern[str]:
    return re.compile("|".join(parts))
