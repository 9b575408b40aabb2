"""`ChatTransport` for Mattermost over mattermostdriver: create, patch and find posts, show a
post to one person (an ephemeral post), upload chart images, and turn the driver's exceptions
into Kuber's delivery errors.

Only the outbox calls it, so it never retries or sleeps itself: it says what happened
(`RateLimited`, `DeliveryFailed`, `DeliveryRefused`) and the outbox decides. It must never log
or put into an error the bot token the driver holds.
"""

from __future__ import annotations

import re
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from email.utils import parsedate_to_datetime
from typing import Any, TypeVar

import requests
from mattermostdriver import exceptions as mm_errors

from bot.chat.mattermost_render import OUTBOX_KEY_PROP, render_post
from bot.chat.transport import DeliveryFailed, DeliveryRefused, RateLimited
from bot.logs import get_logger
from bot.messages import Image, Reply

log = get_logger(__name__)

PLATFORM = "mattermost"
#: How far back `find_sent` looks: a crash is noticed within seconds, not hundreds of posts.
RECENT_POSTS = 100
#: Mattermost's default MaxFileCount per post.
MAX_FILES = 5
#: When Mattermost says 429 without saying how long to wait.
DEFAULT_RATE_DELAY = 1.0
#: Outbox keys of posts we sent, remembered so an edit keeps its post's key.
REMEMBERED_KEYS = 1024

T = TypeVar("T")

# The driver raises these for statuses that retrying will not fix. 501 is "feature disabled"
# in Mattermost (file uploads turned off, say): also permanent, though it is a 5xx.
_REFUSALS: tuple[type[Exception], ...] = (
    mm_errors.InvalidOrMissingParameters,
    mm_errors.NoAccessTokenProvided,
    mm_errors.NotEnoughPermissions,
    mm_errors.ResourceNotFound,
    mm_errors.MethodNotAllowed,
    mm_errors.ContentTooLarge,
    mm_errors.FeatureDisabled,
)
_BAD_URL = (
    requests.exceptions.InvalidURL,
    requests.exceptions.MissingSchema,
    requests.exceptions.InvalidSchema,
)
_UNSAFE_NAME = re.compile(r"[^A-Za-z0-9._-]+")


def retry_delay(headers: Any, *, now: float | None = None) -> float:
    """Seconds to wait from `Retry-After` (seconds or an HTTP date) or `X-Ratelimit-Reset`."""
    clock = time.time() if now is None else now
    retry_after = headers.get("Retry-After") if headers is not None else None
    if retry_after:
        try:
            return max(0.0, float(retry_after))
        except ValueError:
            pass
        try:
            return max(0.0, parsedate_to_datetime(retry_after).timestamp() - clock)
        except (TypeError, ValueError):
            pass
    reset = headers.get("X-Ratelimit-Reset") if headers is not None else None
    if reset:
        try:
            value = float(reset)
        except ValueError:
            return DEFAULT_RATE_DELAY
        # Mattermost sends seconds until the reset; some proxies send an epoch time instead.
        return max(0.0, value - clock if value > 1_000_000_000 else value)
    return DEFAULT_RATE_DELAY


@contextmanager
def delivery_errors(operation: str) -> Iterator[None]:
    """Map requests/mattermostdriver exceptions to the outbox's errors, once, here."""
    try:
        yield
    except _REFUSALS as exc:
        raise DeliveryRefused(
            "chat_delivery_refused", platform=PLATFORM, reason=f"{operation}: {exc}"
        ) from exc
    except requests.HTTPError as exc:
        response = exc.response
        status = response.status_code if response is not None else 0
        if status == 429:
            delay = retry_delay(response.headers if response is not None else None)
            raise RateLimited(delay, platform=PLATFORM) from exc
        if 400 <= status < 500:
            raise DeliveryRefused(
                "chat_delivery_refused", platform=PLATFORM, reason=f"{operation}: HTTP {status}"
            ) from exc
        raise DeliveryFailed(
            "chat_delivery_failed", platform=PLATFORM, reason=f"{operation}: HTTP {status}"
        ) from exc
    except _BAD_URL as exc:
        raise DeliveryRefused(
            "chat_delivery_refused", platform=PLATFORM, reason=f"{operation}: bad server URL"
        ) from exc
    except requests.Timeout as exc:
        raise DeliveryFailed(
            "chat_delivery_failed", platform=PLATFORM, reason=f"{operation}: timed out"
        ) from exc
    except requests.RequestException as exc:
        # Connection refused or reset, a broken proxy: the server may be back in a moment.
        raise DeliveryFailed(
            "chat_delivery_failed",
            platform=PLATFORM,
            reason=f"{operation}: {type(exc).__name__}",
        ) from exc
    except ValueError as exc:
        # A 2xx whose body is not JSON: something between us and Mattermost answered.
        raise DeliveryFailed(
            "chat_delivery_failed", platform=PLATFORM, reason=f"{operation}: not a JSON answer"
        ) from exc


def _file_name(image: Image, index: int) -> str:
    stem = _UNSAFE_NAME.sub("-", image.title).strip("-.")[:60] or f"chart-{index + 1}"
    return f"{stem}.png"


class MattermostTransport:
    """Posts as the bot user the driver is logged in as (its token must be set)."""

    platform = PLATFORM

    def __init__(self, driver: Any, *, actions_url: str, secret: bytes) -> None:
        if not secret:
            raise ValueError("the action secret must not be empty")
        self.driver = driver
        self.actions_url = actions_url
        self._secret = secret
        self._keys: OrderedDict[str, str] = OrderedDict()
        self._keys_lock = threading.Lock()

    # -- ChatTransport -----------------------------------------------------------------------
    def send_post(self, channel: str, reply: Reply, thread: str | None, key: str) -> str:
        root = thread or reply.thread or ""
        post = render_post(
            reply,
            actions_url=self.actions_url,
            secret=self._secret,
            channel=channel,
            thread=root or None,
            post=key,
        )
        post["props"][OUTBOX_KEY_PROP] = key
        body: dict[str, Any] = {"channel_id": channel, "root_id": root, **post}
        file_ids = self._upload(channel, reply.images)
        if file_ids:
            body["file_ids"] = file_ids
        created = self._call("create post", lambda: self.driver.posts.create_post(body))
        post_id = str(created["id"])
        self._remember(post_id, key)
        return post_id

    def send_edit(
        self, channel: str, message_id: str, reply: Reply, thread: str | None = None
    ) -> None:
        # Mattermost 9 cannot change a post's files, so the images of an edit are not shown;
        # commands that edit send text and fields, and charts go in new posts.
        # The thread goes into the buttons' signed context: clicks answer in the same thread.
        post = render_post(
            reply,
            actions_url=self.actions_url,
            secret=self._secret,
            channel=channel,
            thread=thread,
            post=message_id,
        )
        key = self._remembered(message_id)
        if key is not None:
            # A patch replaces all props: keep the key, or `find_sent` forgets the post.
            post["props"][OUTBOX_KEY_PROP] = key
        self._call("edit post", lambda: self.driver.posts.patch_post(message_id, post))

    def send_ephemeral(self, channel: str, user: str, reply: Reply, thread: str | None) -> str:
        # Mattermost stores no ephemeral post: it is pushed to the person's open clients over
        # the websocket and is gone when they reload. The bot account needs the
        # `create_post_ephemeral` permission (a 403 otherwise, which the outbox records).
        root = thread or reply.thread or ""
        post = render_post(
            reply,
            actions_url=self.actions_url,
            secret=self._secret,
            channel=channel,
            thread=root or None,
        )
        if reply.images:
            # Uploads belong to the channel, not to one person: they are not sent with it.
            log.warning("mattermost_ephemeral_images_not_sent", images=len(reply.images))
        body = {
            "user_id": user,
            "post": {
                "channel_id": channel,
                "root_id": root,
                "message": post["message"],
                "props": post["props"],
            },
        }
        created = self._call(
            "create ephemeral post", lambda: self.driver.posts.create_ephemeral_post(body)
        )
        return str(created["id"])

    def find_sent(self, channel: str, key: str, thread: str | None = None) -> str | None:
        # A channel's posts include thread replies on Mattermost: `thread` narrows nothing.
        page = self._call(
            "read channel",
            lambda: self.driver.posts.get_posts_for_channel(
                channel, params={"page": 0, "per_page": RECENT_POSTS}
            ),
        )
        if not isinstance(page, dict):
            return None
        posts = page.get("posts") or {}
        bot = getattr(self.driver.client, "userid", "") or ""
        for post_id in page.get("order") or []:
            post = posts.get(post_id) or {}
            if (post.get("props") or {}).get(OUTBOX_KEY_PROP) != key:
                continue
            # Props are writable through the API: only a post of the bot's own counts.
            if bot and post.get("user_id") != bot:
                continue
            self._remember(str(post_id), key)
            return str(post_id)
        return None

    # -- internals ---------------------------------------------------------------------------
    def _upload(self, channel: str, images: tuple[Image, ...]) -> list[str]:
        if not images:
            return []
        if len(images) > MAX_FILES:
            log.warning("too many images for one post", images=len(images), kept=MAX_FILES)
        files = [
            ("files", (_file_name(image, i), image.png, "image/png"))
            for i, image in enumerate(images[:MAX_FILES])
        ]
        answer = self._call(
            "upload image", lambda: self.driver.files.upload_file(channel, files=files)
        )
        return [str(info["id"]) for info in answer.get("file_infos") or []]

    def _call(self, operation: str, request: Callable[[], T]) -> T:
        with delivery_errors(operation):
            return request()

    def _remember(self, post_id: str, key: str) -> None:
        with self._keys_lock:
            self._keys[post_id] = key
            self._keys.move_to_end(post_id)
            while len(self._keys) > REMEMBERED_KEYS:
                self._keys.popitem(last=False)

    def _remembered(self, post_id: str) -> str | None:
        with self._keys_lock:
            return self._keys.get(post_id)
