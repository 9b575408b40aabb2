"""Messages of the nlu area, in English and Korean."""

MESSAGES: dict[str, dict[str, str]] = {}
