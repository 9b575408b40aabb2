"""The Notification plugin's POSTs, from the sandbox Jenkins to `bot.jenkins_notify`: a build
not started from chat is reported once in the owning team's channels, a red main branch is
called out, and what is not for Kuber is acknowledged and left alone.

A small HTTP receiver stands in for the server here, handing the parsed request to the handler
as the route does, and posting through a real outbox; `test_notify_served` goes through
`kuber serve` itself."""

from __future__ import annotations

import asyncio
import json
import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import jenkins as python_jenkins
import pytest
from sqlmodel import col, select
from starlette.applications import Starlette

from bot.jenkins_notify import handle_notification, notify_route
from bot.outbox import Outbox
from bot.settings import EnvSettings, KuberConfig, Settings
from bot.store import Store
from bot.store.engine import open_store
from bot.store.tables import OutboxMessage
from sandbox.jenkins import JenkinsSandbox
from sandbox.launcher import kuber_yaml
from tests.jenkins.conftest import start_jenkins
from tests.sandboxes import eventually

TOKEN = "webhook-token-for-tests"


@dataclass
class Receiver:
    """Kuber's side: answers each notification with what the handler says."""

    settings: Settings
    outbox: Outbox
    answers: list[tuple[int, dict[str, Any]]] = field(default_factory=list)
    url: str = ""


@pytest.fixture
def store(tmp_path: Path) -> Iterator[Store]:
    opened = open_store(f"sqlite:///{tmp_path / 'kuber.db'}")
    yield opened
    opened.dispose()


@pytest.fixture
def receiver(store: Store) -> Iterator[Receiver]:
    settings = Settings(
        env=EnvSettings.model_validate({"webhook_token": TOKEN}),
        config=KuberConfig.model_validate(kuber_yaml()),
    )
    kuber = Receiver(settings, Outbox(store, {}))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            try:
                payload = json.loads(self.rfile.read(length))
            except ValueError:
                payload = None
            status, body = handle_notification(
                self.headers.get("Authorization"),
                payload,
                settings=kuber.settings,
                post=kuber.outbox.enqueue_post,
                platforms=("slack", "mattermost"),
            )
            kuber.answers.append((status, body))
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    host, port = server.server_address[:2]
    kuber.url = f"http://{host!s}:{port}/jenkins/notify"
    yield kuber
    server.shutdown()
    server.server_close()


@pytest.fixture
def notifying(receiver: Receiver) -> Iterator[JenkinsSandbox]:
    server = start_jenkins(
        notify_url=receiver.url, notify_headers={"Authorization": f"Bearer {TOKEN}"}
    )
    yield server
    server.stop()


def posts(store: Store) -> list[OutboxMessage]:
    with store.session() as session:
        return list(session.exec(select(OutboxMessage).order_by(col(OutboxMessage.id))).all())


def build(server: JenkinsSandbox, job: str, parameters: dict[str, str]) -> int:
    client = python_jenkins.Jenkins(server.url, server.user, server.token, timeout=5)
    queue_id = client.build_job(job, parameters)

    def done() -> int | None:
        executable = client.get_queue_item(queue_id).get("executable")
        if not executable:
            return None
        info = client.get_build_info(job, executable["number"])
        return None if info["building"] else int(info["number"])

    return int(eventually(done))


def test_a_red_build_is_posted_once_to_each_channel_of_the_team(
    notifying: JenkinsSandbox, receiver: Receiver, store: Store
) -> None:
    number = build(notifying, "cart-build", {"BRANCH": "fix/fail-fast"})
    eventually(lambda: len(receiver.answers) == 3)  # STARTED, COMPLETED, FINALIZED
    assert [status for status, _ in receiver.answers] == [202, 200, 200]
    sent = posts(store)
    assert [(p.platform, p.channel) for p in sent] == [
        ("slack", "C0PAY"),
        ("mattermost", "ch-payments"),
    ]
    assert sent[0].reply["text"] == (
        f"❌ Build #{number} of cart (fix/fail-fast) ended FAILURE in Jenkins."
    )
    assert str(sent[0].reply["context"]).startswith(f"<{notifying.url}/job/cart-build/{number}/|")
    assert sent[1].reply["context"] == (
        f"[cart-build #{number}]({notifying.url}/job/cart-build/{number}/)"
    )


def test_a_red_main_branch_is_called_out(
    notifying: JenkinsSandbox, receiver: Receiver, store: Store
) -> None:
    job = notifying.world.job("auth-build")
    assert job is not None
    job.spec.fail = True
    number = build(notifying, "auth-build", {"BRANCH": "main"})
    eventually(lambda: len(posts(store)) == 2)
    assert posts(store)[0].reply["text"] == (
        f"*🚨 main is red: build #{number} of auth ended FAILURE.*"
    )
    assert str(posts(store)[1].reply["text"]).startswith("**🚨 main is red")


def test_builds_started_from_chat_are_left_to_their_thread(
    notifying: JenkinsSandbox, receiver: Receiver, store: Store
) -> None:
    build(notifying, "cart-build", {"BRANCH": "main", "REQUESTED_BY": "alice"})
    eventually(lambda: len(receiver.answers) == 3)
    assert {status for status, _ in receiver.answers} == {202}
    assert posts(store) == []


def test_what_is_not_for_kuber_is_acknowledged_or_refused(receiver: Receiver) -> None:
    def ask(authorization: str | None, payload: Any) -> tuple[int, dict[str, Any]]:
        return handle_notification(
            authorization,
            payload,
            settings=receiver.settings,
            post=receiver.outbox.enqueue_post,
            platforms=("slack",),
        )

    good = {
        "name": "nobody-build",
        "build": {"number": 1, "phase": "COMPLETED", "status": "SUCCESS"},
    }
    assert ask(None, good)[0] == 401
    assert ask("Bearer wrong", good)[0] == 401
    assert ask(f"Bearer {TOKEN}", ["not", "an", "object"])[0] == 400
    assert ask(f"Bearer {TOKEN}", {"name": "x", "build": {"number": "7"}})[0] == 400
    status, body = ask(f"Bearer {TOKEN}", good)
    assert status == 202
    assert "no app" in body["ignored"]
    off = Settings(env=EnvSettings(), config=receiver.settings.config)
    assert (
        handle_notification(
            f"Bearer {TOKEN}", good, settings=off, post=receiver.outbox.enqueue_post, platforms=()
        )[0]
        == 404
    )


def test_the_route_reads_the_json_and_answers_with_the_handler(
    receiver: Receiver, store: Store
) -> None:
    app = Starlette(
        routes=[notify_route(receiver.settings, receiver.outbox.enqueue_post, ("slack",))]
    )
    payload = {
        "name": "payment-build",
        "build": {
            "number": 9,
            "phase": "FINALIZED",
            "status": "FAILURE",
            "parameters": {"BRANCH": "main"},
            "full_url": "http://jenkins/job/payment-build/9/",
        },
    }
    bearer = {"Authorization": f"Bearer {TOKEN}"}

    async def send() -> list[httpx.Response]:
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://kuber") as client:
            return [
                await client.post("/jenkins/notify", json=payload, headers=bearer),
                await client.post("/jenkins/notify", json=payload, headers=bearer),
                await client.post("/jenkins/notify", content=b"{", headers=bearer),
            ]

    first, again, broken = asyncio.run(send())
    assert (first.status_code, first.json()) == (200, {"status": "posted", "posts": 1})
    assert again.status_code == 200
    assert broken.status_code == 400
    sent = posts(store)
    assert len(sent) == 1  # the same build reported twice is posted once
    assert sent[0].reply["text"] == "*🚨 main is red: build #9 of payment ended FAILURE.*"
