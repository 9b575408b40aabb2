"""Messages of builds: Jenkins' answers and refusals, a build's plan, progress and result, and
the list of an app's last builds."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    # Jenkins, as the integration reports it
    "jenkins_down": {
        "en": "Jenkins at {url} is not answering ({reason}).",
        "ko": "Jenkins({url})가 응답하지 않아요 ({reason}).",
    },
    "jenkins_unauthorized": {
        "en": "Jenkins at {url} refused Kuber's credentials (401). Check KUBER_JENKINS_USER (now {user}) and KUBER_JENKINS_TOKEN: it must be an API token of that user (Jenkins › the user › Security › API Token).",
        "ko": "Jenkins({url})가 Kuber의 인증 정보를 거부했어요 (401). KUBER_JENKINS_USER(지금은 {user})와 KUBER_JENKINS_TOKEN을 확인하세요. 토큰은 그 사용자의 API 토큰이어야 해요 (Jenkins › 사용자 › Security › API Token).",
    },
    "jenkins_forbidden": {
        "en": "Jenkins at {url} refused {user} ({what}, 403): that account lacks a permission on this job (Job/Read, Job/Build or Job/Cancel).",
        "ko": "Jenkins({url})가 {user} 계정을 거부했어요 ({what}, 403). 이 잡에 대한 권한(Job/Read, Job/Build, Job/Cancel)이 없어요.",
    },
    "jenkins_server_error": {
        "en": "Jenkins at {url} failed with HTTP {status} ({what}).",
        "ko": "Jenkins({url})에서 HTTP {status} 오류가 났어요 ({what}).",
    },
    "jenkins_bad_answer": {
        "en": "Jenkins at {url} gave an answer I cannot read ({what}: {detail}).",
        "ko": "Jenkins({url})의 응답을 읽을 수 없어요 ({what}: {detail}).",
    },
    "jenkins_job_unknown": {
        "en": "Jenkins at {url} has no job `{job}`. Check `jenkins_job` of the app in kuber.yaml.",
        "ko": "Jenkins({url})에 `{job}` 잡이 없어요. kuber.yaml에서 앱의 `jenkins_job`을 확인하세요.",
    },
    "jenkins_job_unknown_suggest": {
        "en": "Jenkins at {url} has no job `{job}`; the closest are: {suggestions}. Check `jenkins_job` of the app in kuber.yaml.",
        "ko": "Jenkins({url})에 `{job}` 잡이 없어요. 비슷한 잡: {suggestions}. kuber.yaml에서 앱의 `jenkins_job`을 확인하세요.",
    },
    "jenkins_job_is_folder": {
        "en": "`{job}` is a folder in Jenkins, not a job: name the job inside it (`{job}/NAME`) in kuber.yaml.",
        "ko": "`{job}`은(는) Jenkins의 폴더예요. kuber.yaml에 그 안의 잡 이름(`{job}/NAME`)을 적어 주세요.",
    },
    "jenkins_job_name_invalid": {
        "en": "`{job}` is not a Jenkins job name (folders and the job joined by /).",
        "ko": "`{job}`은(는) Jenkins 잡 이름이 아니에요 (폴더와 잡을 /로 이은 이름이어야 해요).",
    },
    "jenkins_no_parameter": {
        "en": "The job `{job}` has no parameter for the {role} (its parameters: {parameters}). Name it under `jenkins_parameters` of the app in kuber.yaml.",
        "ko": "`{job}` 잡에는 {role}에 해당하는 파라미터가 없어요 (파라미터: {parameters}). kuber.yaml에서 앱의 `jenkins_parameters`에 지정해 주세요.",
    },
    "jenkins_bad_choice": {
        "en": "`{value}` is not a choice of {parameter} in `{job}`: {allowed}.",
        "ko": "`{value}`은(는) `{job}`의 {parameter}에서 고를 수 있는 값이 아니에요: {allowed}.",
    },
    "jenkins_queue_expired": {
        "en": "Jenkins no longer knows queue item {queue_id} of `{job}`, and no build of the job came from it.",
        "ko": "Jenkins가 `{job}`의 대기열 항목 {queue_id}을(를) 더 이상 알지 못하고, 그 항목에서 시작된 빌드도 없어요.",
    },
    "jenkins_queue_timeout": {
        "en": "The build of `{job}` is still waiting in Jenkins' queue after {minutes} min; I stopped waiting for it.",
        "ko": "`{job}` 빌드가 {minutes}분째 Jenkins 대기열에 있어서 기다리기를 멈췄어요.",
    },
    "jenkins_build_missing": {
        "en": "Jenkins has no build #{number} of `{job}`.",
        "ko": "Jenkins에 `{job}`의 #{number} 빌드가 없어요.",
    },
    # branch names, refused before they reach Jenkins
    "jenkins_branch_empty": {
        "en": "The branch name is empty.",
        "ko": "브랜치 이름이 비어 있어요.",
    },
    "jenkins_branch_long": {
        "en": "`{branch}` is too long for a branch name (200 characters at most).",
        "ko": "`{branch}`은(는) 브랜치 이름으로 너무 길어요 (최대 200자).",
    },
    "jenkins_branch_space": {
        "en": "`{branch}` is not a valid branch name: it contains a space or a control character.",
        "ko": "`{branch}`은(는) 올바른 브랜치 이름이 아니에요: 공백이나 제어 문자가 있어요.",
    },
    "jenkins_branch_shell": {
        "en": "`{branch}` contains a character a shell would act on ($ ` ' \" \\ ; & | < > ( ) {{ }} ! #); I do not pass such a branch name to Jenkins.",
        "ko": "`{branch}`에는 셸이 해석하는 문자($ ` ' \" \\ ; & | < > ( ) {{ }} ! #)가 있어서 Jenkins에 넘기지 않아요.",
    },
    "jenkins_branch_special": {
        "en": "`{branch}` is not a valid branch name: git refuses ~ ^ : ? * [ in names.",
        "ko": "`{branch}`은(는) 올바른 브랜치 이름이 아니에요: git은 ~ ^ : ? * [ 문자를 허용하지 않아요.",
    },
    "jenkins_branch_dash": {
        "en": "`{branch}` is not a valid branch name: it may not start with -.",
        "ko": "`{branch}`은(는) 올바른 브랜치 이름이 아니에요: -로 시작할 수 없어요.",
    },
    "jenkins_branch_reserved": {
        "en": "`{branch}` is not a branch name git allows.",
        "ko": "`{branch}`은(는) git이 허용하지 않는 브랜치 이름이에요.",
    },
    "jenkins_branch_slashes": {
        "en": "`{branch}` is not a valid branch name: no / at its start or end, and no //.",
        "ko": "`{branch}`은(는) 올바른 브랜치 이름이 아니에요: /로 시작하거나 끝날 수 없고 //도 안 돼요.",
    },
    "jenkins_branch_sequence": {
        "en": "`{branch}` is not a valid branch name: git refuses .. and @{{ in names.",
        "ko": "`{branch}`은(는) 올바른 브랜치 이름이 아니에요: git은 ..와 @{{를 허용하지 않아요.",
    },
    "jenkins_branch_trailing_dot": {
        "en": "`{branch}` is not a valid branch name: it may not end with a dot.",
        "ko": "`{branch}`은(는) 올바른 브랜치 이름이 아니에요: 점으로 끝날 수 없어요.",
    },
    "jenkins_branch_dot_component": {
        "en": "`{branch}` is not a valid branch name: no part of it may start with a dot.",
        "ko": "`{branch}`은(는) 올바른 브랜치 이름이 아니에요: 어느 부분도 점으로 시작할 수 없어요.",
    },
    "jenkins_branch_lock": {
        "en": "`{branch}` is not a valid branch name: no part of it may end with .lock.",
        "ko": "`{branch}`은(는) 올바른 브랜치 이름이 아니에요: 어느 부분도 .lock으로 끝날 수 없어요.",
    },
    # asking for a build
    "build_app_unknown": {
        "en": "I know no app called {app} with a Jenkins job.",
        "ko": "Jenkins 잡이 있는 {app} 앱을 찾지 못했어요.",
    },
    "build_app_unknown_suggest": {
        "en": "I know no app called {app} with a Jenkins job. Did you mean {suggestions}?",
        "ko": "Jenkins 잡이 있는 {app} 앱을 찾지 못했어요. {suggestions}을(를) 말씀하신 건가요?",
    },
    "build_no_job": {
        "en": "{app} has no Jenkins job: set `jenkins_job` for it in kuber.yaml.",
        "ko": "{app}에는 Jenkins 잡이 없어요: kuber.yaml에서 `jenkins_job`을 지정해 주세요.",
    },
    "build_job_disabled": {
        "en": "The job `{job}` of {app} is disabled in Jenkins.",
        "ko": "{app}의 `{job}` 잡이 Jenkins에서 비활성화되어 있어요.",
    },
    "build_plan": {
        "en": "Build {app} #{number} with Jenkins job `{job}`",
        "ko": "{app} 빌드 #{number} 실행 (Jenkins 잡 `{job}`)",
    },
    "build_plan_branch": {
        "en": "Build {app} #{number} from branch {branch} with Jenkins job `{job}`",
        "ko": "{app}의 {branch} 브랜치 빌드 #{number} 실행 (Jenkins 잡 `{job}`)",
    },
    "build_note_last": {
        "en": "Last build #{number}: {result}, {duration}, {ago}.",
        "ko": "지난 빌드 #{number}: {result}, {duration}, {ago}.",
    },
    "build_note_estimate": {
        "en": "It usually takes about {duration}.",
        "ko": "보통 {duration} 정도 걸려요.",
    },
    "build_plan_abort": {
        "en": "Abort build #{number} of {app}",
        "ko": "{app} 빌드 #{number} 중단",
    },
    # following it
    "build_queued": {
        "en": "⏳ The build of {app} is in Jenkins' queue (`{job}`): {why}",
        "ko": "⏳ {app} 빌드가 Jenkins 대기열에 있어요 (`{job}`): {why}",
    },
    "build_running": {
        "en": "🔨 Building {app} #{number} (`{job}`, {branch})",
        "ko": "🔨 {app} 빌드 #{number} 진행 중 (`{job}`, {branch})",
    },
    "build_field_progress": {"en": "Progress", "ko": "진행"},
    "build_field_stages": {"en": "Stages", "ko": "단계"},
    "build_field_branch": {"en": "Branch", "ko": "브랜치"},
    "build_field_image_tag": {"en": "Image tag", "ko": "이미지 태그"},
    "build_field_started_by": {"en": "Started by", "ko": "시작한 사람"},
    "build_progress": {
        "en": "{bar} {percent}% · {elapsed} of about {estimated}",
        "ko": "{bar} {percent}% · {elapsed} / 약 {estimated}",
    },
    "build_progress_over": {
        "en": "{bar} {elapsed}, longer than the usual {estimated}",
        "ko": "{bar} {elapsed}, 평소({estimated})보다 오래 걸리고 있어요",
    },
    "build_progress_unknown": {
        "en": "{elapsed} (no estimate yet)",
        "ko": "{elapsed} (아직 예상 시간 없음)",
    },
    "build_button_abort": {"en": "Abort", "ko": "중단"},
    "build_button_retry": {"en": "Retry", "ko": "다시 빌드"},
    # how it ended
    "build_succeeded": {
        "en": "✅ Build #{number} of {app} succeeded in {duration}.",
        "ko": "✅ {app} 빌드 #{number} 성공 ({duration}).",
    },
    "build_failed": {
        "en": "❌ Build #{number} of {app} failed after {duration}.",
        "ko": "❌ {app} 빌드 #{number} 실패 ({duration} 후).",
    },
    "build_failed_in_stage": {
        "en": "❌ Build #{number} of {app} failed in stage {stage} after {duration}.",
        "ko": "❌ {app} 빌드 #{number}이(가) {stage} 단계에서 실패했어요 ({duration} 후).",
    },
    "build_unstable": {
        "en": "⚠️ Build #{number} of {app} is unstable (some tests failed) after {duration}.",
        "ko": "⚠️ {app} 빌드 #{number}이(가) 불안정해요 (일부 테스트 실패, {duration}).",
    },
    "build_aborted": {
        "en": "⏹ Build #{number} of {app} was aborted by {who} after {duration}.",
        "ko": "⏹ {app} 빌드 #{number}을(를) {who} 님이 중단했어요 ({duration} 후).",
    },
    "build_not_built": {
        "en": "⚪ Build #{number} of {app} ended without building ({result}).",
        "ko": "⚪ {app} 빌드 #{number}이(가) 빌드 없이 끝났어요 ({result}).",
    },
    "build_cancelled_in_queue": {
        "en": "🚫 The build of {app} was cancelled in Jenkins before it started (queue item {queue_id} of `{job}`).",
        "ko": "🚫 {app} 빌드가 시작되기 전에 Jenkins에서 취소됐어요 (`{job}` 대기열 항목 {queue_id}).",
    },
    "build_still_running": {
        "en": "⏳ Build #{number} of {app} is still running after {duration}; I stopped following it, Jenkins goes on.",
        "ko": "⏳ {app} 빌드 #{number}이(가) {duration}째 진행 중이에요. 지켜보기는 멈췄고 Jenkins에서는 계속돼요.",
    },
    "build_no_tag": {
        "en": "not found ({source})",
        "ko": "찾지 못함 ({source})",
    },
    "build_console_tail": {
        "en": "The last {count} lines of the console of {app} #{number}:",
        "ko": "{app} 빌드 #{number} 콘솔의 마지막 {count}줄:",
    },
    # the last builds
    "builds_none": {
        "en": "The job `{job}` of {app} has no builds yet.",
        "ko": "{app}의 `{job}` 잡에는 아직 빌드가 없어요.",
    },
    "builds_green": {
        "en": "🟢 Yes: the last build of {app}, #{number} ({branch}), succeeded {ago}.",
        "ko": "🟢 네, {app}의 마지막 빌드 #{number}({branch})는 {ago}에 성공했어요.",
    },
    "builds_red": {
        "en": "🔴 No: the last build of {app}, #{number} ({branch}), ended {result} {ago}.",
        "ko": "🔴 아니요, {app}의 마지막 빌드 #{number}({branch})는 {ago}에 {result}(으)로 끝났어요.",
    },
    "builds_red_since": {
        "en": "It has not been green since #{number}.",
        "ko": "#{number}부터 계속 성공하지 못하고 있어요.",
    },
    "builds_running": {
        "en": "🔄 #{number} is running now ({branch}, started by {who}).",
        "ko": "🔄 지금 #{number}이(가) 진행 중이에요 ({branch}, 시작: {who}).",
    },
    "builds_title": {
        "en": "Last builds of {app} (`{job}`):",
        "ko": "{app}의 최근 빌드 (`{job}`):",
    },
    "builds_col_result": {"en": "result", "ko": "결과"},
    "builds_col_duration": {"en": "took", "ko": "소요"},
    "builds_col_branch": {"en": "branch", "ko": "브랜치"},
    "builds_col_by": {"en": "by", "ko": "시작"},
    "builds_col_when": {"en": "when", "ko": "시각"},
    "builds_running_word": {"en": "RUNNING", "ko": "진행 중"},
    # time, as builds are read
    "build_dur_s": {"en": "{s}s", "ko": "{s}초"},
    "build_dur_ms": {"en": "{m}m {s}s", "ko": "{m}분 {s}초"},
    "build_dur_hm": {"en": "{h}h {m}m", "ko": "{h}시간 {m}분"},
    "build_ago_now": {"en": "just now", "ko": "방금"},
    "build_ago_min": {"en": "{n} min ago", "ko": "{n}분 전"},
    "build_ago_h": {"en": "{n} h ago", "ko": "{n}시간 전"},
    "build_ago_d": {"en": "{n} d ago", "ko": "{n}일 전"},
    # builds Jenkins reports on its own (the Notification plugin)
    "jenkins_notify_green": {
        "en": "✅ Build #{number} of {app} ({branch}) succeeded in Jenkins.",
        "ko": "✅ Jenkins에서 {app} 빌드 #{number}({branch})이(가) 성공했어요.",
    },
    "jenkins_notify_red": {
        "en": "❌ Build #{number} of {app} ({branch}) ended {status} in Jenkins.",
        "ko": "❌ Jenkins에서 {app} 빌드 #{number}({branch})이(가) {status}(으)로 끝났어요.",
    },
    "jenkins_notify_main_red": {
        "en": "🚨 {branch} is red: build #{number} of {app} ended {status}.",
        "ko": "🚨 {branch} 브랜치가 깨졌어요: {app} 빌드 #{number}이(가) {status}(으)로 끝났어요.",
    },
}
