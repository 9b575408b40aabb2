"""Replicas starting together all migrate one PostgreSQL database: the advisory lock in
`bot.store.migrate.upgrade` makes them take turns, so none fails on a table another created."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from bot.store.migrate import current_revision, head_revision
from tests.processes import run_together

#: Enough processes that, without the lock, two of them reach the same DDL together.
REPLICAS = 4

#: Each process imports everything first, says it is ready, then waits for the start signal,
#: so the migrations begin together rather than one import time apart.
MIGRATE = """
import sys, time
from pathlib import Path
from bot.store.migrate import upgrade
ready, go, url = Path(sys.argv[1]), Path(sys.argv[2]), sys.argv[3]
ready.touch()
while not go.exists():
    time.sleep(0.005)
upgrade(url)
"""


@pytest.mark.postgres
def test_replicas_migrating_one_database_at_once_all_succeed(
    postgres_url: str, tmp_path: Path
) -> None:
    finished = run_together(
        REPLICAS,
        lambda _n, flag, go: [sys.executable, "-c", MIGRATE, str(flag), str(go), postgres_url],
        tmp_path,
    )
    failures = [err for code, err in finished if code != 0]
    assert failures == [], failures[0][-3000:]
    assert current_revision(postgres_url) == head_revision()
