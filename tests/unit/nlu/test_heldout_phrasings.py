"""Phrasings written apart from the parser, in the corpus format: English, Korean and mixed.

`RULE_CASES` are grouped by the general rule each needed; `CASES` is a spread over every
intent. Slots not named are not checked; a slot given as None must be absent.
"""

from __future__ import annotations

from typing import Any

import pytest

from bot.nlu import AppCatalog, parse
from bot.nlu.numbers import rewrite_numbers

APPS = ["payment", "marvel-collection", "cart", "user-api", "order-service", "frontend", "auth"]
CATALOG = AppCatalog.from_names(APPS)

RULE_CASES: list[tuple[str, dict[str, Any]]] = [
    # Sino-Korean numerals before a counter (삼 개로, 오십 줄, 백 줄)
    ("payment 파드 삼 개로 늘려줘", {"intent": "scale", "app": "payment", "replicas": 3}),
    ("payment 파드 칠 개로 맞춰줘", {"intent": "scale", "app": "payment", "replicas": 7}),
    ("auth 레플리카 이십오 개로 늘려줘", {"intent": "scale", "app": "auth", "replicas": 25}),
    ("payment 파드 이십 개로 늘려줘", {"intent": "scale", "app": "payment", "replicas": 20}),
    ("auth 로그 최근 오십 줄 보여줘", {"intent": "logs", "app": "auth", "lines": 50}),
    ("frontend 로그 마지막 백 줄", {"intent": "logs", "app": "frontend", "lines": 100}),
    ("cart 로그 삼백 줄 보여줘", {"intent": "logs", "app": "cart", "lines": 300}),
    # scale out / scale in with a bare count is a change; 로 still marks a target
    (
        "order-service 스케일 아웃 2개 부탁해",
        {"intent": "scale", "app": "order-service", "delta": 2},
    ),
    ("cart 2개 스케일 아웃", {"intent": "scale", "app": "cart", "delta": 2}),
    ("payment 스케일 인 1개", {"intent": "scale", "app": "payment", "delta": -1}),
    ("scale out auth by 2", {"intent": "scale", "app": "auth", "delta": 2}),
    ("스케일 아웃 payment 3개로", {"intent": "scale", "app": "payment", "replicas": 3}),
    ("payment 스케일 인스턴스 3개로", {"intent": "scale", "app": "payment", "replicas": 3}),
    # English change verbs beside an app and a number
    ("can we get payment up to 6?", {"intent": "scale", "app": "payment", "replicas": 6}),
    ("bring frontend down to 2", {"intent": "scale", "app": "frontend", "replicas": 2}),
    ("drop payment by 2", {"intent": "scale", "app": "payment", "delta": -2}),
    ("lower cart by 1", {"intent": "scale", "app": "cart", "delta": -1}),
    # a Korean particle glued to a version tag ends the tag
    ("auth를 1.1.0으로 배포해 줘", {"intent": "deploy", "app": "auth", "version": "1.1.0"}),
    (
        "user-api 1.0.5를 staging에 배포해줘",
        {"intent": "deploy", "app": "user-api", "version": "1.0.5", "namespace": "staging"},
    ),
    ("payment v2를 배포해줘", {"intent": "deploy", "app": "payment", "version": "v2"}),
    ("deploy cart v1.0.0-rc.1으로", {"intent": "deploy", "app": "cart", "version": "v1.0.0-rc.1"}),
    # moving an app to a version-shaped target is a deploy
    ("cart를 2.0.0 버전으로 올려줘", {"intent": "deploy", "app": "cart", "version": "2.0.0"}),
    ("payment 2.1.0으로 바꿔줘", {"intent": "deploy", "app": "payment", "version": "2.1.0"}),
    (
        "bump cart to v2.1.0",
        {"intent": "deploy", "app": "cart", "version": "v2.1.0", "namespace": None},
    ),
    ("switch payment to version 1.9.0", {"intent": "deploy", "app": "payment", "version": "1.9.0"}),
    (
        "deploy cart to v2.1.0",
        {"intent": "deploy", "app": "cart", "version": "v2.1.0", "namespace": None},
    ),
    ("bump payment to 8 replicas", {"intent": "scale", "app": "payment", "replicas": 8}),
    # silence verbs: 무시 beside an alert word, 무음 alone
    (
        "HighCPU 알림 90분 동안 무시해줘",
        {"intent": "silence", "alert": "HighCPU", "duration": "90m"},
    ),
    (
        "HighLatency 알림 무시해줘 2시간",
        {"intent": "silence", "alert": "HighLatency", "duration": "2h"},
    ),
    (
        "DiskFull 일주일 동안 무음 처리해줘",
        {"intent": "silence", "alert": "DiskFull", "duration": "1w"},
    ),
    # cancelling a deploy is a rollback
    ("user-api 배포 취소해줘", {"intent": "rollback", "app": "user-api"}),
    ("frontend 배포를 취소해줘", {"intent": "rollback", "app": "frontend"}),
    # Jira: 돌려 moves an issue; a bare name after 담당자 is the assignee
    ("OPS-12 다시 할 일로 돌려줘", {"intent": "transition", "issue": "OPS-12", "status": "To Do"}),
    (
        "PAY-4 진행 중으로 돌려줘",
        {"intent": "transition", "issue": "PAY-4", "status": "In Progress"},
    ),
    ("PAY-12 담당자 alice", {"intent": "assign", "issue": "PAY-12", "assignee": "alice"}),
    ("PAY-7 담당자는 bob", {"intent": "assign", "issue": "PAY-7", "assignee": "bob"}),
    # help: 할 줄 알아 is 할 수 있어
    ("쿠버야 뭐 할 줄 알아?", {"intent": "help"}),
    ("무엇을 할 줄 알아?", {"intent": "help"}),
]

CASES: list[tuple[str, dict[str, Any]]] = [
    ("<@U012ABC> scale payment to 4", {"intent": "scale", "app": "payment", "replicas": 4}),
    ("kuber pls scale user-api to five", {"intent": "scale", "app": "user-api", "replicas": 5}),
    ("run cart*4", {"intent": "scale", "app": "cart", "replicas": 4}),
    (
        "can you scale order-service to 2 replicas in staging please",
        {"intent": "scale", "app": "order-service", "replicas": 2, "namespace": "staging"},
    ),
    (
        "scale the payment deployment to 6 in namespace prod",
        {"intent": "scale", "app": "payment", "replicas": 6, "namespace": "prod"},
    ),
    ("increase cart by 2", {"intent": "scale", "app": "cart", "delta": 2}),
    ("reduce user-api by 1", {"intent": "scale", "app": "user-api", "delta": -1}),
    ("spin up two more auth pods", {"intent": "scale", "app": "auth", "delta": 2}),
    ("stop the frontend", {"intent": "scale", "app": "frontend", "replicas": 0}),
    ("scale order service to 2", {"intent": "scale", "app": "order-service", "replicas": 2}),
    ("scale carts to 3", {"intent": "scale", "app": "cart", "replicas": 3}),
    ("scale inventory to 2", {"intent": "scale", "app": "inventory", "replicas": 2}),
    ("set payment replicas to 3", {"intent": "scale", "app": "payment", "replicas": 3}),
    (
        "run 2 copies of cart in staging",
        {"intent": "scale", "app": "cart", "replicas": 2, "namespace": "staging"},
    ),
    ("scale down payment to 1", {"intent": "scale", "app": "payment", "replicas": 1}),
    (
        "could you please scale user-api up to 4 replicas on the prod cluster?",
        {"intent": "scale", "app": "user-api", "replicas": 4, "cluster": "prod"},
    ),
    ("cart 파드를 다섯 개로 늘려 줘", {"intent": "scale", "app": "cart", "replicas": 5}),
    ("frontend 레플리카 4개로 맞춰줘", {"intent": "scale", "app": "frontend", "replicas": 4}),
    ("order-service 2개 더 늘려줘", {"intent": "scale", "app": "order-service", "delta": 2}),
    ("cart 두 개 줄여줘", {"intent": "scale", "app": "cart", "delta": -2}),
    ("cart 멈춰줘", {"intent": "scale", "app": "cart", "replicas": 0}),
    (
        "prod 클러스터에서 cart 파드 4개로 스케일해줘",
        {"intent": "scale", "app": "cart", "replicas": 4, "cluster": "prod"},
    ),
    ("user-api 3으로 스케일 부탁해", {"intent": "scale", "app": "user-api", "replicas": 3}),
    (
        "marvel-collection 파드 여섯 개 띄워줘",
        {"intent": "scale", "app": "marvel-collection", "replicas": 6},
    ),
    ("payment scale 3개로 해줘", {"intent": "scale", "app": "payment", "replicas": 3}),
    ("<@U012ABC> cart 파드 한 개 더 띄워 주세요", {"intent": "scale", "app": "cart", "delta": 1}),
    ("frontend 파드 열 개로 늘려줘", {"intent": "scale", "app": "frontend", "replicas": 10}),
    ("<@U012ABC> restart cart", {"intent": "restart", "app": "cart"}),
    (
        "pls restart user-api on cluster gke-tokyo",
        {"intent": "restart", "app": "user-api", "cluster": "gke-tokyo"},
    ),
    ("bounce auth", {"intent": "restart", "app": "auth"}),
    ("restrat cart", {"intent": "restart", "app": "cart"}),
    (
        "can you restart the marvel collection app?",
        {"intent": "restart", "app": "marvel-collection"},
    ),
    ("payment 재시작 해 줘", {"intent": "restart", "app": "payment"}),
    ("auth 파드 재기동 부탁해", {"intent": "restart", "app": "auth"}),
    ("user-api 재시작할래?", {"intent": "restart", "app": "user-api"}),
    (
        "prod 클러스터에서 payment 재시작해줘",
        {"intent": "restart", "app": "payment", "cluster": "prod"},
    ),
    ("쿠버야 cart 롤링 재시작해줘", {"intent": "restart", "app": "cart"}),
    (
        "roll back user-api to revision five",
        {"intent": "rollback", "app": "user-api", "revision": 5},
    ),
    ("revert the frontend deploy", {"intent": "rollback", "app": "frontend"}),
    (
        "rollback order-service in staging",
        {"intent": "rollback", "app": "order-service", "namespace": "staging"},
    ),
    ("roll cart back to revision 7", {"intent": "rollback", "app": "cart", "revision": 7}),
    ("cart 롤백 해주세요", {"intent": "rollback", "app": "cart"}),
    ("frontend 이전 버전으로 되돌려 줘", {"intent": "rollback", "app": "frontend"}),
    ("payment 3번 리비전으로 롤백해줘", {"intent": "rollback", "app": "payment", "revision": 3}),
    ("order-service rollback 해줘", {"intent": "rollback", "app": "order-service"}),
    (
        "<@U012ABC> deploy cart 2.1.0 to prod",
        {"intent": "deploy", "app": "cart", "version": "2.1.0", "namespace": "prod"},
    ),
    (
        "roll out user-api 1.2.3 in staging",
        {"intent": "deploy", "app": "user-api", "version": "1.2.3", "namespace": "staging"},
    ),
    ("deploy payment:1.4.3", {"intent": "deploy", "app": "payment", "version": "1.4.3"}),
    (
        "ship auth v1.0.0 on cluster gke-tokyo",
        {"intent": "deploy", "app": "auth", "version": "v1.0.0", "cluster": "gke-tokyo"},
    ),
    (
        "please deploy version 2.0.0 of cart",
        {"intent": "deploy", "app": "cart", "version": "2.0.0"},
    ),
    ("payment 1.5.0 배포해주세요", {"intent": "deploy", "app": "payment", "version": "1.5.0"}),
    (
        "staging 네임스페이스에 user-api 3.2.0 배포해줘",
        {"intent": "deploy", "app": "user-api", "version": "3.2.0", "namespace": "staging"},
    ),
    ("build cart", {"intent": "build", "app": "cart"}),
    ("trigger the payment build", {"intent": "build", "app": "payment"}),
    (
        "build auth branch hotfix/login",
        {"intent": "build", "app": "auth", "branch": "hotfix/login"},
    ),
    ("rebuild marvel-collection", {"intent": "build", "app": "marvel-collection"}),
    ("payment 빌드해줘", {"intent": "build", "app": "payment"}),
    (
        "frontend develop 브랜치로 빌드해줘",
        {"intent": "build", "app": "frontend", "branch": "develop"},
    ),
    ("auth 파이프라인 돌려줘", {"intent": "build", "app": "auth"}),
    ("what's the status of cart?", {"intent": "status", "app": "cart"}),
    ("is frontend up?", {"intent": "status", "app": "frontend"}),
    ("status of auth in staging", {"intent": "status", "app": "auth", "namespace": "staging"}),
    ("/kuber status", {"intent": "status"}),
    ("cart 상태 확인해줘", {"intent": "status", "app": "cart"}),
    ("user-api 상태 좀 알려주세요", {"intent": "status", "app": "user-api"}),
    (
        "prod 클러스터의 frontend 상태 알려줘",
        {"intent": "status", "app": "frontend", "cluster": "prod"},
    ),
    ("tail cart logs", {"intent": "logs", "app": "cart"}),
    ("get me 50 lines of auth logs", {"intent": "logs", "app": "auth", "lines": 50}),
    ("show fifty lines of cart logs", {"intent": "logs", "app": "cart", "lines": 50}),
    ("order-service logs, last 30 lines", {"intent": "logs", "app": "order-service", "lines": 30}),
    ("payment 로그 100줄 보여 주세요", {"intent": "logs", "app": "payment", "lines": 100}),
    ("auth 최근 로그 30줄 보여줘", {"intent": "logs", "app": "auth", "lines": 30}),
    ("order-service logs 보여줘", {"intent": "logs", "app": "order-service"}),
    ("show rollout history of frontend", {"intent": "history", "app": "frontend"}),
    ("history user-api", {"intent": "history", "app": "user-api"}),
    ("payment 롤아웃 이력 알려줘", {"intent": "history", "app": "payment"}),
    ("order-service rollout history 보여줘", {"intent": "history", "app": "order-service"}),
    ("how are we doing this sprint", {"intent": "sprint"}),
    ("이번 스프린트 어때?", {"intent": "sprint"}),
    ("sprint 현황", {"intent": "sprint"}),
    ("give me the daily standup", {"intent": "standup"}),
    ("스탠드업 요약 올려줘", {"intent": "standup"}),
    ("daily scrum summary", {"intent": "standup"}),
    ("list backlog items", {"intent": "backlog"}),
    ("백로그 목록 알려줘", {"intent": "backlog"}),
    (
        "create a bug: login page returns 502",
        {"intent": "create_issue", "issue_type": "Bug", "summary": "login page returns 502"},
    ),
    (
        "new task: rotate the TLS certs",
        {"intent": "create_issue", "issue_type": "Task", "summary": "rotate the TLS certs"},
    ),
    (
        "create a task: upgrade node pools to 1.30",
        {"intent": "create_issue", "issue_type": "Task", "summary": "upgrade node pools to 1.30"},
    ),
    (
        "버그 만들어줘: 로그인 버튼이 안 눌림",
        {"intent": "create_issue", "issue_type": "Bug", "summary": "로그인 버튼이 안 눌림"},
    ),
    (
        "스토리 등록: 사용자는 장바구니를 저장할 수 있다",
        {
            "intent": "create_issue",
            "issue_type": "Story",
            "summary": "사용자는 장바구니를 저장할 수 있다",
        },
    ),
    ("move PAY-15 to done", {"intent": "transition", "issue": "PAY-15", "status": "Done"}),
    ("set OPS-4 to To Do", {"intent": "transition", "issue": "OPS-4", "status": "To Do"}),
    ("start working on PAY-8", {"intent": "transition", "issue": "PAY-8", "status": "In Progress"}),
    ("OPS-3 할 일로 옮겨줘", {"intent": "transition", "issue": "OPS-3", "status": "To Do"}),
    ("PAY-5 done 처리해줘", {"intent": "transition", "issue": "PAY-5", "status": "Done"}),
    ("give OPS-2 to carol", {"intent": "assign", "issue": "OPS-2", "assignee": "carol"}),
    (
        "PAY-9 담당자를 alice로 지정해줘",
        {"intent": "assign", "issue": "PAY-9", "assignee": "alice"},
    ),
    (
        "OPS-7을 carol에게 배정해 주세요",
        {"intent": "assign", "issue": "OPS-7", "assignee": "carol"},
    ),
    ("mute DiskFull for a day", {"intent": "silence", "alert": "DiskFull", "duration": "1d"}),
    (
        "silence NodeNotReady for 2 hours",
        {"intent": "silence", "alert": "NodeNotReady", "duration": "2h"},
    ),
    (
        "snooze PaymentLatency 45m",
        {"intent": "silence", "alert": "PaymentLatency", "duration": "45m"},
    ),
    (
        "silence HighErrorRate for two hours",
        {"intent": "silence", "alert": "HighErrorRate", "duration": "2h"},
    ),
    (
        "DiskFull 알림 하루 동안 음소거해줘",
        {"intent": "silence", "alert": "DiskFull", "duration": "1d"},
    ),
    (
        "PaymentDown 알람 2시간 꺼 주세요",
        {"intent": "silence", "alert": "PaymentDown", "duration": "2h"},
    ),
    ("any alerts firing?", {"intent": "alerts"}),
    ("list alerts", {"intent": "alerts"}),
    ("지금 울리는 알림 있어?", {"intent": "alerts"}),
    ("alerts 보여줘", {"intent": "alerts"}),
    ("what's the error budget for frontend?", {"intent": "slo", "app": "frontend"}),
    ("error budget auth", {"intent": "slo", "app": "auth"}),
    ("frontend 에러 버짓 확인해줘", {"intent": "slo", "app": "frontend"}),
    ("user-api slo 알려줘", {"intent": "slo", "app": "user-api"}),
    ("what commands do you know?", {"intent": "help"}),
    ("/kuber help", {"intent": "help"}),
    ("뭐 할 수 있어?", {"intent": "help"}),
    ("what's for lunch?", {"intent": "unknown"}),
    ("who won the game last night", {"intent": "unknown"}),
    ("오늘 날씨 어때?", {"intent": "unknown"}),
    ("회의실 예약해줘", {"intent": "unknown"}),
    ("@kuber scale payment x 3", {"intent": "scale", "app": "payment", "replicas": 3}),
    ("scael frontend to 2", {"intent": "scale", "app": "frontend", "replicas": 2}),
    ("take payment down to 2 pods", {"intent": "scale", "app": "payment", "replicas": 2}),
    ("add one more replica to user-api", {"intent": "scale", "app": "user-api", "delta": 1}),
    ("stop user api", {"intent": "scale", "app": "user-api", "replicas": 0}),
    (
        "scale paymnt to 2 in the staging namespace",
        {"intent": "scale", "app": "payment", "replicas": 2, "namespace": "staging"},
    ),
    ("cart 파드 3개로 늘려줄래?", {"intent": "scale", "app": "cart", "replicas": 3}),
    ("user-api 레플리카를 2로 줄여 줘", {"intent": "scale", "app": "user-api", "replicas": 2}),
    (
        "order-service 파드 세 개 줄여주세요",
        {"intent": "scale", "app": "order-service", "delta": -3},
    ),
    (
        "payment를 staging에서 3개로 스케일 부탁드려요",
        {"intent": "scale", "app": "payment", "replicas": 3, "namespace": "staging"},
    ),
    ("cart 2개 늘려줘", {"intent": "scale", "app": "cart", "delta": 2}),
    ("restart the payment service please", {"intent": "restart", "app": "payment"}),
    ("could u restart auth pls", {"intent": "restart", "app": "auth"}),
    ("cart를 재시작해 주실래요?", {"intent": "restart", "app": "cart"}),
    (
        "gke-tokyo 클러스터의 frontend 재시작해줘",
        {"intent": "restart", "app": "frontend", "cluster": "gke-tokyo"},
    ),
    (
        "roll back payment in staging to revision 2",
        {"intent": "rollback", "app": "payment", "revision": 2, "namespace": "staging"},
    ),
    ("frontend 되돌려줘", {"intent": "rollback", "app": "frontend"}),
    ("deploy v2.3.4 of payment", {"intent": "deploy", "app": "payment", "version": "v2.3.4"}),
    ("payment 2.0.0 배포 좀", {"intent": "deploy", "app": "payment", "version": "2.0.0"}),
    (
        "build frontend on branch release/2.4",
        {"intent": "build", "app": "frontend", "branch": "release/2.4"},
    ),
    ("cart main 브랜치에서 빌드해 줘", {"intent": "build", "app": "cart", "branch": "main"}),
    ("whats up with cart", {"intent": "status", "app": "cart"}),
    ("auth 상태는?", {"intent": "status", "app": "auth"}),
    ("cart logs 500 lines", {"intent": "logs", "app": "cart", "lines": 500}),
    ("user-api 로그 좀 볼래?", {"intent": "logs", "app": "user-api"}),
    ("what's the deployment history of auth", {"intent": "history", "app": "auth"}),
    (
        "silence DiskFull for half an hour",
        {"intent": "silence", "alert": "DiskFull", "duration": "30m"},
    ),
    ("silence NodeDown for a week", {"intent": "silence", "alert": "NodeDown", "duration": "1w"}),
    ("mute HighCPU 30 mins", {"intent": "silence", "alert": "HighCPU", "duration": "30m"}),
    (
        "TargetDown 알림 한 시간만 꺼 줘",
        {"intent": "silence", "alert": "TargetDown", "duration": "1h"},
    ),
    (
        "KubeJobFailed 알림을 3일간 꺼주세요",
        {"intent": "silence", "alert": "KubeJobFailed", "duration": "3d"},
    ),
    (
        "open a task: clean up old helm releases",
        {"intent": "create_issue", "issue_type": "Task", "summary": "clean up old helm releases"},
    ),
    ("PAY-44 to in progress", {"intent": "transition", "issue": "PAY-44", "status": "In Progress"}),
    ("PAY-30 담당자 dave로 바꿔줘", {"intent": "assign", "issue": "PAY-30", "assignee": "dave"}),
    ("뭐 울리고 있어?", {"intent": "alerts"}),
    ("cart SLO 어때?", {"intent": "slo", "app": "cart"}),
    ("commands?", {"intent": "help"}),
    ("명령어 목록", {"intent": "help"}),
    ("good morning team", {"intent": "unknown"}),
    ("scale payment to 3 pods please 🙏", {"intent": "scale", "app": "payment", "replicas": 3}),
    ("cart -> 5 replicas", {"intent": "scale", "app": "cart", "replicas": 5}),
    ("scale frontend from 2 to 5", {"intent": "scale", "app": "frontend", "replicas": 5}),
    ("add 3 pods to cart", {"intent": "scale", "app": "cart", "delta": 3}),
    ("scale in frontend by 1", {"intent": "scale", "app": "frontend", "delta": -1}),
    ("payment 인스턴스 3개로 맞춰 주세요", {"intent": "scale", "app": "payment", "replicas": 3}),
    ("auth 2개만 띄워줘", {"intent": "scale", "app": "auth", "replicas": 2}),
    ("user-api 레플리카 셋으로 해줘", {"intent": "scale", "app": "user-api", "replicas": 3}),
    (
        "order-service를 prod 클러스터에서 4개로 늘려주세요",
        {"intent": "scale", "app": "order-service", "replicas": 4, "cluster": "prod"},
    ),
    (
        "restart payment on gke-tokyo cluster",
        {"intent": "restart", "app": "payment", "cluster": "gke-tokyo"},
    ),
    ("pls bounce user-api in prod", {"intent": "restart", "app": "user-api", "namespace": "prod"}),
    ("cart 파드들 다 재시작해", {"intent": "restart", "app": "cart"}),
    ("roll back payment one revision", {"intent": "rollback", "app": "payment"}),
    ("payment 직전 버전으로 롤백", {"intent": "rollback", "app": "payment"}),
    ("frontend 리비전 5로 롤백해 줄래?", {"intent": "rollback", "app": "frontend", "revision": 5}),
    (
        "can you ship payment v2.0.0 to staging?",
        {"intent": "deploy", "app": "payment", "version": "v2.0.0", "namespace": "staging"},
    ),
    ("payment v1.6.0 배포 ㄱㄱ", {"intent": "deploy", "app": "payment", "version": "v1.6.0"}),
    (
        "staging에 frontend 1.2.3 배포해 주세요",
        {"intent": "deploy", "app": "frontend", "version": "1.2.3", "namespace": "staging"},
    ),
    ("build cart from main", {"intent": "build", "app": "cart", "branch": "main"}),
    ("payment 빌드 돌려 줄래?", {"intent": "build", "app": "payment"}),
    ("is cart healthy?", {"intent": "status", "app": "cart"}),
    ("status payment staging", {"intent": "status", "app": "payment"}),
    ("payment 살아있어?", {"intent": "status", "app": "payment"}),
    ("give me the last 20 log lines for cart", {"intent": "logs", "app": "cart", "lines": 20}),
    ("payment deploy history", {"intent": "history", "app": "payment"}),
    ("auth 리비전 목록 보여줘", {"intent": "history", "app": "auth"}),
    (
        "mute alert DiskFull for 6 hours",
        {"intent": "silence", "alert": "DiskFull", "duration": "6h"},
    ),
    ("silence PodOOM for 1.5 hours", {"intent": "silence", "alert": "PodOOM", "duration": "90m"}),
    (
        "HighMemory 알림 삼십 분만 꺼줘",
        {"intent": "silence", "alert": "HighMemory", "duration": "30m"},
    ),
    ("DiskFull 알림 이틀 동안 꺼줘", {"intent": "silence", "alert": "DiskFull", "duration": "2d"}),
    (
        "bug: cart badge count is off by one",
        {
            "intent": "create_issue",
            "issue_type": "Bug",
            "summary": "cart badge count is off by one",
        },
    ),
    (
        "버그: 주문 내역이 안 보임",
        {"intent": "create_issue", "issue_type": "Bug", "summary": "주문 내역이 안 보임"},
    ),
    ("PAY-12 is done", {"intent": "transition", "issue": "PAY-12", "status": "Done"}),
    ("PAY-3 진행중으로", {"intent": "transition", "issue": "PAY-3", "status": "In Progress"}),
    ("alerts pls", {"intent": "alerts"}),
    ("error budget for order service?", {"intent": "slo", "app": "order-service"}),
    ("?", {"intent": "unknown"}),
    ("lgtm", {"intent": "unknown"}),
    ("<@U012ABC> cart x 2 plz", {"intent": "scale", "app": "cart", "replicas": 2}),
    ("to 5 replicas, scale payment", {"intent": "scale", "app": "payment", "replicas": 5}),
    ("scale  cart  to   4", {"intent": "scale", "app": "cart", "replicas": 4}),
    ("scale user_api to 2", {"intent": "scale", "app": "user-api", "replicas": 2}),
    ("Scale Frontend To 3", {"intent": "scale", "app": "frontend", "replicas": 3}),
    (
        "staging 네임스페이스의 cart 3개로 늘려줘",
        {"intent": "scale", "app": "cart", "replicas": 3, "namespace": "staging"},
    ),
    (
        "gke-tokyo 클러스터 payment 파드 3개로",
        {"intent": "scale", "app": "payment", "replicas": 3, "cluster": "gke-tokyo"},
    ),
    ("cart replicas 4개로 해 주세요", {"intent": "scale", "app": "cart", "replicas": 4}),
    ("frontend pod 하나 더", {"intent": "scale", "app": "frontend", "delta": 1}),
    ("auth 서비스 내려줘", {"intent": "scale", "app": "auth", "replicas": 0}),
    ("Restart PAYMENT", {"intent": "restart", "app": "payment"}),
    ("cart 좀 재시작 해줘요", {"intent": "restart", "app": "cart"}),
    (
        "prod 네임스페이스에 있는 cart 재시작해줘",
        {"intent": "restart", "app": "cart", "namespace": "prod"},
    ),
    ("payment 롤백좀", {"intent": "rollback", "app": "payment"}),
    (
        "staging의 auth 이전 버전으로 돌려줘",
        {"intent": "rollback", "app": "auth", "namespace": "staging"},
    ),
    ("deploy payment image tag 1.4.5", {"intent": "deploy", "app": "payment", "version": "1.4.5"}),
    ("payment 1.4.5로 배포", {"intent": "deploy", "app": "payment", "version": "1.4.5"}),
    (
        "cart 2.1.0 배포해줘 staging 네임스페이스로",
        {"intent": "deploy", "app": "cart", "version": "2.1.0", "namespace": "staging"},
    ),
    ("cart 빌드 한번 돌려줘", {"intent": "build", "app": "cart"}),
    ("status cart", {"intent": "status", "app": "cart"}),
    ("payment 상태", {"intent": "status", "app": "payment"}),
    ("logs cart 100", {"intent": "logs", "app": "cart"}),
    ("payment 로그 확인해줘", {"intent": "logs", "app": "payment"}),
    (
        "mute HighLatency for 15 min",
        {"intent": "silence", "alert": "HighLatency", "duration": "15m"},
    ),
    ("HighLatency 2시간 사일런스", {"intent": "silence", "alert": "HighLatency", "duration": "2h"}),
    (
        "HighLatency 알림 1시간30분 꺼줘",
        {"intent": "silence", "alert": "HighLatency", "duration": "1h30m"},
    ),
    ("PAY-12 상태를 완료로 바꿔줘", {"intent": "transition", "issue": "PAY-12", "status": "Done"}),
    (
        "assign PAY-12 to <@U02XYZ>",
        {"intent": "assign", "issue": "PAY-12", "assignee": "<@U02XYZ>"},
    ),
    ("에러 버짓", {"intent": "slo"}),
    ("백로그", {"intent": "backlog"}),
    ("알림", {"intent": "alerts"}),
]

OTHER_CATALOG_CASES: list[tuple[str, list[str], dict[str, Any]]] = [
    (
        "scale search to 2",
        ["billing-api", "search"],
        {"intent": "scale", "app": "search", "replicas": 2},
    ),
    (
        "scale billing api to 3",
        ["billing-api", "search"],
        {"intent": "scale", "app": "billing-api", "replicas": 3},
    ),
]


def _slots(text: str, catalog: AppCatalog, expected: dict[str, Any]) -> dict[str, Any]:
    got = parse(text, catalog).to_json()
    return {key: got.get(key) for key in expected}


@pytest.mark.parametrize(("text", "expected"), RULE_CASES)
def test_rule_phrasing(text: str, expected: dict[str, Any]) -> None:
    assert _slots(text, CATALOG, expected) == expected


@pytest.mark.parametrize(("text", "expected"), CASES)
def test_phrasing(text: str, expected: dict[str, Any]) -> None:
    assert _slots(text, CATALOG, expected) == expected


@pytest.mark.parametrize(("text", "apps", "expected"), OTHER_CATALOG_CASES)
def test_phrasing_other_catalog(text: str, apps: list[str], expected: dict[str, Any]) -> None:
    assert _slots(text, AppCatalog.from_names(apps), expected) == expected


@pytest.mark.parametrize(
    "text",
    [
        "이번 스프린트 어때?",
        "이대로 배포해줘",
        "이 개발 브랜치 빌드해줘",
        "이 줄만 보여줘",
        "일 대 일로",
        "백업 해줘",
        "일 개월",
    ],
)
def test_sino_syllables_that_are_words_stay_words(text: str) -> None:
    assert rewrite_numbers(text) == text
