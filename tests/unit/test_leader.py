"""One leader among replicas, on both databases: it holds, renews, and is replaced when gone."""

from __future__ import annotations

import time

from bot.leader import Leadership
from bot.store import open_store


def test_one_replica_leads_and_another_takes_over_when_it_stops(database_url: str) -> None:
    store = open_store(database_url)
    events: list[str] = []

    def replica(name: str) -> Leadership:
        return Leadership(
            store,
            "outbox",
            on_elected=lambda: events.append(f"{name} leads"),
            on_deposed=lambda: events.append(f"{name} stops"),
            ttl=0.6,
            holder=name,
        )

    first, second = replica("a"), replica("b")
    first.campaign_once()
    second.campaign_once()
    assert (first.leading, second.leading) == (True, False)
    first.campaign_once()  # renewing keeps it
    assert first.leading
    first.stop()  # a clean stop releases the lease at once
    second.campaign_once()
    assert second.leading
    assert events == ["a leads", "a stops", "b leads"]
    store.dispose()


def test_a_leader_that_vanishes_loses_the_lease_when_it_runs_out(database_url: str) -> None:
    store = open_store(database_url)
    gone = Leadership(store, "jobs", on_elected=lambda: None, on_deposed=lambda: None, ttl=0.3)
    heir = Leadership(store, "jobs", on_elected=lambda: None, on_deposed=lambda: None, ttl=0.3)
    gone.campaign_once()  # ... and then it crashes: no renewals, no release
    heir.campaign_once()
    assert not heir.leading
    time.sleep(0.4)
    heir.campaign_once()
    assert heir.leading
    gone.campaign_once()  # back from the dead: it must notice it no longer leads
    assert not gone.leading
    store.dispose()
