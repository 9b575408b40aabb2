"""`build APP [from branch B]` and `builds APP`: an app's Jenkins job started, followed in one
message and reported, and the app's last builds at a glance ("is the payment build green?").

Starting a build is a plan like any change made in the team's name: it changes no cluster,
but it runs the team's pipeline (which may push an image or deploy). The plan shows the job,
its parameters and the last build; an operator approves it (the asker may, unless the target
is protected). After the approval the same message shows the queue, then a progress bar
(elapsed against Jenkins' estimate) with the stages, then the result with its duration, link
and image tag. A failed build gets the last console lines in the thread, with Retry. While it
runs, Abort is one more plan on that message: its button goes through the same approval rules.
If the replica following a build stops, the next leader goes on following it.
"""

from __future__ import annotations

import difflib
import json
import time
import unicodedata
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import update
from sqlmodel import col

from bot.alerts.markup import Markup
from bot.approvals import bind_message, create_pending, mark_following
from bot.context import CommandContext
from bot.errors import KuberError, NotAllowed, UserError
from bot.intents import IntentName
from bot.messages import Button, Field, Reply
from bot.plans import Change, Plan
from bot.policy import may_act_on
from bot.registry import applies, command, resumes
from bot.settings import App
from bot.store.tables import PendingAction
from integrations.jenkins import (
    TAIL_LINES,
    BuildInfo,
    BuildProgress,
    ConsoleTail,
    JenkinsBuilds,
    JobInfo,
    QueueOutcome,
    StageInfo,
    build_parameters,
    check_branch,
)

#: Cells of the progress bar.
BAR_CELLS = 12
#: How many builds `builds APP` lists.
LIST_LIMIT = 8
#: How long the Abort applier waits for Jenkins to stop the build before answering.
ABORT_WAIT = 30.0
#: The statuses a stage shows with, in the progress message.
_STAGE_MARKS = {
    "SUCCESS": "✅",
    "FAILED": "❌",
    "IN_PROGRESS": "▶️",
    "PAUSED_PENDING_INPUT": "⏸",
    "ABORTED": "⏹",
    "UNSTABLE": "⚠️",
    "NOT_EXECUTED": "○",
}
_RESULT_MARKS = {"SUCCESS": "✅", "FAILURE": "❌", "UNSTABLE": "⚠️", "ABORTED": "⏹"}


@dataclass(frozen=True)
class JobTarget:
    """An app and the Jenkins job that builds it, as kuber.yaml says."""

    app: str
    job: str
    config: App

    @property
    def parameter_names(self) -> dict[str, str]:
        return {str(role): name for role, name in self.config.jenkins_parameters.items()}

    @property
    def branch_parameter(self) -> str | None:
        return self.config.jenkins_parameters.get("branch")


@dataclass(frozen=True)
class BuildRun:
    """One build being followed: enough to take it up again after a restart."""

    app: str
    job: str
    queue_id: int
    number: int | None = None
    branch: str | None = None
    params: dict[str, Any] = field(default_factory=dict)

    def to_params(self) -> dict[str, Any]:
        return {
            "app": self.app,
            "job": self.job,
            "queue_id": self.queue_id,
            "number": self.number,
            "branch": self.branch,
        }


def job_target(ctx: CommandContext, app: str) -> JobTarget:
    """The job that builds `app`; "no app X; did you mean Y?" when kuber.yaml has none.

    Whether the person may act on the app is decided here, before Jenkins is asked anything.
    """
    config = ctx.settings.config
    configured = config.app(app)
    if configured is None:
        with_jobs = [a.name for a in config.apps if a.jenkins_job]
        close = ctx.apps.suggest(app, limit=5) if ctx.apps else []
        suggestions = [s for s in close if s in with_jobs and s != app][:3]
        suggestions = suggestions or difflib.get_close_matches(app, with_jobs, n=3)
        key = "build_app_unknown_suggest" if suggestions else "build_app_unknown"
        raise UserError(
            key, choices=suggestions, slot="app", app=app, suggestions=", ".join(suggestions)
        )
    decision = may_act_on(config, ctx.person, ctx.needs, app=app, cluster=None, namespace=None)
    if not decision.allowed:
        raise NotAllowed(decision.reason or "policy_refused", **decision.params)
    if not configured.jenkins_job:
        raise UserError("build_no_job", app=app)
    return JobTarget(app, configured.jenkins_job, configured)


# -- build -----------------------------------------------------------------------------------
@command(
    IntentName.BUILD,
    group="builds",
    summary_en="Build an app with its Jenkins job (from a branch, if you say which)",
    summary_ko="앱의 Jenkins 잡으로 빌드 (브랜치 지정 가능)",
    examples_en=("build payment", "build order-service from branch feature/coupons"),
    examples_ko=("payment 빌드해줘", "order-service feature/coupons 브랜치 빌드해줘"),
)
def build(ctx: CommandContext, *, app: str, branch: str | None = None) -> Plan:
    target = job_target(ctx, app)
    if branch is not None:
        check_branch(branch)  # refused before Jenkins hears of it
    jenkins = ctx.services.jenkins
    job = jenkins.job(target.job)
    if not job.buildable:
        raise UserError("build_job_disabled", app=app, job=job.name)
    parameters = build_parameters(
        job,
        {"branch": branch, "requested_by": _requester(ctx)},
        names=target.parameter_names,
    )
    branch_definition = job.definition("branch", target.branch_parameter)
    shown_branch = branch or (parameters.get(branch_definition.name) if branch_definition else None)
    key = "build_plan_branch" if shown_branch else "build_plan"
    title = ctx.t(key, app=app, number=job.next_number, job=job.name, branch=shown_branch)
    return Plan(
        action="build",
        params={"app": app, "job": job.name, "parameters": parameters, "branch": shown_branch},
        title=title,
        target=f"jenkins/{job.name}",
        changes=_parameter_changes(job, parameters),
        notes=_last_build_notes(ctx, jenkins, job),
    )


@applies("build")
def apply_build(
    ctx: CommandContext,
    *,
    app: str,
    job: str,
    parameters: dict[str, str],
    branch: str | None = None,
) -> Reply:
    queue_id = ctx.services.jenkins.start(job, parameters)
    return follow_build(ctx, BuildRun(app, job, queue_id, branch=branch))


@resumes("build")
def resume_build(
    ctx: CommandContext,
    *,
    app: str,
    job: str,
    queue_id: int,
    number: int | None = None,
    branch: str | None = None,
) -> Reply:
    """Go on following a build that a stopped replica was following."""
    return follow_build(ctx, BuildRun(app, job, queue_id, number, branch))


def follow_build(ctx: CommandContext, run: BuildRun) -> Reply:
    """From the queue to the end of the build, editing the message as it goes; the final
    reply says how it ended. Recorded as followed, so another replica can take it up."""
    jenkins = ctx.services.jenkins
    mark_following(ctx, "build", run.to_params())
    if run.number is None:
        shown: list[str] = []

        def waiting(outcome: QueueOutcome) -> None:
            reply = Reply(
                ctx.t("build_queued", app=run.app, job=run.job, why=outcome.why or "…"),
                language=ctx.language,
            )
            _show(ctx, reply, shown, "".join(c for c in reply.text if not c.isdigit()))

        left = jenkins.wait_for_start(
            run.job, run.queue_id, on_wait=waiting, interrupt=ctx.interrupt
        )
        if left.cancelled or left.number is None:
            return Reply(
                ctx.t("build_cancelled_in_queue", app=run.app, job=run.job, queue_id=run.queue_id),
                buttons=(_retry_button(ctx, run),),
                language=ctx.language,
                is_error=True,
            )
        run = replace(run, number=left.number)
        mark_following(ctx, "build", run.to_params())
    number = run.number
    assert number is not None
    abort = _offer_abort(ctx, run)
    tail = ConsoleTail()
    shown_progress: list[str] = []

    def progress(step: BuildProgress) -> None:
        reply, key = _progress_reply(ctx, run, step, abort)
        _show(ctx, reply, shown_progress, key)

    try:
        info = jenkins.follow(
            run.job, number, on_progress=progress, interrupt=ctx.interrupt, tail=tail
        )
    finally:
        aborted_by = _close_abort(ctx, abort)
    return build_result(ctx, run, info, tail=tail, aborted_by=aborted_by)


def build_result(
    ctx: CommandContext,
    run: BuildRun,
    info: BuildInfo,
    *,
    tail: ConsoleTail | None = None,
    aborted_by: str | None = None,
    post_tail: bool = True,
) -> Reply:
    """How the build ended, as the one message shows it; a failure also puts the console's
    last lines in the thread, with Retry."""
    jenkins = ctx.services.jenkins
    target = ctx.settings.config.app(run.app)
    branch = info.branch(target.jenkins_parameters.get("branch") if target else None)
    duration = _duration(ctx, info.elapsed_ms() / 1000)
    fields = []
    if branch:
        fields.append(Field(ctx.t("build_field_branch"), branch))
    stages = _stages_of(jenkins, info)
    if stages:
        fields.append(Field(ctx.t("build_field_stages"), _stage_line(stages, finished=True)))
    context = Markup(ctx.platform).link(info.url, f"{info.job} #{info.number}")
    base = {"app": run.app, "number": info.number, "duration": duration}
    if info.building:
        return Reply(
            ctx.t("build_still_running", **base),
            fields=tuple(fields),
            context=context,
            language=ctx.language,
        )
    if info.result == "SUCCESS":
        source = target.image_tag_from if target else None
        tag = jenkins.image_tag(info, source) if source else None
        if source:
            shown = tag or ctx.t("build_no_tag", source=source)
            fields.append(Field(ctx.t("build_field_image_tag"), shown))
        if info.started_by:
            fields.append(Field(ctx.t("build_field_started_by"), info.started_by))
        return Reply(
            ctx.t("build_succeeded", **base),
            fields=tuple(fields),
            context=context,
            language=ctx.language,
            # What a following step (deploying what was built) needs to know.
            extra={"build": {"job": info.job, "number": info.number, "image_tag": tag}},
        )
    if info.result == "ABORTED":
        who = aborted_by or info.aborted_by or "?"
        return Reply(
            ctx.t("build_aborted", who=who, **base),
            fields=tuple(fields),
            context=context,
            language=ctx.language,
            is_error=True,
        )
    failed = next((s.name for s in stages if s.status == "FAILED"), None) if stages else None
    if info.result == "UNSTABLE":
        text = ctx.t("build_unstable", **base)
    elif info.result == "FAILURE" and failed:
        text = ctx.t("build_failed_in_stage", stage=failed, **base)
    elif info.result == "FAILURE":
        text = ctx.t("build_failed", **base)
    else:
        text = ctx.t("build_not_built", result=info.result or "?", **base)
    if post_tail:
        _post_console_tail(ctx, run, info, tail)
    return Reply(
        text,
        fields=tuple(fields),
        context=context,
        language=ctx.language,
        is_error=True,
    )


# -- abort -------------------------------------------------------------------------------------
@applies("abort_build")
def apply_abort(
    ctx: CommandContext,
    *,
    app: str,
    job: str,
    number: int,
    queue_id: int = 0,
    branch: str | None = None,
) -> Reply:
    """Stop the build and wait (briefly) until Jenkins says it stopped: the reply is the
    build's final message, the same one its follower ends with."""
    jenkins = ctx.services.jenkins
    jenkins.abort(job, number)
    deadline = time.monotonic() + ABORT_WAIT
    info = jenkins.build(job, number)
    while info.building and time.monotonic() < deadline:
        time.sleep(0.25)
        info = jenkins.build(job, number)
    run = BuildRun(app, job, queue_id, number, branch)
    reply = build_result(ctx, run, info, aborted_by=ctx.actor.name, post_tail=False)
    # The abort plan did what it was for; the build's own plan ends as an error.
    return replace(reply, is_error=False) if info.result == "ABORTED" else reply


def _offer_abort(ctx: CommandContext, run: BuildRun) -> PendingAction | None:
    """A plan to abort the build, shown as the Abort button of the progress message.

    Not on the console: a terminal runs one command at a time, so nothing could be clicked
    while the build runs (and `--yes` would approve the abort at once).
    """
    if ctx.platform == "console" or ctx.message_ref is None or run.number is None:
        return None
    plan = Plan(
        action="abort_build",
        params={**run.to_params(), "number": run.number},
        title=ctx.t("build_plan_abort", app=run.app, number=run.number),
        target=f"jenkins/{run.job}#{run.number}",
    )
    pending = create_pending(ctx, plan, f"abort build {run.job} #{run.number}")
    bind_message(ctx, pending, ctx.message_ref)
    with ctx.store.session() as session:
        # As long as the build may be followed, not only the usual minutes of a plan.
        session.execute(
            update(PendingAction)
            .where(col(PendingAction.id) == pending.id)
            .values(expires_at=datetime.now(UTC) + timedelta(hours=3))
        )
    return pending


def _close_abort(ctx: CommandContext, pending: PendingAction | None) -> str | None:
    """Withdraw the Abort offer once the build ended; return who aborted it, if someone did."""
    if pending is None:
        return None
    with ctx.store.session() as session:
        session.execute(
            update(PendingAction)
            .where(col(PendingAction.id) == pending.id)
            .where(col(PendingAction.status) == "pending")
            .values(status="expired")
        )
    with ctx.store.session() as session:
        row = session.get(PendingAction, pending.id)
        if row is not None and row.status in ("approved", "applying", "done", "failed"):
            return row.decided_by_name
    return None


# -- builds ------------------------------------------------------------------------------------
@command(
    IntentName.BUILDS,
    group="builds",
    summary_en="The last builds of an app, and whether it is green",
    summary_ko="앱의 최근 빌드와 결과",
    examples_en=("is the payment build green?", "last builds of cart"),
    examples_ko=("payment 빌드 결과",),
)
def builds(ctx: CommandContext, *, app: str) -> Reply:
    target = job_target(ctx, app)
    jenkins = ctx.services.jenkins
    found = jenkins.last_builds(target.job, limit=LIST_LIMIT)
    context = Markup(ctx.platform).link(jenkins.url + _job_path(target.job), target.job)
    if not found:
        return Reply(
            ctx.t("builds_none", app=app, job=target.job), context=context, language=ctx.language
        )
    now = datetime.now(UTC)
    parameter = target.branch_parameter
    lines = [line for line in (_headline(ctx, app, found, parameter, now),) if line]
    running = next((b for b in found if b.building), None)
    if running is not None:
        lines.append(
            ctx.t(
                "builds_running",
                number=running.number,
                branch=running.branch(parameter) or "-",
                who=running.started_by or "?",
            )
        )
    lines.append(ctx.t("builds_title", app=app, job=target.job))
    return Reply(
        "\n".join(lines),
        code=_table(ctx, found, parameter, now),
        context=context,
        language=ctx.language,
    )


def _headline(
    ctx: CommandContext, app: str, found: list[BuildInfo], parameter: str | None, now: datetime
) -> str:
    done = [b for b in found if not b.building]
    if not done:
        return ""
    last = done[0]
    ended = last.started_at + timedelta(milliseconds=last.duration_ms)
    values = {
        "app": app,
        "number": last.number,
        "branch": last.branch(parameter) or "-",
        "ago": _ago(ctx, now - ended),
    }
    if last.result == "SUCCESS":
        return ctx.t("builds_green", **values)
    text = ctx.t("builds_red", result=last.result or "?", **values)
    red = 0
    for item in done:
        if item.result == "SUCCESS":
            break
        red += 1
    if red > 1:
        text += " " + ctx.t("builds_red_since", number=done[red - 1].number)
    return text


def _table(
    ctx: CommandContext, found: list[BuildInfo], parameter: str | None, now: datetime
) -> str:
    header = [
        "#",
        ctx.t("builds_col_result"),
        ctx.t("builds_col_duration"),
        ctx.t("builds_col_branch"),
        ctx.t("builds_col_by"),
        ctx.t("builds_col_when"),
    ]
    rows = [header]
    for item in found:
        result = ctx.t("builds_running_word") if item.building else (item.result or "?")
        rows.append(
            [
                f"#{item.number}",
                result,
                _duration(ctx, item.elapsed_ms(now) / 1000),
                _shorten(item.branch(parameter) or "-", 28),
                _shorten(item.started_by or "?", 16),
                _ago(ctx, now - item.started_at),
            ]
        )
    widths = [max(_width(row[i]) for row in rows) for i in range(len(header))]
    return "\n".join(
        "  ".join(cell + " " * (widths[i] - _width(cell)) for i, cell in enumerate(row)).rstrip()
        for row in rows
    )


# -- pieces ------------------------------------------------------------------------------------
def _requester(ctx: CommandContext) -> str:
    """Who asked, as kuber.yaml names them (Jenkins sees only Kuber's own account). A chat
    display name is chosen by its owner: only plain characters of it reach a pipeline."""
    name = ctx.person.name if ctx.person else ctx.actor.name
    return "".join(c if c.isalnum() or c in "._@-" else "_" for c in name)[:64] or "?"


def _parameter_changes(job: JobInfo, parameters: dict[str, str]) -> tuple[Change, ...]:
    """The parameters the build gets other than their defaults (the title names the branch)."""
    changes = []
    for definition in job.parameters:
        value = parameters.get(definition.name)
        if value is None or value == (definition.default or ""):
            continue
        before = definition.default if definition.default not in (None, "") else "-"
        changes.append(Change(definition.name, str(before), value or "-"))
    return tuple(changes)


def _last_build_notes(ctx: CommandContext, jenkins: JenkinsBuilds, job: JobInfo) -> tuple[str, ...]:
    """The last build and the usual duration, as a person deciding would want to know."""
    if job.last_build is None:
        return ()
    try:
        last = jenkins.build(job.name, job.last_build)
    except KuberError:
        return ()  # a plan is still worth showing without its history
    notes = []
    if not last.building:
        ended = last.started_at + timedelta(milliseconds=last.duration_ms)
        notes.append(
            ctx.t(
                "build_note_last",
                number=last.number,
                result=last.result or "?",
                duration=_duration(ctx, last.duration_ms / 1000),
                ago=_ago(ctx, datetime.now(UTC) - ended),
            )
        )
    if last.estimated_ms:
        notes.append(
            ctx.t("build_note_estimate", duration=_duration(ctx, last.estimated_ms / 1000))
        )
    return tuple(notes)


def _progress_reply(
    ctx: CommandContext, run: BuildRun, step: BuildProgress, abort: PendingAction | None
) -> tuple[Reply, str]:
    """The progress message, and what decides whether it changed enough to be edited (the
    bar's cells and the stages, not each second)."""
    target = ctx.settings.config.app(run.app)
    branch = step.build.branch(target.jenkins_parameters.get("branch") if target else None)
    elapsed = _duration(ctx, step.elapsed_s)
    fraction = step.fraction
    if fraction is None:
        bar_text = ctx.t("build_progress_unknown", elapsed=elapsed)
        cells = -1
    else:
        cells = round(fraction * BAR_CELLS)
        bar = "▓" * cells + "░" * (BAR_CELLS - cells)
        estimated = _duration(ctx, step.estimated_s or 0)
        # Past the estimate by more than rounding: say so rather than sit at 99%.
        usual = step.estimated_s or 0
        over = step.elapsed_s > usual + max(2.0, usual / 10)
        key = "build_progress_over" if over else "build_progress"
        bar_text = ctx.t(
            key, bar=bar, percent=int(fraction * 100), elapsed=elapsed, estimated=estimated
        )
    fields = [Field(ctx.t("build_field_progress"), bar_text)]
    if step.stages:
        fields.append(Field(ctx.t("build_field_stages"), _stage_line(step.stages)))
    buttons: tuple[Button, ...] = ()
    if abort is not None:
        buttons = (Button(ctx.t("build_button_abort"), "approve", abort.id, "danger"),)
    text = ctx.t(
        "build_running", app=run.app, number=step.build.number, job=run.job, branch=branch or "-"
    )
    reply = Reply(
        text,
        fields=tuple(fields),
        buttons=buttons,
        context=_shorten(step.last_line, 150) if step.last_line else None,
        language=ctx.language,
    )
    stages = ",".join(f"{s.name}:{s.status}" for s in step.stages)
    percent = int((fraction or 0) * 20)
    return reply, f"{cells}|{percent}|{stages}"


def _show(ctx: CommandContext, reply: Reply, shown: list[str], key: str) -> None:
    """Edit the command's message, only when what it shows has changed."""
    if ctx.message_ref is None or (shown and shown[-1] == key):
        return
    shown.append(key)
    ctx.conversation.edit(ctx.message_ref, reply)


def _stages_of(jenkins: JenkinsBuilds, info: BuildInfo) -> tuple[StageInfo, ...]:
    try:
        return jenkins.stages(info.job, info.number) or ()
    except KuberError:
        return ()


def _stage_line(stages: tuple[StageInfo, ...], *, finished: bool = False) -> str:
    marks = []
    for stage in stages:
        if finished and stage.status == "NOT_EXECUTED":
            marks.append(f"○ {stage.name}")
            continue
        marks.append(f"{_STAGE_MARKS.get(stage.status, '•')} {stage.name}")
    return " · ".join(marks)


def _post_console_tail(
    ctx: CommandContext, run: BuildRun, info: BuildInfo, tail: ConsoleTail | None
) -> None:
    """The console's last lines in the thread, where whoever looks into it reads them."""
    lines = tail.lines if tail is not None and tail.lines else None
    if lines is None:
        try:
            lines = ctx.services.jenkins.console_tail(info.job, info.number, TAIL_LINES)
        except KuberError:
            lines = []
    if not lines:
        return
    ctx.conversation.post(
        Reply(
            ctx.t("build_console_tail", count=len(lines), app=run.app, number=info.number),
            code="\n".join(lines),
            buttons=(_retry_button(ctx, run),),
            context=Markup(ctx.platform).link(info.url + "console", f"{info.job} #{info.number}"),
            thread=ctx.thread or ctx.message_ref,
            language=ctx.language,
        )
    )


def _retry_button(ctx: CommandContext, run: BuildRun) -> Button:
    """Build again, as if asked anew: a new plan, approved as any other."""
    value: dict[str, Any] = {"intent": "build", "app": run.app, "lang": ctx.language}
    if run.branch:
        value["branch"] = run.branch
    asked = f"build {run.app}" + (f" from branch {run.branch}" if run.branch else "")
    value["text"] = f"{asked} (retry)"
    return Button(ctx.t("build_button_retry"), "fill", json.dumps(value, ensure_ascii=False))


def _job_path(job: str) -> str:
    return "".join(f"job/{part}/" for part in job.split("/") if part)


def _duration(ctx: CommandContext, seconds: float) -> str:
    total = max(0, round(seconds))
    if total < 60:
        return ctx.t("build_dur_s", s=total)
    if total < 3600:
        return ctx.t("build_dur_ms", m=total // 60, s=total % 60)
    return ctx.t("build_dur_hm", h=total // 3600, m=total % 3600 // 60)


def _ago(ctx: CommandContext, delta: timedelta) -> str:
    seconds = max(0, int(delta.total_seconds()))
    if seconds < 60:
        return ctx.t("build_ago_now")
    if seconds < 3600:
        return ctx.t("build_ago_min", n=seconds // 60)
    if seconds < 86400:
        return ctx.t("build_ago_h", n=seconds // 3600)
    return ctx.t("build_ago_d", n=seconds // 86400)


def _shorten(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _width(text: str) -> int:
    """Columns a string takes in a monospace table: Hangul and other wide letters take two."""
    return sum(2 if unicodedata.east_asian_width(c) in ("W", "F") else 1 for c in text)
