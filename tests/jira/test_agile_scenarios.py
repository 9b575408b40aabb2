"""The agile commands from chat against the sandbox Jira: sprint status with its burndown, the
backlog, filing, moving and assigning issues in English and Korean, who may change what, and
what goes wrong (an unknown key, a move the workflow refuses, Jira down or answering 429,
quotes and JQL words in what a person types)."""

from __future__ import annotations

from typing import Any

from sandbox.jira import JiraSandbox
from tests.jira.conftest import ChatFactory, calls, closed_port_url, issue_state, state
from tests.scenarios.conftest import Chat, all_text


def field(reply: dict[str, Any], label: str) -> str:
    return str(next(f["value"] for f in reply["fields"] if f["label"] == label))


def test_sprint_status_has_progress_blocked_risk_and_a_burndown(chat: Chat) -> None:
    [reply] = chat.say("sprint status")
    assert reply["text"] == "🏃 PAY Sprint 12 — day 7 of 14, 8 days left"
    assert field(reply, "Goal") == "Checkout v2 works on Safari; refunds are safe to retry"
    assert field(reply, "Progress") == (
        "18 of 46 points done (39%) · 8 of 20 issues done, 5 in progress, 7 to do"
    )
    assert field(reply, "Scope") == (
        "+5 points added since the start (PAY-44) · +2 points from re-estimates"
    )
    assert field(reply, "Blocked").splitlines() == [
        "🚧 PAY-17 Refund API: idempotency keys (Bob Park) — Blocked",
        "🚧 PAY-24 3-D Secure challenge in WebView (Dan Lee) — flagged",
    ]
    assert field(reply, "Carry-over risk").startswith("Medium: 28 points left;")
    assert "39.3 points a sprint over the last 3" in field(reply, "Carry-over risk")
    [chart] = reply["attachments"]
    assert chart["title"] == "PAY Sprint 12 burndown"
    assert chart["alt"] == "Burndown: 39 points committed, 28 remaining"
    assert chart["bytes"] > 10_000
    assert "rapidView=1" in reply["context"]
    assert not reply["error"]


def test_sprint_status_in_korean_for_a_viewer(chat: Chat) -> None:
    [reply] = chat.say("스프린트 현황", user="carol")
    assert reply["text"] == "🏃 PAY Sprint 12 — 14일 중 7일째, 8일 남음"
    assert field(reply, "진행률").startswith("46포인트 중 18포인트 완료 (39%)")
    assert field(reply, "이월 위험").startswith("중간: 28포인트 남았어요.")
    assert reply["attachments"][0]["title"] == "PAY Sprint 12 번다운"


def test_no_running_sprint_names_the_next(jira: JiraSandbox, chat: Chat) -> None:
    jira.world.sprints[12].state = "closed"
    [reply] = chat.say("sprint status")
    assert reply["text"] == "No sprint is running on PAY board; the next one is PAY Sprint 13."


def test_backlog_in_rank_order(chat: Chat) -> None:
    [reply] = chat.say("backlog")
    assert reply["text"] == "📋 Backlog of PAY: the top 10 of 10, by rank"
    lines = field(reply, "Rank · key · type · points · summary").splitlines()
    assert lines[:2] == [
        "1. PAY-45 · Bug · – · Login fails on Safari 17 with saved cards",
        "2. PAY-33 · Bug · 2 · Duplicate receipt emails",
    ]
    assert "5. PAY-31 · Story · 5 · 현금영수증 발급 API 연동" in lines
    assert reply["context"].startswith("2 without an estimate")
    [korean] = chat.say("백로그 보여줘")
    assert korean["text"] == "📋 PAY 백로그: 10개 중 순위 상위 10개"


def test_create_a_bug_names_who_asked(jira: JiraSandbox, chat: Chat) -> None:
    [reply] = chat.say("create a bug: login fails on Safari", user="bob")
    assert reply["text"] == "🆕 Filed PAY-46 (Bug): login fails on Safari"
    assert reply["context"].endswith("/browse/PAY-46")
    created = issue_state(jira, "PAY-46")
    assert (created["type"], created["status"], created["sprints"]) == ("Bug", "To Do", [])
    body = next(c for c in calls(jira, "POST", "/rest/api/2/issue") if c["status"] == 201)
    assert body["body"]["fields"]["description"] == (
        "Filed from chat (console) by bob, through Kuber."
    )
    [korean] = chat.say("버그 등록: 사파리에서 로그인 실패")
    assert korean["text"] == "🆕 PAY-47 등록 (Bug): 사파리에서 로그인 실패"


def test_quotes_and_jql_words_stay_text(jira: JiraSandbox, chat: Chat) -> None:
    typed = 'login "fails" OR project = X'
    [reply] = chat.say(f"create a bug: {typed}")
    assert reply["text"] == f"🆕 Filed PAY-46 (Bug): {typed}"
    assert issue_state(jira, "PAY-46")["summary"] == typed
    assert [p["key"] for p in state(jira)["projects"]] == ["PAY"]
    searches = calls(jira, "GET", "/search")
    assert searches[-1]["jql"] == (
        'project = "PAY" AND statusCategory != Done AND summary ~ "login fails or project" '
        "ORDER BY created DESC"
    )
    assert all(c["status"] < 400 for c in calls(jira))
    # The same text found again is a likely duplicate, named beside the new issue.
    [again] = chat.say(f"create a bug: {typed}")
    assert field(again, "Open issues with the same words") == f"PAY-46 {typed}"


def test_move_an_issue_in_english_and_korean(jira: JiraSandbox, chat: Chat) -> None:
    [done] = chat.say("move PAY-12 to done")
    assert done["text"] == "✅ PAY-12: In Progress → Done"
    assert done["context"].startswith("Retry card authorisation on gateway timeout · ")
    assert issue_state(jira, "PAY-12")["status"] == "Done"
    assert issue_state(jira, "PAY-12")["comments"] == [
        "Moved from chat (console) by alice, through Kuber."
    ]
    [back] = chat.say("PAY-27 진행 중으로 옮겨줘", user="bob")
    assert back["text"] == "✅ PAY-27: To Do → In Progress"
    [blocked] = chat.say("PAY-27 차단됨으로 옮겨줘")
    assert blocked["text"] == "✅ PAY-27: In Progress → Blocked"
    [same] = chat.say("PAY-12 완료로 옮겨줘")
    assert same["text"] == "PAY-12 이슈는 이미 Done 상태예요. 바꾼 것은 없어요."


def test_a_move_the_workflow_refuses_offers_the_allowed_ones(jira: JiraSandbox, chat: Chat) -> None:
    [refused] = chat.say("move PAY-20 to done")
    assert refused["error"]
    assert refused["text"] == (
        "PAY-20 is in To Do; the workflow does not go from there to Done. "
        "It can go to: In Progress."
    )
    assert [b["label"] for b in refused["buttons"]] == ["In Progress"]
    assert issue_state(jira, "PAY-20")["status"] == "To Do"
    replies = chat.click("fill", refused["buttons"][0]["value"])
    assert replies[-1]["text"] == "✅ PAY-20: To Do → In Progress"


def test_an_unknown_issue_key(jira: JiraSandbox, chat: Chat) -> None:
    [missing] = chat.say("move PAY-999 to done")
    assert missing["error"]
    assert missing["text"].startswith("There is no issue PAY-999 in Jira")
    assert calls(jira, "POST") == []


def test_assign_by_kuber_name_email_and_me(jira: JiraSandbox, chat: Chat) -> None:
    [reply] = chat.say("assign PAY-20 to bob")
    assert reply["text"] == "👤 PAY-20 is now Bob Park's (was: Carol Choi)."
    assert issue_state(jira, "PAY-20")["assignee"] == "bpark"  # found by bob@example.com
    assert issue_state(jira, "PAY-20")["comments"] == [
        "Assigned to Bob Park from chat (console) by alice, through Kuber."
    ]
    [mine] = chat.say("assign PAY-20 to me")
    assert mine["text"] == "👤 PAY-20 is now Alice Kim's (was: Bob Park)."
    [again] = chat.say("PAY-20 alice에게 할당해줘")
    assert again["text"] == "PAY-20 이슈는 이미 Alice Kim 담당이에요. 바꾼 것은 없어요."


def test_assign_to_someone_nobody_knows_offers_the_team(chat: Chat) -> None:
    [reply] = chat.say("assign PAY-20 to zed")
    assert reply["error"]
    assert (
        reply["text"]
        == "Who is zed? Neither kuber.yaml nor Jira knows them. The team: alice, bob, carol."
    )
    assert [b["label"] for b in reply["buttons"]] == ["alice", "bob", "carol"]


def test_a_person_named_in_kuber_yaml_by_jira_user(
    make_chat: ChatFactory, jira: JiraSandbox
) -> None:
    def name_dan(config: dict[str, Any]) -> None:
        config["people"].append({"name": "dan", "jira": "dlee"})

    chat = make_chat(edit=name_dan)
    [reply] = chat.say("assign PAY-20 to dan")
    assert reply["text"] == "👤 PAY-20 is now Dan Lee's (was: Carol Choi)."


def test_viewers_read_but_do_not_change(jira: JiraSandbox, chat: Chat) -> None:
    [refused] = chat.say("move PAY-12 to done", user="carol")
    assert refused["error"]
    assert "needs the operator role" in refused["text"]
    [outsider] = chat.say("create a bug: x", user="mallory")
    assert outsider["error"]
    assert calls(jira, "POST") == []


def test_another_teams_project_is_not_changed(jira: JiraSandbox, chat: Chat) -> None:
    [reply] = chat.say("move OPS-4 to done")
    assert reply["error"]
    assert reply["text"].startswith("No team in kuber.yaml works in Jira project OPS")
    assert calls(jira, "GET", "/issue/") == []


def test_jira_down_is_reported_and_nothing_breaks(make_chat: ChatFactory) -> None:
    chat = make_chat(KUBER_JIRA_URL=closed_port_url())
    [reply] = chat.say("sprint status")
    assert reply["error"]
    assert reply["text"].startswith("Jira at http://127.0.0.1:")
    assert "is not answering (no connection)." in reply["text"]
    assert reply["text"].endswith("please try again in a minute.")
    [status] = chat.say("status payment")
    assert not status["error"]  # the rest of Kuber goes on


def test_429_is_retried_then_reported(jira: JiraSandbox, chat: Chat) -> None:
    jira.throttle(times=2, retry_after=0)
    [reply] = chat.say("backlog")
    assert reply["text"].startswith("📋 Backlog of PAY")
    assert [c["status"] for c in calls(jira)[:3]] == [429, 429, 200]
    jira.throttle(retry_after=0)
    [limited] = chat.say("move PAY-12 to done")
    assert limited["error"]
    assert limited["text"].startswith("Jira at ")
    assert "is limiting Kuber's requests (429" in limited["text"]
    jira.clear_faults()
    assert issue_state(jira, "PAY-12")["status"] == "In Progress"


def test_without_jira_configured(make_chat: ChatFactory) -> None:
    chat = make_chat(with_jira=False)
    [reply] = chat.say("backlog")
    assert reply["text"] == "Jira is not configured: set KUBER_JIRA_URL."


def test_help_lists_the_agile_commands(chat: Chat) -> None:
    text = all_text(chat.say("help"))
    assert "sprint status" in text
    assert "create a bug: login fails on Safari" in text


def test_jira_changes_are_made_at_once(make_chat: ChatFactory) -> None:
    """No plan waits for an approval: the change is made when asked (and audited)."""
    chat = make_chat(auto_approve=False)
    replies = chat.say("assign PAY-27 to bob")
    assert [r["text"] for r in replies] == ["👤 PAY-27 is now Bob Park's (was: Alice Kim)."]
    assert not any(b["action"] == "approve" for r in replies for b in r["buttons"])
