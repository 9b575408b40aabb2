"""The HTTP side of Mattermost: `POST /mattermost/command` (slash commands) and
`POST /mattermost/actions` (button clicks), as Starlette routes.

Each request is verified (command token, or Kuber's HMAC inside the button context), answered
at once, and only then handed to `submit` for the dispatcher to work on in a worker thread:
nothing slow, and nothing unverified, ever runs on the event loop. Tokens are never logged.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from typing import Any
from urllib.parse import parse_qs

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Route

from bot.chat.mattermost_render import OUTBOX_KEY_PROP, has_hangul
from bot.chat.mattermost_security import (
    CLOCK_SKEW,
    MAX_AGE,
    ContextRefused,
    verify_command_token,
    verify_context,
)
from bot.dispatch import ActionClick
from bot.errors import ConfigError
from bot.inbox import Receiver
from bot.logs import get_logger
from bot.messages import Actor, Incoming
from bot.settings import EnvSettings, Settings

log = get_logger(__name__)

PLATFORM = "mattermost"
#: Mattermost's forms and action payloads are a few kilobytes; anything far bigger is not one.
MAX_BODY = 64 * 1024
#: What `/kuber` with nothing after it does.
EMPTY_COMMAND = "help"

RefFor = Callable[[str, str, str], str | None]

ACKNOWLEDGEMENTS = {
    "en": "On it: `{command}`",
    "ko": "확인했어요, 처리하고 있어요: `{command}`",
}


class UserNames:
    """Mattermost user id -> username, cached; the id itself when the look-up fails."""

    #: Renames are rare and a stale name only shows in a message, never decides anything.
    TTL = 3600.0
    LIMIT = 2048

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self._cache: dict[str, tuple[float, str]] = {}
        self._lock = threading.Lock()

    def __call__(self, user_id: str) -> str:
        now = time.monotonic()
        with self._lock:
            cached = self._cache.get(user_id)
        if cached is not None and now - cached[0] < self.TTL:
            return cached[1]
        if self.driver is None:
            return user_id
        try:
            user = self.driver.users.get_user(user_id)
            name = str(user.get("username") or user_id)
        except Exception as exc:  # any failure: the id still names the person
            log.info("mattermost user look-up failed", user_id=user_id, error=type(exc).__name__)
            return user_id
        with self._lock:
            if len(self._cache) >= self.LIMIT:
                self._cache.clear()
            self._cache[user_id] = (now, name)
        return name


class ClickChecks:
    """What the Mattermost server confirms about a click before Kuber believes it.

    Mattermost sends a click server to server but signs nothing: `user_id` and `post_id` are
    plain fields. So the post is read back (it must be Kuber's own, in the click's channel, and
    the one the signed context was made for) and the user's membership of the channel asked.
    """

    def __init__(self, driver: Any) -> None:
        self.driver = driver
        self._bot_id: str | None = None

    def refusal(
        self, fields: dict[str, Any], user_id: str, channel: str, post_id: str
    ) -> str | None:
        """None when the click holds up, else a reason safe to log and to answer."""
        if not post_id:
            return "no post"
        try:
            post = self.driver.posts.get_post(post_id)
        except Exception:
            return "post not found"
        if post.get("user_id") != self.bot_id() or post.get("channel_id") != channel:
            return "not Kuber's post in this channel"
        props = post.get("props") or {}
        if fields.get("post") not in (post_id, props.get(OUTBOX_KEY_PROP)):
            return "the button belongs to another post"
        try:
            self.driver.channels.get_channel_member(channel, user_id)
        except Exception:
            return "not a member of the channel"
        return None

    def bot_id(self) -> str:
        if self._bot_id is None:
            self._bot_id = str(self.driver.users.get_user("me")["id"])
        return self._bot_id


def _env(settings: EnvSettings | Settings) -> EnvSettings:
    return settings.env if isinstance(settings, Settings) else settings


def _error(status: int, message: str) -> JSONResponse:
    return JSONResponse({"error": message}, status_code=status)


async def _read_body(request: Request) -> bytes | None:
    """The body, or None when it is larger than any Mattermost request."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > MAX_BODY:
        return None
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > MAX_BODY:
            return None
        chunks.append(chunk)
    return b"".join(chunks)


def acknowledgement(command: str, text: str) -> dict[str, str]:
    """The ephemeral answer Mattermost shows only to the person who ran the command."""
    language = "ko" if has_hangul(text) else "en"
    shown = f"{command} {text}".strip().replace("`", "'")
    if len(shown) > 200:
        shown = shown[:199] + "…"
    return {"response_type": "ephemeral", "text": ACKNOWLEDGEMENTS[language].format(command=shown)}


def mattermost_routes(
    *,
    settings: EnvSettings | Settings,
    receiver: Receiver,
    ref_for: RefFor | None = None,
    driver: Any = None,
) -> list[Route]:
    """The two Mattermost endpoints.

    Verified input goes to `receiver` (the inbox), which stores it before the route answers,
    so an acknowledged command survives a crash. A click's `message_ref`
    is `ref_for("mattermost", channel, post_id)` when given (the outbox knows which of its
    messages a post is), otherwise the post id itself, which is right for conversations whose
    refs are post ids. `driver` resolves the names of people who click.
    """
    env = _env(settings)
    if env.mattermost_command_token is None or not env.mattermost_command_token.get_secret_value():
        raise ConfigError("KUBER_MATTERMOST_COMMAND_TOKEN: required to accept slash commands")
    if env.mattermost_action_secret is None or not env.mattermost_action_secret.get_secret_value():
        raise ConfigError("KUBER_MATTERMOST_ACTION_SECRET: required to accept button clicks")
    command_token = env.mattermost_command_token.get_secret_value()
    action_secret = env.mattermost_action_secret.get_secret_value().encode("utf-8")
    user_names = UserNames(driver)
    click_checks = ClickChecks(driver) if driver is not None else None
    # A button lives as long as the plan it decides: a leaked context soon decides nothing.
    max_age = (
        settings.config.policy.approval_minutes * 60.0 + CLOCK_SKEW
        if isinstance(settings, Settings)
        else MAX_AGE
    )

    async def command(request: Request) -> Response:
        body = await _read_body(request)
        if body is None:
            log.warning("mattermost command refused", reason="request too large")
            return _error(413, "request too large")
        content_type = request.headers.get("content-type", "")
        if not content_type.startswith("application/x-www-form-urlencoded"):
            log.warning("mattermost command refused", reason="not a form")
            return _error(400, "expected an application/x-www-form-urlencoded form")
        try:
            parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True)
        except (UnicodeDecodeError, ValueError):
            log.warning("mattermost command refused", reason="not UTF-8")
            return _error(400, "the form is not valid UTF-8")
        form = {k: v[0] for k, v in parsed.items() if v}
        given = form.get("token")
        if not given:
            # Newer Mattermost servers also send the token as `Authorization: Token …`.
            header = request.headers.get("authorization", "")
            if header.lower().startswith("token "):
                given = header[6:].strip()
        if not given:
            log.warning("mattermost command refused", reason="missing token")
            return _error(401, "missing token")
        if not verify_command_token(given, command_token):
            log.warning("mattermost command refused", reason="wrong token")
            return _error(401, "wrong token")
        missing = [k for k in ("text", "user_id", "channel_id") if k not in form]
        if missing or not form.get("user_id") or not form.get("channel_id"):
            reason = "missing " + ", ".join(missing or ["user_id or channel_id"])
            log.warning("mattermost command refused", reason=reason)
            return _error(400, reason)
        text = form["text"].strip() or EMPTY_COMMAND
        channel = form["channel_id"]
        thread = form.get("root_id") or None
        actor = Actor(id=form["user_id"], name=form.get("user_name") or form["user_id"])
        incoming = Incoming(
            platform=PLATFORM, channel=channel, actor=actor, text=text, thread=thread
        )

        if not await _stored(receiver.accept_message, incoming):
            return _error(503, "Kuber cannot take commands right now; try again shortly")
        return JSONResponse(acknowledgement(form.get("command") or "/kuber", form["text"]))

    async def actions(request: Request) -> Response:
        body = await _read_body(request)
        if body is None:
            log.warning("mattermost action refused", reason="request too large")
            return _error(413, "request too large")
        try:
            # Decoded here, not by `json.loads`, which would take UTF-16 or UTF-32 as well.
            text = body.decode("utf-8")
        except UnicodeDecodeError:
            log.warning("mattermost action refused", reason="not UTF-8")
            return _error(400, "the body is not valid UTF-8")
        try:
            payload = json.loads(text)
        except ValueError:
            log.warning("mattermost action refused", reason="malformed JSON")
            return _error(400, "the body is not JSON")
        if not isinstance(payload, dict):
            log.warning("mattermost action refused", reason="not a JSON object")
            return _error(400, "the body is not a JSON object")
        try:
            fields = verify_context(payload.get("context"), action_secret, max_age=max_age)
        except ContextRefused as exc:
            log.warning(
                "mattermost action refused", reason=exc.reason, user_id=payload.get("user_id")
            )
            return _error(401, f"context refused: {exc.reason}")
        action, value = fields.get("action"), fields.get("value")
        user_id, channel = payload.get("user_id"), payload.get("channel_id")
        if not isinstance(action, str) or not isinstance(value, str):
            log.warning("mattermost action refused", reason="no action")
            return _error(400, "the context names no action")
        if not isinstance(user_id, str) or not user_id:
            log.warning("mattermost action refused", reason="missing user_id")
            return _error(400, "missing user_id")
        if not isinstance(channel, str) or not channel:
            log.warning("mattermost action refused", reason="missing channel_id")
            return _error(400, "missing channel_id")
        if fields.get("channel") != channel:
            # A signed context replayed from another channel (or one that names none).
            log.warning("mattermost action refused", reason="channel mismatch")
            return _error(401, "context refused: channel mismatch")
        given_post = payload.get("post_id")
        post_id = given_post if isinstance(given_post, str) else ""
        if click_checks is not None:
            # The body is unsigned: its user and post are believed only once the server
            # confirms them (Kuber's own post, in this channel, clicked by a member of it).
            refused = await run_in_threadpool(
                click_checks.refusal, fields, user_id, channel, post_id
            )
            if refused is not None:
                log.warning("mattermost action refused", reason=refused, user_id=user_id)
                return _error(403, f"click refused: {refused}")
        thread = fields.get("thread") if isinstance(fields.get("thread"), str) else None
        given_name = payload.get("user_name")

        def click() -> ActionClick:
            name = given_name if isinstance(given_name, str) and given_name else None
            actor = Actor(id=user_id, name=name or user_names(user_id))
            message_ref: str | None = post_id or None
            if ref_for is not None and post_id:
                message_ref = ref_for(PLATFORM, channel, post_id)
            return ActionClick(
                platform=PLATFORM,
                channel=channel,
                actor=actor,
                action=action,
                value=value,
                message_ref=message_ref,
                thread=thread,
            )

        if not await _stored(lambda: receiver.accept_click(click())):
            return _error(503, "Kuber cannot take clicks right now; try again shortly")
        return JSONResponse({})

    return [
        Route("/mattermost/command", command, methods=["POST"]),
        Route("/mattermost/actions", actions, methods=["POST"]),
    ]


async def _stored(accept: Callable[..., object], *args: Any) -> bool:
    """Hand verified input to the inbox off the event loop; False when it cannot be stored."""
    try:
        await run_in_threadpool(accept, *args)
    except Exception:
        log.exception("mattermost input could not be stored")
        return False
    return True
