"""How soon the outbox may send next: per-channel spacing, a workspace-wide rate, the pauses a
platform asks for with Retry-After, and the backoff after a failed try.

The rates use pyrate-limiter's GCRA buckets rather than `limits`: `limits` counts in whole
seconds at best, while the channel interval is a float (Slack wants about one post a second,
tests want a few milliseconds), and a GCRA bucket answers "not yet, try in N ms" without
blocking, which a single sender thread serving many channels needs. Backoff delays come from
tenacity's wait objects. This module only decides; it never sleeps and never sends, and it is
not thread-safe on its own (the outbox calls it from its sender lock).
"""

from __future__ import annotations

import time

from pyrate_limiter import GCRA, Decision, MonotonicClock, Rate, RateItem, StateBucket
from tenacity import RetryCallState, Retrying, wait_exponential, wait_random


def _bucket(per_interval: int, interval_ms: int) -> StateBucket:
    # burst = limit: a quiet workspace may spend a second's worth at once, as Slack allows.
    return StateBucket([Rate(per_interval, interval_ms)], GCRA(), clock=MonotonicClock())


def _take(bucket: StateBucket, name: str) -> float:
    """0 when a slot was taken from `bucket`, else the seconds until one is free."""
    # The bucket's own clock (monotonic milliseconds); its `now()` is untyped, so read it here.
    decision = bucket.put_decision(RateItem(name, time.monotonic_ns() // 1_000_000))
    assert isinstance(decision, Decision)  # the in-memory store answers synchronously
    if decision.allowed:
        return 0.0
    return max(decision.retry_after_ms or 1, 1) / 1000.0


class Pacer:
    """Rate limits and pauses per `(platform, channel)` and per platform (one workspace each)."""

    def __init__(
        self,
        *,
        channel_interval: float,
        workspace_per_second: float,
        retry_initial: float = 1.0,
        retry_max: float = 300.0,
    ) -> None:
        self._channel_ms = round(channel_interval * 1000)
        if workspace_per_second <= 0:
            raise ValueError("workspace_per_second must be positive")
        # GCRA spaces units interval/limit apart; a whole number per second keeps that exact.
        per_second = max(1, round(workspace_per_second))
        self._workspace_limit = per_second
        self._workspace_ms = max(1, round(per_second * 1000 / workspace_per_second))
        self._channels: dict[tuple[str, str], StateBucket] = {}
        self._workspaces: dict[str, StateBucket] = {}
        self._channel_pauses: dict[tuple[str, str], float] = {}
        self._platform_pauses: dict[str, float] = {}
        self._backoff = wait_exponential(multiplier=retry_initial, max=retry_max) + wait_random(
            0, retry_initial
        )

    def paused_for(self, platform: str, channel: str) -> float:
        """Seconds left of a Retry-After pause on this channel or its whole workspace."""
        now = time.monotonic()
        until = max(
            self._channel_pauses.get((platform, channel), 0.0),
            self._platform_pauses.get(platform, 0.0),
        )
        return max(0.0, until - now)

    def take(self, platform: str, channel: str) -> float:
        """0 when a message may go to `channel` now (and it is counted), else seconds to wait."""
        paused = self.paused_for(platform, channel)
        if paused > 0:
            return paused
        if self._channel_ms > 0:
            bucket = self._channels.get((platform, channel))
            if bucket is None:
                bucket = self._channels[(platform, channel)] = _bucket(1, self._channel_ms)
            wait = _take(bucket, f"{platform}:{channel}")
            if wait > 0:
                return wait
        # The channel's slot is spent even if the workspace says no; that channel then waits
        # at most one extra interval, which is cheaper than a second look-up every time.
        workspace = self._workspaces.get(platform)
        if workspace is None:
            workspace = self._workspaces[platform] = _bucket(
                self._workspace_limit, self._workspace_ms
            )
        return _take(workspace, platform)

    def pause_channel(self, platform: str, channel: str, seconds: float) -> None:
        key = (platform, channel)
        until = time.monotonic() + seconds
        self._channel_pauses[key] = max(self._channel_pauses.get(key, 0.0), until)

    def pause_platform(self, platform: str, seconds: float) -> None:
        until = time.monotonic() + seconds
        self._platform_pauses[platform] = max(self._platform_pauses.get(platform, 0.0), until)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait after the `attempt`-th failed try: exponential, with jitter."""
        state = RetryCallState(Retrying(), fn=None, args=(), kwargs={})
        state.attempt_number = max(1, attempt)
        return float(self._backoff(state))
