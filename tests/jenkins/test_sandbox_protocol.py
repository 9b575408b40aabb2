"""python-jenkins against the sandbox Jenkins, unchanged: the client's own URLs, headers and
error handling decide whether the sandbox is faithful enough for Kuber's tests to mean much."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

import httpx
import jenkins as python_jenkins
import pytest
import requests

from sandbox.jenkins import JenkinsSandbox
from tests.jenkins.conftest import start_jenkins
from tests.sandboxes import eventually


def calls(server: JenkinsSandbox, method: str, suffix: str) -> list[dict[str, Any]]:
    state = httpx.get(f"{server.url}/_sandbox/state").json()
    return [c for c in state["calls"] if c["method"] == method and c["path"].endswith(suffix)]


def started(client: python_jenkins.Jenkins, queue_id: int) -> int:
    def number() -> int | None:
        executable = client.get_queue_item(queue_id).get("executable")
        return executable["number"] if executable else None

    return int(eventually(number))


def finished(client: python_jenkins.Jenkins, job: str, number: int) -> dict[str, Any]:
    def done() -> dict[str, Any] | None:
        info = client.get_build_info(job, number)
        return None if info["building"] else info

    return dict(eventually(done))


def test_without_credentials_every_request_is_401(jenkins: JenkinsSandbox) -> None:
    anonymous = python_jenkins.Jenkins(jenkins.url, timeout=5)
    with pytest.raises(python_jenkins.JenkinsException, match=r"\[401\]"):
        anonymous.get_job_info("payment-build")
    answer = httpx.get(f"{jenkins.url}/job/payment-build/api/json")
    assert answer.status_code == 401
    assert answer.headers["WWW-Authenticate"] == 'Basic realm="Jenkins"'
    wrong = python_jenkins.Jenkins(jenkins.url, jenkins.user, "not-the-token", timeout=5)
    with pytest.raises(python_jenkins.JenkinsException, match=r"\[401\]"):
        wrong.get_whoami()


def test_the_client_fetches_a_crumb_once_and_sends_it_with_posts(
    jenkins: JenkinsSandbox, client: python_jenkins.Jenkins
) -> None:
    assert client.get_whoami()["id"] == "kuber"
    assert client.get_version() == "2.479.3"
    client.build_job("cart-build", {"BRANCH": "main"})
    client.build_job("cart-build", {"BRANCH": "main"})
    state = httpx.get(f"{jenkins.url}/_sandbox/state").json()
    assert state["crumbsIssued"] == 1
    posts = calls(jenkins, "POST", "/buildWithParameters")
    assert [p["status"] for p in posts] == [201, 201]
    assert all(p["crumb"] for p in posts)


def test_a_post_without_a_crumb_or_with_a_stale_one_is_403(
    jenkins: JenkinsSandbox, client: python_jenkins.Jenkins
) -> None:
    bare = requests.post(
        f"{jenkins.url}/job/cart-build/build", auth=(jenkins.user, jenkins.token), timeout=5
    )
    assert bare.status_code == 403
    assert "No valid crumb" in bare.text
    client.build_job("cart-build", {"BRANCH": "main"})
    jenkins.restart()  # Jenkins forgets the crumbs it handed out
    with pytest.raises(python_jenkins.JenkinsException, match=r"\[403\]"):
        client.build_job("cart-build", {"BRANCH": "main"})
    client.crumb = None  # what a client does about it: ask for a new one
    assert client.build_job("cart-build", {"BRANCH": "main"}) > 0


def test_unknown_jobs_builds_and_queue_items_are_404(client: python_jenkins.Jenkins) -> None:
    with pytest.raises(python_jenkins.JenkinsException, match="does not exist"):
        client.get_job_info("no-such-job")
    assert client.get_job_name("no-such-job") is None
    with pytest.raises(python_jenkins.JenkinsException, match="does not exist"):
        client.get_build_info("payment-build", 999)
    with pytest.raises(python_jenkins.JenkinsException, match="does not exist"):
        client.get_queue_item(99999)
    with pytest.raises(python_jenkins.NotFoundException):
        client.build_job("no-such-job")


def test_jobs_show_their_parameters_history_and_estimate(client: python_jenkins.Jenkins) -> None:
    info = client.get_job_info("payment-build")
    assert info["_class"] == "org.jenkinsci.plugins.workflow.job.WorkflowJob"
    definitions = info["property"][0]["parameterDefinitions"]
    branch = next(d for d in definitions if d["name"] == "BRANCH")
    assert branch["defaultParameterValue"]["value"] == "main"
    assert [b["number"] for b in info["builds"]] == [3, 2, 1]
    assert info["nextBuildNumber"] == 4
    assert info["lastFailedBuild"]["number"] == 2
    last = client.get_build_info("payment-build", info["lastBuild"]["number"])
    assert last["result"] == "SUCCESS"
    assert last["estimatedDuration"] > 0
    causes = next(a for a in last["actions"] if a.get("_class") == "hudson.model.CauseAction")
    assert causes["causes"][0]["shortDescription"] == "Started by timer"


def test_folders_hold_jobs(client: python_jenkins.Jenkins) -> None:
    names = {job["fullname"] for job in client.get_all_jobs()}
    assert {"payments", "payments/payment-deploy", "payment-build"} <= names
    assert client.is_folder("payments")
    deploy = client.get_job_info("payments/payment-deploy")
    assert deploy["fullName"] == "payments/payment-deploy"
    queue_id = client.build_job("payments/payment-deploy", {"VERSION": "1.1.4"})
    number = started(client, queue_id)
    build = finished(client, "payments/payment-deploy", number)
    assert build["url"].endswith("/job/payments/job/payment-deploy/4/")
    assert build["result"] == "SUCCESS"


def test_a_build_waits_out_the_quiet_period_then_runs_its_stages_and_succeeds() -> None:
    server = start_jenkins(quiet_period=60.0)
    try:
        client = python_jenkins.Jenkins(server.url, server.user, server.token, timeout=5)
        queue_id = client.build_job("order-service-build", {"BRANCH": "feature/coupons"})
        item = client.get_queue_item(queue_id)
        assert item["_class"] == "hudson.model.Queue$WaitingItem"
        assert item["why"].startswith("In the quiet period. Expires in")
        assert item["params"] == "\nBRANCH=feature/coupons\nREQUESTED_BY="
        server.end_quiet_period(queue_id)
        number = started(client, queue_id)
        left = client.get_queue_item(queue_id)
        assert left["_class"] == "hudson.model.Queue$LeftItem"
        assert left["executable"]["number"] == number
        build = finished(client, "order-service-build", number)
        assert build["result"] == "SUCCESS"
        assert build["duration"] > 0
        assert build["queueId"] == queue_id
        parameters = next(a for a in build["actions"] if "parameters" in a)["parameters"]
        assert {"name": "BRANCH", "value": "feature/coupons"} in [
            {"name": p["name"], "value": p["value"]} for p in parameters
        ]
        described = client.get_build_stages("order-service-build", number)
        assert described["status"] == "SUCCESS"
        assert [s["name"] for s in described["stages"]] == [
            "Checkout",
            "Build",
            "Test",
            "Push image",
        ]
        assert {s["status"] for s in described["stages"]} == {"SUCCESS"}
        console = client.get_build_console_output("order-service-build", number)
        assert "refs/remotes/origin/feature/coupons" in console
        assert console.rstrip().endswith("Finished: SUCCESS")
        tag = client.get_build_artifact_as_bytes("order-service-build", number, "image-tag.txt")
        assert tag == f"feature-coupons-{number}\n".encode()
    finally:
        server.stop()


def test_a_branch_with_fail_in_it_fails_in_the_test_stage(
    client: python_jenkins.Jenkins,
) -> None:
    number = started(client, client.build_job("cart-build", {"BRANCH": "fix/fail-fast"}))
    build = finished(client, "cart-build", number)
    assert build["result"] == "FAILURE"
    stages = client.get_build_stages("cart-build", number)["stages"]
    assert [(s["name"], s["status"]) for s in stages] == [
        ("Checkout", "SUCCESS"),
        ("Build", "SUCCESS"),
        ("Test", "FAILED"),
        ("Push image", "NOT_EXECUTED"),
    ]
    assert (
        client.get_build_console_output("cart-build", number).rstrip().endswith("Finished: FAILURE")
    )
    assert client.get_job_info("cart-build")["color"] == "red"


def test_the_progressive_log_comes_in_pieces_until_the_build_ends(
    jenkins: JenkinsSandbox, client: python_jenkins.Jenkins
) -> None:
    number = started(client, client.build_job("payment-build", {"BRANCH": "main"}))
    url = f"{jenkins.url}/job/payment-build/{number}/logText/progressiveText"
    auth = (jenkins.user, jenkins.token)
    offset, text, more = 0, b"", True
    while more:
        answer = httpx.get(url, params={"start": offset}, auth=auth)
        assert answer.status_code == 200
        text += answer.content
        offset = int(answer.headers["X-Text-Size"])
        more = answer.headers.get("X-More-Data") == "true"
    assert text.decode() == client.get_build_console_output("payment-build", number)


def test_stop_aborts_a_running_build() -> None:
    server = start_jenkins(build_duration=120.0)
    try:
        client = python_jenkins.Jenkins(server.url, server.user, server.token, timeout=5)
        number = started(client, client.build_job("auth-build", {"BRANCH": "main"}))
        running = client.get_build_info("auth-build", number)
        assert running["building"]
        assert running["result"] is None
        assert running["estimatedDuration"] > 0
        assert client.get_build_stages("auth-build", number)["status"] == "IN_PROGRESS"
        client.stop_build("auth-build", number)  # 302 to the build's page, followed
        build = finished(client, "auth-build", number)
        assert build["result"] == "ABORTED"
        interrupted = next(a for a in build["actions"] if "Interrupted" in a.get("_class", ""))
        assert interrupted["causes"][0]["shortDescription"] == "Aborted by kuber"
        assert "Aborted by kuber" in client.get_build_console_output("auth-build", number)
        stages = client.get_build_stages("auth-build", number)
        assert stages["status"] == "ABORTED"
        assert "ABORTED" in {s["status"] for s in stages["stages"]}
        assert [c["status"] for c in calls(server, "POST", f"/{number}/stop")] == [302]
    finally:
        server.stop()


def test_a_queue_item_can_be_cancelled_and_is_forgotten_later() -> None:
    server = start_jenkins(quiet_period=60.0)
    server.world.queue_item_ttl = 0.2
    try:
        client = python_jenkins.Jenkins(server.url, server.user, server.token, timeout=5)
        queue_id = client.build_job("cart-build", {"BRANCH": "main"})
        assert [i["id"] for i in client.get_queue_info()] == [queue_id]
        client.cancel_queue(queue_id)
        item = client.get_queue_item(queue_id)
        assert item["cancelled"] is True
        assert item["executable"] is None
        assert client.get_queue_info() == []

        def forgotten() -> bool:
            try:
                client.get_queue_item(queue_id)
            except python_jenkins.JenkinsException:
                return True
            return False

        eventually(forgotten)
    finally:
        server.stop()


def test_a_tree_query_picks_fields_and_slices_lists(
    jenkins: JenkinsSandbox, client: python_jenkins.Jenkins
) -> None:
    answer = httpx.get(
        f"{jenkins.url}/job/payment-build/api/json",
        params={"tree": "builds[number,result,actions[causes[userId]]]{1,3}"},
        auth=(jenkins.user, jenkins.token),
    ).json()
    assert [b["number"] for b in answer["builds"]] == [2, 1]
    assert set(answer["builds"][0]) == {"_class", "number", "result", "actions"}
    users = [c["userId"] for a in answer["builds"][0]["actions"] for c in a.get("causes", [])]
    assert users == ["bob"]


class _Receiver(BaseHTTPRequestHandler):
    received: ClassVar[list[tuple[str, dict[str, str], bytes]]] = []

    def do_POST(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.received.append((self.path, dict(self.headers), self.rfile.read(length)))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, format: str, *args: Any) -> None:
        return


def test_the_notification_plugin_posts_each_phase_of_a_build() -> None:
    receiver = ThreadingHTTPServer(("127.0.0.1", 0), _Receiver)
    _Receiver.received = []
    threading.Thread(target=receiver.serve_forever, args=(0.05,), daemon=True).start()
    host, port = receiver.server_address[:2]
    server = start_jenkins(
        notify_url=f"http://{host!s}:{port}/jenkins/notify",
        notify_headers={"Authorization": "Bearer webhook-token"},
    )
    try:
        client = python_jenkins.Jenkins(server.url, server.user, server.token, timeout=5)
        number = started(client, client.build_job("cart-build", {"BRANCH": "fix/fail-fast"}))
        finished(client, "cart-build", number)
        eventually(lambda: len(_Receiver.received) == 3)
        payloads = [json.loads(body) for _, _, body in _Receiver.received]
        assert [p["build"]["phase"] for p in payloads] == ["STARTED", "COMPLETED", "FINALIZED"]
        assert "status" not in payloads[0]["build"]
        final = payloads[-1]
        assert final["name"] == "cart-build"
        assert final["build"]["number"] == number
        assert final["build"]["status"] == "FAILURE"
        assert final["build"]["parameters"]["BRANCH"] == "fix/fail-fast"
        assert final["build"]["scm"]["branch"] == "origin/fix/fail-fast"
        assert final["build"]["full_url"].endswith(f"/job/cart-build/{number}/")
        path, headers, _ = _Receiver.received[-1]
        assert path == "/jenkins/notify"
        assert headers["Authorization"] == "Bearer webhook-token"
    finally:
        server.stop()
        receiver.shutdown()
        receiver.server_close()
