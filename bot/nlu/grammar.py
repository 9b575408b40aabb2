"""Which command a message asks for: keyword patterns in English and Korean, grouped by strength.

It names the intent only; slots are read by `slots`, apps by `apps`. Patterns are compiled
once at import, because parsing must stay well under a millisecond.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from bot.intents import IntentName, Language
from bot.nlu.patterns import any_of, en_words
from bot.nlu.questions import question_about_app
from bot.nlu.undoing import taking_back

Needs = Literal["", "app", "number", "app_and_number"]


@dataclass(frozen=True, slots=True)
class _Rule:
    name: IntentName
    pattern: re.Pattern[str]
    needs: Needs = ""


# Tier A: structured requests whose shape is unmistakable, checked first and in this order.
CREATE_ISSUE_EN = re.compile(
    r"(?<![a-z0-9])(?:create|new|file|open|add|log|raise|report|make|write|submit|enter)\s+"
    r"(?:me\s+|us\s+)?(?:an?\s+)?(?:new\s+)?(?:jira\s+)?"
    r"(?P<type>bug|story|task|issue|ticket|defect|user\s+story|chore)s?(?![a-z0-9])"
    r"|^(?:new\s+)?(?P<type2>bug|story|task|defect|chore)\s*(?::|-\s)"
)
CREATE_ISSUE_KO = re.compile(
    r"(?P<type>버그|결함|유저\s*스토리|스토리|태스크|작업|이슈|티켓|할\s*일)\s*"
    r"(?:를|을|로|으로|하나|좀|한\s*건|1\s*개|1\s*건)?\s*(?:새로\s*)?"
    r"(?:등록|추가|생성|만들|작성|올려|발행|열어|넣어|기록)"
    r"|^(?:새\s*)?(?P<type2>버그|결함|스토리|태스크|작업|할\s*일)\s*:"
)
ISSUE_TYPES = {
    "bug": "Bug",
    "defect": "Bug",
    "버그": "Bug",
    "결함": "Bug",
    "story": "Story",
    "userstory": "Story",
    "스토리": "Story",
    "유저스토리": "Story",
}

ASSIGN = any_of(
    en_words(
        "assign",
        "assigned",
        "reassign",
        "give",
        "hand",
        "hand over",
        "allocate",
        "delegate",
        "owner",
        "assignee",
        "take",
        "claim",
        "put\\s+\\S+\\s+on",
    ),
    r"할당|배정|담당|맡겨|맡기|넘겨|지정|어사인",
)
TRANSITION = any_of(
    en_words(
        "move",
        "mark",
        "set",
        "transition",
        "change",
        "put",
        "close",
        "resolve",
        "finish",
        "complete",
        "start",
        "begin",
        "reopen",
        "update",
        "drag",
        "done",
        "status",
        "in\\s*-?\\s*progress",
        "to\\s*-?\\s*do",
        "todo",
        "in\\s+review",
        "doing",
        "wip",
        "closed",
        "resolved",
        "finished",
        "completed?",
    ),
    r"옮겨|옮기|변경|바꿔|바꾸|처리|닫아|닫기|이동|상태|완료|진행|시작|종료|끝|재오픈|다시\s*열|"
    r"돌려|돌리|전환",
)

# "Who scaled payment yesterday?" names a change without asking for one: a question about
# the audit log, checked before every command so its verb never reads as a request.
_PAST_CHANGES = (
    "changed|scaled|restarted|deployed|redeployed|rolled\\s+(?:\\S+\\s+)?back|reverted|"
    "touched|modified|updated|released|stopped|bounced|rebooted|built|approved|edited|shipped|"
    "upgraded|downgraded|promoted|silenced|killed|broke|messed\\s+with|did"
)
AUDIT = any_of(
    en_words(
        "audit(?:s|ed|ing)?",
        "audit[\\s-]*(?:logs?|trail)",
        "who(?:'s|\\s+has|\\s+have|\\s+had)?\\s+(?:last\\s+|just\\s+|recently\\s+)?"
        "(?:" + _PAST_CHANGES + ")",
        "who(?:'s|\\s+is|\\s+was|\\s+has)?(?:\\s+been)?\\s+"
        "(?:changing|scaling|restarting|deploying|touching|modifying|rolling\\s+back)",
        "(?:did|has|have)\\s+(?:anyone|anybody|someone|somebody)\\s+(?:just\\s+|recently\\s+)?"
        "(?:change|scale|restart|deploy|roll\\s+back|touch|modify|update|stop|"
        + _PAST_CHANGES
        + ")",
    ),
    r"감사\s*(?:로그|기록|이력|내역|추적)|변경\s*(?:이력|내역|기록|로그)|"
    r"(?:누가|누군가)[^.?!]{0,40}?(?:했|었|았|였|꿨|댔|렸|켰|껐|뒀|놨|줬|웠)",
)

SILENCE = any_of(
    en_words(
        "silence",
        "silences",
        "mute",
        "snooze",
        "shush",
        "hush",
        "quiet",
        "suppress",
        "shut\\s+up",
        "stop\\s+(?:alerting|paging|notifying|the\\s+alert)",
        "ack",
        "acknowledge",
    ),
    r"(?:알림|경보|알람|얼럿|alert|alarm)[^.?!]{0,24}?"
    r"(?:꺼|끄|끈|음소거|무음|뮤트|조용|멈춰|멈추|중지|안\s*(?:오게|울리게|뜨게)|그만|스누즈|"
    r"사일런스|막아|잠재워|재워|무시)",
    r"사일런스|음소거|무음|뮤트|스누즈",
)

# Tier B: nouns that name a whole area; the first rule that matches wins.
TIER_B: tuple[_Rule, ...] = (
    _Rule(
        IntentName.SLO,
        any_of(
            en_words(
                "slos?",
                "slis?",
                "error[\\s-]*budgets?",
                "burn[\\s-]*rates?",
                "availability",
                "reliability",
                "uptime\\s+(?:target|objective)",
                "service\\s+level",
            ),
            r"에러\s*(?:버짓|버젯|예산)|오류\s*(?:버짓|예산)|가용성|번\s*레이트|신뢰성|서비스\s*수준",
        ),
    ),
    _Rule(
        IntentName.STANDUP,
        any_of(
            en_words(
                "stand[\\s-]*ups?",
                "daily",
                "dailies",
                "scrum",
                "morning\\s+(?:digest|report|summary|update)",
                "what\\s+did\\s+(?:everyone|people|the\\s+team)\\s+do",
            ),
            r"데일리|스탠드\s*업|스탠덥|스크럼|일일\s*(?:회의|보고|미팅|스크럼|요약)|아침\s*(?:회의|보고|요약)",
        ),
    ),
    _Rule(
        IntentName.BACKLOG,
        any_of(
            en_words(
                "backlog",
                "back\\s+log",
                "to-?do\\s+list",
                "unassigned\\s+(?:issues|tickets|stories)",
                "open\\s+(?:issues|tickets|stories)",
                "groomed",
                "grooming",
            ),
            r"백로그|할\s*일\s*목록|대기\s*중인\s*(?:이슈|작업)|남은\s*(?:이슈|작업|일|티켓)|미할당",
        ),
    ),
    _Rule(
        IntentName.SPRINT,
        any_of(
            en_words("sprints?", "burn[\\s-]*down", "burndown", "velocity", "iteration"),
            r"스프린트|번\s*다운|벨로시티|이터레이션",
        ),
    ),
    _Rule(
        IntentName.STATUS,
        any_of(
            en_words(
                "(?:rollout|deploy(?:ment)?|release)\\s+status",
                "how\\s+many\\s+(?:pods|replicas|instances|copies)",
                "is\\s+\\S+\\s+(?:healthy|up|down|running|alive|ok|okay)",
            ),
            r"몇\s*개\s*(?:떠|돌|실행)|배포\s*상태",
        ),
    ),
    _Rule(
        IntentName.LOGS,
        any_of(
            en_words(
                "logs?",
                "logging",
                "tail",
                "stdout",
                "stderr",
                "stack\\s*traces?",
                "output",
                "journal",
                "print\\s+out",
            ),
            r"로그|출력|스택\s*트레이스",
        ),
    ),
    _Rule(
        IntentName.HISTORY,
        any_of(
            en_words(
                "history",
                "histories",
                "revisions",
                "past\\s+(?:deploy(?:ment)?s|releases|versions|rollouts)",
                "previous\\s+(?:deploy(?:ment)?s|releases|versions|revisions|rollouts)",
                "recent\\s+(?:deploy(?:ment)?s|releases|rollouts)",
                "last\\s+\\d+\\s+(?:deploy(?:ment)?s|releases|rollouts)",
                "change\\s*log",
                "what\\s+changed",
                "list\\s+(?:the\\s+)?(?:revisions|versions|releases|deploy(?:ment)?s|rollouts)",
                "(?:deploy(?:ment)?s|releases|rollouts)\\s+(?:of|for)",
                "when\\s+was\\s+\\S+\\s+(?:last\\s+)?deployed",
            ),
            r"이력|히스토리|기록|내역|리비전\s*(?:목록|리스트|들)|버전\s*(?:목록|리스트|들)|배포\s*목록|변경\s*사항",
        ),
    ),
    _Rule(
        IntentName.ALERTS,
        any_of(
            en_words(
                "alerts?",
                "alarms?",
                "alerting",
                "firing",
                "fired",
                "incidents?",
                "paging",
                "pages",
                "on\\s+fire",
                "what'?s\\s+(?:broken|wrong|burning)",
                "anything\\s+(?:broken|wrong|burning)",
            ),
            r"알림|경보|알람|얼럿|장애|인시던트|울리|터진|터졌|발생\s*중",
        ),
    ),
)

# Tier C: verbs that act on one app. In English the first verb leads ("undo the last
# deploy"); Korean puts the verb last ("최신 빌드 배포해줘"), so there the last one leads.
TIER_C: tuple[_Rule, ...] = (
    _Rule(
        IntentName.ROLLBACK,
        any_of(
            en_words(
                "roll(?:ed|ing)?\\s*-?\\s*back",
                "roll\\s+(?:[a-z0-9-]+\\s+){1,2}back",
                "revert(?:ed)?",
                "undo",
                "go\\s+back",
                "downgrade",
                "restore",
                "previous\\s+(?:version|revision|release|build|image)",
                "last\\s+(?:good|known[\\s-]+good|stable|working)",
            ),
            r"롤백|되돌|이전\s*(?:버전|리비전|릴리스|릴리즈|상태|배포)|예전\s*버전|원복|원상\s*복구|"
            r"복구|복원|돌려\s*놔|돌려\s*놓|리버트|다운그레이드|"
            r"배포\s*(?:를|을|한\s*(?:거|것)\s*(?:를|을)?)?\s*(?:취소|무르|물러)",
        ),
    ),
    _Rule(
        IntentName.RESTART,
        any_of(
            en_words(
                "re-?start(?:ed|ing|s)?",
                "bounce",
                "reboot",
                "recycle",
                "cycle",
                "kick(?!\\s+off)",
                "rolling[\\s-]+restart",
                "rollout\\s+restart",
                "re-?deploy",
                "respawn",
                "reload",
            ),
            r"재시작|재기동|리스타트|재부팅|리부트|다시\s*시작|다시\s*띄워|다시\s*켜|껐다\s*(?:가\s*)?켜|"
            r"재실행|재구동|재가동",
        ),
    ),
    _Rule(
        IntentName.BUILD,
        any_of(
            en_words(
                "build",
                "builds",
                "rebuild",
                "re-build",
                "pipelines?",
                "jenkins",
                "ci",
                "compile",
                "kick\\s+off",
            ),
            r"빌드|파이프라인|젠킨스|컴파일",
        ),
    ),
    _Rule(
        IntentName.DEPLOY,
        any_of(
            en_words(
                "deploy",
                "deploying",
                "ship",
                "shipping",
                "release",
                "roll\\s*out",
                "push",
                "promote",
                "upgrade",
                "update\\s+\\S+\\s+to",
                # Moving an app to a version-shaped target is a deploy: "bump cart to 2.0.0".
                "(?:bump|move|switch|set|change)\\s+(?:\\S+\\s+){0,3}?to\\s+"
                "(?:version\\s+|tag\\s+)?v?\\d+\\.\\d+",
            ),
            r"배포|디플로이|릴리스|릴리즈|출시|업그레이드|업데이트|"
            r"(?:버전|v?\d+\.\d+(?:\.\d+)*)\s*(?:으로|로)\s*(?:올려|올리|바꿔|바꾸|변경|교체)",
        ),
    ),
    _Rule(
        IntentName.SCALE,
        any_of(
            en_words(
                "scale",
                "scaled",
                "scaling",
                "rescale",
                "resize",
                "replicas?",
                "instances",
                "copies",
                "autoscale",
                "stop",
                "shut\\s*down",
                "shut\\s+\\S+\\s+down",
                "halt",
                "pause",
                "turn\\s+off",
                "turn\\s+\\S+\\s+off",
                "take\\s+down",
                "take\\s+\\S+\\s+down",
                "bring\\s+down",
                "spin\\s+down",
                "spin\\s+up",
                "decommission",
            ),
            r"스케일|레플리카|리플리카|늘려|늘리|줄여|줄이|증설|감설|축소|확장|중지|정지|멈춰|멈추|"
            r"꺼(?:줘|주|봐|\s|$)|끄|내려|셧다운|인스턴스",
        ),
    ),
)

# Tier D: weak hints, trusted only with an app or a number beside them.
TIER_D: tuple[_Rule, ...] = (
    _Rule(
        IntentName.SCALE,
        any_of(
            en_words(
                "more", "extra", "fewer", "less", "pods?", "containers?", "x\\s*\\d+", "\\d+\\s*x"
            ),
            r"×\s*\d|\*\s*\d|\d+\s*(?:개|대)|더\s|더$|파드|컨테이너",
        ),
        "number",
    ),
    _Rule(
        IntentName.SCALE,
        any_of(
            en_words(
                "run",
                "start",
                "launch",
                "add",
                "increase",
                "decrease",
                "reduce",
                "want",
                "need",
                "give\\s+me",
                "set",
                "make",
                "keep",
                "have",
                "drop",
                "lower",
                "raise",
                "bump",
                "grow",
                "shrink",
                "cut",
                "trim",
                "(?:up|down)\\s+to",
            ),
            r"실행|띄워|띄우|돌려|추가",
        ),
        "app_and_number",
    ),
    _Rule(
        IntentName.STATUS,
        any_of(
            en_words(
                "status", "health", "healthy", "health\\s*check", "alive", "describe", "overview"
            ),
            r"상태|헬스|현황",
        ),
    ),
    _Rule(
        IntentName.STATUS,
        any_of(
            en_words(
                "how(?:'s|\\s+is|\\s+are)",
                "hows",
                "doing",
                "running",
                "ok",
                "okay",
                "fine",
                "up",
                "down",
                "check(?:\\s+on)?",
                "look(?:ing)?",
                "what'?s\\s+(?:up|going\\s+on|happening)\\s+with",
                "pods?",
                "info",
                "state",
                "working",
                "show(?:\\s+me)?",
                "display",
                "get",
            ),
            r"어때|어떻|괜찮|잘\s*돌|보여|살아|정상|문제|확인|체크|봐\s*줘|봐줘|봐\s*봐|돌아가|떠\s*있",
        ),
        "app",
    ),
    _Rule(
        IntentName.HELP,
        any_of(
            en_words(
                "help",
                "what\\s+can\\s+(?:you\\s+)?do",
                "what\\s+do\\s+you\\s+do",
                "what\\s+are\\s+you\\s+able\\s+to\\s+do",
                "what\\s+are\\s+(?:your|the)\\s+commands",
                "commands",
                "usage",
                "how\\s+(?:do\\s+i|to)\\s+use",
                "manual",
                "guide",
                "capabilities",
                "features",
            ),
            r"도움말|도움|도와줘|도와\s*줘|사용법|명령어|뭐\s*할\s*수\s*있|뭘\s*할\s*수\s*있|무엇을\s*할\s*수|"
            r"(?:뭐|뭘|무엇을)\s*할\s*줄\s*알|할\s*줄\s*아는\s*(?:게|것|거)|"
            r"할\s*수\s*있는\s*(?:게|것|일)|기능\s*(?:목록|알려)|헬프|사용\s*방법|어떻게\s*써",
        ),
    ),
)


def create_issue_match(text: str, language: Language) -> re.Match[str] | None:
    return CREATE_ISSUE_EN.search(text) or (
        CREATE_ISSUE_KO.search(text) if language == "ko" else None
    )


def issue_type_of(match: re.Match[str]) -> str:
    word = re.sub(r"\s+", "", match.group("type") or match.group("type2") or "")
    return ISSUE_TYPES.get(word, "Task")


def _satisfied(needs: Needs, has_app: bool, has_number: bool) -> bool:
    if needs == "app":
        return has_app
    if needs == "number":
        return has_number
    if needs == "app_and_number":
        return has_app and has_number
    return True


def classify(
    text: str,
    language: Language,
    *,
    has_app: bool,
    has_number: bool,
    has_issue: bool,
    names_app: bool = False,
) -> IntentName | None:
    """The intent `text` (lower case, numbers as digits) asks for, or None when nothing fits.

    `has_app` counts an app the context points at; `names_app` only one the text names.
    """
    if create_issue_match(text, language):
        return IntentName.CREATE_ISSUE
    if AUDIT.search(text):
        return IntentName.AUDIT
    if has_issue:
        if ASSIGN.search(text):
            return IntentName.ASSIGN
        if TRANSITION.search(text):
            return IntentName.TRANSITION
    taken_back = taking_back(text, names_app=names_app)
    if taken_back is not None:
        return taken_back
    if SILENCE.search(text):
        return IntentName.SILENCE
    asked = question_about_app(text, has_app=has_app)
    if asked is not None:
        return asked
    for rule in TIER_B:
        if rule.pattern.search(text) and _satisfied(rule.needs, has_app, has_number):
            return rule.name
    best: tuple[int, int] | None = None
    chosen: IntentName | None = None
    for order, rule in enumerate(TIER_C):
        for match in rule.pattern.finditer(text):
            # English: earliest start wins; Korean: latest end wins; ties go to rule order.
            key = (match.start(), order) if language == "en" else (-match.end(), order)
            if best is None or key < best:
                best, chosen = key, rule.name
    if chosen is not None:
        return chosen
    for rule in TIER_D:
        if rule.pattern.search(text) and _satisfied(rule.needs, has_app, has_number):
            return rule.name
    return None
