"""`integrations.jira` against the sandbox Jira: the board and where its points are kept, the
sprint with its changelog, JQL that quotes what people type, moves by status name in English
and Korean, and what goes wrong (429 retried, then reported; Jira down; bad credentials; a
write that may have been taken is not sent twice)."""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jira as pycontribs_jira
import pytest
from pydantic import SecretStr

from bot.errors import PermanentError, UserError
from integrations.jira import (
    IssueNotFound,
    JiraBoards,
    JiraUnavailable,
    TransitionNotAllowed,
    canonical_status,
    check_key,
    jira_for,
    jql_value,
    search_terms,
)
from sandbox.jira import JiraSandbox
from tests.jira.conftest import calls, closed_port_url, issue_state


def boards(server: JiraSandbox, **options: float) -> JiraBoards:
    options.setdefault("max_wait", 0.05)
    return JiraBoards(server.url, server.user, server.token, timeout=5, **options)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("value", "quoted"),
    [
        ("PAY", '"PAY"'),
        (12, "12"),
        ('login "fails" OR project = X', '"login \\"fails\\" OR project = X"'),
        ("a\\b", '"a\\\\b"'),
        ('end\\" OR 1=1', '"end\\\\\\" OR 1=1"'),
        ("line\nbreak", '"line break"'),
    ],
)
def test_jql_values_are_quoted_and_escaped(value: str | int, quoted: str) -> None:
    assert jql_value(value) == quoted


def test_search_terms_keep_words_only() -> None:
    assert search_terms('login "fails" OR project = X*') == "login fails or project"
    assert search_terms("결제 오류 (PG) -- 재시도!") == "결제 오류 pg 재시도"


@pytest.mark.parametrize(
    "summary",
    ['login "fails" OR project = X', "back\\slash \\\" and 'single'", "AND ORDER BY rank"],
)
def test_text_a_person_typed_stays_a_string_in_jql(
    client: pycontribs_jira.JIRA, summary: str
) -> None:
    created = client.create_issue(project="PAY", issuetype="Bug", summary=summary)
    found = client.search_issues(f"project = PAY AND summary ~ {jql_value(summary)}")
    assert created.key in [i.key for i in found]
    assert all(i.fields.project.key == "PAY" for i in found)


@pytest.mark.parametrize(
    ("typed", "status"),
    [
        ("완료", "Done"),
        ("done", "Done"),
        ("진행 중", "In Progress"),
        ("진행중", "In Progress"),
        ("할 일", "To Do"),
        ("차단됨", "Blocked"),
        ("In Progress", "In Progress"),
        ("Ready for QA", "Ready for QA"),
    ],
)
def test_status_names_in_english_and_korean(typed: str, status: str) -> None:
    assert canonical_status(typed) == status


def test_issue_keys_are_checked_before_jira_hears_of_them() -> None:
    assert check_key("pay-12") == "PAY-12"
    for bad in ("PAY12", "PAY-0", "pay-12 OR 1=1", "-12"):
        with pytest.raises(UserError) as caught:
            check_key(bad)
        assert caught.value.key == "jira_issue_key_invalid"


def test_board_points_field_from_the_configuration(jira: JiraSandbox) -> None:
    board = boards(jira).board(1, "PAY")
    assert (board.points_field, board.points_name) == ("customfield_10002", "Story Points")
    assert board.url.endswith("/secure/RapidBoard.jspa?rapidView=1")


def test_board_points_field_falls_back_on_story_points() -> None:
    with JiraSandbox(estimation=False) as server:
        board = boards(server).board(1, "PAY")
        assert (board.points_field, board.points_name) == ("customfield_10002", "Story Points")
        configurations = calls(server, "GET", "/board/1/configuration")
    assert configurations  # it asked the board first


def test_an_unknown_board_names_the_setting(jira: JiraSandbox) -> None:
    with pytest.raises(PermanentError) as caught:
        boards(jira).board(7, "PAY")
    assert caught.value.key == "jira_board_unknown"
    assert "jira.board" in str(caught.value)


def test_the_active_sprint_with_points_and_history(jira: JiraSandbox) -> None:
    client = boards(jira)
    board = client.board(1, "PAY")
    sprint = client.active_sprint(board)
    assert sprint is not None
    assert (sprint.id, sprint.name) == (12, "PAY Sprint 12")
    issues = {i.key: i for i in client.sprint_issues(board, [sprint.id])}
    assert len(issues) == 20
    assert sum(i.points or 0 for i in issues.values()) == 46
    carried = issues["PAY-12"]
    assert carried.sprint_ids == {11, 12}
    assert [(c.before, c.after) for c in carried.sprint_changes] == [
        (frozenset(), frozenset({11})),
        (frozenset({11}), frozenset({11, 12})),
    ]
    assert [c.after.category for c in carried.status_changes] == ["in_progress"]
    assert [(c.before, c.after) for c in issues["PAY-30"].points_changes] == [(3.0, 5.0)]
    assert issues["PAY-24"].flagged
    assert [s.name for s in client.recent_sprints(board)] == [
        "PAY Sprint 11",
        "PAY Sprint 10",
        "PAY Sprint 9",
    ]


def test_backlog_bugs_since_and_likely_duplicates(jira: JiraSandbox) -> None:
    client = boards(jira)
    board = client.board(1, "PAY")
    backlog = client.backlog(board, limit=3)
    assert [i.key for i in backlog.issues] == ["PAY-45", "PAY-33", "PAY-25"]
    assert backlog.total == 10
    since = datetime.now(UTC) - timedelta(days=1)
    assert [i.key for i in client.created_since(board, since)] == ["PAY-45"]
    searched = calls(jira, "GET", "/search")[-1]["jql"]
    # The moment is given in Kuber's Jira user's time zone (Asia/Seoul), quoted.
    local = since.astimezone(__import__("zoneinfo").ZoneInfo("Asia/Seoul"))
    assert f'created >= "{local:%Y-%m-%d %H:%M}"' in searched
    assert [i.key for i in client.open_issues_like(board, "duplicate RECEIPT emails!")] == [
        "PAY-33"
    ]
    assert client.open_issues_like(board, "receipt emails") == []  # same words, not some


def test_moves_by_status_name_in_korean_and_english(jira: JiraSandbox) -> None:
    client = boards(jira)
    moved = client.move("PAY-20", "진행 중", comment="by alice")
    assert (moved.before.name, moved.after.name) == ("To Do", "In Progress")
    assert client.move("pay-20", "완료").after.name == "Done"
    assert not client.move("PAY-20", "done").changed  # already there
    assert issue_state(jira, "PAY-20")["status"] == "Done"
    assert issue_state(jira, "PAY-20")["comments"] == ["by alice"]


def test_a_move_the_workflow_does_not_allow_lists_the_ones_it_does(jira: JiraSandbox) -> None:
    client = boards(jira)
    with pytest.raises(TransitionNotAllowed) as caught:
        client.move("PAY-27", "Done")
    assert caught.value.choices == ("In Progress",)
    assert caught.value.params["current"] == "To Do"
    with pytest.raises(UserError) as unknown:
        client.move("PAY-27", "Flying")
    assert unknown.value.key == "jira_status_unknown"
    with pytest.raises(IssueNotFound):
        client.move("PAY-999", "Done")
    assert calls(jira, "POST", "/transitions") == []


def test_people_by_email_and_assignment(jira: JiraSandbox) -> None:
    client = boards(jira)
    bob = client.find_user("bob@example.com")
    assert bob is not None
    assert (bob.name, bob.display_name) == ("bpark", "Bob Park")
    assert client.find_user("bo") is None  # a prefix is not a person
    after, before = client.assign("PAY-27", bob)
    assert (after.assignee, before) == ("Bob Park", "Alice Kim")


def test_429_is_retried_with_backoff_then_succeeds(jira: JiraSandbox) -> None:
    client = boards(jira)
    client.board(1, "PAY")
    jira.throttle(times=2, retry_after=0)
    started = len(calls(jira))
    assert client.backlog(client.board(1, "PAY"), limit=1).total == 10
    backlog_calls = [c for c in calls(jira)[started:] if c["path"].endswith("/backlog")]
    assert [c["status"] for c in backlog_calls] == [429, 429, 200]


def test_retry_after_is_honoured(jira: JiraSandbox) -> None:
    client = boards(jira, max_wait=5.0)
    board = client.board(1, "PAY")
    jira.throttle(times=1, retry_after=1)
    began = time.monotonic()
    client.backlog(board, limit=1)
    assert time.monotonic() - began >= 1.0


def test_429_that_lasts_is_reported(jira: JiraSandbox) -> None:
    client = boards(jira, attempts=3)
    jira.throttle(retry_after=0)
    with pytest.raises(JiraUnavailable) as caught:
        client.board(1, "PAY")
    assert caught.value.key == "jira_rate_limited"
    assert len([c for c in calls(jira) if c["status"] == 429]) == 3


def test_a_write_jira_may_have_taken_is_not_sent_again(jira: JiraSandbox) -> None:
    client = boards(jira)
    board = client.board(1, "PAY")
    jira.inject(r"^POST /rest/api/2/issue$", 500, times=1)
    with pytest.raises(JiraUnavailable) as caught:
        client.create_issue(board, issue_type="Bug", summary="once")
    assert caught.value.taken
    assert len(calls(jira, "POST", "/rest/api/2/issue")) == 1
    jira.inject(r"^POST /rest/api/2/issue$", 503, times=1)
    created = client.create_issue(board, issue_type="Bug", summary="after a 503")
    assert created.summary == "after a 503"
    assert [c["status"] for c in calls(jira, "POST", "/rest/api/2/issue")][-2:] == [503, 201]


def test_jira_down_is_retried_then_reported() -> None:
    client = JiraBoards(closed_port_url(), "kuber", "token", timeout=2, attempts=2)
    with pytest.raises(JiraUnavailable) as caught:
        client.board(1, "PAY")
    assert caught.value.key == "jira_down"
    assert not caught.value.taken
    assert "not answering" in str(caught.value)


def test_bad_credentials_name_the_variables_but_never_the_token(jira: JiraSandbox) -> None:
    client = JiraBoards(jira.url, jira.user, "wrong-token-value", timeout=5)
    with pytest.raises(PermanentError) as caught:
        client.board(1, "PAY")
    assert caught.value.key == "jira_unauthorized"
    assert "KUBER_JIRA_TOKEN" in str(caught.value)
    assert "wrong-token-value" not in str(caught.value)


@dataclass(frozen=True)
class _Env:
    jira_url: str | None = None
    jira_user: str | None = None
    jira_token: SecretStr | None = None


@dataclass(frozen=True)
class _Settings:
    env: _Env


def test_jira_for_names_the_missing_variable(jira: JiraSandbox) -> None:
    for env, variable in (
        (_Env(), "KUBER_JIRA_URL"),
        (_Env(jira.url), "KUBER_JIRA_USER"),
        (_Env(jira.url, "kuber"), "KUBER_JIRA_TOKEN"),
    ):
        with pytest.raises(UserError) as caught:
            jira_for(_Settings(env))
        assert caught.value.params["variable"] == variable
    settings = _Settings(_Env(jira.url, jira.user, SecretStr(jira.token)))
    assert jira_for(settings) is jira_for(settings)  # one shared client


def test_create_with_an_assignee_into_the_sprint(jira: JiraSandbox) -> None:
    client = boards(jira)
    board = client.board(1, "PAY")
    bob = client.find_user("bpark")
    assert bob is not None
    created = client.create_issue(
        board, issue_type="Task", summary="Pair on PG retries", assignee=bob, sprint=12
    )
    assert (created.assignee, created.status.name) == ("Bob Park", "To Do")
    assert 12 in created.sprint_ids
    assert issue_state(jira, created.key)["sprints"] == [12]
    client.comment(created.key, "on it")
    assert issue_state(jira, created.key)["comments"] == ["on it"]
