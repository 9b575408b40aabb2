"""Two `kuber serve` processes on one PostgreSQL database, as the `ha` overlay runs them.

Slash commands are spread over both; the leader is killed with SIGKILL mid-way, or, in the
other test, cut off from renewing its lease while it keeps running. Afterwards every command
answered has produced exactly one reply (its plan, or its answer), every message was posted
once, and each channel shows its messages in the order the outbox queued them.
"""

from __future__ import annotations

import threading
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa
from sqlmodel import col, select

from bot.store import open_store
from bot.store.tables import InboundEvent, OutboxMessage, PendingAction
from sandbox.kubernetes import KubernetesSandbox
from sandbox.slack import SlackSandbox
from tests.e2e.replicas import Replica, database_role, replicas
from tests.sandboxes import eventually, sandbox_env, slack_settings

# Processes, hundreds of commands and a paced outbox: minutes, not the default two.
pytestmark = [pytest.mark.postgres, pytest.mark.e2e, pytest.mark.timeout(900)]

CHANNELS = [f"C0REPLICA{n:02d}" for n in range(20)]
APPS = ("payment", "cart", "user-api", "order-service", "frontend", "auth", "marvel-collection")
#: Per channel: 25 commands, 10 of them changes (a plan each), 15 questions (an answer each);
#: 200 plans and 500 messages in all.
COMMANDS_PER_CHANNEL = 25


def commands() -> list[str]:
    """One channel's commands: every change is a different one, so each plan is traceable."""
    typed, changes = [], 0
    for n in range(COMMANDS_PER_CHANNEL):
        if n % 5 in (0, 3):
            typed.append(f"scale {APPS[changes % 7]} to {3 + changes // 7}")
            changes += 1
        else:
            typed.append(f"status of {APPS[n % 7]}")
    return typed


@pytest.fixture
def slack(slack: SlackSandbox) -> SlackSandbox:
    """The Slack sandbox of tests/e2e/conftest.py, with the channels the commands are typed in."""
    with slack.lock:
        for channel in CHANNELS:
            slack.workspace.add_channel(channel, channel.lower())
    return slack


def kuber_env(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], slack: SlackSandbox, database_url: str
) -> dict[str, str]:
    return sandbox_env(
        tmp_path,
        clusters,
        KUBER_DATABASE_URL=database_url,
        **slack_settings(slack),
        # Short, so that a dead replica is replaced within seconds in the test.
        KUBER_LEASE_TTL="3",
        KUBER_CLAIM_TTL="4",
        KUBER_LOG_LEVEL="info",
    )


def send_all(
    slack: SlackSandbox,
    targets: Callable[[int], list[Replica]],
    first: int,
    last: int,
    answered: dict[str, list[str]],
) -> None:
    """Each channel types its commands `first..last-1` in order, channels side by side; a
    command goes to the first replica `targets(n)` names, or to the next when that one does
    not answer (it was killed): the person sees an error and types it again."""

    def channel_types(channel: str) -> None:
        for n, text in enumerate(commands()[first:last], start=first):
            for replica in targets(n):
                try:
                    response = slack.send_slash_command(
                        replica.url + "/slack/events", text, channel_id=channel
                    )
                except httpx.TransportError:
                    continue
                if response.status_code == 200:
                    answered[channel].append(text)
                    break

    threads = [threading.Thread(target=channel_types, args=(c,)) for c in CHANNELS]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()


def bot_messages(slack: SlackSandbox, channel: str) -> list[dict[str, Any]]:
    return [m for m in slack.messages(channel) if m.get("bot_id") or m.get("user") == "U0KUBER"]


def grant(admin_url: str, statement: str) -> None:
    """Change a replica's rights as the database administrator would."""
    admin = sa.create_engine(admin_url)
    try:
        with admin.begin() as connection:
            connection.execute(sa.text(statement))
    finally:
        admin.dispose()


def has_approve_button(message: dict[str, Any]) -> bool:
    return any(
        str(element.get("action_id", "")).startswith("kuber_approve")
        for block in message.get("blocks") or []
        for element in block.get("elements") or []
    )


def stamped_key(message: dict[str, Any]) -> str:
    return str(((message.get("metadata") or {}).get("event_payload") or {}).get("key"))


def assert_delivered_exactly_once(
    slack: SlackSandbox, admin_url: str, answered: dict[str, list[str]]
) -> None:
    """Every command a replica stored (every one it acknowledged, and perhaps one a killed
    replica stored but could not acknowledge) has exactly one reply, and no other message
    went out; each change has exactly one plan; channels show the outbox's order."""
    store = open_store(admin_url, migrate=False)

    def all_settled() -> bool:
        # The positive signal that nothing more is coming: every stored command finished,
        # every queued message sent.
        with store.session() as session:
            open_events = session.exec(
                select(sa.func.count())
                .select_from(InboundEvent)
                .where(col(InboundEvent.status).not_in(("done", "failed")))
            ).one()
            open_messages = session.exec(
                select(sa.func.count())
                .select_from(OutboxMessage)
                .where(col(OutboxMessage.status).not_in(("sent", "failed")))
            ).one()
        return open_events == 0 and open_messages == 0

    try:
        eventually(all_settled, timeout=300)
        with store.session() as session:
            events = session.exec(select(InboundEvent).order_by(col(InboundEvent.id))).all()
            plans = session.exec(select(PendingAction)).all()
            posts = session.exec(
                select(OutboxMessage)
                .where(col(OutboxMessage.kind) == "post")
                .order_by(col(OutboxMessage.id))
            ).all()
        assert {e.status for e in events} == {"done"}
        assert {p.status for p in posts} == {"sent"}
        for channel in CHANNELS:
            stored = [str(e.payload["text"]) for e in events if e.payload["channel"] == channel]
            assert Counter(answered[channel]) <= Counter(stored), f"{channel}: a command lost"
            messages = bot_messages(slack, channel)
            # One reply per stored command, no more: nothing lost, nothing posted twice.
            assert len(messages) == len(stored), channel
            keys = [stamped_key(m) for m in messages]
            assert len(set(keys)) == len(keys), f"{channel}: a message was posted twice"
            # In the order the outbox queued them.
            assert keys == [p.key for p in posts if p.channel == channel], channel
            # Every change produced exactly one plan, shown once with its buttons.
            changes = sorted(t for t in stored if t.startswith("scale "))
            assert sorted(p.text for p in plans if p.channel == channel) == changes, channel
            assert sum(has_approve_button(m) for m in messages) == len(changes), channel
        retaken = sum(e.epoch > 1 for e in events)
        print(f"{len(events)} commands, {len(posts)} messages, {retaken} taken over")
    finally:
        store.dispose()


def test_a_leader_killed_mid_way_loses_nothing_and_doubles_nothing(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], slack: SlackSandbox, postgres_url: str
) -> None:
    assert postgres_url.startswith("postgresql://")  # as the README writes it
    env = kuber_env(tmp_path, clusters, slack, postgres_url)
    answered: dict[str, list[str]] = {channel: [] for channel in CHANNELS}
    with replicas({"a": env, "b": env}, tmp_path) as running:
        a, b = running["a"], running["b"]
        eventually(lambda: a.leads() or b.leads())
        leader, survivor = (a, b) if a.leads() else (b, a)

        # Both replicas take commands, every other one each; about a third of the way in,
        # the leader is killed, with commands in flight, in its workers and in its outbox.
        def kill_mid_way() -> None:
            eventually(lambda: sum(map(len, answered.values())) >= 150, timeout=120)
            leader.kill()

        killer = threading.Thread(target=kill_mid_way)
        killer.start()
        send_all(slack, lambda n: [(a, b)[n % 2], (b, a)[n % 2]], 0, COMMANDS_PER_CHANNEL, answered)
        killer.join()
        assert leader.process.poll() is not None
        eventually(survivor.leads, timeout=60)
        assert_delivered_exactly_once(slack, postgres_url, answered)


def test_a_leader_that_cannot_renew_its_lease_hands_over_and_nothing_is_doubled(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], slack: SlackSandbox, postgres_url: str
) -> None:
    open_store(postgres_url).dispose()  # the schema, made by the administrator
    tag = uuid.uuid4().hex[:8]
    answered: dict[str, list[str]] = {channel: [] for channel in CHANNELS}
    with (
        database_role(postgres_url, f"kuber_a_{tag}") as url_a,
        database_role(postgres_url, f"kuber_b_{tag}") as url_b,
        replicas(
            {
                "a": kuber_env(tmp_path, clusters, slack, url_a),
                "b": kuber_env(tmp_path, clusters, slack, url_b),
            },
            tmp_path,
        ) as running,
    ):
        a, b = running["a"], running["b"]
        eventually(lambda: a.leads() or b.leads())
        leader, other = (a, b) if a.leads() else (b, a)
        role = f"kuber_{leader.name}_{tag}"
        both = lambda n: [(a, b)[n % 2], (b, a)[n % 2]]  # noqa: E731
        send_all(slack, both, 0, 8, answered)
        grant(postgres_url, f'REVOKE UPDATE ON leader_lease FROM "{role}"')
        # The leader keeps running and taking commands, but cannot renew: the other replica
        # takes the lease over once it runs out, while commands keep coming to both.
        send_all(slack, both, 8, 16, answered)
        eventually(other.leads, timeout=60)
        assert leader.readiness() is not None
        assert not leader.leads()
        grant(postgres_url, f'GRANT UPDATE ON leader_lease TO "{role}"')
        send_all(slack, both, 16, COMMANDS_PER_CHANNEL, answered)
        assert_delivered_exactly_once(slack, postgres_url, answered)
