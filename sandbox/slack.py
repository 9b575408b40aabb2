"""A local Slack: the Web API under `/api/<method>`, file uploads, response URLs, Socket Mode,
and helpers that deliver slash commands, events and button clicks to Kuber as Slack would:
signed, over HTTP (`send_*`, `click_button`), or as envelopes down the app's Socket Mode
link (`socket_*`).

slack_sdk and slack-bolt talk to it unchanged (`WebClient(base_url=sandbox.url + "/api/")`,
`SocketModeHandler(app, sandbox.app_token)`). It checks bot and app-level tokens but never
records them, and it only ever listens on the address given.
"""

from __future__ import annotations

import copy
import itertools
import json
import secrets
import time
from collections.abc import Sequence
from typing import Any, Self

import httpx

from sandbox.http import Request, Response, SandboxServer
from sandbox.slack_blocks import block_errors, find_button
from sandbox.slack_events import (
    block_actions_payload,
    event_callback,
    form_body,
    json_body,
    message_event,
    sign_slack_request,
    signed_headers,
    slash_command_fields,
    url_verification,
)
from sandbox.slack_ratelimit import ChannelRateLimiter
from sandbox.slack_socket import Envelope, SocketMode
from sandbox.slack_store import (
    APP_ID,
    BOT_USER_ID,
    TEAM_ID,
    SlackError,
    SlackWorkspace,
)
from sandbox.slack_webapi import SlackWebApi, call_args, flag
from sandbox.websocket import WebSocketConnection

__all__ = ["SlackSandbox", "sign_slack_request"]

JSON = "application/json; charset=utf-8"
# Slack's special posting tier: these count against the per-channel limit.
RATE_LIMITED_METHODS = {"chat.postMessage", "chat.update"}
# Slack lets an app use one response_url this many times (within 30 minutes).
RESPONSE_URL_USES = 5
SERVER_ERRORS = {500: "internal_error", 502: "service_unavailable", 503: "service_unavailable"}
#: Methods called with the app-level token (`xapp-…`); every other method wants the bot token.
APP_TOKEN_METHODS = {"apps.connections.open"}
#: Where the Socket Mode websocket is served (Slack's is `wss://wss-primary.slack.com/link/`).
SOCKET_PATH = "/link/"
#: Pauses before each new attempt at an unacknowledged Socket Mode event. Slack waits
#: nothing, a minute, then five; the sandbox keeps the rhythm in seconds.
EVENT_RETRY_DELAYS = (0.0, 1.0, 5.0)


class SlackSandbox(SandboxServer):
    name = "slack"
    #: Slack gives an app 3 seconds to acknowledge; slower answers fail as they would there.
    ack_timeout = 3.0

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        # Well-known sandbox credentials: they guard nothing but a loopback test server.
        bot_token: str = "xoxb-sandbox-token",  # noqa: S107
        signing_secret: str = "sandbox-signing-secret",  # noqa: S107
        app_token: str = "xapp-sandbox-token",  # noqa: S107
        rate_per_channel: float | None = None,
        event_retry_delays: Sequence[float] = EVENT_RETRY_DELAYS,
    ) -> None:
        super().__init__(host, port)
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.app_token = app_token
        self.workspace = SlackWorkspace()
        self.api = SlackWebApi(self.workspace, lambda: self.url)
        self.limiter = ChannelRateLimiter(rate_per_channel) if rate_per_channel else None
        #: Every response_url use and slash command acknowledgement, and what it did.
        self.responses: list[dict[str, Any]] = []
        #: Every request delivered to the app, with the status it answered.
        self.deliveries: list[dict[str, Any]] = []
        self._response_urls: dict[str, dict[str, Any]] = {}
        self._serial = itertools.count(1)
        self.socket = SocketMode(
            APP_ID,
            ack_timeout=lambda: self.ack_timeout,
            retry_delays=event_retry_delays,
            on_ack=self._socket_acknowledged,
            on_timeout=self._socket_timed_out,
        )
        self._app_methods = {"apps.connections.open": self._connections_open}
        self.route("POST", "/api/{method}", self._web_api)
        self.route("GET", "/api/{method}", self._web_api)
        self.route("POST", "/upload/v1/{key}", self._upload)
        self.route("POST", "/commands/{team}/{hook}/{key}", self._response_url)
        self.route("GET", SOCKET_PATH, self._socket_link)

    # -- Web API -----------------------------------------------------------------------------
    def _authenticate(self, request: Request, args: dict[str, Any], method_name: str) -> None:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else args.get("token")
        if not token:
            raise SlackError("not_authed")
        expected, other = (
            (self.app_token, self.bot_token)
            if method_name in APP_TOKEN_METHODS
            else (self.bot_token, self.app_token)
        )
        if token == other:
            raise SlackError("not_allowed_token_type")
        if token != expected:
            raise SlackError("invalid_auth")

    def _web_api(self, request: Request) -> Response:
        method_name = request.params["method"]
        try:
            args = call_args(request)
            self._authenticate(request, args, method_name)
            method = self.api.methods.get(method_name) or self._app_methods.get(method_name)
            if method is None:
                raise SlackError("unknown_method", req_method=method_name)
            with self.lock:
                if self.limiter is not None and method_name in RATE_LIMITED_METHODS:
                    channel = self.workspace.resolve_channel(args.get("channel"))
                    wait = self.limiter.retry_after(channel.id)
                    if wait:
                        return Response(
                            429,
                            {"ok": False, "error": "ratelimited"},
                            headers={"Retry-After": str(wait)},
                            content_type=JSON,
                        )
                result = method(args)
        except SlackError as exc:
            return Response(200, {"ok": False, "error": exc.code, **exc.extra}, content_type=JSON)
        return Response(200, {"ok": True, **result}, content_type=JSON)

    def _upload(self, request: Request) -> Response:
        with self.lock:
            file_id = self.api.receive_upload(request.params["key"], request.body)
        if file_id is None:
            return Response(404, "Not Found", content_type="text/plain")
        return Response(200, f"OK - {len(request.body)}", content_type="text/plain")

    def dispatch(self, request: Request) -> Response:
        response = super().dispatch(request)
        # Slack never answers 429 without telling when to come back.
        if response.status == 429 and not any(k.lower() == "retry-after" for k in response.headers):
            response.headers["Retry-After"] = "1"
        return response

    def fault_body(self, status: int) -> Any:
        if status == 429:
            return {"ok": False, "error": "ratelimited"}
        if status >= 500:
            return {"ok": False, "error": SERVER_ERRORS.get(status, "fatal_error")}
        return {"ok": False, "error": "invalid_request"}

    def describe_call(self, request: Request) -> dict[str, Any]:
        path = request.path
        if path.startswith("/api/"):
            try:
                args = call_args(request)
            except (SlackError, ValueError):
                args = {"unparsed": request.body.decode("utf-8", "replace")}
            args.pop("token", None)  # a token in the journal would leak through /_sandbox/state
            return {"api_method": path.removeprefix("/api/"), "args": args}
        if path.startswith("/upload/v1/"):
            return {"upload": {"bytes": len(request.body)}}
        if path.startswith("/commands/"):
            return {"response_url": True, **super().describe_call(request)}
        if path == SOCKET_PATH:
            return {"socket_mode": True}
        return super().describe_call(request)

    # -- response_url ------------------------------------------------------------------------
    def new_response_url(
        self,
        channel_id: str,
        user_id: str,
        *,
        message_ts: str | None = None,
        ephemeral: bool = False,
    ) -> str:
        """A response_url for one interaction, as hooks.slack.com issues them."""
        key = secrets.token_urlsafe(16)
        with self.lock:
            self._response_urls[key] = {
                "channel": channel_id,
                "user": user_id,
                "message_ts": message_ts,
                "ephemeral": ephemeral,
                "uses": 0,
            }
        return f"{self.url}/commands/{TEAM_ID}/{next(self._serial)}/{key}"

    def _response_url(self, request: Request) -> Response:
        with self.lock:
            context = self._response_urls.get(request.params["key"])
            if context is None:
                return Response(404, {"ok": False, "error": "expired_url"})
            if context["uses"] >= RESPONSE_URL_USES:
                return Response(404, {"ok": False, "error": "used_url"})
            try:
                body = request.json()
            except ValueError:
                body = None
            if not isinstance(body, dict):
                return Response(400, {"ok": False, "error": "invalid_payload"})
            context["uses"] += 1
            try:
                applied = self._apply_response(context, body)
            except SlackError as exc:
                return Response(400, {"ok": False, "error": exc.code, **exc.extra})
            self.responses.append({"via": "response_url", "body": body, **applied})
        return Response(200, {"ok": True})

    def _apply_response(self, context: dict[str, Any], body: dict[str, Any]) -> dict[str, Any]:
        """Do what Slack does with a response: replace, delete, or post in channel or privately."""
        channel = self.workspace.resolve_channel(context["channel"])
        original = context.get("message_ts")
        text = str(body.get("text") or "")
        blocks = body.get("blocks")
        if blocks is not None and block_errors(blocks):
            raise SlackError("invalid_blocks", errors=block_errors(blocks))
        if flag(body.get("delete_original")) and original:
            if context["ephemeral"]:
                self.workspace.ephemeral = [
                    m for m in self.workspace.ephemeral if m["ts"] != original
                ]
            else:
                self.workspace.delete_message(channel, original)
            return {"action": "deleted", "ts": original}
        if not (text or blocks or body.get("attachments")):
            raise SlackError("no_text")
        if flag(body.get("replace_original")) and original:
            ephemeral = self.workspace.find_ephemeral(original) if context["ephemeral"] else None
            if ephemeral is not None:
                ephemeral["edits"].append(
                    {"text": ephemeral["text"], "blocks": ephemeral["blocks"]}
                )
                ephemeral.update(text=text, blocks=blocks)
            else:
                self.workspace.update_message(
                    channel, original, text=text, blocks=blocks or [], attachments=None
                )
            return {"action": "replaced", "ts": original}
        if body.get("response_type") == "in_channel":
            message = self.workspace.add_message(
                channel,
                user=BOT_USER_ID,
                text=text,
                blocks=blocks,
                attachments=body.get("attachments"),
                thread_ts=body.get("thread_ts"),
            )
            return {"action": "in_channel", "ts": message["ts"]}
        ts = self.workspace.add_ephemeral(channel, user=context["user"], text=text, blocks=blocks)
        return {"action": "ephemeral", "ts": ts}

    # -- delivering to the app ---------------------------------------------------------------
    def _deliver(
        self,
        url: str,
        body: bytes,
        content_type: str,
        *,
        kind: str,
        timestamp: int | None = None,
        headers: dict[str, str] | None = None,
        note: dict[str, Any] | None = None,
    ) -> httpx.Response:
        sent = signed_headers(self.signing_secret, body, content_type, timestamp)
        sent.update(headers or {})
        response = httpx.post(url, content=body, headers=sent, timeout=self.ack_timeout)
        with self.lock:
            self.deliveries.append(
                {"kind": kind, "url": url, "status": response.status_code, **(note or {})}
            )
        return response

    def _user(self, user_id: str) -> dict[str, Any]:
        user = self.workspace.users.get(user_id)
        if user is None:
            raise ValueError(f"no such Slack user in the sandbox: {user_id}")
        return user

    # The builders below make what a person's action sends, whichever way it travels; each
    # returns the payload and the channel it happened in.
    def _slash_command(
        self, text: str, user_id: str, channel_id: str, command: str, response_url: str | None
    ) -> tuple[dict[str, str], str]:
        user = self._user(user_id)
        with self.lock:
            channel = self.workspace.resolve_channel(channel_id)
        fields = slash_command_fields(
            command=command,
            text=text,
            user_id=user_id,
            user_name=user["name"],
            channel_id=channel.id,
            channel_name=channel.name,
            response_url=response_url or self.new_response_url(channel.id, user_id),
            trigger_id=self._trigger_id(),
        )
        return fields, channel.id

    def _posted_event(
        self,
        kind: str,
        text: str,
        user_id: str,
        channel_id: str,
        thread_ts: str | None,
        channel_type: str | None = None,
    ) -> dict[str, Any]:
        """The message lands in the channel first; the event describing it is returned."""
        self._user(user_id)
        with self.lock:
            channel = self.workspace.resolve_channel(channel_id)
            message = self.workspace.add_message(
                channel, user=user_id, text=text, thread_ts=thread_ts
            )
        if channel_type == "auto":
            channel_type = "im" if channel.is_im else "channel"
        return message_event(
            kind,
            text=text,
            user_id=user_id,
            channel_id=channel.id,
            ts=message["ts"],
            thread_ts=message.get("thread_ts"),
            channel_type=channel_type,
        )

    def _event_callback(
        self, event: dict[str, Any], event_id: str | None
    ) -> tuple[dict[str, Any], str]:
        event_id = event_id or f"Ev{next(self._serial):010d}"
        return event_callback(event, event_id=event_id, event_time=int(time.time())), event_id

    @staticmethod
    def _mention(text: str) -> str:
        mention = f"<@{BOT_USER_ID}>"
        return text if mention in text else f"{mention} {text}"

    def _block_actions(
        self,
        action_id: str,
        value: str | None,
        message_ts: str | None,
        channel_id: str,
        user_id: str,
        response_url: str | None,
    ) -> tuple[dict[str, Any], str]:
        user = self._user(user_id)
        with self.lock:
            channel = self.workspace.resolve_channel(channel_id)
            message, ephemeral = self._message_with_button(
                channel.id, user_id, action_id, message_ts
            )
            found = find_button(message, action_id)
            if found is None:
                raise LookupError(f"message {message['ts']} shows no button {action_id!r}")
            block_id, element = found
            public = {k: copy.deepcopy(v) for k, v in message.items() if k != "edits"}
        ts = str(message["ts"])
        action: dict[str, Any] = {
            "action_id": action_id,
            "block_id": block_id,
            "text": element.get("text"),
            "value": value if value is not None else element.get("value"),
            "type": element.get("type", "button"),
            "action_ts": f"{time.time():.6f}",
        }
        if "style" in element:
            action["style"] = element["style"]
        payload = block_actions_payload(
            user=user,
            channel_id=channel.id,
            channel_name=channel.name,
            message=public,
            message_ts=ts,
            is_ephemeral=ephemeral,
            action=action,
            response_url=response_url
            or self.new_response_url(channel.id, user_id, message_ts=ts, ephemeral=ephemeral),
            trigger_id=self._trigger_id(),
        )
        return payload, ts

    # -- over HTTP ---------------------------------------------------------------------------
    def send_slash_command(
        self,
        url: str,
        text: str,
        user_id: str = "U0ALICE",
        channel_id: str = "C0PAY",
        command: str = "/kuber",
        response_url: str | None = None,
        *,
        timestamp: int | None = None,
    ) -> httpx.Response:
        """Post a slash command form as Slack does, then show the app's immediate answer."""
        fields, channel = self._slash_command(text, user_id, channel_id, command, response_url)
        response = self._deliver(
            url,
            form_body(fields),
            "application/x-www-form-urlencoded",
            kind="slash_command",
            timestamp=timestamp,
            note={"text": text, "command": command},
        )
        if response.status_code == 200 and response.content.strip():
            try:
                body = response.json()
            except ValueError:
                body = {"text": response.text}
            self._show_acknowledgement(channel, user_id, body, via="acknowledgement")
        return response

    def _show_acknowledgement(self, channel_id: str, user_id: str, body: Any, via: str) -> None:
        # A slash command's answer is shown like a response_url post; plain text as is.
        if not isinstance(body, dict):
            return
        context = {"channel": channel_id, "user": user_id, "message_ts": None, "ephemeral": True}
        with self.lock:
            try:
                applied = self._apply_response(context, body)
            except SlackError as exc:
                applied = {"action": "rejected", "error": exc.code}
            self.responses.append({"via": via, "body": body, **applied})

    def send_event(
        self,
        url: str,
        event: dict[str, Any],
        *,
        event_id: str | None = None,
        retry_num: int | None = None,
        retry_reason: str = "http_timeout",
        timestamp: int | None = None,
    ) -> httpx.Response:
        """Deliver an Events API callback; pass the same `event_id` and a `retry_num` to act
        out Slack's redelivery after a slow or failed acknowledgement."""
        payload, event_id = self._event_callback(event, event_id)
        headers = {}
        if retry_num is not None:
            headers = {"X-Slack-Retry-Num": str(retry_num), "X-Slack-Retry-Reason": retry_reason}
        return self._deliver(
            url,
            json_body(payload),
            "application/json",
            kind=f"event:{event.get('type')}",
            timestamp=timestamp,
            headers=headers,
            note={"event_id": event_id, "event": event},
        )

    def send_app_mention(
        self,
        url: str,
        text: str,
        user_id: str = "U0ALICE",
        channel_id: str = "C0PAY",
        thread_ts: str | None = None,
        **options: Any,
    ) -> httpx.Response:
        """A person @-mentions the bot: the message lands in the channel, then the event is sent.

        The text gets a leading `<@U0KUBER>` unless it already mentions the bot.
        """
        event = self._posted_event(
            "app_mention", self._mention(text), user_id, channel_id, thread_ts
        )
        return self.send_event(url, event, **options)

    def send_message_event(
        self,
        url: str,
        text: str,
        user_id: str = "U0ALICE",
        channel_id: str | None = None,
        thread_ts: str | None = None,
        **options: Any,
    ) -> httpx.Response:
        """A person writes to the bot; by default in their direct message channel with it."""
        event = self._posted_event(
            "message", text, user_id, channel_id or user_id, thread_ts, channel_type="auto"
        )
        return self.send_event(url, event, **options)

    def send_url_verification(self, url: str, challenge: str | None = None) -> httpx.Response:
        challenge = challenge or secrets.token_urlsafe(24)
        return self._deliver(
            url,
            json_body(url_verification(challenge)),
            "application/json",
            kind="url_verification",
            note={"challenge": challenge},
        )

    def click_button(
        self,
        url: str,
        action_id: str,
        value: str | None = None,
        message_ts: str | None = None,
        channel_id: str = "C0PAY",
        user_id: str = "U0ALICE",
        response_url: str | None = None,
        *,
        timestamp: int | None = None,
    ) -> httpx.Response:
        """A person clicks a button the app showed: a `block_actions` payload in a form field.

        Without `message_ts` the newest message in the channel (or ephemeral one shown to the
        user) with that button is used; a button no message shows cannot be clicked.
        """
        payload, ts = self._block_actions(
            action_id, value, message_ts, channel_id, user_id, response_url
        )
        return self._deliver(
            url,
            form_body({"payload": json.dumps(payload)}),
            "application/x-www-form-urlencoded",
            kind="block_actions",
            timestamp=timestamp,
            note={"action_id": action_id, "message_ts": ts},
        )

    def _message_with_button(
        self, channel_id: str, user_id: str, action_id: str, message_ts: str | None
    ) -> tuple[dict[str, Any], bool]:
        channel = self.workspace.channels[channel_id]
        ephemeral = [
            m
            for m in self.workspace.ephemeral
            if m["channel"] == channel_id and m["user"] == user_id
        ]
        candidates = [(m, False) for m in channel.messages] + [(m, True) for m in ephemeral]
        if message_ts is not None:
            for message, is_ephemeral in candidates:
                if message["ts"] == message_ts:
                    return message, is_ephemeral
            raise LookupError(f"no message {message_ts} in {channel_id} for {user_id}")
        with_button = [c for c in candidates if find_button(c[0], action_id) is not None]
        if not with_button:
            raise LookupError(f"no message in {channel_id} shows button {action_id!r}")
        return max(with_button, key=lambda c: float(c[0]["ts"]))

    def _trigger_id(self) -> str:
        return f"{next(self._serial)}.{int(time.time())}.{secrets.token_hex(16)}"

    # -- over Socket Mode --------------------------------------------------------------------
    def _connections_open(self, _args: dict[str, Any]) -> dict[str, Any]:
        """`apps.connections.open`: a one-time websocket URL for an app-level token."""
        ticket = self.socket.new_ticket()
        base = self.url.replace("http://", "ws://", 1)
        return {"url": f"{base}{SOCKET_PATH}?ticket={ticket}&app_id={APP_ID}"}

    def _socket_link(self, request: Request) -> Response:
        handler = request.handler
        if handler is None:
            return Response(500, {"error": "no connection to upgrade"})
        if not self.socket.take_ticket(request.arg("ticket")):
            return Response(401, "invalid or used ticket", content_type="text/plain")
        connection = WebSocketConnection(handler)
        refused = connection.upgrade(handler, request.headers)
        if refused is not None:
            return Response(400, refused, content_type="text/plain")
        self.socket.serve(connection)  # until the app or the sandbox closes the link
        return Response(101, streamed=True)

    def _socket_acknowledged(self, envelope: Envelope) -> None:
        # A command's acknowledgement may carry a message, shown as its HTTP answer would be.
        if envelope.type == "slash_commands" and envelope.response:
            note = envelope.note
            self._show_acknowledgement(
                note["channel"], note["user"], envelope.response, via="socket_acknowledgement"
            )

    def _socket_timed_out(self, envelope: Envelope) -> None:
        # Slack tells the person a command went unanswered; events were retried already.
        if envelope.type == "slash_commands":
            note = envelope.note
            with self.lock:
                channel = self.workspace.resolve_channel(note["channel"])
                self.workspace.add_ephemeral(
                    channel,
                    user=note["user"],
                    text=f'{note["command"]} failed with the error "operation_timeout"',
                    blocks=None,
                )

    def socket_slash_command(
        self,
        text: str,
        user_id: str = "U0ALICE",
        channel_id: str = "C0PAY",
        command: str = "/kuber",
        response_url: str | None = None,
    ) -> str:
        """A slash command down the Socket Mode link; its envelope id. The acknowledgement's
        payload is shown as a command's HTTP answer would be."""
        fields, channel = self._slash_command(text, user_id, channel_id, command, response_url)
        return self.socket.deliver(
            "slash_commands",
            dict(fields),
            accepts_response_payload=True,
            note={"text": text, "command": command, "channel": channel, "user": user_id},
        )

    def socket_event(self, event: dict[str, Any], *, event_id: str | None = None) -> str:
        """An Events API callback down the link; sent again while it goes unacknowledged."""
        payload, event_id = self._event_callback(event, event_id)
        return self.socket.deliver(
            "events_api",
            payload,
            accepts_response_payload=False,
            note={"event_id": event_id, "event_type": event.get("type")},
        )

    def socket_app_mention(
        self,
        text: str,
        user_id: str = "U0ALICE",
        channel_id: str = "C0PAY",
        thread_ts: str | None = None,
        *,
        event_id: str | None = None,
    ) -> str:
        """A person @-mentions the bot (see `send_app_mention`); the envelope id."""
        event = self._posted_event(
            "app_mention", self._mention(text), user_id, channel_id, thread_ts
        )
        return self.socket_event(event, event_id=event_id)

    def socket_message_event(
        self,
        text: str,
        user_id: str = "U0ALICE",
        channel_id: str | None = None,
        thread_ts: str | None = None,
        *,
        event_id: str | None = None,
    ) -> str:
        """A person writes to the bot (see `send_message_event`); the envelope id."""
        event = self._posted_event(
            "message", text, user_id, channel_id or user_id, thread_ts, channel_type="auto"
        )
        return self.socket_event(event, event_id=event_id)

    def socket_click_button(
        self,
        action_id: str,
        value: str | None = None,
        message_ts: str | None = None,
        channel_id: str = "C0PAY",
        user_id: str = "U0ALICE",
        response_url: str | None = None,
    ) -> str:
        """A button click (see `click_button`) as an `interactive` envelope; its id."""
        payload, ts = self._block_actions(
            action_id, value, message_ts, channel_id, user_id, response_url
        )
        return self.socket.deliver(
            "interactive",
            payload,
            accepts_response_payload=False,
            note={"action_id": action_id, "message_ts": ts},
        )

    def acked(self, envelope_id: str) -> bool:
        """Whether the app acknowledged that request in time (on any attempt)."""
        return self.socket.acked(envelope_id)

    def wait_acked(self, envelope_id: str, timeout: float = 5.0) -> dict[str, Any]:
        """Wait for the app to acknowledge; the acknowledged envelope, as `envelope` shows it."""
        if not self.socket.wait(lambda: self.socket.acked(envelope_id), timeout):
            raise AssertionError(f"envelope {envelope_id} not acknowledged in {timeout}s")
        return next(e.record() for e in self.socket.attempts(envelope_id) if e.outcome == "acked")

    def envelopes(self, envelope_id: str) -> list[dict[str, Any]]:
        """Every attempt at the request `envelope_id` began, oldest first."""
        return [e.record() for e in self.socket.attempts(envelope_id)]

    def socket_connections(self) -> int:
        return len(self.socket.open_connections())

    def wait_socket_connected(self, count: int = 1, timeout: float = 10.0) -> None:
        if not self.socket.wait(lambda: self.socket_connections() >= count, timeout):
            raise AssertionError(f"no {count} Socket Mode connection(s) in {timeout}s")

    def socket_disconnect(self, reason: str = "refresh_requested") -> int:
        """Ask connected apps to reconnect, as Slack does; how many were asked."""
        return self.socket.disconnect(reason)

    def drop_sockets(self, code: int = 1011) -> None:
        """Close every Socket Mode link as a failing server would."""
        self.socket.close_all(code)

    # -- life ------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self.start()

    def stop(self) -> None:
        self.socket.stop()  # no retries after this; open links are told the server is going
        super().stop()

    # -- inspection --------------------------------------------------------------------------
    def add_channel(self, channel_id: str, name: str) -> None:
        with self.lock:
            self.workspace.add_channel(channel_id, name)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages in order, each with its `edits` history."""
        with self.lock:
            return copy.deepcopy(self.workspace.resolve_channel(channel).messages)

    def ephemeral_seen_by(self, user_id: str) -> list[dict[str, Any]]:
        """The ephemeral messages shown to `user_id`, oldest first."""
        with self.lock:
            return [copy.deepcopy(m) for m in self.workspace.ephemeral if user_id in m["seen_by"]]

    def state(self) -> dict[str, Any]:
        snapshot = self.workspace.snapshot()
        snapshot["responses"] = copy.deepcopy(self.responses)
        snapshot["deliveries"] = copy.deepcopy(self.deliveries)
        snapshot["rate_per_channel"] = self.limiter.rate if self.limiter else None
        snapshot["socket_mode"] = self.socket.snapshot()
        return snapshot
