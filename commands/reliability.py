"""`slo payment` / `payment SLO 어때?`: how an app keeps its service level objectives.

For each SLO of the app in kuber.yaml: the objective, the error budget left over the period,
the burn rate per window and, at the current burn, when the budget runs out; with a chart of
the budget left over the last day. Everything is read from the recording rules that
`kuber slo rules` generates, so chat and the alerts agree on the numbers.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from bot.charts import Line, line_chart
from bot.context import CommandContext
from bot.errors import UserError
from bot.intents import IntentName
from bot.messages import Field, Image, Reply
from bot.registry import command
from bot.settings_alerting import Slo
from integrations.prometheus import PrometheusClient
from slo.burn import burn_rate, time_to_exhaustion
from slo.rules import ratio_record
from slo.windows import RATIO_WINDOWS

#: The window whose burn rate stands for "now" when telling the time to exhaustion.
CURRENT_WINDOW = "1h"
BUDGET_RECORD = "slo:error_budget_remaining:ratio"
CHART_SPAN = timedelta(hours=24)
CHART_STEP = timedelta(minutes=15)


@command(
    IntentName.SLO,
    group="reliability",
    summary_en="Show an app's SLOs: error budget left, burn rate per window, a budget chart",
    summary_ko="앱의 SLO 보기: 남은 에러 버짓, 구간별 소진 속도, 버짓 차트",
    examples_en=("slo payment", "error budget of payment"),
    examples_ko=("payment SLO 어때?",),
)
def slo_status(ctx: CommandContext, *, app: str) -> Reply:
    slos = [s for s in ctx.settings.config.slos if s.app == app]
    if not slos:
        raise UserError("slo_none", app=app)
    url = ctx.settings.env.prometheus_url
    if not url:
        raise UserError("not_configured", system="Prometheus", variable="KUBER_PROMETHEUS_URL")
    with PrometheusClient(url) as prometheus:
        fields: list[Field] = []
        images: list[Image] = []
        for slo in slos:
            fields.append(_budget_field(ctx, prometheus, slo))
            chart = _budget_chart(ctx, prometheus, slo)
            if chart is not None:
                images.append(chart)
    return Reply(
        ctx.t("slo_title", app=app),
        fields=tuple(fields),
        images=tuple(images),
        language=ctx.language,
    )


def _value(prometheus: PrometheusClient, expr: str) -> float:
    samples = prometheus.query(expr)
    return samples[0].value if samples else math.nan


def _budget_field(ctx: CommandContext, prometheus: PrometheusClient, slo: Slo) -> Field:
    selector = f'{{slo="{slo.name}"}}'
    left = _value(prometheus, BUDGET_RECORD + selector)
    rates = {
        w.name: burn_rate(_value(prometheus, ratio_record(w) + selector), slo.objective)
        for w in RATIO_WINDOWS
    }
    period = timedelta(days=slo.period_days)
    lasts = time_to_exhaustion(left, rates.get(CURRENT_WINDOW, math.nan), period)
    lines = [
        ctx.t("slo_objective", objective=_percent(slo.objective), days=slo.period_days),
        ctx.t("slo_budget_left", left=_percent(left) if not math.isnan(left) else "?"),
        ctx.t("slo_exhaustion", when=_span(ctx, lasts)),
        ctx.t("slo_burn_rates") + " " + " · ".join(f"{w} {_rate(r)}" for w, r in rates.items()),
    ]
    return Field(slo.name, "\n".join(lines))


def _budget_chart(ctx: CommandContext, prometheus: PrometheusClient, slo: Slo) -> Image | None:
    end = datetime.now(UTC)
    series = prometheus.query_range(
        f'{BUDGET_RECORD}{{slo="{slo.name}"}}', start=end - CHART_SPAN, end=end, step=CHART_STEP
    )
    points = [(t, v * 100) for s in series for t, v in s.points if math.isfinite(v)]
    if not points:
        return None
    title = ctx.t("slo_chart_title", slo=slo.name)
    png = line_chart(
        [Line(ctx.t("slo_chart_line"), points)],
        title=title,
        y_label="%",
        threshold=0.0,
        threshold_label=ctx.t("slo_chart_spent"),
    )
    return Image(png=png, title=title, alt=title)


def _percent(ratio: float) -> str:
    return f"{ratio * 100:.2f}%".replace(".00%", "%")


def _rate(rate: float) -> str:
    return "?" if math.isnan(rate) else f"{rate:.1f}×"


def _span(ctx: CommandContext, lasts: timedelta | None) -> str:
    if lasts is None:
        return ctx.t("slo_not_running_out")
    hours = lasts.total_seconds() / 3600
    if hours < 48:
        return ctx.t("slo_hours", hours=f"{hours:.1f}")
    return ctx.t("slo_days", days=f"{hours / 24:.1f}")
