"""The sandbox Jira as pycontribs/jira sees it: a Server deployment, search by JQL with the
subset Kuber emits, issues created, read with their changelog, updated, transitioned along
the workflow, assigned and commented; the Agile API's boards, configuration, sprints, sprint
issues, backlog and rank; 401 for bad credentials and 429 with Retry-After."""

from __future__ import annotations

import httpx
import jira as pycontribs_jira
import pytest
from jira.resources import Issue

from sandbox.jira import JiraSandbox
from tests.jira.conftest import calls, issue_state, state


def keys(found: object) -> list[str]:
    return [issue.key for issue in found]  # type: ignore[attr-defined]


def test_server_info_myself_and_fields(client: pycontribs_jira.JIRA) -> None:
    assert client.deploymentType == "Server"  # so the client searches with /search
    info = client.server_info()
    assert info["versionNumbers"][0] >= 9
    me = client.myself()
    assert (me["name"], me["displayName"], me["timeZone"]) == ("kuber", "Kuber Bot", "Asia/Seoul")
    by_name = {f["name"]: f for f in client.fields()}
    assert by_name["Story Points"]["id"] == "customfield_10002"
    assert "Story Points" in by_name["Story Points"]["clauseNames"]
    assert by_name["Rank"]["schema"]["custom"] == "com.pyxis.greenhopper.jira:gh-lexo-rank"


def test_search_the_active_sprint_in_rank_order(client: pycontribs_jira.JIRA) -> None:
    in_sprint = client.search_issues("sprint = 12 ORDER BY Rank ASC", maxResults=False)
    assert len(in_sprint) == 20
    assert keys(in_sprint)[:3] == ["PAY-12", "PAY-15", "PAY-16"]
    assert keys(client.search_issues("sprint in openSprints() ORDER BY Rank", maxResults=False))[
        -2:
    ] == ["PAY-28", "PAY-39"]  # sprint 13 ranks after sprint 12
    page = client.search_issues("project = PAY ORDER BY key ASC", startAt=5, maxResults=5)
    assert keys(page) == ["PAY-6", "PAY-7", "PAY-8", "PAY-9", "PAY-10"]
    assert page.total == 45


@pytest.mark.parametrize(
    ("jql", "expected"),
    [
        ('project = "PAY" AND statusCategory = Done AND sprint = 12', 8),
        ("sprint = 12 AND status = Blocked", 1),
        ('sprint = 12 AND assignee = "bpark" AND statusCategory != Done', 5),
        ("sprint = 12 AND assignee = 'dan@example.com'", 4),
        ("issuetype = Bug AND sprint is EMPTY", 2),
        ('project = PAY AND summary ~ "receipt emails"', 2),
        ('"Story Points" >= 8 AND sprint in closedSprints() AND NOT sprint = 11', 6),
        ("project = PAY AND (status = Blocked OR Flagged = Impediment)", 2),
        ("sprint = 12 AND assignee IS EMPTY", 2),
        ('summary ~ "3-D \\"Secure\\""', 1),
    ],
)
def test_jql_subset(client: pycontribs_jira.JIRA, jql: str, expected: int) -> None:
    assert len(client.search_issues(jql, maxResults=False)) == expected


@pytest.mark.parametrize(
    ("jql", "words"),
    [
        ("project = X", "The value 'X' does not exist for the field 'project'."),
        ("colour = red", "Field 'colour' does not exist"),
        ("summary ~ login OR", "Expecting a field name but got the end of the query"),
        ("project = and", "'and' is a reserved JQL word"),
        ('summary ~ "unfinished', "has not been completed"),
        ("status = Flying", "The value 'Flying' does not exist for the field 'status'."),
    ],
)
def test_bad_jql_is_refused_in_jiras_words(
    client: pycontribs_jira.JIRA, jql: str, words: str
) -> None:
    with pytest.raises(pycontribs_jira.JIRAError) as caught:
        client.search_issues(jql)
    assert caught.value.status_code == 400
    assert words in (caught.value.text or "")


def test_an_unvalidated_query_matches_nothing_instead(client: pycontribs_jira.JIRA) -> None:
    assert len(client.search_issues("project = X", validate_query=False)) == 0


def test_an_issue_with_its_changelog(client: pycontribs_jira.JIRA) -> None:
    carried = client.issue("PAY-12", expand="changelog")
    assert carried.fields.status.name == "In Progress"
    items = [
        (i.field, i.fromString, i.toString) for h in carried.changelog.histories for i in h.items
    ]
    assert items == [
        ("Sprint", "", "PAY Sprint 11"),
        ("status", "To Do", "In Progress"),
        ("Sprint", "PAY Sprint 11", "PAY Sprint 11, PAY Sprint 12"),
    ]
    estimated = client.issue("PAY-30", expand="changelog")
    assert estimated.fields.customfield_10002 == 5
    changes = [
        (i.fromString, i.toString)
        for h in estimated.changelog.histories
        for i in h.items
        if i.field == "Story Points"
    ]
    assert changes == [("3", "5")]
    flagged = client.issue("PAY-24")
    assert flagged.fields.customfield_10006[0].value == "Impediment"


def test_create_update_comment_and_assign(jira: JiraSandbox, client: pycontribs_jira.JIRA) -> None:
    created = client.create_issue(project="PAY", issuetype="Bug", summary="Refund stuck")
    assert created.key == "PAY-46"
    assert created.fields.status.name == "To Do"
    created.update(summary="Refund stuck in PENDING", fields={"customfield_10002": 3})
    client.assign_issue(created.key, "cchoi")
    client.add_comment(created.key, "Seen twice today")
    again = client.issue(created.key, expand="changelog")
    assert again.fields.summary == "Refund stuck in PENDING"
    assert again.fields.assignee.displayName == "Carol Choi"
    assert [c.body for c in client.comments(created.key)] == ["Seen twice today"]
    fields = [i.field for h in again.changelog.histories for i in h.items]
    assert fields == ["summary", "Story Points", "assignee"]
    assert issue_state(jira, created.key)["points"] == 3
    with pytest.raises(pycontribs_jira.JIRAError) as caught:
        client.create_issue(fields={"project": {"key": "PAY"}, "issuetype": {"name": "Bug"}})
    assert caught.value.status_code == 400
    assert "You must specify a summary of the issue." in (caught.value.text or "")


def test_transitions_follow_the_workflow(client: pycontribs_jira.JIRA) -> None:
    todo = client.transitions("PAY-20")
    assert [(t["name"], t["to"]["name"]) for t in todo] == [("Start Progress", "In Progress")]
    with pytest.raises(pycontribs_jira.JIRAError) as caught:
        client.transition_issue("PAY-20", "31")  # Done, from To Do
    assert caught.value.status_code == 400
    assert "not valid for the current state of this issue (PAY-20)" in (caught.value.text or "")
    client.transition_issue("PAY-20", "Start Progress")
    client.transition_issue("PAY-20", "31", comment="shipped")
    done = client.issue("PAY-20")
    assert done.fields.status.name == "Done"
    assert done.fields.status.statusCategory.key == "done"
    assert done.fields.resolution.name == "Done"
    assert [t["to"]["name"] for t in client.transitions("PAY-20")] == ["To Do"]
    with pytest.raises(pycontribs_jira.JIRAError) as missing:
        client.transitions("PAY-999")
    assert missing.value.status_code == 404


def test_agile_boards_configuration_and_sprints(client: pycontribs_jira.JIRA) -> None:
    boards = client.boards(projectKeyOrID="PAY")
    assert [(b.id, b.name) for b in boards] == [(1, "PAY board")]
    configuration = client._get_json("board/1/configuration", base=client.AGILE_BASE_URL)
    assert configuration["estimation"]["field"] == {
        "fieldId": "customfield_10002",
        "displayName": "Story Points",
    }
    assert [(s.id, s.state) for s in client.sprints(1)] == [
        (9, "closed"),
        (10, "closed"),
        (11, "closed"),
        (12, "active"),
        (13, "future"),
    ]
    active = client.sprints(1, state="active")[0]
    assert active.goal.startswith("Checkout v2")
    assert active.startDate < active.endDate
    issues = client._fetch_pages(
        Issue, "issues", "board/1/sprint/12/issue", 0, 5, {}, base=client.AGILE_BASE_URL
    )
    assert issues.total == 20
    assert issues[0].fields.sprint.id == 12
    assert [s.id for s in issues[0].fields.closedSprints] == [11]


def test_backlog_rank_and_moving_issues(jira: JiraSandbox, client: pycontribs_jira.JIRA) -> None:
    def backlog() -> list[str]:
        return keys(
            client._fetch_pages(
                Issue, "issues", "board/1/backlog", 0, False, {}, base=client.AGILE_BASE_URL
            )
        )

    first = backlog()
    assert first[:3] == ["PAY-45", "PAY-33", "PAY-25"]
    assert not {"PAY-12", "PAY-28"} & set(first)  # in sprints 12 and 13
    response = client.rank("PAY-25", next_issue="PAY-45")
    assert response.status_code == 204
    assert backlog()[:3] == ["PAY-25", "PAY-45", "PAY-33"]
    client.add_issues_to_sprint(12, ["PAY-25"])
    assert "PAY-25" not in backlog()
    assert "PAY-25" in next(s for s in state(jira)["sprints"] if s["id"] == 12)["issues"]
    client.move_to_backlog(["PAY-25"])
    assert backlog()[0] == "PAY-25"


def test_update_sprint_is_a_full_put(client: pycontribs_jira.JIRA) -> None:
    client.update_sprint(13, name="PAY Sprint 13", goal="Settlements")
    updated = client.sprint(13)
    assert updated.goal == "Settlements"
    assert "startDate" not in updated.raw  # omitted, so emptied, as Jira does


def test_bad_credentials_are_refused_with_401(jira: JiraSandbox) -> None:
    with pytest.raises(pycontribs_jira.JIRAError) as caught:
        pycontribs_jira.JIRA(jira.url, basic_auth=(jira.user, "wrong"), max_retries=0, timeout=5)
    assert caught.value.status_code == 401
    anonymous = httpx.get(f"{jira.url}/rest/api/2/serverInfo")
    assert anonymous.status_code == 200  # serverInfo answers anyone, as Jira's does
    refused = httpx.get(f"{jira.url}/rest/api/2/myself")
    assert refused.status_code == 401
    assert refused.json()["errorMessages"]


def test_throttled_calls_get_429_with_retry_after(
    jira: JiraSandbox, client: pycontribs_jira.JIRA
) -> None:
    jira.throttle(times=1, retry_after=7)
    with pytest.raises(pycontribs_jira.JIRAError) as caught:
        client.myself()
    assert caught.value.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"
    assert client.myself()["name"] == "kuber"  # the next call goes through


def test_a_configured_rate_limit_answers_429() -> None:
    with JiraSandbox(rate_limit=2, rate_window=60) as server:
        auth = (server.user, server.token)
        answers = [httpx.get(f"{server.url}/rest/api/2/myself", auth=auth) for _ in range(3)]
    assert [a.status_code for a in answers] == [200, 200, 429]
    assert int(answers[2].headers["Retry-After"]) >= 1
    assert answers[2].json() == {"errorMessages": ["Rate limit exceeded."], "errors": {}}


def test_state_shows_sprints_issues_and_the_jql_sent(
    jira: JiraSandbox, client: pycontribs_jira.JIRA
) -> None:
    client.search_issues('project = "PAY" AND summary ~ "a \\"quoted\\" word"')
    snapshot = state(jira)
    assert snapshot["server"] == "jira"
    active = next(s for s in snapshot["sprints"] if s["state"] == "active")
    assert len(active["issues"]) == 20
    searches = calls(jira, "GET", "/search")
    assert searches[-1]["jql"] == 'project = "PAY" AND summary ~ "a \\"quoted\\" word"'
