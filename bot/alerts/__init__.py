"""Alerts from Alertmanager as living messages in the owning team's channel.

The stages, each its own module: `webhook` (authenticate, check, store: the answer),
`intake` (the stored deliveries, applied after the answer), `grouping` (deduplicated, merged
into groups), `routing` (which channel), `living` and `render` (one message per group, edited
as it changes, notes in its thread), `clicks` (Acknowledge, Silence, Unsilence), `silences`
and `listing` (for the commands), `enrich` (the seam where context is added).
Only `handle_alert_click` is exported here: the dispatcher imports this package, so it stays
light; the server imports `bot.alerts.pipeline`.
"""

from bot.alerts.clicks import handle_alert_click

__all__ = ["handle_alert_click"]
