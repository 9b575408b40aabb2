"""Chat text -> the forms the grammar reads: the bot's own name removed, Unicode folded, lower case.

It interprets nothing: no intent and no slot is decided here, so every later step sees the
same text whatever the platform sent.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from bot.intents import Language
from bot.nlu.numbers import rewrite_numbers

_HANGUL = re.compile(r"[\uac00-\ud7a3\u3131-\u318e]")

# A greeting, then the bot's name in any of the forms people type. Only a *leading* Slack
# mention is the bot: a mention later in the text is a person ("assign PAY-3 to <@U42>").
_LEADING_NAME = re.compile(
    r"^\s*(?:(?:hey|hi|hello|yo|ok|okay|저기|야)\s*[,!]?\s+)?"
    r"(?:/kuber(?![a-z0-9-])|<@[A-Z0-9]+(?:\|[^>]*)?>|@?kuber(?![a-z0-9-])|쿠버(?:야|님|아|씨)?(?![가-힣]))"
    r"\s*[,:!.~]*\s*",
    re.IGNORECASE,
)
_NAME_ANYWHERE = re.compile(
    r"(?<![\w@/-])(?:@kuber|kuber|쿠버야|쿠버님)(?![\w-])[,:!~]*",
    re.IGNORECASE,
)
_QUOTES = str.maketrans({"‘": "'", "’": "'", "“": '"', "”": '"', "−": "-", "–": "-", "—": "-"})

# Latin words keep inner dots, slashes, hyphens and apostrophes (1.4.2, feature/x, user-api,
# what's) but never end on one, so sentence punctuation stays outside the token. Hangul runs
# are split from Latin runs, which separates "payment를" into the name and its particle.
_TOKEN = re.compile(r"[a-z0-9](?:[a-z0-9._/'+-]*[a-z0-9])?|[\uac00-\ud7a3]+", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Token:
    text: str
    start: int
    end: int
    hangul: bool


@dataclass(frozen=True, slots=True)
class Text:
    """One message in three aligned-or-derived forms.

    `raw` keeps the case people typed (alert names, branches, summaries); `low` is `raw` in
    lower case with the same offsets; `num` is `low` with number words written as digits,
    read only for numeric slots because its offsets differ.
    """

    raw: str
    low: str
    num: str
    language: Language
    tokens: tuple[Token, ...]


def _lower_aligned(text: str) -> str:
    # str.lower() can change the length of a few characters (İ); keep offsets equal instead.
    return "".join(ch.lower() if len(ch.lower()) == 1 else ch for ch in text)


def strip_bot_name(text: str) -> str:
    previous = None
    while previous != text:
        previous = text
        text = _LEADING_NAME.sub("", text, count=1)
    return _NAME_ANYWHERE.sub(" ", text).strip()


def detect_language(text: str) -> Language:
    return "ko" if _HANGUL.search(text) else "en"


def prepare(text: str) -> Text:
    folded = unicodedata.normalize("NFKC", text).translate(_QUOTES)
    raw = " ".join(strip_bot_name(folded).split())
    low = _lower_aligned(raw)
    tokens = tuple(
        Token(m.group(), m.start(), m.end(), bool(_HANGUL.match(m.group())))
        for m in _TOKEN.finditer(low)
    )
    return Text(raw, low, rewrite_numbers(low), detect_language(raw), tokens)


# Longest first, so "에서는" is removed whole rather than leaving "에서".
_PARTICLES = (
    "에서는",
    "에서도",
    "이라는",
    "에서",
    "으로",
    "에게",
    "한테",
    "이랑",
    "라는",
    "까지",
    "부터",
    "님을",
    "님한테",
    "님께",
    "님",
    "께",
    "을",
    "를",
    "이",
    "가",
    "은",
    "는",
    "의",
    "에",
    "로",
    "도",
    "만",
    "랑",
    "와",
    "과",
    "야",
)


def strip_particle(word: str) -> str:
    """`결제를` -> `결제`: the Korean case or topic particle at the end of a word, if any."""
    for particle in _PARTICLES:
        if word.endswith(particle) and len(word) > len(particle):
            return word[: -len(particle)]
    return word
