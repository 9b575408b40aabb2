"""Block Kit checks the Slack sandbox applies before accepting a message.

Slack rejects a malformed message with `invalid_blocks` and Kuber must never send one, so the
sandbox enforces the documented limits that a bot is likely to hit (block counts, text
lengths, button fields). It is not a full Block Kit schema and must not pretend to be one.
"""

from __future__ import annotations

from typing import Any

MAX_BLOCKS = 50
BLOCK_TYPES = {
    "actions",
    "context",
    "divider",
    "file",
    "header",
    "image",
    "input",
    "markdown",
    "rich_text",
    "section",
    "video",
}
BUTTON_STYLES = {"primary", "danger"}


def block_errors(blocks: Any) -> list[str]:
    """Each problem as Slack words it: a message and a JSON pointer to the offending field."""
    if not isinstance(blocks, list):
        return ["must be an array [json-pointer:/blocks]"]
    errors: list[str] = []
    if len(blocks) > MAX_BLOCKS:
        errors.append(f"must be less than {MAX_BLOCKS + 1} items [json-pointer:/blocks]")
    block_ids: set[str] = set()
    for index, block in enumerate(blocks):
        errors.extend(_block(block, f"/blocks/{index}", block_ids))
    return errors


def _block(block: Any, at: str, block_ids: set[str]) -> list[str]:
    if not isinstance(block, dict):
        return [f"must be an object [json-pointer:{at}]"]
    kind = block.get("type")
    if kind not in BLOCK_TYPES:
        return [f"unsupported type: {kind!r} [json-pointer:{at}/type]"]
    errors: list[str] = []
    block_id = block.get("block_id")
    if block_id is not None:
        if not isinstance(block_id, str) or not 0 < len(block_id) <= 255:
            errors.append(f"must be 1 to 255 characters [json-pointer:{at}/block_id]")
        elif block_id in block_ids:
            errors.append(f"duplicate block_id {block_id!r} [json-pointer:{at}/block_id]")
        else:
            block_ids.add(block_id)
    if kind == "section":
        if "text" not in block and "fields" not in block:
            errors.append(f"must provide text or fields [json-pointer:{at}]")
        if "text" in block:
            errors.extend(_text(block["text"], f"{at}/text", 3000))
        fields = block.get("fields", [])
        if len(fields) > 10:
            errors.append(f"must be less than 11 items [json-pointer:{at}/fields]")
        for i, item in enumerate(fields):
            errors.extend(_text(item, f"{at}/fields/{i}", 2000))
        if "accessory" in block:
            errors.extend(_element(block["accessory"], f"{at}/accessory", set()))
    elif kind == "header":
        errors.extend(_text(block.get("text"), f"{at}/text", 150, plain_only=True))
    elif kind == "actions":
        elements = block.get("elements") or []
        if not 0 < len(elements) <= 25:
            errors.append(f"must have 1 to 25 items [json-pointer:{at}/elements]")
        action_ids: set[str] = set()
        for i, element in enumerate(elements):
            errors.extend(_element(element, f"{at}/elements/{i}", action_ids))
    elif kind == "context":
        elements = block.get("elements") or []
        if not 0 < len(elements) <= 10:
            errors.append(f"must have 1 to 10 items [json-pointer:{at}/elements]")
        for i, element in enumerate(elements):
            if isinstance(element, dict) and element.get("type") in {"plain_text", "mrkdwn"}:
                errors.extend(_text(element, f"{at}/elements/{i}", 3000))
    return errors


def _text(obj: Any, at: str, limit: int, *, plain_only: bool = False) -> list[str]:
    if not isinstance(obj, dict):
        return [f"must be a text object [json-pointer:{at}]"]
    allowed = {"plain_text"} if plain_only else {"plain_text", "mrkdwn"}
    if obj.get("type") not in allowed:
        return [f"must be one of {sorted(allowed)} [json-pointer:{at}/type]"]
    text = obj.get("text")
    if not isinstance(text, str) or not text:
        return [f"must be more than 0 characters [json-pointer:{at}/text]"]
    if len(text) > limit:
        return [f"must be less than {limit + 1} characters [json-pointer:{at}/text]"]
    return []


def _element(element: Any, at: str, action_ids: set[str]) -> list[str]:
    if not isinstance(element, dict):
        return [f"must be an object [json-pointer:{at}]"]
    errors: list[str] = []
    action_id = element.get("action_id")
    if action_id is not None:
        if not isinstance(action_id, str) or not 0 < len(action_id) <= 255:
            errors.append(f"must be 1 to 255 characters [json-pointer:{at}/action_id]")
        elif action_id in action_ids:
            errors.append(f"duplicate action_id {action_id!r} [json-pointer:{at}/action_id]")
        else:
            action_ids.add(action_id)
    if element.get("type") == "button":
        errors.extend(_text(element.get("text"), f"{at}/text", 75, plain_only=True))
        value = element.get("value")
        if value is not None and (not isinstance(value, str) or len(value) > 2000):
            errors.append(f"must be a string of at most 2000 characters [json-pointer:{at}/value]")
        style = element.get("style")
        if style is not None and style not in BUTTON_STYLES:
            errors.append(f"must be one of {sorted(BUTTON_STYLES)} [json-pointer:{at}/style]")
    return errors


def find_button(message: dict[str, Any], action_id: str) -> tuple[str, dict[str, Any]] | None:
    """The (block_id, element) of the button a person would click, if the message shows it."""
    for index, block in enumerate(message.get("blocks") or []):
        if not isinstance(block, dict):
            continue
        elements = list(block.get("elements") or [])
        if "accessory" in block:
            elements.append(block["accessory"])
        for element in elements:
            if isinstance(element, dict) and element.get("action_id") == action_id:
                # Slack fills in a block_id when the sender gives none; any stable value will do.
                return str(block.get("block_id") or f"b{index}"), element
    return None
