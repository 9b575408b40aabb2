"""Platform-neutral messages: what comes in from chat and what goes out.

Chat adapters convert vendor payloads to and from these values at the edge; nothing
Slack- or Mattermost-shaped travels past `bot/chat/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Literal

from bot.intents import Language

ButtonStyle = Literal["primary", "danger", "default"]


@dataclass(frozen=True)
class Actor:
    """The person acting, as the platform knows them (`id`) and as Kuber shows them (`name`)."""

    id: str
    name: str


@dataclass(frozen=True)
class Incoming:
    """One message or slash command addressed to Kuber."""

    platform: str
    channel: str
    actor: Actor
    text: str
    thread: str | None = None
    message_id: str | None = None


@dataclass(frozen=True)
class Button:
    """A button; `action` is what Kuber does when clicked, `value` its argument."""

    label: str
    action: str
    value: str
    style: ButtonStyle = "default"


@dataclass(frozen=True)
class Field:
    label: str
    value: str


@dataclass(frozen=True)
class Image:
    """A picture attached to a reply (a chart); `png` is the file's bytes."""

    title: str
    png: bytes
    alt: str = ""


@dataclass(frozen=True)
class Reply:
    """What Kuber says. Adapters render it as Block Kit, Mattermost attachments or plain text."""

    text: str
    fields: tuple[Field, ...] = ()
    buttons: tuple[Button, ...] = ()
    images: tuple[Image, ...] = ()
    context: str | None = None
    code: str | None = None
    language: Language = "en"
    #: Shown only to `audience` (a platform user id) when both are set; an ephemeral reply
    #: with no audience has no one to be hidden for and is shown to the channel.
    ephemeral: bool = False
    audience: str | None = None
    thread: str | None = None
    #: True when the reply reports a failure or a refusal; adapters colour it.
    is_error: bool = False
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def private_to(self) -> str | None:
        """The one person this reply is for, when it must be shown to them alone."""
        return self.audience if self.ephemeral and self.audience else None

    def to_json(self) -> dict[str, Any]:
        """The object `kuber console --json` prints for this reply."""
        return {
            "text": self.text,
            "fields": [{"label": f.label, "value": f.value} for f in self.fields],
            "buttons": [
                {"label": b.label, "action": b.action, "value": b.value, "style": b.style}
                for b in self.buttons
            ],
            "attachments": [
                {"type": "image", "title": i.title, "alt": i.alt, "bytes": len(i.png)}
                for i in self.images
            ],
            "context": self.context,
            "code": self.code,
            "lang": self.language,
            "error": self.is_error,
        }

    def as_text(self) -> str:
        """A plain-text rendering for terminals and for platform fallbacks."""
        parts = [self.text]
        for item in self.fields:
            if "\n" in item.value:
                parts.append(f"  {item.label}:")
                parts.extend(f"    {line}" for line in item.value.splitlines())
            else:
                parts.append(f"  {item.label}: {item.value}")
        if self.code:
            parts.append(self.code)
        parts.extend(f"  [image: {i.title}]" for i in self.images)
        if self.context:
            parts.append(f"  ({self.context})")
        if self.buttons:
            parts.append("  " + "  ".join(f"[{b.label}]" for b in self.buttons))
        return "\n".join(parts)
