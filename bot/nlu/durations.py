"""Spoken durations -> the Prometheus form Alertmanager takes (30m, 2h, 1d, 1h30m).

It reads text whose number words are already digits (`numbers.rewrite_numbers`) and keeps the
units people used ("90 minutes" stays 90m); it never guesses a duration that was not said.
"""

from __future__ import annotations

import re

_UNIT_WORDS = {
    "w": ("weeks", "week", "wks", "wk", "w", "주일", "주"),
    "d": ("days", "day", "d", "일"),
    "h": ("hours", "hour", "hrs", "hr", "h", "시간"),
    "m": ("minutes", "minute", "mins", "min", "m", "분"),
    "s": ("seconds", "second", "secs", "sec", "s", "초"),
}
_UNIT_OF = {word: unit for unit, words in _UNIT_WORDS.items() for word in words}
_SECONDS = {"w": 604800, "d": 86400, "h": 3600, "m": 60, "s": 1}
_UNIT_ALT = "|".join(sorted(_UNIT_OF, key=len, reverse=True))

# A unit is a whole word: "3 more" must not read as three minutes.
_PART = r"(\d+(?:\.\d+)?)\s*(" + _UNIT_ALT + r")(?![a-z])"
_PART_BARE = r"\d+(?:\.\d+)?\s*(?:" + _UNIT_ALT + r")(?![a-z])"
_DURATION = re.compile(
    r"(?<![\w.])"
    + _PART_BARE
    + r"(?:\s*(?:and\s+)?"
    + _PART_BARE
    + r")*(?P<half>\s*(?:and\s+a\s+half|반(?![가-힣])))?"
)
_PART_RE = re.compile(_PART)

_SPECIAL = (
    (re.compile(r"half\s+(?:an?|1)\s+hour"), "30m"),
    (re.compile(r"half\s+(?:a|1)\s+day"), "12h"),
    (re.compile(r"(?<![가-힣])반\s*나절"), "4h"),
    (re.compile(r"(?<![가-힣])하루"), "1d"),
    (re.compile(r"(?<![가-힣])이틀"), "2d"),
    (re.compile(r"(?<![가-힣])사흘"), "3d"),
    (re.compile(r"(?<![가-힣])나흘"), "4d"),
    (re.compile(r"(?<![가-힣])일주일"), "1w"),
    (re.compile(r"(?<![가-힣])한\s*주"), "1w"),
    (re.compile(r"(?<![a-z])overnight(?![a-z])"), "12h"),
)


def _format(parts: list[tuple[float, str]], half: bool) -> str:
    if half and parts:
        # "an hour and a half" -> 1h30m: the half goes one unit down, where it is whole.
        unit = parts[-1][1]
        smaller = {"w": ("d", 3.5), "d": ("h", 12), "h": ("m", 30), "m": ("s", 30)}
        if unit in smaller:
            parts.append((smaller[unit][1], smaller[unit][0]))
    if all(value == int(value) for value, _ in parts):
        return "".join(f"{int(value)}{unit}" for value, unit in parts)
    # Prometheus takes no fractions: 1.5 hours -> 90m, 1.5 days -> 36h.
    seconds = sum(value * _SECONDS[unit] for value, unit in parts)
    for unit in ("d", "h", "m", "s"):
        if seconds % _SECONDS[unit] == 0:
            return f"{int(seconds // _SECONDS[unit])}{unit}"
    return f"{int(seconds)}s"


def find_duration(text: str) -> str | None:
    """The first duration in `text`, or None. `1 시간 30분` -> `1h30m`, `90 minutes` -> `90m`."""
    for pattern, value in _SPECIAL[:2]:
        if pattern.search(text):
            return value
    match = _DURATION.search(text)
    if match:
        parts = [(float(value), _UNIT_OF[word]) for value, word in _PART_RE.findall(match.group())]
        if parts:
            return _format(parts, bool(match.group("half")))
    for pattern, value in _SPECIAL[2:]:
        if pattern.search(text):
            return value
    return None
