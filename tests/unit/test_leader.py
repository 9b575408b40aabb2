"""One leader among replicas, on both databases: it holds, renews, and is replaced when gone.

Each change of holder raises the lease's epoch (the fencing token); a leader that cannot renew
keeps leading only as long as the lease could still be its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import pytest
import sqlalchemy as sa

from bot.leader import Leadership
from bot.store import Store, open_store
from bot.store.engine import make_engine
from tests.sandboxes import eventually


def replica(store: Store, name: str, events: list[str], ttl: float = 0.6) -> Leadership:
    return Leadership(
        store,
        "outbox",
        on_elected=lambda epoch: events.append(f"{name} leads in term {epoch}"),
        on_deposed=lambda: events.append(f"{name} stops"),
        ttl=ttl,
        holder=name,
    )


def test_one_replica_leads_and_another_takes_over_when_it_stops(database_url: str) -> None:
    store = open_store(database_url)
    events: list[str] = []
    first, second = replica(store, "a", events), replica(store, "b", events)
    first.campaign_once()
    second.campaign_once()
    assert (first.leading, second.leading) == (True, False)
    first.campaign_once()  # renewing keeps it, in the same term
    assert first.leading
    assert first.epoch == 1
    first.stop()  # a clean stop releases the lease at once
    second.campaign_once()
    assert second.leading
    assert events == ["a leads in term 1", "a stops", "b leads in term 1"]
    store.dispose()


def test_a_leader_that_vanishes_loses_the_lease_when_it_runs_out(database_url: str) -> None:
    store = open_store(database_url)
    events: list[str] = []
    gone, heir = replica(store, "gone", events, ttl=0.3), replica(store, "heir", events, ttl=0.3)
    gone.campaign_once()  # ... and then it crashes: no renewals, no release
    heir.campaign_once()
    assert not heir.leading
    eventually(lambda: heir.campaign_once() or heir.leading)
    assert heir.epoch == 2  # a new holder, a new term
    gone.campaign_once()  # back from the dead: it must notice it no longer leads
    assert not gone.leading
    assert events == ["gone leads in term 1", "heir leads in term 2", "gone stops"]
    store.dispose()


@contextmanager
def database_role(url: str, name: str) -> Iterator[str]:
    """A login role of its own on the test database, as a second replica's credentials."""
    admin = make_engine(url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE ROLE "{name}" LOGIN'))
        connection.execute(sa.text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{name}"'))
    try:
        yield sa.engine.make_url(url).set(username=name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(sa.text(f'DROP OWNED BY "{name}"'))
            connection.execute(sa.text(f'DROP ROLE "{name}"'))
        admin.dispose()


@pytest.mark.postgres
def test_a_leader_cut_off_from_its_lease_steps_down_before_another_can_lead(
    postgres_url: str,
) -> None:
    """Renewal blocked while the replica keeps running: it tolerates the failures while the
    lease is surely its own, has stopped leading by the time another replica can take over,
    and the next term's epoch is higher, so anything fenced by the old one is refused."""
    admin_store = open_store(postgres_url)
    events: list[str] = []
    role = f"kuber_replica_{id(events) % 100000}"
    with database_role(postgres_url, role) as replica_url:
        cut_off_store = open_store(replica_url, migrate=False)
        leader = replica(cut_off_store, "cut-off", events, ttl=1.0)
        heir = replica(admin_store, "heir", events, ttl=1.0)
        leader.campaign_once()
        assert leader.leading
        assert leader.epoch == 1
        with admin_store.engine.begin() as connection:
            connection.execute(sa.text(f'REVOKE UPDATE ON leader_lease FROM "{role}"'))
        leader.campaign_once()  # the renewal fails: still leading, the lease is surely ours
        assert leader.leading
        # The heir polls for the lease; the moment it wins, the cut-off leader, which has
        # not been able to renew since, must already have stopped believing it leads.
        seen_at_takeover: list[bool] = []
        heir.on_elected = lambda epoch: seen_at_takeover.append(leader.leading)
        eventually(lambda: heir.campaign_once() or heir.leading)
        assert seen_at_takeover == [False]
        assert heir.epoch == 2  # a new term: writes fenced by term 1 are refused
        leader.campaign_once()
        assert events == ["cut-off leads in term 1", "cut-off stops"]
        cut_off_store.dispose()
    admin_store.dispose()
