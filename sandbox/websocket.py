"""RFC 6455 websockets served from inside the threaded sandbox: the handshake and the framing
over the request's own socket, for any sandbox that speaks a protocol on top (Mattermost's
event stream, Slack's Socket Mode).

No compression, no extensions and text frames only, which is all the clients the sandboxes
stand in for need. Pings from the peer are answered with their own payload, as the RFC asks:
slack_sdk reads its pong payload back to tell how fresh the connection is.
"""

from __future__ import annotations

import base64
import hashlib
import socket
import struct
import threading
import uuid
from http.server import BaseHTTPRequestHandler

MAGIC = "258EAFA5-E914-47DA-95CA-C5AB0DC85B11"
TEXT, BINARY, CLOSE, PING, PONG, CONTINUATION = 0x1, 0x2, 0x8, 0x9, 0xA, 0x0
MAX_MESSAGE = 1 << 20


def accept_key(key: str) -> str:
    return base64.b64encode(hashlib.sha1((key + MAGIC).encode()).digest()).decode()  # noqa: S324


class WebSocketConnection:
    """One upgraded connection; `recv` runs in the request's thread, `send_text` from any."""

    def __init__(self, handler: BaseHTTPRequestHandler, connection_id: str | None = None) -> None:
        self._rfile = handler.rfile
        self._socket: socket.socket = handler.connection
        self._send_lock = threading.Lock()
        self.closed = False
        self.id = connection_id or uuid.uuid4().hex
        #: Pings the peer sent (each answered with a pong).
        self.pings = 0

    def upgrade(self, handler: BaseHTTPRequestHandler, headers: dict[str, str]) -> str | None:
        """Answer the handshake; the reason it is refused, or None once switched."""
        if headers.get("upgrade", "").lower() != "websocket":
            return "expected an Upgrade: websocket request"
        key = headers.get("sec-websocket-key")
        if not key or headers.get("sec-websocket-version") != "13":
            return "missing Sec-WebSocket-Key or unsupported Sec-WebSocket-Version"
        handler.send_response_only(101, "Switching Protocols")
        handler.send_header("Upgrade", "websocket")
        handler.send_header("Connection", "Upgrade")
        handler.send_header("Sec-WebSocket-Accept", accept_key(key))
        handler.end_headers()
        return None

    # -- frames ------------------------------------------------------------------------------
    def _read_exact(self, size: int) -> bytes:
        data = self._rfile.read(size) if size else b""
        if len(data) < size:
            raise ConnectionError("peer went away")
        return data

    def _read_frame(self) -> tuple[bool, int, bytes]:
        first, second = self._read_exact(2)
        length = second & 0x7F
        if length == 126:
            (length,) = struct.unpack("!H", self._read_exact(2))
        elif length == 127:
            (length,) = struct.unpack("!Q", self._read_exact(8))
        if not second & 0x80:
            raise ConnectionError("client frames must be masked")
        if length > MAX_MESSAGE:
            raise ConnectionError("frame too large")
        mask = self._read_exact(4)
        payload = bytes(b ^ mask[i % 4] for i, b in enumerate(self._read_exact(length)))
        return bool(first & 0x80), first & 0x0F, payload

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        # One sendall per frame: a client reading in chunks never sees half a header.
        length = len(payload)
        if length < 126:
            header = struct.pack("!BB", 0x80 | opcode, length)
        elif length < 1 << 16:
            header = struct.pack("!BBH", 0x80 | opcode, 126, length)
        else:
            header = struct.pack("!BBQ", 0x80 | opcode, 127, length)
        with self._send_lock:
            if self.closed and opcode != CLOSE:
                raise ConnectionError("websocket closed")
            self._socket.sendall(header + payload)

    def recv(self) -> str | None:
        """The next text message, answering pings on the way; None once the peer closes."""
        parts: list[bytes] = []
        try:
            while True:
                fin, opcode, payload = self._read_frame()
                if opcode == PING:
                    self.pings += 1
                    self._send_frame(PONG, payload)
                elif opcode == PONG:
                    continue  # unsolicited pongs are heartbeats (mattermostdriver sends them)
                elif opcode == CLOSE:
                    self.close(struct.unpack("!H", payload[:2])[0] if len(payload) >= 2 else 1000)
                    return None
                else:
                    parts.append(payload)
                    if fin:
                        return b"".join(parts).decode("utf-8")
        except (ConnectionError, OSError, ValueError):
            self.close(1002)
            return None

    def send_text(self, text: str) -> bool:
        """Send one message; False if the connection is gone."""
        try:
            self._send_frame(TEXT, text.encode("utf-8"))
        except OSError:  # ConnectionError included: the peer left mid-send
            return False
        return True

    def ping(self, payload: bytes = b"") -> bool:
        """Ping the peer (its pong is read and dropped by `recv`); False if it is gone."""
        try:
            self._send_frame(PING, payload[:125])
        except OSError:
            return False
        return True

    def close(self, code: int = 1000) -> None:
        """Send a close frame once and shut the socket so the reading thread ends."""
        with self._send_lock:
            if self.closed:
                return
            self.closed = True
        try:
            self._send_frame(CLOSE, struct.pack("!H", code))
            self._socket.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass  # already gone: nothing left to tell the peer
