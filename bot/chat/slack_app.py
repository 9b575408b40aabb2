"""Slack through slack-bolt: slash command `/kuber`, @mentions, direct messages and buttons.

They arrive over HTTP (`dispatch_http`) or, for a workspace Kuber cannot be reached from,
over Socket Mode (`SlackSocketMode`): the same listeners serve both.
Bolt verifies every HTTP request (signature and 5-minute window) before any listener runs.
Each listener stores its input in the inbox, then acknowledges; workers do the rest, and
replies go through the outbox with the Web API, so they can be edited as work proceeds.
No Slack payload travels
past this module: it becomes an `Incoming` or an `ActionClick` here.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable, Sequence
from typing import Any

from slack_bolt import Ack, App, BoltRequest, BoltResponse
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError

from bot.chat.slack_render import parse_action_id
from bot.dispatch import ActionClick
from bot.inbox import Receiver
from bot.logs import get_logger
from bot.messages import Actor, Incoming

log = get_logger(__name__)

PLATFORM = "slack"
RefFor = Callable[[str, str, str], str | None]

_HANGUL = re.compile(r"[\uac00-\ud7a3]")
_ACK = {"en": "On it: `{text}`", "ko": "처리 중이에요: `{text}`"}


class SlackUserNames:
    """Display names for user ids, looked up once through `users.info`.

    Called by the inbox when the work runs, never before Slack has its acknowledgement: a
    slow `users.info` must not cost the 3 seconds Slack waits.
    """

    def __init__(self, client: WebClient) -> None:
        self._client = client
        self._names: dict[str, str] = {}
        self._lock = threading.Lock()

    def name(self, user_id: str) -> str:
        if user_id not in self._names:
            try:
                user = self._client.users_info(user=user_id).get("user") or {}
                profile = user.get("profile") or {}
                self._names[user_id] = profile.get("display_name") or user.get("name") or user_id
            except Exception as exc:  # a name is nice to have; the command must not be lost for it
                detail = exc.response.get("error") if isinstance(exc, SlackApiError) else repr(exc)
                log.warning("users.info failed", user=user_id, error=detail)
                return user_id
        with self._lock:
            return self._names[user_id]


def build_slack_app(
    *,
    signing_secret: str,
    client: WebClient,
    receiver: Receiver,
    ref_for: RefFor,
) -> App:
    """A bolt `App` whose listeners hand verified input to `receiver` (the inbox) and only
    then acknowledge, so nothing Slack considers delivered can be lost. Building it calls
    `auth.test`."""
    app = App(
        signing_secret=signing_secret,
        client=client,  # carries the token; bolt calls auth.test through it
        # Listeners run before the answer, and only store: the work goes to the workers. So
        # Slack's 200 always means "stored" (bolt would otherwise acknowledge an event before
        # its listener ran, and a failed insert would lose it), and a failed insert answers
        # 500, which Slack retries.
        process_before_response=True,
    )
    bot_user_id: str | None = None
    try:
        bot_user_id = client.auth_test().get("user_id")
    except SlackApiError:
        log.warning("auth.test failed; the bot's own messages are told apart by bot_id only")

    def message(
        channel: str,
        user_id: str,
        user_name: str | None,
        text: str,
        thread: str | None,
        event_id: str | None = None,
    ) -> None:
        # A name Slack did not send stays the bare id here: the inbox looks it up when the
        # work runs, after Slack has its acknowledgement.
        incoming = Incoming(
            platform=PLATFORM,
            channel=channel,
            actor=Actor(id=user_id, name=user_name or user_id),
            text=text,
            thread=thread,
        )
        # Stored (or found to be a redelivery) before the ack: if the insert fails, bolt
        # answers an error and Slack delivers the event again.
        receiver.accept_message(incoming, dedupe_key=event_id)

    @app.command("/kuber")
    def on_command(ack: Ack, command: dict[str, Any]) -> None:
        text = str(command.get("text") or "").strip()
        lang = "ko" if _HANGUL.search(text) else "en"
        channel, user = command["channel_id"], command["user_id"]
        message(channel, user, command.get("user_name"), text or "help", None)
        ack(response_type="ephemeral", text=_ACK[lang].format(text=text or "help"))

    @app.event("app_mention")
    def on_mention(ack: Ack, event: dict[str, Any], body: dict[str, Any]) -> None:
        thread = event.get("thread_ts") or event.get("ts")
        text = event.get("text", "")
        message(event["channel"], event["user"], None, text, thread, body.get("event_id"))
        ack()

    @app.event("message")
    def on_direct_message(ack: Ack, event: dict[str, Any], body: dict[str, Any]) -> None:
        own = event.get("bot_id") or (bot_user_id and event.get("user") == bot_user_id)
        direct = event.get("channel_type") == "im" and not event.get("subtype") and not own
        if direct:
            thread = event.get("thread_ts")
            text = event.get("text", "")
            message(event["channel"], event["user"], None, text, thread, body.get("event_id"))
        ack()

    @app.action(re.compile(r"^kuber_"))
    def on_button(ack: Ack, body: dict[str, Any], action: dict[str, Any]) -> None:
        ack_after = _Acknowledge(ack)
        with ack_after:
            _click(body, action)

    def _click(body: dict[str, Any], action: dict[str, Any]) -> None:
        try:
            kind = parse_action_id(str(action.get("action_id")))
        except ValueError:
            log.warning("unknown slack button", action_id=action.get("action_id"))
            return
        channel = (body.get("channel") or body.get("container") or {}).get("id") or body.get(
            "container", {}
        ).get("channel_id")
        posted = body.get("message") or {}
        user = body.get("user") or {}
        if not channel:
            log.warning("button click without a channel")
            return
        thread = posted.get("thread_ts")
        click = ActionClick(
            platform=PLATFORM,
            channel=channel,
            actor=Actor(id=user["id"], name=user.get("username") or user["id"]),
            action=kind,
            value=str(action.get("value") or ""),
            message_ref=ref_for(PLATFORM, channel, posted["ts"]) if posted.get("ts") else None,
            thread=thread,
        )
        receiver.accept_click(click)

    return app


class _Acknowledge:
    """Acknowledge a click when the block ends, whether or not it was taken: Slack shows an
    error to the person for an unanswered click, and a refused one is logged already."""

    def __init__(self, ack: Ack) -> None:
        self.ack = ack

    def __enter__(self) -> None:
        return None

    def __exit__(self, *exc: object) -> None:
        self.ack()


class SlackSocketMode:
    """The Socket Mode link of `app`, opened with the app-level token in a thread of its own,
    so a slow or refused connection never holds up the HTTP routes. A refusal (a wrong token,
    Socket Mode turned off) is logged and leaves Kuber serving HTTP only; once connected,
    slack_sdk's client reconnects by itself when Slack asks or the link drops."""

    def __init__(self, app: App, app_token: str) -> None:
        from slack_bolt.adapter.socket_mode import SocketModeHandler

        # Any: bolt leaves the handler's methods unannotated.
        self._handler: Any = SocketModeHandler(app, app_token)
        self._thread = threading.Thread(target=self._connect, name="slack-socket-mode", daemon=True)
        self.connected = threading.Event()
        self.failed: str | None = None

    def start(self) -> SlackSocketMode:
        self._thread.start()
        return self

    def _connect(self) -> None:
        try:
            self._handler.connect()
        except Exception as exc:
            self.failed = exc.response.get("error") if isinstance(exc, SlackApiError) else repr(exc)
            log.error("slack socket mode not connected; serving HTTP only", error=self.failed)
            self._handler.close()  # its reader threads started with it
            return
        if self._handler.client.is_connected():
            self.connected.set()
        else:  # the handshake failed after the URL was issued; the client's monitor retries
            log.warning("slack socket mode link not up yet; retrying")

    def close(self, timeout: float = 15.0) -> None:
        """Stop receiving; waits for a connection attempt in flight, so none opens after."""
        if self._thread.is_alive():
            self._thread.join(timeout)
        self._handler.close()


def dispatch_http(app: App, body: bytes, query: str, headers: dict[str, str]) -> BoltResponse:
    """Run one HTTP request through bolt (blocking: call it from a worker thread)."""
    request = BoltRequest(body=body.decode("utf-8"), query=query, headers=_headers(headers))
    return app.dispatch(request)


def _headers(headers: dict[str, str]) -> dict[str, str | Sequence[str]]:
    return dict(headers)
