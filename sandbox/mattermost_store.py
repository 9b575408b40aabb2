"""The Mattermost team the sandbox pretends to be: users, channels, posts and files.

Pure data and the rules Mattermost applies to it (who may post or edit where, message limits,
action ids); it knows nothing of HTTP or websockets, and every method expects the caller to
hold the sandbox lock.
"""

from __future__ import annotations

import base64
import copy
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

TEAM_ID = "t-kuber"
TEAM_NAME = "kuber"
BOT_USER_ID = "u-kuber"
MAX_MESSAGE = 16383  # runes, as Mattermost's PostMessageMaxRunesV2

# (id, username, first name, last name, time zone)
SEED_USERS = [
    (BOT_USER_ID, "kuber", "Kuber", "", "Asia/Seoul"),
    ("u-alice", "alice", "Alice", "Kim", "Asia/Seoul"),
    ("u-bob", "bob", "Bob", "Lee", "America/Los_Angeles"),
    ("u-carol", "carol", "Carol", "Park", "Europe/Berlin"),
]
SEED_CHANNELS = [
    ("ch-payments", "payments", "Payments"),
    ("ch-cart", "cart", "Cart"),
    ("ch-ops", "ops", "Ops"),
]


class MattermostError(Exception):
    """An app error, answered in Mattermost's shape with its HTTP status."""

    def __init__(self, status: int, error_id: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.error_id = error_id
        self.message = message

    def body(self) -> dict[str, Any]:
        return {
            "id": self.error_id,
            "message": self.message,
            "detailed_error": "",
            "request_id": new_id(),
            "status_code": self.status,
        }


NO_PERMISSION = (
    403,
    "api.context.permissions.app_error",
    "You do not have the appropriate permissions.",
)


def new_id() -> str:
    """26 lower-case base32 characters, the shape of every Mattermost id."""
    return base64.b32encode(uuid.uuid4().bytes).decode().lower().rstrip("=")


def now_ms() -> int:
    return int(time.time() * 1000)


@dataclass
class Channel:
    id: str
    name: str
    display_name: str
    type: str = "O"  # O public, P private, D direct
    members: set[str] = field(default_factory=set)
    post_ids: list[str] = field(default_factory=list)
    create_at: int = field(default_factory=now_ms)


class MattermostTeam:
    def __init__(self) -> None:
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.posts: dict[str, dict[str, Any]] = {}
        self.edits: dict[str, list[dict[str, Any]]] = {}
        self.ephemeral: list[dict[str, Any]] = []
        self.files: dict[str, dict[str, Any]] = {}
        self.file_data: dict[str, bytes] = {}
        self._last_ms = 0
        for user_id, username, first, last, tz in SEED_USERS:
            self.add_user(user_id, username, first, last, tz, is_bot=user_id == BOT_USER_ID)
        for channel_id, name, display in SEED_CHANNELS:
            self.add_channel(channel_id, name, display)

    def tick(self) -> int:
        """A millisecond clock that never repeats, so post order is stable."""
        self._last_ms = max(now_ms(), self._last_ms + 1)
        return self._last_ms

    # -- directory ---------------------------------------------------------------------------
    def add_user(
        self, user_id: str, username: str, first: str, last: str, tz: str, *, is_bot: bool = False
    ) -> None:
        stamp = now_ms()
        self.users[user_id] = {
            "id": user_id,
            "create_at": stamp,
            "update_at": stamp,
            "delete_at": 0,
            "username": username,
            "auth_data": "",
            "auth_service": "",
            "email": f"{username}@kuber-sandbox.test",
            "nickname": "",
            "first_name": first,
            "last_name": last,
            "position": "",
            "roles": "system_user",
            "locale": "en",
            "timezone": {
                "automaticTimezone": tz,
                "manualTimezone": "",
                "useAutomaticTimezone": "true",
            },
            "is_bot": is_bot,
        }
        for channel in self.channels.values():
            if channel.type == "O":
                channel.members.add(user_id)

    def add_channel(self, channel_id: str, name: str, display_name: str) -> Channel:
        channel = Channel(channel_id, name, display_name, members=set(self.users))
        self.channels[channel_id] = channel
        return channel

    def direct_channel(self, user_a: str, user_b: str) -> Channel:
        """The one direct channel of two users, named as Mattermost names it."""
        for user_id in (user_a, user_b):
            self.user(user_id)
        name = "__".join(sorted((user_a, user_b)))
        for channel in self.channels.values():
            if channel.name == name:
                return channel
        channel = Channel(new_id(), name, "", type="D", members={user_a, user_b})
        self.channels[channel.id] = channel
        return channel

    def user(self, user_id: str) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None:
            raise MattermostError(404, "app.user.missing_account.const", "Unable to find the user.")
        return user

    def user_by_name(self, username: str) -> dict[str, Any]:
        for user in self.users.values():
            if user["username"] == username:
                return user
        raise MattermostError(
            404,
            "app.user.get_by_username.app_error",
            "Unable to find an existing account matching your username for this team.",
        )

    def channel(self, channel_id: str, *, member: str | None = None) -> Channel:
        channel = self.channels.get(channel_id)
        if channel is None or (member is not None and member not in channel.members):
            # Mattermost does not tell a stranger whether a channel exists.
            raise MattermostError(*NO_PERMISSION)
        return channel

    def channel_by_name(self, name: str) -> Channel:
        for channel in self.channels.values():
            if channel.name == name:
                return channel
        raise MattermostError(
            404, "app.channel.get_by_name.missing.app_error", "Channel does not exist."
        )

    def channel_object(self, channel: Channel) -> dict[str, Any]:
        last_post = self.posts[channel.post_ids[-1]]["create_at"] if channel.post_ids else 0
        return {
            "id": channel.id,
            "create_at": channel.create_at,
            "update_at": channel.create_at,
            "delete_at": 0,
            "team_id": "" if channel.type == "D" else TEAM_ID,
            "type": channel.type,
            "display_name": channel.display_name,
            "name": channel.name,
            "header": "",
            "purpose": "",
            "last_post_at": last_post,
            "total_msg_count": len(channel.post_ids),
            "extra_update_at": 0,
            "creator_id": "",
        }

    # -- posts -------------------------------------------------------------------------------
    def create_post(
        self,
        *,
        user_id: str,
        channel_id: str,
        message: str,
        root_id: str = "",
        props: dict[str, Any] | None = None,
        file_ids: list[str] | None = None,
    ) -> dict[str, Any]:
        channel = self.channel(channel_id, member=user_id)
        check_message(message)
        props = copy.deepcopy(props or {})
        check_props(props)
        if root_id:
            root = self.posts.get(root_id)
            if root is None or root["channel_id"] != channel.id:
                raise MattermostError(
                    400, "api.post.create_post.root_id.app_error", "Invalid RootId parameter."
                )
            # A reply to a reply belongs to the same thread root.
            root_id = root["root_id"] or root_id
        stamp = self.tick()
        post: dict[str, Any] = {
            "id": new_id(),
            "create_at": stamp,
            "update_at": stamp,
            "edit_at": 0,
            "delete_at": 0,
            "is_pinned": False,
            "user_id": user_id,
            "channel_id": channel.id,
            "root_id": root_id,
            "original_id": "",
            "message": message,
            "type": "",
            "props": props,
            "hashtags": "",
            "pending_post_id": "",
            "reply_count": 0,
            "metadata": {},
        }
        attached = self._attach_files(post, file_ids or [], user_id)
        if attached:
            post["file_ids"] = attached
        self.posts[post["id"]] = post
        self.edits[post["id"]] = []
        channel.post_ids.append(post["id"])
        if root_id:
            for thread_post in self._thread(root_id):
                thread_post["reply_count"] += 1
        return post

    def _attach_files(self, post: dict[str, Any], file_ids: list[str], user_id: str) -> list[str]:
        # Mattermost silently drops files that are not the poster's or are already attached.
        attached = []
        for file_id in file_ids:
            info = self.files.get(file_id)
            if info and info["user_id"] == user_id and not info["post_id"]:
                info["post_id"] = post["id"]
                attached.append(file_id)
        return attached

    def _thread(self, root_id: str) -> list[dict[str, Any]]:
        return [p for p in self.posts.values() if p["id"] == root_id or p["root_id"] == root_id]

    def post(self, post_id: str) -> dict[str, Any]:
        post = self.posts.get(post_id)
        if post is None or post["delete_at"]:
            raise MattermostError(404, "app.post.get.app_error", "Unable to get the post.")
        return post

    def edit_post(self, post_id: str, changes: dict[str, Any], *, by: str) -> dict[str, Any]:
        """Apply an update or patch; only the poster may edit, as for a normal user."""
        post = self.post(post_id)
        if post["user_id"] != by:
            raise MattermostError(*NO_PERMISSION)
        if "message" in changes:
            check_message(str(changes["message"]))
        if "props" in changes:
            check_props(changes["props"] or {})
        previous = {"message": post["message"], "props": copy.deepcopy(post["props"])}
        stamp = self.tick()
        if "message" in changes and changes["message"] != post["message"]:
            post["message"] = str(changes["message"])
            post["edit_at"] = stamp
        if "props" in changes:
            post["props"] = copy.deepcopy(changes["props"] or {})
        if "is_pinned" in changes:
            post["is_pinned"] = bool(changes["is_pinned"])
        post["update_at"] = stamp
        self.edits[post_id].append({**previous, "at": stamp})
        return post

    def channel_posts(self, channel: Channel) -> list[dict[str, Any]]:
        return [self.posts[i] for i in channel.post_ids if not self.posts[i]["delete_at"]]

    def add_ephemeral(
        self,
        *,
        user_id: str,
        channel_id: str,
        message: str,
        props: Any,
        root_id: str = "",
        sender: str = BOT_USER_ID,
    ) -> dict[str, Any]:
        """An ephemeral post for `user_id`: kept apart from the channel's posts, as Mattermost
        keeps it nowhere at all. `for_user` is whom it is for; `seen_by` fills in as it is
        pushed to that person's open websockets (the server does that, not the store)."""
        self.user(user_id)
        channel = self.channel(channel_id)
        check_message(message)
        props = copy.deepcopy(props or {})
        check_props(props)  # gives buttons their ids, as Mattermost does for ephemeral posts
        stamp = self.tick()
        post = {
            "id": new_id(),
            "create_at": stamp,
            "update_at": stamp,
            "edit_at": 0,
            "delete_at": 0,
            "is_pinned": False,
            "user_id": sender,
            "channel_id": channel.id,
            "root_id": root_id,
            "original_id": "",
            "message": message,
            "type": "system_ephemeral",
            "props": props,
            "hashtags": "",
            "pending_post_id": "",
            "reply_count": 0,
            "metadata": {},
            "for_user": user_id,
            "seen_by": [],
        }
        self.ephemeral.append(post)
        return post

    # -- files -------------------------------------------------------------------------------
    def add_file(
        self, *, user_id: str, channel_id: str, name: str, data: bytes, mime: str
    ) -> dict[str, Any]:
        self.channel(channel_id, member=user_id)
        stamp = now_ms()
        info: dict[str, Any] = {
            "id": new_id(),
            "user_id": user_id,
            "post_id": "",
            "channel_id": channel_id,
            "create_at": stamp,
            "update_at": stamp,
            "delete_at": 0,
            "name": name,
            "extension": name.rsplit(".", 1)[-1].lower() if "." in name else "",
            "size": len(data),
            "mime_type": mime,
            "width": 0,
            "height": 0,
            "has_preview_image": False,
            "mini_preview": None,
            "remote_id": "",
            "archived": False,
        }
        self.files[info["id"]] = info
        self.file_data[info["id"]] = data
        return info

    def snapshot(self) -> dict[str, Any]:
        channels = {}
        for channel in self.channels.values():
            posts = []
            for post in self.channel_posts(channel):
                edits = copy.deepcopy(self.edits[post["id"]])
                posts.append({**copy.deepcopy(post), "edits": edits, "edited_count": len(edits)})
            channels[channel.id] = {"name": channel.name, "type": channel.type, "posts": posts}
        return {
            "team": {"id": TEAM_ID, "name": TEAM_NAME, "bot_user_id": BOT_USER_ID},
            "channels": channels,
            "ephemeral": copy.deepcopy(self.ephemeral),
            "files": copy.deepcopy(list(self.files.values())),
        }


def check_message(message: str) -> None:
    if len(message) > MAX_MESSAGE:
        raise MattermostError(400, "model.post.is_valid.msg.app_error", "Invalid Message.")


def check_props(props: Any) -> None:
    """Attachments must be a list; actions without an id get one, as Mattermost assigns them."""
    if not isinstance(props, dict):
        raise MattermostError(400, "model.post.is_valid.props.app_error", "Invalid Props.")
    attachments = props.get("attachments")
    if attachments is None:
        return
    if not isinstance(attachments, list):
        raise MattermostError(400, "model.post.is_valid.props.app_error", "Invalid Props.")
    for attachment in attachments:
        for action in (attachment or {}).get("actions") or []:
            if not action.get("id"):
                action["id"] = new_id()
            integration = action.get("integration")
            if integration is not None and not str(integration.get("url") or "").startswith(
                ("http://", "https://", "/plugins/")
            ):
                raise MattermostError(
                    400, "model.post.is_valid.props.app_error", "Invalid action URL."
                )


#: What the sandbox notes on an ephemeral post for tests; no client is ever shown these.
SANDBOX_ONLY = ("for_user", "seen_by")


def client_post(post: dict[str, Any]) -> dict[str, Any]:
    """A post as clients see it: action integrations (URL and context) are stripped."""
    shown = {k: copy.deepcopy(v) for k, v in post.items() if k not in SANDBOX_ONLY}
    for attachment in shown.get("props", {}).get("attachments") or []:
        for action in (attachment or {}).get("actions") or []:
            action.pop("integration", None)
    return shown
