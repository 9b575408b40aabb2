"""A local Slack: the Web API under `/api/<method>`, file uploads, response URLs, and helpers
that deliver signed slash commands, events and button clicks to Kuber as Slack would.

slack_sdk and slack-bolt talk to it unchanged (`WebClient(base_url=sandbox.url + "/api/")`).
It checks the bearer token but never records it, and it only ever listens on the address given.
"""

from __future__ import annotations

import copy
import itertools
import json
import secrets
import time
from typing import Any, Self

import httpx

from integrations.sandbox.http import Request, Response, SandboxServer
from integrations.sandbox.slack_blocks import block_errors, find_button
from integrations.sandbox.slack_events import (
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
from integrations.sandbox.slack_ratelimit import ChannelRateLimiter
from integrations.sandbox.slack_store import (
    BOT_USER_ID,
    TEAM_ID,
    SlackError,
    SlackWorkspace,
)
from integrations.sandbox.slack_webapi import SlackWebApi, call_args, flag

__all__ = ["SlackSandbox", "sign_slack_request"]

JSON = "application/json; charset=utf-8"
# Slack's special posting tier: these count against the per-channel limit.
RATE_LIMITED_METHODS = {"chat.postMessage", "chat.update"}
# Slack lets an app use one response_url this many times (within 30 minutes).
RESPONSE_URL_USES = 5
SERVER_ERRORS = {500: "internal_error", 502: "service_unavailable", 503: "service_unavailable"}


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
        rate_per_channel: float | None = None,
    ) -> None:
        super().__init__(host, port)
        self.bot_token = bot_token
        self.signing_secret = signing_secret
        self.workspace = SlackWorkspace()
        self.api = SlackWebApi(self.workspace, lambda: self.url)
        self.limiter = ChannelRateLimiter(rate_per_channel) if rate_per_channel else None
        #: Every response_url use and slash command acknowledgement, and what it did.
        self.responses: list[dict[str, Any]] = []
        #: Every request delivered to the app, with the status it answered.
        self.deliveries: list[dict[str, Any]] = []
        self._response_urls: dict[str, dict[str, Any]] = {}
        self._serial = itertools.count(1)
        self.route("POST", "/api/{method}", self._web_api)
        self.route("GET", "/api/{method}", self._web_api)
        self.route("POST", "/upload/v1/{key}", self._upload)
        self.route("POST", "/commands/{team}/{hook}/{key}", self._response_url)

    # -- Web API -----------------------------------------------------------------------------
    def _authenticate(self, request: Request, args: dict[str, Any]) -> None:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else args.get("token")
        if not token:
            raise SlackError("not_authed")
        if token != self.bot_token:
            raise SlackError("invalid_auth")

    def _web_api(self, request: Request) -> Response:
        method_name = request.params["method"]
        try:
            args = call_args(request)
            self._authenticate(request, args)
            method = self.api.methods.get(method_name)
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
        user = self._user(user_id)
        with self.lock:
            channel = self.workspace.resolve_channel(channel_id)
        response_url = response_url or self.new_response_url(channel.id, user_id)
        fields = slash_command_fields(
            command=command,
            text=text,
            user_id=user_id,
            user_name=user["name"],
            channel_id=channel.id,
            channel_name=channel.name,
            response_url=response_url,
            trigger_id=self._trigger_id(),
        )
        response = self._deliver(
            url,
            form_body(fields),
            "application/x-www-form-urlencoded",
            kind="slash_command",
            timestamp=timestamp,
            note={"text": text, "command": command},
        )
        if response.status_code == 200 and response.content.strip():
            self._show_acknowledgement(channel.id, user_id, response)
        return response

    def _show_acknowledgement(
        self, channel_id: str, user_id: str, response: httpx.Response
    ) -> None:
        # A slash command's HTTP answer is shown like a response_url post; plain text as is.
        try:
            body = response.json()
        except ValueError:
            body = {"text": response.text}
        if not isinstance(body, dict):
            return
        context = {"channel": channel_id, "user": user_id, "message_ts": None, "ephemeral": True}
        with self.lock:
            try:
                applied = self._apply_response(context, body)
            except SlackError as exc:
                applied = {"action": "rejected", "error": exc.code}
            self.responses.append({"via": "acknowledgement", "body": body, **applied})

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
        event_id = event_id or f"Ev{next(self._serial):010d}"
        payload = event_callback(event, event_id=event_id, event_time=int(time.time()))
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
        self._user(user_id)
        mention = f"<@{BOT_USER_ID}>"
        full_text = text if mention in text else f"{mention} {text}"
        with self.lock:
            channel = self.workspace.resolve_channel(channel_id)
            message = self.workspace.add_message(
                channel, user=user_id, text=full_text, thread_ts=thread_ts
            )
        event = message_event(
            "app_mention",
            text=full_text,
            user_id=user_id,
            channel_id=channel.id,
            ts=message["ts"],
            thread_ts=message.get("thread_ts"),
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
        self._user(user_id)
        with self.lock:
            channel = self.workspace.resolve_channel(channel_id or user_id)
            message = self.workspace.add_message(
                channel, user=user_id, text=text, thread_ts=thread_ts
            )
        event = message_event(
            "message",
            text=text,
            user_id=user_id,
            channel_id=channel.id,
            ts=message["ts"],
            thread_ts=message.get("thread_ts"),
            channel_type="im" if channel.is_im else "channel",
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

    # -- life ------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self.start()

    # -- inspection --------------------------------------------------------------------------
    def add_channel(self, channel_id: str, name: str) -> None:
        with self.lock:
            self.workspace.add_channel(channel_id, name)

    def messages(self, channel: str) -> list[dict[str, Any]]:
        """The channel's messages in order, each with its `edits` history."""
        with self.lock:
            return copy.deepcopy(self.workspace.resolve_channel(channel).messages)

    def state(self) -> dict[str, Any]:
        snapshot = self.workspace.snapshot()
        snapshot["responses"] = copy.deepcopy(self.responses)
        snapshot["deliveries"] = copy.deepcopy(self.deliveries)
        snapshot["rate_per_channel"] = self.limiter.rate if self.limiter else None
        return snapshot
