"""Jira through pycontribs/jira: a team's board, its active sprint and issues with story points
and changelog, recent sprints for velocity, the ranked backlog, and the changes a chat asks
for: create an issue, move it by status name (English or Korean), assign it, comment on it.

Every request has a timeout and the client's own retries are off (it would sleep up to a
minute while a person waits in chat). Kuber retries here, briefly and honouring Retry-After,
only where repeating is safe: a read always, a write only when Jira cannot have taken it
(429, 503, no connection). Vendor exceptions become `bot.errors` here, once; no vendor object
leaves this module. JQL is built from quoted, escaped values: text a person typed is only ever
a string inside JQL, never JQL syntax.
"""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal, Protocol, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import requests
from jira import JIRA, JIRAError
from jira.resources import Issue
from tenacity import RetryCallState, Retrying, retry_if_exception, stop_after_attempt
from tenacity.wait import wait_exponential, wait_random

from bot.errors import KuberError, PermanentError, TemporaryError, UserError

DEFAULT_TIMEOUT = 10.0
#: Tries of one request: the first and three more, a couple of seconds in all.
ATTEMPTS = 4
#: The longest Kuber waits on a Retry-After before trying again: a person is waiting.
MAX_RETRY_WAIT = 5.0
#: How long a board's configuration, the fields and the statuses are kept.
METADATA_TTL = 600.0
#: Names Jira Software gives the story points field (Server, then Cloud's team-managed).
POINTS_FIELD_NAMES = ("Story Points", "Story point estimate")
ISSUE_KEY = re.compile(r"^[A-Z][A-Z0-9_]{1,9}-[1-9][0-9]{0,8}$")
#: What the issue lists ask for: enough for sprint math and a readable line, not more.
_FIELDS = (
    "summary",
    "issuetype",
    "status",
    "assignee",
    "created",
    "updated",
    "resolutiondate",
    "priority",
)

StatusCategory = Literal["todo", "in_progress", "done"]
_CATEGORIES: dict[str, StatusCategory] = {
    "new": "todo",
    "undefined": "todo",
    "indeterminate": "in_progress",
    "done": "done",
}

#: Status names as people type them (Korean, or loosely) -> the name most workflows use.
STATUS_NAMES: dict[str, str] = {
    "완료": "Done",
    "완료됨": "Done",
    "끝": "Done",
    "done": "Done",
    "closed": "Done",
    "진행 중": "In Progress",
    "진행중": "In Progress",
    "진행": "In Progress",
    "in progress": "In Progress",
    "doing": "In Progress",
    "할 일": "To Do",
    "할일": "To Do",
    "해야 할 일": "To Do",
    "to do": "To Do",
    "todo": "To Do",
    "to-do": "To Do",
    "차단됨": "Blocked",
    "차단": "Blocked",
    "막힘": "Blocked",
    "blocked": "Blocked",
}
#: Where a status name means a category, the category (a workflow may call Done "Closed").
_CATEGORY_OF_NAME: dict[str, StatusCategory] = {
    "Done": "done",
    "In Progress": "in_progress",
    "To Do": "todo",
}
_T = TypeVar("_T")


# -- errors ----------------------------------------------------------------------------------
class JiraUnavailable(TemporaryError):
    """Jira did not answer, answered 5xx or 429. `taken`: it may have done what was asked
    (a timeout after sending, a 500), so a write must not be sent again."""

    def __init__(
        self, key: str, /, *, taken: bool, delay: float | None = None, **params: object
    ) -> None:
        self.taken = taken
        super().__init__(key, delay=delay, **params)


class IssueNotFound(UserError):
    """No issue has that key, or Kuber's Jira account may not see it."""


class TransitionNotAllowed(UserError):
    """The workflow has no way from the issue's status to the one asked; `choices` are the
    statuses it can go to."""


# -- values ----------------------------------------------------------------------------------
@dataclass(frozen=True)
class Status:
    name: str
    category: StatusCategory
    id: str = ""


@dataclass(frozen=True)
class StatusChange:
    at: datetime
    before: Status | None
    after: Status


@dataclass(frozen=True)
class SprintChange:
    at: datetime
    before: frozenset[int]
    after: frozenset[int]


@dataclass(frozen=True)
class PointsChange:
    at: datetime
    before: float | None
    after: float | None


@dataclass(frozen=True)
class IssueInfo:
    key: str
    summary: str
    issue_type: str
    status: Status
    points: float | None
    #: The assignee's display name, and their Jira user name (None: unassigned).
    assignee: str | None
    assignee_user: str | None
    flagged: bool
    created: datetime
    url: str
    updated: datetime | None = None
    resolved: datetime | None = None
    priority: str | None = None
    #: The sprints the issue is or was in (Jira keeps closed sprints in the field).
    sprint_ids: frozenset[int] = frozenset()
    #: From the changelog, oldest first (empty unless asked for).
    status_changes: tuple[StatusChange, ...] = ()
    sprint_changes: tuple[SprintChange, ...] = ()
    points_changes: tuple[PointsChange, ...] = ()


@dataclass(frozen=True)
class SprintInfo:
    id: int
    name: str
    state: str
    goal: str | None
    start: datetime | None
    end: datetime | None
    completed: datetime | None
    board: int | None = None


@dataclass(frozen=True)
class BoardInfo:
    id: int
    name: str
    project: str
    url: str
    #: The field story points are kept in, and its name (changelog items carry the name).
    points_field: str | None
    points_name: str | None
    flag_field: str | None = None
    sprint_field: str | None = None


@dataclass(frozen=True)
class TransitionInfo:
    id: str
    name: str
    to: Status


@dataclass(frozen=True)
class JiraUser:
    #: The identifier Jira assigns by: the user name on Server, the account id on Cloud.
    name: str
    display_name: str
    email: str | None = None


@dataclass(frozen=True)
class Moved:
    key: str
    before: Status
    after: Status
    summary: str
    url: str

    @property
    def changed(self) -> bool:
        return self.before.name != self.after.name


@dataclass(frozen=True)
class Backlog:
    issues: tuple[IssueInfo, ...]
    #: How many issues the backlog holds in all.
    total: int


@dataclass
class _Cached:
    value: Any
    until: float


# -- JQL -----------------------------------------------------------------------------------
def jql_value(value: str | int) -> str:
    """A JQL value: a number as is, anything else a double-quoted string with `\\` and `"`
    escaped and control characters blanked, so it can never end the string early."""
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    text = re.sub(r"[\x00-\x1f\x7f]", " ", str(value))
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def jql_list(values: Iterable[str | int]) -> str:
    return "(" + ", ".join(jql_value(v) for v in values) + ")"


def jql_time(moment: datetime, zone: ZoneInfo) -> str:
    """A moment as JQL takes it: minutes, in the searching user's time zone, quoted."""
    return jql_value(moment.astimezone(zone).strftime("%Y-%m-%d %H:%M"))


def search_terms(text: str, limit: int = 8) -> str:
    """Words of `text` for a text search (`~`): letters and digits only, lower case, so no
    Lucene operator (`OR`, `-`, `*`, `"`) survives inside the quoted value."""
    words = [w.lower() for w in re.findall(r"\w+", text) if len(w) > 1 or w.isdigit()]
    return " ".join(words[:limit])


def check_key(key: str) -> str:
    """An issue key (PAY-12), upper-cased; refused before Jira hears of anything else."""
    candidate = key.strip().upper()
    if not ISSUE_KEY.match(candidate):
        raise UserError("jira_issue_key_invalid", key=key)
    return candidate


def canonical_status(name: str) -> str:
    """The status name `name` means: Korean and loose spellings to the usual English."""
    cleaned = " ".join(name.strip().split())
    return STATUS_NAMES.get(cleaned.lower(), STATUS_NAMES.get(cleaned, cleaned))


# -- parsing what Jira sends ---------------------------------------------------------------
def parse_time(value: Any) -> datetime | None:
    """Jira's `2024-03-04T10:15:00.000+0000` (REST) or `…+09:00`/`…Z` (Agile)."""
    if not value:
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _number(value: Any) -> float | None:
    if value in (None, ""):
        return None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _sprint_ids(value: Any) -> frozenset[int]:
    """The Sprint field: objects (Cloud, Agile API) or `…Sprint@1f[id=12,…]` strings
    (Server's REST v2), or a changelog's `"11, 12"`."""
    if not value:
        return frozenset()
    items = value if isinstance(value, list) else [value]
    found: set[int] = set()
    for item in items:
        if isinstance(item, dict) and item.get("id") is not None:
            found.add(int(item["id"]))
        elif isinstance(item, int):
            found.add(item)
        elif isinstance(item, str):
            match = re.search(r"\bid=(\d+)", item)
            if match:
                found.add(int(match.group(1)))
            else:
                found.update(int(part) for part in re.findall(r"\d+", item))
    return frozenset(found)


def _sprint(raw: Mapping[str, Any]) -> SprintInfo:
    board = raw.get("originBoardId")
    return SprintInfo(
        id=int(raw["id"]),
        name=str(raw.get("name") or raw["id"]),
        state=str(raw.get("state") or "").lower(),
        goal=(str(raw["goal"]).strip() or None) if raw.get("goal") else None,
        start=parse_time(raw.get("startDate")),
        end=parse_time(raw.get("endDate")),
        completed=parse_time(raw.get("completeDate")),
        board=int(board) if board is not None else None,
    )


# -- settings ------------------------------------------------------------------------------
class _Secret(Protocol):
    def get_secret_value(self) -> str: ...


class _JiraEnv(Protocol):
    @property
    def jira_url(self) -> str | None: ...

    @property
    def jira_user(self) -> str | None: ...

    @property
    def jira_token(self) -> _Secret | None: ...


class JiraSettings(Protocol):
    """What `jira_for` reads of Kuber's settings (`bot.settings.Settings` has it; the
    integration names only the shape, as it sits below the core)."""

    @property
    def env(self) -> _JiraEnv: ...


_clients: dict[tuple[str, str, str], JiraBoards] = {}
_clients_lock = threading.Lock()


def jira_for(settings: JiraSettings) -> JiraBoards:
    """The shared client of `KUBER_JIRA_URL` as `KUBER_JIRA_USER` with `KUBER_JIRA_TOKEN`;
    `UserError` naming the variable that is missing."""
    env = settings.env
    if not env.jira_url:
        raise UserError("not_configured", system="Jira", variable="KUBER_JIRA_URL")
    if not env.jira_user:
        raise UserError("not_configured", system="Jira", variable="KUBER_JIRA_USER")
    token = env.jira_token.get_secret_value() if env.jira_token else ""
    if not token:
        raise UserError("not_configured", system="Jira", variable="KUBER_JIRA_TOKEN")
    key = (env.jira_url.rstrip("/"), env.jira_user, token)
    with _clients_lock:
        if key not in _clients:
            _clients[key] = JiraBoards(*key)
        return _clients[key]


# -- the client ----------------------------------------------------------------------------
_backoff = wait_exponential(multiplier=0.2, max=2.0) + wait_random(0, 0.2)


class JiraBoards:
    """One Jira, as Kuber's account sees it. Safe to share between threads."""

    def __init__(
        self,
        url: str,
        user: str,
        token: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        attempts: int = ATTEMPTS,
        max_wait: float = MAX_RETRY_WAIT,
    ) -> None:
        self.url = url.rstrip("/")
        self.user = user
        self._token = token
        self.timeout = timeout
        self.attempts = attempts
        self.max_wait = max_wait
        self._lock = threading.Lock()
        self._client: JIRA | None = None
        self._cache: dict[str, _Cached] = {}

    # -- plumbing --------------------------------------------------------------------------
    def _jira(self) -> JIRA:
        with self._lock:
            if self._client is None:
                # Constructing it asks for serverInfo (Server or Cloud changes the search).
                self._client = JIRA(
                    server=self.url,
                    basic_auth=(self.user, self._token),
                    max_retries=0,
                    timeout=self.timeout,
                    options={"check_update": False},
                )
            return self._client

    def _request(
        self,
        what: str,
        fn: Callable[[JIRA], _T],
        *,
        write: bool = False,
        not_found: KuberError | None = None,
    ) -> _T:
        """`fn(client)`, mapped into Kuber's errors and retried where that is safe."""

        def once() -> _T:
            try:
                return fn(self._jira())
            except JIRAError as exc:
                raise self._jira_error(exc, what, not_found) from None
            except requests.RequestException as exc:
                raise self._network_error(exc) from None
            except (ValueError, KeyError, TypeError) as exc:
                raise PermanentError(
                    "jira_bad_answer", url=self.url, what=what, detail=type(exc).__name__
                ) from None

        def may_retry(error: BaseException) -> bool:
            return isinstance(error, JiraUnavailable) and not (write and error.taken)

        retryer = Retrying(
            stop=stop_after_attempt(self.attempts),
            wait=self._wait,
            retry=retry_if_exception(may_retry),
            reraise=True,
        )
        return retryer(once)

    def _wait(self, state: RetryCallState) -> float:
        error = state.outcome.exception() if state.outcome else None
        hinted = getattr(error, "delay", None) or 0.0
        return max(_backoff(state), min(float(hinted), self.max_wait))

    def _jira_error(self, exc: JIRAError, what: str, not_found: KuberError | None) -> KuberError:
        # `str(exc)` holds the request's headers, credentials included: only the status
        # and Jira's own words are kept.
        status = exc.status_code
        detail = (exc.text or "").strip()[:300] or "-"
        response = exc.response
        retry_after = response.headers.get("Retry-After") if response is not None else None
        delay = float(retry_after) if retry_after and retry_after.isdigit() else None
        if status == 401:
            return PermanentError("jira_unauthorized", url=self.url, user=self.user)
        if status == 403:
            return PermanentError(
                "jira_forbidden", url=self.url, user=self.user, what=what, detail=detail
            )
        if status == 404:
            return not_found or PermanentError("jira_not_found", what=what, detail=detail)
        if status == 429:
            return JiraUnavailable("jira_rate_limited", taken=False, delay=delay, url=self.url)
        if status is not None and status >= 500:
            return JiraUnavailable(
                "jira_server_error",
                taken=status != 503,
                delay=delay,
                url=self.url,
                status=status,
                what=what,
            )
        if status is not None and 400 <= status < 500:
            return UserError("jira_rejected", what=what, detail=detail)
        return PermanentError("jira_failed", what=what, detail=detail)

    def _network_error(self, exc: requests.RequestException) -> JiraUnavailable:
        if isinstance(exc, requests.exceptions.ConnectTimeout):
            return JiraUnavailable(
                "jira_down", taken=False, url=self.url, reason="connection timed out"
            )
        if isinstance(exc, requests.exceptions.Timeout):
            return JiraUnavailable(
                "jira_down", taken=True, url=self.url, reason=f"no answer in {self.timeout:g} s"
            )
        if isinstance(exc, requests.exceptions.ConnectionError) and _never_connected(exc):
            return JiraUnavailable("jira_down", taken=False, url=self.url, reason="no connection")
        return JiraUnavailable("jira_down", taken=True, url=self.url, reason=type(exc).__name__)

    def _cached(self, key: str, load: Callable[[], _T]) -> _T:
        now = time.monotonic()
        with self._lock:
            hit = self._cache.get(key)
            if hit is not None and hit.until > now:
                return hit.value  # type: ignore[no-any-return]
        value = load()
        with self._lock:
            self._cache[key] = _Cached(value, now + METADATA_TTL)
        return value

    # -- metadata --------------------------------------------------------------------------
    def _statuses(self) -> dict[str, Status]:
        """Every status by id and by name: the changelog names statuses by id."""

        def load() -> dict[str, Status]:
            raw = self._request("statuses", lambda j: j._get_json("status"))
            found: dict[str, Status] = {}
            for item in raw:
                status = _status(item)
                found[status.id] = status
                found[status.name.lower()] = status
            return found

        return self._cached("statuses", load)

    def _field_ids(self) -> dict[str, str]:
        """Field name -> id, for the custom fields that have no fixed id."""

        def load() -> dict[str, str]:
            raw = self._request("fields", lambda j: j.fields())
            return {str(f["name"]): str(f["id"]) for f in raw}

        return self._cached("fields", load)

    def _zone(self) -> ZoneInfo:
        """Kuber's Jira user's time zone: JQL reads dates in it."""

        def load() -> ZoneInfo:
            me = self._request("myself", lambda j: j.myself())
            try:
                return ZoneInfo(str(me.get("timeZone") or "UTC"))
            except (ZoneInfoNotFoundError, ValueError):
                return ZoneInfo("UTC")

        return self._cached("zone", load)

    def board(self, board_id: int, project: str) -> BoardInfo:
        """The team's board and where its story points are kept: the estimation field of the
        board configuration, else the field named Story Points."""

        def load() -> BoardInfo:
            missing = PermanentError("jira_board_unknown", board=board_id, project=project)
            raw = self._request(
                "board",
                lambda j: j._get_json(f"board/{int(board_id)}", base=j.AGILE_BASE_URL),
                not_found=missing,
            )
            configuration = self._request(
                "board configuration",
                lambda j: j._get_json(
                    f"board/{int(board_id)}/configuration", base=j.AGILE_BASE_URL
                ),
                not_found=missing,
            )
            location = raw.get("location") or {}
            on_project = location.get("projectKey")
            if on_project and str(on_project).upper() != project.upper():
                raise PermanentError(
                    "jira_board_other_project", board=board_id, project=project, other=on_project
                )
            ids = self._field_ids()
            estimation = (configuration.get("estimation") or {}).get("field") or {}
            points_field = estimation.get("fieldId")
            points_name = estimation.get("displayName")
            if not points_field:
                points_name = next((n for n in POINTS_FIELD_NAMES if n in ids), None)
                points_field = ids.get(points_name) if points_name else None
            names = {v: k for k, v in ids.items()}
            return BoardInfo(
                id=int(board_id),
                name=str(raw.get("name") or board_id),
                project=project.upper(),
                url=f"{self.url}/secure/RapidBoard.jspa?rapidView={int(board_id)}",
                points_field=points_field,
                points_name=names.get(points_field, points_name) if points_field else None,
                flag_field=ids.get("Flagged"),
                sprint_field=ids.get("Sprint"),
            )

        return self._cached(f"board:{board_id}:{project}", load)

    # -- sprints ---------------------------------------------------------------------------
    def sprints(self, board: BoardInfo, state: str) -> list[SprintInfo]:
        """The board's sprints in `state` (active, future, closed), in Jira's order."""
        raw = self._request(
            f"{state} sprints",
            lambda j: j.sprints(board.id, state=state, maxResults=False),
        )
        return [_sprint(s.raw) for s in raw]

    def active_sprint(self, board: BoardInfo) -> SprintInfo | None:
        """The board's running sprint; with parallel sprints, the one started last."""
        running = [s for s in self.sprints(board, "active") if s.board in (None, board.id)]
        if not running:
            return None
        return max(running, key=lambda s: s.start or datetime.min.replace(tzinfo=UTC))

    def recent_sprints(self, board: BoardInfo, limit: int = 3) -> list[SprintInfo]:
        """The last `limit` closed sprints of the board, newest first."""
        closed = [s for s in self.sprints(board, "closed") if s.board in (None, board.id)]
        closed.sort(key=lambda s: s.completed or s.end or datetime.min.replace(tzinfo=UTC))
        return list(reversed(closed[-limit:])) if limit else []

    def sprint_issues(
        self, board: BoardInfo, sprint_ids: Sequence[int], *, changelog: bool = True
    ) -> list[IssueInfo]:
        """Every issue that is or was in these sprints, by rank, with their changelog."""
        if not sprint_ids:
            return []
        ids = [int(i) for i in sprint_ids]
        where = f"sprint = {ids[0]}" if len(ids) == 1 else f"sprint in {jql_list(ids)}"
        return self._search(board, f"{where} ORDER BY Rank ASC", changelog=changelog)

    def backlog(self, board: BoardInfo, limit: int = 10) -> Backlog:
        """The first `limit` issues of the board's backlog, by rank, and how many it holds."""

        def fetch(j: JIRA) -> Any:
            return j._fetch_pages(
                Issue,
                "issues",
                f"board/{board.id}/backlog",
                0,
                limit,
                {"fields": ",".join(self._fields_for(board))},
                base=j.AGILE_BASE_URL,
            )

        found = self._request("backlog", fetch)
        issues = tuple(self._issue(i.raw, board) for i in found)
        total = int(getattr(found, "total", None) or len(issues))
        return Backlog(issues, total)

    def created_since(
        self, board: BoardInfo, since: datetime, *, issue_type: str = "Bug", limit: int = 20
    ) -> list[IssueInfo]:
        """Issues of `issue_type` created in the board's project since `since`, newest first."""
        jql = (
            f"project = {jql_value(board.project)} AND issuetype = {jql_value(issue_type)} "
            f"AND created >= {jql_time(since, self._zone())} ORDER BY created DESC"
        )
        return self._search(board, jql, changelog=False, limit=limit)

    def open_issues_like(self, board: BoardInfo, summary: str, limit: int = 5) -> list[IssueInfo]:
        """Open issues of the board's project whose summary has the same words as `summary`:
        a likely duplicate of what is about to be filed."""
        terms = search_terms(summary)
        if not terms:
            return []
        jql = (
            f"project = {jql_value(board.project)} AND statusCategory != Done "
            f"AND summary ~ {jql_value(terms)} ORDER BY created DESC"
        )
        wanted = search_terms(summary, limit=50)
        found = self._search(board, jql, changelog=False, limit=20)
        return [i for i in found if search_terms(i.summary, limit=50) == wanted][:limit]

    def _fields_for(self, board: BoardInfo) -> list[str]:
        extra = [f for f in (board.points_field, board.flag_field, board.sprint_field) if f]
        return [*_FIELDS, *extra]

    def _search(
        self, board: BoardInfo, jql: str, *, changelog: bool, limit: int | None = None
    ) -> list[IssueInfo]:
        def run(j: JIRA) -> Any:
            return j.search_issues(
                jql,
                maxResults=limit or False,
                fields=self._fields_for(board),
                expand="changelog" if changelog else None,
            )

        found = self._request("search", run)
        return [self._issue(i.raw, board) for i in found]

    # -- one issue -------------------------------------------------------------------------
    def issue(self, key: str, board: BoardInfo | None = None) -> IssueInfo:
        key = check_key(key)
        fields = ",".join(self._fields_for(board)) if board else ",".join(_FIELDS)
        raw = self._request(
            "issue",
            lambda j: j._get_json(f"issue/{key}", params={"fields": fields}),
            not_found=IssueNotFound("jira_issue_unknown", key=key, url=self.url),
        )
        return self._issue(raw, board)

    def transitions(self, key: str) -> list[TransitionInfo]:
        key = check_key(key)
        raw = self._request(
            "transitions",
            lambda j: j.transitions(key),
            not_found=IssueNotFound("jira_issue_unknown", key=key, url=self.url),
        )
        return [
            TransitionInfo(str(t["id"]), str(t.get("name") or ""), _status(t.get("to") or {}))
            for t in raw
        ]

    def create_issue(
        self,
        board: BoardInfo,
        *,
        issue_type: str,
        summary: str,
        description: str | None = None,
        assignee: JiraUser | None = None,
        sprint: int | None = None,
    ) -> IssueInfo:
        """File an issue in the board's project (into `sprint` when given)."""
        fields: dict[str, Any] = {
            "project": {"key": board.project},
            "issuetype": {"name": issue_type},
            "summary": summary,
        }
        if description:
            fields["description"] = description
        if assignee is not None:
            fields["assignee"] = {"name": assignee.name}
        created = self._request(
            "create issue",
            lambda j: j.create_issue(fields=fields, prefetch=False),
            write=True,
        )
        key = str(created.key)
        if sprint is not None:
            self._request(
                "add to sprint",
                lambda j: j.add_issues_to_sprint(int(sprint), [key]),
                write=True,
            )
        return self.issue(key, board)

    def move(self, key: str, status: str, *, comment: str | None = None) -> Moved:
        """Move the issue to the status named `status` (English or Korean) through the
        workflow transition that leads there. `TransitionNotAllowed` lists where it can go."""
        key = check_key(key)
        issue = self.issue(key)
        wanted = canonical_status(status)
        if _same(wanted, issue.status.name):
            return Moved(key, issue.status, issue.status, issue.summary, issue.url)
        options = self.transitions(key)
        chosen = _transition_to(wanted, options)
        if chosen is None:
            allowed = list(dict.fromkeys(t.to.name for t in options))
            known = self._statuses()
            if wanted.lower() not in known and wanted not in _CATEGORY_OF_NAME:
                raise UserError(
                    "jira_status_unknown",
                    choices=allowed,
                    slot="status",
                    status=status,
                    key=key,
                    allowed=", ".join(allowed) or "-",
                )
            raise TransitionNotAllowed(
                "jira_transition_not_allowed" if allowed else "jira_transition_none",
                choices=allowed,
                slot="status",
                key=key,
                current=issue.status.name,
                wanted=wanted,
                allowed=", ".join(allowed) or "-",
            )
        self._request(
            "transition",
            lambda j: j.transition_issue(key, chosen.id, comment=comment),
            write=True,
            not_found=IssueNotFound("jira_issue_unknown", key=key, url=self.url),
        )
        return Moved(key, issue.status, chosen.to, issue.summary, issue.url)

    def find_user(self, who: str) -> JiraUser | None:
        """The Jira user whose user name or email is exactly `who`."""
        wanted = who.strip().lower()
        if not wanted:
            return None

        def run(j: JIRA) -> Any:
            if j._is_cloud:
                return j.search_users(query=who, maxResults=20)
            return j.search_users(user=who, maxResults=20)

        for user in self._request("user search", run):
            raw = user.raw
            ident = str(raw.get("accountId") or raw.get("name") or "")
            email = raw.get("emailAddress")
            if wanted in (ident.lower(), str(email or "").lower()):
                return JiraUser(ident, str(raw.get("displayName") or ident), email)
        return None

    def assign(self, key: str, user: JiraUser | None) -> tuple[IssueInfo, str | None]:
        """Assign the issue (None: unassign); returns it and who had it before."""
        key = check_key(key)
        before = self.issue(key)
        self._request(
            "assign",
            lambda j: j.assign_issue(key, user.name if user else None),
            write=True,
            not_found=IssueNotFound("jira_issue_unknown", key=key, url=self.url),
        )
        return self.issue(key), before.assignee

    def comment(self, key: str, body: str) -> None:
        key = check_key(key)
        self._request(
            "comment",
            lambda j: j.add_comment(key, body),
            write=True,
            not_found=IssueNotFound("jira_issue_unknown", key=key, url=self.url),
        )

    # -- reading issues --------------------------------------------------------------------
    def _issue(self, raw: Mapping[str, Any], board: BoardInfo | None) -> IssueInfo:
        fields = raw.get("fields") or {}
        statuses = self._statuses()
        status = _status(fields.get("status") or {}, statuses)
        points_field = board.points_field if board else None
        assignee = fields.get("assignee") or {}
        flag_value = fields.get(board.flag_field) if board and board.flag_field else None
        sprint_value = fields.get("sprint") or fields.get("closedSprints")
        status_changes: list[StatusChange] = []
        sprint_changes: list[SprintChange] = []
        points_changes: list[PointsChange] = []
        points_name = board.points_name if board else None
        histories = (raw.get("changelog") or {}).get("histories") or []
        for history in sorted(histories, key=lambda h: str(h.get("created") or "")):
            at = parse_time(history.get("created"))
            if at is None:
                continue
            for item in history.get("items") or []:
                name = item.get("field")
                if name == "status":
                    before = _historic(item.get("from"), item.get("fromString"), statuses)
                    after = _historic(item.get("to"), item.get("toString"), statuses)
                    if after is not None:
                        status_changes.append(StatusChange(at, before, after))
                elif name == "Sprint":
                    sprint_changes.append(
                        SprintChange(at, _sprint_ids(item.get("from")), _sprint_ids(item.get("to")))
                    )
                elif points_name and name == points_name:
                    points_changes.append(
                        PointsChange(
                            at, _number(item.get("fromString")), _number(item.get("toString"))
                        )
                    )
        sprint_ids = _sprint_ids(sprint_value)
        for field_id, value in fields.items():
            if str(field_id).startswith("customfield_") and _looks_like_sprints(value):
                sprint_ids |= _sprint_ids(value)
        key = str(raw.get("key"))
        return IssueInfo(
            key=key,
            summary=str(fields.get("summary") or ""),
            issue_type=str((fields.get("issuetype") or {}).get("name") or ""),
            status=status,
            points=_number(fields.get(points_field)) if points_field else None,
            assignee=assignee.get("displayName") or assignee.get("name") if assignee else None,
            assignee_user=(assignee.get("accountId") or assignee.get("name")) if assignee else None,
            flagged=bool(fields.get("flagged")) or bool(flag_value),
            created=parse_time(fields.get("created")) or datetime.now(UTC),
            url=f"{self.url}/browse/{key}",
            updated=parse_time(fields.get("updated")),
            resolved=parse_time(fields.get("resolutiondate")),
            priority=(fields.get("priority") or {}).get("name"),
            sprint_ids=sprint_ids,
            status_changes=tuple(status_changes),
            sprint_changes=tuple(sprint_changes),
            points_changes=tuple(points_changes),
        )


def _status(raw: Mapping[str, Any], known: Mapping[str, Status] | None = None) -> Status:
    category = (raw.get("statusCategory") or {}).get("key")
    name = str(raw.get("name") or "?")
    if category is None and known is not None:
        found = known.get(str(raw.get("id"))) or known.get(name.lower())
        if found is not None:
            return found
    return Status(name, _CATEGORIES.get(str(category), "todo"), str(raw.get("id") or ""))


def _historic(ident: Any, name: Any, known: Mapping[str, Status]) -> Status | None:
    """A status the changelog names: by id, else by name; a status since deleted keeps its
    name and counts as not started."""
    if ident is None and name is None:
        return None
    found = known.get(str(ident)) or known.get(str(name or "").lower())
    return found or Status(str(name or ident), _CATEGORY_OF_NAME.get(str(name), "todo"), str(ident))


def _looks_like_sprints(value: Any) -> bool:
    if not isinstance(value, list) or not value:
        return False
    first = value[0]
    if isinstance(first, str):
        return "greenhopper.service.sprint.Sprint" in first
    return isinstance(first, dict) and "boardId" in first and "state" in first


def _same(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def _transition_to(wanted: str, options: Sequence[TransitionInfo]) -> TransitionInfo | None:
    """The transition leading to the status `wanted`; else one named so; else, when `wanted`
    is a category's usual name (Done), the only one leading into that category."""
    for option in options:
        if _same(option.to.name, wanted):
            return option
    for option in options:
        if _same(option.name, wanted):
            return option
    category = _CATEGORY_OF_NAME.get(wanted)
    if category is not None:
        into = [o for o in options if o.to.category == category]
        if len(into) == 1:
            return into[0]
    return None


def _never_connected(exc: requests.exceptions.ConnectionError) -> bool:
    """True when the connection was never made (refused, no route, no such host): the
    request cannot have reached Jira."""
    reason: Any = exc.args[0] if exc.args else None
    reason = getattr(reason, "reason", reason)
    text = type(reason).__name__ + " " + str(reason)
    return any(
        mark in text
        for mark in (
            "NewConnectionError",
            "NameResolutionError",
            "Connection refused",
            "ConnectTimeout",
        )
    )


__all__ = [
    "Backlog",
    "BoardInfo",
    "IssueInfo",
    "IssueNotFound",
    "JiraBoards",
    "JiraUnavailable",
    "JiraUser",
    "Moved",
    "PointsChange",
    "SprintChange",
    "SprintInfo",
    "Status",
    "StatusCategory",
    "StatusChange",
    "TransitionInfo",
    "TransitionNotAllowed",
    "canonical_status",
    "check_key",
    "jira_for",
    "jql_value",
    "search_terms",
]
