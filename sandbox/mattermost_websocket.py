"""The Mattermost websocket protocol on top of the sandbox's websocket connection:
authentication challenge, hello and sequenced events.

It must not touch sandbox state beyond the connection it wraps.
"""

from __future__ import annotations

import json
from http.server import BaseHTTPRequestHandler
from typing import Any

from sandbox.mattermost_store import new_id
from sandbox.websocket import WebSocketConnection

SERVER_VERSION = "9.11.0.sandbox"


class MattermostWebSocket(WebSocketConnection):
    """One Mattermost websocket: a user once authenticated, and its own event sequence."""

    def __init__(self, handler: BaseHTTPRequestHandler) -> None:
        super().__init__(handler, connection_id=new_id())
        self.user_id: str | None = None
        self._seq = 0

    def next_seq(self) -> int:
        with self._send_lock:
            seq = self._seq
            self._seq += 1
        return seq

    def send_event(
        self, event: str, data: dict[str, Any], broadcast: dict[str, Any] | None = None
    ) -> bool:
        message = {
            "event": event,
            "data": data,
            "broadcast": {
                "omit_users": None,
                "user_id": "",
                "channel_id": "",
                "team_id": "",
                **(broadcast or {}),
            },
            "seq": self.next_seq(),
        }
        return self.send_text(json.dumps(message))

    def reply(self, seq_reply: Any, status: str = "OK", **extra: Any) -> bool:
        return self.send_text(json.dumps({"status": status, "seq_reply": seq_reply, **extra}))

    def authenticated(self, user_id: str) -> None:
        self.user_id = user_id
        self.send_event(
            "hello",
            {"server_version": SERVER_VERSION, "connection_id": self.id},
            {"user_id": user_id},
        )
