"""What the outbox needs from a chat platform: post, edit, show one person a message, and the
errors that steer retries.

Each platform adapter implements `ChatTransport`; the outbox alone calls it, so rate limits,
retries and ordering live in one place and adapters stay thin.
"""

from __future__ import annotations

from typing import Literal, Protocol

from bot.errors import PermanentError, TemporaryError
from bot.messages import Reply

RateScope = Literal["channel", "workspace"]


class RateLimited(TemporaryError):
    """The platform said 429; `delay` is its Retry-After in seconds.

    `scope` says who must wait: one channel (Slack's posting tier) or the whole workspace.
    """

    def __init__(self, delay: float, *, platform: str, scope: RateScope = "channel") -> None:
        self.scope: RateScope = scope
        super().__init__("chat_rate_limited", delay=delay, platform=platform, seconds=delay)


class DeliveryFailed(TemporaryError):
    """A 5xx, a timeout or a dropped connection: the same request may succeed later."""


class DeliveryRefused(PermanentError):
    """The platform refused the message itself (unknown channel, bad token, too long)."""


class ChatTransport(Protocol):
    platform: str

    def send_post(self, channel: str, reply: Reply, thread: str | None, key: str) -> str:
        """Post `reply` (with its images) in `channel`, in `thread` if given; return its id.

        `key` is the outbox's id of the message; the transport stamps it on the post
        (Slack message metadata, Mattermost post props) so `find_sent` can recognise it.
        """
        ...

    def find_sent(self, channel: str, key: str, thread: str | None = None) -> str | None:
        """The id of a recent post stamped with `key` (in `thread`, if it was a reply).

        After a crash between sending and recording, this tells "it arrived" from "it did
        not", so a restart never posts the same message twice.
        """
        ...

    def send_edit(
        self, channel: str, message_id: str, reply: Reply, thread: str | None = None
    ) -> None:
        """Replace the message `message_id` (a reply in `thread`, if given) with `reply`."""
        ...

    def send_ephemeral(self, channel: str, user: str, reply: Reply, thread: str | None) -> str:
        """Show `reply` in `channel` (in `thread`, if given) to `user` alone; return its id.

        Platforms keep no such message: it cannot be edited, looked up or found by
        `find_sent` later, and it never appears in the channel's history. Images are not
        sent with it: an upload would be shared with the whole channel.
        """
        ...
