"""The Slack workspace the sandbox pretends to be: users, channels, messages and files.

Pure data and the rules Slack applies to it (who may edit what, which channel a name means);
it knows nothing of HTTP, tokens or rate limits, and every method expects the caller to hold
the sandbox lock.
"""

from __future__ import annotations

import copy
import itertools
import time
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

TEAM_ID = "T0KUBER"
TEAM_NAME = "Kuber Sandbox"
TEAM_DOMAIN = "kuber-sandbox"
APP_ID = "A0KUBER"
BOT_USER_ID = "U0KUBER"
BOT_ID = "B0KUBER"

# (id, name, real name, time zone): time zones differ on purpose so stand-up times can be tested.
SEED_USERS = [
    (BOT_USER_ID, "kuber", "Kuber", "Asia/Seoul"),
    ("U0ALICE", "alice", "Alice Kim", "Asia/Seoul"),
    ("U0BOB", "bob", "Bob Lee", "America/Los_Angeles"),
    ("U0CAROL", "carol", "Carol Park", "Europe/Berlin"),
]
SEED_CHANNELS = [("C0PAY", "payments"), ("C0CART", "cart"), ("C0OPS", "ops")]


class SlackError(Exception):
    """A Web API error code, answered as {"ok": false, "error": code}."""

    def __init__(self, code: str, **extra: Any) -> None:
        super().__init__(code)
        self.code = code
        self.extra = extra


@dataclass
class Channel:
    id: str
    name: str
    is_im: bool = False
    im_user: str | None = None
    members: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)
    created: int = field(default_factory=lambda: int(time.time()))


class TimestampClock:
    """Message timestamps as Slack makes them: `seconds.micros`, unique and increasing."""

    def __init__(self) -> None:
        self._last = 0

    def next(self) -> str:
        micros = max(int(time.time() * 1_000_000), self._last + 1)
        self._last = micros
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"


class SlackWorkspace:
    def __init__(self) -> None:
        self.clock = TimestampClock()
        self.users: dict[str, dict[str, Any]] = {}
        self.channels: dict[str, Channel] = {}
        self.ephemeral: list[dict[str, Any]] = []
        self.files: dict[str, dict[str, Any]] = {}
        self._ids = itertools.count(1)
        for user_id, name, real_name, tz in SEED_USERS:
            self.add_user(user_id, name, real_name, tz, is_bot=user_id == BOT_USER_ID)
        for channel_id, name in SEED_CHANNELS:
            self.add_channel(channel_id, name)

    # -- directory ---------------------------------------------------------------------------
    def add_user(
        self, user_id: str, name: str, real_name: str, tz: str, *, is_bot: bool = False
    ) -> None:
        self.users[user_id] = {
            "id": user_id,
            "name": name,
            "real_name": real_name,
            "tz": tz,
            "is_bot": is_bot,
        }
        if not is_bot:
            dm_id = "D" + user_id[1:]
            self.channels[dm_id] = Channel(dm_id, dm_id, True, user_id, {user_id, BOT_USER_ID})
        for channel in self.channels.values():
            if not channel.is_im:
                channel.members.add(user_id)

    def add_channel(self, channel_id: str, name: str) -> None:
        members = {uid for uid, user in self.users.items() if not user.get("is_bot")}
        self.channels[channel_id] = Channel(channel_id, name, members=members | {BOT_USER_ID})

    def user_object(self, user_id: str) -> dict[str, Any]:
        user = self.users.get(user_id)
        if user is None:
            raise SlackError("user_not_found")
        tz = user["tz"]
        try:
            offset = datetime.now(ZoneInfo(tz)).utcoffset()
        except ZoneInfoNotFoundError:  # a machine without tzdata still answers
            offset = None
        return {
            "id": user_id,
            "team_id": TEAM_ID,
            "name": user["name"],
            "deleted": False,
            "real_name": user["real_name"],
            "tz": tz,
            "tz_label": tz,
            "tz_offset": int(offset.total_seconds()) if offset else 0,
            "is_bot": user["is_bot"],
            "is_admin": False,
            "is_app_user": False,
            "profile": {
                "display_name": user["name"],
                "real_name": user["real_name"],
                "email": f"{user['name']}@kuber-sandbox.test",
                "bot_id": BOT_ID if user["is_bot"] else None,
                "team": TEAM_ID,
            },
        }

    def resolve_channel(self, ref: str | None) -> Channel:
        """A channel id, a `#name`, a name or a user id (its DM), as chat.postMessage accepts."""
        if not ref:
            raise SlackError("channel_not_found")
        if ref in self.channels:
            return self.channels[ref]
        if ref in self.users and not self.users[ref]["is_bot"]:
            return self.channels["D" + ref[1:]]
        name = ref.removeprefix("#")
        for channel in self.channels.values():
            if channel.name == name and not channel.is_im:
                return channel
        raise SlackError("channel_not_found")

    def channel_object(self, channel: Channel) -> dict[str, Any]:
        return {
            "id": channel.id,
            "name": channel.name,
            "is_channel": not channel.is_im,
            "is_group": False,
            "is_im": channel.is_im,
            "is_private": channel.is_im,
            "is_member": BOT_USER_ID in channel.members,
            "is_archived": False,
            "created": channel.created,
            "user": channel.im_user,
            "num_members": len(channel.members),
        }

    # -- messages ----------------------------------------------------------------------------
    def find_message(self, channel: Channel, ts: str) -> dict[str, Any] | None:
        for message in channel.messages:
            if message["ts"] == ts:
                return message
        return None

    def add_message(
        self,
        channel: Channel,
        *,
        user: str,
        text: str,
        blocks: list[Any] | None = None,
        attachments: list[Any] | None = None,
        thread_ts: str | None = None,
        files: list[str] | None = None,
        metadata: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        if thread_ts is not None:
            parent = self.find_message(channel, thread_ts)
            if parent is None:
                # A reply to nothing would vanish from view; failing loudly catches the bug.
                raise SlackError("thread_not_found")
            # Replying to a reply threads under the parent, as in the Slack client.
            thread_ts = parent.get("thread_ts") or thread_ts
        ts = self.clock.next()
        message: dict[str, Any] = {
            "type": "message",
            "ts": ts,
            "user": user,
            "text": text,
            "team": TEAM_ID,
        }
        if user == BOT_USER_ID:
            message["bot_id"] = BOT_ID
            message["app_id"] = APP_ID
        if blocks:
            message["blocks"] = blocks
        if attachments:
            message["attachments"] = attachments
        if thread_ts:
            message["thread_ts"] = thread_ts
        if files:
            message["files"] = files
        if metadata:
            message["metadata"] = copy.deepcopy(metadata)
        record = {**message, "edits": []}
        channel.messages.append(record)
        return message

    def update_message(
        self,
        channel: Channel,
        ts: str,
        *,
        text: str | None,
        blocks: list[Any] | None,
        attachments: list[Any] | None,
        by: str = BOT_USER_ID,
    ) -> dict[str, Any]:
        record = self.find_message(channel, ts)
        if record is None:
            raise SlackError("message_not_found")
        if record["user"] != by:
            raise SlackError("cant_update_message")
        previous = {k: copy.deepcopy(record.get(k)) for k in ("text", "blocks", "attachments")}
        record["edits"].append({**previous, "at": time.time()})
        if text is not None:
            record["text"] = text
        # chat.update replaces blocks/attachments only when given; an empty list clears them.
        for key, value in (("blocks", blocks), ("attachments", attachments)):
            if value is not None:
                if value:
                    record[key] = value
                else:
                    record.pop(key, None)
        record["edited"] = {"user": by, "ts": self.clock.next()}
        return public_message(record)

    def delete_message(self, channel: Channel, ts: str) -> None:
        record = self.find_message(channel, ts)
        if record is None:
            raise SlackError("message_not_found")
        channel.messages.remove(record)

    def add_ephemeral(
        self,
        channel: Channel,
        *,
        user: str,
        text: str,
        blocks: list[Any] | None,
        thread_ts: str | None = None,
    ) -> str:
        """Show a message to `user` alone; it never joins the channel's history.

        `seen_by` records who was shown it. Slack shows an ephemeral message in a thread only
        when the thread already has replies: in one without (or under no message at all) it
        is shown to nobody, which the record keeps as an empty `seen_by`.
        """
        if user not in self.users:
            raise SlackError("user_not_found")
        if user not in channel.members:
            raise SlackError("user_not_in_channel")
        shown = True
        if thread_ts:
            parent = self.find_message(channel, thread_ts)
            thread_ts = (parent.get("thread_ts") or thread_ts) if parent else thread_ts
            shown = any(
                m.get("thread_ts") == thread_ts and m["ts"] != thread_ts for m in channel.messages
            )
        ts = self.clock.next()
        self.ephemeral.append(
            {
                "channel": channel.id,
                "user": user,
                "ts": ts,
                "text": text,
                "blocks": blocks,
                "thread_ts": thread_ts or None,
                "seen_by": [user] if shown else [],
                "edits": [],
            }
        )
        return ts

    def find_ephemeral(self, ts: str) -> dict[str, Any] | None:
        for message in self.ephemeral:
            if message["ts"] == ts:
                return message
        return None

    def new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):08d}"

    def snapshot(self) -> dict[str, Any]:
        channels = {
            channel.id: {
                "name": channel.name,
                "is_im": channel.is_im,
                "messages": [
                    {**copy.deepcopy(m), "edited_count": len(m["edits"])} for m in channel.messages
                ],
            }
            for channel in self.channels.values()
        }
        files = [
            {k: v for k, v in f.items() if k != "data"} | {"bytes": len(f.get("data") or b"")}
            for f in self.files.values()
        ]
        return {
            "team": {"id": TEAM_ID, "name": TEAM_NAME, "bot_user_id": BOT_USER_ID},
            "channels": channels,
            "ephemeral": copy.deepcopy(self.ephemeral),
            "files": files,
        }


def public_message(record: dict[str, Any]) -> dict[str, Any]:
    """A stored message as the Web API shows it (without the sandbox's edit history)."""
    return {k: copy.deepcopy(v) for k, v in record.items() if k != "edits"}
