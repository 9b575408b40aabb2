"""API failures become Kuber's errors, and are retried only where that is safe and useful."""

from __future__ import annotations

import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from bot.errors import PermanentError, TemporaryError, UserError
from bot.i18n import translate
from integrations.kubernetes import (
    Conflict,
    DeploymentRef,
    Forbidden,
    KubernetesClusters,
    Rejected,
    Unavailable,
)
from sandbox.kubeconfig import write_kubeconfig
from sandbox.kubernetes import KubernetesSandbox

from .conftest import calls, journal_length, start_sandbox

DEPLOYMENT = r"/apis/apps/v1/namespaces/default/deployments/"


def test_forbidden_scale_says_which_permission_is_missing(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    sandbox.inject("PATCH .*/scale", 403)
    before = journal_length(sandbox)
    with pytest.raises(Forbidden) as caught:
        clusters.scale(DeploymentRef("sandbox", "default", "cart"), 5)
    error = caught.value
    assert isinstance(error, PermanentError)
    assert error.key == "k8s_forbidden"
    assert error.params == {
        "verb": "patch",
        "resource": "deployments/scale",
        "account": "kuber",
        "cluster": "sandbox",
        "namespace": "default",
    }
    assert str(error) == (
        "Kuber's account (kuber) may not patch deployments/scale in namespace default "
        "on sandbox; grant it in its Role."
    )
    assert "Role" in translate("ko", error.key, **error.params)
    # A refusal is final: asked once, not retried.
    assert [c["status"] for c in calls(sandbox, since=before) if c["method"] == "PATCH"] == [403]


def test_conflict_is_retried_on_fresh_state(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    sandbox.inject(f"PATCH {DEPLOYMENT}frontend$", 409, times=1)
    before = journal_length(sandbox)
    image = "registry.example.com/frontend:1.0.1"
    state = clusters.set_image(DeploymentRef("sandbox", "default", "frontend"), "frontend", image)
    assert state.image == image
    made = calls(sandbox, since=before)
    assert [c["status"] for c in made if c["method"] == "PATCH"] == [409, 200]
    # Each attempt re-read the Deployment before writing again.
    reads = [c for c in made if c["method"] == "GET" and c["path"].endswith("/frontend")]
    assert len(reads) == 2


def test_a_lasting_conflict_becomes_a_temporary_error(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    sandbox.inject(f"PATCH {DEPLOYMENT}frontend$", 409)
    before = journal_length(sandbox)
    with pytest.raises(Conflict) as caught:
        clusters.restart(DeploymentRef("sandbox", "default", "frontend"), datetime.now(UTC))
    assert isinstance(caught.value, TemporaryError)
    assert caught.value.key == "k8s_conflict"
    assert [c["status"] for c in calls(sandbox, since=before) if c["method"] == "PATCH"] == [
        409,
        409,
        409,
    ]


def test_a_passing_503_on_a_read_is_retried(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    sandbox.inject(f"GET {DEPLOYMENT}payment$", 503, times=1)
    before = journal_length(sandbox)
    state = clusters.get(DeploymentRef("sandbox", "default", "payment"))
    assert state.ref.name == "payment"
    statuses = [c["status"] for c in calls(sandbox, since=before)]
    assert statuses == [503, 200]


def test_a_lasting_outage_names_the_cluster(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    sandbox.inject(f"GET {DEPLOYMENT}payment$", 500)
    with pytest.raises(Unavailable) as caught:
        clusters.get(DeploymentRef("sandbox", "default", "payment"))
    assert caught.value.key == "k8s_unavailable"
    assert caught.value.params["cluster"] == "sandbox"


def test_invalid_change_carries_the_api_message(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    message = 'Deployment.apps "cart" is invalid: spec.replicas: Invalid value: -1'
    sandbox.inject(
        f"PATCH {DEPLOYMENT}cart$",
        422,
        body={
            "kind": "Status",
            "apiVersion": "v1",
            "status": "Failure",
            "message": message,
            "reason": "Invalid",
            "code": 422,
        },
    )
    with pytest.raises(Rejected) as caught:
        clusters.set_image(DeploymentRef("sandbox", "default", "cart"), "cart", "cart:2")
    assert isinstance(caught.value, UserError)
    assert caught.value.key == "k8s_invalid"
    assert caught.value.params["message"] == message


def test_a_stopped_server_is_a_temporary_error(tmp_path: Path) -> None:
    gone = start_sandbox("gone")
    config = write_kubeconfig(tmp_path / "config", {"gone": gone.url})
    gone.stop()
    with KubernetesClusters(kubeconfig=str(config), request_timeout=2.0) as clusters:
        started = time.monotonic()
        with pytest.raises(Unavailable) as caught:
            clusters.get(DeploymentRef("gone", "default", "payment"))
    assert time.monotonic() - started < 5
    assert caught.value.params["cluster"] == "gone"
    assert "gone" in str(caught.value)


def test_a_hung_server_times_out(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox, kubeconfig: Path
) -> None:
    sandbox.inject(f"GET {DEPLOYMENT}auth$", 200, delay=2.0)
    with KubernetesClusters(kubeconfig=str(kubeconfig), request_timeout=0.3) as impatient:
        started = time.monotonic()
        with pytest.raises(Unavailable):
            impatient.get(DeploymentRef("sandbox", "default", "auth"))
    assert time.monotonic() - started < 3


def test_an_answer_the_client_cannot_read_is_permanent(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    broken = {
        "kind": "Deployment",
        "apiVersion": "apps/v1",
        "metadata": {"name": "auth", "namespace": "default"},
        "spec": {
            "selector": {"matchLabels": {"app": "auth"}},
            "template": {"spec": {"containers": [{"image": "auth:1"}]}},  # no name
        },
    }
    sandbox.inject(f"GET {DEPLOYMENT}auth$", 200, body=broken)
    with pytest.raises(PermanentError) as caught:
        clusters.get(DeploymentRef("sandbox", "default", "auth"))
    assert caught.value.key == "k8s_bad_response"
    assert "name" in caught.value.params["detail"]
