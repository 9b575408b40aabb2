"""Kuber's core: from a chat message or a webhook to a reply. Knows no chat vendor."""
