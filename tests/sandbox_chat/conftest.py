"""Fixtures for the chat sandboxes: started servers, real clients pointed at them, and small
receivers standing in for Kuber's HTTP endpoints (a slack-bolt App for Slack, plain routes for
Mattermost), so every request crosses a real socket.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from mattermostdriver import Driver
from slack_bolt import App, BoltRequest
from slack_sdk import WebClient

from sandbox.http import Request, Response, SandboxServer
from sandbox.mattermost import MattermostSandbox
from sandbox.slack import SlackSandbox


@pytest.fixture
def slack() -> Iterator[SlackSandbox]:
    with SlackSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def slack_client(slack: SlackSandbox) -> WebClient:
    return WebClient(token=slack.bot_token, base_url=slack.url + "/api/")


@pytest.fixture
def bolt_app(slack: SlackSandbox, slack_client: WebClient) -> App:
    # process_before_response runs listeners before the HTTP answer, so a test sees their effect
    # as soon as the helper returns.
    return App(
        token=slack.bot_token,
        signing_secret=slack.signing_secret,
        client=slack_client,
        process_before_response=True,
    )


class Receiver(SandboxServer):
    """An empty server a test gives routes to; it journals what it received."""

    name = "receiver"


@pytest.fixture
def receiver() -> Iterator[SandboxServer]:
    server = Receiver().start()
    yield server
    server.stop()


@pytest.fixture
def bolt_url(bolt_app: App, receiver: SandboxServer) -> str:
    """The URL of `/slack/events` served by the Bolt app, as Kuber's server would."""

    def events(request: Request) -> Response:
        bolt_response = bolt_app.dispatch(
            BoltRequest(body=request.body.decode(), headers=dict(request.headers))
        )
        content_type = bolt_response.headers.get("content-type", ["text/plain"])[0]
        return Response(bolt_response.status, bolt_response.body, content_type=content_type)

    receiver.route("POST", "/slack/events", events)
    return receiver.url + "/slack/events"


@pytest.fixture
def mattermost() -> Iterator[MattermostSandbox]:
    with MattermostSandbox() as sandbox:
        yield sandbox


def driver_options(sandbox: MattermostSandbox, token: str) -> dict[str, object]:
    port = int(sandbox.url.rsplit(":", 1)[1])
    return {
        "url": "127.0.0.1",
        "port": port,
        "scheme": "http",
        "token": token,
        "basepath": "/api/v4",
        "timeout": 5,
        "keepalive_delay": 0.1,
    }


@pytest.fixture
def make_driver(mattermost: MattermostSandbox) -> Callable[..., Driver]:
    def make(token: str | None = None) -> Driver:
        return Driver(driver_options(mattermost, token or mattermost.bot_token))

    return make


@pytest.fixture
def driver(make_driver: Callable[..., Driver]) -> Driver:
    logged_in = make_driver()
    logged_in.login()
    return logged_in
