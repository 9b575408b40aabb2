"""The Slack Web API methods the sandbox implements, over the sandbox's workspace.

Each method takes the call's arguments (already merged from query, form or JSON body) and
returns the success payload or raises `SlackError`; authentication, rate limits and the HTTP
framing stay in the server module, so this one never sees a token.
"""

from __future__ import annotations

import json
import secrets
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from sandbox.http import Request
from sandbox.slack_blocks import block_errors
from sandbox.slack_store import (
    BOT_ID,
    BOT_USER_ID,
    TEAM_DOMAIN,
    TEAM_ID,
    TEAM_NAME,
    SlackError,
    SlackWorkspace,
    public_message,
)

MAX_TEXT = 40_000
# Arguments that arrive as JSON text when a client sends a form instead of a JSON body.
JSON_ARGS = ("blocks", "attachments", "files", "metadata")

Method = Callable[[dict[str, Any]], dict[str, Any]]


def call_args(request: Request) -> dict[str, Any]:
    """Arguments as Slack reads them: query string, then form or JSON body on top."""
    args: dict[str, Any] = {k: v[-1] for k, v in request.query.items()}
    content_type = request.headers.get("content-type", "")
    if request.body and content_type.startswith("application/json"):
        body = request.json()
        if isinstance(body, dict):
            args.update(body)
    elif request.body and content_type.startswith("application/x-www-form-urlencoded"):
        form = parse_qs(request.body.decode("utf-8", "replace"), keep_blank_values=True)
        args.update({k: v[-1] for k, v in form.items()})
    for key in JSON_ARGS:
        if isinstance(args.get(key), str):
            try:
                args[key] = json.loads(args[key]) if args[key] else None
            except ValueError as exc:
                raise SlackError(f"invalid_{key}") from exc
    return args


def flag(value: Any) -> bool:
    return value in (True, 1, "1", "true", "True")


def message_metadata(value: Any) -> dict[str, Any] | None:
    """Check `metadata` as chat.postMessage does: an event type and a JSON object payload."""
    if value is None:
        return None
    if (
        not isinstance(value, dict)
        or not isinstance(value.get("event_type"), str)
        or not value["event_type"]
        or not isinstance(value.get("event_payload"), dict)
    ):
        raise SlackError("invalid_metadata_format")
    return {"event_type": value["event_type"], "event_payload": value["event_payload"]}


def history_message(record: dict[str, Any], with_metadata: bool) -> dict[str, Any]:
    """A message as history methods show it: metadata only for those who ask."""
    message = public_message(record)
    if not with_metadata:
        message.pop("metadata", None)
    return message


class SlackWebApi:
    def __init__(self, workspace: SlackWorkspace, base_url: Callable[[], str]) -> None:
        self.workspace = workspace
        self.base_url = base_url
        #: file_id -> upload key, for uploads announced but not yet completed.
        self.pending_uploads: dict[str, str] = {}
        self.methods: dict[str, Method] = {
            "api.test": lambda args: {"args": args},
            "auth.test": self.auth_test,
            "chat.postMessage": self.chat_post_message,
            "chat.update": self.chat_update,
            "chat.delete": self.chat_delete,
            "chat.postEphemeral": self.chat_post_ephemeral,
            "users.info": self.users_info,
            "conversations.info": self.conversations_info,
            "conversations.history": self.conversations_history,
            "conversations.replies": self.conversations_replies,
            "files.getUploadURLExternal": self.files_get_upload_url,
            "files.completeUploadExternal": self.files_complete_upload,
        }

    def auth_test(self, _args: dict[str, Any]) -> dict[str, Any]:
        return {
            "url": self.base_url() + "/",
            "team": TEAM_NAME,
            "user": "kuber",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
            "is_enterprise_install": False,
        }

    # -- chat --------------------------------------------------------------------------------
    def _content(self, args: dict[str, Any], *, required: bool) -> tuple[str, Any, Any]:
        text = args.get("text")
        blocks = args.get("blocks")
        attachments = args.get("attachments")
        if required and not (text or blocks or attachments):
            raise SlackError("no_text")
        if text is not None and len(str(text)) > MAX_TEXT:
            raise SlackError("msg_too_long")
        if blocks is not None:
            errors = block_errors(blocks)
            if errors:
                raise SlackError(
                    "invalid_blocks",
                    errors=errors,
                    response_metadata={"messages": [f"[ERROR] {e}" for e in errors]},
                )
        if attachments is not None and not isinstance(attachments, list):
            raise SlackError("invalid_attachments")
        return ("" if text is None else str(text)), blocks, attachments

    def chat_post_message(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.workspace.resolve_channel(args.get("channel"))
        text, blocks, attachments = self._content(args, required=True)
        message = self.workspace.add_message(
            channel,
            user=BOT_USER_ID,
            text=text,
            blocks=blocks,
            attachments=attachments,
            thread_ts=args.get("thread_ts") or None,
            metadata=message_metadata(args.get("metadata")),
        )
        return {"channel": channel.id, "ts": message["ts"], "message": message}

    def chat_update(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.workspace.resolve_channel(args.get("channel"))
        ts = args.get("ts")
        if not ts:
            raise SlackError("message_not_found")
        text, blocks, attachments = self._content(args, required=False)
        message = self.workspace.update_message(
            channel,
            str(ts),
            text=args.get("text") if "text" in args else None,
            blocks=blocks,
            attachments=attachments,
        )
        return {"channel": channel.id, "ts": ts, "text": text, "message": message}

    def chat_delete(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.workspace.resolve_channel(args.get("channel"))
        self.workspace.delete_message(channel, str(args.get("ts")))
        return {"channel": channel.id, "ts": args.get("ts")}

    def chat_post_ephemeral(self, args: dict[str, Any]) -> dict[str, Any]:
        """Answered `{"ok": true, "message_ts": …}` only: Slack keeps no such message, so there
        is no `ts`, `channel` or `message` to give back, and no method finds it later."""
        channel = self.workspace.resolve_channel(args.get("channel"))
        text, blocks, _ = self._content(args, required=True)
        ts = self.workspace.add_ephemeral(
            channel,
            user=str(args.get("user") or ""),
            text=text,
            blocks=blocks,
            thread_ts=str(args["thread_ts"]) if args.get("thread_ts") else None,
        )
        return {"message_ts": ts}

    # -- directory ---------------------------------------------------------------------------
    def users_info(self, args: dict[str, Any]) -> dict[str, Any]:
        return {"user": self.workspace.user_object(str(args.get("user") or ""))}

    def conversations_info(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.workspace.resolve_channel(args.get("channel"))
        return {"channel": self.workspace.channel_object(channel)}

    def conversations_history(self, args: dict[str, Any]) -> dict[str, Any]:
        """Top-level messages, newest first, between `oldest` and `latest` as Slack pages them.

        Message metadata is only shown with `include_all_metadata`, as in Slack; the cursor is
        an offset into the answer, which is enough for a sandbox that never compacts history.
        """
        channel = self.workspace.resolve_channel(args.get("channel"))
        limit = int(args.get("limit") or 100)
        inclusive = flag(args.get("inclusive"))
        oldest = float(args.get("oldest") or 0)
        latest = float(args["latest"]) if args.get("latest") else None

        def in_range(ts: float) -> bool:
            above = ts >= oldest if inclusive else ts > oldest
            below = latest is None or (ts <= latest if inclusive else ts < latest)
            return above and below

        top_level = [
            m
            for m in channel.messages
            if m.get("thread_ts") in (None, m["ts"]) and in_range(float(m["ts"]))
        ]
        newest_first = list(reversed(top_level))
        try:
            start = int(args.get("cursor") or 0)
        except ValueError as exc:
            raise SlackError("invalid_cursor") from exc
        page = newest_first[start : start + limit]
        with_metadata = flag(args.get("include_all_metadata"))
        answer: dict[str, Any] = {
            "messages": [history_message(m, with_metadata) for m in page],
            "has_more": start + limit < len(newest_first),
        }
        if answer["has_more"]:
            answer["response_metadata"] = {"next_cursor": str(start + limit)}
        return answer

    def conversations_replies(self, args: dict[str, Any]) -> dict[str, Any]:
        channel = self.workspace.resolve_channel(args.get("channel"))
        ts = str(args.get("ts") or "")
        if self.workspace.find_message(channel, ts) is None:
            raise SlackError("thread_not_found")
        thread = [m for m in channel.messages if m["ts"] == ts or m.get("thread_ts") == ts]
        with_metadata = flag(args.get("include_all_metadata"))
        return {"messages": [history_message(m, with_metadata) for m in thread], "has_more": False}

    # -- files (the flow of files_upload_v2) -------------------------------------------------
    def files_get_upload_url(self, args: dict[str, Any]) -> dict[str, Any]:
        filename = args.get("filename")
        try:
            length = int(args.get("length") or "")
        except ValueError as exc:
            raise SlackError("invalid_arguments") from exc
        if not filename or length <= 0:
            raise SlackError("invalid_arguments")
        file_id = self.workspace.new_id("F")
        key = secrets.token_urlsafe(12)
        self.pending_uploads[file_id] = key
        self.workspace.files[file_id] = {
            "id": file_id,
            "name": str(filename),
            "title": str(filename),
            "declared_length": length,
            "alt_txt": args.get("alt_txt"),
            "data": None,
            "channels": [],
            "thread_ts": None,
            "completed": False,
        }
        return {"upload_url": f"{self.base_url()}/upload/v1/{key}", "file_id": file_id}

    def receive_upload(self, key: str, data: bytes) -> str | None:
        """Store the bytes POSTed to an upload URL; the file id, or None for an unknown URL."""
        for file_id, pending in self.pending_uploads.items():
            if pending == key:
                self.workspace.files[file_id]["data"] = data
                return file_id
        return None

    def files_complete_upload(self, args: dict[str, Any]) -> dict[str, Any]:
        items = args.get("files")
        if not isinstance(items, list) or not items:
            raise SlackError("invalid_arguments")
        channel = None
        channel_ref = args.get("channel_id") or (str(args.get("channels") or "").split(",")[0])
        if channel_ref:
            channel = self.workspace.resolve_channel(channel_ref)
        thread_ts = args.get("thread_ts") or None
        completed = []
        for item in items:
            file_id = item.get("id") if isinstance(item, dict) else None
            stored = self.workspace.files.get(str(file_id))
            if stored is None or file_id not in self.pending_uploads:
                raise SlackError("file_not_found")
            if stored["data"] is None:
                raise SlackError("file_upload_not_found")
            stored["title"] = item.get("title") or stored["name"]
            completed.append(stored)
        for stored in completed:
            del self.pending_uploads[stored["id"]]
            stored["completed"] = True
        if channel is not None:
            # Sharing a file posts a message carrying it, with the initial comment as its text.
            self.workspace.add_message(
                channel,
                user=BOT_USER_ID,
                text=str(args.get("initial_comment") or ""),
                thread_ts=thread_ts,
                files=[f["id"] for f in completed],
            )
            for stored in completed:
                stored["channels"] = [channel.id]
                stored["thread_ts"] = thread_ts
        return {"files": [self.file_object(f) for f in completed]}

    def file_object(self, stored: dict[str, Any]) -> dict[str, Any]:
        name = stored["name"]
        return {
            "id": stored["id"],
            "created": int(time.time()),
            "timestamp": int(time.time()),
            "name": name,
            "title": stored["title"],
            "mimetype": "application/octet-stream",
            "filetype": name.rsplit(".", 1)[-1] if "." in name else "binary",
            "user": BOT_USER_ID,
            "size": len(stored["data"] or b""),
            "url_private": f"{self.base_url()}/files-pri/{TEAM_ID}-{stored['id']}/{name}",
            "permalink": f"{self.base_url()}/files/{TEAM_DOMAIN}/{stored['id']}/{name}",
            "channels": list(stored["channels"]),
        }
