"""The audit log's hash chain on SQLite and on the real PostgreSQL: concurrent writers never
fork it, and `kuber audit verify`, run as a person would, names the first row that an edit,
a deletion or a reordering made directly in the database broke. Also `kuber audit` itself."""

from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
import yaml
from sqlmodel import col, select

from bot.audit import Attempt, set_secrets
from bot.audit_chain import GENESIS, append, canonical, row_hash, verify
from bot.audit_log import parse_since, recent_changes
from bot.messages import Actor
from bot.store import Store, open_store
from bot.store.migrate import upgrade
from bot.store.tables import CommandRecord
from tests.processes import run_together

ROOT = Path(__file__).resolve().parents[2]
KUBER = Path(sys.executable).with_name("kuber")
#: Rows each concurrent writer appends.
WRITES = 40

#: A separate writer process: imports and opens everything, says it is ready, waits for the
#: start signal, then appends its rows through the product's own audit path.
WRITER = """
import sys, time
from pathlib import Path
from bot.audit import Attempt
from bot.messages import Actor
from bot.store import open_store
ready, go, url, name = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3], sys.argv[4]
count = int(sys.argv[5])
store = open_store(url, migrate=False)
ready.touch()
while not go.exists():
    time.sleep(0.005)
for number in range(count):
    Attempt("console", "console", Actor(name, name), f"status {number}", intent="status").finish(
        store, "answered", result="ok"
    )
store.dispose()
"""


@pytest.fixture
def store(database_url: str) -> Iterator[Store]:
    opened = open_store(database_url)
    yield opened
    opened.dispose()


def record(
    text: str,
    *,
    at: datetime | None = None,
    actor: str = "alice",
    target: str | None = None,
    decision: str = "answered",
    intent: str = "status",
) -> CommandRecord:
    return CommandRecord(
        at=at or datetime.now(UTC),
        actor_id=f"U-{actor}",
        actor_name=actor,
        platform="slack",
        channel="C0PAY",
        text=text,
        intent=intent,
        target=target,
        decision=decision,
    )


def write(store: Store, count: int) -> None:
    for number in range(count):
        append(store, record(f"status {number}"))


def kuber(url: str, *args: str, config: Path | None = None) -> subprocess.CompletedProcess[str]:
    """`kuber ARGS` in a fresh process, configured only by the environment, as a person runs it."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("KUBER_")}
    env["KUBER_DATABASE_URL"] = url
    env["KUBER_LOG_LEVEL"] = "warning"
    if config is not None:
        env["KUBER_CONFIG"] = str(config)
    command = [str(KUBER)] if KUBER.exists() else [sys.executable, "-m", "bot.cli"]
    return subprocess.run(
        [*command, *args], env=env, cwd=ROOT, capture_output=True, text=True, check=False
    )


def execute(url: str, *statements: str) -> None:
    """Change the database behind Kuber's back, as someone with database access could."""
    engine = sa.create_engine(url)
    try:
        with engine.begin() as connection:
            for statement in statements:
                connection.execute(sa.text(statement))
    finally:
        engine.dispose()


def hashes(store: Store) -> list[tuple[int, str | None, str | None]]:
    with store.session() as session:
        rows = session.exec(select(CommandRecord).order_by(col(CommandRecord.id))).all()
    return [(r.id or 0, r.prev_hash, r.hash) for r in rows]


# -- the hash ---------------------------------------------------------------------------------
def test_the_hash_covers_a_canonical_json_of_the_row_and_its_predecessor() -> None:
    seoul = timezone(timedelta(hours=9))
    row = record("scale payment to 3", at=datetime(2026, 11, 20, 9, 30, 0, 5, tzinfo=seoul))
    row.prev_hash = GENESIS
    text = canonical(row).decode("utf-8")
    content = json.loads(text)
    assert list(content) == sorted(content)
    assert " " not in text.replace("scale payment to 3", "")
    assert content["at"] == "2026-11-20T00:30:00.000005Z"
    assert content["target"] is None
    assert '"target":null' in text  # nulls are written, not left out
    assert content["prev_hash"] == GENESIS
    assert "id" not in content
    assert "hash" not in content
    first = row_hash(row)
    row.prev_hash = "1" * 64
    assert row_hash(row) != first


def test_rows_written_through_the_audit_path_form_one_chain(store: Store) -> None:
    write(store, 3)
    chain = hashes(store)
    assert chain[0][1] == GENESIS
    assert [prev for _, prev, _ in chain[1:]] == [digest for _, _, digest in chain[:-1]]
    check = verify(store)
    assert check.intact
    assert check.rows == 3
    assert check.head == chain[-1][2]


def test_secrets_are_redacted_before_they_are_hashed(store: Store) -> None:
    set_secrets(["xoxb-very-secret-token"])
    try:
        Attempt("slack", "C1", Actor("U1", "alice"), "use xoxb-very-secret-token now").finish(
            store, "failed", error="401 for xoxb-very-secret-token"
        )
    finally:
        set_secrets([])
    with store.session() as session:
        row = session.exec(select(CommandRecord)).one()
    assert row.text == "use [redacted] now"
    assert row.error == "401 for [redacted]"
    assert b"very-secret" not in canonical(row)
    assert verify(store).intact


# -- concurrent writers -----------------------------------------------------------------------
def test_writers_in_threads_with_their_own_stores_never_fork_the_chain(database_url: str) -> None:
    upgrade(database_url)
    stores = [open_store(database_url, migrate=False) for _ in range(2)]
    start = threading.Barrier(len(stores))
    failures: list[BaseException] = []

    def writer(own: Store) -> None:
        try:
            start.wait()
            write(own, WRITES)
        except BaseException as exc:  # reported by the test, not lost in the thread
            failures.append(exc)

    threads = [threading.Thread(target=writer, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    for own in stores:
        own.dispose()
    assert failures == []
    result = kuber(database_url, "audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"audit log intact: {2 * WRITES} rows")


def test_writer_processes_never_fork_the_chain(database_url: str, tmp_path: Path) -> None:
    upgrade(database_url)
    finished = run_together(
        2,
        lambda n, flag, go: [
            *(sys.executable, "-c", WRITER, str(flag), str(go)),
            *(database_url, f"p{n}", str(WRITES)),
        ],
        tmp_path,
    )
    assert [code for code, _ in finished] == [0, 0], [err for _, err in finished]
    result = kuber(database_url, "audit", "verify")
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.startswith(f"audit log intact: {2 * WRITES} rows")


# -- tampering, found by `kuber audit verify` ------------------------------------------------
@pytest.mark.parametrize(
    ("tamper", "named"),
    [
        pytest.param(["UPDATE command_record SET decision = 'refused' WHERE id = 3"], 3, id="edit"),
        pytest.param(
            ["UPDATE command_record SET actor_name = 'mallory' WHERE id = 2"], 2, id="edit-actor"
        ),
        pytest.param(
            ["UPDATE command_record SET at = '2026-01-01 00:00:00' WHERE id = 4"],
            4,
            id="edit-time",
        ),
        pytest.param(
            ["UPDATE command_record SET target = 'prod/default/payment' WHERE id = 5"],
            5,
            id="edit-null",
        ),
        pytest.param(
            ["UPDATE command_record SET hash = '" + "a" * 64 + "' WHERE id = 4"],
            4,
            id="edit-hash",
        ),
        pytest.param(["DELETE FROM command_record WHERE id = 3"], 4, id="delete"),
        pytest.param(
            [
                "UPDATE command_record SET id = -1 WHERE id = 2",
                "UPDATE command_record SET id = 2 WHERE id = 3",
                "UPDATE command_record SET id = 3 WHERE id = -1",
            ],
            2,
            id="swap",
        ),
    ],
)
def test_verify_names_the_first_row_that_does_not_match(
    database_url: str, store: Store, tamper: list[str], named: int
) -> None:
    write(store, 6)
    assert verify(store).intact
    execute(database_url, *tamper)
    result = kuber(database_url, "audit", "verify")
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.startswith(f"audit log broken at row {named}:"), result.stdout
    assert len(result.stdout.strip().splitlines()) == 1


def test_a_deleted_first_row_is_found_unless_retention_removes_old_rows(
    sqlite_url: str, tmp_path: Path
) -> None:
    store = open_store(sqlite_url)
    write(store, 3)
    store.dispose()
    execute(sqlite_url, "DELETE FROM command_record WHERE id = 1")
    result = kuber(sqlite_url, "audit", "verify")
    assert result.returncode == 1
    assert result.stdout.startswith("audit log broken at row 2: the rows before it are missing")
    config = tmp_path / "kuber.yaml"
    config.write_text(yaml.safe_dump({"retention": {"audit_days": 30}}), encoding="utf-8")
    result = kuber(sqlite_url, "audit", "verify", config=config)
    assert result.returncode == 0, result.stdout
    assert "older rows were removed by retention" in result.stdout


def test_rows_cut_from_the_end_are_found_against_a_recorded_head(sqlite_url: str) -> None:
    store = open_store(sqlite_url)
    write(store, 4)
    store.dispose()
    head = kuber(sqlite_url, "audit", "verify").stdout.split("head ")[-1].strip()
    assert len(head) == 64
    assert kuber(sqlite_url, "audit", "verify", "--expect", head).returncode == 0
    execute(sqlite_url, "DELETE FROM command_record WHERE id = 4")
    result = kuber(sqlite_url, "audit", "verify", "--expect", head)
    assert result.returncode == 1
    assert "is no longer in the log" in result.stdout


def test_a_row_written_around_the_chain_is_reported(store: Store) -> None:
    write(store, 2)
    with store.session() as session:
        session.add(record("slipped in"))
    check = verify(store)
    assert not check.intact
    assert check.broken_at == 3
    assert "no hash" in (check.problem or "")


def test_the_migration_chains_the_rows_written_before_it(database_url: str) -> None:
    upgrade(database_url, "0005")
    engine = sa.create_engine(database_url)
    with engine.begin() as connection:
        for number in range(3):
            connection.execute(
                sa.text(
                    "INSERT INTO command_record (at, actor_id, actor_name, platform, channel, "
                    "text, intent, decision, duration_ms) VALUES (:at, 'U1', 'alice', 'slack', "
                    "'C1', :text, 'status', 'answered', 7)"
                ),
                {"at": datetime(2026, 11, 1, 12, number, tzinfo=UTC), "text": f"old {number}"},
            )
    engine.dispose()
    store = open_store(database_url)  # migrates to head
    try:
        write(store, 1)
        check = verify(store)
        assert check.intact, check.summary()
        assert check.rows == 4
        with store.session() as session:
            rows = session.exec(select(CommandRecord).order_by(col(CommandRecord.id))).all()
        assert rows[0].prev_hash == GENESIS
        assert all(row_hash(r) == r.hash for r in rows)
    finally:
        store.dispose()


# -- `kuber audit` -----------------------------------------------------------------------------
def test_since_takes_durations() -> None:
    assert parse_since("30m") == timedelta(minutes=30)
    assert parse_since("24h") == timedelta(hours=24)
    assert parse_since("7d") == timedelta(days=7)
    assert parse_since("1h30m") == timedelta(minutes=90)
    for wrong in ("", "yesterday", "24", "h24", "3x"):
        with pytest.raises(ValueError, match="duration"):
            parse_since(wrong)


@pytest.fixture
def populated(database_url: str, tmp_path: Path) -> tuple[str, Path]:
    """A log with an old change, recent changes by two people, and a read; and a kuber.yaml
    whose `payment` app runs as the Deployment `payment-api`."""
    store = open_store(database_url)
    now = datetime.now(UTC)
    rows = [
        record("scale cart to 1", at=now - timedelta(days=3), target="sandbox/default/cart"),
        record(
            "scale payment to 3",
            at=now - timedelta(hours=2),
            target="sandbox/default/payment-api",
            intent="scale",
            decision="planned",
        ),
        record(
            "approve: scale payment to 3",
            at=now - timedelta(hours=2),
            actor="bob",
            target="sandbox/default/payment-api",
            intent="scale",
            decision="executed",
        ),
        record("status", at=now - timedelta(minutes=5), actor="carol"),
        record("restart cart", at=now - timedelta(minutes=1), target="sandbox/default/cart"),
    ]
    for row in rows:
        append(store, row)
    store.dispose()
    config = tmp_path / "kuber.yaml"
    config.write_text(
        yaml.safe_dump({"apps": [{"name": "payment", "deployment": "payment-api"}]}),
        encoding="utf-8",
    )
    return database_url, config


def test_audit_lists_the_last_day_newest_last_as_a_table(populated: tuple[str, Path]) -> None:
    url, config = populated
    result = kuber(url, "audit", config=config)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split() == [
        "TIME",
        "PERSON",
        "PLATFORM",
        "CHANNEL",
        "COMMAND",
        "INTENT",
        "TARGET",
        "DECISION",
        "RESULT",
    ]
    assert len(lines) == 5
    assert "scale payment to 3" in lines[1]
    assert "restart cart" in lines[-1]
    assert "scale cart to 1" not in result.stdout


def test_audit_json_filters_by_time_person_and_app(populated: tuple[str, Path]) -> None:
    url, config = populated

    def listed(*args: str) -> list[dict[str, Any]]:
        result = kuber(url, "audit", "--json", *args, config=config)
        assert result.returncode == 0, result.stderr
        return list(json.loads(result.stdout))

    everything = listed("--since", "7d")
    assert [r["command"] for r in everything] == [
        "scale cart to 1",
        "scale payment to 3",
        "approve: scale payment to 3",
        "status",
        "restart cart",
    ]
    assert [r["command"] for r in listed("--since", "30m")] == ["status", "restart cart"]
    assert [r["command"] for r in listed("--person", "BOB")] == ["approve: scale payment to 3"]
    payment = listed("--app", "payment")
    assert [(r["person"], r["decision"]) for r in payment] == [
        ("alice", "planned"),
        ("bob", "executed"),
    ]
    first = payment[0]
    assert first["target"] == "sandbox/default/payment-api"
    assert (first["platform"], first["channel"]) == ("slack", "C0PAY")
    assert (first["intent"], first["result"]) == ("scale", None)
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert [r["command"] for r in listed("--app", "cart", "--person", "U-alice")] == [
        "restart cart"
    ]


def test_audit_csv_has_a_header_and_one_line_per_record(populated: tuple[str, Path]) -> None:
    url, config = populated
    result = kuber(url, "audit", "--csv", "--app", "payment", config=config)
    assert result.returncode == 0, result.stderr
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    assert [(r["person"], r["command"], r["decision"]) for r in rows] == [
        ("alice", "scale payment to 3", "planned"),
        ("bob", "approve: scale payment to 3", "executed"),
    ]
    assert {"time", "platform", "channel", "intent", "target", "result"} <= set(rows[0])


def test_a_wrong_duration_is_refused_plainly(sqlite_url: str) -> None:
    result = kuber(sqlite_url, "audit", "--since", "yesterday")
    assert result.returncode == 2
    assert "--since" in result.stderr
    assert "30m" in result.stderr


def test_changes_to_no_apps_are_none(store: Store) -> None:
    append(store, record("restart cart", target="sandbox/default/cart", decision="planned"))
    since = datetime.now(UTC) - timedelta(days=1)
    assert recent_changes(store, since=since, targets=[]) == []
    assert [c.target for c in recent_changes(store, since=since, targets=["cart"])] == [
        "sandbox/default/cart"
    ]
    assert recent_changes(store, since=since, targets=["car"]) == []
