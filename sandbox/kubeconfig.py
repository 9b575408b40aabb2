"""Write a kubeconfig that points kubectl and the python client at local sandbox clusters.

One cluster and one context per entry, named alike, with an empty user: the sandbox speaks plain
http and asks for no credentials, so this file must never carry a secret.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Any

import yaml


def write_kubeconfig(
    path: Path,
    clusters: Mapping[str, str],
    current: str | None = None,
    user: str = "kuber",
) -> Path:
    """Write `clusters` (name -> server URL) to `path` and return it."""
    if not clusters:
        raise ValueError("a kubeconfig needs at least one cluster")
    if current is not None and current not in clusters:
        raise ValueError(f"current context {current!r} is not one of {sorted(clusters)}")
    config: dict[str, Any] = {
        "apiVersion": "v1",
        "kind": "Config",
        "preferences": {},
        "clusters": [
            {"name": name, "cluster": {"server": server}} for name, server in clusters.items()
        ],
        "users": [{"name": user, "user": {}}],
        "contexts": [
            {"name": name, "context": {"cluster": name, "user": user, "namespace": "default"}}
            for name in clusters
        ],
        "current-context": current or next(iter(clusters)),
    }
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(yaml.safe_dump(config, sort_keys=False), encoding="utf-8")
    # kubectl warns about group- or world-readable kubeconfigs; keep it private like ~/.kube/config
    path.chmod(0o600)
    return path
