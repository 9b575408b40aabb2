"""Replies as JSON, so the outbox can keep them in a table and render them only at send time.

The format is private to the outbox (images travel as base64); it is not the
`kuber console --json` shape, which drops image bytes. It must round-trip every field of
`Reply` exactly, or a restart would deliver a different message than the one queued.
"""

from __future__ import annotations

import base64
import json
from typing import Any, cast

from bot.intents import Language
from bot.messages import Button, ButtonStyle, Field, Image, Reply

#: Bumped when the shape changes, so rows queued by an older Kuber can still be read.
#: (`audience` was added without a bump: a missing key reads as None, as before.)
FORMAT = 1


def reply_to_json(reply: Reply) -> dict[str, Any]:
    """A JSON-ready dict of `reply`; raises TypeError when `extra` holds something JSON can't."""
    encoded: dict[str, Any] = {
        "format": FORMAT,
        "text": reply.text,
        "fields": [{"label": f.label, "value": f.value} for f in reply.fields],
        "buttons": [
            {"label": b.label, "action": b.action, "value": b.value, "style": b.style}
            for b in reply.buttons
        ],
        "images": [
            {"title": i.title, "alt": i.alt, "png": base64.b64encode(i.png).decode("ascii")}
            for i in reply.images
        ],
        "context": reply.context,
        "code": reply.code,
        "language": reply.language,
        "ephemeral": reply.ephemeral,
        "audience": reply.audience,
        "thread": reply.thread,
        "is_error": reply.is_error,
        "extra": reply.extra,
    }
    # Fail in the caller's thread, where the bug is, rather than later in the sender.
    json.dumps(encoded)
    return encoded


def reply_from_json(data: dict[str, Any]) -> Reply:
    return Reply(
        text=str(data["text"]),
        fields=tuple(Field(label=f["label"], value=f["value"]) for f in data.get("fields", ())),
        buttons=tuple(
            Button(
                label=b["label"],
                action=b["action"],
                value=b["value"],
                style=cast(ButtonStyle, b.get("style", "default")),
            )
            for b in data.get("buttons", ())
        ),
        images=tuple(
            Image(title=i["title"], png=base64.b64decode(i["png"]), alt=i.get("alt", ""))
            for i in data.get("images", ())
        ),
        context=data.get("context"),
        code=data.get("code"),
        language=cast(Language, data.get("language", "en")),
        ephemeral=bool(data.get("ephemeral", False)),
        # Absent from rows queued before replies named their audience: shown to the channel,
        # as they were when queued.
        audience=data.get("audience"),
        thread=data.get("thread"),
        is_error=bool(data.get("is_error", False)),
        extra=dict(data.get("extra") or {}),
    )
