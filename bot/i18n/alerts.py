"""Messages of alerts: the living message of an alert group, its thread notes, its buttons,
silences and the Alertmanager errors behind them."""

MESSAGES: dict[str, dict[str, str]] = {
    # -- the living message ------------------------------------------------------------------
    "alert_title_firing": {
        "en": "🔥 {name} · {count} firing",
        "ko": "🔥 {name} · {count}건 발생 중",
    },
    "alert_title_resolved": {
        "en": "✅ {name} resolved · fired for {duration}",
        "ko": "✅ {name} 해결됨 · {duration} 동안 발생",
    },
    "alert_line_resolved": {
        "en": "(resolved)",
        "ko": "(해결됨)",
    },
    "alert_more": {
        "en": "… and {count} more",
        "ko": "… 외 {count}건",
    },
    "alert_field_severity": {"en": "Severity", "ko": "심각도"},
    "alert_field_firing": {"en": "Firing", "ko": "발생 중"},
    "alert_firing_of": {
        "en": "{firing} of {total}",
        "ko": "{total}건 중 {firing}건",
    },
    "alert_field_started": {"en": "Started", "ko": "시작"},
    "alert_field_resolved": {"en": "Resolved", "ko": "해결"},
    "alert_field_acked": {"en": "Acknowledged", "ko": "확인"},
    "alert_acked_value": {
        "en": "{who} at {when}",
        "ko": "{who} ({when})",
    },
    "alert_field_silenced": {"en": "Silenced", "ko": "알림 끔"},
    "alert_silenced_value": {
        "en": "by {who} until {until}",
        "ko": "{who}, {until}까지",
    },
    "alert_link_runbook": {"en": "Runbook", "ko": "런북"},
    "alert_button_ack": {"en": "Acknowledge", "ko": "확인"},
    "alert_button_silence": {
        "en": "Silence {duration}",
        "ko": "{duration} 알림 끄기",
    },
    "alert_button_unsilence": {"en": "Unsilence", "ko": "알림 다시 켜기"},
    # -- notes in the message's thread -------------------------------------------------------
    "alert_note_new": {
        "en": "🔥 Firing: {line}",
        "ko": "🔥 발생: {line}",
    },
    "alert_note_again": {
        "en": "🔥 Firing again: {line}",
        "ko": "🔥 다시 발생: {line}",
    },
    "alert_note_resolved": {
        "en": "✅ Resolved: {line}",
        "ko": "✅ 해결: {line}",
    },
    "alert_note_all_resolved": {
        "en": "✅ All resolved; fired for {duration}.",
        "ko": "✅ 모두 해결됐어요. {duration} 동안 발생했어요.",
    },
    "alert_note_acked": {
        "en": "👀 Acknowledged by {who}.",
        "ko": "👀 {who}님이 확인했어요.",
    },
    "alert_note_silenced": {
        "en": "🔕 Silenced by {who} until {until}.",
        "ko": "🔕 {who}님이 {until}까지 알림을 껐어요.",
    },
    "alert_note_unsilenced": {
        "en": "🔔 Silence lifted by {who}.",
        "ko": "🔔 {who}님이 알림을 다시 켰어요.",
    },
    "alert_note_silence_ended": {
        "en": "🔔 The silence ended.",
        "ko": "🔔 알림 끄기가 끝났어요.",
    },
    # -- enrichment: what an on-call engineer looks at first ---------------------------------
    "alert_images_note": {
        "en": "📈 {titles}",
        "ko": "📈 {titles}",
    },
    "alert_enrich_field_deployment": {"en": "Deployment", "ko": "디플로이먼트"},
    "alert_enrich_status": {
        "en": "{name} in {where}: {ready}/{replicas} ready, {available} available",
        "ko": "{where}의 {name}: {replicas}개 중 {ready}개 준비, {available}개 사용 가능",
    },
    "alert_enrich_field_warnings": {"en": "Recent warnings", "ko": "최근 경고"},
    "alert_enrich_logs": {
        "en": "Last log lines of {pod} ({why}):",
        "ko": "{pod}의 마지막 로그 ({why}):",
    },
    "alert_enrich_restarts": {
        "en": "{reason}, restarted {restarts} times",
        "ko": "{reason}, {restarts}번 재시작",
    },
    "alert_enrich_field_change": {
        "en": "Last change through Kuber",
        "ko": "Kuber로 한 마지막 변경",
    },
    "alert_enrich_change": {
        "en": "{who} asked “{text}” {ago} ago: {outcome}",
        "ko": "{ago} 전 {who}님 요청 “{text}”: {outcome}",
    },
    "alert_enrich_button_rollback": {"en": "Roll back {app}", "ko": "{app} 롤백"},
    "alert_graph_title": {
        "en": "{name}: {expr} (last hour)",
        "ko": "{name}: {expr} (최근 1시간)",
    },
    "alert_slo_field_burn": {"en": "Burn rate", "ko": "소진 속도"},
    "alert_slo_burn_window": {
        "en": "{rate} over {window}",
        "ko": "{window} 동안 {rate}",
    },
    "alert_slo_burn_factor": {
        "en": "(alerts above {factor}×)",
        "ko": "({factor}× 넘으면 알림)",
    },
    "alert_slo_field_left": {"en": "Error budget left", "ko": "남은 에러 버짓"},
    "alert_slo_left": {
        "en": "{left} of the {days}-day budget",
        "ko": "{days}일 버짓의 {left}",
    },
    "alert_slo_field_exhaustion": {"en": "Budget runs out", "ko": "버짓 소진"},
    "alert_slo_spent": {
        "en": "already spent",
        "ko": "이미 다 썼어요",
    },
    "alert_slo_runs_out": {
        "en": "in {duration} at the {window} burn rate",
        "ko": "{window} 소진 속도라면 {duration} 뒤",
    },
    "alert_slo_lasts": {
        "en": "not at the {window} burn rate",
        "ko": "{window} 소진 속도로는 바닥나지 않아요",
    },
    # -- buttons -----------------------------------------------------------------------------
    "alert_click_unknown": {
        "en": "I no longer know that alert group.",
        "ko": "더 이상 알 수 없는 알림 그룹이에요.",
    },
    "alert_click_other_channel": {
        "en": "That button belongs to an alert shown in another channel.",
        "ko": "다른 채널에 표시된 알림의 버튼이에요.",
    },
    "alert_click_resolved": {
        "en": "These alerts are resolved already.",
        "ko": "이미 해결된 알림이에요.",
    },
    "alert_ack_already": {
        "en": "{who} acknowledged these alerts already.",
        "ko": "{who}님이 이미 확인한 알림이에요.",
    },
    "alert_silenced_already": {
        "en": "{who} silenced these alerts already, until {until}.",
        "ko": "{who}님이 {until}까지 이미 알림을 껐어요.",
    },
    "alert_not_silenced": {
        "en": "These alerts are not silenced.",
        "ko": "알림이 꺼져 있지 않아요.",
    },
    "alert_needs_role": {
        "en": "Silencing alerts of {team} needs the {needed} role there; you are {role}.",
        "ko": "{team} 팀의 알림을 끄려면 {needed} 역할이 필요해요. 지금 역할은 {role}이에요.",
    },
    "alert_unknown_person": {
        "en": "Kuber does not know you yet: ask an admin to add your account to kuber.yaml.",
        "ko": "아직 등록되지 않은 사용자예요. 관리자에게 kuber.yaml에 계정을 추가해 달라고 요청해 주세요.",
    },
    # -- silences and Alertmanager -----------------------------------------------------------
    "alert_silence_no_matchers": {
        "en": "These alerts share no label to silence them by.",
        "ko": "알림을 끌 기준이 될 공통 레이블이 없어요.",
    },
    "alert_bad_duration": {
        "en": "“{duration}” is not a duration: try 30m, 2h, 1d or 1h30m.",
        "ko": "“{duration}”은(는) 기간이 아니에요. 30m, 2h, 1d, 1h30m처럼 적어 주세요.",
    },
    "alert_duration_too_long": {
        "en": "A silence may last at most {limit}.",
        "ko": "알림은 최대 {limit}까지만 끌 수 있어요.",
    },
    "alert_silence_created": {
        "en": "🔕 Silenced {matchers} until {until} (silence {id}).",
        "ko": "🔕 {until}까지 {matchers} 알림을 껐어요 (silence {id}).",
    },
    "alert_silences_expired": {
        "en": "🔔 Ended {count} silence(s) of {alert}.",
        "ko": "🔔 {alert} 알림 끄기 {count}건을 끝냈어요.",
    },
    "alert_no_silence": {
        "en": "No active silence matches {alert}.",
        "ko": "{alert}에 해당하는 알림 끄기가 없어요.",
    },
    "alert_silence_comment": {
        "en": "Silenced from Kuber by {who}: {link}",
        "ko": "Kuber에서 {who}님이 끔: {link}",
    },
    "alert_am_unreachable": {
        "en": "Alertmanager at {url} cannot be reached.",
        "ko": "Alertmanager({url})에 연결할 수 없어요.",
    },
    "alert_am_failed": {
        "en": "Alertmanager at {url} failed: {detail}",
        "ko": "Alertmanager({url}) 오류: {detail}",
    },
    "alert_am_refused": {
        "en": "Alertmanager at {url} refused the request: {detail}",
        "ko": "Alertmanager({url})가 요청을 거절했어요: {detail}",
    },
    # -- the alert list ------------------------------------------------------------------------
    "alert_list_header": {
        "en": "{count} active alert(s):",
        "ko": "발생 중인 알림 {count}건:",
    },
    "alert_list_none": {
        "en": "No active alerts. 🎉",
        "ko": "발생 중인 알림이 없어요. 🎉",
    },
    "alert_list_line": {
        "en": "{mark} {name} {labels} — {summary} (since {since})",
        "ko": "{mark} {name} {labels} — {summary} ({since}부터)",
    },
}
