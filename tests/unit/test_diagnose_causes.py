"""The likely cause `diagnose` names, from the evidence a person would look at, in the order
they would rule things out; the pod states the sandbox cannot produce are covered here."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from commands.diagnose import find_cause, last_error_line
from integrations.kubernetes import EventInfo, PodInfo, RevisionInfo

NOW = datetime(2026, 11, 28, 12, 0, tzinfo=UTC)


def pod(
    reason: str | None = None, *, ready: bool = True, restarts: int = 0, **extra: object
) -> PodInfo:
    fields: dict[str, object] = {
        "name": "payment-7d9f-abcde",
        "phase": "Running" if ready else "Pending",
        "ready": ready,
        "restarts": restarts,
        "age_seconds": 60.0,
        "reason": reason,
        "image": "registry.example.com/payment:1.1.0",
        **extra,
    }
    return PodInfo(**fields)  # type: ignore[arg-type]


def revisions(minutes_ago: float) -> list[RevisionInfo]:
    old = RevisionInfo(1, ("r/payment:1.0.0",), NOW - timedelta(days=3), None, "rs-1", False)
    new = RevisionInfo(
        2, ("r/payment:1.1.0",), NOW - timedelta(minutes=minutes_ago), None, "rs-2", True
    )
    return [old, new]


def test_an_oom_kill_is_named_before_the_crash_loop_it_causes() -> None:
    cause = find_cause(
        [pod("CrashLoopBackOff", ready=False, restarts=4, last_exit_reason="OOMKilled")],
        [],
        revisions(minutes_ago=600),
        now=NOW,
    )
    assert cause is not None
    assert (cause.key, cause.rollback, cause.logs) == ("diag_cause_oom", False, True)


def test_unschedulable_pods_are_named_with_the_schedulers_words() -> None:
    event = EventInfo(
        "Warning",
        "FailedScheduling",
        "0/2 nodes are available: 2 Insufficient cpu.",
        "pod/payment-7d9f-abcde",
        3,
        NOW,
    )
    cause = find_cause([pod(ready=False)], [event], revisions(minutes_ago=600), now=NOW)
    assert cause is not None
    assert cause.key == "diag_cause_unschedulable"
    assert cause.params == {"message": "0/2 nodes are available: 2 Insufficient cpu."}


def test_trouble_after_a_deploy_in_the_last_hour_blames_the_deploy() -> None:
    cause = find_cause([pod(ready=False, restarts=2)], [], revisions(minutes_ago=12), now=NOW)
    assert cause is not None
    assert cause.key == "diag_cause_recent_deploy"
    assert cause.params == {"revision": "2", "image": "payment:1.1.0", "minutes": "12"}
    assert cause.rollback


def test_an_old_deploy_is_not_blamed_and_a_healthy_app_has_no_cause() -> None:
    assert (
        find_cause([pod(ready=False, restarts=2)], [], revisions(minutes_ago=90), now=NOW) is None
    )
    assert find_cause([pod()], [], revisions(minutes_ago=5), now=NOW) is None


def test_the_last_error_line_is_the_one_quoted() -> None:
    log = "INFO starting\nERROR first\nTraceback:\n  File x\nValueError: bad port\nINFO bye"
    assert last_error_line(log) == "ValueError: bad port"
    assert last_error_line("INFO all good") is None
