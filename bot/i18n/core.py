"""Messages of the core: the message flow, plans and approvals, policy and help."""

MESSAGES: dict[str, dict[str, str]] = {
    # understanding
    "not_available": {
        "en": "I understood `{intent}`, but that is not set up on this Kuber.",
        "ko": "`{intent}` 명령은 이해했지만, 이 Kuber에는 아직 설정되어 있지 않아요.",
    },
    "not_configured": {
        "en": "{system} is not configured: set {variable}.",
        "ko": "{system} 연결이 설정되어 있지 않아요: {variable} 값을 지정해 주세요.",
    },
    "internal_error": {
        "en": "Something went wrong on my side. Nothing was changed. (ref {ref})",
        "ko": "제 쪽에서 문제가 생겼어요. 아무것도 변경되지 않았어요. (참조 {ref})",
    },
    "try_again_later": {
        "en": "Nothing was changed; please try again in a minute.",
        "ko": "아무것도 변경되지 않았어요. 잠시 후 다시 시도해 주세요.",
    },
    "unknown_action": {
        "en": "That button ({action}) is not one I know.",
        "ko": "알 수 없는 버튼이에요 ({action}).",
    },
    # plans and approvals
    "plan_requested_by": {"en": "requested by {who}", "ko": "요청: {who}"},
    "plan_expires": {"en": "expires in {minutes} min", "ko": "{minutes}분 후 만료"},
    "button_approve": {"en": "Approve", "ko": "승인"},
    "button_cancel": {"en": "Cancel", "ko": "취소"},
    "plan_applying": {"en": "{who} approved: {title} …", "ko": "{who} 님이 승인했어요: {title} …"},
    "plan_cancelled": {"en": "{who} cancelled: {title}", "ko": "{who} 님이 취소했어요: {title}"},
    "seq_title": {
        "en": "{count} changes, in this order",
        "ko": "변경 {count}개, 이 순서대로",
    },
    "seq_done": {
        "en": "✅ Done: all {count} steps.",
        "ko": "✅ 완료: {count}단계 모두 끝났어요.",
    },
    "seq_stopped": {
        "en": "❌ Stopped at step {index} of {total}; the steps after it were not run.",
        "ko": "❌ {total}단계 중 {index}단계에서 멈췄어요. 그 뒤 단계는 실행하지 않았어요.",
    },
    "seq_field_steps": {"en": "Steps", "ko": "단계"},
    "seq_deploy_built": {
        "en": "Deploy the image this build of {app} produces (proposed for approval once it is green)",
        "ko": "이 빌드로 만든 {app} 이미지 배포 (빌드가 성공하면 승인 요청)",
    },
    "seq_deploy_proposed": {
        "en": "The deploy of {app} {tag} waits for approval below.",
        "ko": "{app} {tag} 배포가 아래에서 승인을 기다려요.",
    },
    "seq_no_image_tag": {
        "en": "The build of {app} reported no image tag, so there is nothing to deploy; set image_tag_from for {app} in kuber.yaml.",
        "ko": "{app} 빌드가 이미지 태그를 알려 주지 않아 배포할 것이 없어요. kuber.yaml에서 {app}의 image_tag_from을 설정해 주세요.",
    },
    "seq_step_unclear": {
        "en": "I could not understand step {index} (“{text}”), so I did nothing. Please ask for the steps one by one.",
        "ko": "{index}번째 단계(“{text}”)를 이해하지 못해서 아무것도 하지 않았어요. 한 단계씩 요청해 주세요.",
    },
    "seq_step_missing": {
        "en": "Step {index} ({intent}) lacks its {slot}; please say it in full.",
        "ko": "{index}번째 단계({intent})에 {slot}이(가) 빠졌어요. 빠짐없이 다시 말해 주세요.",
    },
    "nlu_declined": {
        "en": "OK, I won't {what}.",
        "ko": "알겠어요. {what}은(는) 하지 않을게요.",
    },
    "nlu_unclear": {
        "en": "I am not sure what {words} means there, so I did nothing. Did you mean this?",
        "ko": "{words}이(가) 무슨 뜻인지 확실하지 않아서 아무것도 하지 않았어요. 이걸 말씀하신 건가요?",
    },
    "nlu_ask_cluster_or_namespace": {
        "en": "Is {word} the cluster or the namespace?",
        "ko": "{word}은(는) 클러스터인가요, 네임스페이스인가요?",
    },
    "nlu_button_cluster": {"en": "cluster {word}", "ko": "클러스터 {word}"},
    "nlu_button_namespace": {"en": "namespace {word}", "ko": "네임스페이스 {word}"},
    "plan_app_guessed": {
        "en": "App: {app} (the closest to “{typed}”).",
        "ko": "앱: {app} (“{typed}”와 가장 가까운 이름).",
    },
    "plan_cancel_nothing": {
        "en": "You have no plan waiting for approval here.",
        "ko": "이 채널에서 승인을 기다리는 내 계획이 없어요.",
    },
    "plan_cancel_not_yours": {
        "en": "The plan waiting here is {who}'s ({title}); {who} or an approver can cancel it with its button.",
        "ko": "여기서 기다리는 계획은 {who} 님의 것이에요({title}). {who} 님이나 승인할 수 있는 사람이 버튼으로 취소할 수 있어요.",
    },
    "undo_nothing": {
        "en": "No change has been made from this channel yet; there is nothing to undo.",
        "ko": "이 채널에서 한 변경이 아직 없어서 되돌릴 것이 없어요.",
    },
    "undo_cannot": {
        "en": "The last change here ({title}) cannot be undone by me; undo it with a new command.",
        "ko": "여기서 마지막으로 한 변경({title})은 제가 되돌릴 수 없어요. 새 명령으로 되돌려 주세요.",
    },
    "undo_note": {
        "en": "↩️ Undoes: {title} (approved by {who}).",
        "ko": "↩️ 되돌리는 변경: {title} ({who} 님이 승인).",
    },
    "plan_unknown": {
        "en": "I no longer know that plan; please ask again.",
        "ko": "더 이상 찾을 수 없는 계획이에요. 다시 요청해 주세요.",
    },
    "plan_expired": {
        "en": "This plan expired before it was approved; please ask again.",
        "ko": "승인 전에 계획이 만료되었어요. 다시 요청해 주세요.",
    },
    "plan_interrupted": {
        "en": "Kuber stopped while applying *{title}*, before it could tell whether the change was made. Check with `status` before asking again.",
        "ko": "*{title}* 적용 중에 Kuber가 멈춰서 변경이 반영됐는지 확인하지 못했어요. 다시 요청하기 전에 `status`로 확인해 주세요.",
    },
    "plan_already_approved": {
        "en": "{who} already approved this plan.",
        "ko": "{who} 님이 이미 승인한 계획이에요.",
    },
    "plan_already_done": {
        "en": "This plan was already carried out.",
        "ko": "이미 실행된 계획이에요.",
    },
    "plan_already_failed": {
        "en": "This plan was tried and failed; ask again to retry.",
        "ko": "이 계획은 실행되었지만 실패했어요. 다시 요청해 주세요.",
    },
    "plan_already_cancelled": {
        "en": "{who} cancelled this plan.",
        "ko": "{who} 님이 취소한 계획이에요.",
    },
    "plan_already_expired": {
        "en": "This plan expired; please ask again.",
        "ko": "만료된 계획이에요. 다시 요청해 주세요.",
    },
    "target_busy": {
        "en": "{target} is busy: {operation} started by {who} is still running. Try again when it is done.",
        "ko": "{target}에서 {who} 님이 시작한 {operation} 작업이 진행 중이에요. 끝난 뒤에 다시 시도해 주세요.",
    },
    # policy
    "policy_refused": {"en": "You may not do that.", "ko": "이 작업을 할 권한이 없어요."},
    "policy_needs_role": {
        "en": "Your role here is {role}; this change needs the {needed} role. Ask a team admin to give it to you in kuber.yaml.",
        "ko": "이곳에서 내 역할은 {role}이고, 이 변경에는 {needed} 역할이 필요해요. 팀 관리자에게 kuber.yaml에서 역할을 받으세요.",
    },
    "policy_needs_role_at": {
        "en": "In {where} your role is {role}; this needs the {needed} role there.",
        "ko": "{where}에서 내 역할은 {role}이고, 이 작업에는 그곳의 {needed} 역할이 필요해요.",
    },
    "policy_not_your_team": {
        "en": "{where} belongs to {teams}; only its members may see or change it there.",
        "ko": "{where}는 {teams} 팀의 영역이라, 그 팀원만 보거나 바꿀 수 있어요.",
    },
    "policy_restricted_target": {
        "en": "{where} is protected and no team of yours owns it: only an admin may see or change it.",
        "ko": "{where}는 보호된 곳이고 내 팀의 영역이 아니에요. 관리자만 보거나 바꿀 수 있어요.",
    },
    "policy_needs_role_to_approve": {
        "en": "Approving this change needs the {needed} role.",
        "ko": "이 변경을 승인하려면 {needed} 역할이 필요해요.",
    },
    "policy_protected_needs_admin": {
        "en": "This target is protected: only an admin may approve.",
        "ko": "보호된 대상이에요. 관리자만 승인할 수 있어요.",
    },
    "plan_frozen": {
        "en": "❄️ Deploy freeze: {reason}. An admin must approve this change.",
        "ko": "❄️ 배포 동결 기간이에요: {reason}. 관리자가 승인해야 해요.",
    },
    "policy_change_limit": {
        "en": "You have asked for {limit} changes in the last minute; please wait a moment before asking for more.",
        "ko": "지난 1분 동안 변경을 {limit}번 요청했어요. 잠시 후에 다시 요청해 주세요.",
    },
    "plan_other_channel": {
        "en": "A plan can only be approved or cancelled where it was shown.",
        "ko": "계획은 그 계획이 보인 채널에서만 승인하거나 취소할 수 있어요.",
    },
    "plan_approvers_admin": {
        "en": "an admin other than {who} must approve",
        "ko": "{who} 님이 아닌 관리자가 승인해야 해요",
    },
    "plan_approvers_admin_any": {
        "en": "an admin must approve",
        "ko": "관리자가 승인해야 해요",
    },
    "plan_approvers_operator": {
        "en": "an operator, deployer or admin may approve",
        "ko": "운영 권한자, 배포 권한자나 관리자가 승인할 수 있어요",
    },
    "plan_approvers_deployer": {
        "en": "a deployer or admin may approve",
        "ko": "배포 권한자나 관리자가 승인할 수 있어요",
    },
    "policy_four_eyes": {
        "en": "This target is protected: someone other than the requester must approve.",
        "ko": "보호된 대상이에요. 요청한 사람이 아닌 다른 사람이 승인해야 해요.",
    },
    # help
    "help_title": {
        "en": "Here is what you can ask me:",
        "ko": "이런 것들을 부탁하실 수 있어요:",
    },
    "help_group_workloads": {"en": "Workloads (Kubernetes)", "ko": "워크로드 (쿠버네티스)"},
    "help_group_builds": {"en": "Builds (Jenkins)", "ko": "빌드 (젠킨스)"},
    "help_group_agile": {"en": "Sprint and backlog (Jira)", "ko": "스프린트와 백로그 (지라)"},
    "help_group_alerts": {"en": "Alerts", "ko": "알림"},
    "help_group_reliability": {"en": "Reliability (SLO)", "ko": "신뢰성 (SLO)"},
    "help_group_general": {"en": "General", "ko": "일반"},
    "help_footer_role": {
        "en": "Your role: {role}. Changes show a plan first and run after approval.",
        "ko": "내 역할: {role}. 변경 작업은 먼저 계획을 보여 드리고, 승인 후에 실행해요.",
    },
    "help_viewer_note": {
        "en": "Commands that change something are hidden: your role is viewer.",
        "ko": "변경 명령은 숨겨져 있어요: 현재 역할이 viewer예요.",
    },
    # chat delivery
    "chat_rate_limited": {
        "en": "{platform} asked to slow down for {seconds}s.",
        "ko": "{platform}에서 {seconds}초 동안 천천히 보내 달라고 했어요.",
    },
    "chat_delivery_failed": {
        "en": "{platform} did not take the message: {reason}",
        "ko": "{platform}에서 메시지를 받지 않았어요: {reason}",
    },
    "chat_delivery_refused": {
        "en": "{platform} refused the message: {reason}",
        "ko": "{platform}에서 메시지를 거부했어요: {reason}",
    },
}
