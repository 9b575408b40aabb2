"""A local Jira (Server) with Jira Software's Agile API: enough that pycontribs/jira works
against it unchanged.

REST v2 (also under `latest`): serverInfo (a Server deployment, so the client searches with
`/search`), myself, fields, statuses, issue types, projects, users and user search, search by
JQL (`sandbox.jira_jql`: the subset Kuber emits), issues created, read (`expand=changelog`),
updated, transitioned (To Do -> In Progress -> Done, with Blocked), assigned and commented.
Agile 1.0: boards, board configuration (the estimation field), sprints, sprint issues, the
backlog, rank, moving issues into a sprint or back to the backlog. Basic auth with an API
token (401 without a valid one; serverInfo also answers anonymously), 429 with Retry-After
when a rate limit is set or `throttle()` is called, and every error in Jira's shape
(`{"errorMessages": [...], "errors": {...}}`). `GET /_sandbox/state` shows the projects,
sprints, issues and calls.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import math
import secrets
import time
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, cast

from sandbox.http import Request, Response, SandboxServer
from sandbox.jira_jql import Context, JqlError, search
from sandbox.jira_json import (
    agile_time,
    board_configuration_json,
    board_json,
    comment_json,
    error_body,
    field_list,
    issue_json,
    issue_type_json,
    myself_json,
    priority_json,
    project_json,
    rest_time,
    server_info,
    sprint_json,
    status_json,
    transition_json,
    user_json,
)
from sandbox.jira_model import (
    FLAGGED_FIELD,
    ISSUE_TYPES,
    POINTS_FIELD,
    PRIORITIES,
    SPRINT_FIELD,
    Issue,
    JiraWorld,
    ModelError,
    Sprint,
    User,
)
from sandbox.jira_seed import BOT, seed_team

__all__ = ["JiraSandbox"]

API = r"/rest/api/(?P<version>2|latest)"
AGILE = "/rest/agile/1.0"
#: The most issues one page of a search returns (Jira's `jira.search.views.default.max`).
MAX_RESULTS = 1000
_NOT_SETTABLE = "Field '{name}' cannot be set. It is not on the appropriate screen, or unknown."
_SETTABLE = {
    "project",
    "issuetype",
    "summary",
    "description",
    "assignee",
    "reporter",
    "priority",
    "labels",
    POINTS_FIELD,
    SPRINT_FIELD,
    FLAGGED_FIELD,
}


def _error(status: int, *messages: str, **errors: str) -> Response:
    return Response(status, error_body(list(messages), errors))


def _model_error(exc: ModelError) -> Response:
    return Response(exc.status, error_body(exc.messages, exc.errors))


def _parse_time(value: Any) -> datetime | None:
    if value in (None, ""):
        return None
    moment = datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _page(request: Request, body: dict[str, Any] | None = None) -> tuple[int, int]:
    source = body or {}
    start = int(source.get("startAt", request.arg("startAt", "0")) or 0)
    size = int(source.get("maxResults", request.arg("maxResults", "50")) or 50)
    return max(start, 0), max(0, min(size, MAX_RESULTS))


def _list_arg(request: Request, name: str) -> list[str]:
    return [part for value in request.query.get(name, []) for part in value.split(",") if part]


class JiraSandbox(SandboxServer):
    name = "jira"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        user: str = BOT.name,
        token: str | None = None,
        seed: bool = True,
        now: datetime | None = None,
        estimation: bool = True,
        rate_limit: int | None = None,
        rate_window: float = 60.0,
    ) -> None:
        """`rate_limit` requests per `rate_window` seconds for each user answer 429 beyond;
        `estimation=False` gives board 1 a configuration without an estimation field."""
        super().__init__(host, port)
        # Headers and body leave in two writes; with Nagle's algorithm on, the body waits for
        # the client's delayed ACK, some 40 ms a request. A digest makes a dozen requests.
        handler = cast(type, self._server.RequestHandlerClass)
        self._server.RequestHandlerClass = type(
            "JiraHandler", (handler,), {"disable_nagle_algorithm": True}
        )
        self.world = JiraWorld()
        self.world.add_user(
            BOT if user == BOT.name else User(user, user, f"{user}@example.com", "JIRAUSER19999")
        )
        self.user = user
        #: Jira username -> API token: who may call the API.
        self.tokens: dict[str, str] = {user: token or secrets.token_hex(12)}
        self.rate_limit = rate_limit
        self.rate_window = rate_window
        self._windows: dict[str, tuple[float, int]] = {}
        if seed:
            seed_team(self.world, now=now or datetime.now(UTC), estimation=estimation)
        self._routes_jira()

    @property
    def token(self) -> str:
        return self.tokens[self.user]

    # -- set-up ----------------------------------------------------------------------------
    def throttle(
        self, times: int = 0, *, retry_after: int = 1, for_seconds: float | None = None
    ) -> None:
        """Answer the next `times` API calls (0: all, until `clear_faults`) with 429 and
        `Retry-After`, as Jira's rate limiting does."""
        self.inject(
            r"^\w+ /rest/",
            429,
            times=times,
            for_seconds=for_seconds,
            body=error_body(["Rate limit exceeded."]),
            headers={"Retry-After": str(retry_after), "X-RateLimit-Remaining": "0"},
        )

    def fault_body(self, status: int) -> Any:
        return error_body([f"Injected fault {status}"])

    def issue(self, key: str) -> Issue | None:
        with self.lock:
            return self.world.issue(key)

    # -- routes ----------------------------------------------------------------------------
    def _routes_jira(self) -> None:
        get, post, put = "GET", "POST", "PUT"
        routes: list[tuple[str, str, Callable[[Request], Response]]] = [
            (get, API + "/myself", self._myself),
            (get, API + "/field", lambda _r: Response(body=field_list())),
            (get, API + "/status", self._statuses),
            (get, API + "/issuetype", self._issue_types),
            (get, API + "/priority", self._priorities),
            (get, API + "/project", self._projects),
            (get, API + "/project/{project}", self._project),
            (get, API + "/user", self._user_get),
            (get, API + "/user/search", self._user_search),
            (get, API + "/search", self._search),
            (post, API + "/search", self._search),
            (post, API + "/issue", self._create_issue),
            (get, API + "/issue/{key}", self._get_issue),
            (put, API + "/issue/{key}", self._update_issue),
            (get, API + "/issue/{key}/transitions", self._transitions),
            (post, API + "/issue/{key}/transitions", self._transition),
            (put, API + "/issue/{key}/assignee", self._assign),
            (get, API + "/issue/{key}/comment", self._comments),
            (post, API + "/issue/{key}/comment", self._add_comment),
            (get, AGILE + "/board", self._boards),
            (get, AGILE + "/board/{board}", self._board),
            (get, AGILE + "/board/{board}/configuration", self._board_configuration),
            (get, AGILE + "/board/{board}/sprint", self._board_sprints),
            (get, AGILE + "/board/{board}/sprint/{sprint}/issue", self._sprint_issues),
            (get, AGILE + "/board/{board}/backlog", self._backlog),
            (get, AGILE + "/board/{board}/issue", self._board_issues),
            (post, AGILE + "/sprint", self._create_sprint),
            (get, AGILE + "/sprint/{sprint}", self._sprint),
            (put, AGILE + "/sprint/{sprint}", lambda r: self._update_sprint(r, full=True)),
            (post, AGILE + "/sprint/{sprint}", lambda r: self._update_sprint(r, full=False)),
            (get, AGILE + "/sprint/{sprint}/issue", self._sprint_issues),
            (post, AGILE + "/sprint/{sprint}/issue", self._move_to_sprint),
            (post, AGILE + "/backlog/issue", self._move_to_backlog),
            (put, AGILE + "/issue/rank", self._rank),
            (get, AGILE + "/issue/{key}", self._agile_issue),
        ]
        # serverInfo answers anonymous callers too, as Jira's does; bad credentials still fail.
        self.route(get, API + "/serverInfo", self._guarded(self._server_info, anonymous=True))
        for method, pattern, handler in routes:
            self.route(method, pattern, self._guarded(handler))

    def _guarded(
        self, handler: Callable[[Request], Response], *, anonymous: bool = False
    ) -> Callable[[Request], Response]:
        def serve(request: Request) -> Response:
            user, given = self._caller(request)
            if user is None and (given or not anonymous):
                return self._unauthorized(given)
            limited = self._rate_limited(user or "anonymous")
            if limited is not None:
                return limited
            request.params["user"] = user or ""
            try:
                return handler(request)
            except ModelError as exc:
                return _model_error(exc)
            except JqlError as exc:
                return _error(400, str(exc))
            except (ValueError, TypeError, KeyError, AttributeError) as exc:
                return _error(400, f"Could not read the request: {exc}")

        return serve

    def not_found(self, request: Request) -> Response:
        return Response(
            404, {"message": f"null for uri: {self.url}{request.path}", "status-code": 404}
        )

    # -- authentication and rate limits ----------------------------------------------------
    def _caller(self, request: Request) -> tuple[str | None, bool]:
        """(the user, whether credentials were given at all)."""
        header = request.headers.get("authorization", "")
        if not header:
            return None, False
        if not header.lower().startswith("basic "):
            return None, True
        try:
            decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            return None, True
        name, _, secret = decoded.partition(":")
        with self.lock:
            known = self.tokens.get(name)
        if known is None or not hmac.compare_digest(known, secret):
            return None, True
        return name, True

    def _unauthorized(self, given: bool) -> Response:
        headers = {"WWW-Authenticate": 'Basic realm="protected-area"'}
        if given:
            headers["X-Seraph-LoginReason"] = "AUTHENTICATED_FAILED"
        return Response(
            401,
            error_body(
                ["You are not authenticated. Authentication required to perform this operation."]
            ),
            headers=headers,
        )

    def _rate_limited(self, user: str) -> Response | None:
        if self.rate_limit is None:
            return None
        now = time.monotonic()
        with self.lock:
            began, count = self._windows.get(user, (now, 0))
            if now - began >= self.rate_window:
                began, count = now, 0
            count += 1
            self._windows[user] = (began, count)
        if count <= self.rate_limit:
            return None
        wait = max(1, math.ceil(self.rate_window - (now - began)))
        return Response(
            429,
            error_body(["Rate limit exceeded."]),
            headers={
                "Retry-After": str(wait),
                "X-RateLimit-Limit": str(self.rate_limit),
                "X-RateLimit-Remaining": "0",
                "X-RateLimit-FillRate": str(self.rate_limit),
                "X-RateLimit-Interval-Seconds": str(int(self.rate_window)),
            },
        )

    # -- helpers ---------------------------------------------------------------------------
    @property
    def base(self) -> str:
        return self.url

    def _now(self) -> datetime:
        return datetime.now(UTC)

    def _issue_or_404(self, key: str) -> Issue:
        found = self.world.issue(key)
        if found is None:
            raise ModelError(404, ["Issue Does Not Exist"])
        return found

    def _context(self, request: Request, strict: bool = True) -> Context:
        return Context(self.world, request.params.get("user") or self.user, self._now(), strict)

    def _issues_page(
        self,
        request: Request,
        issues: list[Issue],
        *,
        agile_api: bool = False,
        body: dict[str, Any] | None = None,
    ) -> Response:
        start, size = _page(request, body)
        source = body or {}
        fields = source.get("fields", request.query.get("fields"))
        expand = source.get("expand", ",".join(request.query.get("expand", [])))
        expand_names = (
            {e.strip() for e in expand.split(",")} if isinstance(expand, str) else set(expand or [])
        )
        chosen = issues[start : start + size]
        return Response(
            body={
                "expand": "schema,names",
                "startAt": start,
                "maxResults": size,
                "total": len(issues),
                "issues": [
                    issue_json(
                        self.base,
                        self.world,
                        issue,
                        fields=fields
                        if isinstance(fields, list)
                        else ([fields] if fields else None),
                        expand=expand_names,
                        agile_api=agile_api,
                    )
                    for issue in chosen
                ],
            }
        )

    def _agile_filter(self, request: Request, issues: list[Issue]) -> list[Issue]:
        """The extra `jql=` an Agile issue list takes, applied on top of its own selection."""
        jql = request.arg("jql")
        if jql:
            selected = {i.key for i in search(jql, self._context(request))}
            issues = [i for i in issues if i.key in selected]
        return sorted(issues, key=lambda i: self.world.rank_of(i.key))

    # -- REST v2: server, users, metadata --------------------------------------------------
    def _server_info(self, _request: Request) -> Response:
        return Response(body=server_info(self.base, self._now()))

    def _myself(self, request: Request) -> Response:
        with self.lock:
            found = self.world.user(request.params["user"])
            if found is None:
                return _error(404, "The user does not exist")
            return Response(body=myself_json(self.base, found))

    def _statuses(self, _request: Request) -> Response:
        with self.lock:
            return Response(body=[status_json(self.base, s) for s in self.world.statuses.values()])

    def _issue_types(self, _request: Request) -> Response:
        return Response(body=[issue_type_json(self.base, t.name) for t in ISSUE_TYPES])

    def _priorities(self, _request: Request) -> Response:
        return Response(body=[priority_json(self.base, name) for _, name in PRIORITIES])

    def _projects(self, _request: Request) -> Response:
        with self.lock:
            return Response(body=[project_json(self.base, p) for p in self.world.projects.values()])

    def _project(self, request: Request) -> Response:
        with self.lock:
            found = self.world.project(request.params["project"])
            if found is None:
                return _error(
                    404, f"No project could be found with key '{request.params['project']}'."
                )
            expand = request.arg("expand") or ""
            return Response(body=project_json(self.base, found, issue_types="issueTypes" in expand))

    def _user_get(self, request: Request) -> Response:
        name = request.arg("username") or request.arg("key") or ""
        with self.lock:
            found = self.world.user(name) or next(
                (u for u in self.world.users.values() if u.key == name), None
            )
            if found is None:
                return _error(404, f"The user named '{name}' does not exist")
            return Response(body=user_json(self.base, found))

    def _user_search(self, request: Request) -> Response:
        wanted = (request.arg("username") or request.arg("query") or "").strip().lower()
        if not wanted:
            return _error(400, "The username query parameter was not provided")
        start, size = _page(request)
        with self.lock:
            found = [
                u
                for u in self.world.users.values()
                if u.name.lower().startswith(wanted)
                or u.email.lower().startswith(wanted)
                or any(part.lower().startswith(wanted) for part in u.display_name.split())
            ]
            return Response(body=[user_json(self.base, u) for u in found[start : start + size]])

    # -- REST v2: search and issues --------------------------------------------------------
    def _search(self, request: Request) -> Response:
        body = request.json() if request.method == "POST" else None
        source = body or {}
        jql = source.get("jql", request.arg("jql", "")) or ""
        validate = str(source.get("validateQuery", request.arg("validateQuery", "true"))).lower()
        with self.lock:
            found = search(jql, self._context(request, strict=validate in ("true", "strict")))
            return self._issues_page(request, found, body=body)

    def _get_issue(self, request: Request) -> Response:
        with self.lock:
            issue = self._issue_or_404(request.params["key"])
            return Response(
                body=issue_json(
                    self.base,
                    self.world,
                    issue,
                    fields=_list_arg(request, "fields") or None,
                    expand=set(_list_arg(request, "expand")),
                )
            )

    def _agile_issue(self, request: Request) -> Response:
        with self.lock:
            issue = self._issue_or_404(request.params["key"])
            return Response(
                body=issue_json(
                    self.base,
                    self.world,
                    issue,
                    fields=_list_arg(request, "fields") or None,
                    expand=set(_list_arg(request, "expand")),
                    agile_api=True,
                )
            )

    def _create_issue(self, request: Request) -> Response:
        body = request.json() or {}
        fields = dict(body.get("fields") or {})
        unknown = sorted(set(fields) - _SETTABLE)
        if unknown:
            return _error(400, **{name: _NOT_SETTABLE.format(name=name) for name in unknown})
        with self.lock:
            project_ref = fields.get("project") or {}
            project = self.world.project(str(project_ref.get("key") or project_ref.get("id") or ""))
            kind_ref = fields.get("issuetype") or {}
            kind = next(
                (
                    t.name
                    for t in ISSUE_TYPES
                    if t.name == kind_ref.get("name") or t.id == str(kind_ref.get("id"))
                ),
                "",
            )
            assignee = (fields.get("assignee") or {}).get("name")
            priority = (fields.get("priority") or {}).get("name") or "Medium"
            points = fields.get(POINTS_FIELD)
            sprint = fields.get(SPRINT_FIELD)
            issue = self.world.create_issue(
                project=project.key if project else "",
                issue_type=kind,
                summary=str(fields.get("summary") or ""),
                reporter=(fields.get("reporter") or {}).get("name") or request.params["user"],
                at=self._now(),
                description=fields.get("description"),
                assignee=assignee,
                points=float(points) if points is not None else None,
                priority=priority,
                labels=list(fields.get("labels") or []),
                sprint=int(sprint) if sprint is not None else None,
            )
            if fields.get(FLAGGED_FIELD):
                issue.flagged = True
            return Response(
                201,
                {
                    "id": str(issue.id),
                    "key": issue.key,
                    "self": f"{self.base}/rest/api/2/issue/{issue.id}",
                },
            )

    def _update_issue(self, request: Request) -> Response:
        body = request.json() or {}
        fields = dict(body.get("fields") or {})
        update = dict(body.get("update") or {})
        unknown = sorted(set(fields) - (_SETTABLE - {"project", "issuetype"}))
        if unknown:
            return _error(400, **{name: _NOT_SETTABLE.format(name=name) for name in unknown})
        by, now = request.params["user"], self._now()
        with self.lock:
            issue = self._issue_or_404(request.params["key"])
            self._apply_fields(issue, fields, by=by, at=now)
            for operation in update.get("comment", []):
                added = operation.get("add") or {}
                self.world.add_comment(issue, str(added.get("body") or ""), by=by, at=now)
            for operation in update.get("labels", []):
                if "add" in operation and operation["add"] not in issue.labels:
                    issue.labels.append(str(operation["add"]))
                if "remove" in operation and operation["remove"] in issue.labels:
                    issue.labels.remove(operation["remove"])
        return Response(204)

    def _apply_fields(self, issue: Issue, fields: dict[str, Any], *, by: str, at: datetime) -> None:
        plain: dict[str, str | None] = {}
        for name in ("summary", "description"):
            if name in fields:
                plain[name] = fields[name]
        if "priority" in fields:
            plain["priority"] = (fields["priority"] or {}).get("name") or "Medium"
        if plain:
            self.world.set_fields(issue, plain, by=by, at=at)
        if "assignee" in fields:
            self.world.set_assignee(issue, (fields["assignee"] or {}).get("name"), by=by, at=at)
        if "labels" in fields:
            issue.labels = [str(label) for label in fields["labels"] or []]
        if POINTS_FIELD in fields:
            value = fields[POINTS_FIELD]
            self.world.set_points(issue, float(value) if value is not None else None, by=by, at=at)
        if FLAGGED_FIELD in fields:
            self.world.set_flag(issue, bool(fields[FLAGGED_FIELD]), by=by, at=at)
        if SPRINT_FIELD in fields:
            value = fields[SPRINT_FIELD]
            sprint = self.world.sprints.get(int(value)) if value is not None else None
            if value is not None and sprint is None:
                raise ModelError(
                    400, errors={SPRINT_FIELD: f"Sprint with id {value} does not exist."}
                )
            self.world.move_to_sprint(issue, sprint, by=by, at=at)

    def _transitions(self, request: Request) -> Response:
        with self.lock:
            issue = self._issue_or_404(request.params["key"])
            wanted = request.arg("transitionId")
            found = [
                transition_json(self.base, self.world, t)
                for t in self.world.transitions_from(issue.status)
                if wanted is None or t.id == wanted
            ]
            return Response(body={"expand": "transitions", "transitions": found})

    def _transition(self, request: Request) -> Response:
        body = request.json() or {}
        chosen = body.get("transition") or {}
        by, now = request.params["user"], self._now()
        with self.lock:
            issue = self._issue_or_404(request.params["key"])
            transition_id = chosen.get("id")
            if transition_id is None and chosen.get("name"):
                transition_id = next(
                    (
                        t.id
                        for t in self.world.transitions_from(issue.status)
                        if t.name == chosen["name"]
                    ),
                    chosen["name"],
                )
            if transition_id is None:
                return _error(400, "Missing 'transition' identifier")
            self.world.transition(issue, str(transition_id), by=by, at=now)
            self._apply_fields(issue, dict(body.get("fields") or {}), by=by, at=now)
            for operation in (body.get("update") or {}).get("comment", []):
                added = operation.get("add") or {}
                self.world.add_comment(issue, str(added.get("body") or ""), by=by, at=now)
        return Response(204)

    def _assign(self, request: Request) -> Response:
        body = request.json() or {}
        name = body.get("name", body.get("accountId"))
        by, now = request.params["user"], self._now()
        with self.lock:
            issue = self._issue_or_404(request.params["key"])
            if name == "-1":
                name = self.world.projects[issue.project].lead
            self.world.set_assignee(issue, name, by=by, at=now)
        return Response(204)

    def _comments(self, request: Request) -> Response:
        with self.lock:
            issue = self._issue_or_404(request.params["key"])
            comments = [comment_json(self.base, self.world, issue, c) for c in issue.comments]
            return Response(
                body={
                    "startAt": 0,
                    "maxResults": len(comments),
                    "total": len(comments),
                    "comments": comments,
                }
            )

    def _add_comment(self, request: Request) -> Response:
        body = request.json() or {}
        with self.lock:
            issue = self._issue_or_404(request.params["key"])
            comment = self.world.add_comment(
                issue, str(body.get("body") or ""), by=request.params["user"], at=self._now()
            )
            return Response(201, comment_json(self.base, self.world, issue, comment))

    # -- Agile: boards and sprints ---------------------------------------------------------
    def _board_or_404(self, request: Request) -> Any:
        raw = request.params["board"]
        board = self.world.boards.get(int(raw)) if raw.isdigit() else None
        if board is None:
            raise ModelError(
                404,
                [
                    "The requested board cannot be viewed because it either does not exist or "
                    "you do not have permission to view it."
                ],
            )
        return board

    def _sprint_or_404(self, request: Request) -> Sprint:
        raw = request.params["sprint"]
        sprint = self.world.sprints.get(int(raw)) if raw.isdigit() else None
        if sprint is None:
            raise ModelError(
                404,
                [f"Sprint with id {raw} does not exist or you do not have permission to see it."],
            )
        return sprint

    def _values_page(self, request: Request, values: list[dict[str, Any]]) -> Response:
        start, size = _page(request)
        chosen = values[start : start + size]
        return Response(
            body={
                "maxResults": size,
                "startAt": start,
                "total": len(values),
                "isLast": start + len(chosen) >= len(values),
                "values": chosen,
            }
        )

    def _boards(self, request: Request) -> Response:
        wanted_project = (request.arg("projectKeyOrId") or "").upper()
        wanted_name = (request.arg("name") or "").lower()
        wanted_type = request.arg("type")
        with self.lock:
            boards = []
            for board in sorted(self.world.boards.values(), key=lambda b: b.id):
                project = self.world.projects[board.project]
                if wanted_project and wanted_project not in (project.key, str(project.id)):
                    continue
                if wanted_name and wanted_name not in board.name.lower():
                    continue
                if wanted_type and wanted_type != "scrum":
                    continue
                boards.append(board_json(self.base, board, project))
            return self._values_page(request, boards)

    def _board(self, request: Request) -> Response:
        with self.lock:
            board = self._board_or_404(request)
            return Response(body=board_json(self.base, board, self.world.projects[board.project]))

    def _board_configuration(self, request: Request) -> Response:
        with self.lock:
            board = self._board_or_404(request)
            return Response(
                body=board_configuration_json(self.base, board, self.world.projects[board.project])
            )

    def _board_sprints(self, request: Request) -> Response:
        states = set(_list_arg(request, "state")) or {"future", "active", "closed"}
        with self.lock:
            board = self._board_or_404(request)
            sprints = [
                sprint_json(self.base, s)
                for s in sorted(self.world.sprints.values(), key=lambda s: s.id)
                if s.board == board.id and s.state in states
            ]
            return self._values_page(request, sprints)

    def _sprint(self, request: Request) -> Response:
        with self.lock:
            return Response(body=sprint_json(self.base, self._sprint_or_404(request)))

    def _create_sprint(self, request: Request) -> Response:
        body = request.json() or {}
        if not body.get("name"):
            return _error(400, name="The sprint name cannot be empty.")
        with self.lock:
            sprint = self.world.add_sprint(
                str(body["name"]),
                int(body.get("originBoardId") or 0),
                goal=body.get("goal"),
                start=_parse_time(body.get("startDate")),
                end=_parse_time(body.get("endDate")),
            )
            return Response(201, sprint_json(self.base, sprint))

    def _update_sprint(self, request: Request, *, full: bool) -> Response:
        """PUT replaces the sprint (what it omits becomes empty); POST changes what it names."""
        body = request.json() or {}
        with self.lock:
            sprint = self._sprint_or_404(request)
            if sprint.state == "closed":
                return _error(400, "A closed sprint cannot be changed.")

            def given(name: str, current: Any) -> Any:
                if name in body:
                    return body[name]
                return None if full else current

            name = given("name", sprint.name)
            if not name:
                return _error(400, name="The sprint name cannot be empty.")
            state = given("state", sprint.state) or sprint.state
            start = _parse_time(given("startDate", agile_time(sprint.start)))
            end = _parse_time(given("endDate", agile_time(sprint.end)))
            if state == "active" and sprint.state == "future" and (start is None or end is None):
                return _error(400, "A sprint needs a start and an end date to start.")
            sprint.name = str(name)
            sprint.goal = given("goal", sprint.goal)
            sprint.start, sprint.end = start, end
            if state == "closed" and sprint.state != "closed":
                # Its open issues keep the closed sprint in their Sprint field and so fall
                # back into the backlog, as when Jira completes a sprint.
                sprint.completed = self._now()
            sprint.state = state
            return Response(body=sprint_json(self.base, sprint))

    def _sprint_issues(self, request: Request) -> Response:
        with self.lock:
            if "board" in request.params:
                board = self._board_or_404(request)
                sprint = self._sprint_or_404(request)
                if sprint.board != board.id:
                    return _error(404, f"Sprint {sprint.id} is not on board {board.id}.")
            else:
                sprint = self._sprint_or_404(request)
            issues = [i for i in self.world.issues.values() if sprint.id in i.sprints]
            return self._issues_page(request, self._agile_filter(request, issues), agile_api=True)

    def _backlog(self, request: Request) -> Response:
        with self.lock:
            board = self._board_or_404(request)
            issues = [
                i
                for i in self.world.issues.values()
                if i.project == board.project
                and self.world.open_sprint(i) is None
                and self.world.statuses[i.status].category != "done"
            ]
            return self._issues_page(request, self._agile_filter(request, issues), agile_api=True)

    def _board_issues(self, request: Request) -> Response:
        with self.lock:
            board = self._board_or_404(request)
            issues = [i for i in self.world.issues.values() if i.project == board.project]
            return self._issues_page(request, self._agile_filter(request, issues), agile_api=True)

    def _move_to_sprint(self, request: Request) -> Response:
        body = request.json() or {}
        by, now = request.params["user"], self._now()
        with self.lock:
            sprint = self._sprint_or_404(request)
            issues = [self._issue_or_404(str(key)) for key in body.get("issues") or []]
            for issue in issues:
                self.world.move_to_sprint(issue, sprint, by=by, at=now)
            self._rank_if_asked(body, [i.key for i in issues], by=by, at=now)
        return Response(204)

    def _move_to_backlog(self, request: Request) -> Response:
        body = request.json() or {}
        by, now = request.params["user"], self._now()
        with self.lock:
            for key in body.get("issues") or []:
                self.world.move_to_sprint(self._issue_or_404(str(key)), None, by=by, at=now)
        return Response(204)

    def _rank_if_asked(
        self, body: dict[str, Any], keys: list[str], *, by: str, at: datetime
    ) -> None:
        if body.get("rankBeforeIssue"):
            self.world.rank_next_to(
                keys, str(body["rankBeforeIssue"]).upper(), before=True, by=by, at=at
            )
        elif body.get("rankAfterIssue"):
            self.world.rank_next_to(
                keys, str(body["rankAfterIssue"]).upper(), before=False, by=by, at=at
            )

    def _rank(self, request: Request) -> Response:
        body = request.json() or {}
        keys = [str(k).upper() for k in body.get("issues") or []]
        if not keys or not (body.get("rankBeforeIssue") or body.get("rankAfterIssue")):
            return _error(400, "Give issues and rankBeforeIssue or rankAfterIssue.")
        with self.lock:
            missing = [k for k in keys if k not in self.world.issues]
            known = [k for k in keys if k in self.world.issues]
            if known:
                self._rank_if_asked(body, known, by=request.params["user"], at=self._now())
            if missing:
                entries = [
                    {
                        "issueId": self.world.issues[k].id if k in self.world.issues else None,
                        "issueKey": k,
                        "status": 404 if k in missing else 200,
                        "errors": ["Issue Does Not Exist"] if k in missing else [],
                    }
                    for k in keys
                ]
                return Response(207, {"entries": entries})
        return Response(204)

    # -- the journal -----------------------------------------------------------------------
    def describe_call(self, request: Request) -> dict[str, Any]:
        described = super().describe_call(request)
        jql = request.arg("jql")
        if jql is None and isinstance(described.get("body"), dict):
            jql = described["body"].get("jql")
        if jql is not None:
            described["jql"] = jql
        return described

    def state(self) -> dict[str, Any]:
        world = self.world
        return {
            "projects": [
                {"key": p.key, "name": p.name, "id": p.id} for p in world.projects.values()
            ],
            "boards": [
                {"id": b.id, "name": b.name, "project": b.project} for b in world.boards.values()
            ],
            "sprints": [
                {
                    "id": s.id,
                    "name": s.name,
                    "state": s.state,
                    "board": s.board,
                    "goal": s.goal,
                    "startDate": agile_time(s.start),
                    "endDate": agile_time(s.end),
                    "completeDate": agile_time(s.completed),
                    "issues": sorted(
                        (i.key for i in world.issues.values() if s.id in i.sprints),
                        key=world.rank_of,
                    ),
                }
                for s in world.sprints.values()
            ],
            "issues": [
                {
                    "key": i.key,
                    "type": i.issue_type,
                    "summary": i.summary,
                    "status": i.status,
                    "assignee": i.assignee,
                    "points": i.points,
                    "flagged": i.flagged,
                    "sprints": list(i.sprints),
                    "rank": world.rank_of(i.key),
                    "created": rest_time(i.created),
                    "comments": [c.body for c in i.comments],
                    "history": len(i.histories),
                }
                for i in sorted(world.issues.values(), key=lambda i: i.id)
            ],
            "users": [
                {"name": u.name, "email": u.email, "displayName": u.display_name}
                for u in world.users.values()
            ],
        }
