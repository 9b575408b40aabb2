"""An SLO's indicator as PromQL: the error ratio over one window.

Two kinds of SLI: bad and total events as counters, or a latency histogram with a threshold
(slower than the threshold is bad). The queries come from kuber.yaml, checked by `bot`'s `Slo`.
"""

from __future__ import annotations

import re

from bot.settings_alerting import WINDOW_PLACEHOLDER, Slo

_HISTOGRAM = re.compile(r"^\s*([a-zA-Z_:][a-zA-Z0-9_:]*)\s*(?:\{([^{}]*)\})?\s*$")


def error_ratio_expr(slo: Slo, window_range: str) -> str:
    """The PromQL of `slo`'s error ratio over `window_range` (a PromQL range such as `5m`)."""
    if slo.latency_query is not None and slo.latency_threshold_seconds is not None:
        return _latency_error_ratio(slo.latency_query, slo.latency_threshold_seconds, window_range)
    if slo.error_query is None or slo.total_query is None:
        raise ValueError(f"SLO {slo.name} has no SLI")
    errors = events_rate(slo.error_query, window_range)
    total = events_rate(slo.total_query, window_range)
    return f"{errors}\n/\n{total}"


def events_rate(query: str, window_range: str) -> str:
    """Events per second over the window: a selector is summed and rated, an expression with
    `{{window}}` is taken as written (in parentheses), with the window's range in place."""
    if WINDOW_PLACEHOLDER in query:
        return "(" + query.strip().replace(WINDOW_PLACEHOLDER, window_range) + ")"
    return f"sum(rate({query.strip()}[{window_range}]))"


def _latency_error_ratio(query: str, threshold: float, window_range: str) -> str:
    match = _HISTOGRAM.match(query)
    if match is None:
        raise ValueError(f"not a histogram's selector: {query!r}")
    name, matchers = match.group(1), (match.group(2) or "").strip().rstrip(",").strip()
    bucket_matchers = ", ".join(m for m in (matchers, f'le=~"{le_pattern(threshold)}"') if m)
    count_selector = f"{name}_count{{{matchers}}}" if matchers else f"{name}_count"
    total = f"sum(rate({count_selector}[{window_range}]))"
    fast = f"sum(rate({name}_bucket{{{bucket_matchers}}}[{window_range}]))"
    # Slower than the threshold is bad: all events less those in the threshold's bucket.
    return f"(\n  {total}\n  -\n  {fast}\n)\n/\n{total}"


def le_pattern(threshold: float) -> str:
    """A regular expression for the `le` label of the bucket bounded by `threshold`.

    Clients write bounds differently (Go `1`, Python `1.0`, `0.25` or `0.250`): the pattern
    matches each way of writing the same number. The threshold must be a bucket's bound.
    """
    text = f"{threshold:.9f}".rstrip("0")
    whole, fraction = text.split(".")
    if fraction:
        return f"{whole}[.]{fraction}0*"
    return f"{whole}([.]0*)?"
