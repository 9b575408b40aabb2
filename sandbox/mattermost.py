"""A local Mattermost: the v4 REST endpoints and the websocket mattermostdriver uses, command
response URLs, and helpers that send slash commands, button clicks and people's posts to Kuber
as Mattermost would.

It checks the bot's bearer token (and the tokens it issues to people, `user_token`) but never
records them. Posts reach clients as Mattermost shows them, with action integrations (URL and
context) stripped; an ephemeral post reaches only its person's websockets, and each records
who it reached (`seen_by`).
"""

from __future__ import annotations

import copy
import json
import re
import secrets
from typing import Any, Self

import httpx

from sandbox.http import Request, Response, SandboxServer
from sandbox.mattermost_api import ApiHandler, MattermostApi
from sandbox.mattermost_hooks import action_payload, slash_command_fields
from sandbox.mattermost_multipart import parse_multipart
from sandbox.mattermost_store import (
    BOT_USER_ID,
    TEAM_ID,
    MattermostError,
    MattermostTeam,
    client_post,
)
from sandbox.mattermost_websocket import MattermostWebSocket

__all__ = ["MattermostSandbox"]

API = "/api/v4"
SESSION_EXPIRED = (
    401,
    "api.context.session_expired.app_error",
    "Invalid or expired session, please login again.",
)
# Mattermost routes clicks as /posts/{id}/actions/{action_id:[A-Za-z0-9]+}: other ids never work.
ACTION_ID = re.compile(r"^[A-Za-z0-9]+$")
MENTION = re.compile(r"@([a-z0-9.\-_]+)")
# Mattermost lets an integration use one command response URL this many times.
RESPONSE_URL_USES = 5


class MattermostSandbox(SandboxServer):
    name = "mattermost"
    #: How long Mattermost waits for an integration to answer a command or an action.
    integration_timeout = 10.0

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        # Well-known sandbox credentials: they guard nothing but a loopback test server.
        bot_token: str = "mm-sandbox-token",  # noqa: S107
        command_token: str = "mm-command-token",  # noqa: S107
    ) -> None:
        super().__init__(host, port)
        self.bot_token = bot_token
        self.command_token = command_token
        self.team = MattermostTeam()
        self.websockets: list[MattermostWebSocket] = []
        #: Every command or action answer and response-URL post, and what it did.
        self.responses: list[dict[str, Any]] = []
        #: Every request sent to the integration, with the status it answered.
        self.deliveries: list[dict[str, Any]] = []
        self._response_urls: dict[str, dict[str, Any]] = {}
        #: Personal access tokens issued to people (token -> user id), see `user_token`.
        self._user_tokens: dict[str, str] = {}
        self._endpoints: list[tuple[str, re.Pattern[str], str]] = []
        self.api = MattermostApi(
            self.team,
            self.lock,
            self._broadcast,
            self._broadcast_posted,
            self._deliver_ephemeral,
        )
        self.route("GET", f"{API}/system/ping", lambda _r: Response(body={"status": "OK"}))
        self.route("GET", f"{API}/websocket", self._websocket)
        self.route("POST", "/hooks/commands/{key}", self._command_response_url)
        for method, pattern, name, handler in self.api.endpoints():
            self._api(method, API + pattern, name, handler)

    # -- plumbing ----------------------------------------------------------------------------
    def _api(self, method: str, pattern: str, name: str, handler: ApiHandler) -> None:
        def serve(request: Request) -> Response:
            user_id = self._session(request)
            try:
                if user_id is None:
                    raise MattermostError(*SESSION_EXPIRED)
                return handler(request, user_id)
            except MattermostError as exc:
                return Response(exc.status, exc.body())

        self.route(method, pattern, serve)
        regex = "^" + re.sub(r"\{(\w+)\}", r"[^/]+", pattern) + "$"
        self._endpoints.append((method, re.compile(regex), name))

    def _session(self, request: Request) -> str | None:
        header = request.headers.get("authorization", "")
        token = header[7:].strip() if header.lower().startswith("bearer ") else ""
        return self._user_of(token)

    def _user_of(self, token: Any) -> str | None:
        if not isinstance(token, str) or not token:
            return None
        if token == self.bot_token:
            return BOT_USER_ID
        with self.lock:
            return self._user_tokens.get(token)

    def user_token(self, user_id: str) -> str:
        """A personal access token for a person, so a test can be them (open their websocket,
        call the API as them); the same token every time it is asked for."""
        with self.lock:
            self.team.user(user_id)
            for token, owner in self._user_tokens.items():
                if owner == user_id:
                    return token
            token = "mm-user-" + secrets.token_hex(13)
            self._user_tokens[token] = user_id
            return token

    def fault_body(self, status: int) -> Any:
        return MattermostError(
            status, "api.sandbox.injected_fault.app_error", "Injected fault."
        ).body()

    def not_found(self, request: Request) -> Response:
        return Response(
            404,
            MattermostError(
                404, "api.context.404.app_error", "Sorry, we could not find the page."
            ).body(),
        )

    def describe_call(self, request: Request) -> dict[str, Any]:
        endpoint = next(
            (n for m, r, n in self._endpoints if m == request.method and r.match(request.path)),
            request.path,
        )
        if endpoint == "upload_file":
            try:
                parts = parse_multipart(request.headers.get("content-type", ""), request.body)
            except ValueError:
                return {"endpoint": endpoint, "unparsed_bytes": len(request.body)}
            return {
                "endpoint": endpoint,
                "fields": {p.name: p.data.decode() for p in parts if p.filename is None},
                "files": [{"name": p.filename, "bytes": len(p.data)} for p in parts if p.filename],
            }
        if request.path == f"{API}/websocket":
            return {"endpoint": "websocket"}
        return {"endpoint": endpoint, **super().describe_call(request)}

    # -- websocket ---------------------------------------------------------------------------
    def _websocket(self, request: Request) -> Response:
        handler = request.handler
        if handler is None:
            return Response(500, {"error": "no connection to upgrade"})
        connection = MattermostWebSocket(handler)
        refused = connection.upgrade(handler, request.headers)
        if refused is not None:
            return Response(
                400,
                MattermostError(400, "api.web_socket.connect.upgrade.app_error", refused).body(),
            )
        with self.lock:
            self.websockets.append(connection)
        try:
            user_id = self._session(request)
            if user_id:  # a bearer header authenticates at once, as a cookie does
                connection.authenticated(user_id)
            while (text := connection.recv()) is not None:
                self._websocket_message(connection, text)
        finally:
            connection.close()
            with self.lock:
                self.websockets.remove(connection)
        return Response(101, streamed=True)

    def _websocket_message(self, connection: MattermostWebSocket, text: str) -> None:
        try:
            message = json.loads(text)
        except ValueError:
            return
        seq = message.get("seq") if isinstance(message, dict) else None
        action = message.get("action") if isinstance(message, dict) else None
        if action == "authentication_challenge":
            user_id = self._user_of((message.get("data") or {}).get("token"))
            if user_id is None:
                connection.close(1008)  # Mattermost drops a connection that fails to log in
                return
            connection.authenticated(user_id)
            connection.reply(seq)
        elif connection.user_id is None:
            connection.reply(
                seq,
                "FAIL",
                error=MattermostError(
                    401,
                    "api.web_socket_router.not_authenticated.app_error",
                    "No websocket session.",
                ).body(),
            )
        else:
            connection.reply(seq)

    def _broadcast(self, channel_id: str, event: str, data: dict[str, Any]) -> None:
        with self.lock:
            channel = self.team.channels[channel_id]
            members = set(channel.members)
            listeners = [c for c in self.websockets if c.user_id in members]
        for connection in listeners:
            connection.send_event(event, data, {"channel_id": channel_id})

    def _deliver_ephemeral(self, post: dict[str, Any]) -> None:
        """Push an ephemeral post (as the store keeps it) to its person's open websockets and
        nobody else's, as `ephemeral_message`; record whom it reached in its `seen_by`.

        Mattermost stores it nowhere: a person with no client open never sees it.
        """
        user_id = post["for_user"]
        with self.lock:
            shown = client_post(post)
            listeners = [c for c in self.websockets if c.user_id == user_id and not c.closed]
        broadcast = {"channel_id": post["channel_id"], "user_id": user_id}
        reached = [
            connection
            for connection in listeners
            if connection.send_event("ephemeral_message", {"post": json.dumps(shown)}, broadcast)
        ]
        if reached:
            with self.lock:
                post["seen_by"] = sorted({*post["seen_by"], user_id})

    def _broadcast_posted(self, post: dict[str, Any]) -> None:
        """The `posted` event Mattermost sends every member of the channel, sender included."""
        with self.lock:
            channel = self.team.channels[post["channel_id"]]
            sender = self.team.users[post["user_id"]]
            mentioned = [
                u["id"]
                for name in MENTION.findall(post["message"])
                for u in self.team.users.values()
                if u["username"] == name.rstrip(".") and u["id"] in channel.members
            ]
            if channel.type == "D":
                mentioned += [m for m in channel.members if m != sender["id"]]
            mentioned = sorted({m for m in mentioned if m != sender["id"]})
            data: dict[str, Any] = {
                "channel_display_name": channel.display_name or f"@{sender['username']}",
                "channel_name": channel.name,
                "channel_type": channel.type,
                "post": json.dumps(post),
                "sender_name": f"@{sender['username']}",
                "set_online": True,
                "team_id": "" if channel.type == "D" else TEAM_ID,
            }
            if mentioned:
                data["mentions"] = json.dumps(mentioned)
        self._broadcast(post["channel_id"], "posted", data)

    # -- acting as people --------------------------------------------------------------------
    def user_posts(
        self,
        channel_id: str,
        user_id: str,
        message: str,
        root_id: str = "",
        props: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        """A person posts (say, "@kuber scale payment to 3"); websockets hear it as `posted`."""
        with self.lock:
            post = client_post(
                self.team.create_post(
                    user_id=user_id,
                    channel_id=channel_id,
                    message=message,
                    root_id=root_id,
                    props=props,
                )
            )
        self._broadcast_posted(post)
        return post

    def direct_channel(self, user_id: str) -> str:
        """The id of the direct channel between a person and the bot."""
        with self.lock:
            return self.team.direct_channel(user_id, BOT_USER_ID).id

    def new_response_url(self, channel_id: str, user_id: str, root_id: str = "") -> str:
        key = secrets.token_hex(13)
        with self.lock:
            self._response_urls[key] = {
                "channel_id": channel_id,
                "user_id": user_id,
                "root_id": root_id,
                "uses": 0,
            }
        return f"{self.url}/hooks/commands/{key}"

    def send_slash_command(
        self,
        url: str,
        text: str,
        user_id: str = "u-alice",
        channel_id: str = "ch-payments",
        token: str | None = None,
        command: str = "/kuber",
    ) -> httpx.Response:
        """Post a slash command form as Mattermost does, then show the integration's answer."""
        with self.lock:
            user = copy.deepcopy(self.team.user(user_id))
            channel = self.team.channel_object(self.team.channel(channel_id, member=user_id))
        fields = slash_command_fields(
            command=command,
            text=text,
            token=self.command_token if token is None else token,
            user=user,
            channel=channel,
            response_url=self.new_response_url(channel["id"], user_id),
        )
        response = self._deliver(url, kind="slash_command", data=fields, note={"text": text})
        if response.status_code == 200 and response.content.strip():
            if response.headers.get("content-type", "").startswith("application/json"):
                body = response.json()
            else:
                body = {"text": response.text}
            context = {"channel_id": channel["id"], "user_id": user_id, "root_id": ""}
            self._show_command_response(context, body, via="command")
        return response

    def _command_response_url(self, request: Request) -> Response:
        with self.lock:
            context = self._response_urls.get(request.params["key"])
            if context is None or context["uses"] >= RESPONSE_URL_USES:
                return Response(
                    404,
                    MattermostError(
                        404, "web.command_webhook.invalid.app_error", "Invalid webhook."
                    ).body(),
                )
            context["uses"] += 1
        try:
            body = MattermostApi.body_of(request)
        except MattermostError as exc:
            return Response(exc.status, exc.body())
        self._show_command_response(context, body, via="response_url")
        return Response(200, "ok", content_type="text/plain")

    def _show_command_response(self, context: dict[str, Any], body: Any, *, via: str) -> None:
        """Do what Mattermost does with a command response: post in channel or ephemerally."""
        if not isinstance(body, dict):
            return
        for response in [body, *(body.get("extra_responses") or [])]:
            props = dict(response.get("props") or {})
            if response.get("attachments"):
                props["attachments"] = response["attachments"]
            text = str(response.get("text") or "")
            if not text and not props.get("attachments"):
                continue
            record: dict[str, Any] = {"via": via, "body": response}
            try:
                if response.get("response_type") == "in_channel":
                    # Mattermost posts it as the person who ran the command, marked as a webhook's.
                    props["from_webhook"] = "true"
                    post = self.user_posts(
                        context["channel_id"], context["user_id"], text, context["root_id"], props
                    )
                    record.update(action="in_channel", post_id=post["id"])
                else:
                    with self.lock:
                        post = self.team.add_ephemeral(
                            user_id=context["user_id"],
                            channel_id=context["channel_id"],
                            message=text,
                            props=props,
                            root_id=context["root_id"],
                        )
                    self._deliver_ephemeral(post)
                    record.update(action="ephemeral", post_id=post["id"])
            except MattermostError as exc:
                record.update(action="rejected", error=exc.error_id)
            with self.lock:
                self.responses.append(record)

    def click_button(
        self,
        url: str,
        context: dict[str, Any],
        user_id: str = "u-alice",
        post_id: str = "",
        channel_id: str | None = None,
        selected_option: str | None = None,
    ) -> httpx.Response:
        """POST an interactive action as Mattermost does, then apply `update`/`ephemeral_text`."""
        with self.lock:
            user = copy.deepcopy(self.team.user(user_id))
            if post_id and channel_id is None:
                channel_id = self.team.post(post_id)["channel_id"]
            channel = self.team.channel_object(self.team.channel(channel_id or "ch-payments"))
        payload = action_payload(
            context=context,
            user=user,
            channel=channel,
            post_id=post_id,
            selected_option=selected_option,
        )
        response = self._deliver(url, kind="action", json_body=payload, note={"post_id": post_id})
        if response.status_code == 200 and response.content.strip():
            try:
                answer = response.json()
            except ValueError:
                answer = None
            if isinstance(answer, dict):
                self._apply_action_answer(answer, post_id, user_id, channel["id"])
        return response

    def click_post_action(
        self,
        post_id: str,
        action_id: str,
        user_id: str = "u-alice",
        selected_option: str | None = None,
    ) -> httpx.Response:
        """Click a button on a post the way a person does: Mattermost finds its URL and context."""
        if not ACTION_ID.match(action_id):
            raise LookupError(
                f"Mattermost cannot route action id {action_id!r}: letters and digits only"
            )
        with self.lock:
            post = self.team.post(post_id)
            actions = [
                action
                for attachment in post["props"].get("attachments") or []
                for action in (attachment or {}).get("actions") or []
            ]
        action = next((a for a in actions if a.get("id") == action_id), None)
        if action is None or not (action.get("integration") or {}).get("url"):
            raise LookupError(f"post {post_id} has no action {action_id!r} with an integration URL")
        integration = action["integration"]
        return self.click_button(
            integration["url"],
            dict(integration.get("context") or {}),
            user_id,
            post_id,
            post["channel_id"],
            selected_option,
        )

    def _apply_action_answer(
        self, answer: dict[str, Any], post_id: str, user_id: str, channel_id: str
    ) -> None:
        record: dict[str, Any] = {"via": "action", "body": answer}
        update = answer.get("update")
        if isinstance(update, dict) and post_id:
            changes = {k: update[k] for k in ("message", "props") if k in update}
            with self.lock:
                post = self.team.post(post_id)
                # The integration edits on the post owner's behalf, whoever clicked.
                edited = client_post(self.team.edit_post(post_id, changes, by=post["user_id"]))
            self._broadcast(channel_id, "post_edited", {"post": json.dumps(edited)})
            record["updated"] = post_id
        if answer.get("ephemeral_text"):
            with self.lock:
                post = self.team.add_ephemeral(
                    user_id=user_id,
                    channel_id=channel_id,
                    message=str(answer["ephemeral_text"]),
                    props=None,
                )
            self._deliver_ephemeral(post)
            record["ephemeral"] = post["id"]
        with self.lock:
            self.responses.append(record)

    def _deliver(
        self,
        url: str,
        *,
        kind: str,
        data: dict[str, str] | None = None,
        json_body: dict[str, Any] | None = None,
        note: dict[str, Any] | None = None,
    ) -> httpx.Response:
        headers = {"User-Agent": "mattermost-9.11.0.sandbox", "Accept": "application/json"}
        response = httpx.post(
            url, data=data, json=json_body, headers=headers, timeout=self.integration_timeout
        )
        with self.lock:
            self.deliveries.append(
                {"kind": kind, "url": url, "status": response.status_code, **(note or {})}
            )
        return response

    # -- life ------------------------------------------------------------------------------

    def __enter__(self) -> Self:
        return self.start()

    # -- inspection -----------------------------------------------------------------------
    def posts(self, channel_id: str) -> list[dict[str, Any]]:
        """The channel's posts in order, as stored (integrations kept), each with `edits`."""
        with self.lock:
            posts: list[dict[str, Any]] = self.team.snapshot()["channels"][channel_id]["posts"]
        return posts

    def ephemeral_seen_by(self, user_id: str) -> list[dict[str, Any]]:
        """The ephemeral posts that reached `user_id`'s websockets, oldest first."""
        with self.lock:
            return [
                copy.deepcopy(post) for post in self.team.ephemeral if user_id in post["seen_by"]
            ]

    def state(self) -> dict[str, Any]:
        snapshot = self.team.snapshot()
        snapshot["websocket_connections"] = sum(
            1 for c in self.websockets if c.user_id is not None and not c.closed
        )
        snapshot["responses"] = copy.deepcopy(self.responses)
        snapshot["deliveries"] = copy.deepcopy(self.deliveries)
        return snapshot

    def drop_websockets(self, code: int = 1011) -> None:
        """Close every websocket as a failing server would (1011), to test reconnecting."""
        with self.lock:
            connections = list(self.websockets)
        for connection in connections:
            connection.close(code)

    def stop(self) -> None:
        self.drop_websockets(1001)  # "going away", as a server shutting down says
        super().stop()
