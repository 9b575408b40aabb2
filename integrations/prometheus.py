"""A small client of Prometheus' HTTP API: instant queries and range queries, as plain values.

Errors are mapped here, once: no answer, a timeout, 429 or 5xx may pass (`TemporaryError`);
a query Prometheus refuses (400 `bad_data`, 422 `execution`) or any other 4xx will not
(`PermanentError`). No retries: only the caller knows whether its moment has passed.
"""

from __future__ import annotations

import threading
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from types import TracebackType
from typing import Any, Protocol

import httpx

from bot.errors import PermanentError, TemporaryError, UserError


@dataclass(frozen=True)
class Sample:
    """One value of an instant query: the series' labels, the value, and its time."""

    labels: Mapping[str, str]
    value: float
    at: datetime


@dataclass(frozen=True)
class Series:
    """One series of a range query, its points oldest first."""

    labels: Mapping[str, str]
    points: tuple[tuple[datetime, float], ...]


class PrometheusClient:
    """Queries one Prometheus server. `transport` replaces the network (tests of the error
    mapping); `token` is sent as a bearer token, for a Prometheus behind a proxy."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 10.0,
        token: str | None = None,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        self._http = httpx.Client(
            base_url=self.url, timeout=timeout, headers=headers, transport=transport
        )

    def query(self, expr: str, *, at: datetime | None = None) -> list[Sample]:
        """The value of `expr` at `at` (default: now). A scalar comes back as one sample
        without labels; a range vector (`foo[5m]`) is refused: use `query_range`."""
        form = {"query": expr}
        if at is not None:
            form["time"] = _timestamp(at)
        data = self._call("/api/v1/query", form)
        kind, result = data.get("resultType"), data.get("result", [])
        try:
            if kind == "vector":
                return [_sample(item["metric"], item["value"]) for item in result]
            if kind == "scalar":
                return [_sample({}, result)]
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentError("prom_bad_response", url=self.url, detail=repr(exc)) from exc
        raise PermanentError(
            "prom_bad_response", url=self.url, detail=f"a {kind} result to an instant query"
        )

    def query_range(
        self, expr: str, *, start: datetime, end: datetime, step: timedelta
    ) -> list[Series]:
        """The values of `expr` from `start` to `end`, one every `step` (for graphs)."""
        form = {
            "query": expr,
            "start": _timestamp(start),
            "end": _timestamp(end),
            "step": f"{step.total_seconds():g}",
        }
        data = self._call("/api/v1/query_range", form)
        if data.get("resultType") != "matrix":
            raise PermanentError(
                "prom_bad_response", url=self.url, detail=f"a {data.get('resultType')} result"
            )
        try:
            return [
                Series(dict(item["metric"]), tuple(_point(p) for p in item["values"]))
                for item in data["result"]
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise PermanentError("prom_bad_response", url=self.url, detail=repr(exc)) from exc

    def close(self) -> None:
        self._http.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.close()

    def _call(self, path: str, form: dict[str, str]) -> dict[str, Any]:
        # POST with a form: long PromQL does not fit every proxy's URL limit.
        try:
            response = self._http.post(path, data=form)
        except httpx.TimeoutException as exc:
            raise TemporaryError("prom_unavailable", url=self.url, detail="timed out") from exc
        except httpx.TransportError as exc:
            raise TemporaryError("prom_unavailable", url=self.url, detail=str(exc)) from exc
        try:
            body = response.json()
        except ValueError:
            body = None
        status = response.status_code
        detail = _error_detail(body) or response.reason_phrase or f"HTTP {status}"
        if status == 429 or status >= 500:
            raise TemporaryError(
                "prom_unavailable",
                delay=_retry_after(response),
                url=self.url,
                detail=f"{status}: {detail}",
            )
        if status >= 400:
            raise PermanentError("prom_query_refused", url=self.url, status=status, detail=detail)
        if not isinstance(body, dict) or body.get("status") != "success":
            raise PermanentError("prom_bad_response", url=self.url, detail=detail)
        data = body.get("data")
        if not isinstance(data, dict):
            raise PermanentError("prom_bad_response", url=self.url, detail="no data")
        return data


class _PrometheusEnv(Protocol):
    @property
    def prometheus_url(self) -> str | None: ...


class PrometheusSettings(Protocol):
    """What `prometheus_for` reads of Kuber's settings (`bot.settings.Settings` has it; the
    integration names only the shape, as it sits below the core)."""

    @property
    def env(self) -> _PrometheusEnv: ...


_clients: dict[str, PrometheusClient] = {}
_clients_lock = threading.Lock()


def prometheus_for(settings: PrometheusSettings) -> PrometheusClient:
    """The shared client of `KUBER_PROMETHEUS_URL`; `UserError` when it is not set."""
    url = settings.env.prometheus_url
    if not url:
        raise UserError("not_configured", system="Prometheus", variable="KUBER_PROMETHEUS_URL")
    with _clients_lock:
        if url not in _clients:
            _clients[url] = PrometheusClient(url)
        return _clients[url]


def _timestamp(at: datetime) -> str:
    if at.tzinfo is None:
        raise ValueError("naive datetime: give Prometheus times with a timezone")
    return f"{at.timestamp():.3f}"


def _point(pair: Any) -> tuple[datetime, float]:
    """`[1700000000.123, "0.5"]` -> (time, 0.5); "NaN", "+Inf" and "-Inf" read as floats."""
    when, text = pair
    return datetime.fromtimestamp(float(when), UTC), float(text)


def _sample(labels: Mapping[str, str], pair: Any) -> Sample:
    at, value = _point(pair)
    return Sample(dict(labels), value, at)


def _error_detail(body: Any) -> str | None:
    if isinstance(body, dict) and body.get("status") == "error":
        return f"{body.get('errorType', 'error')}: {body.get('error', '')}".strip()
    return None


def _retry_after(response: httpx.Response) -> float | None:
    try:
        return float(response.headers["Retry-After"])
    except (KeyError, ValueError):
        return None
