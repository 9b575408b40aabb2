"""Following rollouts to success, to a crash loop and to a timeout; pods, events and logs."""

from __future__ import annotations

import itertools
import time

from integrations.kubernetes import DeploymentRef, KubernetesClusters, RolloutProgress
from sandbox.kubernetes import KubernetesSandbox

from .conftest import calls, journal_length, wait_until


def test_follow_rollout_to_success(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    ref = DeploymentRef("sandbox", "staging", "frontend")
    seen: list[RolloutProgress] = []
    clusters.scale(ref, 3)
    clusters.set_image(ref, "frontend", "registry.example.com/frontend:1.1.0")
    before = journal_length(sandbox)
    result = clusters.follow_rollout(ref, timeout=15, on_progress=seen.append, check_every=1)

    assert (result.done, result.failed, result.reason) == (True, False, None)
    assert result.message == 'deployment "frontend" successfully rolled out'
    assert result.state.updated == result.state.available == 3
    messages = [p.message for p in seen]
    assert messages[-1] == result.message
    assert all(a != b for a, b in itertools.pairwise(messages))
    assert any(
        m.startswith('Waiting for deployment "frontend" rollout to finish: ') for m in messages
    )
    # kubectl's way: a field-selected list, then a watch from its resourceVersion. The
    # sandbox journals a watch when it ends, which is a moment after the client hangs up.
    wait_until(lambda: any(c["verb"] == "watch" for c in calls(sandbox, since=before)))
    made = [c for c in calls(sandbox, since=before) if c["resource"] == "deployments"]
    assert made[0]["verb"] == "list"
    assert made[0]["query"]["fieldSelector"] == "metadata.name=frontend"
    watch = next(c for c in made if c["verb"] == "watch")
    assert watch["query"]["fieldSelector"] == "metadata.name=frontend"
    assert watch["query"]["resourceVersion"]


def test_follow_rollout_fails_on_a_crash_loop(clusters: KubernetesClusters) -> None:
    ref = DeploymentRef("sandbox", "staging", "auth")
    clusters.set_image(ref, "auth", "registry.example.com/auth:1.1.0-crash")
    started = time.monotonic()
    result = clusters.follow_rollout(ref, timeout=20, check_every=1)

    assert (result.done, result.failed, result.reason) == (False, True, "CrashLoopBackOff")
    assert "CrashLoopBackOff" in result.message
    assert time.monotonic() - started < 15
    status = clusters.rollout_status(ref)
    assert (status.failed, status.reason) == (True, "CrashLoopBackOff")

    crashing = [p for p in clusters.pods(ref) if p.reason == "CrashLoopBackOff"]
    assert crashing
    assert all(p.restarts >= 2 and not p.ready for p in crashing)
    assert crashing[0].image == "registry.example.com/auth:1.1.0-crash"

    events = clusters.events(ref)
    assert events
    assert all(e.type == "Warning" for e in events)
    assert any(e.reason == "BackOff" and e.object_name.startswith("pod/auth-") for e in events)
    assert len(clusters.events(ref, limit=1)) == 1
    everything = clusters.events(ref, warnings_only=False, limit=50)
    assert any(e.type == "Normal" for e in everything)

    logs = clusters.logs(ref, lines=20)
    assert logs
    # The crashed container's own log, which says why, comes first.
    assert logs[0].pod == crashing[0].name or logs[0].pod in {p.name for p in crashing}
    assert logs[0].previous is True
    assert logs[0].container == "auth"
    assert logs[0].text.strip()
    one = clusters.logs(ref, lines=3, pod=logs[0].pod)
    assert [log.pod for log in one] == [logs[0].pod]
    assert len(one[0].text.strip().splitlines()) <= 3


def test_out_of_memory_is_named(clusters: KubernetesClusters) -> None:
    ref = DeploymentRef("sandbox", "staging", "marvel-collection")
    clusters.set_image(ref, "marvel-collection", "registry.example.com/marvel-collection:2-oom")
    result = clusters.follow_rollout(ref, timeout=20, check_every=1)
    assert result.failed
    pods = [p for p in clusters.pods(ref) if p.image and p.image.endswith(":2-oom")]
    assert pods
    assert {p.last_exit_reason for p in pods} == {"OOMKilled"}


def test_follow_rollout_gives_up_at_the_timeout(clusters: KubernetesClusters) -> None:
    ref = DeploymentRef("sandbox", "staging", "user-api")
    clusters.set_image(ref, "user-api", "registry.example.com/user-api:9.9.9-nopull")
    started = time.monotonic()
    result = clusters.follow_rollout(ref, timeout=1.5, check_every=1)
    elapsed = time.monotonic() - started

    assert (result.done, result.failed, result.reason) == (False, False, "Timeout")
    assert result.message.startswith(
        'timed out after 1.5s waiting for deployment "user-api" rollout to finish: '
    )
    assert elapsed >= 1.4  # it waited out the timeout (how long past it is for bench/)
    pulling = [p for p in clusters.pods(ref) if p.image and "nopull" in p.image]
    assert pulling
    assert all(p.reason in ("ErrImagePull", "ImagePullBackOff") for p in pulling)
    # A container that never started has no log to show.
    assert all(log.pod not in {p.name for p in pulling} for log in clusters.logs(ref))


def test_follow_rollout_survives_a_dropped_watch(
    clusters: KubernetesClusters, sandbox: KubernetesSandbox
) -> None:
    ref = DeploymentRef("sandbox", "staging", "order-service")
    clusters.set_image(ref, "order-service", "registry.example.com/order-service:1.0.1")
    before = journal_length(sandbox)
    injected: list[bool] = []

    def break_the_next_watch(_progress: RolloutProgress) -> None:
        # After the first look the next request for the collection is the watch.
        if not injected:
            sandbox.inject("GET /apis/apps/v1/namespaces/staging/deployments$", 503, times=1)
            injected.append(True)

    result = clusters.follow_rollout(
        ref, timeout=15, on_progress=break_the_next_watch, check_every=1
    )
    assert result.done, result.message
    made = [c for c in calls(sandbox, since=before) if c["path"].endswith("/deployments")]
    assert [c["verb"] for c in made if c["status"] == 503] == ["watch"]
    # It listed again before watching again, as after any broken watch.
    broken = next(i for i, c in enumerate(made) if c["status"] == 503)
    assert made[broken + 1]["verb"] == "list"
