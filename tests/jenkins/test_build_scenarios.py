"""Builds from chat against the sandbox Jenkins: `build payment` as a plan, approved, followed
in one message to its result; a red build with its console tail and Retry; Abort from a chat
platform; what goes wrong (unknown app or job, bad branch, Jenkins down, refused credentials,
a stale crumb, a queue item cancelled in Jenkins); and `builds APP`."""

from __future__ import annotations

import json
import threading
from typing import Any

import httpx
import jenkins as python_jenkins

from bot.dispatch import ActionClick
from bot.messages import Actor, Incoming, Reply
from sandbox.jenkins import JenkinsSandbox
from tests.jenkins.conftest import ChatFactory, closed_port_url, jenkins_env, start_jenkins
from tests.sandboxes import eventually
from tests.scenarios.conftest import Chat, all_text


def state(server: JenkinsSandbox) -> dict[str, Any]:
    return dict(httpx.get(f"{server.url}/_sandbox/state").json())


def builds_of(server: JenkinsSandbox, job: str) -> list[dict[str, Any]]:
    return next(j["builds"] for j in state(server)["jobs"] if j["name"] == job)


def field(reply: dict[str, Any], label: str) -> str:
    return str(next(f["value"] for f in reply["fields"] if f["label"] == label))


def test_build_payment_plans_then_builds_and_reports_success(
    chat: Chat, jenkins: JenkinsSandbox
) -> None:
    replies = chat.say("build payment")
    plan = replies[0]
    assert plan["text"].startswith("Build payment #4 from branch main with Jenkins job")
    assert "Last build #3: SUCCESS" in plan["text"]
    assert [b["action"] for b in plan["buttons"]] == ["approve", "cancel"]
    assert {"label": "REQUESTED_BY", "value": "- → alice"} in plan["fields"]
    final = replies[-1]
    assert final["text"].startswith("✅ Build #4 of payment succeeded in")
    assert final["edit"]
    assert final["ref"] == plan["ref"]  # one message, edited throughout
    assert field(final, "Image tag") == "1.1.4"
    assert field(final, "Branch") == "main"
    assert field(final, "Stages") == "✅ Checkout · ✅ Build · ✅ Test · ✅ Push image"
    assert final["context"].endswith("/job/payment-build/4/")
    # python-jenkins sees the build, with who asked for it.
    client = python_jenkins.Jenkins(jenkins.url, jenkins.user, jenkins.token, timeout=5)
    build = client.get_build_info("payment-build", 4)
    assert build["result"] == "SUCCESS"
    parameters = {p["name"]: p["value"] for a in build["actions"] for p in a.get("parameters", [])}
    assert parameters == {"BRANCH": "main", "REQUESTED_BY": "alice"}


def test_a_branch_is_passed_as_the_branch_parameter(
    make_chat: ChatFactory, jenkins: JenkinsSandbox
) -> None:
    chat = make_chat()
    replies = chat.say("build order-service from branch feature/coupons")
    assert replies[0]["text"].startswith(
        "Build order-service #4 from branch feature/coupons with Jenkins job `order-service-build`"
    )
    assert {"label": "BRANCH", "value": "main → feature/coupons"} in replies[0]["fields"]
    assert replies[-1]["text"].startswith("✅ Build #4 of order-service succeeded")
    assert field(replies[-1], "Image tag") == "feature-coupons-4"
    newest = builds_of(jenkins, "order-service-build")[0]
    assert newest["parameters"]["BRANCH"] == "feature/coupons"


def test_korean_build_answers_in_korean(chat: Chat) -> None:
    replies = chat.say("order-service feature/coupons 브랜치 빌드해줘")
    assert replies[0]["text"].startswith("order-service의 feature/coupons 브랜치 빌드 #4 실행")
    assert replies[-1]["text"].startswith("✅ order-service 빌드 #4 성공")


def test_a_red_build_shows_its_stage_and_the_console_tail_with_retry(chat: Chat) -> None:
    replies = chat.say("build payment from branch fix/fail-fast")
    final = replies[-1]
    assert final["text"].startswith("❌ Build #4 of payment failed in stage Test after")
    assert final["error"]
    assert field(final, "Stages") == "✅ Checkout · ✅ Build · ❌ Test · ○ Push image"
    tail = next(r for r in replies if r["text"].startswith("The last 30 lines of the console"))
    lines = tail["code"].splitlines()
    assert len(lines) == 30
    assert lines[-1] == "Finished: FAILURE"
    assert any("rejectsExpiredCard() FAILED" in line for line in lines)
    assert tail["context"].endswith("/job/payment-build/4/console")
    retry = tail["buttons"][0]
    assert (retry["label"], retry["action"]) == ("Retry", "fill")
    assert json.loads(retry["value"])["branch"] == "fix/fail-fast"
    # Retry asks again: a new plan for the same branch, built as #5.
    again = chat.click("fill", retry["value"])
    assert again[0]["text"].startswith("Build payment #5 from branch fix/fail-fast")
    assert again[-1]["text"].startswith("❌ Build #5 of payment failed")


class Recorder:
    """A chat platform's conversation, as seen from the dispatcher: every post and edit."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.messages: list[tuple[str, str, Reply]] = []

    def post(self, reply: Reply) -> str:
        with self.lock:
            ref = f"post-{len(self.messages)}"
            self.messages.append(("post", ref, reply))
            return ref

    def edit(self, ref: str, reply: Reply) -> None:
        with self.lock:
            self.messages.append(("edit", ref, reply))

    def latest(self, ref: str) -> Reply:
        with self.lock:
            return [reply for _, r, reply in self.messages if r == ref][-1]

    def button(self, label: str) -> str | None:
        with self.lock:
            for _, _, reply in reversed(self.messages):
                for button in reply.buttons:
                    if button.label == label:
                        return button.value
        return None


def test_progress_then_abort_from_a_chat_platform(make_chat: ChatFactory) -> None:
    """On Slack the running build's message has a bar, its stages and an Abort button, which
    is a plan of its own: whoever may, clicks it, and the one message says who stopped it."""
    long_builds = start_jenkins(build_duration=120.0)
    try:
        chat = make_chat(**jenkins_env(long_builds))
        dispatcher = chat.runtime.dispatcher
        alice, bob = Actor("U0ALICE", "alice"), Actor("U0BOB", "bob")
        conversation = Recorder()
        dispatcher.handle_message(Incoming("slack", "C0PAY", alice, "build payment"), conversation)
        plan_ref = conversation.messages[0][1]
        approve = conversation.button("Approve")
        assert approve is not None
        click = ActionClick("slack", "C0PAY", alice, "approve", approve, plan_ref)
        applying = threading.Thread(target=dispatcher.handle_action, args=(click, conversation))
        applying.start()
        abort = eventually(lambda: conversation.button("Abort"))
        running = conversation.latest(plan_ref)
        assert running.text == "🔨 Building payment #4 (`payment-build`, main)"
        progress = next(f.value for f in running.fields if f.label == "Progress")
        assert "% · " in progress
        assert "of about" in progress
        assert progress.count("▓") + progress.count("░") == 12
        stages = next(f.value for f in running.fields if f.label == "Stages")
        assert "▶️" in stages
        dispatcher.handle_action(
            ActionClick("slack", "C0PAY", bob, "approve", abort, plan_ref), conversation
        )
        applying.join(timeout=60)
        assert not applying.is_alive()
        final = conversation.latest(plan_ref)
        assert final.text.startswith("⏹ Build #4 of payment was aborted by bob after")
        assert final.buttons == ()
        newest = builds_of(long_builds, "payment-build")[0]
        assert (newest["result"], newest["abortedBy"]) == ("ABORTED", "kuber")
        # The offer went with the build: a late click aborts nothing and is refused.
        dispatcher.handle_action(
            ActionClick("slack", "C0PAY", bob, "approve", abort, plan_ref), conversation
        )
        late = conversation.messages[-1][2]
        assert late.is_error
        assert late.text == "This plan was already carried out."
    finally:
        long_builds.stop()


def test_an_unknown_app_is_answered_with_the_closest_apps(chat: Chat) -> None:
    replies = chat.say("build checkout")
    assert replies[-1]["text"].startswith("I know no app called checkout")


def test_an_unknown_job_names_the_closest_jobs(
    make_chat: ChatFactory, jenkins: JenkinsSandbox
) -> None:
    def misspell(config: dict[str, Any]) -> None:
        config["apps"][0]["jenkins_job"] = "paymnet-build"

    chat = make_chat(edit=misspell)
    replies = chat.say("build payment")
    assert replies[-1]["text"] == (
        f"Jenkins at {jenkins.url}/ has no job `paymnet-build`; the closest are: payment-build. "
        "Check `jenkins_job` of the app in kuber.yaml."
    )
    assert replies[-1]["error"]


def test_an_invalid_branch_never_reaches_jenkins(chat: Chat, jenkins: JenkinsSandbox) -> None:
    replies = chat.say("build payment from branch fix..it")
    assert replies[-1]["text"] == (
        "`fix..it` is not a valid branch name: git refuses .. and @{ in names."
    )
    assert not any("/job/" in c["path"] for c in state(jenkins)["calls"])


def test_jenkins_down_is_said_plainly(make_chat: ChatFactory) -> None:
    url = closed_port_url()
    chat = make_chat(KUBER_JENKINS_URL=url)
    replies = chat.say("build payment")
    assert replies[-1]["text"] == (
        f"Jenkins at {url}/ is not answering (connection refused).\n"
        "Nothing was changed; please try again in a minute."
    )


def test_refused_credentials_are_explained(make_chat: ChatFactory, jenkins: JenkinsSandbox) -> None:
    chat = make_chat(KUBER_JENKINS_TOKEN="an-old-token")
    replies = chat.say("build payment")
    text = replies[-1]["text"]
    assert text.startswith(f"Jenkins at {jenkins.url}/ refused Kuber's credentials (401).")
    assert "KUBER_JENKINS_USER (now kuber) and KUBER_JENKINS_TOKEN" in text


def test_a_stale_crumb_is_fetched_again_and_the_build_starts(
    make_chat: ChatFactory, jenkins: JenkinsSandbox
) -> None:
    chat = make_chat(auto_approve=False)
    plan = chat.say("build cart")[0]
    jenkins.restart()  # between the plan and its approval, Jenkins restarted
    replies = chat.click("approve", plan["buttons"][0]["value"])
    assert replies[-1]["text"].startswith("✅ Build #4 of cart succeeded")
    posts = [c for c in state(jenkins)["calls"] if c["path"].endswith("/buildWithParameters")]
    assert [c["status"] for c in posts] == [403, 201]
    assert state(jenkins)["crumbsIssued"] == 2


def test_a_queue_item_cancelled_in_jenkins_is_reported(make_chat: ChatFactory) -> None:
    slow_queue = start_jenkins(quiet_period=120.0)
    try:
        chat = make_chat(**jenkins_env(slow_queue))
        console = chat.console("alice")
        replies: list[dict[str, Any]] = []
        asking = threading.Thread(target=lambda: replies.extend(console.say("build auth")))
        asking.start()
        # Kuber has shown the build waiting in the queue; then someone cancels it in Jenkins.
        shown = console.conversation.replies
        eventually(lambda: any(r["text"].startswith("⏳ The build of auth is in") for r in shown))
        client = python_jenkins.Jenkins(
            slow_queue.url, slow_queue.user, slow_queue.token, timeout=5
        )
        client.cancel_queue(client.get_queue_info()[0]["id"])
        asking.join(timeout=60)
        assert not asking.is_alive()
        final = replies[-1]
        assert final["text"].startswith(
            "🚫 The build of auth was cancelled in Jenkins before it started"
        )
        assert final["error"]
        assert [b["label"] for b in final["buttons"]] == ["Retry"]
        assert builds_of(slow_queue, "auth-build")[0]["number"] == 3
    finally:
        slow_queue.stop()


def test_last_builds_say_whether_the_app_is_green(chat: Chat) -> None:
    reply = chat.say("is the payment build green?")[-1]
    lines = reply["text"].splitlines()
    assert lines[0].startswith("🟢 Yes: the last build of payment, #3 (main), succeeded")
    assert lines[-1] == "Last builds of payment (`payment-build`):"
    table = reply["code"].splitlines()
    assert table[0].split() == ["#", "result", "took", "branch", "by", "when"]
    assert table[1].split()[:2] == ["#3", "SUCCESS"]
    assert table[2].split()[:2] == ["#2", "FAILURE"]
    assert "fix/fail-fast" in table[2]
    assert "bob" in table[2]
    assert "timer" in table[1]


def test_a_red_app_is_said_to_be_red_in_korean(chat: Chat) -> None:
    chat.say("build cart from branch fix/fail-fast")
    reply = chat.say("cart 빌드 결과")[-1]
    assert reply["text"].startswith("🔴 아니요, cart의 마지막 빌드 #4(fix/fail-fast)는")
    assert "FAILURE" in reply["text"]
    assert reply["code"].splitlines()[0].split()[:3] == ["#", "결과", "소요"]
    assert "alice" in all_text([reply])


def test_a_build_left_by_a_stopping_replica_is_followed_by_the_next(
    make_chat: ChatFactory, jenkins: JenkinsSandbox
) -> None:
    first = make_chat().runtime
    alice = Actor("U0ALICE", "alice")
    conversation = Recorder()
    first.dispatcher.handle_message(Incoming("slack", "C0PAY", alice, "build cart"), conversation)
    approve = conversation.button("Approve")
    assert approve is not None
    # This replica is stopping: it starts the build, stops following at its first look, and
    # hands the plan back for the next leader.
    first.dispatcher.interrupt.set()
    first.dispatcher.handle_action(
        ActionClick("slack", "C0PAY", alice, "approve", approve), conversation
    )
    assert first.dispatcher.hand_back_plans() == 1
    # The build was asked for (the queue keeps the item a while after it left).
    assert [i["task"]["name"] for i in state(jenkins)["queue"]] == ["cart-build"]

    second = make_chat().runtime
    resumed = eventually(second.dispatcher.claim_abandoned_plans)
    later = Recorder()
    second.dispatcher.resume(resumed[0], later)
    final = later.messages[-1][2]
    assert final.text.startswith("✅ Build #4 of cart succeeded")
    assert len([b for b in builds_of(jenkins, "cart-build") if b["number"] > 3]) == 1
