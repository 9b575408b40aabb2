"""Replicas starting together all migrate one PostgreSQL database: the advisory lock in
`bot.store.migrate.upgrade` makes them take turns, so none fails on a table another created."""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.store.migrate import current_revision, head_revision

ROOT = Path(__file__).resolve().parents[2]
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
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{number}" for number in range(REPLICAS)]
    processes = [
        subprocess.Popen(
            [sys.executable, "-c", MIGRATE, str(flag), str(go), postgres_url],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for flag in ready
    ]
    try:
        while not all(flag.exists() for flag in ready):
            exited = [p for p in processes if p.poll() is not None]
            assert not exited, exited[0].communicate()[1]
            time.sleep(0.02)
        go.touch()
        errors = [p.communicate()[1] for p in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()

    failures = [err for p, err in zip(processes, errors, strict=True) if p.returncode != 0]
    assert failures == [], failures[0][-3000:]
    assert current_revision(postgres_url) == head_revision()
