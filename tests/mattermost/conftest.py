"""Fixtures for the Mattermost adapter: the Mattermost and Kubernetes sandboxes over HTTP, the
real mattermostdriver, a whole Kuber runtime, and the routes served by uvicorn on loopback.

Replies go through `ChannelConversation`, which posts with `MattermostTransport` at once: the
adapter is what is under test here, not the outbox.
"""

from __future__ import annotations

import socket
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from starlette.applications import Starlette

from bot.chat.mattermost import MattermostParts, build_mattermost, mattermost_routes
from bot.chat.mattermost_transport import MattermostTransport
from bot.inbox import Inbox
from bot.messages import Reply
from bot.runtime import Runtime, build_runtime
from bot.settings import EnvSettings, load_settings
from sandbox.kubernetes import KubernetesSandbox
from sandbox.mattermost import MattermostSandbox
from tests.sandboxes import sandbox_env

ACTION_SECRET = "test-action-secret-0123456789"
# The port is replaced by the live server's; routes only need the path to be right.
PUBLIC_URL = "http://127.0.0.1:9"


def wait_for(condition: Callable[[], Any], timeout: float = 10.0, what: str = "") -> Any:
    deadline = time.monotonic() + timeout
    while True:
        value = condition()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what or condition}")
        time.sleep(0.02)


def mattermost_env(sandbox: MattermostSandbox, public_url: str = PUBLIC_URL) -> dict[str, str]:
    return {
        "KUBER_MATTERMOST_URL": sandbox.url,
        "KUBER_MATTERMOST_TOKEN": sandbox.bot_token,
        "KUBER_MATTERMOST_COMMAND_TOKEN": sandbox.command_token,
        "KUBER_MATTERMOST_ACTION_SECRET": ACTION_SECRET,
        "KUBER_PUBLIC_URL": public_url,
    }


def env_settings(values: dict[str, str]) -> EnvSettings:
    """Settings as start-up validates them: an incomplete set is a `ConfigError`."""
    return load_settings(values).env


@pytest.fixture
def mattermost() -> Iterator[MattermostSandbox]:
    with MattermostSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def parts(mattermost: MattermostSandbox) -> MattermostParts:
    return build_mattermost(env_settings(mattermost_env(mattermost)))


@pytest.fixture
def transport(parts: MattermostParts) -> MattermostTransport:
    return parts.transport


@dataclass
class ChannelConversation:
    """A conversation in one channel that posts and edits through the transport, at once.

    A reply for one person goes out as an ephemeral post, and an edit of one as a new
    ephemeral post to the same person, as the outbox does.
    """

    transport: MattermostTransport
    channel: str
    thread: str | None = None
    posted: list[str] = field(default_factory=list)
    #: Ephemeral post id -> the person it was shown to.
    private: dict[str, str] = field(default_factory=dict)

    def post(self, reply: Reply) -> str:
        audience = reply.private_to
        if audience is not None:
            ref = self.transport.send_ephemeral(self.channel, audience, reply, self.thread)
            self.private[ref] = audience
        else:
            ref = self.transport.send_post(self.channel, reply, self.thread, uuid.uuid4().hex)
        self.posted.append(ref)
        return ref

    def edit(self, ref: str, reply: Reply) -> None:
        audience = self.private.get(ref)
        if audience is not None:
            self.transport.send_ephemeral(self.channel, audience, reply, self.thread)
        else:
            self.transport.send_edit(self.channel, ref, reply)


class Worker:
    """`submit` for the routes: runs work in threads; `drain` waits for all of it."""

    def __init__(self) -> None:
        self.pool = ThreadPoolExecutor(max_workers=4, thread_name_prefix="test-worker")
        self.futures: list[Future[None]] = []

    def submit(self, work: Callable[[], None]) -> None:
        self.futures.append(self.pool.submit(work))

    def drain(self, timeout: float = 30.0) -> None:
        done, pending = wait(self.futures, timeout=timeout)
        assert not pending, "work still running"
        for future in done:
            future.result()


@pytest.fixture
def worker() -> Iterator[Worker]:
    pool = Worker()
    yield pool
    pool.pool.shutdown(wait=True, cancel_futures=True)


@pytest.fixture
def kuber_env(
    tmp_path: Path, clusters: dict[str, KubernetesSandbox], mattermost: MattermostSandbox
) -> dict[str, str]:
    return sandbox_env(tmp_path, clusters, **mattermost_env(mattermost))


@pytest.fixture
def runtime(kuber_env: dict[str, str]) -> Iterator[Runtime]:
    built = build_runtime(kuber_env)
    yield built
    built.close()


@dataclass
class Kuber:
    """Kuber's Mattermost side as the server would wire it, with what each piece did."""

    runtime: Runtime
    parts: MattermostParts
    worker: Worker
    conversations: dict[tuple[str, str | None], ChannelConversation]

    def conversation(self, platform: str, channel: str, thread: str | None) -> Any:
        assert platform == "mattermost"
        key = (channel, thread)
        if key not in self.conversations:
            self.conversations[key] = ChannelConversation(self.parts.transport, channel, thread)
        return self.conversations[key]

    def app(self) -> Starlette:
        return Starlette(
            routes=mattermost_routes(
                settings=self.runtime.settings,
                receiver=Inbox(
                    self.runtime.store,
                    self.runtime.dispatcher,
                    self.conversation,
                    self.worker.submit,
                ),
                driver=self.parts.driver,
            )
        )


@pytest.fixture
def kuber(runtime: Runtime, worker: Worker) -> Kuber:
    return Kuber(runtime, build_mattermost(runtime.settings), worker, {})


class LiveServer:
    """uvicorn serving an app on a loopback port, in a background thread."""

    def __init__(self, app: Starlette) -> None:
        self.socket = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.socket.bind(("127.0.0.1", 0))
        port = self.socket.getsockname()[1]
        self.url = f"http://127.0.0.1:{port}"
        config = uvicorn.Config(
            app, log_level="warning", lifespan="off", ws="none", http="h11", loop="asyncio"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(
            target=self.server.run, kwargs={"sockets": [self.socket]}, daemon=True
        )

    def start(self) -> LiveServer:
        self.thread.start()
        wait_for(lambda: self.server.started, 10, "uvicorn to start")
        return self

    def stop(self) -> None:
        self.server.should_exit = True
        self.thread.join(10)
        self.socket.close()


@pytest.fixture
def live(kuber: Kuber) -> Iterator[LiveServer]:
    server = LiveServer(kuber.app()).start()
    # Buttons must point at this server, whose port is only known now.
    kuber.parts.transport.actions_url = server.url + "/mattermost/actions"
    yield server
    server.stop()
