"""Chunked HTTP responses that stay open: how watches and `logs --follow` stream.

Small enough to share and careful about the one thing streams get wrong: noticing that the
client went away, so a stream ends instead of holding a thread forever.
"""

from __future__ import annotations

import select
import socket
from http.server import BaseHTTPRequestHandler


class ClientGone(Exception):
    """The client closed the connection; the stream should end quietly."""


def start(handler: BaseHTTPRequestHandler, content_type: str) -> None:
    handler.send_response(200)
    handler.send_header("Content-Type", content_type)
    handler.send_header("Transfer-Encoding", "chunked")
    handler.send_header("Cache-Control", "no-cache, private")
    handler.end_headers()


def send(handler: BaseHTTPRequestHandler, data: bytes) -> None:
    if not data:
        return  # an empty chunk would end the response
    try:
        handler.wfile.write(f"{len(data):x}\r\n".encode() + data + b"\r\n")
        handler.wfile.flush()
    except OSError as exc:  # broken pipe, reset: the client went away
        raise ClientGone from exc


def finish(handler: BaseHTTPRequestHandler) -> None:
    try:
        handler.wfile.write(b"0\r\n\r\n")
        handler.wfile.flush()
    except OSError:
        return


def client_gone(handler: BaseHTTPRequestHandler) -> bool:
    connection = handler.connection
    try:
        readable, _, _ = select.select([connection], [], [], 0)
        # A readable socket with nothing to read is a client that closed its end.
        return bool(readable) and connection.recv(1, socket.MSG_PEEK) == b""
    except OSError:
        return True
