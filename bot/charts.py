"""Pictures a person would rather look at than read: a metric over the last hour, an error
budget running down, a sprint burning down. PNG bytes, drawn headless (Agg), with a Hangul
font that travels with the install so Korean titles and labels render as text, not boxes.

Figures are built without pyplot: each chart is its own `Figure`, so charts drawn on several
threads at once never share state.
"""

from __future__ import annotations

import importlib.util
import io
import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from functools import cache
from pathlib import Path

import matplotlib
from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.dates import AutoDateLocator, ConciseDateFormatter, date2num
from matplotlib.figure import Figure

#: Wide and short, as a chat client shows an image inline.
SIZE_INCHES = (8.0, 3.2)
DPI = 100
_COLOURS = ("#2f6fdf", "#e0662b", "#2a9d55", "#9b59b6", "#c0392b", "#7f8c8d")


@dataclass(frozen=True)
class Line:
    """One series: its label and (time, value) points, oldest first."""

    label: str
    points: Sequence[tuple[datetime, float]]


@cache
def _font_family() -> str:
    """NanumGothic from the koreanize-matplotlib wheel, registered once; DejaVu otherwise.

    Only its font files are used: importing the package would change matplotlib's global
    settings (and it warns on import).
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    folders = list(spec.submodule_search_locations or []) if spec else []
    fonts = [p for folder in folders for p in sorted((Path(folder) / "fonts").glob("*.ttf"))]
    if not fonts:
        return "DejaVu Sans"
    for path in fonts:
        font_manager.fontManager.addfont(str(path))
    return "NanumGothic"


def line_chart(
    lines: Sequence[Line],
    *,
    title: str,
    y_label: str = "",
    threshold: float | None = None,
    threshold_label: str = "",
) -> bytes:
    """A time-series chart of `lines`, with an optional dashed threshold line."""
    figure, axes = _figure(title)
    for index, line in enumerate(lines):
        # A series with no traffic reads NaN or ±inf: nothing a chart can place.
        finite = [(t, v) for t, v in line.points if math.isfinite(v)]
        if not finite:
            continue
        times = date2num([t for t, _ in finite])  # type: ignore[no-untyped-call]
        values = [v for _, v in finite]
        axes.plot(times, values, label=line.label, color=_COLOURS[index % len(_COLOURS)])
    if threshold is not None:
        axes.axhline(threshold, color="#c0392b", linestyle="--", linewidth=1, label=threshold_label)
    family = _font_family()
    axes.set_ylabel(y_label, fontfamily=family)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    if len(lines) > 1 or threshold_label:
        axes.legend(loc="upper left", frameon=False, prop={"family": family, "size": "small"})
    return _png(figure)


def burndown_chart(
    ideal: Sequence[tuple[datetime, float]],
    remaining: Sequence[tuple[datetime, float]],
    *,
    title: str,
    ideal_label: str,
    remaining_label: str,
    y_label: str = "",
) -> bytes:
    """A sprint burndown: the ideal line dashed from the committed points to zero at the
    end, and what actually remained, as steps (work is done in jumps, not slopes)."""
    figure, axes = _figure(title)
    if ideal:
        times = date2num([t for t, _ in ideal])  # type: ignore[no-untyped-call]
        axes.plot(
            times,
            [v for _, v in ideal],
            label=ideal_label,
            color=_COLOURS[5],
            linestyle="--",
            linewidth=1,
        )
    if remaining:
        times = date2num([t for t, _ in remaining])  # type: ignore[no-untyped-call]
        values = [v for _, v in remaining]
        axes.step(times, values, where="post", label=remaining_label, color=_COLOURS[0])
        axes.plot(times[-1:], values[-1:], marker="o", color=_COLOURS[0])
    axes.set_ylim(bottom=0)
    family = _font_family()
    axes.set_ylabel(y_label, fontfamily=family)
    locator = AutoDateLocator()  # type: ignore[no-untyped-call]
    axes.xaxis.set_major_locator(locator)
    axes.xaxis.set_major_formatter(ConciseDateFormatter(locator))  # type: ignore[no-untyped-call]
    axes.legend(loc="upper right", frameon=False, prop={"family": family, "size": "small"})
    return _png(figure)


def _figure(title: str) -> tuple[Figure, Axes]:
    # The font has no U+2212 MINUS SIGN: negative ticks use the hyphen-minus.
    matplotlib.rcParams["axes.unicode_minus"] = False
    figure = Figure(figsize=SIZE_INCHES, dpi=DPI)
    FigureCanvasAgg(figure)
    family = _font_family()
    axes = figure.add_subplot()
    axes.set_title(title, fontsize="medium", loc="left", fontfamily=family)
    axes.grid(True, alpha=0.3)
    for spine in ("top", "right"):
        axes.spines[spine].set_visible(False)
    for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
        label.set_fontfamily(family)
    return figure, axes


def _png(figure: Figure) -> bytes:
    buffer = io.BytesIO()
    figure.tight_layout()
    figure.savefig(buffer, format="png")
    return buffer.getvalue()
