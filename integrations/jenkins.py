"""Jenkins through python-jenkins: start an app's build, follow it from the queue to its end,
read its stages, console and produced image tag, abort it, list the last builds.

Every request has a timeout (python-jenkins has none unless given one). Vendor exceptions are
mapped into `bot.errors` here, once: Jenkins not answering is a `TemporaryError`, refused
credentials a `PermanentError`, an unknown job a `UserError` naming the closest jobs. A 403 on
a POST is most often a crumb gone stale with a Jenkins restart: the crumb is fetched again and
the request sent once more. Branch names are checked before they reach Jenkins. No vendor
object leaves this module.
"""

from __future__ import annotations

import difflib
import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from typing import Any, TypeVar
from urllib.parse import quote, urlencode

import jenkins
import requests

from bot.errors import Interrupted, KuberError, PermanentError, TemporaryError, UserError

DEFAULT_TIMEOUT = 10.0
#: How many console lines a failure shows.
TAIL_LINES = 30
#: How long a build may wait in the queue before Kuber stops waiting for it.
QUEUE_TIMEOUT = 600.0
#: How long a build is followed before Kuber stops watching (the build goes on).
FOLLOW_TIMEOUT = 3 * 3600.0
#: How long polls may keep failing (Jenkins restarting) before following gives up.
OUTAGE_TOLERANCE = 60.0

#: Parameter names that play each role, tried in order when kuber.yaml names none.
PARAMETER_ROLES: dict[str, tuple[str, ...]] = {
    "branch": ("BRANCH", "GIT_BRANCH", "BRANCH_NAME", "GIT_REF"),
    "version": ("VERSION", "IMAGE_TAG", "TAG", "RELEASE"),
    "environment": ("ENVIRONMENT", "ENV", "DEPLOY_ENV", "TARGET_ENV"),
    "requested_by": ("REQUESTED_BY", "TRIGGERED_BY", "KUBER_USER"),
}
#: An image tag as registries accept it.
IMAGE_TAG = re.compile(r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$")
_IMAGE_REFERENCE = re.compile(r"[\w.\-/]+:(?P<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127})\b")
_T = TypeVar("_T")


# -- values --------------------------------------------------------------------------------
@dataclass(frozen=True)
class ParameterDefinition:
    name: str
    #: "string", "choice", "boolean" or "other" (password, file, …: never filled by Kuber).
    kind: str
    default: str | None
    choices: tuple[str, ...] = ()
    description: str = ""


@dataclass(frozen=True)
class JobInfo:
    name: str
    url: str
    pipeline: bool
    buildable: bool
    parameters: tuple[ParameterDefinition, ...]
    next_number: int
    last_build: int | None

    def definition(self, role: str, name: str | None = None) -> ParameterDefinition | None:
        """The parameter playing `role` ("branch", …): the one named `name`, else the first
        whose name is one of `PARAMETER_ROLES[role]` (case does not matter)."""
        wanted = (name,) if name else PARAMETER_ROLES.get(role, ())
        for candidate in wanted:
            for definition in self.parameters:
                if definition.name.upper() == candidate.upper():
                    return definition
        return None


@dataclass(frozen=True)
class StageInfo:
    name: str
    #: SUCCESS, FAILED, IN_PROGRESS, ABORTED, NOT_EXECUTED, UNSTABLE, PAUSED_PENDING_INPUT.
    status: str
    duration_ms: int


@dataclass(frozen=True)
class BuildInfo:
    job: str
    number: int
    url: str
    building: bool
    #: SUCCESS, FAILURE, UNSTABLE, ABORTED, NOT_BUILT; None while building.
    result: str | None
    duration_ms: int
    #: Jenkins' estimate from earlier builds; None when it has none yet.
    estimated_ms: int | None
    started_at: datetime
    parameters: dict[str, str] = field(default_factory=dict)
    #: Who or what started it: a person's name, "timer", "SCM change", "upstream …".
    started_by: str | None = None
    #: The branch the Git plugin says it built, when it says so.
    scm_branch: str | None = None
    description: str | None = None
    artifacts: tuple[str, ...] = ()
    queue_id: int | None = None
    #: Who aborted it, as Jenkins records it ("Aborted by kuber").
    aborted_by: str | None = None

    def elapsed_ms(self, now: datetime | None = None) -> int:
        if not self.building:
            return self.duration_ms
        now = now or datetime.now(UTC)
        return max(0, int((now - self.started_at).total_seconds() * 1000))

    def parameter(self, role: str, name: str | None = None) -> str | None:
        wanted = (name,) if name else PARAMETER_ROLES.get(role, ())
        by_upper = {key.upper(): value for key, value in self.parameters.items()}
        for candidate in wanted:
            value = by_upper.get(candidate.upper())
            if value not in (None, ""):
                return value
        return None

    def branch(self, parameter: str | None = None) -> str | None:
        return self.parameter("branch", parameter) or self.scm_branch


@dataclass(frozen=True)
class QueueOutcome:
    """Where a queue item stands: waiting (and `why`), left into build `number`, or
    cancelled."""

    queue_id: int
    number: int | None = None
    url: str | None = None
    cancelled: bool = False
    why: str | None = None

    @property
    def waiting(self) -> bool:
        return self.number is None and not self.cancelled


@dataclass(frozen=True)
class BuildProgress:
    build: BuildInfo
    stages: tuple[StageInfo, ...] = ()
    #: The newest line of the console, when it is being read.
    last_line: str | None = None

    @property
    def elapsed_s(self) -> float:
        return self.build.elapsed_ms() / 1000

    @property
    def estimated_s(self) -> float | None:
        estimated = self.build.estimated_ms
        return estimated / 1000 if estimated else None

    @property
    def fraction(self) -> float | None:
        """Elapsed against the estimate, kept below 1 while the build runs."""
        if not self.estimated_s:
            return None
        return min(0.99, self.elapsed_s / self.estimated_s)

    @property
    def current_stage(self) -> StageInfo | None:
        running = [s for s in self.stages if s.status in ("IN_PROGRESS", "PAUSED_PENDING_INPUT")]
        return running[-1] if running else None


class ConsoleTail:
    """The last lines of a build's console, read piece by piece with the progressive log API
    (`logText/progressiveText?start=N`), so a long log is never held whole."""

    def __init__(self, lines: int = TAIL_LINES) -> None:
        self.offset = 0
        self.more = True
        self._lines: deque[str] = deque(maxlen=lines)
        self._partial = b""

    def feed(self, chunk: bytes) -> None:
        data = self._partial + chunk
        *complete, self._partial = data.split(b"\n")
        for line in complete:
            self._lines.append(line.decode("utf-8", "replace").rstrip("\r"))
        self._partial = self._partial[-65536:]  # a line that never ends is not kept whole

    def snapshot(self) -> tuple[list[str], bytes]:
        return list(self._lines), self._partial

    def restore(self, saved: tuple[list[str], bytes]) -> None:
        self._lines.clear()
        self._lines.extend(saved[0])
        self._partial = saved[1]

    @property
    def lines(self) -> list[str]:
        found = list(self._lines)
        if self._partial:
            found.append(self._partial.decode("utf-8", "replace"))
        return found[-(self._lines.maxlen or TAIL_LINES) :]

    @property
    def last_line(self) -> str | None:
        for line in reversed(self.lines):
            if line.strip() and not line.startswith("[Pipeline]"):
                return line.strip()
        return None


# -- branch names --------------------------------------------------------------------------
_SHELL_SPECIAL = set("$`'\"\\;&|<>(){}!#")
_GIT_SPECIAL = set("~^:?*[")


def branch_problem(name: str) -> str | None:
    """Why `name` may not be passed to Jenkins as a branch (a key of `bot.i18n`), or None.

    The rules of `git check-ref-format --branch`, and no character a shell would act on:
    a Jenkinsfile that runs `sh "git checkout ${params.BRANCH}"` must not run anything else.
    """
    if not name:
        return "jenkins_branch_empty"
    if len(name) > 200:
        return "jenkins_branch_long"
    if any(ord(c) < 0x20 or ord(c) == 0x7F or c.isspace() for c in name):
        return "jenkins_branch_space"
    if any(c in _SHELL_SPECIAL for c in name):
        return "jenkins_branch_shell"
    if any(c in _GIT_SPECIAL for c in name):
        return "jenkins_branch_special"
    if name.startswith("-"):
        return "jenkins_branch_dash"
    if name == "HEAD" or name == "@":
        return "jenkins_branch_reserved"
    if name.startswith("/") or name.endswith("/") or "//" in name:
        return "jenkins_branch_slashes"
    if ".." in name or "@{" in name:
        return "jenkins_branch_sequence"
    if name.endswith("."):
        return "jenkins_branch_trailing_dot"
    for part in name.split("/"):
        if part.startswith("."):
            return "jenkins_branch_dot_component"
        if part.endswith(".lock"):
            return "jenkins_branch_lock"
    return None


def check_branch(name: str) -> None:
    problem = branch_problem(name)
    if problem is not None:
        raise UserError(problem, branch=name)


# -- parameters ----------------------------------------------------------------------------
def build_parameters(
    job: JobInfo,
    values: Mapping[str, str | None],
    *,
    names: Mapping[str, str] | None = None,
) -> dict[str, str]:
    """Every parameter of `job` for one build: the roles given in `values` ("branch",
    "version", "environment", "requested_by") set on the job's parameters that play them
    (`names` from kuber.yaml first), each other parameter at its default.

    A value for a role the job has no parameter for is refused, except `requested_by`, which
    is only passed where a job asks for it; so is a value outside a choice parameter's list.
    """
    names = names or {}
    chosen: dict[str, str] = {}
    for role, value in values.items():
        if value is None:
            continue
        definition = job.definition(role, names.get(role))
        if definition is None:
            if role == "requested_by":
                continue
            raise UserError(
                "jenkins_no_parameter",
                job=job.name,
                role=role,
                parameters=", ".join(d.name for d in job.parameters) or "-",
            )
        if definition.kind == "choice" and definition.choices and value not in definition.choices:
            raise UserError(
                "jenkins_bad_choice",
                choices=definition.choices[:5],
                job=job.name,
                parameter=definition.name,
                value=value,
                allowed=", ".join(definition.choices),
            )
        if role == "branch":
            check_branch(value)
        chosen[definition.name] = value
    parameters: dict[str, str] = {}
    for definition in job.parameters:
        if definition.name in chosen:
            parameters[definition.name] = chosen[definition.name]
        elif definition.default is not None and definition.kind != "other":
            parameters[definition.name] = definition.default
    return parameters


# -- the client ----------------------------------------------------------------------------
class JenkinsBuilds:
    """One Jenkins server, as Kuber uses it. Safe to share between threads."""

    def __init__(
        self,
        url: str,
        user: str | None = None,
        token: str | None = None,
        *,
        timeout: float = DEFAULT_TIMEOUT,
    ) -> None:
        self.url = url.rstrip("/") + "/"
        self.user = user
        self._client = jenkins.Jenkins(self.url, username=user, password=token, timeout=timeout)
        self._crumb_lock = threading.Lock()

    # -- jobs ------------------------------------------------------------------------------
    def job(self, name: str) -> JobInfo:
        """The job `name` ("a/b" inside folder a); `UserError` with the closest names if
        Jenkins has no such job."""
        _check_job_name(name)
        try:
            data = self._call("job", self._client.get_job_info, name)
        except _NotFound:
            suggestions = self.suggest_jobs(name)
            key = "jenkins_job_unknown_suggest" if suggestions else "jenkins_job_unknown"
            raise UserError(
                key, job=name, url=self.url, suggestions=", ".join(suggestions)
            ) from None
        if not isinstance(data, dict) or ("jobs" in data and "nextBuildNumber" not in data):
            raise UserError("jenkins_job_is_folder", job=name)
        return JobInfo(
            name=str(data.get("fullName") or name),
            url=str(data.get("url") or self._job_url(name)),
            pipeline="WorkflowJob" in str(data.get("_class", "")),
            buildable=bool(data.get("buildable", True)),
            parameters=_definitions(data),
            next_number=int(data.get("nextBuildNumber") or 1),
            last_build=_number_of(data.get("lastBuild")),
        )

    def suggest_jobs(self, name: str, limit: int = 3) -> list[str]:
        """The names of the jobs closest to `name` (best effort: none if Jenkins won't say)."""
        try:
            jobs = self._call("jobs", self._client.get_all_jobs)
        except (KuberError, _NotFound):
            return []
        names = [str(j.get("fullname")) for j in jobs if isinstance(j, dict) and "color" in j]
        by_short = {n.rsplit("/", 1)[-1]: n for n in names}
        # Job names share suffixes ("-build"): only names much alike are worth offering.
        close = difflib.get_close_matches(name, names, n=limit, cutoff=0.75)
        short = name.rsplit("/", 1)[-1]
        for found in difflib.get_close_matches(short, list(by_short), n=limit, cutoff=0.75):
            if by_short[found] not in close:
                close.append(by_short[found])
        return close[:limit]

    # -- starting --------------------------------------------------------------------------
    def start(self, job: str, parameters: Mapping[str, str]) -> int:
        """Queue a build; return the queue item's id."""
        _check_job_name(job)
        try:
            queue_id = self._call(
                "build", self._client.build_job, job, dict(parameters) or None, post=True
            )
        except _NotFound:
            raise UserError("jenkins_job_unknown", job=job, url=self.url, suggestions="") from None
        return int(queue_id)

    def queue_item(self, job: str, queue_id: int) -> QueueOutcome:
        """Where a queue item stands. An item Jenkins has forgotten (it keeps them about five
        minutes after they leave) is found by its build's `queueId`, or reported expired."""
        try:
            item = self._call("queue", self._client.get_queue_item, queue_id)
        except _NotFound:
            number = self._build_of_queue_item(job, queue_id)
            if number is None:
                raise PermanentError("jenkins_queue_expired", queue_id=queue_id, job=job) from None
            return QueueOutcome(queue_id, number=number, url=f"{self._job_url(job)}{number}/")
        if item.get("cancelled"):
            return QueueOutcome(queue_id, cancelled=True)
        executable = item.get("executable")
        if isinstance(executable, dict) and executable.get("number") is not None:
            return QueueOutcome(
                queue_id, number=int(executable["number"]), url=str(executable.get("url") or "")
            )
        why = item.get("why")
        return QueueOutcome(queue_id, why=str(why) if why else None)

    def wait_for_start(
        self,
        job: str,
        queue_id: int,
        *,
        on_wait: Callable[[QueueOutcome], None] | None = None,
        interrupt: threading.Event | None = None,
        timeout: float = QUEUE_TIMEOUT,
        poll: float = 0.5,
    ) -> QueueOutcome:
        """Wait until the queue item becomes a build or is cancelled."""
        deadline = time.monotonic() + timeout
        while True:
            outcome = self._tolerant(lambda: self.queue_item(job, queue_id))
            if not outcome.waiting:
                return outcome
            if on_wait is not None:
                on_wait(outcome)
            if time.monotonic() > deadline:
                raise TemporaryError("jenkins_queue_timeout", job=job, minutes=int(timeout // 60))
            _pause(poll, interrupt)

    def _build_of_queue_item(self, job: str, queue_id: int) -> int | None:
        data = self._get_json(self._job_path(job) + "api/json", tree="builds[number,queueId]{0,50}")
        for build in data.get("builds") or []:
            if isinstance(build, dict) and build.get("queueId") == queue_id:
                return int(build["number"])
        return None

    # -- builds ----------------------------------------------------------------------------
    def build(self, job: str, number: int) -> BuildInfo:
        try:
            data = self._call("build", self._client.get_build_info, job, number)
        except _NotFound:
            raise PermanentError("jenkins_build_missing", job=job, number=number) from None
        return _build_info(job, data)

    def stages(self, job: str, number: int) -> tuple[StageInfo, ...] | None:
        """The Pipeline stages reached so far; None for a job that has none (freestyle)."""
        try:
            data = self._call("stages", self._client.get_build_stages, job, number)
        except _NotFound:
            return None
        if not isinstance(data, dict):
            return None
        return tuple(
            StageInfo(
                str(s.get("name", "?")),
                str(s.get("status", "")),
                int(s.get("durationMillis") or 0),
            )
            for s in data.get("stages") or []
            if isinstance(s, dict)
        )

    def read_console(self, job: str, number: int, tail: ConsoleTail) -> None:
        """Read what the console printed since `tail.offset` into `tail`."""
        url = f"{self.url}{self._job_path(job)}{number}/logText/progressiveText"
        request = requests.Request("GET", url, params={"start": tail.offset})

        def fetch() -> None:
            saved = tail.snapshot()
            try:
                with self._client.jenkins_open_stream(request) as response:
                    for chunk in response.iter_content(chunk_size=65536):
                        tail.feed(chunk)
                    size = response.headers.get("X-Text-Size")
                    tail.offset = int(size) if size and size.isdigit() else tail.offset
                    tail.more = response.headers.get("X-More-Data", "").lower() == "true"
            except BaseException:
                tail.restore(saved)  # a read cut short is read again from the same offset
                raise

        try:
            self._call("console", fetch)
        except _NotFound:
            raise PermanentError("jenkins_build_missing", job=job, number=number) from None

    def console_tail(self, job: str, number: int, lines: int = TAIL_LINES) -> list[str]:
        tail = ConsoleTail(lines)
        self.read_console(job, number, tail)
        return tail.lines

    def follow(
        self,
        job: str,
        number: int,
        *,
        on_progress: Callable[[BuildProgress], None] | None = None,
        interrupt: threading.Event | None = None,
        timeout: float = FOLLOW_TIMEOUT,
        tail: ConsoleTail | None = None,
    ) -> BuildInfo:
        """Poll the build until it ends (or `timeout` passes: then it is returned still
        building), reporting progress: elapsed time, stages, the console's newest line."""
        started = time.monotonic()
        pipeline = True
        while True:
            info = self._tolerant(lambda: self.build(job, number))
            stages: tuple[StageInfo, ...] | None = ()
            if pipeline:
                stages = self._tolerant(lambda: self.stages(job, number))
                pipeline = stages is not None
            if tail is not None:
                self._tolerant(lambda: self.read_console(job, number, tail))
            if not info.building or time.monotonic() - started > timeout:
                return info
            if on_progress is not None:
                progress = BuildProgress(
                    info, stages or (), tail.last_line if tail is not None else None
                )
                on_progress(progress)
            _pause(_poll_interval(info), interrupt)

    def abort(self, job: str, number: int) -> None:
        try:
            self._call("stop", self._client.stop_build, job, number, post=True)
        except _NotFound:
            raise PermanentError("jenkins_build_missing", job=job, number=number) from None

    def cancel_queued(self, queue_id: int) -> None:
        self._call("cancel", self._client.cancel_queue, queue_id, post=True)

    def last_builds(self, job: str, limit: int = 10) -> list[BuildInfo]:
        """The newest builds of `job`, newest first, with parameters, causes and branch."""
        _check_job_name(job)
        fields = (
            "number,url,building,result,duration,estimatedDuration,timestamp,queueId,"
            "description,actions[parameters[name,value],causes[shortDescription,userId,"
            "userName],lastBuiltRevision[branch[name]]]"
        )
        try:
            data = self._get_json(
                self._job_path(job) + "api/json", tree=f"builds[{fields}]{{0,{limit}}}"
            )
        except _NotFound:
            suggestions = self.suggest_jobs(job)
            key = "jenkins_job_unknown_suggest" if suggestions else "jenkins_job_unknown"
            raise UserError(
                key, job=job, url=self.url, suggestions=", ".join(suggestions)
            ) from None
        return [_build_info(job, b) for b in data.get("builds") or [] if isinstance(b, dict)]

    def image_tag(self, build: BuildInfo, source: str | None) -> str | None:
        """The image tag a build produced, read where kuber.yaml says (`parameter NAME`,
        `artifact PATH` or `description`); None when it is not there or not a tag."""
        if not source:
            return None
        kind, _, argument = source.strip().partition(" ")
        argument = argument.strip()
        found: str | None = None
        if kind == "parameter":
            found = build.parameters.get(argument)
        elif kind == "description":
            found = _tag_in(build.description or "")
        elif kind == "artifact":
            try:
                raw = self._call(
                    "artifact",
                    self._client.get_build_artifact_as_bytes,
                    build.job,
                    build.number,
                    argument,
                )
            except (_NotFound, KuberError):
                return None
            text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)
            found = next((line.strip() for line in text.splitlines() if line.strip()), None)
            if found is not None and not IMAGE_TAG.match(found):
                found = _tag_in(found)
        if found is None or not IMAGE_TAG.match(found):
            return None
        return found

    # -- plumbing --------------------------------------------------------------------------
    def _job_path(self, job: str) -> str:
        return "".join(f"job/{quote(part, safe='')}/" for part in job.split("/") if part)

    def _job_url(self, job: str) -> str:
        return self.url + self._job_path(job)

    def _get_json(self, path: str, **query: str) -> dict[str, Any]:
        url = self.url + path + ("?" + urlencode(query) if query else "")

        def fetch() -> Any:
            return json.loads(self._client.jenkins_open(requests.Request("GET", url)))

        data = self._call("read", fetch)
        return data if isinstance(data, dict) else {}

    def _call(self, what: str, function: Callable[..., _T], *args: Any, post: bool = False) -> _T:
        """Run one python-jenkins call, mapping its errors; a POST refused with 403 gets a
        fresh crumb and one more try (Jenkins forgets crumbs when it restarts)."""
        for attempt in (1, 2):
            try:
                return function(*args)
            except (jenkins.JenkinsException, requests.RequestException, ValueError) as exc:
                status = _status_of(exc)
                if status == 404:
                    raise _NotFound(what) from exc
                if post and status == 403 and attempt == 1:
                    with self._crumb_lock:
                        self._client.crumb = None
                    continue
                raise self._mapped(exc, what, status) from exc
        raise AssertionError("unreachable")  # pragma: no cover

    def _mapped(self, exc: Exception, what: str, status: int | None) -> KuberError:
        if isinstance(exc, requests.Timeout | jenkins.TimeoutException):
            return TemporaryError("jenkins_down", url=self.url, reason="timed out")
        if isinstance(exc, requests.ConnectionError):
            return TemporaryError("jenkins_down", url=self.url, reason="connection refused")
        if status == 401:
            return PermanentError("jenkins_unauthorized", url=self.url, user=self.user or "-")
        if status == 403:
            return PermanentError(
                "jenkins_forbidden", url=self.url, user=self.user or "-", what=what
            )
        if status is not None and status >= 500:
            return TemporaryError("jenkins_server_error", url=self.url, status=status, what=what)
        detail = str(exc).splitlines()[0][:200] if str(exc) else type(exc).__name__
        return PermanentError("jenkins_bad_answer", url=self.url, what=what, detail=detail)

    def _tolerant(self, read: Callable[[], _T]) -> _T:
        """Run a read, riding out a Jenkins that is briefly away (restarting) for up to
        `OUTAGE_TOLERANCE` seconds; errors of any other kind pass at once."""
        deadline = time.monotonic() + OUTAGE_TOLERANCE
        while True:
            try:
                return read()
            except TemporaryError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(1.0)


class _NotFound(Exception):
    """A 404 inside this module; each caller says what was not found."""


def _status_of(exc: BaseException) -> int | None:
    """The HTTP status behind a python-jenkins exception (it wraps `HTTPError`s in messages)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, jenkins.NotFoundException):
            return 404
        response = getattr(current, "response", None)
        status = getattr(response, "status_code", None)
        if isinstance(status, int):
            return status
        current = current.__cause__ or current.__context__
    return None


def _check_job_name(name: str) -> None:
    parts = name.split("/")
    if not name or any(not part or part in (".", "..") for part in parts):
        raise UserError("jenkins_job_name_invalid", job=name)


def _pause(seconds: float, interrupt: threading.Event | None) -> None:
    if interrupt is None:
        time.sleep(seconds)
    elif interrupt.wait(seconds):
        raise Interrupted()


def _poll_interval(info: BuildInfo) -> float:
    """A twentieth of the expected time, between a quarter second and two seconds."""
    estimated = (info.estimated_ms or 20_000) / 1000
    return min(2.0, max(0.25, estimated / 20))


def _number_of(value: Any) -> int | None:
    if isinstance(value, dict) and value.get("number") is not None:
        return int(value["number"])
    return None


def _definitions(data: Mapping[str, Any]) -> tuple[ParameterDefinition, ...]:
    """Parameter definitions, from `property` (current Jenkins) or `actions` (older)."""
    found: dict[str, ParameterDefinition] = {}
    for holder in [*(data.get("property") or []), *(data.get("actions") or [])]:
        if not isinstance(holder, dict):
            continue
        for raw in holder.get("parameterDefinitions") or []:
            if not isinstance(raw, dict) or not raw.get("name") or raw["name"] in found:
                continue
            found[str(raw["name"])] = _definition(raw)
    return tuple(found.values())


def _definition(raw: Mapping[str, Any]) -> ParameterDefinition:
    kind_name = str(raw.get("type") or raw.get("_class") or "")
    if "Choice" in kind_name:
        kind = "choice"
    elif "Boolean" in kind_name:
        kind = "boolean"
    elif "String" in kind_name or "Text" in kind_name:
        kind = "string"
    else:
        kind = "other"
    default_value = raw.get("defaultParameterValue")
    default = default_value.get("value") if isinstance(default_value, dict) else None
    if isinstance(default, bool):
        default = "true" if default else "false"
    choices = tuple(str(c) for c in raw.get("choices") or [])
    if default is None and choices:
        default = choices[0]
    return ParameterDefinition(
        name=str(raw["name"]),
        kind=kind,
        default=None if default is None else str(default),
        choices=choices,
        description=str(raw.get("description") or ""),
    )


def _build_info(job: str, data: Mapping[str, Any]) -> BuildInfo:
    parameters: dict[str, str] = {}
    starters: list[str] = []
    scm_branch = None
    aborted_by = None
    for action in data.get("actions") or []:
        if not isinstance(action, dict):
            continue
        kind = str(action.get("_class", ""))
        for parameter in action.get("parameters") or []:
            if isinstance(parameter, dict) and parameter.get("name"):
                value = parameter.get("value")
                if isinstance(value, bool):
                    value = "true" if value else "false"
                parameters[str(parameter["name"])] = "" if value is None else str(value)
        if "InterruptedBuildAction" in kind:
            for cause in action.get("causes") or []:
                text = str(cause.get("shortDescription") or "") if isinstance(cause, dict) else ""
                aborted_by = text.removeprefix("Aborted by ").strip() or aborted_by
            continue
        for cause in action.get("causes") or []:
            if isinstance(cause, dict):
                starters.append(_starter(cause))
        revision = action.get("lastBuiltRevision")
        if isinstance(revision, dict) and revision.get("branch"):
            name = str(revision["branch"][0].get("name") or "")
            scm_branch = _short_branch(name) or scm_branch
    estimated = data.get("estimatedDuration")
    info = BuildInfo(
        job=job,
        number=int(data.get("number") or 0),
        url=str(data.get("url") or ""),
        building=bool(data.get("building")),
        result=str(data["result"]) if data.get("result") else None,
        duration_ms=int(data.get("duration") or 0),
        estimated_ms=int(estimated) if isinstance(estimated, int) and estimated > 0 else None,
        started_at=datetime.fromtimestamp(int(data.get("timestamp") or 0) / 1000, UTC),
        parameters=parameters,
        scm_branch=scm_branch,
        description=str(data["description"]) if data.get("description") else None,
        artifacts=tuple(
            str(a.get("relativePath")) for a in data.get("artifacts") or [] if isinstance(a, dict)
        ),
        queue_id=int(data["queueId"]) if data.get("queueId") is not None else None,
        aborted_by=aborted_by,
    )
    asked_by = info.parameter("requested_by")
    return replace(info, started_by=asked_by or (starters[0] if starters else None))


def _starter(cause: Mapping[str, Any]) -> str:
    kind = str(cause.get("_class", ""))
    if "UserIdCause" in kind:
        return str(cause.get("userName") or cause.get("userId") or "?")
    if "TimerTrigger" in kind:
        return "timer"
    if "SCMTrigger" in kind or "BranchEventCause" in kind or "BranchIndexingCause" in kind:
        return "SCM change"
    if "UpstreamCause" in kind:
        upstream = cause.get("upstreamProject")
        number = cause.get("upstreamBuild")
        return f"upstream {upstream} #{number}" if upstream else "upstream"
    text = str(cause.get("shortDescription") or "?")
    return text.removeprefix("Started by ").strip() or "?"


def _short_branch(name: str) -> str:
    for prefix in ("refs/remotes/origin/", "refs/heads/", "origin/"):
        if name.startswith(prefix):
            return name[len(prefix) :]
    return name


def _tag_in(text: str) -> str | None:
    """An image tag named in free text: the tag of an image reference (`repo/app:1.2.3`),
    else the whole text when it is a tag itself."""
    match = _IMAGE_REFERENCE.search(text)
    if match:
        return match.group("tag")
    stripped = text.strip()
    return stripped if IMAGE_TAG.match(stripped) else None
