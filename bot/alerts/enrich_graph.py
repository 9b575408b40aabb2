"""Enrichment from Prometheus: the alert's expression over the last hour, as a PNG chart.

The expression is the one Prometheus links from the alert (`generatorURL`, `g0.expr`). An
alert is usually a comparison (`rate(errors[5m]) > 0.05`, or two joined with `and`, as the
SLO burn alerts are): then the compared series are drawn with the threshold as a dashed line,
which shows how the alert came about better than the few points that pass the filter.
Without an expression, or without a Prometheus that answers, there is simply no graph: it is
logged, and the message says nothing of it.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.alerts.enrich import Enrichment
from bot.alerts.enrich_target import alert_expression
from bot.alerts.render import GroupView
from bot.charts import Line, line_chart
from bot.errors import KuberError
from bot.i18n import translate
from bot.logs import get_logger
from bot.messages import Image
from integrations.prometheus import Sample, Series

log = get_logger(__name__)

SOURCE = "graph"
SPAN = timedelta(hours=1)
#: 240 points over the hour: smooth enough, and far below Prometheus' 11,000-point limit.
STEP = timedelta(seconds=15)
POINTS = 240
#: Series that begin this late in the hour are drawn from their start, with a finer step.
ZOOM_AFTER = timedelta(minutes=10)
MIN_STEP = timedelta(seconds=1)
#: Series drawn at most (the highest first); more would be a tangle no one reads.
MAX_LINES = 6
MAX_TITLE = 60
#: A threshold written as arithmetic on numbers (`14.4 * 0.001`): Prometheus works it out.
_NUMERIC = re.compile(r"^[\d.eE+\-*/()\s]+$")
_COMPARISONS = (">=", "<=", "==", "!=", ">", "<")
_SETS = re.compile(r"\b(and|or|unless)\b", re.IGNORECASE)


class RangeQueries(Protocol):
    """What the graph needs of Prometheus (`integrations.prometheus.PrometheusClient`)."""

    def query(self, expr: str, *, at: datetime | None = None) -> list[Sample]: ...

    def query_range(
        self, expr: str, *, start: datetime, end: datetime, step: timedelta
    ) -> list[Series]: ...


@dataclass(frozen=True)
class Plot:
    """What to draw for an alert expression: series expressions and an optional threshold."""

    exprs: tuple[str, ...]
    threshold: str | None = None


def _top_level(expr: str) -> set[int]:
    """The positions in `expr` outside brackets and strings."""
    depth, quote, found = 0, "", set()
    escaped = False
    for index, char in enumerate(expr):
        if quote:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == quote:
                quote = ""
            continue
        if char in "\"'`":
            quote = char
        elif char in "([{":
            depth += 1
        elif char in ")]}":
            depth -= 1
        elif depth == 0:
            found.add(index)
    return found


def _split_and(expr: str) -> list[str]:
    """`a and b` -> [a, b], at the top level only; anything with `or`/`unless` stays whole."""
    top = _top_level(expr)
    outside = "".join(c if i in top else " " for i, c in enumerate(expr))
    words = [(m.start(), m.end(), m.group(1).lower()) for m in _SETS.finditer(outside)]
    if any(word != "and" for _, _, word in words):
        return [expr]
    parts, last = [], 0
    for start, end, _ in words:
        parts.append(expr[last:start])
        last = end
    parts.append(expr[last:])
    return [p.strip() for p in parts if p.strip()]


def _comparison(expr: str) -> tuple[str, str] | None:
    """`left > right` at the top level -> (left, right); None when there is none."""
    top = _top_level(expr)
    for index in sorted(top):
        for op in _COMPARISONS:
            if expr.startswith(op, index) and index + len(op) - 1 in top:
                # `=~` and `!~` are matchers (inside braces already); `bool` keeps the sides.
                left, right = expr[:index].strip(), expr[index + len(op) :].strip()
                right = re.sub(r"^bool\s+", "", right)
                return (left, right) if left and right else None
    return None


def plot_of(expr: str) -> Plot:
    """What to draw for `expr`: the compared series and their common numeric threshold, or
    the expression itself when it is not such a comparison."""
    sides = [_comparison(part) for part in _split_and(expr)]
    if not sides or any(s is None for s in sides):
        return Plot((expr,))
    compared = [s for s in sides if s is not None]
    thresholds = {right for _, right in compared}
    if len(thresholds) != 1 or not _NUMERIC.match(next(iter(thresholds))):
        return Plot((expr,))
    return Plot(tuple(left for left, _ in compared), next(iter(thresholds)))


def _label(series: Series, others: Sequence[Series], expr: str, several_exprs: bool) -> str:
    """What tells a series apart: its metric name or expression when several expressions are
    drawn, then the labels that differ among its expression's series."""
    differing = sorted(
        {k for s in others for k in s.labels if len({o.labels.get(k) for o in others}) > 1}
        - {"__name__"}
    )
    parts = [f"{k}={series.labels[k]}" for k in differing[:3] if k in series.labels]
    name = series.labels.get("__name__") or _shorten(expr, 50)
    if several_exprs or not parts:
        parts.insert(0, name)
    return " ".join(parts)


def _shorten(text: str, limit: int) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


class ExpressionGraph:
    """A chart of the group's alert expression over the last hour."""

    def __init__(
        self,
        prometheus: Callable[[], RangeQueries | None],
        *,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        """`prometheus` gives the client, or None when Kuber has no Prometheus."""
        self.prometheus = prometheus
        self.clock = clock

    def __call__(self, view: GroupView) -> Enrichment | None:
        expr = alert_expression(view)
        if expr is None:
            log.info("alert graph skipped: no expression", group_id=view.group_id)
            return None
        title = translate(
            view.language, "alert_graph_title", name=view.name, expr=_shorten(expr, MAX_TITLE)
        )
        try:
            client = self.prometheus()
            if client is None:
                return None
            png = self._draw(client, expr, title)
        except KuberError as exc:
            log.warning("alert graph skipped", group_id=view.group_id, error=str(exc))
            return None
        if png is None:
            log.info("alert graph skipped: no data", group_id=view.group_id, expr=expr)
            return None
        return Enrichment(SOURCE, images=(Image(title, png, alt=f"{view.name}: {expr}"),))

    def _draw(self, client: RangeQueries, expr: str, title: str) -> bytes | None:
        plot = plot_of(expr)
        end = self.clock()
        start = end - SPAN
        found = [client.query_range(part, start=start, end=end, step=STEP) for part in plot.exprs]
        first = _first_point(found)
        if first is None:
            return None
        if first > start + ZOOM_AFTER:
            # The series began within the hour (a new deploy, a new Prometheus): drawn over
            # the hour they would be a few dots at its end; drawn from their start, a line.
            start = first - STEP
            step = max(MIN_STEP, (end - start) / POINTS)
            found = [
                client.query_range(part, start=start, end=end, step=step) for part in plot.exprs
            ]
        lines: list[Line] = []
        for part, series in zip(plot.exprs, found, strict=True):
            drawn = sorted(series, key=_peak, reverse=True)[:MAX_LINES]
            for item in drawn:
                points = [(t, v) for t, v in item.points if math.isfinite(v)]
                if points:
                    lines.append(Line(_label(item, drawn, part, len(plot.exprs) > 1), points))
        lines = lines[:MAX_LINES]
        if not lines:
            return None
        threshold = _threshold(client, plot.threshold) if plot.threshold else None
        return line_chart(
            lines,
            title=title,
            threshold=threshold,
            threshold_label=plot.threshold or "",
        )


def _first_point(found: Sequence[Sequence[Series]]) -> datetime | None:
    times = [s.points[0][0] for series in found for s in series if s.points]
    return min(times) if times else None


def _peak(series: Series) -> float:
    values = [v for _, v in series.points if math.isfinite(v)]
    return max(values) if values else -math.inf


def _threshold(client: RangeQueries, expr: str) -> float | None:
    """The threshold's value (`14.4 * 0.001` -> 0.0144), as Prometheus reckons it."""
    try:
        return float(expr)
    except ValueError:
        pass
    samples = client.query(expr)
    return samples[0].value if len(samples) == 1 and math.isfinite(samples[0].value) else None
