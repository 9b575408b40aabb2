"""Messages of the nlu area, in English and Korean: clarifying questions and suggestions.

`bot.nlu.question_key(intent)` names the key to ask with; `{placeholders}` are filled by the
dispatcher.
"""

MESSAGES: dict[str, dict[str, str]] = {
    "nlu_unknown": {
        "en": "Sorry, I didn't understand that. Type `help` to see what I can do.",
        "ko": "죄송해요, 이해하지 못했어요. `도움말`을 입력하면 할 수 있는 일을 알려 드려요.",
    },
    "nlu_unknown_suggest": {
        "en": "Sorry, I didn't understand that. Did you mean: {commands}?",
        "ko": "죄송해요, 이해하지 못했어요. 혹시 이걸 원하셨나요: {commands}?",
    },
    "nlu_ask_app": {
        "en": "Which app? Known apps: {apps}.",
        "ko": "어느 앱인가요? 등록된 앱: {apps}.",
    },
    "nlu_ask_replicas": {
        "en": "How many replicas should {app} run?",
        "ko": "{app}을(를) 몇 개로 맞출까요?",
    },
    "nlu_ask_version": {
        "en": "Which version of {app} should I deploy?",
        "ko": "{app}의 어느 버전을 배포할까요?",
    },
    "nlu_ask_summary": {
        "en": "What should the new {issue_type} say? For example `create a bug: checkout fails`.",
        "ko": "새 {issue_type}의 내용은 무엇인가요? 예: `버그 등록: 결제 실패`",
    },
    "nlu_ask_issue": {
        "en": "Which issue? Give its key, like PAY-12.",
        "ko": "어느 이슈인가요? PAY-12처럼 키를 알려 주세요.",
    },
    "nlu_ask_status": {
        "en": "Which status should {issue} move to? (To Do, In Progress, Done)",
        "ko": "{issue}을(를) 어느 상태로 옮길까요? (할 일, 진행 중, 완료)",
    },
    "nlu_ask_assignee": {
        "en": "Who should {issue} be assigned to?",
        "ko": "{issue}을(를) 누구에게 할당할까요?",
    },
    "nlu_ask_alert": {
        "en": "Which alert? Give its name, like HighLatency.",
        "ko": "어느 알림인가요? HighLatency처럼 이름을 알려 주세요.",
    },
    "nlu_ask_duration": {
        "en": "For how long should I silence {alert}? (e.g. 30m, 2h, 1d)",
        "ko": "{alert} 알림을 얼마 동안 끌까요? (예: 30분, 2시간, 하루)",
    },
    "nlu_unknown_app": {
        "en": "There is no app called {app}.",
        "ko": "{app}이라는 앱은 없어요.",
    },
    "nlu_did_you_mean_app": {
        "en": "There is no app called {app}. Did you mean {suggestions}?",
        "ko": "{app}이라는 앱은 없어요. 혹시 {suggestions}을(를) 말씀하신 건가요?",
    },
    "nlu_used_context": {
        "en": "(about {app}, from the previous command)",
        "ko": "(이전 명령의 {app} 기준)",
    },
}
