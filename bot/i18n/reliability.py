"""Messages of `slo APP`: objectives, error budget left, burn rates and time to exhaustion."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "slo_none": {
        "en": "No SLO is defined for {app}; add one under slos: in kuber.yaml.",
        "ko": "{app}에 정의된 SLO가 없어요. kuber.yaml의 slos:에 추가해 주세요.",
    },
    "slo_title": {
        "en": "📈 Service level objectives of {app}:",
        "ko": "📈 {app}의 서비스 수준 목표(SLO):",
    },
    "slo_objective": {
        "en": "Objective: {objective} over {days} days",
        "ko": "목표: {days}일 동안 {objective}",
    },
    "slo_budget_left": {
        "en": "Error budget left: {left}",
        "ko": "남은 에러 버짓: {left}",
    },
    "slo_exhaustion": {
        "en": "At the last hour's burn: {when}",
        "ko": "최근 1시간 소진 속도라면: {when}",
    },
    "slo_not_running_out": {
        "en": "the budget does not run out",
        "ko": "버짓이 바닥나지 않아요",
    },
    "slo_hours": {
        "en": "spent in {hours} h",
        "ko": "{hours}시간 뒤 소진",
    },
    "slo_days": {
        "en": "spent in {days} days",
        "ko": "{days}일 뒤 소진",
    },
    "slo_burn_rates": {"en": "Burn rate:", "ko": "소진 속도:"},
    "slo_chart_title": {
        "en": "{slo}: error budget left, last 24 h",
        "ko": "{slo}: 남은 에러 버짓, 최근 24시간",
    },
    "slo_chart_line": {"en": "budget left (%)", "ko": "남은 버짓 (%)"},
    "slo_chart_spent": {"en": "spent", "ko": "소진"},
}
