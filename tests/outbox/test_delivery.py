"""The outbox delivering to the Slack sandbox: order, pacing, rate limits, retries, refusals,
edits, threads and images, all through the real slack_sdk client over HTTP."""

from __future__ import annotations

import itertools
import threading
import time

import httpx
import pytest
from sqlmodel import select

from bot.chat.slack_transport import SlackTransport
from bot.messages import Button, Field, Image, Reply
from bot.outbox import REF_PREFIX
from bot.store.tables import OutboxMessage
from sandbox.slack import SlackSandbox
from tests.outbox.conftest import MakeOutbox, api_calls, texts

CHANNELS = ("C0PAY", "C0CART", "C0OPS")
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(200))


def test_a_rate_limited_burst_arrives_whole_in_order_and_once(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    slack.inject(
        r"POST /api/chat\.postMessage",
        429,
        for_seconds=5,
        headers={"Retry-After": "1"},
        body={"ok": False, "error": "ratelimited"},
    )
    outbox = make_outbox()
    expected: dict[str, list[str]] = {c: [] for c in CHANNELS}
    for i in range(50):
        channel = CHANNELS[i % 3]
        expected[channel].append(f"{channel} message {i}")
        outbox.conversation("slack", channel).post(Reply(text=expected[channel][-1]))
    assert outbox.pending_count() == 50

    started = time.monotonic()
    outbox.start()
    assert outbox.drain(timeout=30)
    assert time.monotonic() - started >= 4.5  # nothing got through while Slack said 429

    state = httpx.get(f"{slack.url}/_sandbox/state").json()
    for channel in CHANNELS:
        got = [m["text"] for m in state["channels"][channel]["messages"]]
        assert got == expected[channel]
    limited = [c for c in state["calls"] if c["status"] == 429]
    assert limited, "the sandbox never answered 429"
    # Paused per Retry-After, not hammering: a few 429s per channel, not hundreds.
    assert len(limited) < 40


def test_channel_interval_spaces_posts_in_one_channel(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    outbox = make_outbox(channel_interval=0.3)
    conversation = outbox.conversation("slack", "C0PAY")
    for i in range(4):
        conversation.post(Reply(text=f"step {i}"))
    outbox.conversation("slack", "C0CART").post(Reply(text="elsewhere"))
    outbox.start()
    assert outbox.drain(timeout=10)

    posts = [c for c in api_calls(slack, "chat.postMessage") if c["args"]["channel"] == "C0PAY"]
    gaps = [b["at"] - a["at"] for a, b in itertools.pairwise(posts)]
    assert len(gaps) == 3
    # Spaced, never a burst. Measured where the posts arrive, so each gap also holds the
    # difference of two transit times: the span of all three is the sturdy measure.
    assert min(gaps) >= 0.1
    assert posts[-1]["at"] - posts[0]["at"] >= 3 * 0.3 - 0.1
    assert texts(slack, "C0CART") == ["elsewhere"]


def test_queued_edits_merge_into_one_update_with_the_last_content(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    outbox = make_outbox()
    conversation = outbox.conversation("slack", "C0PAY")
    ref = conversation.post(Reply(text="rolling out 0/3"))
    assert outbox.drain(timeout=10)
    for step in (1, 2, 3):
        conversation.edit(ref, Reply(text=f"rolling out {step}/3"))
    assert outbox.pending_count() == 1  # merged in place

    assert outbox.drain(timeout=10)
    updates = api_calls(slack, "chat.update")
    assert len(updates) == 1
    assert updates[0]["args"]["ts"] == outbox.platform_id(ref)
    [message] = slack.messages("C0PAY")
    assert message["text"] == "rolling out 3/3"
    assert len(message["edits"]) == 1


def test_an_edit_of_a_message_not_yet_posted_waits_then_applies(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    # The post fails once, so the edit sits behind a post still in backoff.
    slack.inject(r"POST /api/chat\.postMessage", 503, times=1)
    outbox = make_outbox()
    conversation = outbox.conversation("slack", "C0PAY")
    ref = conversation.post(Reply(text="plan: scale payment to 3"))
    conversation.edit(ref, Reply(text="approved by alice"))
    assert outbox.platform_id(ref) is None

    outbox.deliver_once()
    assert api_calls(slack, "chat.update") == []
    assert outbox.drain(timeout=10)

    methods = [c["api_method"] for c in slack.state_snapshot()["calls"] if "api_method" in c]
    assert methods.index("chat.update") > max(
        i for i, m in enumerate(methods) if m == "chat.postMessage"
    )
    [message] = slack.messages("C0PAY")
    assert message["text"] == "approved by alice"
    assert message["ts"] == outbox.platform_id(ref)


def test_a_server_error_twice_then_success_delivers_once(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    slack.inject(r"POST /api/chat\.postMessage", 503, times=2)
    outbox = make_outbox()
    outbox.conversation("slack", "C0PAY").post(Reply(text="deployed payment 1.4.2"))
    outbox.start()
    assert outbox.drain(timeout=10)

    assert texts(slack, "C0PAY") == ["deployed payment 1.4.2"]
    statuses = [c["status"] for c in api_calls(slack, "chat.postMessage")]
    assert statuses == [503, 503, 200]
    # Before each re-post it looked whether the failed try had arrived after all.
    assert len(api_calls(slack, "conversations.history")) == 2


def test_a_refused_channel_fails_at_once_and_blocks_no_other(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    outbox = make_outbox()
    refused = outbox.conversation("slack", "C0NOPE").post(Reply(text="to nowhere"))
    outbox.conversation("slack", "C0NOPE").post(Reply(text="also to nowhere"))
    outbox.conversation("slack", "C0PAY").post(Reply(text="to payments"))
    outbox.start()
    assert outbox.drain(timeout=10)

    assert texts(slack, "C0PAY") == ["to payments"]
    to_nowhere = [
        c for c in api_calls(slack, "chat.postMessage") if c["args"]["channel"] == "C0NOPE"
    ]
    assert len(to_nowhere) == 2  # one try each, no retry loop
    with outbox.store.session() as session:
        row = session.exec(select(OutboxMessage).where(OutboxMessage.key == refused)).one()
    assert (row.status, row.attempts) == ("failed", 1)
    assert "channel_not_found" in (row.error or "")
    assert outbox.pending_count() == 0


def test_a_failure_that_lasts_gives_up_after_max_attempts(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    slack.inject(r"POST /api/chat\.postMessage", 502)
    outbox = make_outbox(max_attempts=3)
    ref = outbox.conversation("slack", "C0PAY").post(Reply(text="never"))
    outbox.start()
    assert outbox.drain(timeout=10)
    assert len(api_calls(slack, "chat.postMessage")) == 3
    assert outbox.platform_id(ref) is None
    assert texts(slack, "C0PAY") == []


def test_an_edit_of_a_post_that_never_made_it_is_posted_instead(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    """The last edit of a command is its result: it must reach the channel somehow."""
    slack.inject(r"POST /api/chat\.postMessage", 502, times=2)
    outbox = make_outbox(max_attempts=2)
    conversation = outbox.conversation("slack", "C0PAY")
    ref = conversation.post(Reply(text="Scale payment to 3?"))
    outbox.start()
    assert outbox.drain(timeout=10)
    assert outbox.platform_id(ref) is None
    conversation.edit(ref, Reply(text="✅ Done: scaling payment from 2 to 3."))
    assert outbox.drain(timeout=10)
    assert texts(slack, "C0PAY") == ["✅ Done: scaling payment from 2 to 3."]


def test_a_reply_threads_under_our_own_first_message(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    outbox = make_outbox()
    root = outbox.conversation("slack", "C0PAY").post(Reply(text="scaling payment"))
    assert root.startswith(REF_PREFIX)
    in_thread = outbox.conversation("slack", "C0PAY", thread=root)
    first = in_thread.post(Reply(text="3/3 ready"))
    second = in_thread.post(Reply(text="done"))
    outbox.start()
    assert outbox.drain(timeout=10)

    root_ts = outbox.platform_id(root)
    assert root_ts is not None
    messages = slack.messages("C0PAY")
    assert [(m["text"], m.get("thread_ts")) for m in messages] == [
        ("scaling payment", None),
        ("3/3 ready", root_ts),
        ("done", root_ts),
    ]
    assert outbox.ref_for("slack", "C0PAY", messages[1]["ts"]) == first
    assert outbox.ref_for("slack", "C0PAY", messages[2]["ts"]) == second
    assert outbox.ref_for("slack", "C0CART", messages[2]["ts"]) is None


def test_images_arrive_as_files_in_the_channel(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    outbox = make_outbox()
    reply = Reply(
        text="Sprint 12 burndown",
        images=(Image(title="Sprint 12 burndown", png=PNG, alt="burndown chart"),),
    )
    ref = outbox.conversation("slack", "C0CART").post(reply)
    outbox.start()
    assert outbox.drain(timeout=10)

    [stored] = slack.state_snapshot()["files"]
    assert (stored["name"], stored["bytes"], stored["channels"]) == (
        "Sprint-12-burndown.png",
        len(PNG),
        ["C0CART"],
    )
    post, share = slack.messages("C0CART")
    assert post["ts"] == outbox.platform_id(ref)
    assert share["files"] == [stored["id"]]


def test_a_rich_reply_within_slack_limits_is_accepted(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    """The sandbox checks Block Kit limits: a reply far past them must still go through."""
    reply = Reply(
        text="x & <y> " * 2000,
        fields=tuple(Field(label=f"pod {i}", value="Running") for i in range(25)),
        buttons=tuple(
            Button(label=f"Approve {i}", action="approve", value=f"p{i}", style="primary")
            for i in range(30)
        ),
        code="<none>\n" * 12000,
        context="requested by <@U0ALICE>",
        is_error=True,
    )
    outbox = make_outbox()
    ref = outbox.conversation("slack", "C0PAY").post(reply)
    outbox.start()
    assert outbox.drain(timeout=10)
    assert outbox.platform_id(ref) is not None
    [message] = slack.messages("C0PAY")
    assert len(message["blocks"]) == 50
    assert message["text"].startswith(":warning:")
    actions = [b for b in message["blocks"] if b["type"] == "actions"]
    assert sum(len(b["elements"]) for b in actions) == 30


def test_rows_of_a_platform_without_transport_stay_pending(
    slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    outbox = make_outbox()
    outbox.conversation("mattermost", "town-square").post(Reply(text="waits for its transport"))
    outbox.conversation("slack", "C0PAY").post(Reply(text="goes"))
    assert outbox.drain(timeout=10)  # only what can be sent is waited for
    assert texts(slack, "C0PAY") == ["goes"]
    assert outbox.pending_count() == 1


def test_concurrent_enqueues_keep_each_threads_order(
    database_url: str, slack: SlackSandbox, make_outbox: MakeOutbox
) -> None:
    outbox = make_outbox(database_url, channel_interval=0.0)
    outbox.start()

    def worker(n: int) -> None:
        conversation = outbox.conversation("slack", CHANNELS[n % 2])
        for i in range(8):
            ref = conversation.post(Reply(text=f"w{n} {i}"))
            conversation.edit(ref, Reply(text=f"w{n} {i} edited"))

    workers = [threading.Thread(target=worker, args=(n,)) for n in range(6)]
    for thread in workers:
        thread.start()
    for thread in workers:
        thread.join()
    assert outbox.drain(timeout=20)

    for index, channel in enumerate(CHANNELS[:2]):
        got = texts(slack, channel)
        assert len(got) == 24
        for n in range(index, 6, 2):
            mine = [t for t in got if t.startswith(f"w{n} ")]
            assert mine == [f"w{n} {i} edited" for i in range(8)]


def test_the_transport_refuses_a_client_that_retries_rate_limits_itself(
    slack: SlackSandbox,
) -> None:
    from slack_sdk import WebClient
    from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

    client = WebClient(
        token=slack.bot_token,
        base_url=slack.url + "/api/",
        retry_handlers=[RateLimitErrorRetryHandler()],
    )
    with pytest.raises(ValueError, match="rate limits"):
        SlackTransport(client)
