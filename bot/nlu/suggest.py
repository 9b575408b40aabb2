"""Likely commands for text Kuber did not understand, from words that look like command words.

It ranks; it never acts: `parse` turns a guess into an intent only when the word is a near
certain typo of a command word and a known app stands beside it.
"""

from __future__ import annotations

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.intents import IntentName
from bot.nlu.lexicon import NOT_APP_NAMES
from bot.nlu.normalize import Text, prepare, strip_particle

_KEYWORDS: dict[str, IntentName] = {}
for _intent, _words in (
    (IntentName.SCALE, "scale replicas instances 스케일 레플리카 늘려 줄여"),
    (IntentName.RESTART, "restart reboot bounce recycle 재시작 재기동 리스타트"),
    (IntentName.ROLLBACK, "rollback revert undo 롤백 되돌려"),
    (IntentName.DEPLOY, "deploy release ship 배포 릴리스"),
    (IntentName.BUILD, "build pipeline jenkins 빌드 파이프라인"),
    (IntentName.STATUS, "status health healthy 상태 헬스"),
    (IntentName.LOGS, "logs 로그"),
    (IntentName.HISTORY, "history revisions 이력 히스토리"),
    (IntentName.SPRINT, "sprint burndown 스프린트 번다운"),
    (IntentName.STANDUP, "standup daily scrum 스탠드업 데일리 스크럼"),
    (IntentName.BACKLOG, "backlog 백로그"),
    (IntentName.CREATE_ISSUE, "bug story ticket 버그 스토리 티켓"),
    (IntentName.TRANSITION, "transition 완료"),
    (IntentName.ASSIGN, "assign 할당 배정"),
    (IntentName.SILENCE, "silence mute snooze 음소거 사일런스"),
    (IntentName.ALERTS, "alerts firing 알림 경보"),
    (IntentName.HELP, "help commands 도움말 명령어"),
    (IntentName.SLO, "slo budget 버짓 에러버짓"),
    (IntentName.AUDIT, "audit 감사로그"),
    (IntentName.DIAGNOSE, "diagnose troubleshoot 진단"),
    (IntentName.UNSILENCE, "unsilence unmute 해제"),
    (IntentName.CANCEL, "cancel 취소"),
):
    for _word in _words.split():
        _KEYWORDS[_word] = _intent
_WORDS = tuple(_KEYWORDS)


def _scores(text: Text, cutoff: float) -> dict[IntentName, float]:
    scores: dict[IntentName, float] = {}
    for token in text.tokens:
        word = strip_particle(token.text) if token.hangul else token.text
        if len(word) < (2 if token.hangul else 3):
            continue
        found = process.extractOne(word, _WORDS, scorer=fuzz.ratio, score_cutoff=cutoff)
        if found is not None:
            intent = _KEYWORDS[found[0]]
            scores[intent] = max(scores.get(intent, 0.0), float(found[1]))
    return scores


def ranked_commands(text: Text, limit: int = 3) -> tuple[IntentName, ...]:
    scores = _scores(text, 70.0)
    return tuple(sorted(scores, key=lambda intent: -scores[intent])[:limit])


def typo_command(text: Text) -> IntentName | None:
    """The command a long word is a one-letter slip of ("restrat", "depoly"), if any.

    Real words are never slips: "start" is not a mistyped "restart".
    """
    for token in text.tokens:
        word = token.text
        if token.hangul or len(word) < 5 or word in NOT_APP_NAMES:
            continue
        found = process.extractOne(word, _WORDS, scorer=OSA.distance, score_cutoff=1)
        if found is not None:
            return _KEYWORDS[found[0]]
    return None


def suggest_commands(text: str) -> tuple[IntentName, ...]:
    """The likeliest commands for `text`, best first; empty when no word looks like one."""
    return ranked_commands(prepare(text))
