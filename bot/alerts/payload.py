"""Alertmanager's webhook payload (version 4), checked before anything is stored.

A payload that fails here is answered 400 with the reason, which Alertmanager treats as final:
sending the same bytes again would not help. What passes is the typed `WebhookPayload`, read
again from the stored JSON when the delivery is applied.
"""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

#: The only webhook payload version Alertmanager has sent since 0.x; another one is not ours.
VERSION = "4"
#: Alertmanager sends the zero time as `endsAt` of a firing alert.
ZERO_YEAR = 1970


class PayloadRefused(ValueError):
    """The body is not a version 4 webhook payload; `reason` says why, for the 400 answer."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Wire(BaseModel):
    model_config = ConfigDict(extra="ignore", frozen=True, populate_by_name=True)


class WebhookAlert(_Wire):
    status: Literal["firing", "resolved"]
    labels: dict[str, str]
    annotations: dict[str, str] = Field(default_factory=dict)
    starts_at: datetime = Field(alias="startsAt")
    ends_at: datetime | None = Field(default=None, alias="endsAt")
    generator_url: str = Field(default="", alias="generatorURL")
    fingerprint: str = Field(min_length=1, max_length=64)

    @property
    def ended_at(self) -> datetime | None:
        """`endsAt`, or None for the zero time a firing alert carries."""
        if self.ends_at is None or self.ends_at.year < ZERO_YEAR:
            return None
        return self.ends_at


class WebhookPayload(_Wire):
    version: Literal["4"]
    receiver: str = Field(min_length=1)
    status: Literal["firing", "resolved"]
    alerts: list[WebhookAlert]
    group_key: str = Field(alias="groupKey", min_length=1)
    group_labels: dict[str, str] = Field(default_factory=dict, alias="groupLabels")
    common_labels: dict[str, str] = Field(default_factory=dict, alias="commonLabels")
    common_annotations: dict[str, str] = Field(default_factory=dict, alias="commonAnnotations")
    external_url: str = Field(default="", alias="externalURL")
    truncated_alerts: int = Field(default=0, alias="truncatedAlerts", ge=0)


def parse_payload(body: bytes) -> tuple[WebhookPayload, dict[str, Any]]:
    """The payload, typed and as plain JSON (what is stored); `PayloadRefused` otherwise."""
    try:
        data = json.loads(body.decode("utf-8"))
    except UnicodeDecodeError:
        raise PayloadRefused("the body is not UTF-8") from None
    except ValueError as exc:
        raise PayloadRefused(f"malformed JSON: {exc}") from None
    if not isinstance(data, dict):
        raise PayloadRefused("the body is not a JSON object")
    version = data.get("version")
    if version != VERSION:
        raise PayloadRefused(
            f"unknown payload version {version!r}: Kuber reads Alertmanager webhook version 4"
        )
    return read_payload(data), data


def read_payload(data: dict[str, Any]) -> WebhookPayload:
    try:
        return WebhookPayload.model_validate(data)
    except ValidationError as exc:
        raise PayloadRefused(_describe(exc)) from None


def _describe(exc: ValidationError) -> str:
    """The first few problems as `alerts[0].fingerprint: Field required`."""
    lines = []
    for error in exc.errors()[:5]:
        path = ""
        for part in error["loc"]:
            path += f"[{part}]" if isinstance(part, int) else ("." if path else "") + str(part)
        lines.append(f"{path}: {error['msg']}" if path else str(error["msg"]))
    more = len(exc.errors()) - len(lines)
    if more > 0:
        lines.append(f"and {more} more")
    return "invalid payload: " + "; ".join(lines)
