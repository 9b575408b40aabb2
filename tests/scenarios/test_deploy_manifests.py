"""The shipped manifests build with kustomize, and the Role they grant covers every call
Kuber's commands make to the Kubernetes API (a missing verb is a 403 in production)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from bot.settings import load_config_file
from sandbox.kubernetes import KubernetesSandbox
from tests.scenarios.conftest import Chat

DEPLOY = Path(__file__).resolve().parents[2] / "deploy"
OVERLAY = DEPLOY / "kustomize/overlays/production"


def built() -> list[dict[str, Any]]:
    result = subprocess.run(
        ["kubectl", "kustomize", str(OVERLAY)], capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    return [doc for doc in yaml.safe_load_all(result.stdout) if doc]


pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


def test_the_overlay_builds_and_its_kuber_yaml_is_valid() -> None:
    kinds = {doc["kind"] for doc in built()}
    assert {"Deployment", "Service", "ServiceAccount", "ClusterRole", "ConfigMap"} <= kinds
    load_config_file(OVERLAY / "kuber.yaml")
    deployment = next(doc for doc in built() if doc["kind"] == "Deployment")
    container = deployment["spec"]["template"]["spec"]["containers"][0]
    assert container["readinessProbe"]["httpGet"]["path"] == "/readyz"
    assert container["image"] == "registry.example.com/platform/kuber:0.1.0"


def test_the_role_allows_every_call_the_commands_make(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    for text in (
        "status",
        "status of payment",
        "logs payment",
        "rollout history of payment",
        "scale payment to 3",
        "restart payment",
        "deploy payment 2.0.0",
        "rollback payment",
    ):
        chat.say(text)
    groups = {"deployments": "apps", "replicasets": "apps", "pods": "", "events": ""}
    granted = set()
    role = next(doc for doc in built() if doc["kind"] == "ClusterRole")
    for rule in role["rules"]:
        for group in rule["apiGroups"]:
            for resource in rule["resources"]:
                granted |= {(group, resource, verb) for verb in rule["verbs"]}
    used = set()
    for call in clusters["sandbox"].state_snapshot()["calls"]:
        if call.get("verb") and call.get("resource"):
            resource = str(call["resource"])
            used.add((groups[resource.split("/")[0]], resource, call["verb"]))
    assert used, "the commands made no Kubernetes calls"
    assert sorted(used - granted) == []
