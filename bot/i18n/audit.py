"""Messages of the `audit` command: who changed what, when, and how it ended."""

MESSAGES: dict[str, dict[str, str]] = {
    "audit_changes_app": {
        "en": "Changes to {app}, newest first:",
        "ko": "{app} 변경 이력 (최신순):",
    },
    "audit_changes_all": {
        "en": "Recent changes, newest first:",
        "ko": "최근 변경 이력 (최신순):",
    },
    "audit_none_app": {
        "en": "Nobody changed {app} in the last {days} days.",
        "ko": "최근 {days}일 동안 {app}을(를) 바꾼 사람이 없어요.",
    },
    "audit_none_all": {
        "en": "Nobody changed anything in the last {days} days.",
        "ko": "최근 {days}일 동안 바뀐 것이 없어요.",
    },
    "audit_line": {
        "en": "{when} — {who} asked to {action} {target} (“{text}”): {outcome}",
        "ko": "{when} — {who}님이 {target} {action} 요청 (“{text}”): {outcome}",
    },
    "audit_outcome_executed": {
        "en": "done, approved by {who}",
        "ko": "완료 ({who} 승인)",
    },
    "audit_outcome_failed": {
        "en": "failed, approved by {who}",
        "ko": "실패 ({who} 승인)",
    },
    "audit_outcome_approved": {
        "en": "being applied, approved by {who}",
        "ko": "적용 중 ({who} 승인)",
    },
    "audit_outcome_cancelled": {
        "en": "cancelled by {who}",
        "ko": "{who}님이 취소",
    },
    "audit_outcome_expired": {
        "en": "expired without approval",
        "ko": "승인 없이 만료",
    },
    "audit_outcome_planned": {
        "en": "waiting for approval",
        "ko": "승인 대기 중",
    },
    "audit_action_scale": {"en": "scale", "ko": "스케일"},
    "audit_action_restart": {"en": "restart", "ko": "재시작"},
    "audit_action_rollback": {"en": "roll back", "ko": "롤백"},
    "audit_action_deploy": {"en": "deploy", "ko": "배포"},
    "audit_action_build": {"en": "build", "ko": "빌드"},
    "audit_footer": {
        "en": "From the audit log of the last {days} days (read-only); `kuber audit verify` checks that nobody edited it.",
        "ko": "최근 {days}일의 감사 로그에서 읽었어요 (읽기 전용). `kuber audit verify`로 변조되지 않았는지 확인할 수 있어요.",
    },
    "policy_audit_members_only": {
        "en": "Only admins and members of a team may read the audit log.",
        "ko": "감사 로그는 관리자와 팀 멤버만 볼 수 있어요.",
    },
    "policy_audit_not_your_app": {
        "en": "Only admins and members of {team}, the team that owns {app}, may read who changed it.",
        "ko": "{app}의 변경 이력은 관리자와 {app}을(를) 맡은 {team} 팀 멤버만 볼 수 있어요.",
    },
    "policy_audit_admins_only": {
        "en": "No team owns {app}: only admins may read who changed it.",
        "ko": "{app}을(를) 맡은 팀이 없어서 관리자만 변경 이력을 볼 수 있어요.",
    },
}
