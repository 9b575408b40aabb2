"""The one error tree of Kuber: who is at fault decides what happens next.

- `UserError`: the person asked for something wrong; answer plainly, change nothing.
- `TemporaryError`: an outside system may recover; retry with backoff where the step is safe
  to repeat, otherwise report it.
- `PermanentError`: it will not work by trying again; report and stop.
Vendor exceptions are mapped into this tree once, at the integration boundary.
"""

from __future__ import annotations

from collections.abc import Sequence


class KuberError(Exception):
    """Base of every error Kuber raises on purpose.

    `key` and `params` name a message of `bot.i18n`, so the same error reads well in
    English and in Korean; `str(error)` is the English text for logs.
    """

    def __init__(self, key: str, /, **params: object) -> None:
        self.key = key
        self.params = params
        super().__init__(self.english())

    def english(self) -> str:
        from bot.i18n import translate  # late: i18n imports nothing of ours, avoids a cycle

        return translate("en", self.key, **self.params)


class UserError(KuberError):
    """The request cannot be done as asked.

    `choices` are offered as buttons; when `slot` is set, clicking one re-runs the command
    with that slot filled in (e.g. the app after "no app paymnt; did you mean payment?").
    """

    def __init__(
        self,
        key: str,
        /,
        choices: Sequence[str] = (),
        slot: str | None = None,
        **params: object,
    ) -> None:
        self.choices = tuple(choices)
        self.slot = slot
        super().__init__(key, **params)


class NotAllowed(UserError):
    """Policy refused the actor."""


class ConfigError(Exception):
    """Settings or kuber.yaml are wrong; start-up stops with this message."""


class Interrupted(Exception):
    """This replica is stopping in the middle of long work (following a rollout): the work is
    left as it stands, its claim handed back, and the next leader picks it up."""


class TemporaryError(KuberError):
    """An outside system failed in a way that may pass (5xx, timeout, conflict, 429)."""

    def __init__(self, key: str, /, delay: float | None = None, **params: object) -> None:
        self.delay = delay
        super().__init__(key, **params)


class PermanentError(KuberError):
    """An outside system refused in a way retrying will not fix (403, 404 of a dependency, 422)."""
