"""The sandbox Jira's objects as Jira's REST API (v2, and Agile 1.0) shows them.

Shapes follow Jira Server / Data Center: users by `name`, times as
`2024-03-04T10:15:00.000+0000` in REST v2 and with a colon in the offset in the Agile API,
`self` links the client library uses to tell resources apart.
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import UTC, datetime
from typing import Any

from sandbox.jira_model import (
    CATEGORIES,
    FLAG_OPTION_ID,
    FLAG_VALUE,
    FLAGGED_FIELD,
    ISSUE_TYPES,
    POINTS_FIELD,
    POINTS_NAME,
    PRIORITIES,
    RANK_FIELD,
    SPRINT_FIELD,
    STATUSES,
    Board,
    Comment,
    History,
    Issue,
    JiraWorld,
    Project,
    Sprint,
    StatusDef,
    TransitionDef,
    User,
)

VERSION = (9, 12, 0)
_ISSUE_EXPAND = "renderedFields,names,schema,operations,editmeta,changelog,versionedRepresentations"


def rest_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}+0000"
    )


def agile_time(moment: datetime | None) -> str | None:
    if moment is None:
        return None
    return moment.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.") + (
        f"{moment.microsecond // 1000:03d}+00:00"
    )


def api(base: str, path: str) -> str:
    return f"{base}/rest/api/2/{path}"


def agile(base: str, path: str) -> str:
    return f"{base}/rest/agile/1.0/{path}"


def server_info(base: str, now: datetime) -> dict[str, Any]:
    return {
        "baseUrl": base,
        "version": ".".join(str(n) for n in VERSION),
        "versionNumbers": list(VERSION),
        "deploymentType": "Server",
        "buildNumber": 912000,
        "buildDate": "2024-01-15T00:00:00.000+0000",
        "serverTime": rest_time(now),
        "scmInfo": "sandbox",
        "serverTitle": "Kuber sandbox Jira",
    }


def user_json(base: str, user: User | None) -> dict[str, Any] | None:
    if user is None:
        return None
    avatar = f"{base}/secure/useravatar?ownerId={user.name}"
    return {
        "self": api(base, f"user?username={user.name}"),
        "key": user.key,
        "name": user.name,
        "emailAddress": user.email,
        "avatarUrls": {size: f"{avatar}&size={size}" for size in ("48x48", "24x24", "16x16")},
        "displayName": user.display_name,
        "active": user.active,
        "timeZone": user.time_zone,
    }


def myself_json(base: str, user: User) -> dict[str, Any]:
    body = user_json(base, user) or {}
    return {**body, "locale": "en_US", "groups": {"size": 1, "items": []}}


def category_json(base: str, key: str) -> dict[str, Any]:
    number, name, colour = CATEGORIES[key]
    return {
        "self": api(base, f"statuscategory/{number}"),
        "id": number,
        "key": key,
        "colorName": colour,
        "name": name,
    }


def status_json(base: str, status: StatusDef) -> dict[str, Any]:
    return {
        "self": api(base, f"status/{status.id}"),
        "description": "",
        "iconUrl": f"{base}/images/icons/statuses/generic.png",
        "name": status.name,
        "id": status.id,
        "statusCategory": category_json(base, status.category),
    }


def issue_type_json(base: str, name: str) -> dict[str, Any]:
    kind = next(t for t in ISSUE_TYPES if t.name == name)
    return {
        "self": api(base, f"issuetype/{kind.id}"),
        "id": kind.id,
        "description": kind.description,
        "iconUrl": f"{base}/images/icons/issuetypes/{kind.name.lower()}.svg",
        "name": kind.name,
        "subtask": False,
        "avatarId": int(kind.id),
    }


def priority_json(base: str, name: str) -> dict[str, Any]:
    number = next((n for n, label in PRIORITIES if label == name), "3")
    return {
        "self": api(base, f"priority/{number}"),
        "iconUrl": f"{base}/images/icons/priorities/{name.lower()}.svg",
        "name": name,
        "id": number,
    }


def project_json(base: str, project: Project, *, issue_types: bool = False) -> dict[str, Any]:
    body: dict[str, Any] = {
        "self": api(base, f"project/{project.id}"),
        "id": str(project.id),
        "key": project.key,
        "name": project.name,
        "projectTypeKey": "software",
        "avatarUrls": {"48x48": f"{base}/secure/projectavatar?pid={project.id}"},
    }
    if issue_types:
        body["issueTypes"] = [issue_type_json(base, t.name) for t in ISSUE_TYPES]
    return body


def sprint_json(base: str, sprint: Sprint) -> dict[str, Any]:
    body: dict[str, Any] = {
        "id": sprint.id,
        "self": agile(base, f"sprint/{sprint.id}"),
        "state": sprint.state,
        "name": sprint.name,
        "originBoardId": sprint.board,
    }
    if sprint.start is not None:
        body["startDate"] = agile_time(sprint.start)
        if sprint.state != "future":
            body["activatedDate"] = agile_time(sprint.start)
    if sprint.end is not None:
        body["endDate"] = agile_time(sprint.end)
    if sprint.completed is not None:
        body["completeDate"] = agile_time(sprint.completed)
    if sprint.goal is not None:
        body["goal"] = sprint.goal
    return body


def board_json(base: str, board: Board, project: Project) -> dict[str, Any]:
    return {
        "id": board.id,
        "self": agile(base, f"board/{board.id}"),
        "name": board.name,
        "type": "scrum",
        "location": {
            "projectId": project.id,
            "displayName": f"{project.name} ({project.key})",
            "projectName": project.name,
            "projectKey": project.key,
            "projectTypeKey": "software",
            "avatarURI": f"/secure/projectavatar?size=xsmall&pid={project.id}",
            "name": f"{project.name} ({project.key})",
        },
    }


def board_configuration_json(base: str, board: Board, project: Project) -> dict[str, Any]:
    def column(name: str, statuses: list[StatusDef]) -> dict[str, Any]:
        return {
            "name": name,
            "statuses": [{"id": s.id, "self": api(base, f"status/{s.id}")} for s in statuses],
        }

    by_category: dict[str, list[StatusDef]] = {key: [] for key in CATEGORIES}
    for status in STATUSES:
        by_category[status.category].append(status)
    body: dict[str, Any] = {
        "id": board.id,
        "name": board.name,
        "type": "scrum",
        "self": agile(base, f"board/{board.id}/configuration"),
        "location": {
            "type": "project",
            "key": project.key,
            "id": str(project.id),
            "self": api(base, f"project/{project.id}"),
            "name": project.name,
        },
        "filter": {"id": str(10000 + board.id), "self": api(base, f"filter/{10000 + board.id}")},
        "subQuery": {"query": "fixVersion in unreleasedVersions() OR fixVersion is EMPTY"},
        "columnConfig": {
            "columns": [
                column("To Do", by_category["new"]),
                column("In Progress", by_category["indeterminate"]),
                column("Done", by_category["done"]),
            ],
            "constraintType": "issueCount",
        },
        "ranking": {"rankCustomFieldId": int(RANK_FIELD.removeprefix("customfield_"))},
    }
    if board.estimation:
        body["estimation"] = {
            "type": "field",
            "field": {"fieldId": POINTS_FIELD, "displayName": POINTS_NAME},
        }
    return body


def field_list() -> list[dict[str, Any]]:
    def system(field_id: str, name: str, kind: str, **extra: Any) -> dict[str, Any]:
        return {
            "id": field_id,
            "name": name,
            "custom": False,
            "orderable": True,
            "navigable": True,
            "searchable": True,
            "clauseNames": [field_id, *extra.pop("clauses", [])],
            "schema": {"type": kind, "system": field_id, **extra},
        }

    def custom(field_id: str, name: str, kind: str, plugin: str, **extra: Any) -> dict[str, Any]:
        number = int(field_id.removeprefix("customfield_"))
        return {
            "id": field_id,
            "name": name,
            "custom": True,
            "orderable": True,
            "navigable": True,
            "searchable": True,
            "clauseNames": [f"cf[{number}]", name],
            "schema": {"type": kind, "custom": plugin, "customId": number, **extra},
        }

    return [
        system("summary", "Summary", "string"),
        system("issuetype", "Issue Type", "issuetype", clauses=["type"]),
        system("status", "Status", "status"),
        system("assignee", "Assignee", "user"),
        system("reporter", "Reporter", "user"),
        system("created", "Created", "datetime", clauses=["createdDate"]),
        system("updated", "Updated", "datetime", clauses=["updatedDate"]),
        system("resolution", "Resolution", "resolution"),
        system("resolutiondate", "Resolved", "datetime", clauses=["resolved"]),
        system("priority", "Priority", "priority"),
        system("labels", "Labels", "array", items="string"),
        system("description", "Description", "string"),
        system("project", "Project", "project"),
        system("comment", "Comment", "comments-page"),
        custom(
            POINTS_FIELD,
            POINTS_NAME,
            "number",
            "com.atlassian.jira.plugin.system.customfieldtypes:float",
        ),
        custom(
            SPRINT_FIELD,
            "Sprint",
            "array",
            "com.pyxis.greenhopper.jira:gh-sprint",
            items="string",
        ),
        custom(RANK_FIELD, "Rank", "any", "com.pyxis.greenhopper.jira:gh-lexo-rank"),
        custom(
            FLAGGED_FIELD,
            "Flagged",
            "array",
            "com.atlassian.jira.plugin.system.customfieldtypes:multicheckboxes",
            items="option",
        ),
    ]


def comment_json(base: str, world: JiraWorld, issue: Issue, comment: Comment) -> dict[str, Any]:
    author = user_json(base, world.user(comment.author))
    return {
        "self": api(base, f"issue/{issue.id}/comment/{comment.id}"),
        "id": str(comment.id),
        "author": author,
        "body": comment.body,
        "updateAuthor": author,
        "created": rest_time(comment.created),
        "updated": rest_time(comment.created),
    }


def history_json(base: str, world: JiraWorld, history: History) -> dict[str, Any]:
    return {
        "id": str(history.id),
        "author": user_json(base, world.user(history.author)),
        "created": rest_time(history.created),
        "items": [
            {
                "field": item.field,
                "fieldtype": item.fieldtype,
                "from": item.from_,
                "fromString": item.from_string,
                "to": item.to,
                "toString": item.to_string,
            }
            for item in history.items
        ],
    }


def _sprint_field_value(sprint: Sprint) -> str:
    """The Sprint field as REST v2 of Jira Server shows it: the sprint object's toString."""
    return (
        f"com.atlassian.greenhopper.service.sprint.Sprint@{sprint.id:x}[id={sprint.id},"
        f"rapidViewId={sprint.board},state={sprint.state.upper()},name={sprint.name},"
        f"startDate={agile_time(sprint.start) or '<null>'},"
        f"endDate={agile_time(sprint.end) or '<null>'},"
        f"completeDate={agile_time(sprint.completed) or '<null>'},sequence={sprint.id},"
        f"goal={sprint.goal or ''}]"
    )


def all_fields(base: str, world: JiraWorld, issue: Issue) -> dict[str, Any]:
    status = world.statuses[issue.status]
    project = world.projects[issue.project]
    sprints = [world.sprints[i] for i in issue.sprints if i in world.sprints]
    return {
        "summary": issue.summary,
        "issuetype": issue_type_json(base, issue.issue_type),
        "status": status_json(base, status),
        "assignee": user_json(base, world.user(issue.assignee)),
        "reporter": user_json(base, world.user(issue.reporter)),
        "created": rest_time(issue.created),
        "updated": rest_time(issue.updated),
        "resolution": (
            {"self": api(base, "resolution/10000"), "id": "10000", "name": issue.resolution}
            if issue.resolution
            else None
        ),
        "resolutiondate": rest_time(issue.resolved),
        "priority": priority_json(base, issue.priority),
        "labels": list(issue.labels),
        "description": issue.description,
        "project": project_json(base, project),
        "comment": {
            "comments": [comment_json(base, world, issue, c) for c in issue.comments],
            "maxResults": len(issue.comments),
            "total": len(issue.comments),
            "startAt": 0,
        },
        POINTS_FIELD: issue.points,
        SPRINT_FIELD: [_sprint_field_value(s) for s in sprints] or None,
        RANK_FIELD: f"0|i{world.rank_of(issue.key):05d}:",
        FLAGGED_FIELD: (
            [
                {
                    "self": f"{base}/rest/api/2/customFieldOption/{FLAG_OPTION_ID}",
                    "value": FLAG_VALUE,
                    "id": FLAG_OPTION_ID,
                }
            ]
            if issue.flagged
            else None
        ),
    }


def wanted_fields(requested: Collection[str] | None) -> tuple[set[str] | None, set[str]]:
    """`fields=` as Jira reads it: None (all) for `*all`/`*navigable`/nothing, else the ids
    named; `-name` leaves one out."""
    if not requested:
        return None, set()
    names = {n.strip() for item in requested for n in str(item).split(",") if n.strip()}
    left_out = {n[1:] for n in names if n.startswith("-")}
    names = {n for n in names if not n.startswith("-")}
    if not names or names & {"*all", "*navigable"}:
        return None, left_out
    return names, left_out


def issue_json(
    base: str,
    world: JiraWorld,
    issue: Issue,
    *,
    fields: Collection[str] | None = None,
    expand: Collection[str] = (),
    agile_api: bool = False,
) -> dict[str, Any]:
    chosen, left_out = wanted_fields(fields)
    every = all_fields(base, world, issue)
    if agile_api:
        open_sprint = world.open_sprint(issue)
        every["sprint"] = sprint_json(base, open_sprint) if open_sprint else None
        every["closedSprints"] = [
            sprint_json(base, world.sprints[i])
            for i in issue.sprints
            if i in world.sprints and world.sprints[i].state == "closed"
        ]
        every["flagged"] = issue.flagged
    shown = {
        name: value
        for name, value in every.items()
        if (chosen is None or name in chosen) and name not in left_out
    }
    body: dict[str, Any] = {
        "expand": _ISSUE_EXPAND,
        "id": str(issue.id),
        "self": (agile if agile_api else api)(base, f"issue/{issue.id}"),
        "key": issue.key,
        "fields": shown,
    }
    if "changelog" in expand:
        histories = [history_json(base, world, h) for h in issue.histories]
        body["changelog"] = {
            "startAt": 0,
            "maxResults": len(histories),
            "total": len(histories),
            "histories": histories,
        }
    if "names" in expand:
        body["names"] = {f["id"]: f["name"] for f in field_list()}
    return body


def transition_json(base: str, world: JiraWorld, transition: TransitionDef) -> dict[str, Any]:
    return {
        "id": transition.id,
        "name": transition.name,
        "to": status_json(base, world.statuses[transition.to]),
        "hasScreen": False,
        "isGlobal": False,
        "isInitial": False,
        "isAvailable": True,
        "isConditional": False,
    }


def error_body(
    messages: list[str] | None = None, errors: dict[str, str] | None = None
) -> dict[str, Any]:
    return {"errorMessages": list(messages or []), "errors": dict(errors or {})}
