"""Words that take something back: lift a silence, undo the last change, withdraw a plan.

Each shares words with a command it must not become ("cancel" with a cancelled deploy,
"undo" with a rollback, "unmute" with mute), so these are checked before those commands.
They name the intent only, like `grammar`.
"""

from __future__ import annotations

import re

from bot.intents import IntentName
from bot.nlu.patterns import any_of, en_words

UNSILENCE = any_of(
    en_words(
        "un-?(?:silence|mute|snooze)[a-z]*",
        "(?:remove|delete|expire|end|lift|drop|cancel|clear|stop)\\s+(?:the\\s+)?(?:\\S+\\s+)?"
        "(?:silences?|mutes?|snoozes?)",
        "(?:stop|quit)\\s+(?:silencing|muting|snoozing)",
        "re-?enable\\s+(?:the\\s+)?(?:\\S+\\s+)?(?:alerts?|alarms?|notifications?)",
    ),
    r"(?:사일런스|음소거|뮤트|무음|스누즈)\s*(?:를|을|는|은)?\s*(?:해제|풀어|풀|취소|끝|삭제|제거|없애|그만)",
    r"(?:알림|경보|알람|얼럿)[^.?!]{0,16}?다시\s*(?:켜|받|울리|오게|살려|보내)",
)

# The last change made from this channel, not one app's previous revision.
UNDO = any_of(
    en_words(
        "(?:undo|revert|reverse|roll\\s*back|take\\s+back)\\s+(?:the\\s+|my\\s+|our\\s+|your\\s+)?"
        "(?:last|latest|previous|recent|most\\s+recent)\\s+(?:change|action|command|thing|"
        "operation|step|one)",
        "(?:undo|revert|reverse|roll\\s*back)\\s+what\\s+(?:i|we|you)\\s+(?:just\\s+)?did",
        "(?:undo|revert)\\s+(?:that|this|it)(?:\\s+change)?",
        "^\\s*undo\\s*[.!]*$",
    ),
    r"(?:방금|아까|마지막|최근|직전)\s*(?:거|것|걸|한\s*(?:거|것|걸|일|작업)|변경|작업|명령|바꾼\s*(?:거|것|걸))"
    r"[^.?!]{0,12}?(?:되돌|원복|롤백|취소|무르|물러|복구|복원|undo)",
)

# Withdraw the channel's pending plan. Korean 배포 취소 stays a rollback (see grammar).
CANCEL = any_of(
    en_words(
        "cancel(?:led)?",
        "abort",
        "never\\s*mind",
        "nvm",
        "forget\\s+(?:it|that|about\\s+it)",
        "scratch\\s+that",
        "don'?t\\s+bother",
        "call\\s+(?:it|that)\\s+off",
    ),
    r"취소|관둬|관두|그만둬|안\s*할래|없던\s*(?:걸로|일로)|^(?:아니\s*|아냐\s*)?됐(?:어|다|습니다)(?:요)?\s*[.!~]*$",
)
_DEPLOY_CANCEL = re.compile(r"배포\s*(?:를|을|한\s*(?:거|것)\s*(?:를|을)?)?\s*(?:취소|무르|물러)")


def taking_back(text: str, *, names_app: bool) -> IntentName | None:
    """UNSILENCE, UNDO (ROLLBACK when an app is named) or CANCEL for the text, else None."""
    if UNSILENCE.search(text):
        return IntentName.UNSILENCE
    if UNDO.search(text):
        return IntentName.ROLLBACK if names_app else IntentName.UNDO
    if CANCEL.search(text) and not _DEPLOY_CANCEL.search(text):
        return IntentName.CANCEL
    return None
