"""Fixtures for the outbox: a real Slack sandbox over HTTP, the real slack_sdk client, and
outboxes on a real database (SQLite in tmp_path, or PostgreSQL where a test asks for it)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.chat.slack_transport import SlackTransport, slack_web_client
from bot.outbox import Outbox
from bot.store import open_store
from bot.store.engine import Store
from sandbox.slack import SlackSandbox

MakeOutbox = Callable[..., Outbox]


@pytest.fixture
def slack() -> Iterator[SlackSandbox]:
    with SlackSandbox() as sandbox:
        yield sandbox


@pytest.fixture
def slack_client(slack: SlackSandbox) -> WebClient:
    return slack_web_client(slack.bot_token, slack.url + "/api/", timeout=5)


@pytest.fixture
def transport(slack_client: WebClient) -> SlackTransport:
    return SlackTransport(slack_client)


@pytest.fixture
def make_outbox(sqlite_url: str, transport: SlackTransport) -> Iterator[Callable[..., Outbox]]:
    """Build outboxes on one database (SQLite unless `url` is given); each is stopped and its
    store closed afterwards. Fast pacing unless a test asks otherwise."""
    made: list[tuple[Outbox, Store]] = []

    def make(url: str | None = None, **options: Any) -> Outbox:
        store = open_store(url or sqlite_url)
        settings: dict[str, Any] = {
            "transports": {"slack": transport},
            "channel_interval": 0.02,
            "workspace_per_second": 200.0,
            "max_attempts": 4,
            "retry_initial": 0.05,
            "retry_max": 0.5,
            "idle_poll": 0.2,
        }
        settings.update(options)
        outbox = Outbox(store, **settings)
        made.append((outbox, store))
        return outbox

    yield make
    for outbox, store in made:
        outbox.stop(timeout=5)
        store.dispose()


def texts(sandbox: SlackSandbox, channel: str) -> list[str]:
    return [m["text"] for m in sandbox.state_snapshot()["channels"][channel]["messages"]]


def api_calls(sandbox: SlackSandbox, method: str) -> list[dict[str, Any]]:
    return [c for c in sandbox.state_snapshot()["calls"] if c.get("api_method") == method]
