"""Silences through Alertmanager, for a group's buttons and for the chat commands.

`silence ALERT for DURATION` and `unsilence ALERT` silence by alert name; the Silence button
silences by the group's common labels. Either way the silence is Alertmanager's own (it is
what stops the notifications), made by the person, with a comment saying where it came from.
Who may silence is decided by the caller (the dispatcher's policy, or the button's check).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Protocol

from bot.alerts.render import format_duration, format_time
from bot.errors import UserError
from bot.i18n import translate
from bot.intents import Language
from bot.messages import Reply
from bot.settings import Settings
from integrations.alertmanager import AlertmanagerClient, Matcher, Silence

#: The longest silence Kuber makes: longer ones are forgotten, not silences.
MAX_SILENCE = timedelta(days=30)
#: Prometheus durations: `1h30m`, `2d`, `90s` (units largest first, each at most once).
_DURATION = re.compile(
    r"^(?:(?P<y>\d+)y)?(?:(?P<w>\d+)w)?(?:(?P<d>\d+)d)?(?:(?P<h>\d+)h)?"
    r"(?:(?P<m>\d+)m(?!s))?(?:(?P<s>\d+)s)?(?:(?P<ms>\d+)ms)?$"
)
_UNITS = {
    "y": timedelta(days=365),
    "w": timedelta(weeks=1),
    "d": timedelta(days=1),
    "h": timedelta(hours=1),
    "m": timedelta(minutes=1),
    "s": timedelta(seconds=1),
    "ms": timedelta(milliseconds=1),
}


class SilenceApi(Protocol):
    """What silencing needs of Alertmanager (`integrations.alertmanager.AlertmanagerClient`)."""

    def silences(self, filters: Iterable[Matcher | str] = ()) -> list[Silence]: ...

    def create_silence(
        self,
        matchers: Sequence[Matcher],
        *,
        ends_at: datetime,
        created_by: str,
        comment: str,
        starts_at: datetime | None = None,
    ) -> str: ...

    def expire_silence(self, silence_id: str) -> bool: ...


@dataclass(frozen=True)
class SilenceMade:
    id: str
    matchers: tuple[Matcher, ...]
    until: datetime
    #: True when an earlier run of the same click had made it already.
    reused: bool = False


def parse_duration(text: str) -> timedelta:
    """A Prometheus duration (`30m`, `2h`, `1d`, `1h30m`); `UserError` when it is not one."""
    cleaned = text.strip().lower().replace(" ", "")
    match = _DURATION.match(cleaned)
    if not cleaned or match is None or not any(match.groupdict().values()):
        raise UserError("alert_bad_duration", duration=text)
    total = sum(
        (_UNITS[unit] * int(count) for unit, count in match.groupdict().items() if count),
        timedelta(),
    )
    if total <= timedelta():
        raise UserError("alert_bad_duration", duration=text)
    if total > MAX_SILENCE:
        raise UserError("alert_duration_too_long", limit=format_duration(MAX_SILENCE))
    return total


_clients: dict[str, AlertmanagerClient] = {}
_clients_lock = threading.Lock()


def alertmanager_for(settings: Settings) -> AlertmanagerClient:
    """The shared client of `KUBER_ALERTMANAGER_URL`; `UserError` when it is not set."""
    url = settings.env.alertmanager_url
    if not url:
        raise UserError("not_configured", system="Alertmanager", variable="KUBER_ALERTMANAGER_URL")
    with _clients_lock:
        if url not in _clients:
            _clients[url] = AlertmanagerClient(url)
        return _clients[url]


def label_matchers(labels: Mapping[str, str]) -> tuple[Matcher, ...]:
    """Equality matchers for every label (empty values match nothing in Alertmanager: left out)."""
    return tuple(Matcher(name, str(value)) for name, value in sorted(labels.items()) if value)


def make_silence(
    api: SilenceApi,
    matchers: Sequence[Matcher],
    *,
    duration: timedelta,
    created_by: str,
    comment: str,
    marker: str | None = None,
    now: datetime | None = None,
) -> SilenceMade:
    """Silence `matchers` for `duration`.

    `marker` (the stored click's key) goes into the comment: a click run again after a crash
    finds the silence its first run made instead of making a second one.
    """
    if not matchers:
        raise UserError("alert_silence_no_matchers")
    if marker is not None:
        for found in api.silences(filters=matchers):
            if found.active and marker in found.comment:
                return SilenceMade(found.id, tuple(matchers), found.ends_at, reused=True)
        comment = f"{comment} [{marker}]"
    until = (now or datetime.now(UTC)) + duration
    silence_id = api.create_silence(
        matchers, ends_at=until, created_by=created_by, comment=comment, starts_at=now
    )
    return SilenceMade(silence_id, tuple(matchers), until)


def silence_alert(
    api: SilenceApi,
    *,
    alert: str,
    duration: timedelta,
    created_by: str,
    comment: str,
    labels: Mapping[str, str] | None = None,
) -> SilenceMade:
    """Silence alert `alert` (its `alertname`), narrowed by `labels` when given."""
    matchers = (Matcher("alertname", alert), *label_matchers(dict(labels or {})))
    return make_silence(api, matchers, duration=duration, created_by=created_by, comment=comment)


def silences_of(api: SilenceApi, alert: str) -> list[Silence]:
    """The active silences that name alert `alert` (`alertname="alert"`)."""
    return [
        s
        for s in api.silences()
        if s.active
        and any(
            m.name == "alertname" and m.value == alert and m.is_equal and not m.is_regex
            for m in s.matchers
        )
    ]


def unsilence_alert(api: SilenceApi, *, alert: str) -> list[str]:
    """End every active silence of alert `alert`; the ids of those ended."""
    return [s.id for s in silences_of(api, alert) if api.expire_silence(s.id)]


# -- ready-made answers for the commands -----------------------------------------------------
def silence_reply(made: SilenceMade, language: Language = "en") -> Reply:
    matchers = ", ".join(str(m) for m in made.matchers)
    text = translate(
        language,
        "alert_silence_created",
        matchers=matchers,
        until=format_time(made.until),
        id=made.id,
    )
    return Reply(text, language=language)


def unsilence_reply(alert: str, ended: Sequence[str], language: Language = "en") -> Reply:
    if not ended:
        return Reply(translate(language, "alert_no_silence", alert=alert), language=language)
    text = translate(language, "alert_silences_expired", count=len(ended), alert=alert)
    return Reply(text, language=language)


def silence_command(
    settings: Settings,
    *,
    alert: str,
    duration: str,
    created_by: str,
    where: str,
    language: Language = "en",
) -> Reply:
    """`silence ALERT for DURATION`, whole: `where` says where it was asked (for the comment)."""
    span = parse_duration(duration)
    comment = translate("en", "alert_silence_comment", who=created_by, link=where)
    made = silence_alert(
        alertmanager_for(settings),
        alert=alert,
        duration=span,
        created_by=created_by,
        comment=comment,
    )
    return silence_reply(made, language)


def unsilence_command(settings: Settings, *, alert: str, language: Language = "en") -> Reply:
    """`unsilence ALERT`, whole."""
    ended = unsilence_alert(alertmanager_for(settings), alert=alert)
    return unsilence_reply(alert, ended, language)
