"""`integrations.jenkins` against the sandbox Jenkins: parameters from the job's definitions,
branch names checked before Jenkins hears of them, the queue, the stale crumb retried once,
and every failure mapped into Kuber's error tree."""

from __future__ import annotations

import threading
from typing import Any

import httpx
import pytest

from bot.errors import PermanentError, TemporaryError, UserError
from bot.services import Services
from bot.settings import EnvSettings, KuberConfig, Settings
from integrations.jenkins import (
    BuildInfo,
    BuildProgress,
    ConsoleTail,
    JenkinsBuilds,
    JobInfo,
    ParameterDefinition,
    QueueOutcome,
    branch_problem,
    build_parameters,
)
from sandbox.jenkins import JenkinsSandbox
from tests.jenkins.conftest import closed_port_url, start_jenkins
from tests.sandboxes import eventually


def builds_of(server: JenkinsSandbox, job: str) -> list[dict[str, Any]]:
    state = httpx.get(f"{server.url}/_sandbox/state").json()
    return next(j["builds"] for j in state["jobs"] if j["name"] == job)


def calls(server: JenkinsSandbox, method: str, suffix: str) -> list[dict[str, Any]]:
    state = httpx.get(f"{server.url}/_sandbox/state").json()
    return [c for c in state["calls"] if c["method"] == method and c["path"].endswith(suffix)]


@pytest.fixture
def builds(jenkins: JenkinsSandbox) -> JenkinsBuilds:
    return JenkinsBuilds(jenkins.url, jenkins.user, jenkins.token, timeout=5)


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("main", None),
        ("feature/coupons", None),
        ("release-1.4.x", None),
        ("", "jenkins_branch_empty"),
        ("fix..it", "jenkins_branch_sequence"),
        ("a@{1}", "jenkins_branch_shell"),
        ("with space", "jenkins_branch_space"),
        ("feature/$(rm -rf ~)", "jenkins_branch_space"),
        ("x$(id)", "jenkins_branch_shell"),
        ("what?", "jenkins_branch_special"),
        ("a:b", "jenkins_branch_special"),
        ("-rf", "jenkins_branch_dash"),
        ("HEAD", "jenkins_branch_reserved"),
        ("@", "jenkins_branch_reserved"),
        ("/lead", "jenkins_branch_slashes"),
        ("trail/", "jenkins_branch_slashes"),
        ("a//b", "jenkins_branch_slashes"),
        ("dot.", "jenkins_branch_trailing_dot"),
        ("feature/.hidden", "jenkins_branch_dot_component"),
        ("feature/x.lock", "jenkins_branch_lock"),
        ("x" * 201, "jenkins_branch_long"),
    ],
)
def test_branch_names_follow_git_and_stay_out_of_shells(name: str, problem: str | None) -> None:
    assert branch_problem(name) == problem


def _job(*parameters: ParameterDefinition) -> JobInfo:
    return JobInfo(
        "team/app-build", "http://j/job/team/job/app-build/", True, True, parameters, 1, None
    )


def test_parameters_take_the_job_defaults_and_the_roles_given() -> None:
    job = _job(
        ParameterDefinition("GIT_BRANCH", "string", "main"),
        ParameterDefinition("ENV", "choice", "staging", ("staging", "production")),
        ParameterDefinition("DRY_RUN", "boolean", "false"),
        ParameterDefinition("SECRET", "other", None),
    )
    parameters = build_parameters(job, {"branch": "feature/x", "requested_by": "alice"})
    assert parameters == {"GIT_BRANCH": "feature/x", "ENV": "staging", "DRY_RUN": "false"}
    named = build_parameters(job, {"environment": "production"}, names={"environment": "ENV"})
    assert named["ENV"] == "production"
    with pytest.raises(UserError) as refused:
        build_parameters(job, {"environment": "qa"})
    assert refused.value.key == "jenkins_bad_choice"
    with pytest.raises(UserError) as missing:
        build_parameters(job, {"version": "1.2.3"})
    assert missing.value.key == "jenkins_no_parameter"
    with pytest.raises(UserError) as invalid:
        build_parameters(job, {"branch": "fix..it"})
    assert invalid.value.key == "jenkins_branch_sequence"


def test_a_job_is_read_with_its_parameter_definitions(builds: JenkinsBuilds) -> None:
    job = builds.job("payments/payment-deploy")
    assert job.name == "payments/payment-deploy"
    assert job.pipeline
    assert [p.name for p in job.parameters] == ["VERSION", "ENVIRONMENT", "REQUESTED_BY"]
    environment = job.definition("environment")
    assert environment is not None
    assert (environment.kind, environment.default) == ("choice", "staging")
    assert job.last_build == 3
    assert not builds.job("frontend-build").pipeline


def test_an_unknown_job_is_a_user_error_naming_the_closest(builds: JenkinsBuilds) -> None:
    with pytest.raises(UserError) as unknown:
        builds.job("paymnet-build")
    assert unknown.value.key == "jenkins_job_unknown_suggest"
    assert unknown.value.params["suggestions"] == "payment-build"
    with pytest.raises(UserError) as folder:
        builds.job("payments")
    assert folder.value.key == "jenkins_job_is_folder"


def test_a_build_from_the_queue_to_its_end(builds: JenkinsBuilds) -> None:
    queue_id = builds.start("payment-build", {"BRANCH": "main", "REQUESTED_BY": "alice"})
    left = builds.wait_for_start("payment-build", queue_id)
    assert left.number == 4
    assert not left.cancelled
    tail = ConsoleTail()
    info = builds.follow("payment-build", 4, tail=tail)
    assert (info.result, info.building) == ("SUCCESS", False)
    assert info.started_by == "alice"  # REQUESTED_BY, not Kuber's own account
    assert info.branch() == "main"
    assert tail.lines[-1] == "Finished: SUCCESS"
    assert len(tail.lines) == 30
    assert builds.image_tag(info, "artifact image-tag.txt") == "1.1.4"
    assert builds.image_tag(info, "description") == "1.1.4"
    assert builds.image_tag(info, "parameter BRANCH") == "main"
    assert builds.image_tag(info, "parameter NO_SUCH") is None
    assert builds.image_tag(info, "artifact missing.txt") is None


def test_a_forgotten_queue_item_is_found_by_its_build(jenkins: JenkinsSandbox) -> None:
    jenkins.world.queue_item_ttl = 0.0
    builds = JenkinsBuilds(jenkins.url, jenkins.user, jenkins.token, timeout=5)
    queue_id = builds.start("cart-build", {"BRANCH": "main"})
    info = builds.follow("cart-build", builds.wait_for_start("cart-build", queue_id).number or 0)
    assert info.result == "SUCCESS"
    # Jenkins has forgotten the item now; the build that came from it still says so.
    outcome = builds.queue_item("cart-build", queue_id)
    assert outcome.number == info.number
    with pytest.raises(PermanentError) as expired:
        builds.queue_item("cart-build", 424242)
    assert expired.value.key == "jenkins_queue_expired"


def test_a_stale_crumb_is_fetched_again_and_the_post_sent_once_more(
    jenkins: JenkinsSandbox, builds: JenkinsBuilds
) -> None:
    builds.job("cart-build")  # the crumb is fetched with the first request
    jenkins.restart()
    builds.start("cart-build", {"BRANCH": "main"})
    statuses = [c["status"] for c in calls(jenkins, "POST", "/buildWithParameters")]
    assert statuses == [403, 201]
    state = httpx.get(f"{jenkins.url}/_sandbox/state").json()
    assert state["crumbsIssued"] == 2


def test_a_403_that_a_new_crumb_does_not_cure_is_retried_only_once(
    jenkins: JenkinsSandbox, builds: JenkinsBuilds
) -> None:
    jenkins.inject(r"^POST .*/buildWithParameters$", 403)
    with pytest.raises(PermanentError) as refused:
        builds.start("cart-build", {"BRANCH": "main"})
    assert refused.value.key == "jenkins_forbidden"
    assert len(calls(jenkins, "POST", "/buildWithParameters")) == 2
    assert builds_of(jenkins, "cart-build")[0]["number"] == 3  # nothing was queued


def test_jenkins_down_is_a_temporary_error() -> None:
    builds = JenkinsBuilds(closed_port_url(), "kuber", "token", timeout=2)
    with pytest.raises(TemporaryError) as down:
        builds.job("payment-build")
    assert down.value.key == "jenkins_down"


def test_refused_credentials_are_a_permanent_error(jenkins: JenkinsSandbox) -> None:
    builds = JenkinsBuilds(jenkins.url, jenkins.user, "wrong-token", timeout=5)
    with pytest.raises(PermanentError) as refused:
        builds.job("payment-build")
    assert refused.value.key == "jenkins_unauthorized"
    assert "KUBER_JENKINS_TOKEN" in str(refused.value)


def test_server_errors_are_temporary(jenkins: JenkinsSandbox, builds: JenkinsBuilds) -> None:
    jenkins.inject(r"^GET /job/payment-build/api/json$", 503, times=1)
    with pytest.raises(TemporaryError) as failed:
        builds.job("payment-build")
    assert failed.value.key == "jenkins_server_error"
    assert builds.job("payment-build").name == "payment-build"


def test_a_running_build_reports_progress_and_is_aborted() -> None:
    server = start_jenkins(build_duration=120.0, quiet_period=60.0)
    try:
        builds = JenkinsBuilds(server.url, server.user, server.token, timeout=5)
        queue_id = builds.start("auth-build", {"BRANCH": "main"})
        waits: list[QueueOutcome] = []
        server_released = threading.Event()

        def waited(outcome: QueueOutcome) -> None:
            waits.append(outcome)
            if not server_released.is_set():
                server_released.set()
                server.end_quiet_period(queue_id)

        number = builds.wait_for_start("auth-build", queue_id, on_wait=waited).number
        assert number is not None
        assert waits[0].why is not None
        assert waits[0].why.startswith("In the quiet period")
        progress: list[BuildProgress] = []
        ended: list[BuildInfo] = []
        following = threading.Thread(
            target=lambda: ended.append(
                builds.follow("auth-build", number, on_progress=progress.append, tail=ConsoleTail())
            )
        )
        following.start()
        first = eventually(lambda: progress[0] if progress else None)
        assert first.build.building
        assert first.estimated_s is not None
        assert first.fraction is not None
        assert 0 <= first.fraction < 1
        assert first.current_stage is not None
        builds.abort("auth-build", number)
        following.join(timeout=60)
        assert (ended[0].result, ended[0].aborted_by) == ("ABORTED", "kuber")
    finally:
        server.stop()


def test_the_last_builds_come_newest_first_with_who_and_which_branch(
    builds: JenkinsBuilds,
) -> None:
    found = builds.last_builds("payment-build", limit=2)
    assert [(b.number, b.result) for b in found] == [(3, "SUCCESS"), (2, "FAILURE")]
    assert [b.started_by for b in found] == ["timer", "bob"]
    assert [b.branch() for b in found] == ["main", "fix/fail-fast"]
    assert all(b.duration_ms > 0 for b in found)


def test_without_a_jenkins_url_builds_are_not_configured() -> None:
    services = Services(Settings(env=EnvSettings(), config=KuberConfig()))
    with pytest.raises(UserError) as missing:
        _ = services.jenkins
    assert str(missing.value) == "Jenkins is not configured: set KUBER_JENKINS_URL."
    half = EnvSettings.model_validate({"jenkins_url": "http://jenkins:8080", "jenkins_user": "k"})
    with pytest.raises(UserError) as token:
        _ = Services(Settings(env=half, config=KuberConfig())).jenkins
    assert token.value.params["variable"] == "KUBER_JENKINS_TOKEN"
