"""A `Reply` as Slack Block Kit: the fallback text and the blocks of one message.

It keeps within Slack's limits (50 blocks, 3000 characters of section text, 10 fields of
2000, 25 buttons per actions block) by splitting or shortening, never by sending something
Slack refuses. Images are not blocks here: the transport uploads them as files. Button
`action_id`s carry Kuber's action so a click can be routed back (`parse_action_id`).
"""

from __future__ import annotations

import re
from typing import Any

from bot.messages import Button, Reply

MAX_BLOCKS = 50
MAX_SECTION_TEXT = 3000
MAX_FIELD_TEXT = 2000
MAX_FIELDS = 10
MAX_BUTTONS_PER_BLOCK = 25
MAX_BUTTON_LABEL = 75
MAX_BUTTON_VALUE = 2000
#: Slack shows the fallback in notifications; longer adds nothing there.
MAX_FALLBACK = 3000
ERROR_MARK = ":warning:"
ELLIPSIS = "…"

_ACTION_ID = re.compile(r"^kuber_(?P<action>.+)_(?P<index>\d+)$")
# Slack's own markup that must survive escaping: mentions, channels, specials and links.
_SLACK_TOKEN = re.compile(r"<(?:[@#!]|https?://|mailto:)[^<>\s][^<>]*>")
_ENTITY_TAIL = re.compile(r"&[a-z]{0,4}$")

Block = dict[str, Any]


def escape(text: str) -> str:
    """Escape `&`, `<` and `>` as Slack requires, so `<none>` shows as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def escape_keeping_markup(text: str) -> str:
    """Like `escape`, but a mention or link Kuber wrote on purpose (`<@U123>`) stays one."""
    parts: list[str] = []
    last = 0
    for match in _SLACK_TOKEN.finditer(text):
        parts.append(escape(text[last : match.start()]))
        parts.append(match.group(0))
        last = match.end()
    parts.append(escape(text[last:]))
    return "".join(parts)


def _cut(text: str, limit: int) -> int:
    """Where to end a piece of at most `limit` characters: after a newline if there is one
    in the second half, and never inside an `&amp;` entity."""
    if len(text) <= limit:
        return len(text)
    newline = text.rfind("\n", limit // 2, limit)
    end = newline + 1 if newline >= 0 else limit
    tail = _ENTITY_TAIL.search(text[:end])
    if tail is not None and tail.start() > 0:
        end = tail.start()
    return end


def _pieces(text: str, limit: int) -> list[str]:
    pieces: list[str] = []
    while text:
        end = _cut(text, limit)
        pieces.append(text[:end])
        text = text[end:]
    return [p for p in pieces if p.strip()]


def shorten(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    return text[: _cut(text, limit - len(ELLIPSIS))].rstrip() + ELLIPSIS


def _section(text: str) -> Block:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


def _text_blocks(reply: Reply) -> list[Block]:
    text = escape_keeping_markup(reply.text)
    if reply.is_error:
        text = f"{ERROR_MARK} {text}"
    return [_section(piece) for piece in _pieces(text, MAX_SECTION_TEXT)]


def _field_blocks(reply: Reply) -> list[Block]:
    fields = [
        {
            "type": "mrkdwn",
            "text": shorten(f"*{escape(f.label)}*\n{escape(f.value) or ' '}", MAX_FIELD_TEXT),
        }
        for f in reply.fields
    ]
    return [
        {"type": "section", "fields": fields[i : i + MAX_FIELDS]}
        for i in range(0, len(fields), MAX_FIELDS)
    ]


def _code_blocks(reply: Reply) -> list[Block]:
    if not reply.code:
        return []
    # A ``` inside the code would end the block early; a zero-width joiner keeps it apart.
    code = escape(reply.code).replace("```", "``\u200d`")
    fence = "```\n"
    limit = MAX_SECTION_TEXT - 2 * len(fence)
    return [_section(f"{fence}{piece.rstrip(chr(10))}\n```") for piece in _pieces(code, limit)]


def _context_blocks(reply: Reply) -> list[Block]:
    if not reply.context or not reply.context.strip():
        return []
    text = shorten(escape_keeping_markup(reply.context), MAX_SECTION_TEXT)
    return [{"type": "context", "elements": [{"type": "mrkdwn", "text": text}]}]


def _button(button: Button, index: int) -> Block:
    if len(button.value) > MAX_BUTTON_VALUE:
        # A shortened value would approve or fill in something else: refuse instead.
        raise ValueError(
            f"button {button.label!r} carries {len(button.value)} characters; "
            f"Slack takes at most {MAX_BUTTON_VALUE}"
        )
    element: Block = {
        "type": "button",
        "text": {"type": "plain_text", "text": shorten(button.label, MAX_BUTTON_LABEL) or " "},
        "action_id": f"kuber_{button.action}_{index}",
        "value": button.value,
    }
    if button.style in ("primary", "danger"):
        element["style"] = button.style
    return element


def _action_blocks(reply: Reply) -> list[Block]:
    buttons = [_button(b, i) for i, b in enumerate(reply.buttons)]
    return [
        {"type": "actions", "elements": buttons[i : i + MAX_BUTTONS_PER_BLOCK]}
        for i in range(0, len(buttons), MAX_BUTTONS_PER_BLOCK)
    ]


def fallback_text(reply: Reply) -> str:
    """The message's plain `text`: notifications and screen readers show it."""
    text = reply.text.strip() or reply.as_text().strip() or "Kuber"
    if reply.is_error:
        text = f"{ERROR_MARK} {text}"
    return shorten(escape_keeping_markup(text), MAX_FALLBACK)


def render_blocks(reply: Reply) -> tuple[str, list[Block]]:
    """(fallback text, blocks) for chat.postMessage and chat.update.

    Raises ValueError for what cannot be shown faithfully (a button value over Slack's limit).
    """
    body = _text_blocks(reply) + _field_blocks(reply) + _code_blocks(reply)
    # Context and buttons come last and are never dropped: the buttons are what a person acts on.
    tail = _context_blocks(reply) + _action_blocks(reply)
    room = MAX_BLOCKS - len(tail)
    if len(body) > room:
        hidden = len(body) - (room - 1)
        body = [*body[: room - 1], _section(f"{ELLIPSIS} ({hidden} more parts not shown)")]
    return fallback_text(reply), body + tail


def parse_action_id(action_id: str) -> str:
    """The Kuber action ("approve", "cancel", "fill") of a button rendered here."""
    match = _ACTION_ID.match(action_id)
    if match is None:
        raise ValueError(f"not a Kuber button: {action_id!r}")
    return match.group("action")
