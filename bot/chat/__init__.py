"""Chat adapters: one per platform, each converting vendor payloads to and from
`Incoming`/`Reply` at the edge and implementing `Conversation` for its channel."""
