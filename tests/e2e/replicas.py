"""`kuber serve` replicas as real processes: started from the installed `kuber` script with an
environment, asked over HTTP whether they are ready and which one leads, and killed with
SIGKILL the way a node failure kills a pod."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

from tests.sandboxes import eventually

KUBER = Path(sys.executable).with_name("kuber")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class Replica:
    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    def readiness(self) -> dict[str, Any] | None:
        try:
            response = httpx.get(self.url + "/readyz", timeout=5)
        except httpx.TransportError:
            return None
        return dict(response.json()) if response.status_code == 200 else None

    def leads(self) -> bool:
        ready = self.readiness()
        return bool(ready and ready.get("leader"))

    def kill(self) -> None:
        """SIGKILL: no shutdown code runs, nothing is handed back."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait()

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()


@contextmanager
def replicas(
    environments: Mapping[str, Mapping[str, str]], logs: Path
) -> Iterator[dict[str, Replica]]:
    """Start one `kuber serve` process per named environment; all ready before yielding."""
    started: dict[str, Replica] = {}
    try:
        for name, env in environments.items():
            port = free_port()
            log = logs / f"{name}.log"
            with log.open("wb") as out:
                process = subprocess.Popen(
                    [str(KUBER), "serve", "--host", "127.0.0.1", "--port", str(port)],
                    env={**os.environ, **env},
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            started[name] = Replica(name, process, f"http://127.0.0.1:{port}", log)
        for replica in started.values():
            eventually(partial(_ready_or_dead, replica), timeout=60)
        yield started
    finally:
        for replica in started.values():
            replica.stop()


def _ready_or_dead(replica: Replica) -> bool:
    if replica.process.poll() is not None:
        raise AssertionError(f"{replica.name} exited:\n{replica.log.read_text()[-3000:]}")
    return replica.readiness() is not None


@contextmanager
def database_role(admin_url: str, name: str) -> Iterator[str]:
    """A login role with the rights Kuber needs on the (migrated) database: one per replica,
    so that a test can take a right away from one replica only."""
    admin = sa.create_engine(admin_url)
    with admin.begin() as connection:
        connection.execute(sa.text(f'CREATE ROLE "{name}" LOGIN'))
        connection.execute(sa.text(f'GRANT ALL ON ALL TABLES IN SCHEMA public TO "{name}"'))
        connection.execute(sa.text(f'GRANT ALL ON ALL SEQUENCES IN SCHEMA public TO "{name}"'))
    try:
        yield sa.engine.make_url(admin_url).set(username=name).render_as_string(hide_password=False)
    finally:
        with admin.begin() as connection:
            connection.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename = :name"
                ),
                {"name": name},
            )
            connection.execute(sa.text(f'DROP OWNED BY "{name}"'))
            connection.execute(sa.text(f'DROP ROLE "{name}"'))
        admin.dispose()
