"""The Mattermost v4 REST endpoints the sandbox serves, named as mattermostdriver names them.

Each handler gets the request and the authenticated user id and answers as Mattermost would,
raising `MattermostError` for its error shape; authentication, the journal and websocket
delivery stay in the server module, so this one never sees a token.
"""

from __future__ import annotations

import copy
import json
import mimetypes
import threading
from collections.abc import Callable
from typing import Any

from sandbox.http import Request, Response
from sandbox.mattermost_multipart import parse_multipart
from sandbox.mattermost_store import (
    BOT_USER_ID,
    TEAM_ID,
    TEAM_NAME,
    MattermostError,
    MattermostTeam,
    client_post,
)

ApiHandler = Callable[[Request, str], Response]
Broadcast = Callable[[str, str, dict[str, Any]], None]


class MattermostApi:
    def __init__(
        self,
        team: MattermostTeam,
        lock: threading.RLock,
        broadcast: Broadcast,
        broadcast_posted: Callable[[dict[str, Any]], None],
        deliver_ephemeral: Callable[[dict[str, Any]], None],
    ) -> None:
        self.team = team
        self.lock = lock
        # Websocket delivery is the server's: handlers call these after releasing the lock.
        self._broadcast = broadcast
        self._broadcast_posted = broadcast_posted
        self._deliver_ephemeral = deliver_ephemeral

    def endpoints(self) -> list[tuple[str, str, str, ApiHandler]]:
        """(method, path under /api/v4, mattermostdriver's name for it, handler)."""
        return [
            ("GET", "/users/me", "get_user_me", self._get_me),
            ("GET", "/users/username/{username}", "get_user_by_username", self._get_by_name),
            ("POST", "/users/ids", "get_users_by_ids", self._get_users_by_ids),
            ("GET", "/users/{user_id}", "get_user", self._get_user),
            ("POST", "/posts", "create_post", self._create_post),
            ("POST", "/posts/ephemeral", "create_ephemeral_post", self._create_ephemeral),
            ("GET", "/posts/{post_id}", "get_post", self._get_post),
            ("PUT", "/posts/{post_id}", "update_post", self._update_post),
            ("PUT", "/posts/{post_id}/patch", "patch_post", self._patch_post),
            ("DELETE", "/posts/{post_id}", "delete_post", self._delete_post),
            ("GET", "/posts/{post_id}/thread", "get_thread", self._get_thread),
            ("GET", "/channels/{channel_id}", "get_channel", self._get_channel),
            ("GET", "/channels/{channel_id}/posts", "get_posts_for_channel", self._channel_posts),
            (
                "GET",
                "/channels/{channel_id}/members/{member_id}",
                "get_channel_member",
                self._channel_member,
            ),
            ("POST", "/channels/direct", "create_direct_channel", self._create_direct),
            (
                "GET",
                "/teams/{team_id}/channels/name/{channel_name}",
                "get_channel_by_name",
                self._channel_by_name,
            ),
            (
                "GET",
                "/teams/name/{team_name}/channels/name/{channel_name}",
                "get_channel_by_name_and_team_name",
                self._channel_by_name,
            ),
            ("POST", "/files", "upload_file", self._upload_file),
            ("GET", "/files/{file_id}", "get_file", self._get_file),
            ("GET", "/files/{file_id}/info", "get_file_metadata", self._get_file_info),
        ]

    @staticmethod
    def body_of(request: Request) -> dict[str, Any]:
        try:
            body = request.json()
        except ValueError:
            body = None
        if not isinstance(body, dict):
            raise MattermostError(
                400, "api.context.invalid_body_param.app_error", "Invalid or missing body."
            )
        return body

    # -- users and channels ------------------------------------------------------------------
    def _get_me(self, _request: Request, user_id: str) -> Response:
        with self.lock:
            return Response(body=copy.deepcopy(self.team.user(user_id)))

    def _get_user(self, request: Request, _user_id: str) -> Response:
        with self.lock:
            return Response(body=copy.deepcopy(self.team.user(request.params["user_id"])))

    def _get_by_name(self, request: Request, _user_id: str) -> Response:
        with self.lock:
            return Response(body=copy.deepcopy(self.team.user_by_name(request.params["username"])))

    def _get_users_by_ids(self, request: Request, _user_id: str) -> Response:
        ids = request.json()
        with self.lock:
            found = [self.team.users[i] for i in ids or [] if i in self.team.users]
            return Response(body=copy.deepcopy(found))

    def _get_channel(self, request: Request, user_id: str) -> Response:
        with self.lock:
            channel = self.team.channel(request.params["channel_id"], member=user_id)
            return Response(body=self.team.channel_object(channel))

    def _channel_member(self, request: Request, user_id: str) -> Response:
        """One membership, as `GET /channels/{id}/members/{user_id}` answers it: only a member
        of the channel may ask, and a non-member is a 404."""
        member_id = request.params["member_id"]
        with self.lock:
            channel = self.team.channel(request.params["channel_id"], member=user_id)
            if member_id not in channel.members:
                raise MattermostError(
                    404,
                    "app.channel.get_member.missing.app_error",
                    "No channel member found for that user ID and channel ID.",
                )
            return Response(
                body={
                    "channel_id": channel.id,
                    "user_id": member_id,
                    "roles": "channel_user",
                    "last_viewed_at": 0,
                    "msg_count": 0,
                    "mention_count": 0,
                    "notify_props": {},
                    "last_update_at": channel.create_at,
                    "scheme_user": True,
                    "scheme_admin": False,
                }
            )

    def _channel_by_name(self, request: Request, user_id: str) -> Response:
        team = request.params.get("team_id") or request.params.get("team_name")
        if team not in (TEAM_ID, TEAM_NAME):
            raise MattermostError(
                404, "app.team.get.find.app_error", "Unable to find the existing team."
            )
        with self.lock:
            channel = self.team.channel_by_name(request.params["channel_name"])
            self.team.channel(channel.id, member=user_id)
            return Response(body=self.team.channel_object(channel))

    def _create_direct(self, request: Request, user_id: str) -> Response:
        ids = request.json()
        if not isinstance(ids, list) or len(ids) != 2 or user_id not in ids:
            raise MattermostError(
                400, "api.context.invalid_body_param.app_error", "Invalid user ids."
            )
        with self.lock:
            channel = self.team.direct_channel(ids[0], ids[1])
            return Response(201, self.team.channel_object(channel))

    # -- posts -------------------------------------------------------------------------------
    def _create_post(self, request: Request, user_id: str) -> Response:
        body = self.body_of(request)
        with self.lock:
            post = self.team.create_post(
                user_id=user_id,
                channel_id=str(body.get("channel_id") or ""),
                message=str(body.get("message") or ""),
                root_id=str(body.get("root_id") or ""),
                props=body.get("props"),
                file_ids=list(body.get("file_ids") or []),
            )
            shown = client_post(post)
        self._broadcast_posted(shown)
        return Response(201, shown)

    def _create_ephemeral(self, request: Request, user_id: str) -> Response:
        """`POST /posts/ephemeral` `{user_id, post: {channel_id, message, root_id, props}}`.

        As in Mattermost: the post is stored nowhere, only pushed to that user's websockets
        (`ephemeral_message`), and answered 201 with its type `system_ephemeral`. Here only
        the bot holds `create_post_ephemeral`: a person's session is refused with 403, as
        Mattermost refuses any session without that permission.
        """
        body = self.body_of(request)
        target = body.get("user_id")
        if not isinstance(target, str) or not target:
            raise MattermostError(*invalid_param("user_id"))
        post = body.get("post")
        if not isinstance(post, dict):
            raise MattermostError(*invalid_param("post"))
        if user_id != BOT_USER_ID:
            raise MattermostError(
                403,
                "api.context.permissions.app_error",
                "You do not have the appropriate permissions.",
            )
        with self.lock:
            stored = self.team.add_ephemeral(
                user_id=target,
                channel_id=str(post.get("channel_id") or ""),
                message=str(post.get("message") or ""),
                props=post.get("props"),
                root_id=str(post.get("root_id") or ""),
                sender=user_id,
            )
            shown = client_post(stored)
        self._deliver_ephemeral(stored)
        return Response(201, shown)

    def _get_post(self, request: Request, user_id: str) -> Response:
        with self.lock:
            post = self.team.post(request.params["post_id"])
            self.team.channel(post["channel_id"], member=user_id)
            return Response(body=client_post(post))

    def _edit(self, post_id: str, changes: dict[str, Any], user_id: str) -> Response:
        with self.lock:
            shown = client_post(self.team.edit_post(post_id, changes, by=user_id))
        self._broadcast(shown["channel_id"], "post_edited", {"post": json.dumps(shown)})
        return Response(body=shown)

    def _update_post(self, request: Request, user_id: str) -> Response:
        body = self.body_of(request)
        post_id = request.params["post_id"]
        if body.get("id") != post_id:
            # Mattermost insists the body names the post the URL names.
            raise MattermostError(
                400,
                "api.context.invalid_body_param.app_error",
                "Invalid or missing post in request body.",
            )
        changes = {"message": body.get("message", ""), "props": body.get("props") or {}}
        if "is_pinned" in body:
            changes["is_pinned"] = body["is_pinned"]
        return self._edit(post_id, changes, user_id)

    def _patch_post(self, request: Request, user_id: str) -> Response:
        body = self.body_of(request)
        changes: dict[str, Any] = {
            k: body[k] for k in ("message", "props", "is_pinned") if k in body
        }
        return self._edit(request.params["post_id"], changes, user_id)

    def _delete_post(self, request: Request, user_id: str) -> Response:
        with self.lock:
            post = self.team.post(request.params["post_id"])
            if post["user_id"] != user_id:
                raise MattermostError(
                    403,
                    "api.context.permissions.app_error",
                    "You do not have the appropriate permissions.",
                )
            post["delete_at"] = self.team.tick()
            shown = client_post(post)
        self._broadcast(shown["channel_id"], "post_deleted", {"post": json.dumps(shown)})
        return Response(body={"status": "OK"})

    def _get_thread(self, request: Request, user_id: str) -> Response:
        with self.lock:
            root = self.team.post(request.params["post_id"])
            self.team.channel(root["channel_id"], member=user_id)
            root_id = root["root_id"] or root["id"]
            thread = [
                p
                for p in self.team.posts.values()
                if (p["id"] == root_id or p["root_id"] == root_id) and not p["delete_at"]
            ]
            return Response(body=post_list(thread, has_next=False))

    def _channel_posts(self, request: Request, user_id: str) -> Response:
        try:
            page = int(request.arg("page") or 0)
            per_page = min(int(request.arg("per_page") or 60), 200)
            since = int(request.arg("since") or 0)
        except ValueError as exc:
            raise MattermostError(
                400, "api.context.invalid_url_param.app_error", "Invalid paging."
            ) from exc
        with self.lock:
            channel = self.team.channel(request.params["channel_id"], member=user_id)
            posts = self.team.channel_posts(channel)
            if since:
                return Response(
                    body=post_list([p for p in posts if p["update_at"] >= since], has_next=False)
                )
            newest = list(reversed(posts))
            chunk = newest[page * per_page : (page + 1) * per_page]
            return Response(body=post_list(chunk, has_next=len(newest) > (page + 1) * per_page))

    # -- files -------------------------------------------------------------------------------
    def _upload_file(self, request: Request, user_id: str) -> Response:
        try:
            parts = parse_multipart(request.headers.get("content-type", ""), request.body)
        except ValueError as exc:
            raise MattermostError(
                400,
                "api.file.upload_file.read_request.app_error",
                "Unable to upload file(s). Error reading or parsing request data.",
            ) from exc
        fields = {p.name: p.data.decode() for p in parts if p.filename is None}
        channel_id = fields.get("channel_id") or request.arg("channel_id") or ""
        uploads = [p for p in parts if p.filename is not None]
        if not channel_id or not uploads:
            raise MattermostError(
                400,
                "api.file.upload_file.incorrect_number_of_files.app_error",
                "Unable to upload files. Incorrect number of files specified.",
            )
        with self.lock:
            infos = [
                self.team.add_file(
                    user_id=user_id,
                    channel_id=channel_id,
                    name=str(p.filename),
                    data=p.data,
                    # Mattermost goes by the file name, not by what the client claims.
                    mime=mimetypes.guess_type(str(p.filename))[0]
                    or p.content_type
                    or "application/octet-stream",
                )
                for p in uploads
            ]
            return Response(201, {"file_infos": copy.deepcopy(infos), "client_ids": []})

    def _get_file(self, request: Request, _user_id: str) -> Response:
        with self.lock:
            info = self._file(request.params["file_id"])
            data = self.team.file_data[info["id"]]
        return Response(body=data, content_type=info["mime_type"])

    def _get_file_info(self, request: Request, _user_id: str) -> Response:
        with self.lock:
            return Response(body=copy.deepcopy(self._file(request.params["file_id"])))

    def _file(self, file_id: str) -> dict[str, Any]:
        info = self.team.files.get(file_id)
        if info is None:
            raise MattermostError(
                404, "app.file_info.get.app_error", "Unable to get the file info."
            )
        return info


def invalid_param(name: str) -> tuple[int, str, str]:
    """Mattermost's answer to a missing or malformed body field."""
    return (
        400,
        "api.context.invalid_body_param.app_error",
        f"Invalid or missing {name} in request body.",
    )


def post_list(posts: list[dict[str, Any]], *, has_next: bool) -> dict[str, Any]:
    """Mattermost's PostList: ids newest first in `order`, posts by id."""
    ordered = sorted(posts, key=lambda p: p["create_at"], reverse=True)
    return {
        "order": [p["id"] for p in ordered],
        "posts": {p["id"]: client_post(p) for p in ordered},
        "next_post_id": "",
        "prev_post_id": "",
        "has_next": has_next,
    }
