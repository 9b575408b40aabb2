"""Charts are real PNG pictures, Korean titles included, drawn without a screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bot.charts import Line, line_chart

PNG = b"\x89PNG\r\n\x1a\n"


def hour(values: list[float]) -> list[tuple[datetime, float]]:
    start = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)
    return [(start + timedelta(minutes=i), v) for i, v in enumerate(values)]


def test_a_metric_over_an_hour_is_a_png_with_its_threshold() -> None:
    png = line_chart(
        [Line("error ratio", hour([0.01 * i for i in range(60)]))],
        title="payment error ratio, last hour",
        threshold=0.3,
        threshold_label="alert",
    )
    assert png.startswith(PNG)
    width, height = int.from_bytes(png[16:20], "big"), int.from_bytes(png[20:24], "big")
    assert (width, height) == (800, 320)


def test_korean_titles_render_with_a_hangul_font() -> None:
    import warnings

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        png = line_chart(
            [Line("오류율", hour([1.0, 2.0])), Line("지연", hour([2.0, 1.0]))],
            title="payment 오류율 — 지난 1시간",
            y_label="비율",
            threshold=1.5,
            threshold_label="임계값",
        )
    assert png.startswith(PNG)
    # matplotlib warns "Glyph … missing from font" when it has to draw boxes instead.
    assert not [w for w in caught if "missing from" in str(w.message)]


def test_empty_series_still_draw_a_chart() -> None:
    assert line_chart([Line("nothing", [])], title="no data").startswith(PNG)


def test_negative_values_and_points_without_a_value_draw() -> None:
    """An overspent budget is negative (its minus sign must be a glyph the font has); no
    traffic reads as NaN or ±inf, which are left out."""
    values = [float("nan"), float("-inf"), -3.0, -2.0, float("inf")]
    png = line_chart([Line("budget", hour(values))], title="budget", threshold=0.0)
    assert png.startswith(PNG)
