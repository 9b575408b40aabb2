"""Workload commands from chat against the Kubernetes sandbox: plan, approve, act, follow."""

from __future__ import annotations

import json
import threading
import time
from pathlib import Path

import httpx
import pytest

from bot.runtime import build_runtime
from sandbox.kubernetes import KubernetesSandbox
from tests.scenarios.conftest import Chat, all_text, deployment, sandbox_env


def replicas(server: KubernetesSandbox, name: str, namespace: str = "default") -> int:
    return int(deployment(server, name, namespace)["spec"]["replicas"])


def image(server: KubernetesSandbox, name: str, namespace: str = "default") -> str:
    return str(
        deployment(server, name, namespace)["spec"]["template"]["spec"]["containers"][0]["image"]
    )


def test_scale_shows_a_plan_then_acts_and_follows_the_rollout(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    replies = chat.say("run payment app ×3")
    plan = replies[0]
    assert plan["text"] == "Scale payment in sandbox/default from 2 to 3 replicas?"
    assert [b["action"] for b in plan["buttons"]] == ["approve", "cancel"]
    assert {"label": "Replicas", "value": "2 → 3"} in plan["fields"]
    assert replies[-1]["text"].startswith("✅ Done: scaling payment from 2 to 3")
    assert "3/3 ready" in all_text(replies[-1:])
    assert replicas(clusters["sandbox"], "payment") == 3


def test_korean_scale_answers_in_korean(chat: Chat, clusters: dict[str, KubernetesSandbox]) -> None:
    replies = chat.say("쿠버야 payment 앱을 3개 실행해줘!")
    assert replies[0]["text"] == "sandbox/default의 payment을(를) 2개에서 3개로 바꿀까요?"
    assert replies[-1]["text"].startswith("✅ 완료")
    assert replicas(clusters["sandbox"], "payment") == 3


def test_relative_scale_and_stop(chat: Chat, clusters: dict[str, KubernetesSandbox]) -> None:
    chat.say("add 2 more cart pods")
    assert replicas(clusters["sandbox"], "cart") == 4
    chat.say("scale down cart by 1")
    assert replicas(clusters["sandbox"], "cart") == 3
    replies = chat.say("stop order-service")
    assert replies[0]["text"].startswith("Stop order-service")
    assert replicas(clusters["sandbox"], "order-service") == 0


def test_without_approval_nothing_changes(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    runtime = build_runtime(sandbox_env(tmp_path, clusters))
    chat = Chat(runtime, {}, auto_approve=False)
    replies = chat.say("scale payment to 5")
    assert replies[-1]["text"] == "Scale payment in sandbox/default from 2 to 5 replicas?"
    assert replicas(clusters["sandbox"], "payment") == 2
    cancel = next(b for b in replies[-1]["buttons"] if b["action"] == "cancel")
    replies = chat.click("cancel", cancel["value"])
    assert replies[-1]["text"] == (
        "alice cancelled: Scale payment in sandbox/default from 2 to 5 replicas?"
    )
    assert replies[-1]["buttons"] == []
    assert "alice cancelled this plan." in all_text(chat.click("approve", cancel["value"]))
    assert replicas(clusters["sandbox"], "payment") == 2
    runtime.close()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("scale payment to 500", "500 replicas is more than payment may run (at most 50"),
        ("scale down cart by 5", "cart runs 2 replicas; it cannot go to -3"),
        ("roll back cart to revision 42", "cart has no revision 42. Revisions there are: "),
        ("restart checkout", "There is no app `checkout` in sandbox/default."),
        (
            "scale paymnt-gw to 3",
            "There is no app `paymnt-gw` in sandbox/default. Did you mean payment?",
        ),
        (
            "scale payment to 2",
            "payment already runs 2 replicas in sandbox/default; nothing to change.",
        ),
    ],
)
def test_bad_requests_get_a_clear_answer_and_change_nothing(
    chat: Chat, clusters: dict[str, KubernetesSandbox], text: str, expected: str
) -> None:
    before = clusters["sandbox"].state_snapshot()["calls"]
    replies = chat.say(text)
    assert expected in all_text(replies)
    assert all(b["action"] != "approve" for r in replies for b in r["buttons"])
    writes = [
        c
        for c in clusters["sandbox"].state_snapshot()["calls"][len(before) :]
        if c["method"] != "GET"
    ]
    assert writes == []


def test_unknown_app_offers_the_closest_as_a_button(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    replies = chat.say("scale paymnt-gw to 4")
    fill = [b for b in replies[-1]["buttons"] if b["action"] == "fill"]
    assert [b["label"] for b in fill] == ["payment"]
    replies = chat.click("fill", fill[0]["value"])
    assert replies[0]["text"] == "Scale payment in sandbox/default from 2 to 4 replicas?"
    assert replicas(clusters["sandbox"], "payment") == 4


def test_deploy_then_rollback_brings_the_previous_image_back(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = clusters["sandbox"]
    before = image(sandbox, "payment")
    replies = chat.say("deploy payment 9.9.9")
    assert {"label": "Image", "value": f"{before} → registry.example.com/payment:9.9.9"} in replies[
        0
    ]["fields"]
    assert replies[-1]["text"].startswith("✅ Done: deploying payment 9.9.9")
    assert image(sandbox, "payment") == "registry.example.com/payment:9.9.9"

    replies = chat.say("rollback payment")
    assert replies[0]["text"].startswith("Roll payment in sandbox/default back to revision")
    assert replies[-1]["text"].startswith("✅ Done: rolling payment back")
    assert image(sandbox, "payment") == before


def test_rollback_to_a_named_revision_and_history(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    history = all_text(chat.say("rollout history of cart"))
    assert "REVISION" in history
    assert "cart:1.0.0" in history
    replies = chat.say("roll back cart to revision 1")
    assert replies[-1]["text"].startswith("✅ Done")
    assert image(clusters["sandbox"], "cart") == "registry.example.com/cart:0.9.0"


def test_restart_rolls_new_pods(chat: Chat, clusters: dict[str, KubernetesSandbox]) -> None:
    revision_before = deployment(clusters["sandbox"], "auth")["metadata"]["annotations"][
        "deployment.kubernetes.io/revision"
    ]
    replies = chat.say("restart auth")
    assert replies[-1]["text"].startswith("✅ Done: restarting auth")
    template = deployment(clusters["sandbox"], "auth")["spec"]["template"]
    assert "kubectl.kubernetes.io/restartedAt" in template["metadata"]["annotations"]
    revision_after = deployment(clusters["sandbox"], "auth")["metadata"]["annotations"][
        "deployment.kubernetes.io/revision"
    ]
    assert int(revision_after) > int(revision_before)


def test_status_logs_and_overview(chat: Chat) -> None:
    status = all_text(chat.say("status of payment"))
    assert "payment in sandbox/default is healthy" in status
    assert "2/2 ready" in status
    assert "POD" in status
    assert "Running" in status
    logs = all_text(chat.say("show me the last 5 lines of payment logs"))
    assert "Last 5 log lines of payment-" in logs
    overview = all_text(chat.say("status"))
    assert "7 apps in sandbox/default" in overview


def test_a_crash_loop_fails_the_rollout_and_offers_a_one_click_rollback(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = clusters["sandbox"]
    good = image(sandbox, "frontend")
    replies = chat.say("deploy frontend 2.0.0-crash")
    final = replies[-1]
    assert final["text"].startswith("❌ Failed: deploying frontend 2.0.0-crash (CrashLoopBackOff)")
    assert final["error"] is True
    assert "CrashLoopBackOff" in all_text([final])
    rollback = next(b for b in final["buttons"] if b["action"] == "approve")
    assert rollback["label"].startswith("Roll back to revision")
    replies = chat.click("approve", rollback["value"])
    assert replies[-1]["text"].startswith("✅ Done: rolling frontend back")
    assert image(sandbox, "frontend") == good


def test_a_rollout_that_does_not_finish_in_time_is_reported(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    slow = KubernetesSandbox(cluster_name="sandbox", pod_start_delay=30, tick=0.05).start()
    try:
        env = sandbox_env(
            tmp_path, {"sandbox": slow, "prod": clusters["prod"]}, KUBER_ROLLOUT_TIMEOUT="1"
        )
        runtime = build_runtime(env)
        replies = Chat(runtime, env).say("scale user-api to 4")
        assert replies[-1]["text"].startswith("⌛ Still not finished after 1s: scaling user-api")
        runtime.close()
    finally:
        slow.stop()


def test_one_change_per_app_at_a_time(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    slow = KubernetesSandbox(cluster_name="sandbox", pod_start_delay=1.5, tick=0.05).start()
    try:
        runtime = build_runtime(sandbox_env(tmp_path, {"sandbox": slow, "prod": clusters["prod"]}))
        chat = Chat(runtime, {}, auto_approve=False)
        first = chat.console("alice")
        second = chat.console("bob")
        plan_a = next(
            b
            for r in first.say("scale payment to 4")
            for b in r["buttons"]
            if b["action"] == "approve"
        )
        plan_b = next(
            b
            for r in second.say("deploy payment 3.0.0")
            for b in r["buttons"]
            if b["action"] == "approve"
        )
        worker = threading.Thread(target=first.click, args=("approve", plan_a["value"]))
        worker.start()
        time.sleep(0.5)
        busy = second.click("approve", plan_b["value"])
        worker.join(timeout=30)
        assert "is busy: scale started by alice is still running" in all_text(busy)
        assert image(slow, "payment") == "registry.example.com/payment:1.0.0"
        after = second.click("approve", plan_b["value"])  # the plan is still pending
        assert after[-1]["text"].startswith("✅ Done: deploying payment 3.0.0")
        runtime.close()
    finally:
        slow.stop()


def test_cluster_and_namespace_selection(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    chat_env = sandbox_env(tmp_path, clusters)
    runtime = build_runtime(chat_env)
    chat = Chat(runtime, chat_env)
    chat.say("scale cart to 3 in staging")
    assert replicas(clusters["sandbox"], "cart", "staging") == 3
    assert replicas(clusters["sandbox"], "cart") == 2
    # prod is protected: alice (admin) may not approve her own change there.
    replies = chat.say("scale cart to 4 on the prod cluster")
    assert "Scale cart in prod/default" in replies[0]["text"]
    assert "someone other than the requester must approve" in all_text(replies)
    assert replicas(clusters["prod"], "cart") == 2
    # bob is a deployer: not enough for a protected target either.
    plan = next(b for b in replies[0]["buttons"] if b["action"] == "approve")
    assert "only an admin may approve" in all_text(chat.click("approve", plan["value"], user="bob"))
    assert replicas(clusters["prod"], "cart") == 2
    runtime.close()


def test_kubernetes_refusals_and_outages_are_explained(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    sandbox = clusters["sandbox"]
    sandbox.inject(r"PATCH .*/deployments/payment/scale", 403)
    text = all_text(chat.say("scale payment to 3"))
    assert "may not" in text
    assert "deployments/scale" in text
    sandbox.clear_faults()
    assert replicas(sandbox, "payment") == 2

    sandbox.inject(r"GET .*/deployments/cart$", 503, times=1)
    assert "cart in sandbox/default is healthy" in all_text(chat.say("status of cart"))

    sandbox.inject(r"PATCH .*/deployments/cart/scale", 409, times=1)
    assert all_text(chat.say("scale cart to 3")).count("✅ Done") == 1
    assert replicas(sandbox, "cart") == 3


def test_apps_found_in_the_cluster_are_understood_even_with_a_typo(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    """kuber.yaml does not list `billing`; the cluster has it, so "biling" still finds it."""
    billing = deployment(clusters["sandbox"], "cart")
    billing["metadata"] = {"name": "billing", "namespace": "default", "labels": {"app": "billing"}}
    billing["spec"]["selector"] = {"matchLabels": {"app": "billing"}}
    billing["spec"]["template"]["metadata"]["labels"] = {"app": "billing"}
    billing["spec"]["template"]["spec"]["containers"][0]["name"] = "billing"
    billing.pop("status", None)
    created = httpx.post(
        f"{clusters['sandbox'].url}/apis/apps/v1/namespaces/default/deployments", json=billing
    )
    assert created.status_code == 201, created.text
    runtime = build_runtime(sandbox_env(tmp_path, clusters))
    text = all_text(Chat(runtime, {}).say("status of biling"))
    assert "billing in sandbox/default" in text
    runtime.close()


def test_a_forged_choice_with_an_invalid_name_is_refused(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    forged = json.dumps({"intent": "restart", "app": "../../kube-system", "lang": "en"})
    replies = chat.click("fill", forged)
    assert replies[-1]["error"] is True
    assert "kube-system" in replies[-1]["text"]
    writes = [c for c in clusters["sandbox"].state_snapshot()["calls"] if c["method"] != "GET"]
    assert writes == []


def test_a_plan_is_not_applied_when_its_before_no_longer_holds(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    runtime = build_runtime(sandbox_env(tmp_path, clusters))
    chat = Chat(runtime, {}, auto_approve=False)
    stale = next(
        b
        for r in chat.say("add 1 more cart pods", user="bob")
        for b in r["buttons"]
        if b["action"] == "approve"
    )
    done = chat.say("scale cart to 6")  # alice, approved at once below
    now = next(b for r in done for b in r["buttons"] if b["action"] == "approve")
    chat.click("approve", now["value"])
    assert replicas(clusters["sandbox"], "cart") == 6
    replies = chat.click("approve", stale["value"], user="bob")
    assert "cart changed since this plan was made (2 then, 6 now)" in all_text(replies)
    assert replicas(clusters["sandbox"], "cart") == 6
    runtime.close()


def test_only_the_requester_or_an_approver_may_cancel(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox]
) -> None:
    runtime = build_runtime(sandbox_env(tmp_path, clusters))
    chat = Chat(runtime, {}, auto_approve=False)
    plan = next(
        b
        for r in chat.say("scale auth to 3", user="bob")
        for b in r["buttons"]
        if b["action"] == "cancel"
    )
    refused = chat.click("cancel", plan["value"], user="carol")  # a viewer
    assert "Approving this change needs the operator role." in all_text(refused)
    withdrawn = chat.click("cancel", plan["value"], user="bob")
    assert withdrawn[-1]["text"].startswith("bob cancelled")
    runtime.close()


def test_an_app_with_several_deployments_asks_which_one(
    chat: Chat, clusters: dict[str, KubernetesSandbox]
) -> None:
    for name in ("billing-api", "billing-worker"):
        body = deployment(clusters["sandbox"], "cart")
        body["metadata"] = {"name": name, "namespace": "default", "labels": {"app": "billing"}}
        body["spec"]["selector"] = {"matchLabels": {"app": "billing", "part": name}}
        body["spec"]["template"]["metadata"]["labels"] = {"app": "billing", "part": name}
        body.pop("status", None)
        url = f"{clusters['sandbox'].url}/apis/apps/v1/namespaces/default/deployments"
        assert httpx.post(url, json=body).status_code == 201
    replies = chat.say("restart billing")
    choices = {b["label"]: b["value"] for b in replies[-1]["buttons"] if b["action"] == "fill"}
    assert list(choices) == ["billing-api", "billing-worker"]
    plan = chat.click("fill", choices["billing-worker"])
    assert plan[0]["text"].startswith("Restart billing-worker in sandbox/default?")
