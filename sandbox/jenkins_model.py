"""What the sandbox Jenkins holds and how time moves it: folders and jobs with parameter
definitions, the build queue (quiet period, executors, cancellation, items kept a while after
they leave), and builds that run through their stages and end SUCCESS, FAILURE or ABORTED.

Every change happens under the server's lock, from request handlers or from `tick`, which the
server calls on a short timer; the JSON the API shows is made in `sandbox.jenkins_json`.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from sandbox.jenkins_console import (
    commit_of,
    ending,
    image_tag,
    preamble,
    stage_close,
    stage_lines,
    stage_open,
    stage_skipped,
)

#: Stage names and their share of a build's time, as a typical Jenkinsfile has them.
DEFAULT_STAGES: tuple[tuple[str, float], ...] = (
    ("Checkout", 0.1),
    ("Build", 0.4),
    ("Test", 0.35),
    ("Push image", 0.15),
)
#: Jenkins keeps a queue item this long after it left the queue, then forgets it (404).
QUEUE_ITEM_TTL = 300.0


@dataclass
class ParameterSpec:
    """A parameter definition: a string, a choice (when `choices`), or a boolean (bool default)."""

    name: str
    default: str | bool = ""
    choices: tuple[str, ...] = ()
    description: str = ""

    @property
    def kind(self) -> str:
        if isinstance(self.default, bool):
            return "Boolean"
        return "Choice" if self.choices else "String"

    def value_of(self, given: str | None) -> str | bool:
        """The value a build gets: the given text (checked against the choices) or the default."""
        if given is None:
            if self.choices and self.default == "":
                return self.choices[0]
            return self.default
        if isinstance(self.default, bool):
            return given.lower() in ("true", "on", "yes", "1")
        if self.choices and given not in self.choices:
            raise ValueError(f"Illegal choice for parameter {self.name}: {given}")
        return given


@dataclass
class JobSpec:
    """How a sandbox job behaves. `fail_when` fails a build whose parameter values contain it
    (a branch named `fix/fail-fast`); `fail` fails every build."""

    name: str
    app: str | None = None
    parameters: list[ParameterSpec] = field(default_factory=list)
    pipeline: bool = True
    #: Seconds a build runs; None takes the sandbox's default.
    duration: float | None = None
    stages: tuple[tuple[str, float], ...] = DEFAULT_STAGES
    fail: bool = False
    fail_when: str | None = "fail"
    fail_stage: str = "Test"
    #: Seconds a new queue item waits before it may start; None takes the sandbox's default.
    quiet_period: float | None = None
    concurrent: bool = True
    #: Successful builds archive `image-tag.txt` and name the image in their description.
    produces_image: bool = True
    description: str = ""
    #: Completed builds the job starts with, so it has a history and an estimate.
    history: int = 3


@dataclass
class Folder:
    name: str
    full_name: str
    children: dict[str, Folder | Job] = field(default_factory=dict)
    description: str = ""


@dataclass
class StageRun:
    name: str
    start: float
    length: float
    #: ABORTED or NOT_EXECUTED when the build was aborted; otherwise read from the clock.
    outcome: str | None = None


@dataclass
class Build:
    job: Job
    number: int
    queue_id: int
    parameters: list[tuple[str, str | bool]]
    causes: list[dict[str, Any]]
    queued_at: float
    started_at: float
    estimated_ms: int
    stages: list[StageRun]
    #: (seconds after the start, line): lines still to be printed, in order.
    script: list[tuple[float, str]]
    end_at: float
    planned_result: str
    branch: str
    #: The stage that fails the build, when it is planned to fail.
    fail_index: int | None = None
    log: list[str] = field(default_factory=list)
    result: str | None = None
    ended_at: float | None = None
    aborted_by: str | None = None
    description: str | None = None
    artifacts: dict[str, str] = field(default_factory=dict)

    @property
    def building(self) -> bool:
        return self.result is None

    @property
    def duration_ms(self) -> int:
        if self.ended_at is None:
            return 0
        return round((self.ended_at - self.started_at) * 1000)

    def parameter(self, name: str) -> str | bool | None:
        return next((value for key, value in self.parameters if key == name), None)

    @property
    def commit(self) -> str:
        return commit_of(self.job.full_name, self.branch, self.number)

    def text(self) -> str:
        return "".join(line + "\n" for line in self.log)


@dataclass
class Job:
    spec: JobSpec
    name: str
    full_name: str
    builds: list[Build] = field(default_factory=list)
    next_number: int = 1

    @property
    def app(self) -> str:
        return self.spec.app or self.name.removesuffix("-build").removesuffix("-deploy")

    @property
    def parameterized(self) -> bool:
        return bool(self.spec.parameters)

    def build(self, number: int) -> Build | None:
        return next((b for b in self.builds if b.number == number), None)

    def newest_first(self) -> list[Build]:
        return sorted(self.builds, key=lambda b: b.number, reverse=True)

    def permalink(self, name: str) -> Build | None:
        """`lastBuild`, `lastSuccessfulBuild`, … as Jenkins resolves them."""
        wanted: dict[str, Callable[[Build], bool]] = {
            "lastBuild": lambda b: True,
            "lastCompletedBuild": lambda b: not b.building,
            "lastSuccessfulBuild": lambda b: b.result in ("SUCCESS", "UNSTABLE"),
            "lastStableBuild": lambda b: b.result == "SUCCESS",
            "lastFailedBuild": lambda b: b.result == "FAILURE",
            "lastUnstableBuild": lambda b: b.result == "UNSTABLE",
            "lastUnsuccessfulBuild": lambda b: b.result not in (None, "SUCCESS"),
        }
        check = wanted.get(name)
        if check is None:
            return None
        return next((b for b in self.newest_first() if check(b)), None)

    def estimated_ms(self) -> int:
        """Jenkins' estimate: the mean of the last three successful builds, else of the last
        three completed ones, else -1 (unknown)."""
        done = [b for b in self.newest_first() if not b.building]
        good = [b for b in done if b.result == "SUCCESS"][:3] or done[:3]
        if not good:
            return -1
        return sum(b.duration_ms for b in good) // len(good)


@dataclass
class QueueItem:
    id: int
    job: Job
    parameters: list[tuple[str, str | bool]]
    causes: list[dict[str, Any]]
    queued_at: float
    quiet_until: float
    cancelled: bool = False
    left_at: float | None = None
    build: Build | None = None
    why: str | None = None
    blocked: bool = False
    buildable: bool = False

    @property
    def waiting(self) -> bool:
        return self.left_at is None


Notify = Callable[[Build, str], None]


class JenkinsWorld:
    """The jobs, queue and builds; `tick(now)` moves queue items and builds on."""

    def __init__(
        self,
        *,
        quiet_period: float = 5.0,
        build_duration: float = 4.0,
        executors: int = 2,
        queue_item_ttl: float = QUEUE_ITEM_TTL,
        on_phase: Notify | None = None,
    ) -> None:
        self.root = Folder("", "")
        self.quiet_period = quiet_period
        self.build_duration = build_duration
        self.executors = executors
        self.queue_item_ttl = queue_item_ttl
        self.queue: dict[int, QueueItem] = {}
        self.next_queue_id = 1
        self.on_phase = on_phase

    # -- jobs ------------------------------------------------------------------------------
    def add_folder(self, full_name: str, description: str = "") -> Folder:
        folder = self.root
        parts = [p for p in full_name.split("/") if p]
        for index, part in enumerate(parts):
            child = folder.children.get(part)
            if child is None:
                child = Folder(part, "/".join(parts[: index + 1]))
                folder.children[part] = child
            if not isinstance(child, Folder):
                raise ValueError(f"{child.full_name} is a job, not a folder")
            folder = child
        if description:
            folder.description = description
        return folder

    def add_job(self, spec: JobSpec, *, now: float | None = None) -> Job:
        parent_name, _, name = spec.name.rpartition("/")
        parent = self.add_folder(parent_name) if parent_name else self.root
        if name in parent.children:
            raise ValueError(f"{spec.name} exists already")
        job = Job(spec, name, spec.name)
        parent.children[name] = job
        self._seed_history(job, time.time() if now is None else now)
        return job

    def item(self, full_name: str) -> Folder | Job | None:
        node: Folder | Job = self.root
        for part in [p for p in full_name.split("/") if p]:
            if not isinstance(node, Folder) or part not in node.children:
                return None
            node = node.children[part]
        return node

    def job(self, full_name: str) -> Job | None:
        found = self.item(full_name)
        return found if isinstance(found, Job) else None

    def jobs(self) -> list[Job]:
        found: list[Job] = []

        def walk(folder: Folder) -> None:
            for child in folder.children.values():
                if isinstance(child, Job):
                    found.append(child)
                else:
                    walk(child)

        walk(self.root)
        return found

    # -- the queue -------------------------------------------------------------------------
    def schedule(
        self,
        job: Job,
        given: dict[str, str],
        causes: list[dict[str, Any]],
        *,
        now: float,
        delay: float | None = None,
    ) -> QueueItem:
        """Queue a build; parameters the job does not define are dropped, as Jenkins does."""
        parameters = [(p.name, p.value_of(given.get(p.name))) for p in job.spec.parameters]
        quiet = delay if delay is not None else job.spec.quiet_period
        if quiet is None:
            quiet = self.quiet_period
        item = QueueItem(self.next_queue_id, job, parameters, causes, now, now + quiet)
        item.why = _quiet_why(item, now)
        self.next_queue_id += 1
        self.queue[item.id] = item
        return item

    def cancel(self, queue_id: int, *, now: float) -> bool:
        item = self.queue.get(queue_id)
        if item is None or not item.waiting:
            return False
        item.cancelled = True
        item.left_at = now
        item.why = None
        return True

    def waiting_item(self, job: Job) -> QueueItem | None:
        return next((i for i in self.queue.values() if i.job is job and i.waiting), None)

    def running(self) -> list[Build]:
        return [b for job in self.jobs() for b in job.builds if b.building]

    # -- time ------------------------------------------------------------------------------
    def tick(self, now: float) -> None:
        for build in self.running():
            self._advance(build, now)
        free = self.executors - len(self.running())
        for item in sorted(self.queue.values(), key=lambda i: i.id):
            if not item.waiting:
                continue
            if now < item.quiet_until:
                item.why = _quiet_why(item, now)
                continue
            busy = next((b for b in item.job.builds if b.building), None)
            if busy is not None and not item.job.spec.concurrent:
                item.blocked, item.buildable = True, False
                item.why = f"Build #{busy.number} is already in progress"
                continue
            if free <= 0:
                item.blocked, item.buildable = False, True
                item.why = "Waiting for next available executor"
                continue
            self._start(item, now)
            free -= 1
        for key in [
            k
            for k, i in self.queue.items()
            if i.left_at is not None and now - i.left_at > self.queue_item_ttl
        ]:
            del self.queue[key]

    def _start(self, item: QueueItem, now: float) -> Build:
        job = item.job
        build = self._new_build(job, item.id, item.parameters, item.causes, item.queued_at, now)
        item.build = build
        item.left_at = now
        item.why = None
        item.blocked = item.buildable = False
        job.builds.append(build)
        if self.on_phase is not None:
            self.on_phase(build, "STARTED")
        self._advance(build, now)
        return build

    def _new_build(
        self,
        job: Job,
        queue_id: int,
        parameters: list[tuple[str, str | bool]],
        causes: list[dict[str, Any]],
        queued_at: float,
        started_at: float,
        *,
        duration: float | None = None,
        fails: bool | None = None,
    ) -> Build:
        spec = job.spec
        number = job.next_number
        job.next_number += 1
        # Who asked is no reason to fail: a person may well be called Faillon.
        values = [str(v) for k, v in parameters if k.upper() not in ("REQUESTED_BY", "KUBER_USER")]
        if fails is None:
            fails = spec.fail or bool(spec.fail_when and any(spec.fail_when in v for v in values))
        branch = next(
            (str(v) for k, v in parameters if k.upper() in ("BRANCH", "GIT_BRANCH", "BRANCH_NAME")),
            "main",
        )
        total = duration if duration is not None else spec.duration
        if total is None:
            total = self.build_duration
        stages = []
        offset = 0.0
        weights = sum(w for _, w in spec.stages) or 1.0
        for name, weight in spec.stages:
            length = total * weight / weights
            stages.append(StageRun(name, offset, length))
            offset += length
        fail_index = None
        if fails:
            names = [s.name for s in stages]
            fail_index = names.index(spec.fail_stage) if spec.fail_stage in names else 0
        build = Build(
            job=job,
            number=number,
            queue_id=queue_id,
            parameters=list(parameters),
            causes=list(causes),
            queued_at=queued_at,
            started_at=started_at,
            estimated_ms=job.estimated_ms(),
            stages=stages,
            script=[],
            end_at=total,
            planned_result="FAILURE" if fails else "SUCCESS",
            branch=branch,
            fail_index=fail_index,
        )
        build.script, build.end_at = _script(build, fail_index)
        return build

    def _advance(self, build: Build, now: float) -> None:
        if not build.building:
            return
        elapsed = now - build.started_at
        while build.script and build.script[0][0] <= elapsed:
            build.log.append(build.script.pop(0)[1])
        if elapsed >= build.end_at:
            self._finish(build, build.planned_result, build.started_at + build.end_at)

    def abort(self, build: Build, user: str, *, now: float) -> None:
        if not build.building:
            return
        elapsed = now - build.started_at
        while build.script and build.script[0][0] <= elapsed:
            build.log.append(build.script.pop(0)[1])
        build.script.clear()
        pipeline = build.job.spec.pipeline
        for stage in build.stages:
            if elapsed >= stage.start + stage.length:
                continue  # done before the abort
            if stage.start <= elapsed:
                stage.outcome = "ABORTED"
                build.log.extend(stage_close(pipeline=pipeline))
            else:
                stage.outcome = "NOT_EXECUTED"
        build.aborted_by = user
        self._finish(build, "ABORTED", now)

    def _finish(self, build: Build, result: str, at: float) -> None:
        build.log.extend(
            ending(result, pipeline=build.job.spec.pipeline, aborted_by=build.aborted_by)
        )
        build.result = result
        build.ended_at = at
        if result == "SUCCESS" and build.job.spec.produces_image:
            tag = image_tag(build.branch, build.number)
            build.artifacts["image-tag.txt"] = tag + "\n"
            build.description = f"image registry.example.com/{build.job.app}:{tag}"
        if self.on_phase is not None:
            self.on_phase(build, "COMPLETED")
            self.on_phase(build, "FINALIZED")

    # -- history ---------------------------------------------------------------------------
    def _seed_history(self, job: Job, now: float) -> None:
        """Completed builds of the last days, by people and by the timer, one of them red."""
        spec = job.spec
        length = spec.duration if spec.duration is not None else self.build_duration
        # Oldest first: alice built main, bob's fix failed its tests, the nightly timer built.
        people = [_user_cause("alice"), _user_cause("bob"), _timer_cause()]
        for index in range(spec.history):
            age = (spec.history - index) * 86_400.0 / 2
            given = {p.name: str(p.default) for p in spec.parameters}
            red = index == 1 and spec.history > 2
            for parameter in spec.parameters:
                if parameter.name.upper() in ("BRANCH", "GIT_BRANCH", "BRANCH_NAME") and red:
                    given[parameter.name] = "fix/fail-fast"
            parameters = [(p.name, p.value_of(given.get(p.name))) for p in spec.parameters]
            queue_id = self.next_queue_id
            self.next_queue_id += 1
            started = now - age
            build = self._new_build(
                job,
                queue_id,
                parameters,
                [people[index % len(people)]],
                started - 5.0,
                started,
                duration=length * (0.9 + 0.1 * (index % 3)),
                fails=red or spec.fail,
            )
            for at, line in build.script:
                if at <= build.end_at:
                    build.log.append(line)
            build.script.clear()
            job.builds.append(build)
            self._finish_quietly(build)

    def _finish_quietly(self, build: Build) -> None:
        hook, self.on_phase = self.on_phase, None
        try:
            self._finish(build, build.planned_result, build.started_at + build.end_at)
        finally:
            self.on_phase = hook


def stage_state(build: Build, index: int, now: float) -> str | None:
    """A stage's status as `wfapi` shows it, or None for a stage not reached yet."""
    stage = build.stages[index]
    if stage.outcome is not None:
        return stage.outcome
    ended = build.ended_at is not None
    elapsed = (build.ended_at if build.ended_at is not None else now) - build.started_at
    if build.fail_index is not None and index > build.fail_index:
        return "NOT_EXECUTED" if ended else None
    if elapsed < stage.start:
        return None
    if not ended and elapsed < stage.start + stage.length:
        return "IN_PROGRESS"
    return "FAILED" if index == build.fail_index else "SUCCESS"


def _script(build: Build, fail_index: int | None) -> tuple[list[tuple[float, str]], float]:
    """Every line of the build, each with the moment it is printed; and when the build ends."""
    job = build.job
    pipeline = job.spec.pipeline
    cause = str(build.causes[0].get("shortDescription", "Started")) if build.causes else "Started"
    script: list[tuple[float, str]] = [
        (0.0, line) for line in preamble(job.full_name, job.app, cause, pipeline=pipeline)
    ]
    end = build.stages[-1].start + build.stages[-1].length if build.stages else 0.0
    for index, stage in enumerate(build.stages):
        failing = fail_index == index
        if fail_index is not None and index > fail_index:
            script += [(end, line) for line in stage_skipped(stage.name)] if pipeline else []
            continue
        script += [(stage.start, line) for line in stage_open(stage.name, pipeline=pipeline)]
        body = stage_lines(
            stage.name,
            app=job.app,
            job=job.full_name,
            branch=build.branch,
            number=build.number,
            fail=failing,
        )
        for position, line in enumerate(body):
            script.append((stage.start + stage.length * (position + 1) / (len(body) + 1), line))
        stage_end = stage.start + stage.length
        script += [(stage_end, line) for line in stage_close(pipeline=pipeline)]
        if failing:
            end = stage_end
    # Nothing is printed after the end; `_finish` adds the closing lines.
    script = [(min(at, end), line) for at, line in script]
    return script, end


def _quiet_why(item: QueueItem, now: float) -> str:
    left = max(0.0, item.quiet_until - now)
    return f"In the quiet period. Expires in {left:.1f} sec"


def _user_cause(user: str) -> dict[str, Any]:
    return {
        "_class": "hudson.model.Cause$UserIdCause",
        "shortDescription": f"Started by user {user}",
        "userId": user,
        "userName": user,
    }


def _timer_cause() -> dict[str, Any]:
    return {
        "_class": "hudson.triggers.TimerTrigger$TimerTriggerCause",
        "shortDescription": "Started by timer",
    }


def user_cause(user_id: str, full_name: str) -> dict[str, Any]:
    return {
        "_class": "hudson.model.Cause$UserIdCause",
        "shortDescription": f"Started by user {full_name}",
        "userId": user_id,
        "userName": full_name,
    }
