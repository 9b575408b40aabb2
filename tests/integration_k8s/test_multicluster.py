"""Several clusters in one kubeconfig: each call goes to the cluster it names, and only there."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.errors import ConfigError
from integrations.kubernetes import DeploymentRef, KubernetesClusters
from sandbox.kubeconfig import write_kubeconfig
from sandbox.kubernetes import KubernetesSandbox

from .conftest import calls, start_sandbox


@pytest.fixture(scope="module")
def prod() -> Iterator[KubernetesSandbox]:
    server = start_sandbox("prod")
    yield server
    server.stop()


@pytest.fixture(scope="module")
def staging() -> Iterator[KubernetesSandbox]:
    server = start_sandbox("staging")
    yield server
    server.stop()


@pytest.fixture
def two_clusters(tmp_path: Path, prod: KubernetesSandbox, staging: KubernetesSandbox) -> Path:
    return write_kubeconfig(
        tmp_path / "config", {"prod": prod.url, "staging": staging.url}, current="staging"
    )


def patches(server: KubernetesSandbox) -> list[dict[str, object]]:
    return [c for c in calls(server) if c["method"] == "PATCH"]


def test_each_call_reaches_the_cluster_it_names(
    two_clusters: Path, prod: KubernetesSandbox, staging: KubernetesSandbox
) -> None:
    with KubernetesClusters(kubeconfig=str(two_clusters)) as clusters:
        assert clusters.names() == ("prod", "staging")
        clusters.scale(DeploymentRef("staging", "default", "payment"), 5)
        clusters.scale(DeploymentRef("prod", "default", "cart"), 3)

        assert [(c["name"], c["body"]) for c in patches(staging)] == [
            ("payment", {"spec": {"replicas": 5}})
        ]
        assert [(c["name"], c["body"]) for c in patches(prod)] == [
            ("cart", {"spec": {"replicas": 3}})
        ]
        assert clusters.get(DeploymentRef("staging", "default", "payment")).replicas == 5
        assert clusters.get(DeploymentRef("prod", "default", "payment")).replicas == 2


def test_clusters_can_be_renamed_and_narrowed(two_clusters: Path, prod: KubernetesSandbox) -> None:
    with KubernetesClusters(kubeconfig=str(two_clusters), contexts={"gke-tokyo": "prod"}) as c:
        assert c.names() == ("gke-tokyo",)
        before = len(calls(prod))
        state = c.get(DeploymentRef("gke-tokyo", "default", "auth"))
        assert state.ref.cluster == "gke-tokyo"
        assert len(calls(prod)) == before + 1


def test_a_missing_context_stops_start_up(two_clusters: Path) -> None:
    with pytest.raises(ConfigError, match="no context 'eks-seoul'"):
        KubernetesClusters(kubeconfig=str(two_clusters), contexts={"seoul": "eks-seoul"})


def test_a_missing_kubeconfig_stops_start_up(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="kubeconfig"):
        KubernetesClusters(kubeconfig=str(tmp_path / "absent"))
