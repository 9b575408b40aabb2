"""The newcomer's path: `kuber sandbox` in one terminal, `kuber console --yes` in another,
and the real kubectl confirming what changed."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

KUBER = [sys.executable, "-m", "bot.cli"]


@pytest.fixture
def sandbox_env(tmp_path: Path) -> Iterator[dict[str, str]]:
    with subprocess.Popen(
        [*KUBER, "sandbox", "--dir", str(tmp_path / "sandbox")],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    ) as process:
        try:
            assert process.stdout is not None
            announced = json.loads(process.stdout.readline())
            env = {**os.environ, **announced["env"], "KUBER_LOG_LEVEL": "warning"}
            env["KUBECACHEDIR"] = str(tmp_path / "kubecache")
            yield env
        finally:
            process.terminate()
            process.wait(timeout=10)


def kuber(env: dict[str, str], text: str) -> list[dict[str, object]]:
    result = subprocess.run(
        [*KUBER, "console", "--yes", "--json", "--once", text],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return [json.loads(line) for line in result.stdout.splitlines() if line.strip()]


def kubectl(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        ["kubectl", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    return result.stdout


def payment_image(env: dict[str, str]) -> str:
    image = "jsonpath={.spec.template.spec.containers[0].image}"
    return kubectl(env, "get", "deploy", "payment", "-o", image)


pytestmark = pytest.mark.skipif(shutil.which("kubectl") is None, reason="kubectl not installed")


def test_the_sandbox_announces_every_setting(sandbox_env: dict[str, str]) -> None:
    for name in (
        "KUBECONFIG",
        "KUBER_CONFIG",
        "KUBER_SLACK_BOT_TOKEN",
        "KUBER_SLACK_SIGNING_SECRET",
        "KUBER_SLACK_API_URL",
        "KUBER_MATTERMOST_URL",
        "KUBER_MATTERMOST_TOKEN",
        "KUBER_MATTERMOST_COMMAND_TOKEN",
    ):
        assert sandbox_env[name]
    assert "payment" in kubectl(sandbox_env, "get", "deploy")


def test_scale_deploy_and_rollback_as_kubectl_sees_them(sandbox_env: dict[str, str]) -> None:
    replies = kuber(sandbox_env, "run payment app ×3")
    assert str(replies[-1]["text"]).startswith("✅ Done")
    assert (
        kubectl(sandbox_env, "get", "deploy", "payment", "-o", "jsonpath={.spec.replicas}") == "3"
    )
    kubectl(sandbox_env, "rollout", "status", "deploy/payment", "--timeout=30s")

    original = payment_image(sandbox_env)
    replies = kuber(sandbox_env, "deploy payment 9.9.9")
    assert str(replies[-1]["text"]).startswith("✅ Done")
    image = payment_image(sandbox_env)
    assert image == "registry.example.com/payment:9.9.9"
    assert "9.9.9" in kubectl(sandbox_env, "rollout", "history", "deploy/payment")

    replies = kuber(sandbox_env, "rollback payment")
    assert str(replies[-1]["text"]).startswith("✅ Done")
    image = payment_image(sandbox_env)
    assert image == original
