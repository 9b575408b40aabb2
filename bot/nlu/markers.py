"""The words that keep a command from being a request: a negation, a question about the past
(or a report of it), or a question about what is happening now.

"Don't restart payment", "who restarted payment?" and "is payment restarting?" hold the same
verb as "restart payment". This module only finds those words; `safety` decides what the
command becomes.
"""

from __future__ import annotations

import re

from bot.nlu.patterns import any_of, en_words

NEGATION = any_of(
    en_words(
        "don'?t",
        "do\\s+not",
        "never",
        "no\\s+need\\s+to",
        "not\\s+(?:to|now|yet)",
        "let'?s\\s+not",
        "shouldn'?t",
        "should\\s+not",
        "must\\s+not",
        "mustn'?t",
        "please\\s+not",
        "^\\s*(?:but\\s+)?not",
        "stop\\s+(?:restarting|scaling|deploying|rolling|building|redeploying)",
    ),
    # 하지 마, 하지마, 늘리지 말아줘, 재시작하면 안 돼, 안 해도 돼, 필요 없어, 금지
    r"지\s*(?:마|말|않)|말아|마세요|(?<![가-힣])말고|(?<![가-힣])마(?:라|요)?\s*[.!~]*$|면\s*안\s*(?:돼|되|됨)|"
    r"(?<![가-힣])안\s*(?:해|하|할|늘|줄|올|내려|재시작|배포|롤백|되돌|빌드|꺼|끄|켜)|"
    r"필요\s*(?:없|x)|금지",
)

# A prohibition closing the message covers it all, even a new issue's summary before it:
# "버그 등록: 결제 페이지 500 에러 하지 마".
_CLOSING_PROHIBITION = re.compile(
    r"(?:지\s*(?:마|마세요|말아\s*(?:줘|주세요)?|말자)|면\s*안\s*(?:돼|되|됨)(?:요)?)\s*[.!~]*$"
)
# Phrases that hold a negation word and forbid nothing: "don't forget to restart payment"
# asks for the restart; "never mind" and "안 할래" withdraw a plan (`cancel`).
_FORBIDS_NOTHING = re.compile(
    r"(?<![a-z])(?:don'?t|do\s+not|never)\s+forget(?![a-z])|(?:잊지|까먹지|잊어버리지)\s*(?:마|말)"
    r"|(?<![a-z])never\s*mind(?![a-z])|안\s*할래"
)
_PAST_EN_ANYWHERE = re.compile(r"(?<![a-z])(?:who|whom|who's|whose)(?![a-z'])")
_PAST_EN_LEADING = re.compile(
    r"^(?:(?:so|and|but|hey|ok|okay|btw|wait)[\s,]+)?(?:when|did|didn'?t|who)(?![a-z'])"
)
_PAST_EN_ASKED = re.compile(
    r"^(?:(?:so|and|but|hey|ok|okay|btw|wait)[\s,]+)?(?:has|have|had|was|were)\s+\S+"
    r"|(?<![a-z])(?:when\s+(?:was|were|did|has|had|is)|did)(?![a-z'])"
)
# "I restarted payment": a report of what was done, not a request.
_PAST_EN_REPORT = re.compile(
    r"^(?:i|we|someone|somebody|they|he|she|you)\s+(?:just\s+|already\s+|have\s+|has\s+|had\s+)?"
    r"(?:re-?started|scaled|deployed|redeployed|rolled|reverted|bounced|stopped|built|silenced|"
    r"rebooted|released|shipped|upgraded|downgraded)(?![a-z])"
)
# "Is payment restarting?", "payment 재시작 중이야?", "재시작하고 있어?": asks how things stand.
_NOW_EN = re.compile(r"^(?:(?:so|and|but|hey|ok|okay|btw|wait)[\s,]+)?(?:is|are|does|do)\s")
_NOW_KO = re.compile(
    r"(?:중|고\s*있)(?:이야|이에요|인가요?|이니|이냐|인지|어|나요?|니|냐|어요|습니까|는지)?\s*\?*\s*$"
)
_PAST_KO = re.compile(r"누가|누군가|언제(?!든|라도|나|쯤\s*(?:해|할))")
# A Korean past-tense ending closes the sentence: 재시작했어(?), 배포됐나요, 늘렸지.
_PAST_ENDINGS = frozenset({"", "어", "어요", "나", "나요", "니", "냐", "지", "지요", "죠", "다"})
_PAST_ENDINGS_POLITE = frozenset({"습니까", "습니다", "는지", "네", "네요"})
_NOT_PAST = frozenset("겠있")
_HANGUL_WORD = re.compile(r"[가-힣]+")
_SSANG_SIOT_FINAL = 20  # the jongseong index of ㅆ


def _ends_in_past_tense(low: str) -> bool:
    words = _HANGUL_WORD.findall(low)
    if not words:
        return False
    last = words[-1]
    for index in range(len(last) - 1, -1, -1):
        syllable = last[index]
        code = ord(syllable) - 0xAC00
        if 0 <= code < 11172 and code % 28 == _SSANG_SIOT_FINAL and syllable not in _NOT_PAST:
            ending = last[index + 1 :]
            return ending in _PAST_ENDINGS or ending in _PAST_ENDINGS_POLITE
    return False


def negated(low: str, *, whole: str = "") -> bool:
    """Whether the text (lower case) forbids what it names: "don't", "하지 마", "하면 안 돼".

    `whole` is the full message when `low` leaves part of it out (a summary): a prohibition
    that closes the message still counts.
    """
    if _CLOSING_PROHIBITION.search(whole) and not _FORBIDS_NOTHING.search(whole):
        return True
    return bool(NEGATION.search(_FORBIDS_NOTHING.sub(" ", low)))


def asks_about_the_past(low: str) -> bool:
    """Whether the text (lower case) asks who did something, or when, or whether it was."""
    low = low.strip()
    if _PAST_EN_ANYWHERE.search(low) or _PAST_EN_LEADING.search(low):
        return True
    if _PAST_EN_REPORT.search(low):
        return True
    if low.endswith("?") and _PAST_EN_ASKED.search(low):
        return True
    return bool(_PAST_KO.search(low)) or _ends_in_past_tense(low)


def asks_how_it_stands(low: str) -> bool:
    """Whether the text (lower case) asks about what is happening now ("is it restarting?")."""
    low = low.strip()
    return (low.endswith("?") and bool(_NOW_EN.search(low))) or bool(_NOW_KO.search(low))
