"""Kuber's Mattermost adapter: the driver built from settings, and the pieces the server wires up
(transport for the outbox, HTTP routes, websocket listener).

The pieces live beside this module (`mattermost_render`, `_security`, `_transport`, `_routes`,
`_listener`); this one only builds them, so start-up is the one place that reads the
`KUBER_MATTERMOST_*` settings. Building makes no network call; a wrong value stops start-up
with a `ConfigError` naming the variable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from mattermostdriver import Driver

from bot.chat.mattermost_listener import MattermostListener, mention_from_event, strip_mention
from bot.chat.mattermost_render import has_hangul, render_post
from bot.chat.mattermost_routes import acknowledgement, mattermost_routes
from bot.chat.mattermost_security import (
    ContextRefused,
    sign_context,
    verify_command_token,
    verify_context,
)
from bot.chat.mattermost_transport import MattermostTransport
from bot.errors import ConfigError
from bot.messages import Incoming
from bot.settings import EnvSettings, Settings

__all__ = [
    "ContextRefused",
    "MattermostListener",
    "MattermostParts",
    "MattermostTransport",
    "acknowledgement",
    "actions_url",
    "build_mattermost",
    "driver_options",
    "has_hangul",
    "mattermost_routes",
    "mention_from_event",
    "render_post",
    "sign_context",
    "strip_mention",
    "verify_command_token",
    "verify_context",
]

#: Seconds for each REST call; the driver's own default is to wait forever.
REQUEST_TIMEOUT = 10.0
API_PATH = "/api/v4"


def driver_options(url: str, token: str, *, timeout: float = REQUEST_TIMEOUT) -> dict[str, Any]:
    """mattermostdriver's options for a server at `url` (`https://chat.example.com[:port][/path]`)."""
    parts = urlsplit(url.strip())
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise ConfigError(
            f"KUBER_MATTERMOST_URL: {url!r} is not an http(s) URL such as https://chat.example.com"
        )
    try:
        port = parts.port or (443 if parts.scheme == "https" else 80)
    except ValueError as exc:
        raise ConfigError(f"KUBER_MATTERMOST_URL: bad port in {url!r}") from exc
    host = parts.hostname
    if ":" in host:
        host = f"[{host}]"  # the driver writes scheme://host:port, so IPv6 needs its brackets
    basepath = parts.path.rstrip("/")
    if not basepath.endswith(API_PATH):
        basepath += API_PATH
    return {
        "scheme": parts.scheme,
        "url": host,
        "port": port,
        "basepath": basepath,
        "token": token,
        "request_timeout": timeout,
        "verify": True,
        "debug": False,  # debug logs the credentials
    }


def actions_url(public_url: str) -> str:
    return public_url.rstrip("/") + "/mattermost/actions"


def _env(settings: EnvSettings | Settings) -> EnvSettings:
    return settings.env if isinstance(settings, Settings) else settings


@dataclass
class MattermostParts:
    driver: Any
    transport: MattermostTransport
    #: `listener_factory(on_mention)` logs in (to learn the bot's id) and returns a listener,
    #: not yet started.
    listener_factory: Callable[[Callable[[Incoming], None]], MattermostListener]


def build_mattermost(
    settings: EnvSettings | Settings, *, timeout: float = REQUEST_TIMEOUT
) -> MattermostParts:
    env = _env(settings)
    if not env.mattermost_url:
        raise ConfigError("KUBER_MATTERMOST_URL: required for Mattermost")
    token = env.mattermost_token.get_secret_value() if env.mattermost_token else ""
    if not token:
        raise ConfigError("KUBER_MATTERMOST_TOKEN: required for Mattermost (the bot's token)")
    secret = env.mattermost_action_secret.get_secret_value() if env.mattermost_action_secret else ""
    if not secret:
        raise ConfigError("KUBER_MATTERMOST_ACTION_SECRET: required to sign Mattermost buttons")
    if not env.public_url:
        raise ConfigError(
            "KUBER_PUBLIC_URL: required for Mattermost buttons (where Mattermost sends clicks)"
        )
    driver = Driver(driver_options(env.mattermost_url, token, timeout=timeout))
    # What `login()` does with a token, minus its network call: REST calls work at once.
    driver.client.token = token
    transport = MattermostTransport(
        driver, actions_url=actions_url(env.public_url), secret=secret.encode("utf-8")
    )

    def listener_factory(on_mention: Callable[[Incoming], None]) -> MattermostListener:
        me = driver.login()
        return MattermostListener(
            driver, on_mention, str(me["id"]), bot_username=str(me.get("username") or "") or None
        )

    return MattermostParts(driver, transport, listener_factory)
