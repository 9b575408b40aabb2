"""Helpers shared by the test tiers: a Kuber environment pointed at Kubernetes sandboxes,
and a wait for something a background worker will do."""

from __future__ import annotations

import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import yaml

from sandbox.kubeconfig import write_kubeconfig
from sandbox.kubernetes import KubernetesSandbox
from sandbox.launcher import kuber_yaml


def sandbox_env(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], **extra: str
) -> dict[str, str]:
    """KUBER_* variables for the sample team of `kuber sandbox`, against `clusters`."""
    kubeconfig = write_kubeconfig(
        tmp_path / "kubeconfig", {name: s.url for name, s in clusters.items()}, current="sandbox"
    )
    config = tmp_path / "kuber.yaml"
    config.write_text(yaml.safe_dump(kuber_yaml(), allow_unicode=True), encoding="utf-8")
    env = {
        "KUBECONFIG": str(kubeconfig),
        "KUBER_CONFIG": str(config),
        "KUBER_DATABASE_URL": f"sqlite:///{tmp_path / 'kuber.db'}",
        "KUBER_ROLLOUT_TIMEOUT": "20",
        "KUBER_LOG_LEVEL": "warning",
    }
    env.update(extra)
    return env


def eventually(check: Callable[[], Any], timeout: float = 20.0) -> Any:
    """Poll `check` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError("condition not met in time")
        time.sleep(0.05)
