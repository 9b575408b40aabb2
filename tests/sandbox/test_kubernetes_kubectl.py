"""The real kubectl against the sandbox: what Kuber's users and its docs do by hand must work."""

from __future__ import annotations

from sandbox.kubernetes import KubernetesSandbox

from .conftest import Kubectl, as_json, needs_kubectl, wait_until

pytestmark = needs_kubectl


def _ready_pods(sandbox: KubernetesSandbox, app: str) -> int:
    return sum(
        1
        for pod in sandbox.state()["pods"]
        if pod["app"] == app and pod["ready"] and pod["namespace"] == "default"
    )


def _history(kubectl: Kubectl, app: str) -> list[str]:
    lines = kubectl("rollout", "history", f"deploy/{app}").stdout.splitlines()
    return [line.split()[0] for line in lines if line[:1].isdigit()]


def test_get_deployments_prints_a_table(kubectl: Kubectl) -> None:
    out = kubectl("get", "deploy").stdout
    header, *rows = out.splitlines()
    assert header.split() == ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"]
    names = {row.split()[0] for row in rows}
    assert {"payment", "cart", "marvel-collection", "frontend", "auth"} <= names
    payment = next(row.split() for row in rows if row.startswith("payment "))
    assert payment[1:4] == ["2/2", "2", "2"]


def test_get_one_deployment_as_json(kubectl: Kubectl) -> None:
    deployment = as_json(kubectl("get", "deploy", "payment", "-o", "json"))
    assert deployment["kind"] == "Deployment"
    assert deployment["apiVersion"] == "apps/v1"
    assert deployment["spec"]["template"]["spec"]["containers"][0]["image"] == (
        "registry.example.com/payment:1.0.0"
    )
    assert deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "3"


def test_get_pods_by_label_and_in_another_namespace(kubectl: Kubectl) -> None:
    out = kubectl("get", "pods", "-l", "app=payment").stdout.splitlines()
    assert out[0].split() == ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]
    assert len(out) == 3
    assert all(line.split()[1:3] == ["1/1", "Running"] for line in out[1:])
    staging = kubectl("get", "pods", "-n", "staging", "-l", "app in (cart,auth)", "-o", "name")
    assert len(staging.stdout.split()) == 4


def test_scale_converges_to_ready_pods(kubectl: Kubectl, sandbox: KubernetesSandbox) -> None:
    assert "scaled" in kubectl("scale", "deploy/payment", "--replicas=3").stdout
    wait_until(lambda: _ready_pods(sandbox, "payment") == 3, what="3 ready payment pods")
    kubectl("rollout", "status", "deploy/payment", "--timeout=20s")
    scale_calls = [c for c in sandbox.calls if c.get("resource") == "deployments/scale"]
    assert scale_calls[-1]["verb"] == "patch"
    assert scale_calls[-1]["patch_type"] == "merge"
    assert scale_calls[-1]["body"] == {"spec": {"replicas": 3}}


def test_set_image_makes_a_new_revision(kubectl: Kubectl, sandbox: KubernetesSandbox) -> None:
    kubectl("set", "image", "deploy/payment", "payment=registry.example.com/payment:9.9.9")
    status = kubectl("rollout", "status", "deploy/payment", "--timeout=20s")
    assert 'deployment "payment" successfully rolled out' in status.stdout
    assert _history(kubectl, "payment") == ["1", "2", "3", "4"]
    deployment = as_json(kubectl("get", "deploy", "payment", "-o", "json"))
    assert deployment["metadata"]["annotations"]["deployment.kubernetes.io/revision"] == "4"
    images = {
        p["image"]
        for p in sandbox.state()["pods"]
        if p["app"] == "payment" and p["namespace"] == "default"
    }
    assert images == {"registry.example.com/payment:9.9.9"}


def test_history_shows_change_causes(kubectl: Kubectl) -> None:
    out = kubectl("rollout", "history", "deploy/cart").stdout
    assert "REVISION  CHANGE-CAUSE" in out
    assert "deploy cart 0.9.5" in out
    detail = kubectl("rollout", "history", "deploy/cart", "--revision=1").stdout
    assert "registry.example.com/cart:0.9.0" in detail


def test_undo_revives_the_old_replica_set(kubectl: Kubectl, sandbox: KubernetesSandbox) -> None:
    kubectl("rollout", "undo", "deploy/payment", "--to-revision=1")
    kubectl("rollout", "status", "deploy/payment", "--timeout=20s")
    # Revision 1's ReplicaSet now carries revision 4; the number 1 is gone, as in a cluster.
    assert _history(kubectl, "payment") == ["2", "3", "4"]
    deployment = sandbox.deployment("payment")
    assert deployment is not None
    image = deployment["spec"]["template"]["spec"]["containers"][0]["image"]
    assert image == "registry.example.com/payment:0.9.0"
    owned = [
        rs
        for rs in sandbox.state()["replicasets"]
        if rs["owner"] == "payment" and rs["namespace"] == "default"
    ]
    assert len(owned) == 3  # revived, not duplicated
    undo = [c for c in sandbox.calls if c.get("verb") == "patch" and c["name"] == "payment"]
    assert undo[-1]["patch_type"] == "json"


def test_undo_without_revision_goes_back_one(kubectl: Kubectl, sandbox: KubernetesSandbox) -> None:
    kubectl("rollout", "undo", "deploy/cart")
    kubectl("rollout", "status", "deploy/cart", "--timeout=20s")
    summary = next(d for d in sandbox.state()["deployments"] if d["name"] == "cart")
    assert summary["image"] == "registry.example.com/cart:0.9.5"
    assert summary["revision"] == 4


def test_rollout_status_fails_when_the_new_pods_crash(
    kubectl: Kubectl, sandbox: KubernetesSandbox
) -> None:
    kubectl("patch", "deploy/payment", "-p", '{"spec":{"progressDeadlineSeconds":1}}')
    kubectl("set", "image", "deploy/payment", "payment=registry.example.com/payment:2.0.0-crash")
    status = kubectl("rollout", "status", "deploy/payment", "--timeout=20s", check=False)
    assert status.returncode != 0
    assert 'deployment "payment" exceeded its progress deadline' in status.stderr
    pods = kubectl("get", "pods", "-l", "app=payment").stdout
    assert "CrashLoopBackOff" in pods
    assert pods.count("Running") == 2  # the old pods keep serving
    events = kubectl("get", "events", "--field-selector", "reason=BackOff").stdout
    assert "Back-off restarting failed container payment" in events


def test_restart_rolls_new_pods(kubectl: Kubectl, sandbox: KubernetesSandbox) -> None:
    before = {p["name"] for p in sandbox.state()["pods"] if p["app"] == "auth"}
    assert "restarted" in kubectl("rollout", "restart", "deploy/auth").stdout
    kubectl("rollout", "status", "deploy/auth", "--timeout=20s")
    after = {
        p["name"]
        for p in sandbox.state()["pods"]
        if p["app"] == "auth" and p["namespace"] == "default"
    }
    assert after
    assert not after & before
    assert _history(kubectl, "auth") == ["1", "2"]


def test_logs_of_a_deployment_and_a_crashing_pod(
    kubectl: Kubectl, sandbox: KubernetesSandbox
) -> None:
    lines = kubectl("logs", "deploy/payment", "--tail=5").stdout.splitlines()
    assert len(lines) == 5
    assert any("GET /" in line for line in lines)
    kubectl("set", "image", "deploy/frontend", "frontend=registry.example.com/frontend:crash")
    crashing = wait_until(
        lambda: next(
            (
                p
                for p in sandbox.state()["pods"]
                if p["status"] == "CrashLoopBackOff" and p["restarts"] >= 2
            ),
            None,
        ),
        what="a pod in CrashLoopBackOff",
    )
    current = kubectl("logs", crashing["name"]).stdout
    previous = kubectl("logs", crashing["name"], "--previous").stdout
    assert "Traceback (most recent call last):" in current
    assert "ConnectionError" in previous


def test_get_events_lists_what_happened(kubectl: Kubectl) -> None:
    kubectl("scale", "deploy/user-api", "--replicas=3")
    wait_until(
        lambda: "Scaled up replica set user-api" in kubectl("get", "events").stdout,
        what="a ScalingReplicaSet event",
    )
    out = kubectl("get", "events").stdout.splitlines()
    assert out[0].split()[:4] == ["LAST", "SEEN", "TYPE", "REASON"]


def test_delete_pod_is_replaced(kubectl: Kubectl, sandbox: KubernetesSandbox) -> None:
    name = kubectl("get", "pods", "-l", "app=order-service", "-o", "name").stdout.split()[0]
    kubectl("delete", name, "--wait=false")
    wait_until(lambda: _ready_pods(sandbox, "order-service") == 2, what="a replacement pod")
    names = kubectl("get", "pods", "-l", "app=order-service", "-o", "name").stdout.split()
    assert name not in names
