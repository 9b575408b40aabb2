"""Messages of the workload commands (scale, restart, rollback, deploy, status, logs, history)."""

MESSAGES: dict[str, dict[str, str]] = {
    "app_unknown": {
        "en": "There is no app `{app}` in {where}.",
        "ko": "{where}에 `{app}` 앱이 없어요.",
    },
    "app_unknown_suggest": {
        "en": "There is no app `{app}` in {where}. Did you mean {suggestions}?",
        "ko": "{where}에 `{app}` 앱이 없어요. 혹시 {suggestions} 말씀인가요?",
    },
    "wl_no_clusters": {
        "en": "No Kubernetes cluster is configured (check KUBECONFIG).",
        "ko": "설정된 쿠버네티스 클러스터가 없어요 (KUBECONFIG를 확인해 주세요).",
    },
    "wl_changed_since_plan": {
        "en": "{app} changed since this plan was made ({planned} then, {now} now). Nothing was changed; please ask again.",
        "ko": "계획을 만든 뒤 {app}이(가) 바뀌었어요 (당시 {planned}, 지금 {now}). 아무것도 바꾸지 않았으니 다시 요청해 주세요.",
    },
    # scale
    "wl_ask_replicas": {
        "en": "How many replicas of {app}? For example `scale {app} to 3` or `add 1 more {app}`.",
        "ko": "{app}을(를) 몇 개로 할까요? 예: `{app} 3개로 늘려줘`, `{app} 하나 더 띄워줘`",
    },
    "wl_replicas_negative": {
        "en": "{app} runs {current} replicas; it cannot go to {desired}. Nothing was changed.",
        "ko": "{app}은(는) 현재 {current}개라서 {desired}개로 만들 수 없어요. 아무것도 바꾸지 않았어요.",
    },
    "wl_replicas_too_many": {
        "en": "{desired} replicas is more than {app} may run (at most {maximum}, set in kuber.yaml). Nothing was changed.",
        "ko": "{desired}개는 {app}의 최대 개수({maximum}개, kuber.yaml 설정)를 넘어요. 아무것도 바꾸지 않았어요.",
    },
    "wl_scale_nothing": {
        "en": "{app} already runs {replicas} replicas in {where}; nothing to change.",
        "ko": "{app}은(는) 이미 {where}에서 {replicas}개로 실행 중이에요. 바꿀 것이 없어요.",
    },
    "wl_plan_scale": {
        "en": "Scale {app} in {where} from {before} to {after} replicas?",
        "ko": "{where}의 {app}을(를) {before}개에서 {after}개로 바꿀까요?",
    },
    "wl_plan_stop": {
        "en": "Stop {app} in {where} (scale {before} → 0 replicas)?",
        "ko": "{where}의 {app}을(를) 중지할까요? ({before}개 → 0개)",
    },
    "wl_title_scale": {
        "en": "scaling {app} from {before} to {after}",
        "ko": "{app} {before}개 → {after}개 조정",
    },
    # restart
    "wl_plan_restart": {
        "en": "Restart {app} in {where}? Its {replicas} pods are replaced one by one.",
        "ko": "{where}의 {app}을(를) 재시작할까요? 파드 {replicas}개를 하나씩 교체해요.",
    },
    "wl_field_pods": {"en": "Pods", "ko": "파드"},
    "wl_pods_running": {"en": "running", "ko": "실행 중"},
    "wl_pods_replaced": {"en": "replaced one by one", "ko": "하나씩 교체"},
    "wl_title_restart": {"en": "restarting {app}", "ko": "{app} 재시작"},
    # rollback
    "wl_plan_rollback": {
        "en": "Roll {app} in {where} back to revision {revision}?",
        "ko": "{where}의 {app}을(를) {revision}번 리비전으로 롤백할까요?",
    },
    "wl_no_previous_revision": {
        "en": "{app} has no earlier revision to roll back to.",
        "ko": "{app}에는 되돌릴 이전 리비전이 없어요.",
    },
    "wl_version_missing": {
        "en": "No revision of {app} ran {version}. Versions in its history: {available}.",
        "ko": "{app}에는 {version} 버전으로 배포된 리비전이 없어요. 이력에 있는 버전: {available}",
    },
    "wl_revision_missing": {
        "en": "{app} has no revision {revision}. Revisions there are: {available}.",
        "ko": "{app}에는 {revision}번 리비전이 없어요. 있는 리비전: {available}",
    },
    "wl_revision_is_current": {
        "en": "{app} already runs revision {revision}.",
        "ko": "{app}은(는) 이미 {revision}번 리비전으로 실행 중이에요.",
    },
    "wl_revision_revived": {
        "en": "next number (template of {revision})",
        "ko": "새 번호 ({revision}번 템플릿)",
    },
    "wl_change_cause": {"en": "That revision: {cause}", "ko": "해당 리비전: {cause}"},
    "wl_title_rollback": {
        "en": "rolling {app} back to revision {revision}",
        "ko": "{app} {revision}번 리비전으로 롤백",
    },
    "wl_button_rollback": {
        "en": "Roll back to revision {revision}",
        "ko": "{revision}번 리비전으로 롤백",
    },
    # deploy
    "wl_plan_deploy": {
        "en": "Deploy {app} {version} to {where}?",
        "ko": "{where}에 {app} {version} 버전을 배포할까요?",
    },
    "wl_deploy_nothing": {
        "en": "{app} already runs {image}; nothing to deploy.",
        "ko": "{app}은(는) 이미 {image}로 실행 중이에요. 배포할 것이 없어요.",
    },
    "wl_no_container": {
        "en": "{app} has no container named {container}; set `container:` for it in kuber.yaml.",
        "ko": "{app}에 {container} 컨테이너가 없어요. kuber.yaml에서 `container:`를 지정해 주세요.",
    },
    "wl_title_deploy": {"en": "deploying {app} {version}", "ko": "{app} {version} 배포"},
    # rollout following
    "wl_rollout_progress": {"en": "⏳ {title} …", "ko": "⏳ {title} 진행 중 …"},
    "wl_rollout_done": {"en": "✅ Done: {title}.", "ko": "✅ 완료: {title}"},
    "wl_rollout_failed": {
        "en": "❌ Failed: {title} ({reason}).",
        "ko": "❌ 실패: {title} ({reason})",
    },
    "wl_rollout_timeout": {
        "en": "⌛ Still not finished after {seconds}s: {title}. It may yet complete; check `status`.",
        "ko": "⌛ {seconds}초가 지나도 끝나지 않았어요: {title}. 곧 끝날 수도 있으니 `상태`를 확인해 주세요.",
    },
    "wl_rollout_paused": {
        "en": "⏸ {title}: the Deployment is paused, so nothing rolls out until someone resumes it (`kubectl rollout resume`).",
        "ko": "⏸ {title}: 디플로이먼트가 일시 중지되어 있어 재개하기 전까지 배포가 진행되지 않아요 (`kubectl rollout resume`).",
    },
    "wl_field_replicas": {"en": "Replicas", "ko": "레플리카"},
    "wl_replica_counts": {
        "en": "{ready}/{desired} ready, {updated} updated, {available} available",
        "ko": "준비 {ready}/{desired}, 업데이트 {updated}, 사용 가능 {available}",
    },
    "wl_field_image": {"en": "Image", "ko": "이미지"},
    "wl_field_revision": {"en": "Revision", "ko": "리비전"},
    "wl_field_failing_pods": {"en": "Failing pods", "ko": "문제 있는 파드"},
    "wl_field_warnings": {"en": "Recent warnings", "ko": "최근 경고"},
    # status, logs, history
    "wl_status_healthy": {
        "en": "🟢 {app} in {where} is healthy.",
        "ko": "🟢 {where}의 {app}은(는) 정상이에요.",
    },
    "wl_status_unhealthy": {
        "en": "🔴 {app} in {where} needs attention.",
        "ko": "🔴 {where}의 {app}에 문제가 있어요.",
    },
    "wl_overview": {
        "en": "{count} apps in {where}, all available.",
        "ko": "{where}의 앱 {count}개, 모두 정상이에요.",
    },
    "wl_overview_unhealthy": {
        "en": "{count} apps in {where}; not fully available: {apps}.",
        "ko": "{where}의 앱 {count}개 중 문제 있는 앱: {apps}",
    },
    "wl_logs": {
        "en": "Last {lines} log lines of {pod} ({app}):",
        "ko": "{app}의 {pod} 로그 최근 {lines}줄:",
    },
    "wl_logs_previous": {
        "en": "{pod} ({app}) crashed; last {lines} lines of the previous container:",
        "ko": "{app}의 {pod}가 죽었어요. 이전 컨테이너의 로그 최근 {lines}줄:",
    },
    "wl_logs_none": {
        "en": "{app} in {where} has no pods to read logs from.",
        "ko": "{where}의 {app}에는 로그를 읽을 파드가 없어요.",
    },
    "wl_logs_empty": {"en": "(no output)", "ko": "(출력 없음)"},
    "wl_history": {
        "en": "Rollout history of {app} in {where} ({count} revisions):",
        "ko": "{where}의 {app} 배포 이력 (리비전 {count}개):",
    },
    "wl_history_current": {"en": "* = running now", "ko": "* = 현재 실행 중"},
    # Acting as the person in the cluster (kuber.yaml `kubernetes:`): a refusal is the
    # cluster's, in its own words, and not a permission Kuber's account lacks.
    "k8s_cluster_refused": {
        "en": "The cluster {cluster} refused {who}: {message}",
        "ko": "{cluster} 클러스터가 {who}의 요청을 거절했어요: {message}",
    },
    "k8s_impersonation_forbidden": {
        "en": "Kuber's account ({account}) may not act as {who} on {cluster}; grant it "
        "`impersonate` on users and groups in a ClusterRole. The cluster said: {message}",
        "ko": "Kuber 계정({account})이 {cluster} 클러스터에서 {who}(으)로 행동할 권한이 없어요. "
        "ClusterRole에 users, groups의 `impersonate` 권한을 추가해 주세요. 클러스터의 답: {message}",
    },
}
