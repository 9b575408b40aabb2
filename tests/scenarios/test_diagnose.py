"""`what's wrong with payment?` on the Kubernetes sandbox: the likely cause named from the
pods, events, logs and rollout history, with the button that acts on it, in both languages."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from sandbox.kubernetes import KubernetesSandbox
from sandbox.kubernetes_seed import new_deployment
from tests.sandboxes import eventually
from tests.scenarios.conftest import Chat, all_text


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
