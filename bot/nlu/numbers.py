"""Number words -> digits, in English and Korean, so numeric slots are read by one set of patterns.

It rewrites only where a word is surely a number (Korean short forms need a counter after
them, because 네 is also "yes" and 한 also "one of"); it never decides what a number means.
"""

from __future__ import annotations

import re

_EN_SMALL = {
    "zero": 0,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "thirteen": 13,
    "fourteen": 14,
    "fifteen": 15,
    "sixteen": 16,
    "seventeen": 17,
    "eighteen": 18,
    "nineteen": 19,
}
_EN_TENS = {
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "sixty": 60,
    "seventy": 70,
    "eighty": 80,
    "ninety": 90,
}
_EN_PHRASES = {
    "a couple of": 2,
    "a couple": 2,
    "a pair of": 2,
    "a dozen": 12,
    "a single": 1,
    "a hundred": 100,
}
_UNITS_AFTER_A = r"(?=\s+(?:hour|hr|day|minute|min|week|second|sec)s?(?![a-z]))"

_EN_NUMBER = re.compile(
    r"(?<![a-z0-9-])(?:"
    r"(?P<tens>"
    + "|".join(_EN_TENS)
    + r")(?:[\s-](?P<unit>"
    + "|".join(list(_EN_SMALL)[1:10])
    + r"))?"
    r"|(?P<small>" + "|".join(sorted(_EN_SMALL, key=len, reverse=True)) + r")"
    r"|(?P<phrase>" + "|".join(_EN_PHRASES) + r")"
    r"|(?P<article>an?)" + _UNITS_AFTER_A + r")(?![a-z0-9])"
)

# Native Korean numerals. Full forms (하나, 둘, 다섯) stand alone; short forms (한, 두, 세, 네)
# appear only before a counter, which is what tells "두 개" (two) from "네" (yes).
_KO_TENS = {"열": 10, "스물": 20, "스무": 20, "서른": 30, "마흔": 40, "쉰": 50}
_KO_FULL = {
    "하나": 1,
    "둘": 2,
    "셋": 3,
    "넷": 4,
    "다섯": 5,
    "여섯": 6,
    "일곱": 7,
    "여덟": 8,
    "아홉": 9,
}
_KO_SHORT = {"한": 1, "두": 2, "세": 3, "석": 3, "네": 4, "넉": 4}
_KO_COUNTER = (
    r"(?:개|대|명|줄|시간|번|파드|인스턴스|레플리카|리플리카|주|달|컨테이너"
    r"|pods?|instances?|replicas?)"
)
_KO_AFTER_FULL = r"(?=$|[^가-힣]|" + _KO_COUNTER + r"|으로|로|만|더|씩|를|을|이|가|는|은|도)"

_KO_NUMBER = re.compile(
    r"(?<![가-힣])(?:"
    r"(?P<tens>" + "|".join(_KO_TENS) + r")?"
    r"(?:(?P<full>"
    + "|".join(_KO_FULL)
    + r")"
    + _KO_AFTER_FULL
    + r"|(?P<short>"
    + "|".join(_KO_SHORT)
    + r")(?=\s?"
    + _KO_COUNTER
    + r"))"
    r"|(?P<tensonly>열|스물|스무|서른|마흔|쉰)" + _KO_AFTER_FULL + r")"
)

# Sino-Korean numerals are read only before a time unit (삼십 분, 십오 분) or a counter that
# ends its word (삼 개로, 오십 줄): elsewhere 이 is a particle and 일 a word of its own, and
# "이번", "이대로", "이 개발" are not numbers. Before a counter a lone 이 or 일 is not read
# ("이 줄" is "this line"), nor, glued to it, a lone digit that is also a word (사, 오, 구).
_SINO_DIGIT = {"일": 1, "이": 2, "삼": 3, "사": 4, "오": 5, "육": 6, "칠": 7, "팔": 8, "구": 9}
_SINO_POWER = {"십": 10, "백": 100, "천": 1000}
_SINO_COUNTED = r"(?:개|대|줄)(?=$|[^가-힣]|으로|로|만|씩|더|를|을|가|는|은|도)"
_SINO = re.compile(
    r"(?<![가-힣])("
    r"[일이삼사오육칠팔구십백천]{1,6}(?=\s?(?:분|초|시간))"
    r"|(?:[일이삼사오육칠팔구십백천]{2,6}|[삼사오육칠팔구십백천])(?=\s" + _SINO_COUNTED + r")"
    r"|(?:[일이삼사오육칠팔구십백천]{2,6}|[삼육칠팔백])(?=" + _SINO_COUNTED + r"))\s?"
)


def _english(match: re.Match[str]) -> str:
    if match.group("tens"):
        value = _EN_TENS[match.group("tens")]
        if match.group("unit"):
            value += _EN_SMALL[match.group("unit")]
        return str(value)
    if match.group("small"):
        return str(_EN_SMALL[match.group("small")])
    if match.group("phrase"):
        return str(_EN_PHRASES[match.group("phrase")])
    return "1"


def _korean(match: re.Match[str]) -> str:
    if match.group("tensonly"):
        return str(_KO_TENS[match.group("tensonly")])
    value = _KO_TENS[match.group("tens")] if match.group("tens") else 0
    if match.group("full"):
        value += _KO_FULL[match.group("full")]
    elif match.group("short"):
        value += _KO_SHORT[match.group("short")]
    return str(value)


def sino_value(word: str) -> int | None:
    """삼십 -> 30, 십오 -> 15, 이백 -> 200, 오 -> 5; None when it is not a Sino-Korean numeral."""
    total, digit, last_power = 0, 0, 10_000
    for ch in word:
        power = _SINO_POWER.get(ch)
        if power is not None:
            if power >= last_power:
                return None
            total += (digit or 1) * power
            digit, last_power = 0, power
        elif ch in _SINO_DIGIT and digit == 0:
            digit = _SINO_DIGIT[ch]
        else:
            return None
    return total + digit or None


def _sino(match: re.Match[str]) -> str:
    value = sino_value(match.group(1))
    return match.group() if value is None else f"{value} "


def rewrite_numbers(text: str) -> str:
    """`run three copies` -> `run 3 copies`; `두 개 더` -> `2 개 더`. Expects lower case."""
    text = _EN_NUMBER.sub(_english, text)
    text = _KO_NUMBER.sub(lambda m: _korean(m) if m.group() else "", text)
    return _SINO.sub(_sino, text)


def parse_int(word: str) -> int | None:
    """A single number word or digits -> int, for callers that hold one token."""
    word = word.strip().lower()
    if word.isdigit():
        return int(word)
    rewritten = rewrite_numbers(word).strip()
    return int(rewritten) if rewritten.isdigit() else None
