"""Questions about an app that use a command's word without asking for the command.

"Is the payment build green?" names a build and "why is cart restarting?" a restart, yet
both ask to be told something. These patterns are checked before the command verbs, so the
verb is never read as a request. They name the intent only, like `grammar`.
"""

from __future__ import annotations

from bot.intents import IntentName
from bot.nlu.patterns import any_of, en_words

_BUILD_OUTCOME = (
    "green|red|passing|passed|pass|failing|failed|fail|broken|break|ok|okay|good|bad|"
    "results?|status|state|health|outcome|succeed(?:ed)?|success(?:ful)?|work(?:ed|ing)?|"
    "go|went|finish(?:ed)?|complete(?:d)?|done"
)

#: The last builds of an app and how they ended; read-only.
BUILDS = any_of(
    en_words(
        "builds?\\s+(?:(?:is|was|are|were|has|have|did)\\s+)?(?:it\\s+)?(?:" + _BUILD_OUTCOME + ")",
        "(?:last|latest|recent|previous|past)\\s+(?:\\d+\\s+|few\\s+)?builds",
        "builds\\s+(?:of|for)",
        "(?:show|list|see|check|get)\\s+(?:me\\s+)?(?:the\\s+)?(?:\\S+\\s+){0,2}?builds?"
        "(?!\\s+(?:it|again|now|from|on|off|with|branch))",
        "how(?:'s|\\s+is|\\s+was|\\s+did|\\s+are)\\s+(?:the\\s+)?(?:\\S+\\s+){0,2}?builds?",
        "(?:is|was)\\s+(?:the\\s+)?\\S+\\s+(?:green|red)",
        "build\\s+(?:history|log|results?)",
        "ci\\s+(?:status|results?)",
    ),
    r"빌드\s*(?:가|는|이|의)?\s*(?:결과|상태|성공|실패|깨졌|깨진|깨짐|통과|목록|이력|기록|내역|"
    r"어때|어땠|됐|녹색|초록|빨간|터졌|괜찮)",
    r"(?:최근|마지막|지난)\s*(?:\d+\s*(?:개|건)\s*)?빌드(?!\s*(?:를|을)?\s*(?:배포|돌려|실행|시작|해))",
    r"빌드\s*(?:들|목록)",
    # "builds payment": the plural, first, is a list, never an order to build.
    r"^\s*builds\b",
)

#: What is wrong with an app and why; read-only. Most forms need an app beside them.
DIAGNOSE_ALONE = any_of(
    en_words("diagnos(?:e|is|tic|tics)", "troubleshoot(?:ing)?", "root[\\s-]+cause"),
    r"진단|원인\s*(?:분석|찾아|알려|뭐)|트러블\s*슈팅",
)
DIAGNOSE = any_of(
    en_words(
        "why",
        "what(?:'s|\\s+is|s)\\s+(?:wrong|the\\s+(?:problem|issue|matter))\\s+with",
        "what\\s+(?:happened|went\\s+wrong)\\s+(?:to|with)",
        "debug",
        "(?:is|are|so|too|really|very)\\s+slow",
        "investigate",
        "(?:is|are|keeps?|been)\\s+(?:crash(?:ing|looping)?|fail(?:ing)?|erroring|dying|broken|"
        "restarting|flapping|down)",
        "crash-?loop(?:ing)?",
        "(?:not|isn'?t|doesn'?t|won'?t|can'?t)\\s+(?:working|work|start(?:ing)?|responding|come\\s+up)",
        # "the payment deploy failed": a report of trouble, ending the sentence.
        "(?:failed|crashed|broke|died|went\\s+down|is\\s+down)\\s*[.!?]*$",
    ),
    r"왜|뭐가\s*문제|무슨\s*문제|문제가?\s*(?:뭐|뭔)|(?<!면)(?<!면\s)안\s*(?:돼|되|떠|뜨|올라)|"
    r"죽었|죽어|죽는|뻗었|뻗어|에러\s*(?:나|가\s*나)|이상해|이상하|장애\s*원인|느려|느리|느림",
)


def question_about_app(text: str, *, has_app: bool) -> IntentName | None:
    """BUILDS or DIAGNOSE when the text (lower case) asks about an app, else None."""
    if BUILDS.search(text):
        return IntentName.BUILDS
    if DIAGNOSE_ALONE.search(text) or (has_app and DIAGNOSE.search(text)):
        return IntentName.DIAGNOSE
    return None
