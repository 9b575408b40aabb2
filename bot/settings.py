"""Kuber's settings: secrets and URLs from `KUBER_*` variables, teams and apps from kuber.yaml.

Everything is validated once at start-up; a wrong value stops start-up with a message that
names the variable or the YAML path. Secrets are only ever read from the environment, and
are held as `SecretStr` so they never print by accident.
"""

from __future__ import annotations

import os
import re
import zoneinfo
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Annotated, Any, Literal

import yaml
from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    Field,
    PrivateAttr,
    SecretStr,
    ValidationError,
    field_validator,
    model_validator,
)
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from bot.errors import ConfigError
from bot.settings_alerting import Alerts, Slo, check_references

#: viewer reads; operator also scales, restarts, builds, silences and files issues; deployer
#: also deploys and rolls back; admin approves protected changes.
Role = Literal["viewer", "operator", "deployer", "admin"]

_DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?$")
_DAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _dns_label(value: str) -> str:
    if not _DNS_LABEL.match(value):
        raise ValueError(
            f"{value!r} is not a valid name (lower-case letters, digits and '-', at most 63)"
        )
    return value


def _timezone(value: str) -> str:
    try:
        zoneinfo.ZoneInfo(value)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError) as exc:
        raise ValueError(
            f"unknown timezone {value!r} (use an IANA name such as Asia/Seoul)"
        ) from exc
    return value


def _days(value: str) -> str:
    """Day names only: APScheduler's crontab numbers count Monday as 0, a classic trap."""
    for part in value.lower().split(","):
        for day in part.split("-"):
            if day.strip() not in _DAY_NAMES:
                raise ValueError(f"{value!r}: use day names such as mon-fri or mon,wed,fri")
    return value.lower()


def _clock(value: str) -> str:
    match = re.fullmatch(r"([01]?\d|2[0-3]):([0-5]\d)", value)
    if not match:
        raise ValueError(f"{value!r} is not a time of day like 09:30")
    return value


Name = Annotated[str, AfterValidator(_dns_label)]


class _Strict(BaseModel):
    """kuber.yaml sections: unknown keys are errors, so a typo never silently does nothing."""

    model_config = ConfigDict(extra="forbid", frozen=True)


def _kubernetes_name(value: str) -> str:
    """A Kubernetes user or group name travels as a header value: one line, no control
    characters, and no surrounding spaces (a header would silently lose them)."""
    if not value or value != value.strip() or re.search(r"[\x00-\x1f\x7f]", value):
        raise ValueError(
            f"{value!r} is not a usable Kubernetes name (one line, no spaces around it)"
        )
    if len(value) > 1024:
        raise ValueError("longer than 1024 characters")
    return value


KubernetesName = Annotated[str, AfterValidator(_kubernetes_name)]


class KubernetesIdentity(_Strict):
    """Whom Kuber acts as in the clusters for this person (`Impersonate-User`/`-Group`), so
    the cluster's own RBAC applies too. Kuber's account needs `impersonate` on them."""

    user: KubernetesName | None = None
    groups: list[KubernetesName] = Field(default_factory=list)

    @model_validator(mode="after")
    def _user_given(self) -> KubernetesIdentity:
        if self.user is None:
            # The API server impersonates groups only together with a user.
            raise ValueError(
                "user: required (the API server impersonates groups only for a user)"
                if self.groups
                else "user: required, or leave out `kubernetes:`"
            )
        if len(set(self.groups)) != len(self.groups):
            raise ValueError("groups: a group is named twice")
        return self


_SLACK_ID = r"^[UW][A-Z0-9]{2,}$"
#: Mattermost user ids are 26 characters; the sandbox's are shorter, readable ones.
_MATTERMOST_ID = r"^[a-z0-9-]{3,26}$"
_EMAIL = r"^[^@\s]+@[^@\s]+$"


class Person(_Strict):
    """Someone Kuber knows, named once with every account they use.

    Every check works on the person, not the account: four-eyes compares people, so one
    person with a Slack and a Mattermost account is still one person.
    """

    name: str = Field(min_length=1)
    email: str | None = Field(default=None, pattern=_EMAIL)
    #: The Slack user id (U… or W…), not the display name.
    slack: str | None = Field(default=None, pattern=_SLACK_ID)
    #: The Mattermost user id, not the username.
    mattermost: str | None = Field(default=None, pattern=_MATTERMOST_ID)
    jira: str | None = None
    #: Optional: the Kubernetes user (and groups) Kuber impersonates for this person.
    kubernetes: KubernetesIdentity | None = None


class Member(_Strict):
    """A person's place in a team: their role there.

    The person is named in `people:`; a team may instead carry the accounts inline, for a
    person no other team lists (the accounts then belong to this entry alone).
    """

    name: str = Field(min_length=1)
    role: Role = "deployer"
    slack: str | None = Field(default=None, pattern=_SLACK_ID)
    mattermost: str | None = Field(default=None, pattern=_MATTERMOST_ID)
    jira: str | None = None
    kubernetes: KubernetesIdentity | None = None

    @property
    def names_accounts(self) -> bool:
        return any(v is not None for v in (self.slack, self.mattermost, self.jira, self.kubernetes))

    def as_person(self) -> Person:
        return Person(
            name=self.name,
            slack=self.slack,
            mattermost=self.mattermost,
            jira=self.jira,
            kubernetes=self.kubernetes,
        )


class ChatChannels(_Strict):
    slack: str | None = None
    mattermost: str | None = None


class JiraBoard(_Strict):
    project: str = Field(pattern=r"^[A-Z][A-Z0-9_]{1,9}$")
    board: int = Field(gt=0)


class Standup(_Strict):
    days: Annotated[str, AfterValidator(_days)] = "mon-fri"
    time: Annotated[str, AfterValidator(_clock)] = "09:30"
    timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"


class Team(_Strict):
    name: str
    channels: ChatChannels = ChatChannels()
    namespaces: list[Name] = Field(default_factory=lambda: ["default"], min_length=1)
    clusters: list[str] = Field(default_factory=list)
    jira: JiraBoard | None = None
    standup: Standup | None = None
    members: list[Member] = Field(default_factory=list)

    @property
    def default_namespace(self) -> str:
        return self.namespaces[0]

    @property
    def default_cluster(self) -> str | None:
        return self.clusters[0] if self.clusters else None


class App(_Strict):
    name: Name
    deployment: Name | None = None
    container: str | None = None
    namespace: Name | None = None
    cluster: str | None = None
    jenkins_job: str | None = None
    team: str | None = None
    aliases: list[str] = Field(default_factory=list)
    max_replicas: int = Field(default=50, ge=1, le=1000)
    #: Where a build of `jenkins_job` leaves the image tag it pushed: `parameter NAME`,
    #: `artifact PATH` (a file holding the tag) or `description` (a tag or an image in it).
    image_tag_from: str | None = None
    #: The build parameters that take the branch, version, environment and requester, where a
    #: job does not call them BRANCH, VERSION, ENVIRONMENT and REQUESTED_BY (or the like).
    jenkins_parameters: dict[Literal["branch", "version", "environment", "requested_by"], str] = (
        Field(default_factory=dict)
    )
    #: How a new version reaches the cluster: its image set on the Deployment (`kubernetes`),
    #: or `deploy_job` run in Jenkins with the version as a parameter (`jenkins`).
    deploy: Literal["kubernetes", "jenkins"] = "kubernetes"
    deploy_job: str | None = None

    @field_validator("jenkins_job", "deploy_job")
    @classmethod
    def _job_name(cls, value: str | None) -> str | None:
        """A job's full name: folders and the job joined by `/`, none of them empty."""
        if value is not None and any(not p.strip() or p in (".", "..") for p in value.split("/")):
            raise ValueError(f"{value!r} is not a Jenkins job name (folder/job, no empty part)")
        return value

    @field_validator("image_tag_from")
    @classmethod
    def _tag_source(cls, value: str | None) -> str | None:
        if value is None:
            return value
        kind, _, argument = value.strip().partition(" ")
        if kind == "description" and not argument.strip():
            return "description"
        if kind in ("parameter", "artifact") and argument.strip():
            return f"{kind} {argument.strip()}"
        raise ValueError(f"{value!r}: use `parameter NAME`, `artifact PATH` or `description`")

    @model_validator(mode="after")
    def _deploy_job_given(self) -> App:
        if self.deploy == "jenkins" and not self.deploy_job:
            raise ValueError("deploy_job: required with `deploy: jenkins`")
        return self

    @property
    def deployment_name(self) -> str:
        return self.deployment or self.name

    @property
    def container_name(self) -> str:
        return self.container or self.name


class Cluster(_Strict):
    name: str
    context: str | None = None
    protected: bool = False

    @property
    def context_name(self) -> str:
        return self.context or self.name


class Freeze(_Strict):
    """A window in which changes need an admin's approval ("no deploys on Friday evening").

    Cron-like: the days and the time of day it covers, in its timezone, optionally only
    between two dates; for one team's targets or one cluster, or everything when neither is
    named. A window whose end is before its start runs past midnight.
    """

    reason: str = Field(min_length=1)
    team: str | None = None
    cluster: str | None = None
    days: Annotated[str, AfterValidator(_days)] = "mon-sun"
    start: Annotated[str, AfterValidator(_clock)] = "00:00"
    end: Annotated[str, AfterValidator(_clock)] = "23:59"
    timezone: Annotated[str, AfterValidator(_timezone)] = "UTC"
    from_date: date | None = None
    until_date: date | None = None


class Policy(_Strict):
    #: Namespaces where a change needs an admin's approval, whatever the cluster (`kube-*`
    #: namespaces always are).
    protected_namespaces: list[str] = Field(default_factory=lambda: ["prod", "production"])
    #: The role of someone no team lists; "viewer" in production, "deployer" for a demo.
    default_role: Role = "viewer"
    #: On protected targets the approver must be someone other than the requester.
    four_eyes: bool = True
    approval_minutes: int = Field(default=30, ge=1, le=24 * 60)
    #: Anyone may read (status, logs, history) any team's apps; otherwise reads of a team's
    #: namespaces are for its members.
    open_reads: bool = False
    #: Changes one person may ask for in a minute; None for no limit.
    changes_per_minute: int | None = Field(default=None, ge=1, le=1000)


class Retention(_Strict):
    """How many days finished rows are kept before `bot.retention` deletes them.

    Only finished rows ever go: a message still being processed or sent is kept, however old.
    """

    # strict: `inbox_days: yes` or "7" is a slip, not a number of days. The upper bound keeps
    # "now minus the limit" a valid date.
    #: Processed chat messages and clicks (the inbox).
    inbox_days: int = Field(default=7, gt=0, le=36500, strict=True)
    #: Sent or refused outgoing messages (the outbox), whose rows may hold chart images.
    outbox_days: int = Field(default=7, gt=0, le=36500, strict=True)
    #: The audit log; None keeps it forever, until a team decides how long it must be kept.
    audit_days: int | None = Field(default=None, gt=0, le=36500, strict=True)


class KuberConfig(_Strict):
    teams: list[Team] = Field(default_factory=list)
    apps: list[App] = Field(default_factory=list)
    clusters: list[Cluster] = Field(default_factory=list)
    policy: Policy = Policy()
    retention: Retention = Retention()
    freeze: list[Freeze] = Field(default_factory=list)
    people: list[Person] = Field(default_factory=list)
    alerts: Alerts = Alerts()
    slos: list[Slo] = Field(default_factory=list)

    _people: dict[str, Person] = PrivateAttr(default_factory=dict)
    _accounts: dict[tuple[str, str], str] = PrivateAttr(default_factory=dict)

    @model_validator(mode="after")
    def _people_named_once(self) -> KuberConfig:
        """Index every person and account once; an account naming two people is an error."""
        _unique("people", [p.name for p in self.people])
        people = {p.name: p for p in self.people}
        listed = set(people)
        for t, team in enumerate(self.teams):
            _unique(f"teams[{t}].members", [m.name for m in team.members])
            for m, member in enumerate(team.members):
                where = f"teams[{t}].members[{m}]"
                if member.name in people and member.names_accounts:
                    elsewhere = "people:" if member.name in listed else "another team"
                    raise ValueError(
                        f"{where}: {member.name}'s accounts are already given in {elsewhere} "
                        "(name a person's accounts once, in people:)"
                    )
                if member.name not in people:
                    people[member.name] = member.as_person()
        accounts: dict[tuple[str, str], str] = {}
        for person in people.values():
            for platform in ("slack", "mattermost"):
                account = getattr(person, platform)
                if account is None:
                    continue
                owner = accounts.setdefault((platform, account), person.name)
                if owner != person.name:
                    raise ValueError(
                        f"{platform} account {account!r} names both {owner!r} and {person.name!r}"
                    )
        self._people = people
        self._accounts = accounts
        return self

    @model_validator(mode="after")
    def _references_hold(self) -> KuberConfig:
        _unique("teams", [t.name for t in self.teams])
        _unique("apps", [a.name for a in self.apps])
        _unique("clusters", [c.name for c in self.clusters])
        team_names = {t.name for t in self.teams}
        cluster_names = {c.name for c in self.clusters}
        seen_aliases: dict[str, str] = {a.name: a.name for a in self.apps}
        for index, app in enumerate(self.apps):
            if app.team is not None and app.team not in team_names:
                raise ValueError(f"apps[{index}].team: no team named {app.team!r}")
            if app.cluster is not None and cluster_names and app.cluster not in cluster_names:
                raise ValueError(f"apps[{index}].cluster: no cluster named {app.cluster!r}")
            for alias in app.aliases:
                owner = seen_aliases.setdefault(alias.lower(), app.name)
                if owner != app.name:
                    raise ValueError(
                        f"apps[{index}].aliases: {alias!r} already names app {owner!r}"
                    )
        for index, window in enumerate(self.freeze):
            if window.team is not None and window.team not in team_names:
                raise ValueError(f"freeze[{index}].team: no team named {window.team!r}")
            if window.cluster is not None and cluster_names and window.cluster not in cluster_names:
                raise ValueError(f"freeze[{index}].cluster: no cluster named {window.cluster!r}")
        check_references(self.alerts, self.slos, team_names, {a.name for a in self.apps})
        for index, team in enumerate(self.teams):
            for cluster in team.clusters:
                if cluster_names and cluster not in cluster_names:
                    raise ValueError(f"teams[{index}].clusters: no cluster named {cluster!r}")
        return self

    # -- look-ups ----------------------------------------------------------------------------
    def app(self, name: str) -> App | None:
        return next((a for a in self.apps if a.name == name), None)

    def team(self, name: str) -> Team | None:
        return next((t for t in self.teams if t.name == name), None)

    def cluster(self, name: str) -> Cluster | None:
        return next((c for c in self.clusters if c.name == name), None)

    def team_for_channel(self, platform: str, channel: str) -> Team | None:
        for team in self.teams:
            if getattr(team.channels, platform, None) == channel:
                return team
        return None

    def person(self, platform: str, user_id: str, user_name: str | None = None) -> Person | None:
        """The person behind a platform's user id.

        Only ids count on chat platforms: names there are chosen by their owners, so a name
        match would hand anyone who takes "alice" as a display name alice's role. The
        terminal has no ids; there the login name is matched.
        """
        if platform == "console":
            for name in (user_id, user_name):
                if name is not None and name in self._people:
                    return self._people[name]
            return None
        owner = self._accounts.get((platform, user_id))
        return self._people[owner] if owner is not None else None

    def person_named(self, name: str) -> Person | None:
        return self._people.get(name)

    def memberships(self, person: str) -> list[tuple[Team, Role]]:
        """The teams `person` belongs to, with their role in each."""
        return [(t, m.role) for t in self.teams for m in t.members if m.name == person]

    def owners(self, *, app: str | None, cluster: str | None, namespace: str | None) -> list[Team]:
        """The teams a target belongs to: the app's team when kuber.yaml names one, else every
        team listing the namespace (on the cluster, when the team names its clusters)."""
        configured = self.app(app) if app else None
        if configured is not None and configured.team is not None:
            owner = self.team(configured.team)
            return [owner] if owner is not None else []
        if namespace is None:
            return []
        return [
            t
            for t in self.teams
            if namespace in t.namespaces
            and (cluster is None or not t.clusters or cluster in t.clusters)
        ]


def _unique(section: str, names: list[str]) -> None:
    seen: set[str] = set()
    for index, name in enumerate(names):
        if name in seen:
            raise ValueError(f"{section}[{index}].name: {name!r} is defined twice")
        seen.add(name)


def _database_url(value: str) -> str:
    try:
        url = make_url(value)
    except ArgumentError as exc:
        raise ValueError(f"not a database URL: {exc}") from exc
    if url.get_backend_name() not in ("sqlite", "postgresql"):
        raise ValueError("only sqlite:/// and postgresql:// URLs are supported")
    return value


class EnvSettings(BaseModel):
    """The `KUBER_*` environment (field `x` is `KUBER_X`). Secrets live here, never in files."""

    model_config = ConfigDict(extra="ignore", frozen=True)

    database_url: Annotated[str, AfterValidator(_database_url)] = "sqlite:///.kuber/kuber.db"
    config: Path | None = None
    log_level: Literal["debug", "info", "warning", "error"] = "info"
    log_format: Literal["console", "json"] = "console"
    public_url: str | None = None

    slack_bot_token: SecretStr | None = None
    slack_signing_secret: SecretStr | None = None
    slack_app_token: SecretStr | None = None
    slack_api_url: str | None = None

    mattermost_url: str | None = None
    mattermost_token: SecretStr | None = None
    mattermost_command_token: SecretStr | None = None
    #: Key of the HMAC Kuber puts inside Mattermost button contexts (Mattermost signs nothing).
    mattermost_action_secret: SecretStr | None = None

    kubeconfig: str | None = Field(default=None, validation_alias="KUBECONFIG")
    kubernetes_in_cluster: bool = False
    kubernetes_timeout: float = Field(default=10.0, gt=0, le=300)
    rollout_timeout: float = Field(default=300.0, gt=0, le=3600)
    #: Seconds a leader lease lasts unrenewed, and a replica's claim on a piece of work: a
    #: replica that dies is replaced, and its work taken up, within about these.
    lease_ttl: float = Field(default=15.0, ge=1, le=300)
    claim_ttl: float = Field(default=30.0, ge=1, le=600)

    jenkins_url: str | None = None
    jenkins_user: str | None = None
    jenkins_token: SecretStr | None = None
    jira_url: str | None = None
    jira_user: str | None = None
    jira_token: SecretStr | None = None
    alertmanager_url: str | None = None
    prometheus_url: str | None = None
    webhook_token: SecretStr | None = None

    @field_validator(
        "public_url",
        "slack_api_url",
        "mattermost_url",
        "jenkins_url",
        "jira_url",
        "alertmanager_url",
        "prometheus_url",
    )
    @classmethod
    def _http_url(cls, value: str | None) -> str | None:
        if value is not None and not re.match(r"^https?://[^\s/]+", value):
            raise ValueError(f"{value!r} is not an http(s) URL")
        return value

    @model_validator(mode="after")
    def _platforms_complete(self) -> EnvSettings:
        """A half-configured platform would accept commands and never answer: refuse it."""
        if self.slack_bot_token and not self.slack_signing_secret:
            raise ValueError(
                "KUBER_SLACK_SIGNING_SECRET: required with KUBER_SLACK_BOT_TOKEN "
                "(Slack requests are verified with it)"
            )
        mattermost = {
            "KUBER_MATTERMOST_URL": self.mattermost_url,
            "KUBER_MATTERMOST_TOKEN": self.mattermost_token,
            "KUBER_MATTERMOST_COMMAND_TOKEN": self.mattermost_command_token,
            "KUBER_MATTERMOST_ACTION_SECRET": self.mattermost_action_secret,
            "KUBER_PUBLIC_URL": self.public_url,
        }
        given = [name for name, value in mattermost.items() if value and name != "KUBER_PUBLIC_URL"]
        missing = [name for name, value in mattermost.items() if not value]
        if given and missing:
            raise ValueError(
                f"{', '.join(missing)}: required for Mattermost (set with {', '.join(given)})"
            )
        return self

    def secrets(self) -> list[str]:
        """Every secret value set, so logs can redact them wherever they appear."""
        values = []
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr) and value.get_secret_value():
                values.append(value.get_secret_value())
        password = make_url(self.database_url).password
        if password:
            values.append(str(password))
        return values


@dataclass(frozen=True)
class Settings:
    env: EnvSettings
    config: KuberConfig
    config_path: Path | None = None


def load_settings(environ: Mapping[str, str] | None = None) -> Settings:
    """Read and validate the environment and kuber.yaml; a `ConfigError` names what is wrong."""
    environ = os.environ if environ is None else environ
    env = _load_env(environ)
    path = env.config
    config = load_config_file(path) if path is not None else KuberConfig()
    return Settings(env=env, config=config, config_path=path)


def _load_env(environ: Mapping[str, str]) -> EnvSettings:
    values = {k: v for k, v in environ.items() if k.startswith("KUBER_") or k == "KUBECONFIG"}
    known = {f"KUBER_{name.upper()}" for name in EnvSettings.model_fields} | {"KUBECONFIG"}
    try:
        # Validate the given mapping, not os.environ, so tests stay hermetic.
        return EnvSettings.model_validate(
            {
                (k if k == "KUBECONFIG" else k.removeprefix("KUBER_").lower()): v
                for k, v in values.items()
                if k in known
            }
        )
    except ValidationError as exc:
        raise ConfigError(_describe(exc, prefix="KUBER_", env=True)) from None


def load_config_file(path: Path) -> KuberConfig:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(f"KUBER_CONFIG: cannot read {path}: {exc.strerror}") from None
    try:
        data: Any = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        raise ConfigError(
            f"{path}: not valid YAML{where}: {getattr(exc, 'problem', exc)}"
        ) from None
    if data is None:
        data = {}
    if not isinstance(data, dict):
        raise ConfigError(f"{path}: the top level must be a mapping (teams:, apps:, clusters:)")
    try:
        return KuberConfig.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(f"{path}: " + _describe(exc)) from None


def _describe(exc: ValidationError, prefix: str = "", env: bool = False) -> str:
    """Pydantic errors as `path: what is wrong` lines, with YAML paths like apps[2].name."""
    lines = []
    for error in exc.errors():
        path = ""
        for part in error["loc"]:
            if isinstance(part, int):
                path += f"[{part}]"
            else:
                name = str(part)
                if env:
                    name = name if name == "KUBECONFIG" else prefix + name.upper()
                path += ("." if path else "") + name
        message = error["msg"].removeprefix("Value error, ")
        if error["type"] == "extra_forbidden":
            message = "unknown key (check its spelling)"
        lines.append(f"{path}: {message}" if path else message)
    return "; ".join(lines)
