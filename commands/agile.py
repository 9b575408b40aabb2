"""`sprint status`, `backlog`, `create a bug: …`, `move PAY-12 to done`, `assign PAY-12 to bob`
and `standup`: the team's Jira board in chat, in English and Korean.

Reads are anyone's (viewer). Creating, moving and assigning need an operator of the team whose
Jira project it is, and are made at once rather than planned for approval: they touch no
running system, Jira keeps their history, and the opposite command undoes each. Kuber's own
Jira account makes the change, so the person who asked is named in Jira (a comment, or the
description of a new issue). The stand-up digest's sprint section is registered here, where
the `sprint` domain may be imported (the core's `bot.standup` may not).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from bot.context import CommandContext
from bot.errors import NotAllowed, UserError
from bot.intents import IntentName
from bot.messages import Field, Image, Reply
from bot.registry import command
from bot.settings import KuberConfig, Person, Team
from bot.standup import DigestPart, DigestRequest, bounded, build_digest, digest_section
from integrations.jira import (
    BoardInfo,
    IssueInfo,
    JiraBoards,
    JiraUser,
    SprintInfo,
    check_key,
    jira_for,
)
from sprint.activity import created_since, done_since, in_progress_by_person
from sprint.burndown import Burndown, burndown, burndown_png
from sprint.progress import Progress, blocked_issues, sprint_progress
from sprint.velocity import CarryOver, Velocity, carry_over_risk, velocity

#: How many backlog issues `backlog` lists.
BACKLOG_LIMIT = 10
#: Closed sprints the velocity is taken over.
VELOCITY_SPRINTS = 3
#: Longest summary Jira takes.
SUMMARY_LIMIT = 255
_ROLES = ("viewer", "operator", "deployer", "admin")
#: What "me" is, in a request to assign.
_ME = frozenset({"me", "myself", "나", "저", "내", "본인"})
#: `ctx.t` or `request.t`: a message in the language asked in.
Translate = Callable[..., str]


@dataclass(frozen=True)
class SprintReport:
    """Everything known about the running sprint, for `sprint status` and the digest."""

    board: BoardInfo
    sprint: SprintInfo
    issues: tuple[IssueInfo, ...]
    progress: Progress
    burndown: Burndown | None
    velocity: Velocity
    carry_over: CarryOver
    blocked: tuple[IssueInfo, ...]


# -- where: the team and its board ---------------------------------------------------------
def team_with_board(config: KuberConfig, team: Team | None, person: Person | None) -> Team:
    """The team asked about: the channel's; else the person's only team with a board; else
    the only team with one."""
    if team is None and person is not None:
        mine = [t for t, _ in config.memberships(person.name) if t.jira]
        team = mine[0] if len(mine) == 1 else None
    if team is None:
        boards = [t for t in config.teams if t.jira]
        if len(boards) != 1:
            names = ", ".join(t.name for t in boards) or "-"
            raise UserError("agile_which_team", teams=names)
        team = boards[0]
    if team.jira is None:
        raise UserError("agile_no_board", team=team.name)
    return team


def _board(jira: JiraBoards, team: Team) -> BoardInfo:
    assert team.jira is not None  # team_with_board made sure
    return jira.board(team.jira.board, team.jira.project)


def _check_may_change(ctx: CommandContext, project: str) -> None:
    """The asker must hold the needed role (operator) in a team whose Jira project it is."""
    config = ctx.settings.config
    owners = [t for t in config.teams if t.jira and t.jira.project == project]
    if not owners:
        known = ", ".join(sorted({t.jira.project for t in config.teams if t.jira})) or "-"
        raise UserError("agile_project_unknown", project=project, projects=known)
    where = f"Jira {project}"
    names = {t.name for t in owners}
    memberships = config.memberships(ctx.person.name) if ctx.person else []
    held = [role for team, role in memberships if team.name in names]
    if not held:
        raise NotAllowed("policy_not_your_team", where=where, teams=", ".join(sorted(names)))
    best = max(held, key=_ROLES.index)
    if _ROLES.index(best) < _ROLES.index(ctx.needs):
        raise NotAllowed("policy_needs_role_at", role=best, needed=ctx.needs, where=where)


# -- the sprint ----------------------------------------------------------------------------
def sprint_report(jira: JiraBoards, board: BoardInfo, *, now: datetime) -> SprintReport | None:
    """The running sprint with its progress, burndown and carry-over risk; None when no
    sprint is running."""
    sprint = jira.active_sprint(board)
    if sprint is None:
        return None
    issues = tuple(jira.sprint_issues(board, [sprint.id]))
    closed = jira.recent_sprints(board, VELOCITY_SPRINTS)
    earlier = jira.sprint_issues(board, [s.id for s in closed]) if closed else []
    progress = sprint_progress(sprint, issues, now=now)
    pace = velocity(closed, earlier)
    return SprintReport(
        board=board,
        sprint=sprint,
        issues=issues,
        progress=progress,
        burndown=burndown(sprint, issues, now=now),
        velocity=pace,
        carry_over=carry_over_risk(progress.remaining_points, pace, end=sprint.end, now=now),
        blocked=tuple(blocked_issues(issues)),
    )


def _points(value: float | None) -> str:
    if value is None:
        return "–"
    return str(int(value)) if float(value).is_integer() else f"{value:.1f}"


def _line(issue: IssueInfo, *, who: bool = True) -> str:
    text = f"{issue.key} {issue.summary}"
    return f"{text} ({issue.assignee})" if who and issue.assignee else text


def _progress_text(t: Translate, progress: Progress) -> str:
    done, total = progress.done, progress.total
    tally = progress.by_category
    issues = t(
        "agile_progress_issues",
        done=done.issues,
        total=total.issues,
        doing=tally["in_progress"].issues,
        todo=tally["todo"].issues,
    )
    if total.points <= 0:
        return issues
    points = t(
        "agile_progress_points",
        done=_points(done.points),
        total=_points(total.points),
        ratio=f"{progress.done_ratio:.0%}",
    )
    return f"{points} · {issues}"


def _scope_text(t: Translate, progress: Progress) -> str | None:
    parts = []
    if progress.added:
        parts.append(
            t(
                "agile_scope_added",
                points=_points(progress.added_points),
                keys=", ".join(progress.added),
            )
        )
    if progress.reestimated_points:
        sign = "+" if progress.reestimated_points > 0 else "−"
        parts.append(
            t("agile_scope_reestimated", points=sign + _points(abs(progress.reestimated_points)))
        )
    return " · ".join(parts) or None


def _blocked_lines(t: Translate, blocked: Sequence[IssueInfo]) -> list[str]:
    lines = []
    for issue in blocked:
        why = t("agile_flagged") if issue.flagged else issue.status.name
        lines.append(f"🚧 {_line(issue)} — {why}")
    return lines


def _risk_text(t: Translate, report: SprintReport) -> str:
    risk = report.carry_over
    average = report.velocity.average
    return t(
        f"agile_risk_{risk.risk}",
        remaining=_points(risk.remaining),
        expected=_points(round(risk.expected)) if risk.expected is not None else "?",
        velocity=f"{average:.1f}" if average is not None else "?",
        sprints=len(report.velocity.sprints),
    )


def _chart(t: Translate, report: SprintReport) -> Image | None:
    chart = report.burndown
    if chart is None:
        return None
    title = t("agile_burndown_title", sprint=report.sprint.name)
    png = burndown_png(
        chart,
        title=title,
        ideal_label=t("agile_burndown_ideal"),
        remaining_label=t("agile_burndown_remaining"),
        y_label=t("agile_burndown_axis"),
    )
    alt = t(
        "agile_burndown_alt",
        committed=_points(chart.committed),
        remaining=_points(chart.remaining_now),
    )
    return Image(title=title, png=png, alt=alt)


@command(
    IntentName.SPRINT,
    group="agile",
    summary_en="The running sprint: progress, blocked work, carry-over risk, a burndown chart",
    summary_ko="진행 중인 스프린트: 진행률, 막힌 일, 이월 위험, 번다운 차트",
    examples_en=("sprint status", "how is the sprint going?"),
    examples_ko=("스프린트 현황", "스프린트 어때?"),
)
def sprint_status(ctx: CommandContext) -> Reply:
    team = team_with_board(ctx.settings.config, ctx.team, ctx.person)
    jira = jira_for(ctx.settings)
    board = _board(jira, team)
    t = ctx.t
    report = sprint_report(jira, board, now=datetime.now(UTC))
    if report is None:
        upcoming = jira.sprints(board, "future")
        key = "agile_no_sprint_next" if upcoming else "agile_no_sprint"
        text = ctx.t(key, board=board.name, next=upcoming[0].name if upcoming else "")
        return Reply(text, context=board.url, language=ctx.language)
    progress = report.progress
    fields = [
        Field(ctx.t("agile_field_goal"), report.sprint.goal or ctx.t("agile_no_goal")),
        Field(ctx.t("agile_field_progress"), _progress_text(t, progress)),
    ]
    scope = _scope_text(t, progress)
    if scope:
        fields.append(Field(ctx.t("agile_field_scope"), scope))
    blocked = _blocked_lines(t, report.blocked)
    fields.append(Field(ctx.t("agile_field_blocked"), "\n".join(blocked) or ctx.t("agile_none")))
    fields.append(Field(ctx.t("agile_field_carry_over"), _risk_text(t, report)))
    chart = _chart(t, report)
    context = ctx.t("agile_board_context", url=board.url)
    if progress.unestimated:
        context = ctx.t("agile_unestimated", count=progress.unestimated) + " · " + context
    return Reply(
        ctx.t(
            "agile_sprint_title",
            sprint=report.sprint.name,
            day=progress.day,
            days=progress.days,
            left=progress.days_left,
        ),
        fields=tuple(fields),
        images=(chart,) if chart else (),
        context=context,
        language=ctx.language,
    )


# -- the backlog ---------------------------------------------------------------------------
@command(
    IntentName.BACKLOG,
    group="agile",
    summary_en="The top of the backlog, by rank",
    summary_ko="백로그 상위 항목 (순위순)",
    examples_en=("backlog",),
    examples_ko=("백로그 보여줘",),
)
def backlog(ctx: CommandContext) -> Reply:
    team = team_with_board(ctx.settings.config, ctx.team, ctx.person)
    jira = jira_for(ctx.settings)
    board = _board(jira, team)
    found = jira.backlog(board, limit=BACKLOG_LIMIT)
    if not found.issues:
        return Reply(ctx.t("agile_backlog_empty", board=board.name), language=ctx.language)
    lines = [
        f"{n}. {i.key} · {i.issue_type} · {_points(i.points)} · {i.summary}"
        + (f" ({i.assignee})" if i.assignee else "")
        for n, i in enumerate(found.issues, 1)
    ]
    unestimated = sum(1 for i in found.issues if i.points is None)
    context = ctx.t("agile_board_context", url=board.url)
    if unestimated:
        context = ctx.t("agile_unestimated", count=unestimated) + " · " + context
    return Reply(
        ctx.t(
            "agile_backlog_title",
            project=board.project,
            shown=len(found.issues),
            total=found.total,
        ),
        fields=(Field(ctx.t("agile_field_backlog"), "\n".join(lines)),),
        context=context,
        language=ctx.language,
    )


# -- changes -------------------------------------------------------------------------------
def _asker(ctx: CommandContext) -> str:
    return ctx.person.name if ctx.person else ctx.actor.name


@command(
    IntentName.CREATE_ISSUE,
    group="agile",
    summary_en="File a bug, story or task in the team's Jira project",
    summary_ko="팀의 지라 프로젝트에 버그·스토리·작업 등록",
    examples_en=("create a bug: login fails on Safari",),
    examples_ko=("버그 등록: 사파리에서 로그인 실패",),
)
def create_issue(ctx: CommandContext, *, summary: str, issue_type: str | None = None) -> Reply:
    team = team_with_board(ctx.settings.config, ctx.team, ctx.person)
    assert team.jira is not None
    _check_may_change(ctx, team.jira.project)
    text = " ".join(summary.split())
    if not text:
        raise UserError("agile_summary_empty")
    if len(text) > SUMMARY_LIMIT:
        raise UserError("agile_summary_too_long", length=len(text), limit=SUMMARY_LIMIT)
    kind = (issue_type or "Task").strip().capitalize()
    jira = jira_for(ctx.settings)
    board = _board(jira, team)
    similar = jira.open_issues_like(board, text)
    created = jira.create_issue(
        board,
        issue_type=kind,
        summary=text,
        description=ctx.t("agile_created_description", person=_asker(ctx), platform=ctx.platform),
    )
    fields: tuple[Field, ...] = ()
    if similar:
        fields = (Field(ctx.t("agile_field_similar"), "\n".join(_line(i) for i in similar)),)
    return Reply(
        ctx.t("agile_created", key=created.key, type=created.issue_type, summary=created.summary),
        fields=fields,
        context=created.url,
        language=ctx.language,
    )


@command(
    IntentName.TRANSITION,
    group="agile",
    summary_en="Move an issue to another status (To Do, In Progress, Done, Blocked)",
    summary_ko="이슈 상태 변경 (할 일, 진행 중, 완료, 차단됨)",
    examples_en=("move PAY-12 to done",),
    examples_ko=("PAY-12 완료로 옮겨줘",),
)
def transition(ctx: CommandContext, *, issue: str, status: str) -> Reply:
    key = check_key(issue)
    _check_may_change(ctx, key.rsplit("-", 1)[0])
    jira = jira_for(ctx.settings)
    comment = ctx.t("agile_moved_comment", person=_asker(ctx), platform=ctx.platform)
    moved = jira.move(key, status, comment=comment)
    if not moved.changed:
        return Reply(
            ctx.t("agile_already_in", key=key, status=moved.after.name),
            context=moved.url,
            language=ctx.language,
        )
    return Reply(
        ctx.t("agile_moved", key=key, before=moved.before.name, after=moved.after.name),
        context=f"{moved.summary} · {moved.url}",
        language=ctx.language,
    )


def _person(config: KuberConfig, name: str) -> Person | None:
    found = config.person_named(name)
    if found is not None:
        return found
    lowered = name.lower()
    everyone = [*config.people, *(m.as_person() for t in config.teams for m in t.members)]
    return next((p for p in everyone if p.name.lower() == lowered), None)


def jira_user_for(ctx: CommandContext, jira: JiraBoards, name: str) -> JiraUser:
    """The Jira user of the person named `name` (or "me"): kuber.yaml's `jira:` for them,
    else their email; someone kuber.yaml does not list, by exact Jira user name or email."""
    config = ctx.settings.config
    wanted = name.strip()
    is_me = wanted.lower() in _ME
    person = ctx.person if is_me else _person(config, wanted)
    if is_me and person is None:
        raise UserError("agile_me_unknown", user=ctx.actor.name)
    if person is not None:
        handles = [h for h in (person.jira, person.email) if h]
        for handle in handles:
            found = jira.find_user(handle)
            if found is not None:
                return found
        raise UserError(
            "agile_person_not_in_jira", person=person.name, handles=", ".join(handles) or "-"
        )
    found = jira.find_user(wanted)
    if found is not None:
        return found
    team = ctx.team or (config.teams[0] if len(config.teams) == 1 else None)
    members = [m.name for m in team.members] if team else [p.name for p in config.people]
    raise UserError(
        "agile_person_unknown",
        choices=members[:5],
        slot="assignee",
        person=wanted,
        people=", ".join(members) or "-",
    )


@command(
    IntentName.ASSIGN,
    group="agile",
    summary_en="Assign an issue to someone (by their name in kuber.yaml, or `me`)",
    summary_ko="이슈 담당자 지정 (kuber.yaml의 이름, 또는 `나`)",
    examples_en=("assign PAY-12 to bob", "assign PAY-12 to me"),
    examples_ko=("PAY-12 bob에게 할당해줘",),
)
def assign(ctx: CommandContext, *, issue: str, assignee: str) -> Reply:
    key = check_key(issue)
    _check_may_change(ctx, key.rsplit("-", 1)[0])
    jira = jira_for(ctx.settings)
    user = jira_user_for(ctx, jira, assignee)
    current = jira.issue(key)
    if current.assignee_user == user.name:
        return Reply(
            ctx.t("agile_assign_already", key=key, person=user.display_name),
            context=current.url,
            language=ctx.language,
        )
    after, before = jira.assign(key, user)
    jira.comment(
        key,
        ctx.t(
            "agile_assigned_comment",
            person=_asker(ctx),
            assignee=user.display_name,
            platform=ctx.platform,
        ),
    )
    return Reply(
        ctx.t(
            "agile_assigned",
            key=key,
            person=after.assignee or user.display_name,
            before=before or ctx.t("agile_nobody"),
        ),
        context=f"{after.summary} · {after.url}",
        language=ctx.language,
    )


# -- the stand-up --------------------------------------------------------------------------
@command(
    IntentName.STANDUP,
    group="agile",
    summary_en="The stand-up digest now: the sprint, who does what, blocked work, new bugs, and "
    "the last day's changes, alerts and SLOs",
    summary_ko="스탠드업 요약 지금 보기: 스프린트, 누가 무엇을, 막힌 일, 새 버그, "
    "지난 하루의 변경·알림·SLO",
    examples_en=("standup",),
    examples_ko=("스탠드업",),
)
def standup(ctx: CommandContext) -> Reply:
    team = ctx.team or team_with_board(ctx.settings.config, None, ctx.person)
    return build_digest(
        ctx.settings, ctx.store, ctx.services, team=team.name, language=ctx.language
    )


@digest_section("sprint", order=10, title="standup_sprint")
def sprint_digest(request: DigestRequest) -> DigestPart | None:
    """The digest's board part: the sprint and its chart, what got done since the last
    digest, who works on what, what is blocked, and the bugs filed since."""
    team = request.team
    if team.jira is None:
        return None
    t = request.t
    jira = jira_for(request.settings)
    board = _board(jira, team)
    report = sprint_report(jira, board, now=request.now)
    fields: list[Field] = []
    images: list[Image] = []
    headline: list[str] = []
    since = request.clock(request.since)
    if report is None:
        fields.append(
            Field(request.t("standup_sprint"), request.t("agile_no_sprint", board=board.name))
        )
        issues: Sequence[IssueInfo] = ()
    else:
        issues = report.issues
        progress = report.progress
        headline.append(
            request.t(
                "standup_sprint_headline",
                sprint=report.sprint.name,
                day=progress.day,
                days=progress.days,
                progress=_progress_text(t, progress),
            )
        )
        sprint_lines = [
            request.t("standup_goal", goal=report.sprint.goal or request.t("agile_no_goal")),
            _risk_text(t, report),
        ]
        fields.append(Field(request.t("standup_sprint"), "\n".join(sprint_lines)))
        chart = _chart(t, report)
        if chart is not None:
            images.append(chart)
    done = [f"✅ {_line(i)}" for i in done_since(issues, request.since)]
    fields.append(
        Field(
            request.t("standup_done", since=since),
            bounded(done, request) or request.t("agile_none"),
        )
    )
    doing = [
        f"{person}: " + ", ".join(_line(i, who=False) for i in work)
        for person, work in in_progress_by_person(issues, nobody=request.t("agile_nobody")).items()
    ]
    fields.append(
        Field(request.t("standup_in_progress"), bounded(doing, request) or request.t("agile_none"))
    )
    blocked = _blocked_lines(t, report.blocked if report else ())
    fields.append(
        Field(request.t("standup_blocked"), bounded(blocked, request) or request.t("agile_none"))
    )
    bugs = created_since(jira.created_since(board, request.since), request.since, issue_type="Bug")
    fields.append(
        Field(
            request.t("standup_new_bugs", since=since),
            bounded([f"🐞 {_line(i)}" for i in bugs], request) or request.t("agile_none"),
        )
    )
    return DigestPart(fields=tuple(fields), images=tuple(images), headline=tuple(headline))
