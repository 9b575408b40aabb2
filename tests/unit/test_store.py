"""Storage on SQLite and on the real PostgreSQL: migrations from empty, and what they hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest
import sqlalchemy as sa
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from sqlmodel import SQLModel, select

from bot.store import open_store
from bot.store.engine import make_engine
from bot.store.migrate import current_revision, downgrade, head_revision, upgrade
from bot.store.tables import CommandRecord, PendingAction


def test_migrations_run_up_from_an_empty_database(database_url: str) -> None:
    assert current_revision(database_url) is None
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()
    engine = make_engine(database_url)
    tables = set(sa.inspect(engine).get_table_names())
    engine.dispose()
    assert {"command_record", "pending_action", "operation_lock", "channel_context"} <= tables


def test_migrations_match_the_models(database_url: str) -> None:
    """A model changed without a migration shows up here as a difference."""
    upgrade(database_url)
    engine = make_engine(database_url)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_downgrade_to_empty_and_up_again(database_url: str) -> None:
    upgrade(database_url)
    downgrade(database_url, "base")
    assert current_revision(database_url) is None
    upgrade(database_url)
    assert current_revision(database_url) == head_revision()


def test_timestamps_come_back_timezone_aware_in_utc(database_url: str) -> None:
    store = open_store(database_url)
    seoul = timezone(timedelta(hours=9))
    written_at = datetime(2026, 11, 20, 9, 30, tzinfo=seoul)
    with store.session() as session:
        session.add(
            CommandRecord(
                at=written_at,
                actor_id="U1",
                actor_name="alice",
                platform="slack",
                channel="C1",
                text="scale payment to 3",
                intent="scale",
                decision="planned",
            )
        )
    with store.session() as session:
        record = session.exec(select(CommandRecord)).one()
    store.dispose()
    assert record.at == written_at
    assert record.at.tzinfo is not None
    assert record.at.utcoffset() == timedelta(0)


def test_naive_timestamps_are_refused(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    pending = PendingAction(
        id="p1",
        expires_at=datetime(2026, 1, 1),  # naive: where in the world is that?
        platform="console",
        channel="c",
        requested_by_id="a",
        requested_by_name="a",
        text="t",
        action="scale",
        target="x",
    )
    with pytest.raises(sa.exc.StatementError, match="timezone"), store.session() as session:
        session.add(pending)
    store.dispose()


def test_json_columns_round_trip(database_url: str) -> None:
    store = open_store(database_url)
    params = {"app": "payment", "replicas": 3, "note": "결제 서비스"}
    with store.session() as session:
        session.add(
            PendingAction(
                id="p2",
                expires_at=datetime.now(UTC) + timedelta(minutes=5),
                platform="console",
                channel="c",
                requested_by_id="a",
                requested_by_name="a",
                text="scale payment to 3",
                action="scale",
                params=params,
                target="sandbox/default/payment",
            )
        )
    with store.session() as session:
        loaded = session.get(PendingAction, "p2")
    store.dispose()
    assert loaded is not None
    assert loaded.params == params
    assert loaded.status == "pending"
