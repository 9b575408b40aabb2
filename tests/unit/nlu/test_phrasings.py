"""Many phrasings of every intent, in English, Korean and the two mixed, beyond the sample corpus.

Each case gives the text and the slots it must yield; slots not named are not checked.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu import AppCatalog, parse

APPS = ["payment", "marvel-collection", "cart", "user-api", "order-service", "frontend", "auth"]
CATALOG = AppCatalog.from_names(APPS)

CASES: list[tuple[str, dict[str, Any]]] = [
    ("scale payment to 4 replicas", {"intent": "scale", "app": "payment", "replicas": 4}),
    ("set cart replicas to 3", {"intent": "scale", "app": "cart", "replicas": 3}),
    ("I need 5 instances of frontend", {"intent": "scale", "app": "frontend", "replicas": 5}),
    ("spin up two more auth pods", {"intent": "scale", "app": "auth", "delta": 2}),
    ("scale up user-api by 2", {"intent": "scale", "app": "user-api", "delta": 2}),
    ("scale the user api to 2", {"intent": "scale", "app": "user-api", "replicas": 2}),
    ("reduce payment by one", {"intent": "scale", "app": "payment", "delta": -1}),
    ("shut down cart", {"intent": "scale", "app": "cart", "replicas": 0}),
    ("scale frontend to zero", {"intent": "scale", "app": "frontend", "replicas": 0}),
    ("payment 3대로 늘려줘", {"intent": "scale", "app": "payment", "replicas": 3}),
    ("cart 파드 하나 더 띄워 줘", {"intent": "scale", "app": "cart", "delta": 1}),
    ("auth 두 개로 줄여줘", {"intent": "scale", "app": "auth", "replicas": 2}),
    ("user-api 세 개 실행해줘", {"intent": "scale", "app": "user-api", "replicas": 3}),
    ("order-service 중지해줘", {"intent": "scale", "app": "order-service", "replicas": 0}),
    ("frontend 내려줘", {"intent": "scale", "app": "frontend", "replicas": 0}),
    ("payment 스케일 5로", {"intent": "scale", "app": "payment", "replicas": 5}),
    (
        "marvel collection 2개로 늘려줘",
        {"intent": "scale", "app": "marvel-collection", "replicas": 2},
    ),
    (
        "run cart x2 in staging",
        {"intent": "scale", "app": "cart", "replicas": 2, "namespace": "staging"},
    ),
    (
        "scale payment to 3 on cluster gke-tokyo",
        {"intent": "scale", "app": "payment", "replicas": 3, "cluster": "gke-tokyo"},
    ),
    (
        "payment 앱 staging 네임스페이스에 3개 띄워줘",
        {"intent": "scale", "app": "payment", "replicas": 3, "namespace": "staging"},
    ),
    (
        "prod 클러스터에서 cart 2개로 줄여줘",
        {"intent": "scale", "app": "cart", "replicas": 2, "cluster": "prod"},
    ),
    ("scale paymnt to 6", {"intent": "scale", "app": "payment", "replicas": 6}),
    ("scale Frontend to 2", {"intent": "scale", "app": "frontend", "replicas": 2}),
    ("add another cart pod", {"intent": "scale", "app": "cart", "delta": 1}),
    ("remove 2 payment pods", {"intent": "scale", "app": "payment", "delta": -2}),
    ("please restart the auth service", {"intent": "restart", "app": "auth"}),
    ("reboot frontend", {"intent": "restart", "app": "frontend"}),
    (
        "can you recycle order-service pods in staging?",
        {"intent": "restart", "app": "order-service", "namespace": "staging"},
    ),
    ("do a rolling restart of payment", {"intent": "restart", "app": "payment"}),
    ("cart 재기동 부탁해", {"intent": "restart", "app": "cart"}),
    ("payment 리스타트 해주세요", {"intent": "restart", "app": "payment"}),
    ("frontend 좀 다시 시작해 줘", {"intent": "restart", "app": "frontend"}),
    ("kick the user-api pods", {"intent": "restart", "app": "user-api"}),
    ("revert cart", {"intent": "rollback", "app": "cart"}),
    ("roll payment back to rev 3", {"intent": "rollback", "app": "payment", "revision": 3}),
    (
        "rollback frontend to revision 7 in staging",
        {"intent": "rollback", "app": "frontend", "revision": 7, "namespace": "staging"},
    ),
    ("cart 롤백", {"intent": "rollback", "app": "cart"}),
    ("user-api 3번 리비전으로 되돌려줘", {"intent": "rollback", "app": "user-api", "revision": 3}),
    ("order-service 이전 버전으로 되돌려 주세요", {"intent": "rollback", "app": "order-service"}),
    ("go back to the previous version of auth", {"intent": "rollback", "app": "auth"}),
    ("rollback", {"intent": "rollback"}),
    ("release payment 1.5.0", {"intent": "deploy", "app": "payment", "version": "1.5.0"}),
    (
        "roll out cart v3.2.1 to production",
        {"intent": "deploy", "app": "cart", "version": "v3.2.1", "namespace": "production"},
    ),
    ("deploy frontend:2.0.0", {"intent": "deploy", "app": "frontend", "version": "2.0.0"}),
    (
        "push auth latest to staging",
        {"intent": "deploy", "app": "auth", "version": "latest", "namespace": "staging"},
    ),
    (
        "deploy version 4.1.0 of user-api",
        {"intent": "deploy", "app": "user-api", "version": "4.1.0"},
    ),
    (
        "payment v1.2.3 staging에 배포해줘",
        {"intent": "deploy", "app": "payment", "version": "v1.2.3", "namespace": "staging"},
    ),
    ("cart 3.0.1 버전으로 배포 부탁해", {"intent": "deploy", "app": "cart", "version": "3.0.1"}),
    (
        "ship frontend 2.4.0 on cluster eks-seoul",
        {"intent": "deploy", "app": "frontend", "version": "2.4.0", "cluster": "eks-seoul"},
    ),
    (
        "deploy payment 1.4.2 in namespace payments",
        {"intent": "deploy", "app": "payment", "version": "1.4.2", "namespace": "payments"},
    ),
    ("trigger a build of cart", {"intent": "build", "app": "cart"}),
    (
        "kick off the payment pipeline on branch main",
        {"intent": "build", "app": "payment", "branch": "main"},
    ),
    (
        "build user-api from feature/login",
        {"intent": "build", "app": "user-api", "branch": "feature/login"},
    ),
    (
        "frontend feature/dark-mode 브랜치로 빌드해줘",
        {"intent": "build", "app": "frontend", "branch": "feature/dark-mode"},
    ),
    ("order-service 빌드 해줘", {"intent": "build", "app": "order-service"}),
    ("run jenkins for auth", {"intent": "build", "app": "auth"}),
    ("is payment healthy?", {"intent": "status", "app": "payment"}),
    ("health of cart", {"intent": "status", "app": "cart"}),
    (
        "what's the status of user-api in staging",
        {"intent": "status", "app": "user-api", "namespace": "staging"},
    ),
    ("how are the frontend pods doing", {"intent": "status", "app": "frontend"}),
    ("auth 상태 어때?", {"intent": "status", "app": "auth"}),
    ("payment 잘 돌아가?", {"intent": "status", "app": "payment"}),
    ("cart 괜찮아?", {"intent": "status", "app": "cart"}),
    ("show status", {"intent": "status"}),
    ("상태 보여줘", {"intent": "status"}),
    ("show logs for frontend", {"intent": "logs", "app": "frontend"}),
    ("tail 20 lines of auth", {"intent": "logs", "app": "auth", "lines": 20}),
    (
        "give me the last 200 log lines of order-service",
        {"intent": "logs", "app": "order-service", "lines": 200},
    ),
    ("payment 로그 보여줘", {"intent": "logs", "app": "payment"}),
    ("cart 로그 최근 30줄", {"intent": "logs", "app": "cart", "lines": 30}),
    ("logs of user-api in staging", {"intent": "logs", "app": "user-api", "namespace": "staging"}),
    ("deploy history for cart", {"intent": "history", "app": "cart"}),
    ("show revisions of auth", {"intent": "history", "app": "auth"}),
    ("payment 배포 기록 보여줘", {"intent": "history", "app": "payment"}),
    ("user-api 히스토리", {"intent": "history", "app": "user-api"}),
    ("list previous releases of frontend", {"intent": "history", "app": "frontend"}),
    ("how is the sprint looking", {"intent": "sprint"}),
    ("show the burndown", {"intent": "sprint"}),
    ("이번 스프린트 어때?", {"intent": "sprint"}),
    ("sprint progress please", {"intent": "sprint"}),
    ("stand-up summary", {"intent": "standup"}),
    ("post the daily", {"intent": "standup"}),
    ("스탠드업 정리해줘", {"intent": "standup"}),
    ("what's in the backlog?", {"intent": "backlog"}),
    ("백로그 좀 보여줄래?", {"intent": "backlog"}),
    (
        "file a bug: login page times out",
        {"intent": "create_issue", "issue_type": "Bug", "summary": "login page times out"},
    ),
    (
        "create story: users can export invoices",
        {"intent": "create_issue", "issue_type": "Story", "summary": "users can export invoices"},
    ),
    (
        "task: update the runbook",
        {"intent": "create_issue", "issue_type": "Task", "summary": "update the runbook"},
    ),
    (
        "스토리 추가: 장바구니 공유 기능",
        {"intent": "create_issue", "issue_type": "Story", "summary": "장바구니 공유 기능"},
    ),
    (
        "new task: rotate the TLS certificates",
        {"intent": "create_issue", "issue_type": "Task", "summary": "rotate the TLS certificates"},
    ),
    (
        "open a bug titled Payment fails on retry",
        {"intent": "create_issue", "issue_type": "Bug", "summary": "Payment fails on retry"},
    ),
    ("mark PAY-4 as done", {"intent": "transition", "issue": "PAY-4", "status": "Done"}),
    (
        "PAY-9 진행중으로 바꿔줘",
        {"intent": "transition", "issue": "PAY-9", "status": "In Progress"},
    ),
    ("close OPS-3", {"intent": "transition", "issue": "OPS-3", "status": "Done"}),
    ("move CART-21 to To Do", {"intent": "transition", "issue": "CART-21", "status": "To Do"}),
    ("PAY-5 할 일로 옮겨줘", {"intent": "transition", "issue": "PAY-5", "status": "To Do"}),
    ("start PAY-8", {"intent": "transition", "issue": "PAY-8", "status": "In Progress"}),
    ("give PAY-10 to bob", {"intent": "assign", "issue": "PAY-10", "assignee": "bob"}),
    ("PAY-3 alice한테 할당해줘", {"intent": "assign", "issue": "PAY-3", "assignee": "alice"}),
    ("assign OPS-7 to me", {"intent": "assign", "issue": "OPS-7", "assignee": "me"}),
    ("PAY-2 담당자를 carol로 바꿔줘", {"intent": "assign", "issue": "PAY-2", "assignee": "carol"}),
    ("snooze DiskFull for 45m", {"intent": "silence", "alert": "DiskFull", "duration": "45m"}),
    (
        "silence KubePodCrashLooping for an hour",
        {"intent": "silence", "alert": "KubePodCrashLooping", "duration": "1h"},
    ),
    (
        "mute HighLatency for half an hour",
        {"intent": "silence", "alert": "HighLatency", "duration": "30m"},
    ),
    (
        "silence HighMemory for a day",
        {"intent": "silence", "alert": "HighMemory", "duration": "1d"},
    ),
    (
        "PaymentDown 알림 30분 동안 음소거해줘",
        {"intent": "silence", "alert": "PaymentDown", "duration": "30m"},
    ),
    (
        "HighLatency 경보 하루 동안 꺼줘",
        {"intent": "silence", "alert": "HighLatency", "duration": "1d"},
    ),
    (
        "DiskFull 알림 1시간 30분 꺼 줘",
        {"intent": "silence", "alert": "DiskFull", "duration": "1h30m"},
    ),
    (
        "mute CPUThrottling for 90 minutes",
        {"intent": "silence", "alert": "CPUThrottling", "duration": "90m"},
    ),
    ("any alerts?", {"intent": "alerts"}),
    ("show active alerts", {"intent": "alerts"}),
    ("지금 울리는 경보 있어?", {"intent": "alerts"}),
    ("what is firing right now", {"intent": "alerts"}),
    ("error budget for payment", {"intent": "slo", "app": "payment"}),
    ("cart SLO 어때?", {"intent": "slo", "app": "cart"}),
    ("show slo of user-api", {"intent": "slo", "app": "user-api"}),
    ("auth 에러 예산 알려줘", {"intent": "slo", "app": "auth"}),
    ("help me", {"intent": "help"}),
    ("뭐 할 수 있어?", {"intent": "help"}),
    ("list commands", {"intent": "help"}),
    ("사용법 알려줘", {"intent": "help"}),
    ("점심 뭐 먹지?", {"intent": "unknown"}),
    ("tell me a joke", {"intent": "unknown"}),
    ("오늘 날씨 어때?", {"intent": "unknown"}),
    ("book a meeting room for 3pm", {"intent": "unknown"}),
    ("who won the game last night?", {"intent": "unknown"}),
    ("thanks!", {"intent": "unknown"}),
    ("<@U012ABC> restart cart", {"intent": "restart", "app": "cart"}),
    ("/kuber status payment", {"intent": "status", "app": "payment"}),
    ("hey kuber, deploy auth 1.0.0", {"intent": "deploy", "app": "auth", "version": "1.0.0"}),
    ("쿠버 cart 로그 보여줘", {"intent": "logs", "app": "cart"}),
    ("scale payment", {"intent": "scale", "app": "payment"}),
    ("deploy inventory 2.0.0", {"intent": "deploy", "app": "inventory", "version": "2.0.0"}),
    ("run 3 copies of search", {"intent": "scale", "app": "search", "replicas": 3}),
    ("bump payment to 8 replicas", {"intent": "scale", "app": "payment", "replicas": 8}),
    ("could you scale cart up to 4?", {"intent": "scale", "app": "cart", "replicas": 4}),
    ("make frontend run 3 pods", {"intent": "scale", "app": "frontend", "replicas": 3}),
    ("scale down auth to 1", {"intent": "scale", "app": "auth", "replicas": 1}),
    (
        "decrease order-service replicas by 2",
        {"intent": "scale", "app": "order-service", "delta": -2},
    ),
    ("increase cart by 3", {"intent": "scale", "app": "cart", "delta": 3}),
    ("stop the payment app", {"intent": "scale", "app": "payment", "replicas": 0}),
    (
        "turn off frontend in staging",
        {"intent": "scale", "app": "frontend", "replicas": 0, "namespace": "staging"},
    ),
    ("take marvel-collection down", {"intent": "scale", "app": "marvel-collection", "replicas": 0}),
    ("user api 4개 띄워", {"intent": "scale", "app": "user-api", "replicas": 4}),
    ("payment 레플리카 6개로 설정해줘", {"intent": "scale", "app": "payment", "replicas": 6}),
    ("cart를 열 개로 늘려줘", {"intent": "scale", "app": "cart", "replicas": 10}),
    ("auth 파드 2개 줄여줘", {"intent": "scale", "app": "auth", "delta": -2}),
    ("frontend 하나 더 띄워줘", {"intent": "scale", "app": "frontend", "delta": 1}),
    ("order-service 멈춰줘", {"intent": "scale", "app": "order-service", "replicas": 0}),
    ("payment ×5", {"intent": "scale", "app": "payment", "replicas": 5}),
    ("cart *2", {"intent": "scale", "app": "cart", "replicas": 2}),
    ("frontend 3x", {"intent": "scale", "app": "frontend", "replicas": 3}),
    ("scale auth to twelve", {"intent": "scale", "app": "auth", "replicas": 12}),
    ("restart marvel collection", {"intent": "restart", "app": "marvel-collection"}),
    ("bounce payment in prod", {"intent": "restart", "app": "payment", "namespace": "prod"}),
    ("user-api 재부팅", {"intent": "restart", "app": "user-api"}),
    ("auth 껐다 켜줘", {"intent": "restart", "app": "auth"}),
    (
        "restart cart on the staging cluster",
        {"intent": "restart", "app": "cart", "cluster": "staging"},
    ),
    ("undo the cart deploy", {"intent": "rollback", "app": "cart"}),
    ("revert frontend to revision 2", {"intent": "rollback", "app": "frontend", "revision": 2}),
    ("roll back user-api", {"intent": "rollback", "app": "user-api"}),
    ("payment 롤백해줘 리비전 5로", {"intent": "rollback", "app": "payment", "revision": 5}),
    ("cart 원복해줘", {"intent": "rollback", "app": "cart"}),
    ("auth 롤백 rev 4", {"intent": "rollback", "app": "auth", "revision": 4}),
    (
        "deploy payment v2.1.0 to qa",
        {"intent": "deploy", "app": "payment", "version": "v2.1.0", "namespace": "qa"},
    ),
    ("upgrade cart to 1.9.0", {"intent": "deploy", "app": "cart", "version": "1.9.0"}),
    (
        "deploy user-api image tag 5f3c2a1",
        {"intent": "deploy", "app": "user-api", "version": "5f3c2a1"},
    ),
    ("frontend 최신 버전 배포", {"intent": "deploy", "app": "frontend"}),
    ("auth 1.2.0 릴리스해줘", {"intent": "deploy", "app": "auth", "version": "1.2.0"}),
    (
        "payment 2.0.0 prod 클러스터에 배포해줘",
        {"intent": "deploy", "app": "payment", "version": "2.0.0", "cluster": "prod"},
    ),
    (
        "deploy order-service 0.9.1 to the staging namespace",
        {"intent": "deploy", "app": "order-service", "version": "0.9.1", "namespace": "staging"},
    ),
    ("rebuild frontend", {"intent": "build", "app": "frontend"}),
    (
        "build cart on branch release/1.2",
        {"intent": "build", "app": "cart", "branch": "release/1.2"},
    ),
    ("payment 파이프라인 돌려줘", {"intent": "build", "app": "payment"}),
    ("user-api main 브랜치 빌드", {"intent": "build", "app": "user-api", "branch": "main"}),
    (
        "start a build for auth from develop",
        {"intent": "build", "app": "auth", "branch": "develop"},
    ),
    ("is cart up?", {"intent": "status", "app": "cart"}),
    ("check on payment", {"intent": "status", "app": "payment"}),
    ("how's frontend?", {"intent": "status", "app": "frontend"}),
    ("user-api 살아있어?", {"intent": "status", "app": "user-api"}),
    ("order-service 상태 확인해줘", {"intent": "status", "app": "order-service"}),
    ("payment 파드 몇 개 떠 있어?", {"intent": "status", "app": "payment"}),
    ("status of cart in staging", {"intent": "status", "app": "cart", "namespace": "staging"}),
    ("what's going on with auth", {"intent": "status", "app": "auth"}),
    ("show cart logs", {"intent": "logs", "app": "cart"}),
    ("get me 50 lines of payment logs", {"intent": "logs", "app": "payment", "lines": 50}),
    ("frontend 로그 100줄만", {"intent": "logs", "app": "frontend", "lines": 100}),
    ("auth 로그 확인", {"intent": "logs", "app": "auth"}),
    ("tail user-api", {"intent": "logs", "app": "user-api"}),
    ("history payment", {"intent": "history", "app": "payment"}),
    ("cart 배포 이력", {"intent": "history", "app": "cart"}),
    (
        "show rollout history of frontend in staging",
        {"intent": "history", "app": "frontend", "namespace": "staging"},
    ),
    ("what revisions does auth have", {"intent": "history", "app": "auth"}),
    ("sprint", {"intent": "sprint"}),
    ("스프린트 진행 상황", {"intent": "sprint"}),
    ("burndown chart please", {"intent": "sprint"}),
    ("standup", {"intent": "standup"}),
    ("오늘 데일리 요약", {"intent": "standup"}),
    ("give me the stand up digest", {"intent": "standup"}),
    ("backlog", {"intent": "backlog"}),
    ("list the backlog items", {"intent": "backlog"}),
    (
        "bug: search returns 500 for empty query",
        {
            "intent": "create_issue",
            "issue_type": "Bug",
            "summary": "search returns 500 for empty query",
        },
    ),
    (
        "create a task: clean up old images",
        {"intent": "create_issue", "issue_type": "Task", "summary": "clean up old images"},
    ),
    (
        "태스크 등록: 로그 보관 주기 변경",
        {"intent": "create_issue", "issue_type": "Task", "summary": "로그 보관 주기 변경"},
    ),
    (
        "new bug: restart button does nothing",
        {"intent": "create_issue", "issue_type": "Bug", "summary": "restart button does nothing"},
    ),
    (
        "add a story: As an admin I can see audit logs",
        {
            "intent": "create_issue",
            "issue_type": "Story",
            "summary": "As an admin I can see audit logs",
        },
    ),
    (
        "버그 추가: 장바구니 수량이 0으로 표시됨",
        {"intent": "create_issue", "issue_type": "Bug", "summary": "장바구니 수량이 0으로 표시됨"},
    ),
    ("transition PAY-12 to Done", {"intent": "transition", "issue": "PAY-12", "status": "Done"}),
    ("PAY-12 done", {"intent": "transition", "issue": "PAY-12", "status": "Done"}),
    ("PAY-44 완료", {"intent": "transition", "issue": "PAY-44", "status": "Done"}),
    (
        "set OPS-2 to in progress",
        {"intent": "transition", "issue": "OPS-2", "status": "In Progress"},
    ),
    ("reopen PAY-6", {"intent": "transition", "issue": "PAY-6", "status": "To Do"}),
    (
        "PAY-15 진행 중으로 변경",
        {"intent": "transition", "issue": "PAY-15", "status": "In Progress"},
    ),
    ("reassign PAY-1 to dave", {"intent": "assign", "issue": "PAY-1", "assignee": "dave"}),
    ("PAY-20 bob에게 배정", {"intent": "assign", "issue": "PAY-20", "assignee": "bob"}),
    ("assign alice to PAY-31", {"intent": "assign", "issue": "PAY-31", "assignee": "alice"}),
    (
        "silence PaymentDown for 2 hours",
        {"intent": "silence", "alert": "PaymentDown", "duration": "2h"},
    ),
    ("mute alert HighCPU for 15m", {"intent": "silence", "alert": "HighCPU", "duration": "15m"}),
    (
        "snooze the HighLatency alert for 1h",
        {"intent": "silence", "alert": "HighLatency", "duration": "1h"},
    ),
    (
        "HighErrorRate 2시간 음소거",
        {"intent": "silence", "alert": "HighErrorRate", "duration": "2h"},
    ),
    ("DiskFull 알람 이틀 동안 끄기", {"intent": "silence", "alert": "DiskFull", "duration": "2d"}),
    (
        "silence alertname=NodeDown for 3h",
        {"intent": "silence", "alert": "NodeDown", "duration": "3h"},
    ),
    ("alerts", {"intent": "alerts"}),
    ("anything on fire?", {"intent": "alerts"}),
    ("알림 목록", {"intent": "alerts"}),
    ("지금 장애 있어?", {"intent": "alerts"}),
    ("what's the error budget of frontend", {"intent": "slo", "app": "frontend"}),
    ("burn rate for payment", {"intent": "slo", "app": "payment"}),
    ("cart 에러 버짓", {"intent": "slo", "app": "cart"}),
    ("slo", {"intent": "slo"}),
    ("what do you do?", {"intent": "help"}),
    ("도와줘", {"intent": "help"}),
    ("명령어 목록", {"intent": "help"}),
    ("how do I use you", {"intent": "help"}),
    ("what time is it?", {"intent": "unknown"}),
    ("I love pizza", {"intent": "unknown"}),
    ("배고파", {"intent": "unknown"}),
    ("lol", {"intent": "unknown"}),
    ("can you write me a poem", {"intent": "unknown"}),
    ("내일 회의 몇 시야?", {"intent": "unknown"}),
    ("good morning", {"intent": "unknown"}),
    ("restart", {"intent": "restart"}),
    ("deploy payment", {"intent": "deploy", "app": "payment"}),
    ("logs", {"intent": "logs"}),
    ("쿠버야 배포 이력 보여줘", {"intent": "history"}),
    ("kuber: help", {"intent": "help"}),
    ("@kuber scale cart to 3", {"intent": "scale", "app": "cart", "replicas": 3}),
    ("scale billing to 2", {"intent": "scale", "app": "billing", "replicas": 2}),
    ("billing 재시작해줘", {"intent": "restart", "app": "billing"}),
    (
        "rollback notifications to revision 3",
        {"intent": "rollback", "app": "notifications", "revision": 3},
    ),
]

# A name far from every known app passes through as written, flagged unknown.
UNKNOWN_APP_CASES: list[tuple[str, dict[str, Any]]] = [
    ("scale checkout down by 2", {"intent": "scale", "app": "checkout", "delta": -2}),
    ("restart checkout", {"intent": "restart", "app": "checkout"}),
]


@pytest.mark.parametrize(("text", "expected"), CASES, ids=[text for text, _ in CASES])
def test_phrasing(text: str, expected: dict[str, Any]) -> None:
    got = parse(text, CATALOG).to_json()
    assert {key: got.get(key) for key in expected} == expected


@pytest.mark.parametrize(("text", "expected"), UNKNOWN_APP_CASES)
def test_unknown_app_passes_through(text: str, expected: dict[str, Any]) -> None:
    intent = parse(text, AppCatalog.from_names(["payment", "cart"]))
    got = intent.to_json()
    assert {key: got.get(key) for key in expected} == expected
    assert intent.app_known is False
