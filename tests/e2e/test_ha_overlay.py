"""Kuber's own manifests on a cluster: every overlay renders with `kubectl kustomize`, and the
`ha` overlay, applied with the real kubectl and its default validation to a sandbox cluster,
rolls out, restarts and rolls out again with every replica ready.

What the overlay needs first (its namespace and the Secret its pods read) is found in the
rendered objects, so the test follows the overlay as it changes instead of restating it.
"""

from __future__ import annotations

import itertools
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import kubernetes
import pytest
import yaml

from sandbox.kubeconfig import write_kubeconfig
from sandbox.kubernetes import KubernetesSandbox
from tests.sandboxes import eventually

Obj = dict[str, Any]
Kubectl = Callable[..., subprocess.CompletedProcess[str]]

OVERLAYS = Path(__file__).resolve().parents[2] / "deploy/kustomize/overlays"
#: Found by listing the folder, so a new overlay is rendered without editing this file.
OVERLAY_NAMES = sorted(p.name for p in OVERLAYS.iterdir() if (p / "kustomization.yaml").is_file())
HA = OVERLAYS / "ha"

pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


def _kubectl(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    # No deadline of its own: pytest-timeout ends a run that hangs.
    return subprocess.run(["kubectl", *args], capture_output=True, text=True, env=env, check=False)


def render(overlay: Path) -> list[Obj]:
    built = _kubectl("kustomize", str(overlay))
    assert built.returncode == 0, f"{overlay.name}: {built.stderr}"
    return [doc for doc in yaml.safe_load_all(built.stdout) if doc]


@pytest.fixture
def cluster() -> Iterator[KubernetesSandbox]:
    server = KubernetesSandbox(pod_start_delay=0.05, tick=0.02).start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def kubeconfig(cluster: KubernetesSandbox, tmp_path: Path) -> Path:
    return write_kubeconfig(tmp_path / "kubeconfig", {"sandbox": cluster.url})


@pytest.fixture
def kubectl(kubeconfig: Path, tmp_path: Path) -> Kubectl:
    """The real kubectl against the sandbox, with a fresh cache per run as its dispatcher needs."""
    runs = itertools.count()

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        env = {
            **os.environ,
            "KUBECONFIG": str(kubeconfig),
            "KUBECACHEDIR": str(tmp_path / f"kube-cache-{next(runs)}"),
        }
        result = _kubectl(*args, env=env)
        assert result.returncode == 0, f"kubectl {' '.join(args)}\n{result.stdout}\n{result.stderr}"
        return result

    return run


@pytest.fixture
def core(kubeconfig: Path) -> Iterator[kubernetes.client.CoreV1Api]:
    api = kubernetes.config.new_client_from_config(config_file=str(kubeconfig))
    try:
        yield kubernetes.client.CoreV1Api(api)
    finally:
        api.close()


def the_deployment(objs: list[Obj]) -> Obj:
    found = [obj for obj in objs if obj["kind"] == "Deployment"]
    assert len(found) == 1, f"expected one Deployment, found {len(found)}"
    return found[0]


def secrets_read(deployment: Obj) -> dict[str, set[str]]:
    """The Secrets the pods cannot start without, each with the keys they name."""
    needed: dict[str, set[str]] = {}
    for container in deployment["spec"]["template"]["spec"]["containers"]:
        for source in container.get("envFrom") or []:
            ref = source.get("secretRef")
            if ref and not ref.get("optional"):
                needed.setdefault(ref["name"], set())
        for variable in container.get("env") or []:
            ref = (variable.get("valueFrom") or {}).get("secretKeyRef")
            if ref and not ref.get("optional"):
                needed.setdefault(ref["name"], set()).add(ref["key"])
    return needed


def prerequisites(objs: list[Obj], existing: set[str]) -> list[Obj]:
    """What the overlay's header says to create first: its namespaces (those the cluster lacks)
    and its Secrets."""
    deployment = the_deployment(objs)
    used = {obj["metadata"]["namespace"] for obj in objs if "namespace" in obj["metadata"]}
    first: list[Obj] = [
        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": name}}
        for name in sorted(used - existing)
    ]
    for name, keys in sorted(secrets_read(deployment).items()):
        values = dict.fromkeys(keys, "sandbox")
        if "KUBER_DATABASE_URL" in values:
            values["KUBER_DATABASE_URL"] = "postgresql://kuber:sandbox@postgres.example:5432/kuber"
        first.append(
            {
                "apiVersion": "v1",
                "kind": "Secret",
                "metadata": {"name": name, "namespace": deployment["metadata"]["namespace"]},
                "stringData": values,
            }
        )
    return first


def namespaces(core: kubernetes.client.CoreV1Api) -> set[str]:
    return {n.metadata.name for n in core.list_namespace().items}


@pytest.mark.parametrize("overlay", OVERLAY_NAMES)
def test_every_overlay_renders(overlay: str) -> None:
    objs = render(OVERLAYS / overlay)
    assert objs
    for obj in objs:
        assert obj["apiVersion"]
        assert obj["kind"]
        assert obj["metadata"]["name"]


def test_the_ha_overlay_rolls_out_restarts_and_rolls_out_again(
    kubectl: Kubectl, core: kubernetes.client.CoreV1Api, cluster: KubernetesSandbox, tmp_path: Path
) -> None:
    objs = render(HA)
    deployment = the_deployment(objs)
    name, namespace = deployment["metadata"]["name"], deployment["metadata"]["namespace"]
    replicas = deployment["spec"]["replicas"]
    first = tmp_path / "first.yaml"
    first.write_text(yaml.safe_dump_all(prerequisites(objs, namespaces(core))))
    kubectl("apply", "-f", str(first))

    applied = kubectl("apply", "-k", str(HA)).stdout  # default validation: no --validate=false
    assert f"deployment.apps/{name} created" in applied
    found = kubectl("get", "-k", str(HA), "-o", "name").stdout.split()
    assert len(found) == len(objs)  # every object of the overlay is there
    rolled_out = kubectl("rollout", "status", f"deployment/{name}", "-n", namespace).stdout
    assert f'deployment "{name}" successfully rolled out' in rolled_out
    before = {p.metadata.name for p in core.list_namespaced_pod(namespace).items}
    assert len(before) == replicas

    restarted = kubectl("rollout", "restart", f"deployment/{name}", "-n", namespace).stdout
    assert f"deployment.apps/{name} restarted" in restarted
    status = kubectl("rollout", "status", f"deployment/{name}", "-n", namespace).stdout
    assert f'deployment "{name}" successfully rolled out' in status

    # rollout status is done once the new pods are available; the old ones then go.
    def replaced() -> list[Any]:
        pods = core.list_namespaced_pod(namespace).items
        return (
            pods if len(pods) == replicas and not {p.metadata.name for p in pods} & before else []
        )

    pods = eventually(replaced, timeout=120)
    assert all(p.status.container_statuses[0].ready for p in pods)
    assert all("kubectl.kubernetes.io/restartedAt" in p.metadata.annotations for p in pods)
    summary = next(d for d in cluster.state()["deployments"] if d["name"] == name)
    assert (summary["ready"], summary["updated"], summary["available"]) == (replicas,) * 3
    assert summary["revision"] == 2

    # Applying again creates nothing and keeps the restart (its annotation is not the file's).
    # A PodDisruptionBudget always reads "configured": its selector's patch strategy is replace.
    again = kubectl("apply", "-k", str(HA)).stdout
    assert f"deployment.apps/{name} unchanged" in again
    assert "created" not in again
    assert next(d for d in cluster.state()["deployments"] if d["name"] == name)["revision"] == 2


def test_the_ha_pods_wait_for_their_secret(
    kubectl: Kubectl, core: kubernetes.client.CoreV1Api, tmp_path: Path
) -> None:
    objs = render(HA)
    deployment = the_deployment(objs)
    name, namespace = deployment["metadata"]["name"], deployment["metadata"]["namespace"]
    first = prerequisites(objs, namespaces(core))
    created = tmp_path / "namespaces.yaml"
    created.write_text(yaml.safe_dump_all([o for o in first if o["kind"] == "Namespace"]))
    kubectl("apply", "-f", str(created))
    kubectl("apply", "-k", str(HA))

    def waiting() -> set[str]:
        pods = core.list_namespaced_pod(namespace).items
        reasons = {
            (s.state.waiting.reason, s.state.waiting.message)
            for p in pods
            for s in p.status.container_statuses or []
            if s.state.waiting
        }
        return {message for reason, message in reasons if reason == "CreateContainerConfigError"}

    held = eventually(waiting, timeout=120)
    assert held <= {f'secret "{secret}" not found' for secret in secrets_read(deployment)}
    secrets = tmp_path / "secrets.yaml"
    secrets.write_text(yaml.safe_dump_all([o for o in first if o["kind"] == "Secret"]))
    kubectl("apply", "-f", str(secrets))
    status = kubectl("rollout", "status", f"deployment/{name}", "-n", namespace).stdout
    assert f'deployment "{name}" successfully rolled out' in status
