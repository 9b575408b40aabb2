"""Slot readers: each finds one kind of value (replicas, version, namespace, issue key, …).

They read; they do not choose the intent and do not resolve apps. A reader that finds a value
also returns where it stood, so the app step does not mistake "staging" or "1.4.2" for an app.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from bot.nlu.durations import find_duration
from bot.nlu.lexicon import NOT_APP_NAMES


@dataclass(frozen=True, slots=True)
class Found:
    value: str
    start: int
    end: int


def _first(patterns: tuple[re.Pattern[str], ...], text: str) -> Found | None:
    for pattern in patterns:
        for match in pattern.finditer(text):
            group = next((i for i in range(1, (pattern.groups or 0) + 1) if match.group(i)), 0)
            if group:
                return Found(match.group(group), match.start(group), match.end(group))
    return None


_L = r"(?<![a-z0-9])"
_R = r"(?![a-z0-9])"
_NAME = r"([a-z0-9][a-z0-9._-]*[a-z0-9]|[a-z0-9])"


# --- replicas and deltas -------------------------------------------------------------------

_COUNTER = r"(?:\s*(?:개|대|파드|pods?|replicas?|instances?|copies|containers?))?"
_BY = re.compile(_L + r"by\s+(\d+)(?![\d.])")
_DOWN = re.compile(
    _L
    + r"(?:down|decrease|decrement|reduce|lower|shrink|in|remove|drop|cut|fewer|less)"
    + _R
    + r"|줄|감소|축소|내려"
)
_MORE = re.compile(
    r"(?<![\d.])(\d+)"
    + _COUNTER
    + r"\s*(?:[a-z][a-z0-9-]*\s+){0,2}?(?:more|extra|additional)"
    + _R
    + r"|"
    + _L
    + r"(?:add|plus)\s+(\d+)(?![\d.])"
    + r"|(?<![\d.])(\d+)"
    + _COUNTER
    + r"\s*더(?![가-힣])"
    + r"|(?<![\d.])(\d+)"
    + _COUNTER
    + r"\s*(?:만\s*)?(?:늘려|늘리|추가|증가|올려|확장|증설)"
)
# "scale out" and "scale in" add or remove: a bare count beside them is a change, while
# "2개로" (로 marks a target) stays a target.
_SCALE_OUT_IN = re.compile(
    r"(?P<out>스케일\s*아웃|scale[\s-]*out)|(?P<in>스케일\s*인|scale[\s-]*in)(?![가-힣a-z])"
)
_OUT_IN_COUNT = re.compile(
    r"\s*(?:by\s+)?(\d+)(?![\d.])(?!" + _COUNTER + r"\s*(?:으로|로)(?![가-힣]))"
)
_COUNT_OUT_IN = re.compile(r"(?<![\d.])(\d+)" + _COUNTER + r"\s*$")
_ONE_MORE = re.compile(
    _L
    + r"(?:add\s+(?:an?\s+|one\s+)?another|another\s+(?:pod|replica|instance|copy|container))"
    + _R
)
_FEWER = re.compile(
    r"(?<![\d.])(\d+)"
    + _COUNTER
    + r"\s*(?:[a-z][a-z0-9-]*\s+){0,2}?(?:fewer|less)"
    + _R
    + r"|"
    + _L
    + r"(?:remove|kill|drop|subtract|minus|take\s+away|cut)\s+(\d+)(?![\d.])"
    + r"|(?<![\d.])(\d+)"
    + _COUNTER
    + r"\s*(?:만\s*)?(?:줄여|줄이|빼|감소|축소|내려|감설|없애|죽여)"
)
_TARGET = re.compile(
    _L
    + r"(?:to|=|->|→)\s*(\d+)(?!\d|\.\d)"
    + r"|(?<![a-z])[x×*]\s*(\d+)(?![\d.])"
    + r"|(?<![a-z0-9_.-])(\d+)\s*x"
    + _R
    + r"|(?<![a-z0-9_.-])(\d+)\s*(?:개|대)?\s*(?:으로|로)(?![가-힣])"
)
_BARE = re.compile(r"(?<![a-z0-9_.\-/:#])(\d+)(?![\d:]|\.\d|[a-z%])")
_STOP = re.compile(
    _L
    + r"(?:stop|shut\s*down|shut\s+\S+\s+down|halt|pause|turn\s+off|turn\s+\S+\s+off|take\s+down|"
    r"take\s+\S+\s+down|bring\s+down|bring\s+\S+\s+down|spin\s+down|decommission|kill)"
    + _R
    + r"|중지|정지|멈춰|멈추|꺼(?:줘|주|봐|\s|$)|끄|셧다운|내려"
)


def _number(match: re.Match[str]) -> int:
    return int(next(g for g in match.groups() if g))


def _scale_out_in(num: str) -> int | None:
    """+N for "scale out N" / "N개 스케일 아웃", -N for scale in; None for anything else."""
    match = _SCALE_OUT_IN.search(num)
    if match is None:
        return None
    count = _OUT_IN_COUNT.match(num, match.end()) or _COUNT_OUT_IN.search(num, 0, match.start())
    if count is None:
        return None
    value = int(count.group(1))
    return value if match.group("out") else -value


def scale_numbers(num: str) -> tuple[int | None, int | None]:
    """(replicas, delta) from a text whose number words are digits; at most one is set.

    "5개로 늘려줘" is a target (으로/로 marks it); "하나 줄여줘" a change of -1.
    """
    by = _BY.search(num)
    if by:
        value = int(by.group(1))
        return None, -value if _DOWN.search(num) else value
    more = _MORE.search(num)
    if more:
        return None, _number(more)
    fewer = _FEWER.search(num)
    if fewer:
        return None, -_number(fewer)
    out_in = _scale_out_in(num)
    if out_in is not None:
        return None, out_in
    if _ONE_MORE.search(num):
        return None, 1
    target = _TARGET.search(num)
    if target:
        return _number(target), None
    bare = _BARE.search(num)
    if bare:
        return int(bare.group(1)), None
    if _STOP.search(num):
        return 0, None
    return None, None


# --- logs, revisions, durations --------------------------------------------------------------

_TIME_UNIT = (
    r"\s*(?:분|시간|초|일|[smhdw](?![a-z])|mins?|minutes?|hours?|hrs?|days?|seconds?|secs?)"
)
_LINES = re.compile(
    _L + r"(?:last|latest|recent|first|top|tail|-n|--tail=?|lines?\s*[=:]?)\s*(\d+)(?![\d.])"
    r"(?!" + _TIME_UNIT + r")"
    r"|(?<![\d.])(\d+)\s*(?:log\s+)?(?:lines?|줄|라인|행|entries|rows|log\s+lines)(?![a-z])"
    r"|최근\s*(\d+)\s*(?:개|건)"
)


def log_lines(num: str) -> int | None:
    match = _LINES.search(num)
    return _number(match) if match else None


_REVISION = re.compile(
    r"(?<![a-z])(?:revision|rev|r)\s*(?:number\s*|no\.?\s*)?#?\s*(\d+)(?![\d.])"
    r"|리비전\s*(?:번호\s*)?(\d+)"
    r"|(?<![\d.])(\d+)\s*번(?:째)?\s*(?:리비전|버전|revision)"
    r"|(?<![\d.])(\d+)\s*번(?:째)?\s*(?:으로|로)"
    r"|#\s*(\d+)"
)
# Only in a rollback: a plain integer target is a revision ("roll back payment to 3").
_REVISION_LOOSE = re.compile(
    _L + r"(?:to|back\s+to)\s+(?:version\s+)?(\d+)(?![\d.])"
    r"|(?<![\d.])(\d+)\s*(?:으로|로)(?![가-힣])"
    r"|(?:version|버전)\s*(\d+)(?![\d.])"
)


def revision(num: str) -> int | None:
    match = _REVISION.search(num) or _REVISION_LOOSE.search(num)
    return _number(match) if match else None


def duration(num: str) -> str | None:
    return find_duration(num)


# --- versions and branches (read from the text as typed: tags are case-sensitive) -----------

# A tag is Latin letters, digits and . _ + -; a Korean particle glued to it ("1.1.0으로",
# "v2를") ends it, so the tag's own edges are drawn with _TAG (ASCII), not with \w.
_TAG = r"[A-Za-z0-9_]"
_VERSION = (
    re.compile(
        r"(?<![\w.-])(v?\d+\.\d+(?:\.\d+)*(?:[-+][0-9A-Za-z][A-Za-z0-9_.-]*)?)"
        r"(?!" + _TAG + r"|-|\." + _TAG + r")",
        re.I,
    ),
    re.compile(
        r"(?:version|ver|tag|image\s+tag|image|버전|태그)\s*[:=]?\s*([A-Za-z0-9][A-Za-z0-9_.+-]*)",
        re.I,
    ),
    re.compile(r"[A-Za-z0-9]:([A-Za-z0-9][A-Za-z0-9_.+-]*)"),
    re.compile(r"(?<![\w.-])(v\d+)(?!" + _TAG + r"|[.-])", re.I),
    re.compile(r"(?<![\w.-])((?:sha[-:])?[0-9a-f]{7,40})(?!" + _TAG + r"|[.-])", re.I),
    re.compile(r"(?<![\w-])(latest|stable)(?![\w-])", re.I),
)


def version(raw: str) -> Found | None:
    for index, pattern in enumerate(_VERSION):
        for match in pattern.finditer(raw):
            value = match.group(1)
            if index in (1, 2) and not (
                any(ch.isdigit() for ch in value) or value.lower() in ("latest", "stable")
            ):
                continue
            if index == 4 and not (
                any(ch.isdigit() for ch in value) and any(ch.isalpha() for ch in value)
            ):
                continue
            return Found(value, match.start(1), match.end(1))
    return None


_BRANCH_CHARS = r"([A-Za-z0-9][A-Za-z0-9_./-]*[A-Za-z0-9_]|[A-Za-z0-9])"
_BRANCH = (
    re.compile(
        r"(?:from|on|off|of|using|with|for|at)\s+(?:the\s+)?branch\s+[\"'`]?" + _BRANCH_CHARS, re.I
    ),
    re.compile(r"(?:from|on|off|using|at)\s+(?:the\s+)?" + _BRANCH_CHARS + r"\s+branch", re.I),
    re.compile(r"branch\s*[=:]?\s*[\"'`]?" + _BRANCH_CHARS, re.I),
    re.compile(_BRANCH_CHARS + r"\s*브랜치"),
    re.compile(r"브랜치\s*(?:는|은|를|을)?\s*[\"'`]?" + _BRANCH_CHARS),
    re.compile(
        r"(?:from|on|off|using|at)\s+([A-Za-z0-9][\w.-]*/[A-Za-z0-9_./-]*[A-Za-z0-9_])", re.I
    ),
    re.compile(r"(?:from|on|off|using|at)\s+(main|master|develop|trunk)(?![\w./-])", re.I),
    re.compile(r"(?<![\w./-])([A-Za-z0-9][A-Za-z0-9_.-]*/[A-Za-z0-9_./-]*[A-Za-z0-9_])(?![\w./-])"),
)


def branch(raw: str) -> Found | None:
    for pattern in _BRANCH:
        for match in pattern.finditer(raw):
            value = match.group(1)
            if value.lower() in NOT_APP_NAMES - {"main", "master", "develop"}:
                continue
            return Found(value, match.start(1), match.end(1))
    return None


# --- cluster and namespace ------------------------------------------------------------------

_PREP = r"(?:on|in|at|to|into|against|using|for|from)\s+(?:the\s+)?"
_CLUSTER = (
    re.compile(_L + _PREP + r"cluster\s+" + _NAME),
    re.compile(_L + _PREP + _NAME + r"\s+cluster" + _R),
    re.compile(_L + r"(?:--cluster|cluster|--context|context)\s*[=:]\s*" + _NAME),
    re.compile(r"(?<![a-z0-9._-])" + _NAME + r"\s*클러스터"),
    re.compile(r"클러스터\s*(?:는|은)?\s*" + _NAME),
)
_ENVIRONMENTS = (
    "staging|stage|stg|prod|production|prd|dev|develop|development|qa|test|testing|uat|sandbox|"
    "preprod|pre-prod|canary|default|demo|perf|live|kube-system|monitoring"
)
# Written as a namespace: the word "namespace", -n, 네임스페이스. These win over a cluster name.
_NAMESPACE_WRITTEN = (
    re.compile(_L + _PREP + r"(?:namespace|ns)\s+" + _NAME),
    re.compile(_L + _PREP + _NAME + r"\s+(?:namespace|ns)" + _R),
    re.compile(r"(?:(?<![a-z0-9-])-n|--namespace|namespace\s*[=:]|ns\s*[=:])\s*" + _NAME),
    re.compile(_L + r"namespace\s+" + _NAME),
    re.compile(r"(?<![a-z0-9._-])" + _NAME + r"\s*네임스페이스"),
    re.compile(r"네임스페이스\s*(?:는|은)?\s*" + _NAME),
)
# Named as an environment where a namespace goes ("to staging", "prod 환경"): a namespace
# unless the team has a cluster of that name.
_NAMESPACE_NAMED = (
    re.compile(_L + _PREP + _NAME + r"\s+(?:env|environment)" + _R),
    re.compile(r"(?<![a-z0-9._-])" + _NAME + r"\s*환경"),
    re.compile(_L + r"(?:to|in|into|on)\s+(?:the\s+)?(" + _ENVIRONMENTS + r")(?![a-z0-9._-])"),
    re.compile(r"(?<![a-z0-9._-])(" + _ENVIRONMENTS + r")\s*(?:에서|에|으로|로|의)"),
)
#: Namespace names common enough to be recognised by name alone ("to staging").
ENVIRONMENTS: frozenset[str] = frozenset(_ENVIRONMENTS.split("|"))
_KOREAN_ENVIRONMENTS = {
    "스테이징": "staging",
    "프로덕션": "production",
    "프로드": "prod",
    "데브": "dev",
}
_KOREAN_ENVIRONMENT = re.compile(r"(?<![가-힣])(스테이징|프로덕션|프로드|데브)")
# A namespace named by position only ("in payments-ns", "staging2에서"); checked last. It
# ends the sentence or a clause: "to v2.1.0" is a version, not a namespace "v2".
_CLAUSE_END = r"\s*(?:$|[,.!?](?![a-z0-9]))"
_NAMESPACE_LOOSE = (
    re.compile(_L + r"(?:in|into)\s+(?:the\s+)?([a-z][a-z0-9-]*[a-z0-9])" + _CLAUSE_END),
    re.compile(r"(?<![a-z0-9._-])([a-z][a-z0-9-]*[a-z0-9])(?:에서|에)(?![가-힣])"),
)
_DEPLOY_TARGET = re.compile(_L + r"to\s+(?:the\s+)?([a-z][a-z0-9-]*[a-z0-9])" + _CLAUSE_END)


def _acceptable(value: str) -> bool:
    return value not in NOT_APP_NAMES and not value.isdigit()


def cluster(low: str) -> Found | None:
    for pattern in _CLUSTER:
        for match in pattern.finditer(low):
            if _acceptable(match.group(1)):
                return Found(match.group(1), match.start(1), match.end(1))
    return None


def _free(match: re.Match[str], skip: tuple[Found, ...]) -> bool:
    inside = any(found.start <= match.start(1) < found.end for found in skip)
    return not inside and _acceptable(match.group(1))


def written_namespace(low: str, *, skip: tuple[Found, ...] = ()) -> Found | None:
    """A namespace written as one ("namespace x", "-n x", "x 네임스페이스"), never a guess."""
    for pattern in _NAMESPACE_WRITTEN:
        for match in pattern.finditer(low):
            if _free(match, skip):
                return Found(match.group(1), match.start(1), match.end(1))
    return None


def namespace(
    low: str,
    *,
    skip: tuple[Found, ...] = (),
    is_app: Callable[[str], bool],
    deploy_target: bool = False,
    not_namespace: Callable[[str], bool] | None = None,
) -> Found | None:
    """The namespace; `skip` holds places already read (the cluster), so "on the prod
    cluster" is not both.

    A known app is never taken for a namespace by position alone (`is_app`), and a word
    `not_namespace` rejects (a team cluster) only when it is written as a namespace.
    """

    def usable(match: re.Match[str]) -> bool:
        word = match.group(1)
        if not _free(match, skip):
            return False
        return not_namespace is None or not not_namespace(word)

    written = written_namespace(low, skip=skip)
    if written is not None:
        return written
    for pattern in _NAMESPACE_NAMED:
        for match in pattern.finditer(low):
            if usable(match):
                return Found(match.group(1), match.start(1), match.end(1))
    korean = _KOREAN_ENVIRONMENT.search(low)
    if korean:
        return Found(_KOREAN_ENVIRONMENTS[korean.group(1)], korean.start(1), korean.end(1))
    loose = (*_NAMESPACE_LOOSE, _DEPLOY_TARGET) if deploy_target else _NAMESPACE_LOOSE
    for pattern in loose:
        for match in pattern.finditer(low):
            if usable(match) and not is_app(match.group(1)):
                return Found(match.group(1), match.start(1), match.end(1))
    return None


# --- Jira -------------------------------------------------------------------------------------

_ISSUE = re.compile(r"(?<![A-Za-z0-9-])([A-Za-z][A-Za-z0-9]{0,9}-\d+)(?![A-Za-z0-9-])")


def issue_key(raw: str, *, lenient: bool) -> Found | None:
    """A Jira key (PAY-12). Lower-case keys count only when `lenient` (Jira words are present)."""
    for match in _ISSUE.finditer(raw):
        key = match.group(1)
        project = key.split("-")[0]
        if project.isupper() or lenient:
            return Found(key.upper(), match.start(1), match.end(1))
    return None


_STATUS_WORDS: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("In Review", re.compile(_L + r"(?:in\s+review|code\s+review|review)" + _R + r"|리뷰|검토")),
    (
        "In Progress",
        re.compile(
            _L
            + r"(?:in[\s-]*progress|doing|wip|started|working(?:\s+on)?|start|begin)"
            + _R
            + r"|진행\s*중|진행|작업\s*중|시작"
        ),
    ),
    (
        "Done",
        re.compile(
            _L
            + r"(?:done|complete[d]?|finish(?:ed)?|close[d]?|resolve[d]?|fixed)"
            + _R
            + r"|완료|끝|종료|해결|닫|클로즈"
        ),
    ),
    (
        "To Do",
        re.compile(
            _L
            + r"(?:to[\s-]*do|todo|backlog|reopen(?:ed)?|open)"
            + _R
            + r"|할\s*일|대기|오픈|재오픈|다시\s*열"
        ),
    ),
)
_STATUS_TARGET = re.compile(
    r"(?:\bto|\bas|\binto|->|→)\s+[\"']?([^\"'.!?]+?)[\"']?\s*[.!?]*$", re.I
)
_STATUS_TARGET_KO = re.compile(
    r"(\S+?)\s*(?:으로|로)\s*(?:바꿔|변경|옮겨|이동|처리|해|상태|전환|돌려)"
)


def _known_status(text: str) -> str | None:
    for name, pattern in _STATUS_WORDS:
        if pattern.search(text):
            return name
    return None


def transition_status(raw: str, low: str, issue: Found | None) -> str | None:
    """The Jira status asked for: a known one (To Do, In Progress, Done, In Review) or as typed."""
    after = raw[issue.end :] if issue else raw
    korean = _STATUS_TARGET_KO.search(after)
    if korean:
        # Korean status names have spaces ("할 일로"): read everything before the particle.
        known = _known_status(after[: korean.end(1)].lower())
        if known:
            return known
    target = _STATUS_TARGET.search(after) or korean
    if target:
        phrase = target.group(1).strip()
        known = _known_status(phrase.lower()) or _known_status(target.group(0).lower())
        if known:
            return known
        if 0 < len(phrase.split()) <= 3 and phrase.lower() not in NOT_APP_NAMES - {"done"}:
            return phrase if any(ch.isupper() for ch in phrase) else phrase.title()
    return _known_status(low)


_PERSON = r"(<@[A-Z0-9]+(?:\|[^>]*)?>|@?[A-Za-z][A-Za-z0-9_.-]*[A-Za-z0-9_]|[가-힣]{1,5}?)"
_ASSIGN_VERB = r"(?:assign|reassign|give|hand(?:\s+over)?|allocate|delegate)"
_ASSIGN_KO = r"(?:할당|배정|담당|맡겨|맡기|넘겨|지정|어사인)"
_ME = {"me", "myself", "나", "저", "내", "본인", "제"}
_NOT_PERSON = {
    "to",
    "the",
    "it",
    "this",
    "that",
    "a",
    "an",
    "on",
    "for",
    "담당자",
    "담당",
    "이슈",
    "티켓",
}


def assignee(raw: str, issue: Found | None) -> str | None:
    key = re.escape(raw[issue.start : issue.end]) if issue else r"(?!)"
    patterns = (
        _ASSIGN_VERB + r"\s+" + key + r"\s+(?:over\s+)?(?:to|->|→)\s+" + _PERSON + r"(?![\w])",
        key + r"\s+(?:to|->|→)\s+" + _PERSON + r"(?![\w])",
        _ASSIGN_VERB + r"\s+" + _PERSON + r"\s+(?:to|on)\s+" + key,
        r"put\s+" + _PERSON + r"\s+on\s+" + key,
        r"(?:assignee|owner)\s*(?:to|=|:|as|is)?\s*" + _PERSON + r"(?![\w])",
        r"(?:담당자?|assignee)\s*(?:를|을|는|은)?\s*" + _PERSON + r"(?:님)?\s*(?:으로|로|[.!?]*$)",
        _PERSON + r"(?:님)?\s*(?:한테|에게|께|으로|로|을|를)?\s*" + _ASSIGN_KO,
        _L + r"(?:to|for)\s+" + _PERSON + r"\s*[.!?]*$",
    )
    for pattern in patterns:
        for match in re.finditer(pattern, raw, re.IGNORECASE):
            person = match.group(1)
            if person.lower() in _NOT_PERSON or (issue and person.upper() == issue.value):
                continue
            if person.lower() in _ME:
                return "me"
            return person.lstrip("@") if not person.startswith("<@") else person
    if re.search(_L + r"(?:take|claim|grab)" + _R + r"|내가\s*(?:할게|맡을게|가져갈게)", raw, re.I):
        return "me"
    return None


# --- alerts -----------------------------------------------------------------------------------

_ALERT_WORD = r"[\"'`]?([A-Za-z][A-Za-z0-9_.:-]*[A-Za-z0-9])[\"'`]?"
_ALERT = (
    re.compile(r"alertname\s*[=:]\s*" + _ALERT_WORD, re.I),
    re.compile(
        r"(?<![\w-])([A-Z][a-z0-9]+(?:[A-Z][A-Za-z0-9]*)+|[A-Z]{2,}[a-z][A-Za-z0-9]*|[a-z]+[A-Z][A-Za-z0-9]*)(?![\w-])"
    ),
    re.compile(
        r"(?:silence|mute|snooze|shush|hush|quiet|suppress|ack(?:nowledge)?)\s+(?:the\s+)?"
        r"(?:alerts?\s+)?(?:for\s+|named\s+|called\s+|about\s+)?" + _ALERT_WORD,
        re.I,
    ),
    re.compile(_ALERT_WORD + r"\s+(?:alerts?|alarms?)(?![a-z])", re.I),
    re.compile(r"(?:alerts?|alarms?)\s+(?:named\s+|called\s+)?" + _ALERT_WORD, re.I),
    re.compile(
        r"([A-Za-z][A-Za-z0-9_.:-]*[A-Za-z0-9])\s*(?:을|를|이|가|은|는)?\s*(?:알림|경보|알람|얼럿)"
    ),
    re.compile(r"(?:알림|경보|알람|얼럿)\s+([A-Za-z][A-Za-z0-9_.:-]*[A-Za-z0-9])"),
)
_DURATION_SHAPE = re.compile(r"^(?:\d+[smhdw])+$")


def alert(raw: str) -> Found | None:
    for pattern in _ALERT:
        for match in pattern.finditer(raw):
            value = match.group(1)
            if value.lower() in NOT_APP_NAMES or _DURATION_SHAPE.match(value.lower()):
                continue
            return Found(value, match.start(1), match.end(1))
    return None


# --- new issues -------------------------------------------------------------------------------

_SUMMARY_LEAD = re.compile(
    r"^\s*(?:[:\-]+|titled|called|named|about|saying|that\s+says|with\s+(?:the\s+)?"
    r"(?:title|summary)|for|to|:)\s*",
    re.I,
)
_KO_SUMMARY_TAIL = re.compile(
    r"\s*(?:라는|이라는|란|라고|이라고|에\s*대한|관련|으로|로|을|를)?\s*$"
)


def summary(raw: str, low_type_start: int, low_type_end: int, language: str) -> str | None:
    """What a new issue says: after a colon, after the type word, or (Korean) before it."""
    colon = raw.find(":", low_type_start)
    if colon == -1:
        colon = raw.find(":")
    if colon != -1 and raw[colon + 1 :].strip():
        return _clean(raw[colon + 1 :])
    after = _SUMMARY_LEAD.sub("", raw[low_type_end:], count=1)
    while True:
        stripped = _SUMMARY_LEAD.sub("", after, count=1)
        if stripped == after:
            break
        after = stripped
    if language == "ko":
        before = _KO_SUMMARY_TAIL.sub("", raw[:low_type_start]).strip()
        if before:
            return _clean(before)
        after = re.sub(r"^\s*(?:를|을|로|으로)?\s*(?:등록|추가|생성|만들어|작성)\S*\s*", "", after)
    return _clean(after) if after.strip() else None


def _clean(text: str) -> str | None:
    text = text.strip().strip("\"'`").strip()
    return text or None
