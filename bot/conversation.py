"""Where replies go: a `Conversation` posts and edits messages in one channel.

Chat adapters implement it (through the outbox for Slack and Mattermost, straight to the
terminal for the console). Commands edit their own message to show progress.
"""

from __future__ import annotations

from typing import Protocol

from bot.messages import Reply


class Conversation(Protocol):
    def post(self, reply: Reply) -> str:
        """Send a new message; return a reference that `edit` accepts."""
        ...

    def edit(self, ref: str, reply: Reply) -> None:
        """Replace the message `ref` with `reply`."""
        ...
