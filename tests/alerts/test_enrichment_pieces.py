"""The pieces of alert enrichment without servers: which Deployment an alert names, which
expression it graphs, the SLO rule names the core repeats, and how the living message takes
enrichment: pictures in its thread once each, a failing enricher costing nothing, the blocks
of an episode gone with it."""

from __future__ import annotations

import json
import math
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from sqlmodel import col, select

from bot.alerts import enrich_slo
from bot.alerts.enrich import Enrichment, save_enrichment
from bot.alerts.enrich_graph import ExpressionGraph, Plot, plot_of
from bot.alerts.enrich_kubernetes import WorkloadContext
from bot.alerts.enrich_slo import SloBudget
from bot.alerts.enrich_target import (
    alert_expression,
    alert_target,
    deployment_of_pod,
    slo_labels,
)
from bot.alerts.intake import AlertIntake, body_digest
from bot.alerts.living import LivingMessages
from bot.alerts.render import AlertView, GroupView
from bot.alerts.routing import route_for
from bot.charts import Line, line_chart
from bot.messages import Field, Image
from bot.outbox import Outbox
from bot.services import Services
from bot.settings import KuberConfig, load_settings
from bot.store import Store, open_store
from bot.store.alert_tables import AlertGroup
from bot.store.tables import OutboxMessage
from integrations.prometheus import PrometheusClient
from slo import burn, rules
from tests.alerts.conftest import alert, alerting_config, payload
from tests.scenarios.serving import free_port

STARTS = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


def config(**extra: Any) -> KuberConfig:
    return KuberConfig.model_validate({**alerting_config(), **extra})


def view(*alerts: AlertView, language: str = "en", **common: str) -> GroupView:
    return GroupView(
        group_id=1,
        platform="slack",
        receiver="kuber",
        alerts=alerts,
        common_labels={"alertname": "HighErrorRate", **common},
        language="ko" if language == "ko" else "en",
    )


def firing(fingerprint: str = "f1", url: str = "", **labels: str) -> AlertView:
    return AlertView(
        fingerprint=fingerprint,
        state="firing",
        labels={"alertname": "HighErrorRate", **labels},
        annotations={},
        starts_at=STARTS,
        generator_url=url,
    )


# -- which Deployment ---------------------------------------------------------------------------
def test_an_app_label_brings_the_apps_deployment_namespace_and_cluster() -> None:
    target = alert_target({"app": "payment"}, config())
    assert target is not None
    assert (target.app, target.deployment, target.namespace, target.cluster) == (
        "payment",
        "payment",
        "default",  # the team's first namespace
        "sandbox",  # and its first cluster
    )
    assert target.configured is not None


def test_labels_place_it_before_the_defaults_and_an_alias_names_the_app() -> None:
    alias = next(a for a in config().apps if a.aliases)
    labels = {"app": alias.aliases[0], "namespace": "staging", "cluster": "prod"}
    target = alert_target(labels, config())
    assert target is not None
    assert (target.app, target.namespace, target.cluster) == (alias.name, "staging", "prod")


def test_a_pod_alone_leads_to_its_deployment() -> None:
    assert deployment_of_pod("payment-7d9f8c6b5-x2k4p") == "payment"
    assert deployment_of_pod("web-api-5c4b7d9f8-abcde") == "web-api"
    assert deployment_of_pod("payment-0") is None  # a StatefulSet's pod
    target = alert_target({"pod": "cart-6b7c8d9f5-zz9zz"}, config())
    assert target is not None
    assert (target.app, target.deployment) == ("cart", "cart")


def test_a_deployment_kuber_yaml_does_not_know_is_looked_up_by_its_name() -> None:
    target = alert_target({"deployment": "ledger", "namespace": "books"}, config())
    assert target is not None
    assert (target.app, target.deployment, target.namespace, target.cluster) == (
        "ledger",
        "ledger",
        "books",
        None,
    )
    assert target.configured is None


@pytest.mark.parametrize(
    "labels", [{}, {"instance": "10.0.0.1:9100"}, {"app": "Not A Name!"}, {"pod": "x"}]
)
def test_labels_that_name_no_deployment_give_none(labels: dict[str, str]) -> None:
    assert alert_target(labels, config()) is None


def test_the_expression_comes_from_the_generator_url() -> None:
    url = "http://prom:9090/graph?g0.expr=rate%28errors%5B5m%5D%29+%3E+0.05&g0.tab=1"
    assert alert_expression(view(firing(url=url))) == "rate(errors[5m]) > 0.05"
    assert alert_expression(view(firing(url="http://prom:9090/graph"))) is None
    assert alert_expression(view(firing())) is None


@pytest.mark.parametrize(
    ("expr", "plot"),
    [
        ("rate(errors[5m]) > 0.05", Plot(("rate(errors[5m])",), "0.05")),
        (
            'a{slo="x"} > 14.4 * 0.001 and b{slo="x"} > 14.4 * 0.001',
            Plot(('a{slo="x"}', 'b{slo="x"}'), "14.4 * 0.001"),
        ),
        (
            'sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[5m])) >= bool 0.1',
            Plot(('sum(rate(x{code=~"5.."}[5m])) / sum(rate(x[5m]))',), "0.1"),
        ),
        ("up == 0", Plot(("up",), "0")),
        ("up", Plot(("up",))),
        ("a > 1 or b > 1", Plot(("a > 1 or b > 1",))),
        ("a > b", Plot(("a > b",))),
        ('brand_total{x="a and b"} > 3', Plot(('brand_total{x="a and b"}',), "3")),
    ],
)
def test_a_comparison_is_drawn_as_its_series_and_threshold(expr: str, plot: Plot) -> None:
    assert plot_of(expr) == plot


def test_the_slo_rule_names_the_core_reads_are_those_slo_rules_writes() -> None:
    assert enrich_slo.RATIO_RECORD.format(window="1h") == rules.ratio_record("1h")
    assert enrich_slo.ERROR_BUDGET_RECORD == rules.ERROR_BUDGET_RECORD
    assert enrich_slo.BUDGET_REMAINING_RECORD == rules.BUDGET_REMAINING_RECORD
    period = timedelta(days=30)
    for left, rate in ((0.5, 2.0), (-0.1, 5.0), (0.3, 0.0), (math.nan, 1.0), (1.0, math.nan)):
        assert enrich_slo.time_to_exhaustion(left, rate, period) == burn.time_to_exhaustion(
            left, rate, period
        )
    assert enrich_slo.burn_rate(0.02, 0.001) == pytest.approx(burn.burn_rate(0.02, 0.999))


def test_of_several_burns_the_fastest_is_read() -> None:
    slow = firing("f1", slo="pay", long_window="6h", short_window="30m", factor="6")
    fast = firing("f2", slo="pay", long_window="1h", short_window="5m", factor="14.4")
    labels = slo_labels(view(slow, fast, slo="pay"))
    assert labels is not None
    assert labels["long_window"] == "1h"
    assert slo_labels(view(firing(app="payment"))) is None


# -- when a source is away ------------------------------------------------------------------------
@pytest.fixture
def nowhere() -> str:
    """The address of a Prometheus that is not there (a port nothing listens on)."""
    return f"http://127.0.0.1:{free_port()}"


def test_without_an_answering_prometheus_there_is_no_graph_and_no_slo_block(nowhere: str) -> None:
    client = PrometheusClient(nowhere, timeout=2)
    url = f"{nowhere}/graph?g0.expr=up"
    slo = firing(url=url, slo="pay", long_window="1h", short_window="5m", factor="14.4")
    assert ExpressionGraph(lambda: client)(view(slo)) is None
    assert SloBudget(config(), lambda: client)(view(slo)) is None
    # And without one configured, nothing is asked at all.
    assert ExpressionGraph(lambda: None)(view(slo)) is None
    client.close()


def test_without_kubernetes_or_a_change_the_workload_adds_nothing(tmp_path: Path) -> None:
    config_file = tmp_path / "kuber.yaml"
    config_file.write_text(json.dumps(alerting_config()), encoding="utf-8")
    settings = load_settings({"KUBER_CONFIG": str(config_file), "KUBER_DATABASE_URL": "sqlite://"})
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    services = Services(settings)  # no KUBECONFIG: asking for the clusters is a UserError
    context = WorkloadContext(settings.config, store, lambda: services.kubernetes)
    assert context(view(firing(app="payment"))) is None
    store.dispose()


# -- how the living message takes it ---------------------------------------------------------------
class Living:
    def __init__(self, url: str, enrichers: list[Any]) -> None:
        self.store: Store = open_store(url)
        settings = config()
        self.outbox = Outbox(self.store, transports={})
        self.intake = AlertIntake(
            self.store, lambda labels: route_for(settings, labels, ("slack",))
        )
        self.living = LivingMessages(self.store, self.outbox, hold_seconds=0, enrichers=enrichers)

    def deliver(self, body: dict[str, Any]) -> None:
        data = json.dumps(body).encode()
        self.intake.accept(json.loads(data), body_digest(data))
        while self.intake.has_due():
            self.intake.apply_due()

    def render_all(self) -> None:
        while self.living.render_pending():
            pass

    def posts(self) -> list[OutboxMessage]:
        with self.store.session() as session:
            rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        return [r for r in rows if r.kind == "post"]

    def edits(self) -> list[OutboxMessage]:
        with self.store.session() as session:
            return list(session.exec(select(OutboxMessage).where(OutboxMessage.kind == "edit")))

    def group(self) -> AlertGroup:
        with self.store.session() as session:
            return session.exec(select(AlertGroup)).one()


CHART = line_chart(
    [Line("x", [(STARTS, 1.0), (STARTS + timedelta(minutes=1), 2.0)])], title="a chart"
)


def charting(view: GroupView) -> Enrichment:
    return Enrichment("graph", images=(Image("errors, last hour", CHART, "errors"),))


def telling(view: GroupView) -> Enrichment:
    return Enrichment("facts", text="a fact", fields=(Field("Deployment", "1/2 ready"),))


def failing(view: GroupView) -> Enrichment:
    raise RuntimeError("this source is broken")


@pytest.fixture
def living(tmp_path: Path) -> Iterator[Living]:
    built = Living(f"sqlite:///{tmp_path / 'k.db'}", [failing, telling, charting])
    yield built
    built.store.dispose()


def test_enrichment_is_edited_in_and_its_picture_posted_in_the_thread_once(living: Living) -> None:
    living.deliver(payload(alert("f1", starts_at=STARTS, labels={"app": "payment"})))
    living.render_all()
    [message, picture] = living.posts()
    assert message.thread is None
    # The failing enricher cost nothing: the others' blocks are shown by an edit.
    [edit] = living.edits()
    assert "a fact" in str(edit.reply["text"])
    assert {"label": "Deployment", "value": "1/2 ready"} in edit.reply["fields"]
    assert edit.reply.get("images", []) == []
    # The chart goes in the message's thread, where a file can be posted.
    assert picture.thread == message.ref
    assert [i["title"] for i in picture.reply["images"]] == ["errors, last hour"]
    assert "errors, last hour" in str(picture.reply["text"])
    # A change later edits the message again but posts the picture no second time.
    living.deliver(
        payload(
            alert("f1", starts_at=STARTS, labels={"app": "payment"}),
            alert("f2", starts_at=STARTS, labels={"app": "payment", "pod": "b"}),
        )
    )
    living.render_all()
    assert "2 firing" in str(living.edits()[-1].reply["text"])
    assert sum(1 for p in living.posts() if p.reply.get("images")) == 1


def test_the_blocks_of_an_episode_end_with_it(living: Living) -> None:
    living.deliver(payload(alert("f1", starts_at=STARTS, labels={"app": "payment"})))
    living.render_all()
    assert set(living.group().enrichment) == {"facts", "graph"}
    living.deliver(payload(alert("f1", status="resolved", starts_at=STARTS)))
    living.render_all()
    assert living.group().enrichment == {}
    # A slow enricher of the ended episode saves nothing onto the next.
    save_enrichment(living.store, living.group().id or 0, telling(view()), episode=1)
    assert living.group().enrichment == {}
