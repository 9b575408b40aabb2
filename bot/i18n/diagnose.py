"""Messages of `diagnose`: the likely cause of an app's trouble, and what to do about it."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "diag_title": {
        "en": "🔎 {app} in {where}:",
        "ko": "🔎 {where}의 {app}:",
    },
    "diag_healthy": {
        "en": "🟢 Nothing looks wrong with {app} in {where}: every pod is ready and no warning is recent.",
        "ko": "🟢 {where}의 {app}에는 문제가 보이지 않아요. 모든 파드가 준비됐고 최근 경고도 없어요.",
    },
    "diag_unclear": {
        "en": "🟡 {app} in {where} is not fully up, but the cause is not clear yet; the pods and warnings are below.",
        "ko": "🟡 {where}의 {app}이(가) 완전히 뜨지 않았지만 원인은 아직 분명하지 않아요. 아래 파드와 경고를 보세요.",
    },
    "diag_cause_image_pull": {
        "en": "🔴 The image cannot be pulled: `{image}`. The tag may not exist, or the registry refuses the node.",
        "ko": "🔴 이미지를 받아올 수 없어요: `{image}`. 태그가 없거나 레지스트리가 노드를 거부하고 있어요.",
    },
    "diag_cause_oom": {
        "en": "🔴 The container is killed for using too much memory (OOMKilled; {pod} restarted {restarts} times). Raise its memory limit, or find what grew.",
        "ko": "🔴 컨테이너가 메모리를 너무 많이 써서 종료되고 있어요 (OOMKilled, {pod} 재시작 {restarts}회). 메모리 한도를 올리거나 무엇이 커졌는지 확인하세요.",
    },
    "diag_cause_crash_loop": {
        "en": "🔴 Crash loop: {pod} restarted {restarts} times. Last error: `{line}`",
        "ko": "🔴 크래시 루프예요: {pod}이(가) {restarts}번 재시작했어요. 마지막 오류: `{line}`",
    },
    "diag_cause_unschedulable": {
        "en": "🔴 Pods cannot be scheduled: {message}",
        "ko": "🔴 파드를 배치할 수 없어요: {message}",
    },
    "diag_cause_recent_deploy": {
        "en": "🟠 Revision {revision} ({image}) was deployed {minutes} min ago, and the pods have been in trouble since. Rolling back is the quickest way out.",
        "ko": "🟠 리비전 {revision}({image})이(가) {minutes}분 전에 배포됐고, 그 뒤로 파드에 문제가 있어요. 롤백이 가장 빠른 해결책이에요.",
    },
    "diag_since_deploy": {
        "en": "It began after revision {revision} ({image}) was deployed {minutes} min ago.",
        "ko": "{minutes}분 전에 리비전 {revision}({image})이(가) 배포된 뒤부터 시작됐어요.",
    },
    "diag_field_pods": {"en": "Pods", "ko": "파드"},
    "diag_pods": {
        "en": "{ready}/{replicas} ready, {available} available",
        "ko": "{replicas}개 중 {ready}개 준비, {available}개 사용 가능",
    },
    "diag_alerting": {
        "en": "🟡 The pods of {app} in {where} look fine, but alerts fire for it: see below.",
        "ko": "🟡 {where}의 {app} 파드는 괜찮아 보이지만 알림이 발생 중이에요. 아래를 보세요.",
    },
    "diag_field_alerts": {"en": "Firing alerts ({count})", "ko": "발생 중인 알림 ({count}건)"},
    "diag_alert_line": {
        "en": "{mark} {name} — {summary} (for {since})",
        "ko": "{mark} {name} — {summary} ({since}째)",
    },
    "diag_alerts_more": {"en": "… and {count} more", "ko": "… 외 {count}건"},
    "diag_field_budget": {"en": "Error budget", "ko": "에러 버짓"},
    "diag_budget_line": {
        "en": "{slo}: {left} left, burning {rate} over the last hour; {when}",
        "ko": "{slo}: {left} 남음, 최근 1시간 소진 속도 {rate}. {when}",
    },
    "diag_budget_spent": {"en": "already spent", "ko": "이미 다 썼어요"},
    "diag_budget_runs_out": {
        "en": "runs out in {duration} at that pace",
        "ko": "이 속도라면 {duration} 뒤 바닥나요",
    },
    "diag_budget_lasts": {
        "en": "does not run out at that pace",
        "ko": "이 속도로는 바닥나지 않아요",
    },
    "diag_button_rollback": {"en": "Roll back", "ko": "롤백"},
    "diag_button_logs": {"en": "Show logs", "ko": "로그 보기"},
}
