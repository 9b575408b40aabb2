"""`kuber serve` under abuse, over HTTP: scanners cannot grow the metrics, bodies that are not
UTF-8 are refused plainly on every chat route, and readiness turns off the moment a stop begins.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from bot.runtime import build_runtime
from bot.server import KuberServer
from sandbox.kubernetes import KubernetesSandbox
from sandbox.mattermost import MattermostSandbox
from sandbox.slack import SlackSandbox, sign_slack_request
from tests.sandboxes import eventually, mattermost_settings, sandbox_env, slack_settings
from tests.scenarios.conftest import deployment
from tests.scenarios.serving import free_port, running_server

#: Valid JSON and form syntax, but `\xff` and a lone `\xc3` are never UTF-8.
NOT_UTF8 = b"\xffkuber \xc3("


@pytest.fixture
def served(
    tmp_path: Path,
    clusters: dict[str, KubernetesSandbox],
    slack: SlackSandbox,
    mattermost: MattermostSandbox,
) -> Iterator[tuple[KuberServer, str]]:
    """One Kuber serving every route: Slack and Mattermost both configured."""
    port = free_port()
    env = sandbox_env(
        tmp_path,
        clusters,
        **slack_settings(slack),
        **mattermost_settings(mattermost, f"http://127.0.0.1:{port}"),
    )
    runtime = build_runtime(env)
    with running_server(runtime, port) as running:
        yield running
    runtime.close()


def metric_samples(url: str) -> list[str]:
    """The sample lines of `GET /metrics`: one per series, comments left out."""
    response = httpx.get(url + "/metrics")
    assert response.status_code == 200
    return [line for line in response.text.splitlines() if line and not line.startswith("#")]


def test_a_thousand_unknown_paths_add_no_metric_series(served: tuple[KuberServer, str]) -> None:
    _kuber, url = served
    with httpx.Client(base_url=url) as client:
        # One unknown path first, so the `unmatched` series exists before the count.
        assert client.get(f"/x/{uuid.uuid4()}").status_code == 404
        before = metric_samples(url)
        for number in range(1000):
            method = "GET" if number % 2 else "POST"
            response = client.request(method, f"/x/{uuid.uuid4()}", content=b"{}")
            assert response.status_code == 404
    after = metric_samples(url)

    assert len(after) == len(before)
    # The requests were counted, all under the one label.
    assert 'kuber_requests_answered_4xx_total{route="unmatched",status="404"} 1001.0' in after


def slack_signed(body: bytes, signing_secret: str) -> dict[str, str]:
    """The headers Slack sends with `body`: a valid signature over exactly these bytes."""
    timestamp = int(time.time())
    return {
        "Content-Type": "application/json",
        "X-Slack-Request-Timestamp": str(timestamp),
        "X-Slack-Signature": sign_slack_request(signing_secret, timestamp, body),
    }


def test_bodies_that_are_not_utf8_are_refused_with_a_reason_on_every_chat_route(
    served: tuple[KuberServer, str], slack: SlackSandbox, mattermost: MattermostSandbox
) -> None:
    _kuber, url = served
    slack_body = b'{"type": "event_callback", "event_id": "Ev0BAD", "event": {"text": "'
    slack_body += NOT_UTF8 + b'"}}'
    command_body = b"token=" + mattermost.command_token.encode() + b"&user_id=u-alice"
    command_body += b"&channel_id=ch-payments&text=" + NOT_UTF8
    actions_body = b'{"user_id": "u-alice", "channel_id": "ch-payments", "context": "'
    actions_body += NOT_UTF8 + b'"}'
    requests = [
        ("/slack/events", slack_body, slack_signed(slack_body, slack.signing_secret)),
        (
            "/mattermost/command",
            command_body,
            {"Content-Type": "application/x-www-form-urlencoded"},
        ),
        ("/mattermost/actions", actions_body, {"Content-Type": "application/json"}),
    ]

    for route, body, headers in requests:
        response = httpx.post(url + route, content=body, headers=headers)
        assert response.status_code == 400, (route, response.status_code, response.text)
        # The reason names the encoding: the refusal is not about a signature or a token.
        assert "UTF-8" in response.json()["error"], route

    # Refused, not broken: the server goes on answering, and on the same routes.
    assert httpx.get(url + "/healthz").json() == {"status": "ok"}
    assert slack.send_url_verification(url + "/slack/events", "still-here").json() == {
        "challenge": "still-here"
    }
    assert mattermost.send_slash_command(url + "/mattermost/command", "help").status_code == 200
    unsigned = httpx.post(url + "/mattermost/actions", json={"user_id": "u-alice", "context": {}})
    assert unsigned.status_code == 401
    assert unsigned.json() == {"error": "context refused: unsigned"}
    metrics = httpx.get(url + "/metrics").text
    assert 'kuber_requests_refused_total{reason="body not UTF-8",route="/slack/events"} 1.0' in (
        metrics
    )


def test_a_signed_click_encoded_as_utf16_is_refused_and_approves_nothing(
    served: tuple[KuberServer, str],
    mattermost: MattermostSandbox,
    clusters: dict[str, KubernetesSandbox],
) -> None:
    """`json.loads` of bytes guesses UTF-16 and UTF-32 from the first bytes; the actions route
    must not: Mattermost sends UTF-8, and a click in any other encoding is refused as such,
    however well it is signed."""
    _kuber, url = served
    mattermost.send_slash_command(url + "/mattermost/command", "scale cart to 3")
    plan = eventually(
        lambda: next(
            (p for p in mattermost.posts("ch-payments") if p["user_id"] == "u-kuber"), None
        )
    )
    approve = plan["props"]["attachments"][0]["actions"][0]["integration"]["context"]
    click = {
        "user_id": "u-alice",
        "user_name": "alice",
        "channel_id": "ch-payments",
        "post_id": plan["id"],
        "context": approve,
    }

    for encoding in ("utf-16", "utf-32"):
        response = httpx.post(
            url + "/mattermost/actions",
            content=json.dumps(click).encode(encoding),
            headers={"Content-Type": "application/json"},
        )
        assert response.status_code == 400, (encoding, response.status_code, response.text)
        assert "UTF-8" in response.json()["error"]
    # The same click in UTF-8 is good: only the encoding was wrong, and nothing ran before it.
    assert deployment(clusters["sandbox"], "cart")["spec"]["replicas"] == 2
    accepted = httpx.post(url + "/mattermost/actions", content=json.dumps(click).encode())
    assert accepted.status_code == 200
    eventually(lambda: deployment(clusters["sandbox"], "cart")["spec"]["replicas"] == 3)


def test_readiness_turns_off_as_soon_as_a_stop_begins(served: tuple[KuberServer, str]) -> None:
    kuber, url = served
    ready = httpx.get(url + "/readyz")
    assert ready.status_code == 200
    assert ready.json()["leader"] is True

    # Work in flight holds `stop()` up (it gives such work a grace period): readiness must be
    # off for the whole of it, not only once the stop is done.
    release = threading.Event()
    working = threading.Event()

    def in_flight() -> None:
        working.set()
        release.wait()

    kuber.submit(in_flight)
    assert working.wait(timeout=20)
    stopping = threading.Thread(target=kuber.stop)
    stopping.start()
    try:

        def refused() -> httpx.Response | None:
            response = httpx.get(url + "/readyz")
            return response if response.status_code != 200 else None

        during = eventually(refused)
        assert stopping.is_alive()  # the stop is still waiting for the work in flight
        assert during.status_code == 503
        assert during.json() == {"status": "stopping"}
    finally:
        release.set()
        stopping.join()
    after = httpx.get(url + "/readyz")
    assert after.status_code == 503
    assert after.json() == {"status": "stopping"}
