"""Messages addressed to Kuber in Mattermost (an @mention, or anything in a direct channel with
the bot), heard over the Mattermost websocket and turned into `Incoming` values.

It speaks the websocket protocol mattermostdriver speaks (authentication challenge with the
driver's token, then events), on its own thread and event loop, and adds what the driver's
loop lacks: backoff when the server drops it, a prompt `stop()` that closes the socket, and
handing each mention to `on_mention` off the loop, one at a time and in order. It ignores the
bot's own posts (Mattermost echoes them) and posts of webhooks and other bots.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import random
import re
import ssl
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Self

from websockets.asyncio.client import connect

from bot.logs import get_logger
from bot.messages import Actor, Incoming

log = get_logger(__name__)

PLATFORM = "mattermost"
#: What "@kuber" alone asks for.
EMPTY_MENTION = "help"


def _json_field(value: Any) -> Any:
    """Mattermost sends nested objects of events as JSON strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _mention(username: str) -> re.Pattern[str]:
    # "@kuber" but not "@kuberctl" or "me@kuber.io"; a trailing ":" or "," goes with it.
    return re.compile(rf"(?<![\w@.\-])@{re.escape(username)}(?![\w\-]|\.\w)[:,]?", re.I)


def strip_mention(text: str, username: str | None) -> str:
    """`text` without the bot's @mention, spaces tidied."""
    if username:
        text = _mention(username).sub(" ", text)
    return " ".join(text.split())


def mention_from_event(
    data: dict[str, Any], *, bot_user_id: str, bot_username: str | None
) -> Incoming | None:
    """The `Incoming` of a `posted` event's data, or None when it is not addressed to Kuber."""
    post = _json_field(data.get("post"))
    if not isinstance(post, dict):
        return None
    user_id = str(post.get("user_id") or "")
    if not user_id or user_id == bot_user_id:
        return None  # our own post, echoed to every member of the channel, us included
    if post.get("type"):
        return None  # joins, leaves, header changes: system posts, never commands
    props = post.get("props") or {}
    if isinstance(props, dict) and (
        str(props.get("from_webhook")) == "true" or str(props.get("from_bot")) == "true"
    ):
        # Another integration or bot: answering it could start two bots talking forever.
        return None
    message = str(post.get("message") or "")
    mentions = _json_field(data.get("mentions")) or []
    direct = data.get("channel_type") == "D"
    if bot_username:
        # `mentions` also lists the bot for @channel and @all: only its own name counts.
        addressed = direct or bool(_mention(bot_username).search(message))
    else:
        addressed = direct or (isinstance(mentions, list) and bot_user_id in mentions)
    if not addressed:
        return None
    sender = str(data.get("sender_name") or "").lstrip("@") or user_id
    return Incoming(
        platform=PLATFORM,
        channel=str(post.get("channel_id") or ""),
        actor=Actor(id=user_id, name=sender),
        text=strip_mention(message, bot_username) or EMPTY_MENTION,
        thread=str(post.get("root_id") or "") or None,
        message_id=str(post.get("id") or "") or None,
    )


class MattermostListener:
    """Listens until `stop()`; reconnects with exponential backoff (and jitter) when dropped."""

    def __init__(
        self,
        driver: Any,
        on_mention: Callable[[Incoming], None],
        bot_user_id: str,
        *,
        bot_username: str | None = None,
        first_delay: float = 0.5,
        max_delay: float = 30.0,
        ping_interval: float = 20.0,
    ) -> None:
        self.driver = driver
        self.on_mention = on_mention
        self.bot_user_id = bot_user_id
        self.bot_username = bot_username
        self.first_delay = first_delay
        self.max_delay = max_delay
        self.ping_interval = ping_interval
        #: How many sessions were authenticated: tests and health checks read it.
        self.sessions = 0
        self._connected = threading.Event()
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._task: asyncio.Task[None] | None = None
        self._thread: threading.Thread | None = None
        # One worker: mentions are handled in the order people wrote them, off the loop, so a
        # slow command never stalls the websocket's pings.
        self._worker = ThreadPoolExecutor(max_workers=1, thread_name_prefix="mattermost-mention")

    # -- life --------------------------------------------------------------------------------
    def start(self) -> Self:
        with self._lock:
            if self._thread is not None:
                return self
            self._thread = threading.Thread(
                target=self._thread_main, name="mattermost-listener", daemon=True
            )
            self._thread.start()
        return self

    def stop(self, timeout: float = 5.0) -> None:
        """Close the websocket and end the thread; mentions already handed over still run."""
        self._stopping.set()
        with self._lock:
            loop, task, thread = self._loop, self._task, self._thread
        if loop is not None and task is not None:
            with contextlib.suppress(RuntimeError):  # the loop already ended on its own
                loop.call_soon_threadsafe(task.cancel)
        if thread is not None:
            thread.join(timeout)
            if thread.is_alive():
                log.warning("mattermost listener did not stop in time", seconds=timeout)
        self._worker.shutdown(wait=False, cancel_futures=False)
        self._connected.clear()

    @property
    def connected(self) -> bool:
        return self._connected.is_set()

    def wait_connected(self, timeout: float) -> bool:
        return self._connected.wait(timeout)

    def _thread_main(self) -> None:
        loop = asyncio.new_event_loop()
        try:
            asyncio.set_event_loop(loop)
            task = loop.create_task(self._run())
            with self._lock:
                self._loop, self._task = loop, task
            if self._stopping.is_set():
                task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                loop.run_until_complete(task)
        finally:
            with self._lock:
                self._loop, self._task = None, None
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()

    # -- the websocket -----------------------------------------------------------------------
    async def _run(self) -> None:
        delay = self.first_delay
        while not self._stopping.is_set():
            before = self.sessions
            try:
                await self._session()
                log.info("mattermost websocket closed")
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # any failure of one session: back off and reconnect
                log.warning("mattermost websocket dropped", error=type(exc).__name__)
            finally:
                self._connected.clear()
            if self._stopping.is_set():
                return
            if self.sessions > before:
                delay = self.first_delay  # it worked for a while: start the backoff afresh
            await asyncio.sleep(delay * random.uniform(0.8, 1.2))  # noqa: S311 - jitter only
            delay = min(delay * 2, self.max_delay)

    def _options(self) -> tuple[str, ssl.SSLContext | None, str]:
        options = self.driver.options
        secure = options.get("scheme", "https") == "https"
        url = "{scheme}://{host}:{port}{basepath}/websocket".format(
            scheme="wss" if secure else "ws",
            host=options["url"],
            port=options["port"],
            basepath=options.get("basepath", "/api/v4"),
        )
        context: ssl.SSLContext | None = None
        if secure:
            verify = options.get("verify", True)
            context = ssl.create_default_context(cafile=verify if isinstance(verify, str) else None)
            if verify is False:
                context.check_hostname = False
                context.verify_mode = ssl.CERT_NONE
        token = str(self.driver.client.token or options.get("token") or "")
        return url, context, token

    async def _session(self) -> None:
        url, context, token = self._options()
        if self.bot_username is None:
            self.bot_username = await asyncio.to_thread(self._lookup_username)
        async with connect(
            url,
            ssl=context,
            compression=None,
            open_timeout=10,
            ping_interval=self.ping_interval,
            ping_timeout=self.ping_interval,
            close_timeout=2,
        ) as websocket:
            challenge = {"seq": 1, "action": "authentication_challenge", "data": {"token": token}}
            await websocket.send(json.dumps(challenge))
            async for raw in websocket:
                self._on_message(raw if isinstance(raw, str) else raw.decode("utf-8", "replace"))

    def _lookup_username(self) -> str | None:
        try:
            return str(self.driver.users.get_user(self.bot_user_id)["username"])
        except Exception as exc:  # mentions in `mentions` still work without it
            log.warning("mattermost bot name unknown", error=type(exc).__name__)
            return None

    def _on_message(self, raw: str) -> None:
        try:
            message = json.loads(raw)
        except ValueError:
            return
        if not isinstance(message, dict):
            return
        event = message.get("event")
        if event == "hello":
            self.sessions += 1
            self._connected.set()
            log.info("mattermost websocket connected")
            return
        if event != "posted" or not isinstance(message.get("data"), dict):
            return
        incoming = mention_from_event(
            message["data"], bot_user_id=self.bot_user_id, bot_username=self.bot_username
        )
        if incoming is not None:
            with contextlib.suppress(RuntimeError):  # stopping: the worker takes no more
                self._worker.submit(self._deliver, incoming)

    def _deliver(self, incoming: Incoming) -> None:
        try:
            self.on_mention(incoming)
        except Exception:  # one bad message must not end the listener
            log.exception("mattermost mention failed", channel=incoming.channel)
