"""Alertmanager's v2 HTTP API through httpx: the alerts it holds, and silences made and ended.

Answers become the small frozen values below and failures become `bot.errors`, both here and
only here, so nothing above sees httpx or Alertmanager's JSON. It decides nothing: which
labels to silence, for whom and for how long is `bot.alerts`' business.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any

import httpx

from bot.errors import PermanentError, TemporaryError, UserError

#: Alertmanager answers in milliseconds; a stuck one must not hold a worker for long.
TIMEOUT = 10.0


@dataclass(frozen=True)
class Matcher:
    """One label matcher of a silence: `name=value` (or `!=`, `=~`, `!~`)."""

    name: str
    value: str
    is_regex: bool = False
    is_equal: bool = True

    def to_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "value": self.value,
            "isRegex": self.is_regex,
            "isEqual": self.is_equal,
        }

    def __str__(self) -> str:
        op = {(True, False): "=", (True, True): "=~", (False, False): "!=", (False, True): "!~"}[
            (self.is_equal, self.is_regex)
        ]
        escaped = self.value.replace("\\", "\\\\").replace('"', '\\"')
        return f'{self.name}{op}"{escaped}"'


@dataclass(frozen=True)
class Silence:
    id: str
    matchers: tuple[Matcher, ...]
    starts_at: datetime
    ends_at: datetime
    created_by: str
    comment: str
    #: active, pending or expired
    state: str

    @property
    def active(self) -> bool:
        return self.state in ("active", "pending")


@dataclass(frozen=True)
class ActiveAlert:
    """An alert as Alertmanager holds it now (not as a webhook delivered it)."""

    fingerprint: str
    labels: dict[str, str]
    annotations: dict[str, str]
    starts_at: datetime
    ends_at: datetime | None
    generator_url: str
    #: active, suppressed (silenced or inhibited) or unprocessed
    state: str
    silenced_by: tuple[str, ...] = ()
    inhibited_by: tuple[str, ...] = ()
    receivers: tuple[str, ...] = field(default_factory=tuple)

    @property
    def name(self) -> str:
        return self.labels.get("alertname", "?")


def _time(value: Any) -> datetime:
    parsed = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    return parsed if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def _wire_time(value: datetime) -> str:
    return value.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def _matcher(data: dict[str, Any]) -> Matcher:
    return Matcher(
        name=str(data.get("name", "")),
        value=str(data.get("value", "")),
        is_regex=bool(data.get("isRegex", False)),
        is_equal=bool(data.get("isEqual", True)),
    )


def _silence(data: dict[str, Any]) -> Silence:
    return Silence(
        id=str(data["id"]),
        matchers=tuple(_matcher(m) for m in data.get("matchers") or []),
        starts_at=_time(data["startsAt"]),
        ends_at=_time(data["endsAt"]),
        created_by=str(data.get("createdBy", "")),
        comment=str(data.get("comment", "")),
        state=str((data.get("status") or {}).get("state", "")),
    )


def _alert(data: dict[str, Any]) -> ActiveAlert:
    status = data.get("status") or {}
    ends = data.get("endsAt")
    return ActiveAlert(
        fingerprint=str(data.get("fingerprint", "")),
        labels={str(k): str(v) for k, v in (data.get("labels") or {}).items()},
        annotations={str(k): str(v) for k, v in (data.get("annotations") or {}).items()},
        starts_at=_time(data["startsAt"]),
        ends_at=_time(ends) if ends else None,
        generator_url=str(data.get("generatorURL") or ""),
        state=str(status.get("state", "")),
        silenced_by=tuple(str(s) for s in status.get("silencedBy") or []),
        inhibited_by=tuple(str(s) for s in status.get("inhibitedBy") or []),
        receivers=tuple(str(r.get("name", "")) for r in data.get("receivers") or []),
    )


class AlertmanagerClient:
    """One Alertmanager (or an HA pair behind one URL). Thread-safe: httpx clients are."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = TIMEOUT,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self.url = url.rstrip("/")
        self._http = httpx.Client(
            base_url=self.url + "/api/v2",
            timeout=timeout,
            transport=transport,
            headers={"Accept": "application/json", "User-Agent": "kuber"},
        )

    def close(self) -> None:
        self._http.close()

    # -- alerts ------------------------------------------------------------------------------
    def alerts(
        self,
        *,
        active: bool = True,
        silenced: bool = False,
        inhibited: bool = False,
        filters: Iterable[Matcher | str] = (),
    ) -> list[ActiveAlert]:
        """The alerts Alertmanager holds; by default the active ones nobody silenced."""
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("active", _flag(active)),
            ("silenced", _flag(silenced)),
            ("inhibited", _flag(inhibited)),
        ]
        params += [("filter", str(f)) for f in filters]
        body = self._call("GET", "/alerts", params=params)
        return [_alert(item) for item in body or []]

    # -- silences ----------------------------------------------------------------------------
    def silences(self, filters: Iterable[Matcher | str] = ()) -> list[Silence]:
        params: list[tuple[str, str | int | float | bool | None]] = [
            ("filter", str(f)) for f in filters
        ]
        body = self._call("GET", "/silences", params=params)
        return [_silence(item) for item in body or []]

    def silence(self, silence_id: str) -> Silence | None:
        """The silence `silence_id`, or None when Alertmanager has none by that id."""
        body = self._call("GET", f"/silence/{silence_id}", missing_ok=True)
        return _silence(body) if isinstance(body, dict) else None

    def create_silence(
        self,
        matchers: Sequence[Matcher],
        *,
        ends_at: datetime,
        created_by: str,
        comment: str,
        starts_at: datetime | None = None,
    ) -> str:
        """Silence what `matchers` select until `ends_at`; the new silence's id."""
        if not matchers:
            # Alertmanager refuses it too; an empty list would silence everything otherwise.
            raise UserError("alert_silence_no_matchers")
        body = {
            "matchers": [m.to_json() for m in matchers],
            "startsAt": _wire_time(starts_at or datetime.now(UTC)),
            "endsAt": _wire_time(ends_at),
            "createdBy": created_by,
            "comment": comment,
        }
        answer = self._call("POST", "/silences", json=body)
        if not isinstance(answer, dict) or not answer.get("silenceID"):
            raise TemporaryError("alert_am_failed", url=self.url, detail="no silenceID in answer")
        return str(answer["silenceID"])

    def expire_silence(self, silence_id: str) -> bool:
        """End silence `silence_id` now; False when it was gone or over already.

        Alertmanager 0.25 answers an unknown id with 500, not 404, so a failure is checked
        against the silence itself before it counts as one.
        """
        try:
            self._call("DELETE", f"/silence/{silence_id}", missing_ok=True)
        except TemporaryError:
            found = self.silence(silence_id)
            if found is None or not found.active:
                return False
            raise
        return True

    # -- plumbing ----------------------------------------------------------------------------
    def _call(
        self,
        method: str,
        path: str,
        *,
        params: list[tuple[str, str | int | float | bool | None]] | None = None,
        json: Any = None,
        missing_ok: bool = False,
    ) -> Any:
        try:
            response = self._http.request(method, path, params=params, json=json)
        except httpx.TransportError as exc:
            raise TemporaryError("alert_am_unreachable", url=self.url) from exc
        if response.status_code == 404 and missing_ok:
            return None
        if response.status_code >= 500 or response.status_code == 429:
            raise TemporaryError(
                "alert_am_failed", url=self.url, detail=_detail(response, method, path)
            )
        if response.status_code >= 400:
            raise PermanentError(
                "alert_am_refused", url=self.url, detail=_detail(response, method, path)
            )
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError as exc:
            raise TemporaryError(
                "alert_am_failed", url=self.url, detail=f"{method} {path}: not JSON"
            ) from exc


def _flag(value: bool) -> str:
    return "true" if value else "false"


def _detail(response: httpx.Response, method: str, path: str) -> str:
    text = response.text.strip().replace("\n", " ")
    if len(text) > 200:
        text = text[:199] + "…"
    return f"{method} {path}: {response.status_code} {text}".strip()
