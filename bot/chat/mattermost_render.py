"""A `Reply` as Mattermost post fields: markdown `message` plus message attachments carrying
fields, the error colour and buttons whose integration context Kuber signs itself.

Pure functions, no I/O. Mattermost only routes action ids made of letters and digits and signs
nothing it sends back, so every button gets such an id and an HMAC'd context here.
"""

from __future__ import annotations

import re
from typing import Any

from bot.chat.mattermost_security import sign_context
from bot.messages import Button, Reply

#: Mattermost's limit is 16383 runes; keep room for the fence and context lines we add.
MAX_MESSAGE = 16000
#: Attachment bars: red for a failure or refusal, Kuber's blue otherwise.
ERROR_COLOR = "#D24B4E"
INFO_COLOR = "#1F6FEB"
#: A field this short sits beside its neighbour instead of taking a whole row.
SHORT_FIELD = 40
#: The post prop that carries the outbox key, so a restart can find what was already sent.
OUTBOX_KEY_PROP = "kuber_outbox_key"

_NOT_ALNUM = re.compile(r"[^A-Za-z0-9]")
_HANGUL = re.compile(r"[\u1100-\u11ff\u3130-\u318f\uac00-\ud7a3]")


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


def _fence(code: str) -> str:
    # A fence longer than any backtick run inside the code, so the code cannot close it early.
    longest = max((len(run) for run in re.findall(r"`+", code)), default=0)
    fence = "`" * max(3, longest + 1)
    return f"{fence}\n{code.rstrip()}\n{fence}"


def _italic_line(text: str) -> str:
    escaped = text.replace("\\", "\\\\").replace("*", "\\*").replace("\n", " ")
    return f"*{escaped}*"


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def message_markdown(reply: Reply) -> str:
    """The post's markdown: text, then code in a fence, then the context in small italics."""
    parts = [reply.text] if reply.text else []
    if reply.code:
        parts.append(_fence(reply.code))
    if reply.context:
        parts.append(_italic_line(reply.context))
    return _truncate("\n".join(parts), MAX_MESSAGE)


def action_id(button: Button, index: int) -> str:
    """Letters and digits only (Mattermost routes nothing else), unique within the post."""
    stem = _NOT_ALNUM.sub("", button.action) or "button"
    return f"{stem}{index}"


def _action(
    button: Button,
    index: int,
    *,
    actions_url: str,
    secret: bytes,
    channel: str | None,
    thread: str | None,
    post: str | None,
) -> dict[str, Any]:
    fields: dict[str, Any] = {"action": button.action, "value": button.value}
    # Binding the channel (and thread) means a context copied to another channel is refused,
    # and tells the click where to answer without trusting the payload for it.
    if channel:
        fields["channel"] = channel
    if thread:
        fields["thread"] = thread
    # And the post: the outbox key of a new post (its id is not known before it exists) or
    # the id of the post being edited. A context lifted onto another post is refused.
    if post:
        fields["post"] = post
    return {
        "id": action_id(button, index),
        "name": button.label,
        "type": "button",
        "style": button.style,
        "integration": {"url": actions_url, "context": sign_context(fields, secret)},
    }


def render_post(
    reply: Reply,
    *,
    actions_url: str,
    secret: bytes,
    channel: str | None = None,
    thread: str | None = None,
    post: str | None = None,
) -> dict[str, Any]:
    """`message` and `props` of a post showing `reply` (images are the transport's job)."""
    message = message_markdown(reply)
    props: dict[str, Any] = {}
    if reply.fields or reply.buttons or reply.is_error:
        attachment: dict[str, Any] = {
            "fallback": _truncate(reply.as_text(), 3000),
            "color": ERROR_COLOR if reply.is_error else INFO_COLOR,
        }
        if reply.is_error and not (reply.fields or reply.buttons):
            # An empty attachment renders as a blank box: the error's text goes inside the red
            # bar instead, which is where people look for it.
            attachment["text"] = message
            message = ""
        if reply.fields:
            attachment["fields"] = [
                {
                    "title": f.label,
                    "value": f.value,
                    "short": len(f.value) <= SHORT_FIELD and "\n" not in f.value,
                }
                for f in reply.fields
            ]
        if reply.buttons:
            attachment["actions"] = [
                _action(
                    b,
                    i,
                    actions_url=actions_url,
                    secret=secret,
                    channel=channel,
                    thread=thread,
                    post=post,
                )
                for i, b in enumerate(reply.buttons)
            ]
        props["attachments"] = [attachment]
    return {"message": message, "props": props}
