"""Messages of the kubernetes area, in English and Korean."""

MESSAGES: dict[str, dict[str, str]] = {}
