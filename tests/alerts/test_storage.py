"""Alert storage on SQLite and on the real PostgreSQL: deliveries stored once, applied in any
order and any number of times to the same end, one message per group and episode, resolves
held, work a dead replica left taken up."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import update
from sqlmodel import col, select

from bot.alerts.grouping import apply_payload, prune_groups
from bot.alerts.intake import AlertIntake, body_digest
from bot.alerts.living import LivingMessages
from bot.alerts.payload import read_payload
from bot.alerts.routing import route_for
from bot.outbox import Outbox
from bot.settings import KuberConfig
from bot.store import Store, open_store
from bot.store.alert_tables import AlertDelivery, AlertGroup, AlertInstance
from bot.store.tables import OutboxMessage
from tests.alerts.conftest import alert, alerting_config, payload

STARTS = datetime(2026, 12, 1, 10, 0, tzinfo=UTC)


@dataclass
class Pipeline:
    store: Store
    outbox: Outbox
    intake: AlertIntake
    living: LivingMessages

    def deliver(self, body: dict[str, Any], *, raw: bytes | None = None) -> bool:
        """Store a delivery and apply it, as the worker of the replica that took it does."""
        data = raw or json.dumps(body).encode()
        stored = self.intake.accept(json.loads(data), body_digest(data))
        while self.intake.has_due():
            self.intake.apply_due()
        return stored

    def posts(self) -> list[OutboxMessage]:
        with self.store.session() as session:
            rows = session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all()
        return [r for r in rows if r.kind == "post"]

    def messages(self) -> list[OutboxMessage]:
        return [p for p in self.posts() if p.thread is None]

    def notes(self) -> list[str]:
        return [str(p.reply["text"]) for p in self.posts() if p.thread is not None]

    def edits(self) -> list[OutboxMessage]:
        with self.store.session() as session:
            rows = session.exec(select(OutboxMessage).where(OutboxMessage.kind == "edit")).all()
        return list(rows)


def config() -> KuberConfig:
    return KuberConfig.model_validate(alerting_config())


def build(url: str, *, hold: float = 0.0, owner: str = "a") -> Pipeline:
    store = open_store(url)
    settings = config()
    outbox = Outbox(store, transports={})
    intake = AlertIntake(store, lambda labels: route_for(settings, labels, ("slack",)), owner=owner)
    living = LivingMessages(store, outbox, hold_seconds=hold)
    return Pipeline(store, outbox, intake, living)


@pytest.fixture
def pipeline(database_url: str) -> Iterator[Pipeline]:
    built = build(database_url)
    yield built
    built.store.dispose()


def firing(*fingerprints: str, starts: datetime = STARTS) -> dict[str, Any]:
    return payload(*(alert(f, starts_at=starts, labels={"pod": f}) for f in fingerprints))


def resolved(*fingerprints: str, starts: datetime = STARTS) -> dict[str, Any]:
    return payload(
        *(alert(f, status="resolved", starts_at=starts, labels={"pod": f}) for f in fingerprints)
    )


def test_a_redelivery_stores_nothing_new_and_changes_nothing(pipeline: Pipeline) -> None:
    assert pipeline.deliver(firing("f1", "f2"))
    assert pipeline.living.render_pending() == 1
    assert len(pipeline.messages()) == 1
    # The same bytes are refused at the door; the same alerts in other bytes change nothing.
    assert not pipeline.deliver(firing("f1", "f2"))
    assert pipeline.deliver(
        firing("f1", "f2"), raw=json.dumps(firing("f1", "f2"), indent=2).encode()
    )
    assert pipeline.living.render_pending() == 0
    assert len(pipeline.posts()) == 1
    assert pipeline.edits() == []
    with pipeline.store.session() as session:
        statuses = [d.status for d in session.exec(select(AlertDelivery))]
    assert statuses == ["done", "done"]


def test_deliveries_in_any_order_end_in_the_same_state(database_url: str) -> None:
    first = build(database_url)
    # The resolve overtook its own firing: the firing, late, changes nothing.
    first.deliver(resolved("f1"))
    first.deliver(firing("f1"))
    # An older occurrence arriving after a newer one is ignored too.
    first.deliver(firing("f2", starts=STARTS + timedelta(minutes=5)))
    first.deliver(resolved("f2"))
    with first.store.session() as session:
        states = {
            i.fingerprint: (i.status, i.starts_at)
            for i in session.exec(select(AlertInstance)).all()
        }
    assert states == {
        "f1": ("resolved", STARTS),
        "f2": ("firing", STARTS + timedelta(minutes=5)),
    }
    first.living.render_pending()
    # f1 was never shown firing: only f2 is in the message.
    [message] = first.messages()
    assert "1 firing" in str(message.reply["text"])
    first.store.dispose()


def test_concurrent_deliveries_of_one_group_open_one_message(pipeline: Pipeline) -> None:
    settings = config()
    barrier = threading.Barrier(6)
    errors: list[BaseException] = []

    def deliver(index: int) -> None:
        body = firing(f"f{index}")
        try:
            barrier.wait()
            apply_payload(
                pipeline.store, read_payload(body), lambda labels: route_for(settings, labels)
            )
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=deliver, args=(i,)) for i in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    with pipeline.store.session() as session:
        groups = session.exec(select(AlertGroup)).all()
        instances = session.exec(select(AlertInstance)).all()
    assert len(groups) == 1
    assert len(instances) == 6
    assert groups[0].version == 6
    pipeline.living.render_pending()
    [message] = pipeline.messages()
    assert "6 firing" in str(message.reply["text"])


def test_a_resolve_is_held_and_a_refire_within_the_hold_cancels_it(database_url: str) -> None:
    held = build(database_url, hold=3600)
    held.deliver(firing("f1"))
    held.living.render_pending()
    held.deliver(resolved("f1"))
    held.living.render_pending()
    # Within the hold the message still shows the alert firing, and nothing is noted.
    assert held.edits() == []
    assert held.notes() == []
    with held.store.session() as session:
        group = session.exec(select(AlertGroup)).one()
    assert group.render_after is not None
    assert group.message_ref is not None
    # It fires again (a new occurrence) before the hold ends: the resolve is never shown.
    held.deliver(firing("f1", starts=STARTS + timedelta(minutes=3)))
    held.living.render_pending()
    texts = [str(r.reply["text"]) for r in held.posts() + held.edits()]
    assert not any("resolved" in text for text in texts)
    assert held.notes() == []

    # Resolved again, and this time the hold runs out (its clock moved on).
    held.deliver(resolved("f1", starts=STARTS + timedelta(minutes=3)))
    held.living.render_pending()
    assert held.notes() == []
    with held.store.session() as session:
        session.exec(
            update(AlertInstance).values(resolved_seen_at=datetime.now(UTC) - timedelta(hours=2))
        )
        session.exec(
            update(AlertGroup).values(render_after=datetime.now(UTC) - timedelta(seconds=1))
        )
    assert held.living.render_pending() == 1
    [edit] = held.edits()
    assert "resolved · fired for" in str(edit.reply["text"])
    assert held.notes() == ["✅ All resolved; fired for 10m."]
    with held.store.session() as session:
        group = session.exec(select(AlertGroup)).one()
    assert (group.message_ref, group.episode, group.render_after) == (None, 2, None)
    held.store.dispose()


def test_a_delivery_a_dead_replica_left_is_applied_by_recovery(database_url: str) -> None:
    dead = build(database_url, owner="dead")
    data = json.dumps(firing("f1")).encode()
    assert dead.intake.accept(json.loads(data), body_digest(data))
    assert dead.intake.has_due()  # stored and answered; the replica died before applying it
    with dead.store.session() as session:
        session.exec(
            update(AlertDelivery).values(claimed_until=datetime.now(UTC) - timedelta(seconds=1))
        )
    leader = build(database_url, owner="leader")
    assert leader.intake.recover() == 1
    assert leader.intake.recover() == 0
    assert len(leader.intake.apply_due()) == 1
    leader.living.render_pending()
    assert len(leader.messages()) == 1
    # The dead replica's late run finds its claim gone and records nothing.
    assert dead.intake.apply_due() == []
    with leader.store.session() as session:
        delivery = session.exec(select(AlertDelivery)).one()
    assert (delivery.status, delivery.owner, delivery.epoch) == ("done", None, 2)
    dead.store.dispose()
    leader.store.dispose()


def test_a_render_repeated_after_a_crash_queues_nothing_twice(pipeline: Pipeline) -> None:
    pipeline.deliver(firing("f1"))
    pipeline.living.render_pending()
    pipeline.deliver(firing("f1", "f2"))
    with pipeline.store.session() as session:
        before = session.exec(select(AlertGroup)).one()
    pipeline.living.render_pending()
    assert len(pipeline.edits()) == 1
    assert len(pipeline.notes()) == 1
    # The renderer died after queueing but before recording: the next one renders again.
    with pipeline.store.session() as session:
        session.exec(
            update(AlertGroup).values(
                render_seq=before.render_seq,
                rendered_version=before.rendered_version,
                shown=before.shown,
            )
        )
    pipeline.living.render_pending()
    assert len(pipeline.edits()) == 1
    assert len(pipeline.notes()) == 1
    assert len(pipeline.messages()) == 1


def test_a_group_nothing_routes_is_stored_and_shown_nowhere(tmp_path: Path) -> None:
    config_file = tmp_path / "empty.yaml"
    config_file.write_text(yaml.safe_dump({}), encoding="utf-8")
    store = open_store(f"sqlite:///{tmp_path / 'k.db'}")
    outbox = Outbox(store, transports={})
    empty = KuberConfig()
    intake = AlertIntake(store, lambda labels: route_for(empty, labels))
    living = LivingMessages(store, outbox, hold_seconds=0)
    data = json.dumps(firing("f1")).encode()
    assert intake.accept(json.loads(data), body_digest(data))
    intake.apply_due()
    assert living.render_pending() == 1
    assert living.render_pending() == 0
    with store.session() as session:
        assert session.exec(select(OutboxMessage)).all() == []
        assert session.exec(select(AlertGroup)).one().platform is None
    store.dispose()


def test_an_open_message_is_edited_again_before_its_buttons_age_out(pipeline: Pipeline) -> None:
    refreshing = LivingMessages(
        pipeline.store, pipeline.outbox, hold_seconds=0, refresh_after={"slack": 600}
    )
    pipeline.deliver(firing("f1"))
    refreshing.render_pending()
    assert refreshing.render_pending() == 0
    assert pipeline.edits() == []
    with pipeline.store.session() as session:
        group = session.exec(select(AlertGroup)).one()
        assert group.render_after is not None  # the refresh is due then
        ten_minutes_ago = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
        session.exec(
            update(AlertGroup).values(
                shown={**group.shown, "sent_at": ten_minutes_ago},
                render_after=datetime.now(UTC) - timedelta(seconds=1),
            )
        )
    assert refreshing.render_pending() == 1
    [edit] = pipeline.edits()
    assert "1 firing" in str(edit.reply["text"])
    assert pipeline.notes() == []


def test_old_deliveries_and_quiet_groups_are_pruned_open_ones_kept(pipeline: Pipeline) -> None:
    pipeline.deliver(firing("f1"))
    pipeline.deliver(resolved("f1"))
    other = payload(alert("g1", labels={"alertname": "DiskFull"}), group_key="disk")
    pipeline.deliver(other)
    pipeline.living.render_pending()
    long_ago = datetime.now(UTC) - timedelta(days=30)
    with pipeline.store.session() as session:
        session.exec(update(AlertGroup).values(updated_at=long_ago))
        session.exec(update(AlertDelivery).values(received_at=long_ago))
    assert pipeline.intake.prune(timedelta(days=7)) == 3
    assert prune_groups(pipeline.store, timedelta(days=7)) == 1
    with pipeline.store.session() as session:
        [kept] = session.exec(select(AlertGroup)).all()
        instances = session.exec(select(AlertInstance)).all()
    assert kept.group_key == "disk"
    assert kept.message_ref is not None
    assert [i.fingerprint for i in instances] == ["g1"]


def test_deliveries_stored_together_are_one_batch_with_redeliveries_marked(
    pipeline: Pipeline,
) -> None:
    bodies = [json.dumps(firing(f"f{i}")).encode() for i in range(3)]
    batch = [(json.loads(b), body_digest(b)) for b in [*bodies, bodies[0]]]
    assert pipeline.intake.store_deliveries(batch) == [True, True, True, False]
    # Stored before: refused, while what is new in the same batch is stored.
    fourth = json.dumps(firing("f9")).encode()
    again = [
        (json.loads(bodies[1]), body_digest(bodies[1])),
        (json.loads(fourth), body_digest(fourth)),
    ]
    assert pipeline.intake.store_deliveries(again) == [False, True]
    applied = pipeline.intake.apply_due()
    assert len(applied) == 4
    assert [a.new for a in applied] == [1, 1, 1, 1]
    with pipeline.store.session() as session:
        assert {d.status for d in session.exec(select(AlertDelivery))} == {"done"}
