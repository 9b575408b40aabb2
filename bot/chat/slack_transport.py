"""Slack behind `ChatTransport`: chat.postMessage, chat.update, chat.postEphemeral and file
uploads for the outbox.

Slack's errors are mapped here, once, into the outbox's vocabulary: 429 is `RateLimited` with
Slack's Retry-After, what may pass (5xx, timeouts, dropped connections) is `DeliveryFailed`,
everything else is `DeliveryRefused`. It does not retry posts itself (the outbox does, after
checking what arrived), so the WebClient must not either; and it never logs the token.
"""

from __future__ import annotations

import http.client
import re
import time
import urllib.error
from typing import Any

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry.builtin_handlers import RateLimitErrorRetryHandler

from bot.chat.slack_render import render_blocks
from bot.chat.transport import DeliveryFailed, DeliveryRefused, RateLimited, RateScope
from bot.logs import get_logger
from bot.messages import Image, Reply

log = get_logger(__name__)

PLATFORM = "slack"
#: The `event_type` of the metadata stamped on every post, and where its key is kept.
METADATA_EVENT = "kuber_outbox"
#: Seconds to wait for Slack before calling a try failed (the outbox tries again).
DEFAULT_TIMEOUT = 10
# Slack answers these with 200 and ok=false, yet they pass on their own.
TRANSIENT_ERRORS = {
    "internal_error",
    "fatal_error",
    "service_unavailable",
    "request_timeout",
    "ratelimited",
}
# Only the posting tier is limited per channel; other methods are limited per workspace.
PER_CHANNEL_METHODS = {"chat.postMessage", "chat.update"}
IMAGE_TRIES = 3


def slack_web_client(
    token: str, base_url: str | None = None, *, timeout: int = DEFAULT_TIMEOUT
) -> WebClient:
    """A WebClient as the outbox needs it: a timeout and no retries of its own.

    slack_sdk's default retries a dropped connection once; a post that reached Slack before
    the connection dropped would then show twice, which only the outbox can prevent.
    """
    options: dict[str, Any] = {"token": token, "timeout": timeout, "retry_handlers": []}
    if base_url:
        options["base_url"] = base_url
    return WebClient(**options)


def _retry_after(headers: Any) -> float:
    value = None
    if headers is not None:
        value = headers.get("Retry-After") or headers.get("retry-after")
    if isinstance(value, list):
        value = value[0] if value else None
    try:
        return max(float(value), 0.0) if value is not None else 1.0
    except ValueError:
        return 1.0


def map_slack_error(exc: Exception, method: str) -> Exception:
    """The outbox error for a failed Slack call (raise it `from exc`)."""
    if isinstance(exc, SlackApiError):
        response = exc.response
        status = int(getattr(response, "status_code", 200) or 200)
        data = getattr(response, "data", None)
        code = str(data.get("error") or "unknown_error") if isinstance(data, dict) else "unknown"
        if status == 429 or code == "ratelimited":
            scope: RateScope = "channel" if method in PER_CHANNEL_METHODS else "workspace"
            delay = _retry_after(getattr(response, "headers", None))
            return RateLimited(delay, platform=PLATFORM, scope=scope)
        if status >= 500 or code in TRANSIENT_ERRORS:
            return DeliveryFailed("chat_delivery_failed", platform=PLATFORM, reason=code)
        return DeliveryRefused("chat_delivery_refused", platform=PLATFORM, reason=code)
    if isinstance(
        exc,
        TimeoutError
        | ConnectionError
        | urllib.error.URLError
        | http.client.HTTPException
        | OSError
        | SlackClientError,
    ):
        # The error text names the host at most, never the token (it travels in a header).
        reason = f"{method}: {type(exc).__name__}: {exc}"
        return DeliveryFailed("chat_delivery_failed", platform=PLATFORM, reason=reason)
    return exc


def _file_name(image: Image, index: int) -> str:
    stem = re.sub(r"[^A-Za-z0-9._-]+", "-", image.title).strip("-.")[:60]
    return f"{stem or f'image-{index + 1}'}.png"


class SlackTransport:
    """Posts and edits for the outbox. `lookback` is how far back (seconds) `find_sent`
    searches; a post stuck `sending` longer than that is older than any crash restart."""

    platform = PLATFORM

    def __init__(self, client: WebClient, *, lookback: float = 600.0) -> None:
        if any(isinstance(h, RateLimitErrorRetryHandler) for h in client.retry_handlers):
            # It would sleep out Retry-After inside the one sender thread, stalling every
            # channel, while the outbox pauses just the one Slack named.
            raise ValueError(
                "the Slack client for the outbox must not retry rate limits itself; "
                "build it with slack_web_client()"
            )
        self.client = client
        self.lookback = lookback

    def _call(self, method: str, **arguments: Any) -> Any:
        # The typed methods, not api_call: each sends its arguments the way Slack accepts
        # them for that method (JSON for chat.*, form fields for the read methods).
        call = getattr(self.client, method.replace(".", "_"))
        try:
            return call(**arguments)
        except Exception as exc:
            mapped = map_slack_error(exc, method)
            if mapped is exc:
                raise
            raise mapped from exc

    # -- ChatTransport ------------------------------------------------------------------------
    def send_post(self, channel: str, reply: Reply, thread: str | None, key: str) -> str:
        text, blocks = self._render(reply)
        arguments: dict[str, Any] = {
            "channel": channel,
            "text": text,
            "metadata": {"event_type": METADATA_EVENT, "event_payload": {"key": key}},
            "unfurl_links": False,
            "unfurl_media": False,
        }
        if blocks:
            arguments["blocks"] = blocks
        if thread:
            arguments["thread_ts"] = thread
        response = self._call("chat.postMessage", **arguments)
        ts = str(response["ts"])
        for index, image in enumerate(reply.images):
            self._upload(channel, thread, image, index, key)
        return ts

    def send_edit(
        self, channel: str, message_id: str, reply: Reply, thread: str | None = None
    ) -> None:
        text, blocks = self._render(reply)
        # An empty list clears blocks the message had, so an edit never keeps stale buttons.
        self._call("chat.update", channel=channel, ts=message_id, text=text, blocks=blocks)

    def send_ephemeral(self, channel: str, user: str, reply: Reply, thread: str | None) -> str:
        text, blocks = self._render(reply)
        arguments: dict[str, Any] = {"channel": channel, "user": user, "text": text}
        if blocks:
            arguments["blocks"] = blocks
        # Slack shows an ephemeral message in a thread only once the thread has replies;
        # in a thread that has none yet (the first answer to a mention) it would show it
        # nowhere, so there it goes to the channel, where the person is looking.
        if thread and self._has_replies(channel, thread):
            arguments["thread_ts"] = thread
        if reply.images:
            # Files are shared with everyone in the channel: they would undo the privacy.
            log.warning("slack_ephemeral_images_not_sent", images=len(reply.images))
        response = self._call("chat.postEphemeral", **arguments)
        return str(response["message_ts"])

    def _has_replies(self, channel: str, thread: str) -> bool:
        try:
            response = self._call("conversations.replies", channel=channel, ts=thread, limit=2)
        except DeliveryRefused:
            return False  # the root is gone (or unreadable): there is no thread to show it in
        return len(response.get("messages") or []) > 1

    def find_sent(self, channel: str, key: str, thread: str | None = None) -> str | None:
        if thread is None:
            oldest = f"{time.time() - self.lookback:.6f}"
            return self._search("conversations.history", key, channel=channel, oldest=oldest)
        # Thread replies are missing from channel history; they are looked for in the thread.
        try:
            return self._search("conversations.replies", key, channel=channel, ts=thread)
        except DeliveryRefused:
            # A root that is gone takes its replies with it: nothing of ours is there.
            return None

    def _search(self, method: str, key: str, **arguments: Any) -> str | None:
        """Page through `method`'s messages for one stamped with `key`."""
        cursor: str | None = None
        for _page in range(20):  # 20 pages of 200: far more than a few minutes ever hold
            page: dict[str, Any] = {**arguments, "limit": 200, "include_all_metadata": True}
            if cursor:
                page["cursor"] = cursor
            response = self._call(method, **page)
            found = _stamped(response.get("messages") or [], key)
            if found is not None:
                return found
            cursor = (response.get("response_metadata") or {}).get("next_cursor")
            if not response.get("has_more") or not cursor:
                return None
        return None

    # -- pieces -------------------------------------------------------------------------------
    def _render(self, reply: Reply) -> tuple[str, list[dict[str, Any]]]:
        try:
            return render_blocks(reply)
        except ValueError as exc:
            raise DeliveryRefused(
                "chat_delivery_refused", platform=PLATFORM, reason=str(exc)
            ) from exc

    def _upload(self, channel: str, thread: str | None, image: Image, index: int, key: str) -> None:
        """Share one image after its message: tried a few times, then logged if still not there.

        The message itself has arrived by now, so failing the whole post would send it twice;
        an image that cannot be delivered is reported instead.
        """
        for attempt in range(1, IMAGE_TRIES + 1):
            try:
                self.client.files_upload_v2(
                    channel=channel,
                    thread_ts=thread,
                    content=image.png,
                    filename=_file_name(image, index),
                    title=image.title,
                    alt_txt=image.alt or image.title,
                )
                return
            except Exception as exc:
                mapped = map_slack_error(exc, "files.upload")
                if mapped is exc or isinstance(mapped, DeliveryRefused):
                    log.error(
                        "slack_image_not_delivered", key=key, title=image.title, error=str(mapped)
                    )
                    return
                if attempt == IMAGE_TRIES:
                    log.error(
                        "slack_image_not_delivered", key=key, title=image.title, error=str(mapped)
                    )
                    return
                delay = (
                    mapped.delay if isinstance(mapped, RateLimited) and mapped.delay else attempt
                )
                time.sleep(min(delay, 5.0))


def _stamped(messages: list[dict[str, Any]], key: str) -> str | None:
    for message in messages:
        metadata = message.get("metadata") or {}
        payload = metadata.get("event_payload") or {}
        if metadata.get("event_type") == METADATA_EVENT and payload.get("key") == key:
            return str(message["ts"])
    return None
