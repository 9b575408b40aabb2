"""Messages of the kubernetes area, in English and Korean.

Keys start with `k8s_`; `integrations/kubernetes_errors.py` raises them. Kubernetes words
(namespace, deployment, Role) stay in English in Korean text, as Korean teams say them.
"""

MESSAGES: dict[str, dict[str, str]] = {
    "k8s_unknown_cluster": {
        "en": "I don't know a cluster called {cluster}. Known clusters: {known}.",
        "ko": "{cluster} 클러스터는 등록되어 있지 않아요. 사용할 수 있는 클러스터: {known}.",
    },
    "k8s_invalid_name": {
        "en": "{name} is not a valid {kind} name: use lowercase letters, digits and '-'.",
        "ko": "{name}은(는) 올바른 {kind} 이름이 아니에요. 영문 소문자, 숫자, '-'만 쓸 수 있어요.",
    },
    "k8s_invalid_tag": {
        "en": "{tag} is not a valid image tag: up to 128 letters, digits, '_', '.' or '-', "
        "not starting with '.' or '-'.",
        "ko": "{tag}은(는) 올바른 이미지 태그가 아니에요. 영문자, 숫자, '_', '.', '-'로 "
        "128자까지 쓸 수 있고 '.'이나 '-'로 시작할 수 없어요.",
    },
    "k8s_invalid_image": {
        "en": "{image} is not a valid image reference.",
        "ko": "{image}은(는) 올바른 이미지 주소가 아니에요.",
    },
    "k8s_invalid_replicas": {
        "en": "The number of replicas must be a whole number from 0 to {max}, not {replicas}.",
        "ko": "레플리카 수는 0부터 {max} 사이의 정수여야 해요. (입력: {replicas})",
    },
    "k8s_not_found": {
        "en": "There is no {kind} {name} in namespace {namespace} on {cluster}.",
        "ko": "{cluster} 클러스터의 {namespace} 네임스페이스에 {kind} {name}이(가) 없어요.",
    },
    "k8s_app_not_found": {
        "en": "I can't find the app {app} in namespace {namespace} on {cluster}.",
        "ko": "{cluster} 클러스터의 {namespace} 네임스페이스에서 {app} 앱을 찾지 못했어요.",
    },
    "k8s_app_ambiguous": {
        "en": "Several deployments in {namespace} belong to {app}: {names}. Which one?",
        "ko": "{namespace} 네임스페이스에 {app} 앱의 deployment가 여러 개 있어요: {names}. "
        "어느 것인가요?",
    },
    "k8s_no_container": {
        "en": "{name} has no container {container}; its containers are {containers}.",
        "ko": "{name}에는 {container} 컨테이너가 없어요. 있는 컨테이너: {containers}.",
    },
    "k8s_revision_not_found": {
        "en": "{name} has no revision {revision}. Available revisions: {available}.",
        "ko": "{name}에는 {revision}번 리비전이 없어요. 있는 리비전: {available}.",
    },
    "k8s_no_previous_revision": {
        "en": "{name} has no earlier revision to roll back to (revisions: {available}).",
        "ko": "{name}에는 되돌릴 이전 리비전이 없어요. (리비전: {available})",
    },
    "k8s_already_at_revision": {
        "en": "{name} is already running revision {revision}; nothing to roll back.",
        "ko": "{name}은(는) 이미 {revision}번 리비전으로 실행 중이라 되돌릴 게 없어요.",
    },
    "k8s_paused": {
        "en": "Deployment {name} in {namespace} is paused; resume its rollout first.",
        "ko": "{namespace}의 {name} deployment가 일시 중지되어 있어요. "
        "먼저 롤아웃을 재개해 주세요.",
    },
    "k8s_forbidden": {
        "en": "Kuber's account ({account}) may not {verb} {resource} in namespace {namespace} "
        "on {cluster}; grant it in its Role.",
        "ko": "Kuber 계정({account})에 {cluster} 클러스터 {namespace} 네임스페이스의 "
        "{resource} {verb} 권한이 없어요. Role에 권한을 추가해 주세요.",
    },
    "k8s_forbidden_cluster": {
        "en": "Kuber's account ({account}) may not {verb} {resource} across namespaces on "
        "{cluster}; grant it in a ClusterRole or name a namespace.",
        "ko": "Kuber 계정({account})에 {cluster} 클러스터 전체의 {resource} {verb} 권한이 "
        "없어요. ClusterRole에 추가하거나 네임스페이스를 지정해 주세요.",
    },
    "k8s_unauthorized": {
        "en": "{cluster} rejected Kuber's credentials; check its kubeconfig or token.",
        "ko": "{cluster} 클러스터가 Kuber의 인증 정보를 거부했어요. "
        "kubeconfig나 토큰을 확인해 주세요.",
    },
    "k8s_conflict": {
        "en": "{name} kept changing while I updated it on {cluster}; try again in a moment.",
        "ko": "{cluster}에서 {name}을(를) 바꾸는 동안 다른 변경이 계속 생겼어요. "
        "잠시 후 다시 시도해 주세요.",
    },
    "k8s_invalid": {
        "en": "Kubernetes refused the change to {name}: {message}",
        "ko": "Kubernetes가 {name} 변경을 거부했어요: {message}",
    },
    "k8s_unavailable": {
        "en": "The Kubernetes API of {cluster} is not answering ({detail}); try again shortly.",
        "ko": "{cluster} 클러스터의 Kubernetes API가 응답하지 않아요. ({detail}) "
        "잠시 후 다시 시도해 주세요.",
    },
    "k8s_tls": {
        "en": "Kuber cannot trust the TLS connection to {cluster}: {detail}",
        "ko": "{cluster} 클러스터와의 TLS 연결을 신뢰할 수 없어요: {detail}",
    },
    "k8s_bad_response": {
        "en": "The Kubernetes API of {cluster} sent an answer Kuber cannot read: {detail}",
        "ko": "{cluster} 클러스터의 Kubernetes API가 읽을 수 없는 응답을 보냈어요: {detail}",
    },
    "k8s_api_error": {
        "en": "The Kubernetes API of {cluster} answered {status}: {detail}",
        "ko": "{cluster} 클러스터의 Kubernetes API가 {status} 오류를 돌려줬어요: {detail}",
    },
}
