"""What a person asked for, as data: the contract between `bot.nlu`, `dispatch` and `kuber parse`.

An `Intent` carries only what the text said. Defaults (the team's namespace, the cluster)
are filled in later by `dispatch`, so `kuber parse` shows exactly what was understood.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, replace
from enum import StrEnum
from typing import Any, Literal

Language = Literal["en", "ko"]


class IntentName(StrEnum):
    SCALE = "scale"
    RESTART = "restart"
    ROLLBACK = "rollback"
    DEPLOY = "deploy"
    BUILD = "build"
    STATUS = "status"
    LOGS = "logs"
    HISTORY = "history"
    SPRINT = "sprint"
    STANDUP = "standup"
    BACKLOG = "backlog"
    CREATE_ISSUE = "create_issue"
    TRANSITION = "transition"
    ASSIGN = "assign"
    SILENCE = "silence"
    ALERTS = "alerts"
    HELP = "help"
    SLO = "slo"
    AUDIT = "audit"
    UNKNOWN = "unknown"


#: Intents that change something outside Kuber; they go through a plan and an approval.
MUTATING: frozenset[IntentName] = frozenset(
    {
        IntentName.SCALE,
        IntentName.RESTART,
        IntentName.ROLLBACK,
        IntentName.DEPLOY,
        IntentName.BUILD,
        IntentName.CREATE_ISSUE,
        IntentName.TRANSITION,
        IntentName.ASSIGN,
        IntentName.SILENCE,
    }
)

#: The slot names, in the order `kuber parse` prints them.
SLOT_NAMES: tuple[str, ...] = (
    "app",
    "replicas",
    "delta",
    "revision",
    "version",
    "branch",
    "lines",
    "namespace",
    "cluster",
    "issue_type",
    "summary",
    "issue",
    "status",
    "assignee",
    "alert",
    "duration",
)


@dataclass(frozen=True)
class Intent:
    """One understood command. Slots the text did not give stay `None`.

    `app_known` says whether `app` matched a known app (exactly, by alias or up to a typo);
    a command uses it to answer "no app X; did you mean Y?" instead of acting on a guess.
    `used_context` is set when a slot came from the channel's previous command ("scale it to 5").
    """

    name: IntentName
    language: Language = "en"
    app: str | None = None
    replicas: int | None = None
    delta: int | None = None
    revision: int | None = None
    version: str | None = None
    branch: str | None = None
    lines: int | None = None
    namespace: str | None = None
    cluster: str | None = None
    issue_type: str | None = None
    summary: str | None = None
    issue: str | None = None
    status: str | None = None
    assignee: str | None = None
    alert: str | None = None
    duration: str | None = None
    app_known: bool = True
    used_context: bool = False
    #: For `unknown` or incomplete commands: the likeliest intents, best first.
    suggestions: tuple[IntentName, ...] = field(default=())

    @property
    def mutating(self) -> bool:
        return self.name in MUTATING

    def slots(self) -> dict[str, Any]:
        """The slots the text gave, without the `None` ones."""
        values = asdict(self)
        return {key: values[key] for key in SLOT_NAMES if values[key] is not None}

    def with_slots(self, **changes: Any) -> Intent:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The object `kuber parse --json` prints: `intent`, the given slots, and `lang`."""
        return {"intent": self.name.value, **self.slots(), "lang": self.language}
