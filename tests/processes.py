"""Several processes started to race each other: each signals it is ready (imports done) by
creating its flag file (argv[1] of the script), then waits for a shared start file (argv[2]),
so their real work begins at the same moment rather than one import time apart."""

from __future__ import annotations

import subprocess
import time
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def run_together(
    count: int, argv: Callable[[int, Path, Path], list[str]], tmp_path: Path
) -> list[tuple[int, str]]:
    """Start `count` processes (`argv(n, ready_flag, start_file)`), release them together
    once all are ready, and return each one's exit code and standard error."""
    go = tmp_path / "go"
    ready = [tmp_path / f"ready-{n}" for n in range(count)]
    processes = [
        subprocess.Popen(
            argv(n, flag, go),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=ROOT,
        )
        for n, flag in enumerate(ready)
    ]
    try:
        while not all(flag.exists() for flag in ready):
            exited = [p for p in processes if p.poll() is not None]
            assert not exited, exited[0].communicate()[1]
            time.sleep(0.02)  # polling the flags: the condition is the files, not the time
        go.touch()
        errors = [p.communicate()[1] for p in processes]
    finally:
        for process in processes:
            if process.poll() is None:
                process.kill()
                process.wait()
    return [(p.returncode, err) for p, err in zip(processes, errors, strict=True)]
