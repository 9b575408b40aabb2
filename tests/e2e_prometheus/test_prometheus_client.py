"""`integrations.prometheus` against a real Prometheus evaluating the SLO rules, and its error
mapping for what a healthy server will not produce on demand (5xx, 429, garbage)."""

from __future__ import annotations

import itertools
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import httpx
import pytest

from bot.errors import PermanentError, TemporaryError
from integrations.prometheus import PrometheusClient, Sample
from slo import burn_rate
from tests.e2e_prometheus.conftest import (
    ERROR_SHARE,
    PATIENCE,
    WITHIN_300MS,
    Stack,
    free_port,
)
from tests.sandboxes import eventually


@pytest.fixture
def client(stack: Stack) -> Iterator[PrometheusClient]:
    with PrometheusClient(stack.prometheus.url, timeout=10) as prometheus:
        yield prometheus


def _recorded(client: PrometheusClient, expr: str) -> Sample:
    """The one sample of `expr`, once the rules have recorded it."""
    samples: list[Sample] = eventually(lambda: client.query(expr), timeout=PATIENCE)
    assert len(samples) == 1, samples
    return samples[0]


@pytest.mark.e2e
def test_instant_query_reads_the_recorded_error_ratio(client: PrometheusClient) -> None:
    sample = _recorded(client, 'slo:sli_error:ratio_rate5m{slo="payment-availability"}')
    assert sample.labels == {
        "__name__": "slo:sli_error:ratio_rate5m",
        "slo": "payment-availability",
        "app": "payment",
    }
    assert sample.value == pytest.approx(ERROR_SHARE, abs=0.02)
    assert abs(datetime.now(UTC) - sample.at) < timedelta(minutes=5)
    # The burn math of a chat reply, on what Prometheus says: 10% errors is 100 budgets.
    assert burn_rate(sample.value, 0.999) == pytest.approx(100, rel=0.2)


@pytest.mark.e2e
def test_the_latency_sli_matches_the_bucket_however_its_bound_is_written(
    client: PrometheusClient,
) -> None:
    # The exporter writes bounds as `0.3` and `1.0`; half the requests are slower than 0.3s.
    sample = _recorded(client, 'slo:sli_error:ratio_rate5m{slo="payment-latency"}')
    assert sample.value == pytest.approx(1 - WITHIN_300MS, abs=0.02)


@pytest.mark.e2e
def test_budget_left_is_recorded(client: PrometheusClient) -> None:
    sample = _recorded(client, 'slo:error_budget_remaining:ratio{slo="payment-availability"}')
    assert sample.value == pytest.approx(1 - ERROR_SHARE / 0.001, rel=0.2)  # overspent: -99


@pytest.mark.e2e
def test_a_scalar_is_one_sample_without_labels(client: PrometheusClient) -> None:
    at = datetime(2025, 1, 2, 3, 4, 5, tzinfo=UTC)
    (sample,) = client.query("1 + 1", at=at)
    assert sample == Sample({}, 2.0, at)
    (nan,) = client.query("NaN")
    assert math.isnan(nan.value)


@pytest.mark.e2e
def test_query_range_gives_points_oldest_first(client: PrometheusClient) -> None:
    expr = 'sum(http_requests_total{app="payment"})'

    def a_few_points() -> list[tuple[datetime, float]]:
        end = datetime.now(UTC)
        series = client.query_range(
            expr, start=end - timedelta(seconds=30), end=end, step=timedelta(seconds=1)
        )
        return list(series[0].points) if series and len(series[0].points) >= 3 else []

    points = eventually(a_few_points, timeout=PATIENCE)
    times = [at for at, _ in points]
    values = [value for _, value in points]
    assert times == sorted(times)
    assert all(b - a == timedelta(seconds=1) for a, b in itertools.pairwise(times))
    assert values == sorted(values)  # a counter…
    assert values[-1] > values[0]  # …growing


@pytest.mark.e2e
def test_a_query_prometheus_refuses_is_permanent(client: PrometheusClient) -> None:
    with pytest.raises(PermanentError) as refused:
        client.query("sum(rate(")
    assert refused.value.key == "prom_query_refused"
    assert refused.value.params["status"] == 400
    assert "bad_data" in str(refused.value.params["detail"])
    with pytest.raises(PermanentError):
        client.query("http_requests_total[1m]")  # a range vector: use query_range


def test_no_server_is_temporary() -> None:
    unreachable_url = f"http://127.0.0.1:{free_port()}"
    with (
        PrometheusClient(unreachable_url, timeout=2) as prometheus,
        pytest.raises(TemporaryError) as unreachable,
    ):
        prometheus.query("up")
    assert unreachable.value.key == "prom_unavailable"


def _answering(status: int, body: bytes, **headers: str) -> PrometheusClient:
    def handler(request: httpx.Request) -> httpx.Response:
        assert request.method == "POST"
        assert request.headers["Authorization"] == "Bearer secret"
        return httpx.Response(status, content=body, headers=headers)

    return PrometheusClient(
        "http://prometheus.test", token="secret", transport=httpx.MockTransport(handler)
    )


@pytest.mark.parametrize("status", [429, 500, 503])
def test_overload_and_server_errors_are_temporary(status: int) -> None:
    body = b'{"status":"error","errorType":"timeout","error":"query timed out"}'
    with (
        _answering(status, body, **{"Retry-After": "7"}) as prometheus,
        pytest.raises(TemporaryError) as failed,
    ):
        prometheus.query("up")
    assert failed.value.delay == 7.0
    assert "timeout: query timed out" in str(failed.value.params["detail"])


@pytest.mark.parametrize(
    "body",
    [
        b"<html>a proxy's error page</html>",
        b'{"status":"success"}',
        b'{"status":"success","data":{"resultType":"vector","result":[{"value":[1]}]}}',
    ],
)
def test_an_answer_that_cannot_be_read_is_permanent(body: bytes) -> None:
    with _answering(200, body) as prometheus, pytest.raises(PermanentError) as failed:
        prometheus.query("up")
    assert failed.value.key == "prom_bad_response"


def test_times_must_carry_a_timezone() -> None:
    with _answering(200, b"{}") as prometheus, pytest.raises(ValueError, match="naive"):
        prometheus.query("up", at=datetime(2025, 1, 1))  # naive: the point of the test
