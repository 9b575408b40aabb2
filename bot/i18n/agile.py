"""Messages of the agile commands and the stand-up digest: Jira's answers and refusals, the
sprint's status, the backlog, changes to issues, and the digest's sections."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # Jira, as the integration reports it
    "jira_down": {
        "en": "Jira at {url} is not answering ({reason}).",
        "ko": "Jira({url})가 응답하지 않아요 ({reason}).",
    },
    "jira_rate_limited": {
        "en": "Jira at {url} is limiting Kuber's requests (429, still after a few tries).",
        "ko": "Jira({url})가 Kuber의 요청 수를 제한하고 있어요 (429, 몇 번 다시 시도했지만 계속돼요).",
    },
    "jira_server_error": {
        "en": "Jira at {url} failed with HTTP {status} ({what}).",
        "ko": "Jira({url})에서 HTTP {status} 오류가 났어요 ({what}).",
    },
    "jira_unauthorized": {
        "en": "Jira at {url} refused Kuber's credentials (401). Check KUBER_JIRA_USER (now {user}) and KUBER_JIRA_TOKEN: it must be an API token (or personal access token) of that user.",
        "ko": "Jira({url})가 Kuber의 인증 정보를 거부했어요 (401). KUBER_JIRA_USER(지금은 {user})와 KUBER_JIRA_TOKEN을 확인하세요. 토큰은 그 사용자의 API 토큰(또는 개인 액세스 토큰)이어야 해요.",
    },
    "jira_forbidden": {
        "en": "Jira at {url} refused {user} ({what}, 403): {detail}",
        "ko": "Jira({url})가 {user} 계정을 거부했어요 ({what}, 403): {detail}",
    },
    "jira_not_found": {
        "en": "Jira has no such thing ({what}): {detail}",
        "ko": "Jira에 찾는 항목이 없어요 ({what}): {detail}",
    },
    "jira_rejected": {
        "en": "Jira refused it ({what}): {detail}",
        "ko": "Jira가 요청을 거절했어요 ({what}): {detail}",
    },
    "jira_failed": {
        "en": "Jira could not do it ({what}): {detail}",
        "ko": "Jira에서 처리하지 못했어요 ({what}): {detail}",
    },
    "jira_bad_answer": {
        "en": "Jira at {url} gave an answer I cannot read ({what}: {detail}).",
        "ko": "Jira({url})의 응답을 읽을 수 없어요 ({what}: {detail}).",
    },
    "jira_board_unknown": {
        "en": "Jira has no board {board} (for project {project}), or Kuber's account may not see it. Check `jira.board` of the team in kuber.yaml.",
        "ko": "Jira에 보드 {board}(프로젝트 {project})가 없거나 Kuber 계정이 볼 수 없어요. kuber.yaml에서 팀의 `jira.board`를 확인하세요.",
    },
    "jira_board_other_project": {
        "en": "Board {board} in Jira belongs to project {other}, not {project}. Check `jira` of the team in kuber.yaml.",
        "ko": "Jira의 {board}번 보드는 {project}가 아니라 {other} 프로젝트의 보드예요. kuber.yaml에서 팀의 `jira` 설정을 확인하세요.",
    },
    "jira_issue_key_invalid": {
        "en": "`{key}` is not an issue key; it looks like PAY-12.",
        "ko": "`{key}`: 이슈 키가 아니에요. 이슈 키는 PAY-12 같은 모양이에요.",
    },
    "jira_issue_unknown": {
        "en": "There is no issue {key} in Jira ({url}), or Kuber's account may not see it.",
        "ko": "Jira({url})에 {key} 이슈가 없거나 Kuber 계정이 볼 수 없어요.",
    },
    "jira_status_unknown": {
        "en": "{key} has no status called “{status}” in its workflow. From where it is, it can go to: {allowed}.",
        "ko": "{key} 이슈의 워크플로에는 “{status}” 상태가 없어요. 지금 상태에서 옮길 수 있는 곳: {allowed}.",
    },
    "jira_transition_not_allowed": {
        "en": "{key} is in {current}; the workflow does not go from there to {wanted}. It can go to: {allowed}.",
        "ko": "{key} 이슈는 지금 {current} 상태라서 {wanted}(으)로 바로 옮길 수 없어요. 옮길 수 있는 상태: {allowed}.",
    },
    "jira_transition_none": {
        "en": "{key} is in {current} and Kuber's Jira account may not move it anywhere from there (wanted: {wanted}; allowed: {allowed}).",
        "ko": "{key} 이슈는 지금 {current} 상태이고, Kuber의 Jira 계정으로는 여기서 다른 상태로 옮길 수 없어요 (요청: {wanted}, 가능: {allowed}).",
    },
    # which team, which board
    "agile_which_team": {
        "en": "Which team's board? Ask in a team's channel. Teams with a Jira board: {teams}.",
        "ko": "어느 팀의 보드인가요? 팀 채널에서 물어봐 주세요. Jira 보드가 있는 팀: {teams}.",
    },
    "agile_no_board": {
        "en": "Team {team} has no Jira board in kuber.yaml (`jira: {{project: KEY, board: ID}}`).",
        "ko": "{team} 팀은 kuber.yaml에 Jira 보드가 없어요 (`jira: {{project: KEY, board: ID}}`).",
    },
    "agile_project_unknown": {
        "en": "No team in kuber.yaml works in Jira project {project}, so Kuber does not change it. Projects it knows: {projects}.",
        "ko": "kuber.yaml의 어느 팀도 Jira 프로젝트 {project}를 쓰지 않아서 Kuber가 바꾸지 않아요. 아는 프로젝트: {projects}.",
    },
    # sprint status
    "agile_sprint_title": {
        "en": "🏃 {sprint} — day {day} of {days}, {left} days left",
        "ko": "🏃 {sprint} — {days}일 중 {day}일째, {left}일 남음",
    },
    "agile_no_sprint": {
        "en": "No sprint is running on {board}.",
        "ko": "{board}에 진행 중인 스프린트가 없어요.",
    },
    "agile_no_sprint_next": {
        "en": "No sprint is running on {board}; the next one is {next}.",
        "ko": "{board}에 진행 중인 스프린트가 없어요. 다음 스프린트는 {next}예요.",
    },
    "agile_field_goal": {"en": "Goal", "ko": "목표"},
    "agile_no_goal": {"en": "(no goal set)", "ko": "(목표 없음)"},
    "agile_field_progress": {"en": "Progress", "ko": "진행률"},
    "agile_progress_points": {
        "en": "{done} of {total} points done ({ratio})",
        "ko": "{total}포인트 중 {done}포인트 완료 ({ratio})",
    },
    "agile_progress_issues": {
        "en": "{done} of {total} issues done, {doing} in progress, {todo} to do",
        "ko": "이슈 {total}개 중 {done}개 완료, {doing}개 진행 중, {todo}개 할 일",
    },
    "agile_field_scope": {"en": "Scope", "ko": "범위 변경"},
    "agile_scope_added": {
        "en": "+{points} points added since the start ({keys})",
        "ko": "시작 후 {points}포인트 추가 ({keys})",
    },
    "agile_scope_reestimated": {
        "en": "{points} points from re-estimates",
        "ko": "재추정으로 {points}포인트",
    },
    "agile_field_blocked": {"en": "Blocked", "ko": "막힌 일"},
    "agile_flagged": {"en": "flagged", "ko": "플래그됨"},
    "agile_none": {"en": "Nothing", "ko": "없음"},
    "agile_nobody": {"en": "nobody", "ko": "담당자 없음"},
    "agile_field_carry_over": {"en": "Carry-over risk", "ko": "이월 위험"},
    "agile_risk_low": {
        "en": "Low: {remaining} points left; at the recent pace ({velocity} points a sprint over the last {sprints}) about {expected} get done by the end.",
        "ko": "낮음: {remaining}포인트 남았어요. 최근 속도(지난 {sprints}개 스프린트 평균 {velocity}포인트)라면 끝까지 약 {expected}포인트를 마칠 수 있어요.",
    },
    "agile_risk_medium": {
        "en": "Medium: {remaining} points left; at the recent pace ({velocity} points a sprint over the last {sprints}) about {expected} get done by the end.",
        "ko": "중간: {remaining}포인트 남았어요. 최근 속도(지난 {sprints}개 스프린트 평균 {velocity}포인트)라면 끝까지 약 {expected}포인트만 마칠 수 있어요.",
    },
    "agile_risk_high": {
        "en": "High: {remaining} points left; at the recent pace ({velocity} points a sprint over the last {sprints}) only about {expected} get done by the end.",
        "ko": "높음: {remaining}포인트 남았어요. 최근 속도(지난 {sprints}개 스프린트 평균 {velocity}포인트)라면 끝까지 약 {expected}포인트밖에 못 마쳐요.",
    },
    "agile_risk_unknown": {
        "en": "Unknown: {remaining} points left, and no closed sprint to take a pace from ({sprints} found; velocity {velocity}, expected {expected}).",
        "ko": "알 수 없음: {remaining}포인트 남았지만 속도를 잴 완료된 스프린트가 없어요 ({sprints}개; 속도 {velocity}, 예상 {expected}).",
    },
    "agile_burndown_title": {"en": "{sprint} burndown", "ko": "{sprint} 번다운"},
    "agile_burndown_ideal": {"en": "Ideal", "ko": "이상적인 선"},
    "agile_burndown_remaining": {"en": "Remaining", "ko": "남은 포인트"},
    "agile_burndown_axis": {"en": "points", "ko": "포인트"},
    "agile_burndown_alt": {
        "en": "Burndown: {committed} points committed, {remaining} remaining",
        "ko": "번다운: 약속한 {committed}포인트 중 {remaining}포인트 남음",
    },
    "agile_board_context": {"en": "Board: {url}", "ko": "보드: {url}"},
    "agile_unestimated": {
        "en": "{count} without an estimate",
        "ko": "추정 없는 이슈 {count}개",
    },
    # backlog
    "agile_backlog_title": {
        "en": "📋 Backlog of {project}: the top {shown} of {total}, by rank",
        "ko": "📋 {project} 백로그: {total}개 중 순위 상위 {shown}개",
    },
    "agile_field_backlog": {
        "en": "Rank · key · type · points · summary",
        "ko": "순위 · 키 · 유형 · 포인트 · 요약",
    },
    "agile_backlog_empty": {
        "en": "The backlog of {board} is empty.",
        "ko": "{board}의 백로그가 비어 있어요.",
    },
    # create
    "agile_summary_empty": {
        "en": "What should the issue say? For example `create a bug: login fails on Safari`.",
        "ko": "이슈 내용을 알려 주세요. 예: `버그 등록: 사파리에서 로그인 실패`",
    },
    "agile_summary_too_long": {
        "en": "That summary is {length} characters; Jira takes at most {limit}. Nothing was filed.",
        "ko": "요약이 {length}자예요. Jira는 최대 {limit}자까지 받아요. 아무것도 등록하지 않았어요.",
    },
    "agile_created": {
        "en": "🆕 Filed {key} ({type}): {summary}",
        "ko": "🆕 {key} 등록 ({type}): {summary}",
    },
    "agile_created_description": {
        "en": "Filed from chat ({platform}) by {person}, through Kuber.",
        "ko": "{person}님이 채팅({platform})에서 Kuber를 통해 등록했어요.",
    },
    "agile_field_similar": {
        "en": "Open issues with the same words",
        "ko": "같은 내용의 열린 이슈",
    },
    # transition
    "agile_moved": {
        "en": "✅ {key}: {before} → {after}",
        "ko": "✅ {key}: {before} → {after}",
    },
    "agile_already_in": {
        "en": "{key} is already in {status}; nothing changed.",
        "ko": "{key} 이슈는 이미 {status} 상태예요. 바꾼 것은 없어요.",
    },
    "agile_moved_comment": {
        "en": "Moved from chat ({platform}) by {person}, through Kuber.",
        "ko": "{person}님이 채팅({platform})에서 Kuber를 통해 상태를 바꿨어요.",
    },
    # assign
    "agile_assigned": {
        "en": "👤 {key} is now {person}'s (was: {before}).",
        "ko": "👤 {key} 담당자를 {person}(으)로 바꿨어요 (이전: {before}).",
    },
    "agile_assign_already": {
        "en": "{key} is already {person}'s; nothing changed.",
        "ko": "{key} 이슈는 이미 {person} 담당이에요. 바꾼 것은 없어요.",
    },
    "agile_assigned_comment": {
        "en": "Assigned to {assignee} from chat ({platform}) by {person}, through Kuber.",
        "ko": "{person}님이 채팅({platform})에서 Kuber를 통해 담당자를 {assignee}(으)로 지정했어요.",
    },
    "agile_me_unknown": {
        "en": "I do not know who you are ({user} is not in kuber.yaml), so I cannot tell your Jira user.",
        "ko": "누구신지 몰라서({user}님이 kuber.yaml에 없어요) Jira 사용자를 찾을 수 없어요.",
    },
    "agile_person_not_in_jira": {
        "en": "{person} has no Jira user that Kuber can find (looked for: {handles}). Set `jira:` for them in kuber.yaml.",
        "ko": "{person}님의 Jira 사용자를 찾지 못했어요 (찾아본 값: {handles}). kuber.yaml에서 그 사람의 `jira:`를 지정해 주세요.",
    },
    "agile_person_unknown": {
        "en": "Who is {person}? Neither kuber.yaml nor Jira knows them. The team: {people}.",
        "ko": "{person}님이 누구인지 kuber.yaml에도 Jira에도 없어요. 팀원: {people}.",
    },
    # the stand-up digest
    "standup_title": {
        "en": "☀️ Stand-up · {team} · {date}",
        "ko": "☀️ 스탠드업 · {team} · {date}",
    },
    "standup_context": {
        "en": "Since {since}, from Jira and Kuber's own records",
        "ko": "{since} 이후, Jira와 Kuber 기록 기준",
    },
    "standup_team_unknown": {
        "en": "There is no team {team} in kuber.yaml. Teams: {teams}.",
        "ko": "kuber.yaml에 {team} 팀이 없어요. 팀 목록: {teams}.",
    },
    "standup_section_crashed": {
        "en": "Could not be read this time (a fault in Kuber; see its log).",
        "ko": "이번에는 읽지 못했어요 (Kuber 내부 오류, 로그를 확인하세요).",
    },
    "standup_more": {"en": "… and {count} more", "ko": "… 외 {count}개"},
    "standup_sprint": {"en": "Sprint", "ko": "스프린트"},
    "standup_sprint_headline": {
        "en": "{sprint}, day {day} of {days}: {progress}",
        "ko": "{sprint}, {days}일 중 {day}일째: {progress}",
    },
    "standup_goal": {"en": "Goal: {goal}", "ko": "목표: {goal}"},
    "standup_done": {"en": "Done since {since}", "ko": "{since} 이후 완료"},
    "standup_in_progress": {"en": "In progress", "ko": "진행 중"},
    "standup_blocked": {"en": "Blocked", "ko": "막힌 일"},
    "standup_new_bugs": {"en": "New bugs since {since}", "ko": "{since} 이후 새 버그"},
    "standup_ops": {"en": "Changes through Kuber (24 h)", "ko": "Kuber로 한 변경 (24시간)"},
    "standup_ops_none": {"en": "No changes.", "ko": "변경 없음."},
    "standup_ops_summary": {
        "en": "{count} in all: {done} done, {failed} failed",
        "ko": "모두 {count}건: 완료 {done}건, 실패 {failed}건",
    },
    "standup_ops_approved_by": {
        "en": "{requester}, approved by {approver}",
        "ko": "{requester} 요청, {approver} 승인",
    },
    "standup_outcome_executed": {"en": "done", "ko": "완료"},
    "standup_outcome_failed": {"en": "failed", "ko": "실패"},
    "standup_outcome_cancelled": {"en": "cancelled", "ko": "취소"},
    "standup_outcome_expired": {"en": "expired unapproved", "ko": "승인 없이 만료"},
    "standup_outcome_approved": {"en": "under way", "ko": "진행 중"},
    "standup_outcome_planned": {"en": "waiting for approval", "ko": "승인 대기"},
    "standup_alerts": {"en": "Alerts (24 h)", "ko": "알림 (24시간)"},
    "standup_alerts_none": {"en": "No alerts.", "ko": "알림 없음."},
    "standup_alerts_summary": {
        "en": "{fired} fired, {resolved} resolved, {firing} still firing",
        "ko": "발생 {fired}건, 해소 {resolved}건, 아직 발생 중 {firing}건",
    },
    "standup_alert_firing": {
        "en": "{alert} — firing since {since}",
        "ko": "{alert} — {since}부터 발생 중",
    },
    "standup_alert_resolved": {
        "en": "{alert} — {start} to {end}",
        "ko": "{alert} — {start}부터 {end}까지",
    },
    "standup_slo": {"en": "Error budgets", "ko": "에러 버짓"},
    "standup_slo_left": {
        "en": "{slo}: {left} of the {days}-day budget left",
        "ko": "{slo}: {days}일 버짓의 {left} 남음",
    },
    "standup_slo_no_data": {
        "en": "{slo}: no data (are the rules of `kuber slo rules` loaded?)",
        "ko": "{slo}: 데이터 없음 (`kuber slo rules` 규칙이 로드되어 있나요?)",
    },
    "standup_slo_unreadable": {
        "en": "{slo} and the rest: could not be read ({reason})",
        "ko": "{slo} 외: 읽지 못했어요 ({reason})",
    },
    "standup_slo_no_prometheus": {
        "en": "Not shown: KUBER_PROMETHEUS_URL is not set.",
        "ko": "표시 안 함: KUBER_PROMETHEUS_URL이 설정되지 않았어요.",
    },
}
