"""Reads `multipart/form-data` bodies byte-exactly, for Mattermost file uploads.

The standard library's email parser may rewrite line endings inside binary parts, so this
splits on the boundary itself. It reads; it never validates what the parts mean.
"""

from __future__ import annotations

from dataclasses import dataclass
from email.message import Message


@dataclass
class Part:
    name: str
    filename: str | None
    content_type: str | None  # None when the part names none
    data: bytes


def parse_multipart(content_type: str, body: bytes) -> list[Part]:
    header = Message()
    header["content-type"] = content_type
    boundary = header.get_param("boundary")
    if not isinstance(boundary, str) or header.get_content_type() != "multipart/form-data":
        raise ValueError("not a multipart/form-data body")
    parts = []
    for chunk in body.split(b"--" + boundary.encode())[1:]:
        if chunk.startswith(b"--"):
            break  # the closing delimiter
        head, _, data = chunk.removeprefix(b"\r\n").partition(b"\r\n\r\n")
        part_headers = Message()
        for line in head.decode("utf-8", "replace").split("\r\n"):
            key, _, value = line.partition(":")
            if key:
                part_headers[key.strip()] = value.strip()
        name = part_headers.get_param("name", header="content-disposition")
        parts.append(
            Part(
                name=name if isinstance(name, str) else "",
                filename=part_headers.get_filename(),
                content_type=part_headers.get("content-type"),
                data=data.removesuffix(b"\r\n"),
            )
        )
    return parts
