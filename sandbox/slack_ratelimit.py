"""Per-channel posting limits like Slack's special tier for chat.postMessage.

Slack allows about one message per second per channel and answers more with HTTP 429 and a
whole-second `Retry-After`; this lets tests prove the outbox backs off. It only decides; it
does not answer requests.
"""

from __future__ import annotations

import math
import threading
import time


class ChannelRateLimiter:
    """A token bucket per channel holding `burst` tokens, refilled at `rate` per second."""

    def __init__(self, rate: float, burst: int = 1) -> None:
        if rate <= 0:
            raise ValueError("rate must be positive")
        self.rate = rate
        self.burst = burst
        self._buckets: dict[str, tuple[float, float]] = {}
        self._lock = threading.Lock()

    def retry_after(self, channel: str) -> int:
        """0 when the call may go ahead (and it is counted), else seconds to wait."""
        now = time.monotonic()
        with self._lock:
            tokens, last = self._buckets.get(channel, (float(self.burst), now))
            tokens = min(float(self.burst), tokens + (now - last) * self.rate)
            if tokens >= 1.0:
                self._buckets[channel] = (tokens - 1.0, now)
                return 0
            self._buckets[channel] = (tokens, now)
            return max(1, math.ceil((1.0 - tokens) / self.rate))
