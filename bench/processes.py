"""What the server benchmarks run: `kuber serve` as a real process (the installed `kuber`
script, as tests/e2e/replicas.py starts it), the bare endpoint beside it, a fresh PostgreSQL
database per run, and the peak memory of a process read from /proc.

Only loopback, only databases this module created (each dropped afterwards, never a table
in the administrator's own database). It measures nothing but memory; the bench scripts time.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import sqlalchemy as sa

BENCH = Path(__file__).resolve().parent
KUBER = Path(sys.executable).with_name("kuber")
POSTGRES_ADMIN_URL = os.environ.get(
    "KUBER_BENCH_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def clean_environment(extra: Mapping[str, str]) -> dict[str, str]:
    """This process's environment without any KUBER_* of the caller's, plus `extra`."""
    kept = {k: v for k, v in os.environ.items() if not k.startswith("KUBER_") and k != "KUBECONFIG"}
    return {**kept, **extra}


def wait_until(check: Any, timeout: float, what: str, interval: float = 0.05) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise TimeoutError(f"{what}: not within {timeout:.0f} s")
        time.sleep(interval)


@dataclass
class Served:
    """A server process on loopback: its URL, its log, and its memory as sampled."""

    name: str
    process: subprocess.Popen[bytes]
    url: str
    log: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def readiness(self) -> dict[str, Any] | None:
        try:
            response = httpx.get(self.url + "/readyz", timeout=5)
        except httpx.TransportError:
            return None
        return dict(response.json()) if response.status_code == 200 else None

    def alive_or_raise(self) -> None:
        if self.process.poll() is not None:
            tail = self.log.read_text(errors="replace")[-3000:]
            raise RuntimeError(f"{self.name} exited ({self.process.returncode}):\n{tail}")

    def stop(self, *, graceful: bool = True) -> None:
        """SIGTERM and up to 30 s for a graceful stop; SIGKILL when not graceful or too slow
        (a server whose database is thrown away after the run need not hand anything back)."""
        if self.process.poll() is not None:
            return
        self.process.send_signal(signal.SIGTERM if graceful else signal.SIGKILL)
        try:
            self.process.wait(timeout=30 if graceful else 10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def _start(name: str, command: list[str], env: Mapping[str, str], logs: Path, port: int) -> Served:
    log = logs / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(command, env=dict(env), stdout=out, stderr=subprocess.STDOUT)
    return Served(name, process, f"http://127.0.0.1:{port}", log)


@contextmanager
def kuber_serve(
    name: str, env: Mapping[str, str], logs: Path, *, lead: bool = True
) -> Iterator[Served]:
    """`kuber serve` with `env` (merged over a clean environment), ready before yielding;
    with `lead`, also the leader (the one that renders and sends)."""
    port = free_port()
    command = [str(KUBER), "serve", "--host", "127.0.0.1", "--port", str(port)]
    served = _start(name, command, clean_environment(env), logs, port)
    try:

        def ready() -> bool:
            served.alive_or_raise()
            state = served.readiness()
            return state is not None and (bool(state.get("leader")) or not lead)

        wait_until(ready, 90, f"{name} ready")
        yield served
    finally:
        served.stop(graceful=False)


@contextmanager
def bare_endpoint(logs: Path) -> Iterator[Served]:
    port = free_port()
    command = [sys.executable, str(BENCH / "bare_endpoint.py"), "--port", str(port)]
    served = _start("bare-endpoint", command, clean_environment({}), logs, port)
    try:

        def up() -> bool:
            served.alive_or_raise()
            try:
                return httpx.get(served.url + "/healthz", timeout=2).status_code == 200
            except httpx.TransportError:
                return False

        wait_until(up, 30, "bare endpoint up")
        yield served
    finally:
        served.stop()


def postgres_reachable() -> str | None:
    """None when the administrator's URL answers, else why not."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL)
    try:
        with admin.connect() as connection:
            connection.execute(sa.text("SELECT 1"))
    except sa.exc.SQLAlchemyError as exc:
        return f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {exc.__class__.__name__}"
    finally:
        admin.dispose()
    return None


@contextmanager
def postgres_database(prefix: str = "kuber_bench") -> Iterator[str]:
    """A fresh, empty database for one run (Kuber migrates it), dropped afterwards."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    name = f"{prefix}_{uuid.uuid4().hex[:10]}"
    try:
        with admin.connect() as connection:
            connection.execute(sa.text(f'CREATE DATABASE "{name}"'))
        url = sa.engine.make_url(POSTGRES_ADMIN_URL).set(database=name)
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def _status_kb(pid: int, field: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except (OSError, ValueError):
        pass
    return 0


class PeakMemory:
    """Samples a process's resident memory (VmRSS) from /proc every `interval` seconds, and
    reads the kernel's own high-water mark (VmHWM), which misses no short peak between
    samples. `peak_mb` is the larger of the two."""

    def __init__(self, pid: int, interval: float = 0.05) -> None:
        self.pid = pid
        self.interval = interval
        self.sampled_kb = 0
        self.high_water_kb = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, name="peak-memory", daemon=True)

    def __enter__(self) -> PeakMemory:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._read()

    def _read(self) -> None:
        self.sampled_kb = max(self.sampled_kb, _status_kb(self.pid, "VmRSS"))
        self.high_water_kb = max(self.high_water_kb, _status_kb(self.pid, "VmHWM"))

    def _run(self) -> None:
        while not self._stop.is_set():
            self._read()
            self._stop.wait(self.interval)

    @property
    def peak_mb(self) -> float:
        return max(self.sampled_kb, self.high_water_kb) / 1024


def run_load(job: dict[str, Any], workdir: Path) -> dict[str, Any]:
    """Run the load generator (bench/storm_load.py) in its own process; what it saw."""
    tag = uuid.uuid4().hex[:8]
    job_path, out_path = workdir / f"job-{tag}.json", workdir / f"out-{tag}.json"
    job_path.write_text(json.dumps(job), encoding="utf-8")
    subprocess.run(
        [sys.executable, str(BENCH / "storm_load.py"), str(job_path), str(out_path)],
        check=True,
        env=clean_environment({}),
    )
    outcome: dict[str, Any] = json.loads(out_path.read_text(encoding="utf-8"))
    job_path.unlink()
    out_path.unlink()
    return outcome


def percentile(samples: list[float], fraction: float) -> float:
    if not samples:
        return float("nan")
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(fraction * len(ordered)))]
