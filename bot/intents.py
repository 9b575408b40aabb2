"""What a person asked for, as data: the contract between `bot.nlu`, `dispatch` and `kuber parse`.

An `Intent` carries only what the text said. Defaults (the team's namespace, the cluster)
are filled in later by `dispatch`, so `kuber parse` shows exactly what was understood.
`to_json` and `from_json` are the one JSON form, for `kuber parse` and for stored context.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
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
    BUILDS = "builds"
    DIAGNOSE = "diagnose"
    UNSILENCE = "unsilence"
    CANCEL = "cancel"
    UNDO = "undo"
    SEQUENCE = "sequence"
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
        IntentName.UNSILENCE,
        IntentName.UNDO,
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
    `app_guessed_from` is the word as typed when `app` was chosen as its closest known app
    ("paymnet" -> payment), so a plan can say "payment (closest to 'paymnet')".
    `used_context` is set when a slot came from the channel's previous command ("scale it to 5").

    Messages that must not become one plain action:

    - `negated`: "don't restart payment". The name is `unknown` (never an action) and
      `negated` holds the refused command, so the reply can say "OK, I won't restart payment".
      JSON: `{"intent": "unknown", "negated": {"intent": "restart", "app": "payment"}}`.
    - `unclear` and `candidate`: words that look like a value no slot took ("restart payment 3").
      The name is `unknown`, `unclear` lists those words, `candidate` is the command the rest
      asks for, to offer as a question. JSON: `{"intent": "unknown", "unclear": ["3"],
      "candidate": {"intent": "restart", "app": "payment"}}`.
    - `steps`: two or more commands in one message; the name is `sequence`, each step an
      `Intent` (a step may itself be `unknown` with `negated`). JSON: `{"intent": "sequence",
      "steps": [{"intent": "scale", ...}, {"intent": "restart", ...}]}`.
    - `cluster_or_namespace`: a word that names both a configured cluster and a known
      namespace ("in prod"); neither slot is set and the command must ask which one.

    `awaiting` is the slot a clarifying question asked for; `dispatch` stores the incomplete
    intent with it set, so the next message ("cart") fills that slot of that command.
    Nested intents (steps, negated, candidate) print without `lang`: the message has one.
    `cancel` (withdraw the channel's pending plan) changes nothing outside Kuber, so it is not
    in `MUTATING`; `undo` (roll back the last change made from this channel) is.
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
    app_guessed_from: str | None = None
    cluster_or_namespace: str | None = None
    used_context: bool = False
    #: For `unknown` or incomplete commands: the likeliest intents, best first.
    suggestions: tuple[IntentName, ...] = field(default=())
    steps: tuple[Intent, ...] = ()
    negated: Intent | None = None
    unclear: tuple[str, ...] = ()
    candidate: Intent | None = None
    awaiting: str | None = None

    @property
    def mutating(self) -> bool:
        """Whether carrying it out changes something outside Kuber (any step of a sequence)."""
        if self.name is IntentName.SEQUENCE:
            return any(step.mutating for step in self.steps)
        return self.name in MUTATING

    def slots(self) -> dict[str, Any]:
        """The slots the text gave, without the `None` ones."""
        found = ((key, getattr(self, key)) for key in SLOT_NAMES)
        return {key: value for key, value in found if value is not None}

    def with_slots(self, **changes: Any) -> Intent:
        return replace(self, **changes)

    def to_json(self) -> dict[str, Any]:
        """The object `kuber parse --json` prints: `intent`, the given slots, and `lang`."""
        return {**self._json(), "lang": self.language}

    def _json(self) -> dict[str, Any]:
        data: dict[str, Any] = {"intent": self.name.value, **self.slots()}
        for key in _EXTRA_TEXT:
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.steps:
            data["steps"] = [step._json() for step in self.steps]
        if self.negated is not None:
            data["negated"] = self.negated._json()
        if self.unclear:
            data["unclear"] = list(self.unclear)
        if self.candidate is not None:
            data["candidate"] = self.candidate._json()
        return data

    @classmethod
    def from_json(cls, data: Mapping[str, Any], language: Language | None = None) -> Intent:
        """The intent `to_json` printed (keys it does not know are ignored).

        `app_known` and `used_context` are read when present, so a stored context or a
        button's value keeps them.
        """
        lang: Language = language or ("ko" if data.get("lang") == "ko" else "en")
        values: dict[str, Any] = {
            key: data[key] for key in (*SLOT_NAMES, *_EXTRA_TEXT) if data.get(key) is not None
        }
        for key in ("app_known", "used_context"):
            if key in data:
                values[key] = bool(data[key])
        nested = {key: data.get(key) for key in ("negated", "candidate")}
        for key, value in nested.items():
            if isinstance(value, Mapping):
                values[key] = cls.from_json(value, lang)
        steps = data.get("steps")
        if isinstance(steps, list):
            values["steps"] = tuple(cls.from_json(s, lang) for s in steps if isinstance(s, Mapping))
        unclear = data.get("unclear")
        if isinstance(unclear, list):
            values["unclear"] = tuple(str(word) for word in unclear)
        return cls(IntentName(data["intent"]), language=lang, **values)


#: Text fields printed after the slots when set.
_EXTRA_TEXT: tuple[str, ...] = ("app_guessed_from", "cluster_or_namespace", "awaiting")
