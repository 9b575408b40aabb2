"""Messages about Prometheus: when the metrics behind an SLO or a graph cannot be read."""

from __future__ import annotations

MESSAGES: dict[str, dict[str, str]] = {
    "prom_unavailable": {
        "en": "Prometheus at {url} does not answer ({detail}); the metrics are left out for now.",
        "ko": "{url}의 Prometheus가 응답하지 않아요({detail}). 지표는 일단 빼고 보여 드려요.",
    },
    "prom_query_refused": {
        "en": "Prometheus at {url} refused the query ({status}: {detail}).",
        "ko": "{url}의 Prometheus가 쿼리를 거부했어요({status}: {detail}).",
    },
    "prom_bad_response": {
        "en": "Prometheus at {url} answered something I cannot read ({detail}).",
        "ko": "{url}의 Prometheus 응답을 읽을 수 없어요({detail}).",
    },
}
