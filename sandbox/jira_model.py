"""What the sandbox Jira holds: users, the workflow, projects, boards, sprints and issues, and
how each change to an issue is written into its changelog, as Jira writes it.

Plain data and the operations on it; no HTTP here (`sandbox.jira` serves it, `sandbox.jira_json`
renders it). Every change takes the moment it happens (`at`), so a seed can write a history
that lies in the past and gives a burndown its shape.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

#: The custom fields a Jira Software instance has, by id.
POINTS_FIELD = "customfield_10002"
SPRINT_FIELD = "customfield_10004"
RANK_FIELD = "customfield_10005"
FLAGGED_FIELD = "customfield_10006"
POINTS_NAME = "Story Points"
FLAG_VALUE = "Impediment"
FLAG_OPTION_ID = "10019"

#: Status category key -> (id, name, colour), as Jira has them.
CATEGORIES: dict[str, tuple[int, str, str]] = {
    "new": (2, "To Do", "blue-gray"),
    "indeterminate": (4, "In Progress", "yellow"),
    "done": (3, "Done", "green"),
}


class ModelError(Exception):
    """A change Jira would refuse: `messages` for `errorMessages`, `errors` per field."""

    def __init__(
        self, status: int, messages: list[str] | None = None, errors: dict[str, str] | None = None
    ) -> None:
        self.status = status
        self.messages = list(messages or [])
        self.errors = dict(errors or {})
        super().__init__("; ".join(self.messages + list(self.errors.values())))


@dataclass(frozen=True)
class User:
    name: str
    display_name: str
    email: str
    key: str
    time_zone: str = "Asia/Seoul"
    active: bool = True


@dataclass(frozen=True)
class StatusDef:
    id: str
    name: str
    category: str


@dataclass(frozen=True)
class TransitionDef:
    id: str
    name: str
    to: str
    #: The statuses it leaves from.
    sources: tuple[str, ...]


@dataclass(frozen=True)
class IssueTypeDef:
    id: str
    name: str
    description: str


STATUSES: tuple[StatusDef, ...] = (
    StatusDef("10000", "To Do", "new"),
    StatusDef("3", "In Progress", "indeterminate"),
    StatusDef("10100", "Blocked", "indeterminate"),
    StatusDef("10001", "Done", "done"),
)

#: To Do -> In Progress -> Done, with Blocked beside In Progress. To Do cannot jump to Done.
WORKFLOW: tuple[TransitionDef, ...] = (
    TransitionDef("11", "Stop Progress", "To Do", ("In Progress",)),
    TransitionDef("21", "Start Progress", "In Progress", ("To Do",)),
    TransitionDef("31", "Done", "Done", ("In Progress",)),
    TransitionDef("41", "Block", "Blocked", ("In Progress",)),
    TransitionDef("51", "Unblock", "In Progress", ("Blocked",)),
    TransitionDef("61", "Reopen", "To Do", ("Done",)),
)

ISSUE_TYPES: tuple[IssueTypeDef, ...] = (
    IssueTypeDef("10000", "Epic", "A big user story that needs to be broken down."),
    IssueTypeDef("10001", "Story", "Functionality or a feature expressed as a user goal."),
    IssueTypeDef("10002", "Task", "A small, distinct piece of work."),
    IssueTypeDef("10004", "Bug", "A problem or error."),
)

PRIORITIES: tuple[tuple[str, str], ...] = (
    ("1", "Highest"),
    ("2", "High"),
    ("3", "Medium"),
    ("4", "Low"),
    ("5", "Lowest"),
)


@dataclass
class HistoryItem:
    field: str
    fieldtype: str
    from_: str | None
    from_string: str | None
    to: str | None
    to_string: str | None


@dataclass
class History:
    id: int
    author: str
    created: datetime
    items: list[HistoryItem]


@dataclass
class Comment:
    id: int
    author: str
    body: str
    created: datetime


@dataclass
class Issue:
    id: int
    key: str
    project: str
    issue_type: str
    summary: str
    reporter: str
    created: datetime
    updated: datetime
    status: str = "To Do"
    description: str | None = None
    assignee: str | None = None
    resolution: str | None = None
    resolved: datetime | None = None
    points: float | None = None
    priority: str = "Medium"
    labels: list[str] = field(default_factory=list)
    flagged: bool = False
    #: Every sprint the issue was ever in, oldest first (Jira keeps the closed ones).
    sprints: list[int] = field(default_factory=list)
    histories: list[History] = field(default_factory=list)
    comments: list[Comment] = field(default_factory=list)


@dataclass
class Project:
    id: int
    key: str
    name: str
    lead: str
    next_number: int = 1


@dataclass
class Board:
    id: int
    name: str
    project: str
    #: False: the board configuration names no estimation field (clients fall back on the
    #: field called "Story Points").
    estimation: bool = True


@dataclass
class Sprint:
    id: int
    name: str
    board: int
    state: str = "future"
    goal: str | None = None
    start: datetime | None = None
    end: datetime | None = None
    completed: datetime | None = None


def points_text(points: float | None) -> str | None:
    if points is None:
        return None
    return str(int(points)) if float(points).is_integer() else str(points)


class JiraWorld:
    """Everything the sandbox Jira knows. Callers hold the server's lock."""

    def __init__(self) -> None:
        self.users: dict[str, User] = {}
        self.statuses = {s.name: s for s in STATUSES}
        self.workflow = WORKFLOW
        self.issue_types = {t.name: t for t in ISSUE_TYPES}
        self.projects: dict[str, Project] = {}
        self.boards: dict[int, Board] = {}
        self.sprints: dict[int, Sprint] = {}
        self.issues: dict[str, Issue] = {}
        #: Issue keys, highest rank first: the one order of every board and backlog.
        self.rank: list[str] = []
        self._next_issue_id = 10001
        self._next_history_id = 20001
        self._next_comment_id = 30001
        self._next_sprint_id = 1

    # -- look-ups --------------------------------------------------------------------------
    def user(self, name: str | None) -> User | None:
        return self.users.get(name) if name else None

    def status(self, name_or_id: str) -> StatusDef | None:
        found = self.statuses.get(name_or_id)
        if found is not None:
            return found
        lowered = name_or_id.lower()
        return next((s for s in STATUSES if s.id == name_or_id or s.name.lower() == lowered), None)

    def issue(self, key_or_id: str) -> Issue | None:
        found = self.issues.get(key_or_id.upper())
        if found is not None:
            return found
        if key_or_id.isdigit():
            return next((i for i in self.issues.values() if i.id == int(key_or_id)), None)
        return None

    def project(self, key_or_id: str) -> Project | None:
        found = self.projects.get(key_or_id.upper())
        if found is not None:
            return found
        return next(
            (p for p in self.projects.values() if str(p.id) == key_or_id or p.name == key_or_id),
            None,
        )

    def sprint_of_name(self, name: str) -> Sprint | None:
        return next((s for s in self.sprints.values() if s.name.lower() == name.lower()), None)

    def open_sprint(self, issue: Issue) -> Sprint | None:
        """The active or future sprint the issue is in, if any (at most one)."""
        for sprint_id in reversed(issue.sprints):
            sprint = self.sprints.get(sprint_id)
            if sprint is not None and sprint.state != "closed":
                return sprint
        return None

    def transitions_from(self, status: str) -> list[TransitionDef]:
        return [t for t in self.workflow if status in t.sources]

    def rank_of(self, key: str) -> int:
        try:
            return self.rank.index(key)
        except ValueError:
            return len(self.rank)

    # -- set-up ----------------------------------------------------------------------------
    def add_user(self, user: User) -> User:
        self.users[user.name] = user
        return user

    def add_project(self, key: str, name: str, lead: str) -> Project:
        project = Project(10000 + len(self.projects), key, name, lead)
        self.projects[key] = project
        return project

    def add_board(
        self, board_id: int, name: str, project: str, *, estimation: bool = True
    ) -> Board:
        board = Board(board_id, name, project, estimation)
        self.boards[board_id] = board
        return board

    def add_sprint(
        self,
        name: str,
        board: int,
        *,
        state: str = "future",
        goal: str | None = None,
        start: datetime | None = None,
        end: datetime | None = None,
        completed: datetime | None = None,
        sprint_id: int | None = None,
    ) -> Sprint:
        if board not in self.boards:
            raise ModelError(400, errors={"originBoardId": f"Board {board} does not exist."})
        new_id = sprint_id if sprint_id is not None else self._next_sprint_id
        self._next_sprint_id = max(self._next_sprint_id, new_id + 1)
        sprint = Sprint(new_id, name, board, state, goal, start, end, completed)
        self.sprints[sprint.id] = sprint
        return sprint

    # -- changes ---------------------------------------------------------------------------
    def _history(self, issue: Issue, author: str, at: datetime, items: list[HistoryItem]) -> None:
        if not items:
            return
        issue.histories.append(History(self._next_history_id, author, at, items))
        self._next_history_id += 1
        issue.updated = max(issue.updated, at)

    def create_issue(
        self,
        *,
        project: str,
        issue_type: str,
        summary: str,
        reporter: str,
        at: datetime,
        description: str | None = None,
        assignee: str | None = None,
        points: float | None = None,
        priority: str = "Medium",
        labels: list[str] | None = None,
        sprint: int | None = None,
    ) -> Issue:
        found = self.project(project)
        errors: dict[str, str] = {}
        if found is None:
            errors["project"] = "valid project is required"
        if issue_type not in self.issue_types:
            errors["issuetype"] = "valid issue type is required"
        if not summary.strip():
            errors["summary"] = "You must specify a summary of the issue."
        elif "\n" in summary or "\r" in summary:
            errors["summary"] = "The summary is invalid because it contains newline characters."
        elif len(summary) > 255:
            errors["summary"] = "Summary must be less than 255 characters."
        if assignee is not None and assignee not in self.users:
            errors["assignee"] = f"User '{assignee}' does not exist."
        if priority not in {name for _, name in PRIORITIES}:
            errors["priority"] = f"Priority name '{priority}' is not valid"
        if sprint is not None and (
            sprint not in self.sprints or self.sprints[sprint].state == "closed"
        ):
            errors[SPRINT_FIELD] = f"Sprint with id {sprint} does not exist or is closed."
        if errors or found is None:
            raise ModelError(400, errors=errors)
        key = f"{found.key}-{found.next_number}"
        found.next_number += 1
        issue = Issue(
            id=self._next_issue_id,
            key=key,
            project=found.key,
            issue_type=issue_type,
            summary=summary,
            reporter=reporter,
            created=at,
            updated=at,
            description=description,
            assignee=assignee,
            points=points,
            priority=priority,
            labels=list(labels or []),
            sprints=[sprint] if sprint is not None else [],
        )
        self._next_issue_id += 1
        self.issues[key] = issue
        self.rank.append(key)
        return issue

    def transition(self, issue: Issue, transition_id: str, *, by: str, at: datetime) -> None:
        allowed = {t.id: t for t in self.transitions_from(issue.status)}
        chosen = allowed.get(str(transition_id))
        if chosen is None:
            raise ModelError(
                400,
                [
                    f"It seems that you have tried to perform a workflow operation "
                    f"(transition {transition_id}) that is not valid for the current state of "
                    f"this issue ({issue.key}). The likely cause is that somebody has changed "
                    "the issue recently, please look at the issue history for details."
                ],
            )
        self.set_status(issue, chosen.to, by=by, at=at)

    def set_status(self, issue: Issue, status: str, *, by: str, at: datetime) -> None:
        before = self.statuses[issue.status]
        after = self.statuses[status]
        items = [HistoryItem("status", "jira", before.id, before.name, after.id, after.name)]
        if after.category == "done" and issue.resolution is None:
            items.append(HistoryItem("resolution", "jira", None, None, "10000", "Done"))
            issue.resolution, issue.resolved = "Done", at
        elif after.category != "done" and issue.resolution is not None:
            items.append(HistoryItem("resolution", "jira", "10000", "Done", None, None))
            issue.resolution, issue.resolved = None, None
        issue.status = status
        self._history(issue, by, at, items)

    def set_assignee(self, issue: Issue, name: str | None, *, by: str, at: datetime) -> None:
        if name is not None and name not in self.users:
            raise ModelError(400, errors={"assignee": f"User '{name}' does not exist."})
        if name == issue.assignee:
            return
        before, after = self.user(issue.assignee), self.user(name)
        item = HistoryItem(
            "assignee",
            "jira",
            before.name if before else None,
            before.display_name if before else None,
            after.name if after else None,
            after.display_name if after else None,
        )
        issue.assignee = name
        self._history(issue, by, at, [item])

    def set_points(self, issue: Issue, points: float | None, *, by: str, at: datetime) -> None:
        if points == issue.points:
            return
        before, after = points_text(issue.points), points_text(points)
        item = HistoryItem(POINTS_NAME, "custom", None, before, None, after)
        issue.points = points
        self._history(issue, by, at, [item])

    def set_flag(self, issue: Issue, flagged: bool, *, by: str, at: datetime) -> None:
        if flagged == issue.flagged:
            return
        on = (f"[{FLAG_OPTION_ID}]", FLAG_VALUE)
        before, after = (on, (None, None)) if issue.flagged else ((None, None), on)
        item = HistoryItem("Flagged", "custom", before[0], before[1], after[0], after[1])
        issue.flagged = flagged
        self._history(issue, by, at, [item])

    def set_fields(
        self, issue: Issue, changes: dict[str, str | None], *, by: str, at: datetime
    ) -> None:
        """Plain text fields (summary, description, priority)."""
        items = []
        for name, value in changes.items():
            if name == "summary" and (not value or not value.strip()):
                raise ModelError(
                    400, errors={"summary": "You must specify a summary of the issue."}
                )
            before = getattr(issue, name)
            if before == value:
                continue
            items.append(HistoryItem(name, "jira", None, before, None, value))
            setattr(issue, name, value)
        self._history(issue, by, at, items)

    def _sprint_names(self, ids: list[int]) -> str:
        return ", ".join(self.sprints[i].name for i in ids if i in self.sprints)

    def move_to_sprint(self, issue: Issue, sprint: Sprint | None, *, by: str, at: datetime) -> None:
        """Into `sprint` (out of any other open sprint), or to the backlog when None. Closed
        sprints stay in the field, as Jira keeps them."""
        if sprint is not None and sprint.state == "closed":
            raise ModelError(400, [f"Sprint {sprint.id} is closed; issues cannot be added to it."])
        before = list(issue.sprints)
        kept = [i for i in before if i in self.sprints and self.sprints[i].state == "closed"]
        after = [*kept, sprint.id] if sprint is not None else kept
        if after == before:
            return
        item = HistoryItem(
            "Sprint",
            "custom",
            ", ".join(str(i) for i in before),
            self._sprint_names(before),
            ", ".join(str(i) for i in after),
            self._sprint_names(after),
        )
        issue.sprints = after
        self._history(issue, by, at, [item])

    def carry_over(self, issue: Issue, sprint: Sprint, *, by: str, at: datetime) -> None:
        """As completing a sprint with "move open issues to" another does: the closed sprint
        stays in the field and the next one joins it."""
        before = list(issue.sprints)
        after = [*before, sprint.id]
        item = HistoryItem(
            "Sprint",
            "custom",
            ", ".join(str(i) for i in before),
            self._sprint_names(before),
            ", ".join(str(i) for i in after),
            self._sprint_names(after),
        )
        issue.sprints = after
        self._history(issue, by, at, [item])

    def add_comment(self, issue: Issue, body: str, *, by: str, at: datetime) -> Comment:
        if not body.strip():
            raise ModelError(400, errors={"comment": "Comment body can not be empty!"})
        comment = Comment(self._next_comment_id, by, body, at)
        self._next_comment_id += 1
        issue.comments.append(comment)
        issue.updated = max(issue.updated, at)
        return comment

    def rank_next_to(
        self, keys: list[str], other: str, *, before: bool, by: str, at: datetime
    ) -> None:
        if other not in self.issues:
            raise ModelError(400, [f"Issue {other} does not exist."])
        moving = [k for k in keys if k != other]
        for key in moving:
            self.rank.remove(key)
        place = self.rank.index(other) + (0 if before else 1)
        self.rank[place:place] = moving
        for key in moving:
            text = "Ranked higher" if before else "Ranked lower"
            self._history(
                self.issues[key], by, at, [HistoryItem("Rank", "custom", None, None, None, text)]
            )
