"""Bold text and links as each platform writes them inside a message's text.

`Reply.text` is markdown-ish on both platforms, but they disagree on links and bold (Slack's
mrkdwn `<url|label>` and `*b*`, Mattermost's `[label](url)` and `**b**`). Alert messages are
full of links, so they are written for the platform the group's channel is on; anything else
gets plain text that still shows the address.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Markup:
    platform: str

    def bold(self, text: str) -> str:
        if not text.strip():
            return text
        if self.platform == "slack":
            return f"*{text}*"
        if self.platform == "mattermost":
            return f"**{text}**"
        return text

    def link(self, url: str, label: str) -> str:
        if not url:
            return label
        if self.platform == "slack":
            clean = label.replace("|", "/").replace("<", "").replace(">", "")
            return f"<{url.replace('>', '%3E')}|{clean}>"
        if self.platform == "mattermost":
            clean = label.replace("[", "(").replace("]", ")")
            return f"[{clean}]({url.replace(')', '%29').replace(' ', '%20')})"
        return f"{label}: {url}"
