"""`what's wrong with payment?` on the Kubernetes sandbox: the likely cause named from the
pods, events, logs and rollout history, with the button that acts on it, in both languages."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import yaml

from bot.runtime import build_runtime
from sandbox.kubernetes import KubernetesSandbox
from sandbox.kubernetes_seed import new_deployment
from sandbox.launcher import kuber_yaml
from tests.e2e_prometheus.conftest import KUBER_YAML, PATIENCE, Stack, stack
from tests.sandboxes import eventually, sandbox_env
from tests.scenarios.conftest import Chat, all_text

__all__ = ["stack"]  # the real Prometheus and Alertmanager of tests/e2e_prometheus


def diagnosis(chat: Chat, asked: str) -> dict[str, Any]:
    replies = chat.say(asked)
    return replies[-1]


def labels(reply: dict[str, Any]) -> list[str]:
    return [b["label"] for b in reply["buttons"]]


def pods_say(server: KubernetesSandbox, app: str, reason: str) -> bool:
    pods = httpx.get(
        f"{server.url}/api/v1/namespaces/default/pods", params={"labelSelector": f"app={app}"}
    )
    for pod in pods.json()["items"]:
        for status in pod["status"].get("containerStatuses", []):
            if (status["state"].get("waiting") or {}).get("reason") == reason:
                return True
    return False


def test_a_healthy_app_is_said_to_be_healthy(chat: Chat) -> None:
    reply = diagnosis(chat, "what's wrong with payment?")
    assert reply["text"] == (
        "🟢 Nothing looks wrong with payment in sandbox/default: every pod is ready and no "
        "warning is recent."
    )
    assert reply["buttons"] == []


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        ("what's wrong with frontend?", "🔴 Crash loop: frontend-"),
        ("frontend 왜 안 돼?", "🔴 크래시 루프예요: frontend-"),
    ],
)
def test_a_bad_deploy_into_a_crash_loop_is_named_with_its_last_error_and_a_rollback(
    chat: Chat, clusters: dict[str, KubernetesSandbox], asked: str, expected: str
) -> None:
    chat.say("deploy frontend 2.0.0-crash")  # the rollout fails (and is reported so)
    reply = diagnosis(chat, asked)
    lines = reply["text"].splitlines()
    assert lines[1].startswith(expected)
    # The last error line of the crashed container, quoted.
    assert "ConnectionError: cannot reach frontend-db:5432: connection refused" in lines[1]
    # And the deploy it followed.
    assert "2.0.0-crash" in lines[2]
    assert len(reply["buttons"]) == 2
    rollback = json.loads(reply["buttons"][0]["value"])
    assert (rollback["intent"], rollback["app"]) == ("rollback", "frontend")


def test_the_rollback_button_of_a_diagnosis_plans_a_rollback_that_restores_the_image(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    chat.say("deploy frontend 2.0.0-crash")
    reply = diagnosis(chat, "what's wrong with frontend?")
    done = chat.click("fill", reply["buttons"][0]["value"])
    assert done[-1]["text"].startswith("✅ Done: rolling frontend back")


@pytest.mark.parametrize(
    ("asked", "expected"),
    [
        (
            "why is cart failing",
            "🔴 The image cannot be pulled: `registry.example.com/cart:3.0.0-nopull`",
        ),
        (
            "cart 왜 안 돼?",
            "🔴 이미지를 받아올 수 없어요: `registry.example.com/cart:3.0.0-nopull`",
        ),
    ],
)
def test_an_image_that_cannot_be_pulled_is_named(
    chat: Chat, clusters: dict[str, KubernetesSandbox], asked: str, expected: str
) -> None:
    chat.say("deploy cart 3.0.0-nopull")
    eventually(lambda: pods_say(clusters["sandbox"], "cart", "ImagePullBackOff"))
    reply = diagnosis(chat, asked)
    assert reply["text"].splitlines()[1].startswith(expected)
    assert labels(reply)[0] in ("Roll back", "롤백")


def test_a_crash_loop_without_a_deploy_offers_the_logs_only(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    server = clusters["sandbox"]
    created = new_deployment("worker", "default", "registry.example.com/worker:1.0.0-crash")
    url = f"{server.url}/apis/apps/v1/namespaces/default/deployments"
    httpx.post(url, json=created).raise_for_status()
    eventually(lambda: pods_say(server, "worker", "CrashLoopBackOff"))
    reply = diagnosis(chat, "what's wrong with worker?")
    assert reply["text"].splitlines()[1].startswith("🔴 Crash loop: worker-")
    assert len(reply["text"].splitlines()) == 2  # no deploy to blame
    assert labels(reply) == ["Show logs"]
    shown = chat.click("fill", reply["buttons"][0]["value"])
    assert "ConnectionError" in all_text(shown)


# -- with a real Alertmanager and Prometheus ----------------------------------------------------
@pytest.fixture
def watched(tmp_path: Path, clusters: dict[str, KubernetesSandbox], stack: Stack) -> Iterator[Chat]:
    """The sandbox chat with the real Alertmanager and Prometheus of tests/e2e_prometheus,
    where the payment SLOs burn (10% of requests fail) and their alerts fire."""
    env = sandbox_env(
        tmp_path,
        clusters,
        KUBER_ALERTMANAGER_URL=stack.alertmanager.url,
        KUBER_PROMETHEUS_URL=stack.prometheus.url,
    )
    config = kuber_yaml()
    config["slos"] = yaml.safe_load(KUBER_YAML)["slos"]
    Path(env["KUBER_CONFIG"]).write_text(yaml.safe_dump(config), encoding="utf-8")
    runtime = build_runtime(env)
    yield Chat(runtime, env)
    runtime.close()


def am_alerts(stack: Stack) -> list[dict[str, Any]]:
    answer = httpx.get(f"{stack.alertmanager.url}/api/v2/alerts", timeout=10)
    answer.raise_for_status()
    return list(answer.json())


def test_firing_alerts_and_the_slo_budget_are_part_of_the_diagnosis(
    watched: Chat, stack: Stack
) -> None:
    def paging() -> bool:
        return any(
            a["labels"].get("app") == "payment" and a["labels"].get("severity") == "page"
            for a in am_alerts(stack)
        )

    eventually(paging, timeout=PATIENCE)
    reply = diagnosis(watched, "what's wrong with payment?")
    # The pods are fine, but the alerts say otherwise: the answer does not call it healthy.
    assert reply["text"] == (
        "🟡 The pods of payment in sandbox/default look fine, but alerts fire for it: see below."
    )
    fields = {f["label"]: f["value"] for f in reply["fields"]}
    alerts = next(value for label, value in fields.items() if label.startswith("Firing alerts"))
    assert "🔥 SloErrorBudgetBurn (page) — payment-availability: the error budget" in alerts
    budget = fields["Error budget"].splitlines()
    assert budget[0].startswith("payment-availability: -")
    assert "burning" in budget[0]
    assert budget[0].endswith("already spent")
    assert any(line.startswith("payment-latency: ") for line in budget)

    korean = diagnosis(watched, "payment 왜 안 돼?")
    assert korean["text"].startswith("🟡 sandbox/default의 payment 파드는 괜찮아 보이지만")
    labels = [f["label"] for f in korean["fields"]]
    assert "에러 버짓" in labels
    assert any(label.startswith("발생 중인 알림") for label in labels)


def test_an_app_no_alert_names_has_no_alerts_field(watched: Chat, stack: Stack) -> None:
    reply = diagnosis(watched, "what's wrong with cart?")
    assert reply["text"].startswith("🟢 Nothing looks wrong with cart")
    assert [f["label"] for f in reply["fields"]] == ["Pods"]
