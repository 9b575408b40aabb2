"""What Mattermost sends to an integration: slash command forms and interactive-action JSON.

Pure builders in Mattermost's field names; posting them, and doing what the integration
answers, is the sandbox server's job. Mattermost signs neither, which is why Kuber must check
the command token and its own HMAC inside the action context.
"""

from __future__ import annotations

import secrets
from typing import Any

from sandbox.mattermost_store import TEAM_ID, TEAM_NAME


def trigger_id() -> str:
    return secrets.token_urlsafe(32)


def slash_command_fields(
    *,
    command: str,
    text: str,
    token: str,
    user: dict[str, Any],
    channel: dict[str, Any],
    response_url: str,
) -> dict[str, str]:
    return {
        "channel_id": channel["id"],
        "channel_name": channel["name"],
        "command": command,
        "response_url": response_url,
        "team_domain": TEAM_NAME,
        "team_id": TEAM_ID,
        "text": text,
        "token": token,
        "trigger_id": trigger_id(),
        "user_id": user["id"],
        "user_name": user["username"],
    }


def action_payload(
    *,
    context: dict[str, Any],
    user: dict[str, Any],
    channel: dict[str, Any],
    post_id: str,
    selected_option: str | None = None,
) -> dict[str, Any]:
    payload: dict[str, Any] = {
        "user_id": user["id"],
        "user_name": user["username"],
        "channel_id": channel["id"],
        "channel_name": channel["name"],
        "team_id": TEAM_ID,
        "team_domain": TEAM_NAME,
        "post_id": post_id,
        "trigger_id": trigger_id(),
        "type": "select" if selected_option is not None else "",
        "data_source": "",
        "context": context,
    }
    if selected_option is not None:
        payload["context"] = {**context, "selected_option": selected_option}
    return payload
